"""Interrupted time series for counts: level and slope change at a known date.

Segmented Poisson regression (Bernal, Cummins & Gasparrini 2017):

``log E[cases] = log(population) + b0 + b1 (t - t0) + b2 post + b3 post (t - t0)``
``[+ month effects]``

where ``t0`` is the first period after the interruption. ``exp(b2)`` is the
level change (IRR at ``t0`` against the extrapolated pre-trend) and ``exp(b3)``
the change in the yearly (or monthly) growth factor. The population enters as
offset whenever the series has a population column.

**Inference rule (explicit, for short yearly series).** Serial correlation can
only be estimated from many periods, so:

* fewer than :data:`HAC_MIN_PERIODS` (20) periods: quasi-Poisson errors (the
  Pearson dispersion, at least 1, scales the model variance) and Student t with
  ``T - k`` degrees of freedom for both the interval and the p-value; no HAC
  correction (with 0 lags Newey-West is a plain sandwich, whose leverage-driven
  downward bias in 7 points is severe);
* 20 periods or more: Newey-West (Bartlett kernel) with ``m = floor(0.75
  T^(1/3))`` (``m - 1`` lags) and the fixed-b critical value of Kiefer &
  Vogelsang (2005), ``1.96 + 2.9694 b + 0.4160 b^2 - 0.5324 b^3`` with ``b =
  m / T`` (or the t quantile with ``T - k`` df when larger); the p-value is read
  from the same scaled normal reference, so interval and p-value always agree.

**Short pre-periods.** With fewer than ``min_pre_periods`` (8) periods before
the start, the design warns, and the coverage of its interval is *measured*: the
fitted model is simulated 1,000 times (fixed seed) with independent and AR(1)
(rho = 0.5) multiplicative errors of the estimated size, refitted, and the share
of intervals covering the true level change is reported in ``coverage_note``
(``coverage_ok`` is False below 93 %). Fewer than three periods before or two
from the start are refused. :func:`its_coverage_table` gives the measured
coverage of the default and the alternatives for the settings of the book
(T = 7 with 3 + 4 years and T = 12 with 6 + 6, rho = 0 and 0.5).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.evaluation.guardrails import (
    CoverageWarning,
    check_pre_period,
    check_start_year,
)
from sozialanalyse.evaluation.panel_did import BatchEstimates
from sozialanalyse.evaluation.poisson import fit_poisson_batch
from sozialanalyse.evaluation.results import (
    INFERENCE_LABELS,
    EvaluationResult,
    absolute_change_per_1000,
    alternative_row,
    alternatives_frame,
    attach_warnings,
    collect_warnings,
)

#: Fewest periods for which Newey-West (HAC) errors are used by default.
HAC_MIN_PERIODS = 20
#: Nominal 95 % intervals count as reliable when measured coverage is at least this.
COVERAGE_FLOOR = 0.93
#: Replications of the coverage measurement.
COVERAGE_REPS = 1000
COVERAGE_SEED = 20140
ITSInference = Literal["auto", "quasi_poisson", "hac", "model"]


def default_maxlags(n: int) -> int:
    """Lags ``m - 1`` with the Stock-Watson bandwidth ``m = floor(0.75 n^(1/3))``."""
    return max(int(np.floor(0.75 * n ** (1 / 3))) - 1, 0)


def fixed_b_critical_value(maxlags: int, n: int, level: float = 0.95) -> float:
    """Kiefer-Vogelsang (2005) fixed-b critical value for the Bartlett kernel.

    Parameters
    ----------
    maxlags
        Lags of the Newey-West estimator (bandwidth ``m = maxlags + 1``).
    n
        Number of periods.
    level
        Confidence level; exact polynomial for 0.95, scaled approximation otherwise.
    """
    b = (maxlags + 1) / n
    cv95 = 1.96 + 2.9694 * b + 0.4160 * b**2 - 0.5324 * b**3
    return float(cv95 * stats.norm.ppf(0.5 + level / 2) / 1.96)


# ---------------------------------------------------------------- batched fits


def _fit(X: np.ndarray, offset: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Poisson fits of many series on one design (the shared batched IRLS).

    Returns
    -------
    (beta, mu, bread)
        Shapes ``(R, k)``, ``(R, T)``, ``(R, k, k)`` (``bread`` is the inverse
        Fisher information ``(X' W X)^-1``).
    """
    fit = fit_poisson_batch(X, np.atleast_2d(Y), offset, cov="model")
    return fit.params, fit.mu, fit.bread


