"""Power and minimum detectable effect of a planned model-project evaluation.

A planner who opens a model project in a few Stadträume wants to know *before*
it starts whether the effect she hopes for could be seen at all in the case
counts. This module answers by simulation: it draws many case-count panels from
the generative model of :mod:`sozialanalyse.evaluation.simulate` (real
populations, baseline rates, overdispersion, years before and after, treated
areas, a true incidence-rate ratio; see :class:`PowerDesign`), estimates the
panel difference-in-differences in each, and counts how often the effect is
declared significant.

The concepts live in small modules; this one is the public entry point and
re-exports their names:

* :mod:`~sozialanalyse.evaluation.power_kernel`: the batched Poisson DiD with
  concentrated area and year effects (:func:`fit_poisson_twfe`,
  :class:`BatchFit`, :func:`panel_arrays`);
* :mod:`~sozialanalyse.evaluation.power_design`: the planned design and its
  coupled simulator (:class:`PowerDesign`, :func:`simulate_counts`);
* here: :func:`power`, :func:`power_curve`, :func:`minimum_detectable_effect`
  and :func:`placebo_power` (synthetic control with placebo inference, at a much
  higher cost per simulated panel);
* :mod:`~sozialanalyse.evaluation.power_plot`: :func:`plot_power_curve`
  (imported lazily, so that this module does not load matplotlib).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from sozialanalyse.evaluation.power_design import (
    CoupledSimulator,
    PowerDesign,
    simulate_counts,
)
from sozialanalyse.evaluation.power_kernel import (
    BatchFit,
    Scale,
    fit_poisson_twfe,
    nb2_alpha,
    panel_arrays,
)

__all__ = [
    "BatchFit",
    "CoupledSimulator",
    "PowerDesign",
    "PowerResult",
    "Scale",
    "fit_poisson_twfe",
    "minimum_detectable_effect",
    "nb2_alpha",
    "panel_arrays",
    "placebo_power",
    "placebo_power_curve",
    "power",
    "power_curve",
    "simulate_counts",
]


def __getattr__(name: str) -> Any:
    """Lazy access to :func:`~sozialanalyse.evaluation.power_plot.plot_power_curve`."""
    if name == "plot_power_curve":
        from sozialanalyse.evaluation.power_plot import plot_power_curve

        return plot_power_curve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class PowerResult:
    """Power of one design at one true effect.

    Attributes
    ----------
    irr
        True incidence-rate ratio simulated.
    power
        Share of simulated panels in which the effect was significant.
    mc_se
        Monte Carlo standard error of ``power``.
    n_sims
        Number of simulated panels (non-converged fits count as not significant).
    alpha
        Significance level (two-sided).
    mean_estimate
        Geometric mean of the estimated IRRs.
    coverage
        Share of Wald intervals that contain the true IRR.
    """

    irr: float
    power: float
    mc_se: float
    n_sims: int
    alpha: float
    mean_estimate: float
    coverage: float

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row table (English column names, raw numbers)."""
        return pd.DataFrame([self.__dict__])

    def summary(self) -> pd.DataFrame:
        """A German two-column table (Größe, Wert) with formatted numbers (simulated)."""
        from sozialanalyse.formatting import integer, number, percent

        rows = [
            ("wahres Inzidenzratenverhältnis (IRR)", number(self.irr, 3)),
            ("Teststärke", f"{percent(self.power)} (± {percent(self.mc_se)})"),
            ("Signifikanzniveau", percent(self.alpha)),
            ("mittlere Schätzung (IRR, geometrisch)", number(self.mean_estimate, 3)),
            ("Überdeckung der Intervalle", percent(self.coverage)),
            ("simulierte Panels", integer(self.n_sims)),
        ]
        out = pd.DataFrame(rows, columns=["Größe", "Wert"])
        out.attrs["label"] = "simuliert"
        return out


def _summarise(
    fit: BatchFit, irr: float, alpha: float, use_t: bool
) -> PowerResult:
    p = fit.p_values(use_t=use_t)
    reject = fit.converged & (p < alpha)
    n = fit.beta.size
    pw = float(reject.mean())
    ci = fit.conf_int(1 - alpha, use_t=use_t)
    lt = np.log(irr)
    cover = fit.converged & (ci[:, 0] <= lt) & (lt <= ci[:, 1])
    ok = fit.converged
    return PowerResult(
        irr=float(irr),
        power=pw,
        mc_se=float(np.sqrt(pw * (1 - pw) / n)),
        n_sims=int(n),
        alpha=alpha,
        mean_estimate=float(np.exp(fit.beta[ok].mean())) if ok.any() else float("nan"),
        coverage=float(cover.sum() / max(ok.sum(), 1)),
    )


