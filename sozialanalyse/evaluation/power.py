"""Power and minimum detectable effect of a planned model-project evaluation.

A planner who opens a model project in a few Stadträume wants to know *before*
it starts whether the effect she hopes for could be seen at all in the case
counts. This module answers by simulation: it draws many case-count panels from
the generative model of :mod:`sozialanalyse.evaluation.simulate` (real
populations, baseline rates, overdispersion, years before and after, treated
areas, a true incidence-rate ratio), estimates the panel difference-in-differences
in each, and counts how often the effect is declared significant.

Speed comes from a vectorised estimator: the Poisson regression with area and
year effects and a log-population offset is fitted for a whole batch of panels
at once. The area effects are profiled out exactly (for Poisson they are
``log(sum_t y_it / sum_t exp(eta_it))``), which leaves a conditional
(multinomial) likelihood in the year effects and the treatment effect only; its
Newton steps are batched matrix products in numpy (Hausman, Hall and Griliches
1984 show that this conditional likelihood gives the same estimates as the
Poisson model with area dummies). The estimate, its model-based standard error
and the Pearson-scaled (quasi-Poisson) standard error are identical to
statsmodels' ``GLM(..., family=Poisson())`` with area and year dummies (tested
to 1e-6). The default errors are a sandwich with the negative-binomial
variance function, which keeps the test at its level when overdispersion and
area sizes vary (quasi-Poisson errors then over-reject slightly).

Synthetic control with placebo inference can be planned too
(:func:`placebo_power`), at a much higher cost per simulated panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from sozialanalyse.evaluation.simulate import CoupledDraws, draw_counts, expected_counts

Scale = Literal["model", "pearson", "nb2"]


# ---------------------------------------------------------------------------
# the vectorised estimator
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchFit:
    """Poisson two-way fixed-effects DiD fitted to a batch of panels.

    Attributes
    ----------
    beta
        Shape ``(B,)``: estimated log incidence-rate ratio per panel.
    se
        Shape ``(B,)``: its standard error (model-based or Pearson-scaled).
    se_model
        Shape ``(B,)``: model-based (Poisson) standard error.
    scale
        Shape ``(B,)``: Pearson dispersion ``X2 / (n - p)`` (always computed; it
        enters ``se`` only for ``scale="pearson"``).
    df_resid
        Residual degrees of freedom ``n - p`` (number of cells minus parameters).
    converged
        Shape ``(B,)``: whether Newton's method converged.
    n_iter
        Number of Newton iterations used.
    year_effects
        Shape ``(B, T - 1)``: log year effects relative to the first year.
    dispersion
        Shape ``(B,)``: moment estimate of the NB2 ``alpha`` (only for
        ``scale="nb2"``, else ``nan``).
    """

    beta: np.ndarray
    se: np.ndarray
    se_model: np.ndarray
    scale: np.ndarray
    df_resid: int
    converged: np.ndarray
    n_iter: int
    year_effects: np.ndarray = field(repr=False)
    dispersion: np.ndarray = field(repr=False, default_factory=lambda: np.array([]))

    def p_values(self, use_t: bool = False) -> np.ndarray:
        """Two-sided p-values for beta = 0 (normal, or t with ``df_resid``)."""
        z = np.abs(self.beta / self.se)
        if use_t:
            return 2.0 * stats.t.sf(z, self.df_resid)
        return 2.0 * stats.norm.sf(z)

    def conf_int(self, level: float = 0.95, use_t: bool = False) -> np.ndarray:
        """Shape ``(B, 2)`` Wald interval for the log IRR."""
        q = (
            stats.t.ppf(0.5 + level / 2, self.df_resid)
            if use_t
            else stats.norm.ppf(0.5 + level / 2)
        )
        return np.stack([self.beta - q * self.se, self.beta + q * self.se], axis=-1)


def _eta(theta: np.ndarray, d: np.ndarray, log_n: np.ndarray) -> np.ndarray:
    """Linear predictor without area effects: year effect + beta * D + offset."""
    g = np.concatenate([np.zeros((theta.shape[0], 1)), theta[:, :-1]], axis=1)
    return g[:, None, :] + theta[:, -1][:, None, None] * d + log_n


def _weighted_z(w: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``sum_t w_it z_it`` per area, shape ``(B, A, K)``.

    The design columns ``z_it`` are the year dummies (first year dropped) and
    the treatment indicator, so the sums are slices of ``w``.
    """
    return np.concatenate([w[:, :, 1:], (w * d).sum(axis=2, keepdims=True)], axis=2)