def _quasi_poisson_se(Y: np.ndarray, mu: np.ndarray, bread: np.ndarray,
                      df: int) -> tuple[np.ndarray, np.ndarray]:
    phi = np.sum((Y - mu) ** 2 / mu, axis=1) / max(df, 1)
    se = np.sqrt(np.einsum("rkk->rk", bread) * phi[:, None])
    return se, phi


def _hac_se(X: np.ndarray, Y: np.ndarray, mu: np.ndarray, bread: np.ndarray,
            lags: int) -> np.ndarray:
    S = X[None, :, :] * (Y - mu)[:, :, None]
    meat = np.einsum("rtk,rtl->rkl", S, S)
    for j in range(1, lags + 1):
        w = 1.0 - j / (lags + 1.0)
        g = np.einsum("rtk,rtl->rkl", S[:, j:], S[:, :-j])
        meat += w * (g + np.transpose(g, (0, 2, 1)))
    n, k = X.shape
    cov = bread @ meat @ bread * (n / (n - k))
    return np.sqrt(np.maximum(np.einsum("rkk->rk", cov), 0.0))


def _its_critical(key: str, n: int, df: int, lags: int, level: float) -> tuple[float, object]:
    """Critical value and reference distribution (same for interval and p-value)."""
    if key == "hac":
        cv = max(fixed_b_critical_value(lags, n, level),
                 float(stats.t.ppf(0.5 + level / 2, df)))
        scale = cv / float(stats.norm.ppf(0.5 + level / 2))
        return cv, ("scaled_normal", scale)
    if key == "model":
        return float(stats.norm.ppf(0.5 + level / 2)), ("normal", 1.0)
    return float(stats.t.ppf(0.5 + level / 2, df)), ("t", df)


def _p_values(tstat: np.ndarray, ref: object) -> np.ndarray:
    kind, par = ref  # type: ignore[misc]
    if kind == "t":
        return 2 * stats.t.sf(np.abs(tstat), par)
    return 2 * stats.norm.sf(np.abs(tstat) / par)