def power(
    design: PowerDesign,
    irr: float,
    *,
    n_sims: int = 1000,
    alpha: float = 0.05,
    seed: int = 20240501,
    scale: Scale = "nb2",
    use_t: bool = True,
) -> PowerResult:
    """Probability that the panel DiD detects a true incidence-rate ratio ``irr``.

    Parameters
    ----------
    design
        The planned evaluation.
    irr
        True incidence-rate ratio (e.g. 0.85 for 15 % fewer cases).
    n_sims
        Number of simulated panels.
    alpha
        Two-sided significance level.
    seed
        Seed; the same seed gives the same panels for every ``irr`` (common
        random numbers), so power curves are smooth and monotone.
    scale
        Standard errors: ``"nb2"`` (sandwich with the negative-binomial variance
        function, default), ``"pearson"`` (quasi-Poisson) or ``"model"``.
    use_t
        Compare with a t distribution with the residual degrees of freedom.

    Returns
    -------
    PowerResult
    """
    if not irr > 0:
        raise ValueError("irr must be positive")
    sim = CoupledSimulator(design, n_sims, seed)
    fit = fit_poisson_twfe(sim.counts(irr), sim.pop, sim.treat, scale=scale)
    return _summarise(fit, irr, alpha, use_t)


def power_curve(
    design: PowerDesign,
    irrs: Sequence[float],
    *,
    n_sims: int = 1000,
    alpha: float = 0.05,
    seed: int = 20240501,
    scale: Scale = "nb2",
    use_t: bool = True,
) -> pd.DataFrame:
    """Power for several true IRRs (common random numbers), as a tidy table.

    Columns as the fields of :class:`PowerResult`, one row per IRR;
    ``attrs["label"] == "simuliert"``. The data for a figure (e.g.
    :func:`~sozialanalyse.evaluation.power_plot.plot_power_curve`).
    """
    sim = CoupledSimulator(design, n_sims, seed)
    rows = []
    for irr in irrs:
        fit = fit_poisson_twfe(sim.counts(float(irr)), sim.pop, sim.treat, scale=scale)
        rows.append(_summarise(fit, float(irr), alpha, use_t).__dict__)
    out = pd.DataFrame(rows)
    out.attrs["label"] = "simuliert"
    return out


def minimum_detectable_effect(
    design: PowerDesign,
    *,
    target_power: float = 0.8,
    alpha: float = 0.05,
    direction: Literal["decrease", "increase"] = "decrease",
    n_sims: int = 1000,
    seed: int = 20240501,
    scale: Scale = "nb2",
    use_t: bool = True,
    tol: float = 1e-3,
    limit: float = 0.2,
) -> float:
    """Smallest effect (as IRR) detected with at least ``target_power``.

    Bisection on the log IRR with common random numbers (the counts are coupled
    across effect sizes through inverse-CDF draws, so power rises monotonically
    with the effect).

    Parameters
    ----------
    design
        The planned evaluation.
    target_power
        Required power, e.g. 0.8.
    alpha
        Two-sided significance level.
    direction
        ``"decrease"`` searches IRRs below 1 (fewer cases), ``"increase"`` above 1.
    n_sims, seed, scale, use_t
        As in :func:`power`.
    tol
        Precision on the log-IRR scale.
    limit
        The most extreme IRR searched (``limit`` for decreases, ``1/limit`` for
        increases); if even that is not detected, ``nan`` is returned.

    Returns
    -------
    float
        The minimum detectable IRR (below 1 for decreases), or ``nan``.
    """
    sim = CoupledSimulator(design, n_sims, seed)
    sign = -1.0 if direction == "decrease" else 1.0

    def pw(log_effect: float) -> float:
        irr = float(np.exp(sign * log_effect))
        fit = fit_poisson_twfe(sim.counts(irr), sim.pop, sim.treat, scale=scale)
        return _summarise(fit, irr, alpha, use_t).power

    lo, hi = 0.0, float(-np.log(limit))
    if pw(hi) < target_power:
        return float("nan")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if pw(mid) >= target_power:
            hi = mid
        else:
            lo = mid
    return float(np.exp(sign * hi))