def _zz(w: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``sum_it w_it z_it z_it^T``, shape ``(B, K, K)``, from the design's structure."""
    b, _, t = w.shape
    k = t
    out = np.zeros((b, k, k))
    col = w.sum(axis=1)  # (B, T): year totals
    wd = (w * d).sum(axis=1)  # (B, T)
    idx = np.arange(k - 1)
    out[:, idx, idx] = col[:, 1:]
    out[:, : k - 1, k - 1] = wd[:, 1:]
    out[:, k - 1, : k - 1] = wd[:, 1:]
    out[:, k - 1, k - 1] = wd.sum(axis=1)
    return out


def _loglik(theta: np.ndarray, y: np.ndarray, d: np.ndarray, log_n: np.ndarray) -> np.ndarray:
    """Conditional (profiled) Poisson log-likelihood ``sum y_it log p_it`` per panel."""
    eta = _eta(theta, d, log_n)
    mx = eta.max(axis=2, keepdims=True)
    log_p = eta - mx - np.log(np.exp(eta - mx).sum(axis=2, keepdims=True))
    return (y * log_p).sum(axis=(1, 2))


def _profiled_parts(
    theta: np.ndarray, y: np.ndarray, d: np.ndarray, log_n: np.ndarray, n_i: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fitted counts, area means of z, score and information of the profiled model."""
    eta = _eta(theta, d, log_n)
    eta = eta - eta.max(axis=2, keepdims=True)
    p = np.exp(eta)
    p /= p.sum(axis=2, keepdims=True)
    mu = n_i[..., None] * p  # fitted counts; area totals are matched exactly
    m = _weighted_z(p, d)  # (B, A, K): mu-weighted area means of z
    grad = _weighted_z(y - mu, d).sum(axis=1)
    info = _zz(mu, d) - np.swapaxes(m * n_i[..., None], 1, 2) @ m
    return mu, m, grad, info


def fit_poisson_twfe(
    counts: np.ndarray,
    exposure: np.ndarray,
    treat: np.ndarray,
    *,
    scale: Scale = "nb2",
    max_iter: int = 50,
    tol: float = 1e-10,
) -> BatchFit:
    """Fit the Poisson DiD with area and year effects to many panels at once.

    The model is ``log E[y_it] = a_i + g_t + beta * D_it + log(exposure_it)``.

    Parameters
    ----------
    counts
        Shape ``(B, A, T)`` (or ``(A, T)`` for one panel): case counts.
    exposure
        Shape ``(A, T)`` or ``(B, A, T)``: young residents (the offset is its log).
    treat
        Shape ``(A, T)`` boolean: treated area-years (any adoption pattern).
    scale
        ``"model"`` for Poisson standard errors, ``"pearson"`` to multiply the
        variance by the Pearson dispersion (quasi-Poisson, as statsmodels'
        ``fit(scale="X2")``), ``"nb2"`` for a sandwich variance with the
        negative-binomial variance function ``mu (1 + alpha mu)`` (``alpha`` by
        moments): robust when overdispersion grows with the counts, as it does
        when areas differ in size.
    max_iter, tol
        Newton iterations and convergence tolerance on the parameter step.

    Returns
    -------
    BatchFit
        Estimates per panel. Panels where the effect is not identified (for
        example no cases in the treated area-years) come back with
        ``converged=False``.
    """
    y = np.asarray(counts, dtype=float)
    single = y.ndim == 2
    if single:
        y = y[None]
    if y.ndim != 3:
        raise ValueError("counts must have shape (B, A, T) or (A, T)")
    d = np.asarray(treat, dtype=bool)
    b, a, t = y.shape
    if d.shape != (a, t):
        raise ValueError(f"treat must have shape {(a, t)}, got {d.shape}")
    if np.any(y < 0):
        raise ValueError("counts must be non-negative")
    log_n = np.log(np.asarray(exposure, dtype=float))
    df = d.astype(float)
    k = t  # T - 1 year effects + the treatment effect
    n_i = y.sum(axis=2)  # (B, A)
    theta = np.zeros((b, k))
    converged = np.zeros(b, dtype=bool)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        _, _, grad, info = _profiled_parts(theta, y, df, log_n, n_i)
        try:
            step = np.linalg.solve(info, grad[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.stack(
                [np.linalg.lstsq(h, g, rcond=None)[0] for h, g in zip(info, grad, strict=True)]
            )
        # damped Newton: halve the step where the log-likelihood would fall
        # (checked only for large steps; near the optimum full steps are safe)
        frac = np.ones(b)
        ll_old = _loglik(theta, y, df, log_n) if np.abs(step).max() > 0.5 else None
        for _ in range(40 if ll_old is not None else 0):
            ll_new = _loglik(theta + frac[:, None] * step, y, df, log_n)
            bad = ~(ll_new >= ll_old - 1e-10 * np.abs(ll_old))
            if not bad.any():
                break
            frac = np.where(bad, frac / 2.0, frac)
        step = frac[:, None] * step
        theta = theta + step
        converged = np.abs(step).max(axis=1) < tol
        if converged.all():
            break
    mu, m, _, info = _profiled_parts(theta, y, df, log_n, n_i)
    n_params = a + k  # area effects (incl. intercept) + year dummies + treatment
    df_resid = a * t - n_params
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.linalg.inv(info)
        cov_bb = inv[:, k - 1, k - 1]
        resid2 = (y - mu) ** 2
        pearson = np.where(mu > 0, resid2 / mu, 0.0).sum(axis=(1, 2))
    phi = pearson / df_resid if df_resid > 0 else np.full(b, np.nan)
    se_model = np.sqrt(cov_bb)
    alpha_nb = np.full(b, np.nan)
    if scale == "pearson":
        se = se_model * np.sqrt(phi)
    elif scale == "nb2":
        alpha_nb = _nb2_alpha(y, mu, df_resid)
        v = mu * (1.0 + alpha_nb[:, None, None] * mu)
        # sum_it v_it (z_it - m_i)(z_it - m_i)^T, expanded
        vz = _weighted_z(v, df)
        cross = np.swapaxes(vz, 1, 2) @ m
        meat = (
            _zz(v, df)
            - cross
            - np.swapaxes(cross, 1, 2)
            + np.swapaxes(m * v.sum(axis=2)[..., None], 1, 2) @ m
        )
        with np.errstate(invalid="ignore"):
            se = np.sqrt((inv @ meat @ inv)[:, k - 1, k - 1])
    else:
        se = se_model
    ok = converged & np.isfinite(se) & (se > 0)
    return BatchFit(
        beta=theta[:, k - 1],
        se=se,
        se_model=se_model,
        scale=phi,
        df_resid=int(df_resid),
        converged=ok,
        n_iter=it,
        year_effects=theta[:, : k - 1],
        dispersion=alpha_nb,
    )


def _nb2_alpha(y: np.ndarray, mu: np.ndarray, df_resid: int, n_iter: int = 50) -> np.ndarray:
    """Moment estimate of the NB2 dispersion per panel.

    Solves ``f(alpha) = sum (y - mu)^2 / (mu (1 + alpha mu)) - df_resid = 0`` for
    ``alpha >= 0`` (the Pearson equation of the negative binomial); 0 when the
    counts are not overdispersed (``f(0) <= 0``). ``f`` is convex and
    decreasing, so Newton's method started at 0 climbs monotonically to the root.
    """
    b = y.shape[0]
    m = mu.reshape(b, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        q0 = np.where(m > 0, ((y.reshape(b, -1) - m) ** 2) / m, 0.0)
    alpha = np.zeros(b)
    over = q0.sum(axis=1) > df_resid
    if not over.any() or df_resid <= 0:
        return alpha
    q0, m, a = q0[over], m[over], alpha[over]
    for _ in range(n_iter):
        denom = 1.0 + a[:, None] * m
        f = (q0 / denom).sum(axis=1) - df_resid
        fp = -(q0 * m / denom**2).sum(axis=1)
        step = -f / fp
        a = a + step
        if np.all(np.abs(step) <= 1e-12 * np.maximum(a, 1e-12)):
            break
    alpha[over] = a
    return alpha


def panel_arrays(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treat: str = "treat",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn a tidy panel into ``(counts, exposure, treat)`` arrays of shape ``(A, T)``."""
    y = panel.pivot(index=area, columns=year, values=cases).to_numpy(dtype=float)
    n = panel.pivot(index=area, columns=year, values=population).to_numpy(dtype=float)
    d = panel.pivot(index=area, columns=year, values=treat).to_numpy(dtype=bool)
    return y, n, d


# ---------------------------------------------------------------------------
# designs and power
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PowerDesign:
    """A planned model-project evaluation.

    Parameters
    ----------
    population
        Young residents per area, shape ``(A,)`` (constant over years) or
        ``(A, T)`` with ``T = n_pre + n_post``.
    baseline_rate
        Cases per 1,000 young residents and year before the start, scalar or
        shape ``(A,)``.
    n_pre, n_post
        Years before and after the start.
    treated
        Indices of the model (treated) areas.
    dispersion
        NB2 overdispersion ``alpha`` of the counts (0 = Poisson).
    trend
        Common log-linear trend per year.
    year_sd
        Standard deviation of common yearly shocks (log scale).
    areas
        Optional area names (for tables).
    """

    population: np.ndarray
    baseline_rate: np.ndarray | float
    n_pre: int
    n_post: int
    treated: tuple[int, ...]
    dispersion: float = 0.0
    trend: float = 0.0
    year_sd: float = 0.0
    areas: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        pop = np.asarray(self.population, dtype=float)
        if pop.ndim not in (1, 2) or np.any(pop <= 0):
            raise ValueError("population must be positive, shape (A,) or (A, T)")
        if self.n_pre < 1 or self.n_post < 1:
            raise ValueError("need at least one year before and one after the start")
        if not self.treated or max(self.treated) >= pop.shape[0] or min(self.treated) < 0:
            raise ValueError("treated must list valid area indices")
        if len(set(self.treated)) == pop.shape[0]:
            raise ValueError("at least one area must stay untreated")
        if self.dispersion < 0:
            raise ValueError("dispersion must be >= 0")

    @property
    def n_areas(self) -> int:
        """Number of areas."""
        return int(np.asarray(self.population).shape[0])

    @property
    def n_years(self) -> int:
        """Number of years."""
        return self.n_pre + self.n_post

    def population_grid(self) -> np.ndarray:
        """Young residents as an ``(A, T)`` grid."""
        pop = np.asarray(self.population, dtype=float)
        if pop.ndim == 1:
            return np.repeat(pop[:, None], self.n_years, axis=1)
        if pop.shape[1] != self.n_years:
            raise ValueError(f"population has {pop.shape[1]} years, design has {self.n_years}")
        return pop

    def rate_vector(self) -> np.ndarray:
        """Baseline rates per area, shape ``(A,)``."""
        return np.broadcast_to(np.asarray(self.baseline_rate, dtype=float), (self.n_areas,))

    def treat_grid(self) -> np.ndarray:
        """Boolean ``(A, T)`` treatment indicator."""
        d = np.zeros((self.n_areas, self.n_years), dtype=bool)
        d[list(self.treated), self.n_pre :] = True
        return d

    def scaled(self, population_factor: float) -> PowerDesign:
        """The same design with every population multiplied by a factor."""
        return PowerDesign(
            population=np.asarray(self.population, dtype=float) * population_factor,
            baseline_rate=self.baseline_rate,
            n_pre=self.n_pre,
            n_post=self.n_post,
            treated=self.treated,
            dispersion=self.dispersion,
            trend=self.trend,
            year_sd=self.year_sd,
            areas=self.areas,
        )


def _year_effects(design: PowerDesign, n_sims: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(design.n_years)
    return design.trend * t + design.year_sd * rng.standard_normal((n_sims, design.n_years))


def simulate_counts(
    design: PowerDesign, irr: float, n_sims: int, seed: int
) -> np.ndarray:
    """Draw ``n_sims`` simulated count panels of shape ``(n_sims, A, T)``."""
    rng = np.random.default_rng(seed)
    g = _year_effects(design, n_sims, rng)
    mu = expected_counts(
        design.population_grid(), design.rate_vector(), g, design.treat_grid(), irr
    )
    return draw_counts(mu, design.dispersion, rng)


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


class _Simulator:
    """Common random numbers for one design: counts for any IRR, coupled.

    Cells outside the treated area-years do not depend on the effect and are
    drawn once (gamma-Poisson); treated cells are redrawn for each IRR by the
    inverse-CDF transform of fixed uniforms, so they rise monotonically with it.
    """

    def __init__(self, design: PowerDesign, n_sims: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.design = design
        self.g = _year_effects(design, n_sims, rng)
        self.treat = design.treat_grid()
        self.pop = design.population_grid()
        shape = (n_sims, design.n_areas, design.n_years)
        self.draws = CoupledDraws.draw(shape, design.dispersion, rng)
        self.base = rng.poisson(self._mean(1.0) * self.draws.gamma).astype(np.int64)

    def _mean(self, irr: float) -> np.ndarray:
        return expected_counts(self.pop, self.design.rate_vector(), self.g, self.treat, irr)

    def counts(self, irr: float) -> np.ndarray:
        return self.draws.counts(self._mean(irr), mask=self.treat, base=self.base)


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
    sim = _Simulator(design, n_sims, seed)
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
    """Power for several true IRRs (common random numbers), as a tidy table."""
    sim = _Simulator(design, n_sims, seed)
    rows = []
    for irr in irrs:
        fit = fit_poisson_twfe(sim.counts(float(irr)), sim.pop, sim.treat, scale=scale)
        rows.append(_summarise(fit, float(irr), alpha, use_t).__dict__)
    return pd.DataFrame(rows)


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
    sim = _Simulator(design, n_sims, seed)
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


def plot_power_curve(
    curves: pd.DataFrame,
    *,
    by: str = "design",
    target_power: float = 0.8,
    title: str = "",
) -> Figure:
    """Power against the true IRR, one line per design (output of :func:`power_curve`).

    Parameters
    ----------
    curves
        Columns ``irr``, ``power`` and ``by``.
    by
        Column distinguishing the lines.
    target_power
        Horizontal reference line.
    title
        Figure title (say "simuliert" for simulated data).
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(data=curves, x="irr", y="power", hue=by, style=by, markers=True, ax=ax)
    ax.axhline(target_power, color="grey", ls="--", lw=1)
    ax.axhline(curves["alpha"].iloc[0] if "alpha" in curves else 0.05, color="grey", ls=":",
               lw=1)
    ax.set(xlabel="wahres Inzidenzratenverhältnis (IRR)", ylabel="Teststärke", title=title,
           ylim=(0, 1.02))
    ax.invert_xaxis()
    ax.legend(title="")
    fig.tight_layout()
    return fig


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
    from sozialanalyse.evaluation.placebo import placebo_from_matrices
    from sozialanalyse.evaluation.synth import CountMatrices

    sim = _Simulator(design, n_sims, seed)
    y = sim.counts(irr).astype(float)
    areas = design.areas or tuple(f"{i:02d}" for i in range(design.n_areas))
    years = np.arange(design.n_years)
    treated = [areas[i] for i in design.treated]
    reject = np.zeros(n_sims, dtype=bool)
    est = np.zeros(n_sims)
    for b in range(n_sims):
        m = CountMatrices(tuple(areas), years, y[b], sim.pop)
        res = placebo_from_matrices(
            m, treated, design.n_pre, warn=False, keep_paths=False, statistic=statistic,
            max_placebos=max_placebos, seed=seed + b,
        )
        reject[b] = res.p_value <= alpha + 1e-12
        est[b] = res.result.irr
    pw = float(reject.mean())
    return PowerResult(
        irr=float(irr),
        power=pw,
        mc_se=float(np.sqrt(pw * (1 - pw) / n_sims)),
        n_sims=n_sims,
        alpha=alpha,
        mean_estimate=float(np.exp(np.log(est).mean())),
        coverage=float("nan"),
    )