def _intervals(
    key: str, X: np.ndarray, Y: np.ndarray, beta: np.ndarray, mu: np.ndarray,
    bread: np.ndarray, lags: int, level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standard errors, lower/upper bounds (log scale) and p-values for all coefficients."""
    n, k = X.shape
    df = n - k
    if key == "hac":
        se = _hac_se(X, Y, mu, bread, lags)
    elif key == "model":
        se = np.sqrt(np.einsum("rkk->rk", bread))
    else:
        se, _ = _quasi_poisson_se(Y, mu, bread, df)
    cv, ref = _its_critical(key, n, df, lags, level)
    p = _p_values(beta / se, ref)
    return se, beta - cv * se, beta + cv * se, p


def _simulate_counts(
    mu: np.ndarray, sigma: float, rho: float, reps: int, rng: np.random.Generator
) -> np.ndarray:
    """Poisson counts around ``mu`` with AR(1) multiplicative (log-normal) noise."""
    n = mu.size
    e = rng.standard_normal((reps, n))
    eps = np.empty_like(e)
    eps[:, 0] = e[:, 0]
    for t in range(1, n):
        eps[:, t] = rho * eps[:, t - 1] + np.sqrt(1 - rho**2) * e[:, t]
    lam = mu[None, :] * np.exp(sigma * eps - sigma**2 / 2)
    return rng.poisson(lam).astype(float)


def _coverage(
    X: np.ndarray, offset: np.ndarray, beta: np.ndarray, sigma: float, rho: float,
    key: str, lags: int, level: float, reps: int, seed: int,
) -> tuple[float, float]:
    """Measured coverage of the level (index 2) and slope (index 3) intervals."""
    rng = np.random.default_rng(seed)
    mu = np.exp(X @ beta + offset)
    Y = _simulate_counts(mu, sigma, rho, reps, rng)
    b, m, br = _fit(X, offset, Y)
    _, lo, hi, _ = _intervals(key, X, Y, b, m, br, lags, level)
    cov = (lo <= beta) & (beta <= hi)
    return float(cov[:, 2].mean()), float(cov[:, 3].mean())


# ---------------------------------------------------------------- public design

@dataclass(frozen=True)
class _ITSDesign:
    """Checked series and segmented design of :func:`interrupted_time_series`."""

    t: np.ndarray
    y: np.ndarray
    order: np.ndarray
    X: np.ndarray
    off: np.ndarray
    use_pop: bool
    n_pre: int
    n_post: int
    n: int
    df: int
    lags: int


def _check_counts(y: np.ndarray, cases: str) -> None:
    """Refuse empty or negative counts (German message, 1-based row)."""
    if np.isnan(y).any():
        raise InputDataError("leere Fallzahl", file="<DataFrame>", column=cases,
                             row=int(np.flatnonzero(np.isnan(y))[0]) + 1)
    if (y < 0).any():
        raise InputDataError("negative Fallzahl", file="<DataFrame>", column=cases,
                             row=int(np.flatnonzero(y < 0)[0]) + 1)


def _check_segments(y: np.ndarray, post: np.ndarray) -> None:
    """Refuse a segment without any case (no finite estimate)."""
    if (y[post == 1] == 0).all() or (y[post == 0] == 0).all():
        raise MethodError("vor oder nach dem Beginn ist jede Fallzahl null: das Zählmodell hat "
                          "keinen endlichen Schätzer")


def _its_design(
    series: pd.DataFrame, *, start_year: float, year: str, cases: str,
    population: str | None, seasonal: bool, month: str, maxlags: int | None,
) -> _ITSDesign:
    """Check the series and build the segmented design (see :func:`interrupted_time_series`)."""
    use_pop = population is not None and (population in series.columns
                                          or population != "population")
    for col in [year, cases] + ([population] if use_pop else []) + ([month] if seasonal else []):
        if col not in series.columns:
            raise InputDataError(f"Spalte '{col}' fehlt", file="<DataFrame>", column=col)
    s = series.reset_index(drop=True).sort_values(year)
    order = s.index.to_numpy()
    s = s.reset_index(drop=True)
    t = s[year].to_numpy(dtype=float)
    y = s[cases].to_numpy(dtype=float)
    _check_counts(y, cases)
    check_start_year(float(start_year), t.astype(int), what="Zeitpunkt")
    post = (t >= start_year).astype(float)
    n_pre, n_post = int((post == 0).sum()), int(post.sum())
    if n_pre < 3 or n_post < 2:
        raise MethodError(
            f"eine unterbrochene Zeitreihe braucht mindestens 3 Zeitpunkte vor und 2 ab dem "
            f"Beginn (hier {n_pre} und {n_post}): sonst sind Vortrend, Niveau- und "
            "Steigungsänderung nicht getrennt schätzbar")
    _check_segments(y, post)
    tc = t - start_year
    cols = [np.ones_like(t), tc, post, post * tc]
    if seasonal:
        m = s[month].astype(int).to_numpy()
        cols += [(m == k).astype(float) for k in range(2, 13)]
    X = np.column_stack(cols)
    off = np.log(s[population].to_numpy(dtype=float)) if use_pop else np.zeros_like(t)
    n, k = X.shape
    if n <= k:
        raise MethodError("mehr Parameter als Zeitpunkte")
    df = n - k
    lags = default_maxlags(n) if maxlags is None else int(maxlags)
    return _ITSDesign(t=t, y=y, order=order, X=X, off=off, use_pop=use_pop, n_pre=n_pre,
                      n_post=n_post, n=n, df=df, lags=lags)


def _choose(key: ITSInference, n: int) -> str:
    if key != "auto":
        return {"quasi_poisson": "its_t"}.get(key, key)
    return "hac" if n >= HAC_MIN_PERIODS else "its_t"


def interrupted_time_series(
    series: pd.DataFrame,
    *,
    start_year: float,
    year: str = "year",
    cases: str = "cases",
    population: str | None = "population",
    seasonal: bool = False,
    month: str = "month",
    inference: ITSInference = "auto",
    maxlags: int | None = None,
    level: float = 0.95,
    min_pre_periods: int = 8,
    measure_coverage: bool = True,
) -> EvaluationResult:
    """Segmented Poisson regression for one series (level and slope change).

    Parameters
    ----------
    series
        One row per period with a numeric time (year, or consecutive month
        number), case counts and optionally the population.
    start_year
        Time value of the first period after the interruption.
    year, cases
        Column names of the time and the counts.
    population
        Column of the population (offset). Used when the column exists; a
        name given explicitly must exist. ``None`` fits counts without offset.
    seasonal
        Add month effects (needs a ``month`` column with values 1-12).
    month
        Name of the month column.
    inference
        ``"auto"`` (the rule in the module docstring), ``"quasi_poisson"``,
        ``"hac"`` or ``"model"``.
    maxlags
        HAC lags; default :func:`default_maxlags`.
    level
        Confidence level.
    min_pre_periods
        Fewer periods before ``start_year`` trigger a ShortPrePeriodWarning and
        the coverage measurement.
    measure_coverage
        Measure the interval's coverage by simulation for short pre-periods.

    Returns
    -------
    EvaluationResult
        Level change as the effect; ``components["slope"]`` the change of the
        growth factor; ``details`` the fitted series (``year, cases,
        population, fitted, counterfactual``); ``extra``: ``pre_trend``,
        ``maxlags``, ``dispersion``, ``coverage_measured``.

    Raises
    ------
    InputDataError
        Missing columns, negative counts, start outside the series.
    MethodError
        Fewer than three periods before or two from the start.
    """
    d = _its_design(series, start_year=start_year, year=year, cases=cases,
                    population=population, seasonal=seasonal, month=month, maxlags=maxlags)
    t, y, X, off, use_pop = d.t, d.y, d.X, d.off, d.use_pop
    n_pre, n_post, n, df, lags = d.n_pre, d.n_post, d.n, d.df, d.lags
    key = _choose(inference, n)
    beta, mu, bread = _fit(X, off, y[None, :])
    _, phi = _quasi_poisson_se(y[None, :], mu, bread, df)
    alts = {}
    for kk in ("its_t", "hac", "model"):
        se_k, lo_k, hi_k, p_k = _intervals(kk, X, y[None, :], beta, mu, bread, lags, level)
        alts[kk] = (se_k[0], lo_k[0], hi_k[0], p_k[0])
    se, lo, hi, pv = alts[key]
    b = beta[0]
    with collect_warnings() as caught:
        check_pre_period(n_pre, minimum=min_pre_periods, what="Zeitpunkte")
        coverage_ok, coverage_note, measured = True, "", {}
        if n_pre < min_pre_periods and measure_coverage:
            sigma = float(np.sqrt(max(phi[0] - 1.0, 0.0) / float(np.mean(mu))))
            for rho in (0.0, 0.5):
                measured[rho] = _coverage(X, off, b, sigma, rho, key, lags, level,
                                          COVERAGE_REPS, COVERAGE_SEED)
            worst = min(v[0] for v in measured.values())
            coverage_ok = worst >= COVERAGE_FLOOR
            from sozialanalyse import formatting as fmt

            coverage_note = (
                f"gemessen in {fmt.integer(COVERAGE_REPS)} Simulationen dieses Designs "
                f"({n_pre} + {n_post} Zeitpunkte): das "
                f"{fmt.number(100 * level, 0)}-%-Intervall des Niveausprungs enthält den "
                f"wahren Wert in {fmt.percent(measured[0.0][0])} der Fälle bei unabhängigen "
                "Fehlern und in "
                f"{fmt.percent(measured[0.5][0])} bei AR(1)-Fehlern mit ρ = 0,5"
            )
            if not coverage_ok:
                coverage_note += "; die nominale Überdeckung wird nicht erreicht"
                import warnings

                warnings.warn(f"Intervall mit zu geringer Überdeckung: {coverage_note}",
                              CoverageWarning, stacklevel=2)
    reason = {
        "its_t": (f"{n} Zeitpunkte (< {HAC_MIN_PERIODS}): Autokorrelation ist nicht "
                  "schätzbar; Quasi-Poisson-Fehler und t-Verteilung mit "
                  f"{df} Freiheitsgraden für Intervall und p-Wert"),
        "hac": (f"{n} Zeitpunkte (≥ {HAC_MIN_PERIODS}): Newey–West mit {lags} Verzögerungen "
                "und Fixed-b-Grenzen; p-Wert aus derselben Referenzverteilung"),
        "model": "vom Aufruf gewählt (modellbasierte Poisson-Fehler)",
    }[key]
    if inference != "auto":
        reason = f"vom Aufruf gewählt (inference='{inference}'); " + reason
    labels = {"its_t": INFERENCE_LABELS["its_t"],
              "hac": f"{INFERENCE_LABELS['hac']} ({lags} Verzögerungen)",
              "model": INFERENCE_LABELS["model"]}

    def alt_frame(i: int) -> pd.DataFrame:
        return alternatives_frame([
            alternative_row(kk, np.exp(b[i]), np.exp(v[1][i]), np.exp(v[2][i]), v[3][i],
                            default=(kk == key), label=labels[kk],
                            note="" if kk != "model" else "ignoriert die Überdispersion")
            for kk, v in alts.items()])

    pop_note = () if use_pop else ("ohne Bevölkerungsnenner: Zählungen statt Raten",)
    model = "Poisson, segmentiert" + (", mit Monatseffekten" if seasonal else "")
    common = dict(level=level, inference=labels[key], inference_reason=reason, model=model,
                  n_obs=n, start_year=float(start_year))
    slope = EvaluationResult(
        kind="its_slope", design="Unterbrochene Zeitreihe: Änderung der Steigung",
        irr=float(np.exp(b[3])), ci_low=float(np.exp(lo[3])), ci_high=float(np.exp(hi[3])),
        p_value=float(pv[3]), log_irr=float(b[3]), se_log=float(se[3]),
        alternatives=alt_frame(3), **common,  # type: ignore[arg-type]
    )
    rate_t0 = 1000.0 * np.exp(b[0] + b[2]) if use_pop else float("nan")
    fitted = pd.DataFrame({
        "year": t, "cases": y,
        "population": np.exp(off) if use_pop else np.nan,
        "fitted": mu[0],
        "counterfactual": np.exp(off + X[:, :2] @ b[:2] + (X[:, 4:] @ b[4:] if seasonal else 0)),
    })
    res = EvaluationResult(
        kind="its", design="Unterbrochene Zeitreihe (segmentierte Poisson-Regression)",
        irr=float(np.exp(b[2])), ci_low=float(np.exp(lo[2])), ci_high=float(np.exp(hi[2])),
        p_value=float(pv[2]), log_irr=float(b[2]), se_log=float(se[2]),
        abs_change_per_1000=absolute_change_per_1000(rate_t0, float(np.exp(b[2]))),
        notes=pop_note, coverage_ok=coverage_ok, coverage_note=coverage_note,
        details=fitted, alternatives=alt_frame(2), components={"slope": slope},
        extra={"pre_trend": float(np.exp(b[1])), "maxlags": lags if key == "hac" else 0,
               "dispersion": float(phi[0]), "n_pre": n_pre, "n_post": n_post,
               "coverage_measured": {rho: v[0] for rho, v in measured.items()}},
        **common,  # type: ignore[arg-type]
    )
    return attach_warnings(res, caught)


def interrupted_time_series_batch(
    series: pd.DataFrame,
    counts: np.ndarray,
    *,
    start_year: float,
    year: str = "year",
    cases: str = "cases",
    population: str | None = "population",
    seasonal: bool = False,
    month: str = "month",
    inference: ITSInference = "auto",
    maxlags: int | None = None,
    level: float = 0.95,
) -> BatchEstimates:
    """:func:`interrupted_time_series` for many count series on one time axis, in one fit.

    Gives, for each row of ``counts``, the level change (term ``"effect"``) and
    the slope change (term ``"slope"``) with the ``log_irr``, ``se_log``,
    ``ci_low``, ``ci_high`` and ``p_value`` that
    ``interrupted_time_series(series.assign(cases=row), ...)`` returns: the
    same checks, design matrix, batched IRLS, inference rule, lags and critical
    value. The coverage measurement for short pre-periods (which changes only
    ``coverage_note``) is not run; the batch issues no warnings.

    Parameters
    ----------
    series
        One row per period that fixes the time axis, the months and the
        population (its own cases are ignored).
    counts
        Shape ``(B, len(series))``: case counts, in ``series``' row order.
    start_year, year, cases, population, seasonal, month, inference, maxlags, level
        As in :func:`interrupted_time_series`.

    Returns
    -------
    BatchEstimates
        Terms ``("effect", "slope")``; ``fallback`` is all False.

    Raises
    ------
    InputDataError
        As the public function, also for empty or negative counts in ``counts``.
    MethodError
        As the public function, also when a row has no case before or from the start.
    """
    d = _its_design(series.assign(**{cases: 1}), start_year=start_year, year=year,
                    cases=cases, population=population, seasonal=seasonal, month=month,
                    maxlags=maxlags)
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2 or counts.shape[1] != d.n:
        raise ValueError(f"counts must have shape (B, {d.n}), got {counts.shape}")
    Y = counts[:, d.order]
    _check_counts(Y, cases)
    post = d.X[:, 2]
    if (Y[:, post == 1] == 0).all(axis=1).any() or (Y[:, post == 0] == 0).all(axis=1).any():
        _check_segments(np.zeros(d.n), post)
    key = _choose(inference, d.n)
    beta, mu, bread = _fit(d.X, d.off, Y)
    se, lo, hi, p = _intervals(key, d.X, Y, beta, mu, bread, d.lags, level)
    cols = [2, 3]
    return BatchEstimates(
        terms=("effect", "slope"), log_irr=beta[:, cols], se_log=se[:, cols],
        ci_low=np.exp(lo[:, cols]), ci_high=np.exp(hi[:, cols]), p_value=p[:, cols],
        fallback=np.zeros(Y.shape[0], dtype=bool),
    )


# ---------------------------------------------------------------- coverage table

#: Settings of the coverage table: (periods before, periods from the start).
COVERAGE_SETTINGS: tuple[tuple[int, int], ...] = ((3, 4), (6, 6))
COVERAGE_RHOS: tuple[float, ...] = (0.0, 0.5)


@functools.lru_cache(maxsize=4)
def its_coverage_table(
    reps: int = 2000, seed: int = COVERAGE_SEED, sigma: float = 0.03, base_count: float = 1000.0
) -> pd.DataFrame:
    """Measured coverage of 95 % ITS intervals for short yearly series (simulated).

    Yearly counts around ``base_count`` with a pre-trend of +3 % per year, a
    true level change of IRR 0.90 and no slope change, multiplied by log-normal
    AR(1) noise of standard deviation ``sigma`` and Poisson noise; constant
    population. Each setting is simulated ``reps`` times (vectorised, fixed
    seed) and analysed with each inference.

    Returns
    -------
    pandas.DataFrame
        One row per method and setting: ``method, inference, default, n_pre,
        n_post, periods, rho, reps, coverage_level, coverage_slope, mc_se,
        reaches_nominal`` (coverage of the level change between 93 % and 97 %).
    """
    rows = []
    for n_pre, n_post in COVERAGE_SETTINGS:
        n = n_pre + n_post
        t = np.arange(n, dtype=float)
        start = float(n_pre)
        tc = t - start
        post = (t >= start).astype(float)
        X = np.column_stack([np.ones(n), tc, post, post * tc])
        off = np.zeros(n)
        beta = np.array([np.log(base_count), np.log(1.03), np.log(0.9), 0.0])
        lags = default_maxlags(n)
        default = _choose("auto", n)
        for rho in COVERAGE_RHOS:
            rng = np.random.default_rng([seed, n, int(rho * 10)])
            mu = np.exp(X @ beta + off)
            Y = _simulate_counts(mu, sigma, rho, reps, rng)
            b, m, br = _fit(X, off, Y)
            for key in ("its_t", "hac", "model"):
                _, lo, hi, _ = _intervals(key, X, Y, b, m, br, lags, 0.95)
                cov = (lo <= beta) & (beta <= hi)
                c_level = float(cov[:, 2].mean())
                rows.append({
                    "method": key,
                    "inference": INFERENCE_LABELS[key],
                    "default": key == default,
                    "n_pre": n_pre, "n_post": n_post, "periods": n, "rho": rho,
                    "reps": reps,
                    "coverage_level": c_level,
                    "coverage_slope": float(cov[:, 3].mean()),
                    "mc_se": float(np.sqrt(c_level * (1 - c_level) / reps)),
                    "reaches_nominal": COVERAGE_FLOOR <= c_level <= 0.97,
                })
    return pd.DataFrame(rows)