def placebo_power(
    design: PowerDesign,
    irr: float,
    *,
    n_sims: int = 200,
    alpha: float = 0.05,
    statistic: Literal["rmspe_ratio", "abs_log_irr"] = "abs_log_irr",
    max_placebos: int = 1000,
    seed: int = 20240501,
) -> PowerResult:
    """Power of synthetic control with placebo-in-space inference.

    Each simulated panel gets a synthetic control for the pooled model areas
    and the placebo distribution over donor sets of the same size; the effect
    counts as detected when the exact permutation p-value is at most ``alpha``.
    Much slower than :func:`power` (one weight fit per placebo unit), so fewer
    panels are the default.

    Parameters
    ----------
    design
        The planned evaluation.
    irr
        True incidence-rate ratio.
    n_sims
        Number of simulated panels.
    alpha
        Level of the permutation test (p-values are multiples of one over the
        number of units, so the attainable level may be lower).
    statistic
        Placebo test statistic, see :func:`~sozialanalyse.evaluation.placebo.placebo_in_space`.
    max_placebos
        Upper limit on placebo units per panel.
    seed
        Seed (same panels for every ``irr``).

    Returns
    -------
    PowerResult
        ``coverage`` is ``nan`` (no interval); ``mean_estimate`` is the
        geometric mean of the synthetic-control rate ratios.
    """
    return placebo_power_curve(
        design, (irr,), n_sims=n_sims, alpha=alpha, statistic=statistic,
        max_placebos=max_placebos, seed=seed,
    )[0]


def placebo_power_curve(
    design: PowerDesign,
    irrs: Sequence[float],
    *,
    n_sims: int = 200,
    alpha: float = 0.05,
    statistic: Literal["rmspe_ratio", "abs_log_irr"] = "abs_log_irr",
    max_placebos: int = 1000,
    seed: int = 20240501,
) -> list[PowerResult]:
    """:func:`placebo_power` for several IRRs on the same simulated panels, fitted once.

    The coupled simulator changes only the model areas' counts with the IRR, and
    the placebo units are drawn from the other areas, so each panel's placebo
    distribution is the same for every IRR: it is fitted once per panel and
    only the model areas' synthetic control is refitted per IRR. The results
    equal ``[placebo_power(design, irr, ...) for irr in irrs]`` exactly.

    Parameters
    ----------
    design, n_sims, alpha, statistic, max_placebos, seed
        As in :func:`placebo_power`.
    irrs
        True incidence-rate ratios.

    Returns
    -------
    list of PowerResult
        One per IRR, in the order given.
    """
    from sozialanalyse.evaluation.placebo import permutation_p_value, placebo_from_matrices
    from sozialanalyse.evaluation.synth import CountMatrices, synth_from_matrices

    irrs = [float(v) for v in irrs]
    sim = CoupledSimulator(design, n_sims, seed)
    counts = [sim.counts(irr).astype(float) for irr in irrs]
    areas = tuple(design.areas or tuple(f"{i:02d}" for i in range(design.n_areas)))
    years = np.arange(design.n_years)
    treated = [areas[i] for i in design.treated]
    reject = np.zeros((len(irrs), n_sims), dtype=bool)
    est = np.zeros((len(irrs), n_sims))
    for b in range(n_sims):
        null: np.ndarray | None = None
        for j in range(len(irrs)):
            m = CountMatrices(areas, years, counts[j][b], sim.pop)
            if null is None:
                res = placebo_from_matrices(
                    m, treated, design.n_pre, warn=False, keep_paths=False,
                    statistic=statistic, max_placebos=max_placebos, seed=seed + b,
                )
                null = res.details[statistic].to_numpy()[1:]
                p, irr_hat = res.p_value, res.result.irr
            else:
                sc = synth_from_matrices(m, treated, design.n_pre, warn=False)
                irr_hat = sc.irr
                stat = sc.rmspe_ratio if statistic == "rmspe_ratio" else abs(np.log(irr_hat))
                p = permutation_p_value(stat, null)[1]
            reject[j, b] = p <= alpha + 1e-12
            est[j, b] = irr_hat
    out = []
    for j, irr in enumerate(irrs):
        pw = float(reject[j].mean())
        out.append(PowerResult(
            irr=irr,
            power=pw,
            mc_se=float(np.sqrt(pw * (1 - pw) / n_sims)),
            n_sims=n_sims,
            alpha=alpha,
            mean_estimate=float(np.exp(np.log(est[j]).mean())),
            coverage=float("nan"),
        ))
    return out
