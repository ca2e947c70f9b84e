"""Two-group difference-in-differences for counts: the ratio of rate ratios.

The model is ``log E[cases] = log(population) + b0 + b1 treated + g_year +
d treated*after`` (a group effect, one effect per year shared by both groups, and
the DiD term). With two periods the four cells (treated/comparison x
before/after) are saturated, and the Poisson maximum-likelihood estimate
``exp(d)`` equals the ratio of the two groups' rate ratios; its model-based
standard error is ``sqrt(1/c11 + 1/c10 + 1/c01 + 1/c00)``. With more years, the
year effects absorb a common trend, and area-years are treated as independent
given group and year (persistent differences between areas of one group show
up as overdispersion; use :func:`panel_did` to model them).

When a group has several areas or years, the counts can vary more than Poisson
allows (overdispersion). :func:`dispersion_test` says whether they do (Cameron &
Trivedi 1990 auxiliary regression, with the Pearson dispersion statistic as a
descriptive diagnostic), and :func:`two_group_did` then switches to a negative
binomial (NB2) model when ``family="auto"``. The NB2 dispersion parameter is
estimated by maximum likelihood; since that estimate is biased downward in small
panels, the standard errors are multiplied by the square root of the Pearson
statistic per residual degree of freedom when that exceeds one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse import formatting as fmt
from sozialanalyse.errors import MethodError
from sozialanalyse.evaluation.guardrails import (
    check_overdispersion_ignored,
    check_pre_period,
    check_separation,
    check_small_counts,
    prepare_panel,
)
from sozialanalyse.evaluation.panel_did import (
    BATCH_FIELDS,
    BatchEstimates,
    aligned_counts,
    assemble_batch,
    regular_panels,
    wald_intervals,
)
from sozialanalyse.evaluation.poisson import batch_covariance, fit_nb2_batch, fit_poisson_batch
from sozialanalyse.evaluation.results import (
    INFERENCE_LABELS,
    EvaluationResult,
    absolute_change_per_1000,
    alternative_row,
    alternatives_frame,
    attach_warnings,
    collect_warnings,
    wald_interval,
)


def did_2x2_arrays(
    treated_before: np.ndarray,
    treated_after: np.ndarray,
    control_before: np.ndarray,
    control_after: np.ndarray,
    exposure: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised log ratio of rate ratios and its Poisson (Wald) standard error.

    Parameters
    ----------
    treated_before, treated_after, control_before, control_after
        Case counts (arrays of equal shape, e.g. one entry per simulation).
    exposure
        Person-years in the same order; ``None`` means equal exposures.

    Returns
    -------
    (log_irr, se)
        ``nan`` where a cell is zero.
    """
    c = [np.asarray(x, dtype=float) for x in
         (treated_before, treated_after, control_before, control_after)]
    e = [np.ones_like(c[0])] * 4 if exposure is None else [
        np.broadcast_to(np.asarray(x, dtype=float), c[0].shape) for x in exposure
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_irr = (np.log(c[1] / e[1]) - np.log(c[0] / e[0])) - (
            np.log(c[3] / e[3]) - np.log(c[2] / e[2])
        )
        se = np.sqrt(1 / c[0] + 1 / c[1] + 1 / c[2] + 1 / c[3])
    bad = np.any([x <= 0 for x in c], axis=0)
    log_irr = np.where(bad, np.nan, log_irr)
    se = np.where(bad, np.nan, se)
    return log_irr, se


def did_2x2(
    treated_before: float,
    treated_after: float,
    control_before: float,
    control_after: float,
    *,
    exposure: tuple[float, float, float, float] | None = None,
    level: float = 0.95,
) -> EvaluationResult:
    """Ratio of rate ratios from four cell counts with a Poisson Wald interval.

    Parameters
    ----------
    treated_before, treated_after, control_before, control_after
        Case counts in the four cells.
    exposure
        Person-years in the same order. ``None`` assumes that the population of
        young residents changed by the same factor in both groups, so that the
        ratio of count ratios equals the ratio of rate ratios.
    level
        Confidence level.

    Raises
    ------
    MethodError
        If a cell has no case (no finite estimate).
    """
    counts = (treated_before, treated_after, control_before, control_after)
    if min(counts) <= 0:
        raise MethodError("jede Zelle der 2 × 2-Tafel braucht mindestens einen Fall: "
                          "mit einer leeren Zelle hat das Verhältnis keinen endlichen Schätzer")
    with collect_warnings() as caught:
        check_small_counts(counts, what="2 × 2-Tafel")
    log_irr, se = did_2x2_arrays(*[np.array([c]) for c in counts],
                                 exposure=None if exposure is None
                                 else tuple(np.array([x]) for x in exposure))
    b, s = float(log_irr[0]), float(se[0])
    lo, hi, p = wald_interval(b, s, level)
    notes = () if exposure is not None else (
        "ohne Nenner: gleiche Bevölkerungsentwicklung in beiden Gruppen angenommen",
    )
    rate = float("nan")
    if exposure is not None:
        rate = 1000.0 * treated_after / exposure[1]
    res = EvaluationResult(
        kind="did_2x2", design="Differenz von Differenzen (2 × 2, Verhältnis der Verhältnisse)",
        irr=float(np.exp(b)), ci_low=lo, ci_high=hi, p_value=p, level=level,
        inference=INFERENCE_LABELS["model"],
        inference_reason="vier Zellsummen ohne Wiederholungen: nur die Poisson-Streuung ist "
                         "schätzbar",
        model="Poisson", log_irr=b, se_log=s,
        abs_change_per_1000=absolute_change_per_1000(rate, float(np.exp(b))),
        n_obs=4, notes=notes,
    )
    return attach_warnings(res, caught)


@dataclass(frozen=True)
class DispersionTest:
    """Result of the overdispersion diagnostic.

    Attributes
    ----------
    pearson_dispersion
        Pearson chi-square / residual degrees of freedom (about 1 under Poisson).
    alpha
        Estimated NB2 overdispersion parameter from the auxiliary regression
        ``((y - mu)^2 - y) / mu = alpha * mu + e`` (Cameron & Trivedi 1990).
    statistic, p_value
        t statistic of ``alpha`` and its one-sided p-value (alternative alpha > 0).
    overdispersed
        Whether ``p_value < level`` of the test.
    recommendation
        ``"poisson"`` or ``"negative binomial"``.
    """

    pearson_dispersion: float
    alpha: float
    statistic: float
    p_value: float
    overdispersed: bool
    recommendation: str


def dispersion_test(
    y: np.ndarray, mu: np.ndarray, df_resid: int, *, alpha: float = 0.05
) -> DispersionTest:
    """Cameron-Trivedi test of Poisson equidispersion from fitted means."""
    if df_resid <= 0:
        nan = float("nan")
        return DispersionTest(nan, nan, nan, nan, False,
                              "poisson (not testable: no residual degrees of freedom)")
    pearson, a_hat, t, p = (float(v[0]) for v in dispersion_arrays(
        np.asarray(y, dtype=float)[None], np.asarray(mu, dtype=float)[None], df_resid))
    over = bool(np.isfinite(p) and p < alpha)
    return DispersionTest(pearson, a_hat, t, p, over,
                          "negative binomial" if over else "poisson")


def dispersion_arrays(
    y: np.ndarray, mu: np.ndarray, df_resid: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`dispersion_test` for a batch: counts and fitted means of shape ``(B, N)``.

    Returns
    -------
    (pearson_dispersion, alpha, statistic, p_value)
        Each of shape ``(B,)`` (``df_resid`` must be positive).
    """
    pearson = np.sum((y - mu) ** 2 / mu, axis=1) / max(df_resid, 1)
    z = ((y - mu) ** 2 - y) / mu
    xtx = np.sum(mu**2, axis=1)
    a_hat = np.sum(mu * z, axis=1) / xtx
    resid = z - a_hat[:, None] * mu
    dof = max(y.shape[1] - 1, 1)
    s2 = np.sum(resid**2, axis=1) / dof
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(s2 > 0, np.sqrt(s2 / xtx), np.nan)
        t = np.where(np.isfinite(se) & (se > 0), a_hat / se, np.nan)
    p = np.where(np.isfinite(t), stats.t.sf(t, dof), np.nan)
    return pearson, a_hat, t, p


def _design(panel: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    starts = panel["start_year"].dropna().unique()
    if len(starts) != 1:
        raise MethodError(
            "die Differenz von Differenzen zweier Gruppen braucht ein gemeinsames Startjahr "
            f"der Modellgebiete (gefunden: {sorted(int(s) for s in starts)}); für gestaffelten "
            "Beginn staggered_did verwenden"
        )
    start_year = int(starts[0])
    d = panel.copy()
    d["treated"] = d["start_year"].notna().astype(float)
    d["after"] = (d["year"] >= start_year).astype(float)
    d["treated_after"] = d["treated"] * d["after"]
    return d, start_year


def _two_group_design(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(X, offset)``: DiD term first, then constant, group and year effects."""
    year_fe = pd.get_dummies(d["year"].astype(int), drop_first=True, dtype=float).to_numpy()
    X = np.column_stack([d["treated_after"].to_numpy(dtype=float), np.ones(len(d)),
                         d["treated"].to_numpy(dtype=float), year_fe])
    return X, np.log(d["population"].to_numpy(dtype=float))


def _two_group_fits(
    X: np.ndarray, y: np.ndarray, off: np.ndarray, family: str, alpha: float
) -> dict[str, np.ndarray]:
    """The fits of :func:`two_group_did` for counts ``y`` of shape ``(B, N)``.

    Returns
    -------
    dict
        ``model``, ``robust``, ``negbin``: shape ``(B, 2)`` estimate and
        standard error of the DiD term (Poisson with model-based errors,
        Poisson with HC0 sandwich errors, NB2 with errors scaled by
        ``sqrt(max(1, X2 / df))``; ``nan`` where the NB2 model is not fitted:
        it is fitted when ``family="negbin"`` or the dispersion test rejects);
        ``pearson``, ``alpha``, ``statistic``, ``p_value``, ``overdispersed``:
        the dispersion test per panel (``nan``/``False`` without residual
        degrees of freedom); ``mu``: the Poisson fitted means.
    """
    n, k = X.shape
    b = y.shape[0]
    pois = fit_poisson_batch(X, y, off, cov="model")
    rob = batch_covariance(X, y, pois, "hc0")
    df_resid = n - k
    if df_resid > 0:
        pearson, a_hat, stat, p = dispersion_arrays(y, pois.mu, df_resid)
    else:
        pearson = a_hat = stat = p = np.full(b, np.nan)
    over = np.isfinite(p) & (p < alpha)
    need_nb = over | (family == "negbin")
    nb = np.full((b, 2), np.nan)
    if need_nb.any():
        ys = y[need_nb]
        # maximum likelihood of alpha and the coefficients, started as statsmodels would be
        # started from the auxiliary-regression alpha
        fit = fit_nb2_batch(X, ys, off, alpha_start=np.fmax(a_hat[need_nb], 0.01))
        if df_resid > 0:
            x2 = np.sum((ys - fit.mu) ** 2 / (fit.mu * (1.0 + fit.alpha[:, None] * fit.mu)),
                        axis=1)
            scale = np.maximum(1.0, x2 / df_resid)
        else:
            scale = np.ones(len(ys))
        nb[need_nb] = np.column_stack([fit.params[:, 0], fit.bse[:, 0] * np.sqrt(scale)])
    return {
        "model": np.column_stack([pois.params[:, 0], pois.bse[:, 0]]),
        "robust": np.column_stack([pois.params[:, 0], np.sqrt(rob[:, 0, 0])]),
        "negbin": nb,
        "pearson": pearson, "alpha": a_hat, "statistic": stat, "p_value": p,
        "overdispersed": over, "mu": pois.mu,
    }


def two_group_did(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: str | Sequence[str] | None = None,
    start_year: int | None = None,
    family: str = "auto",
    level: float = 0.95,
    alpha: float = 0.05,
    min_pre_years: int = 3,
    file: str = "<DataFrame>",
) -> EvaluationResult:
    """Two-group DiD (ratio of rate ratios) as a count GLM with log(population) offset.

    Parameters
    ----------
    panel
        Tidy panel, one row per area and year; areas with a ``start_year`` (or
        those in ``treated``) form the model group, the others the comparison group.
    area, year, cases, population
        Column names.
    treated
        Model area(s); default the areas with a start year in the panel.
    start_year
        Common start year; default the panel's ``start_year`` column.
    family
        ``"auto"`` (Poisson unless the dispersion test rejects, then negative
        binomial), ``"poisson"`` (model-based errors; warns if overdispersed),
        ``"negbin"`` or ``"robust"`` (Poisson with sandwich errors).
    level
        Confidence level.
    alpha
        Significance level of the dispersion test.
    min_pre_years
        Fewer pre-period years trigger a ShortPrePeriodWarning.
    file
        Name of the data source for error messages.

    Returns
    -------
    EvaluationResult
        With the dispersion test in ``extra["dispersion_test"]`` and the
        Poisson, robust and negative binomial inferences in ``alternatives``.

    Raises
    ------
    InputDataError
        Start year without a year before it or none from it on.
    MethodError
        Separation (a group without any case in a period).
    """
    if family not in {"auto", "poisson", "negbin", "robust"}:
        raise MethodError(f"unbekannte Familie '{family}'")
    clean = prepare_panel(panel, area=area, year=year, cases=cases, population=population,
                          treated=treated, start_year=start_year, file=file)
    check_separation(clean, what="Differenz von Differenzen")
    d, start = _design(clean)
    with collect_warnings() as caught:
        check_pre_period(int((d["year"].unique() < start).sum()), minimum=min_pre_years)
        cells = d.groupby(["treated", "after"])["cases"].sum()
        check_small_counts(cells.to_numpy(), what="die vier Zellen")
        X, off = _two_group_design(d)
        y = d["cases"].to_numpy(dtype=float)
        f = _two_group_fits(X, y[None], off, family, alpha)
        dt = dispersion_test(y, f["mu"][0], X.shape[0] - X.shape[1], alpha=alpha)
        use = family
        if family == "auto":
            use = "negbin" if dt.overdispersed else "poisson"
        if family == "poisson":
            check_overdispersion_ignored(dt.pearson_dispersion, dt.p_value, alpha=alpha)
        fits: dict[str, tuple[float, float]] = {
            k: (float(f[k][0, 0]), float(f[k][0, 1])) for k in ("model", "robust", "negbin")
            if np.isfinite(f[k][0, 0])
        }
    key = {"poisson": "model", "robust": "robust", "negbin": "negbin"}[use]
    b, se = fits[key]
    lo, hi, p = wald_interval(b, se, level)
    model = {"model": "Poisson", "robust": "Poisson", "negbin": "negatives Binomialmodell"}[key]
    if family == "auto":
        reason = (f"Überdispersionstest {fmt.p_value(dt.p_value)}: "
                  + ("negatives Binomialmodell" if use == "negbin" else "Poisson genügt"))
    else:
        reason = f"vom Aufruf gewählt (family='{family}')"
    rows = [alternative_row(k, np.exp(v[0]), *wald_interval(v[0], v[1], level),
                            default=(k == key)) for k, v in fits.items()]
    post_t = d[(d["treated"] == 1) & (d["after"] == 1)]
    rate = 1000.0 * post_t["cases"].sum() / post_t["population"].sum()
    n_treated = int(d.loc[d["treated"] == 1, "area"].nunique())
    res = EvaluationResult(
        kind="two_group_did",
        design="Differenz von Differenzen (zwei Gruppen, Verhältnis der Verhältnisse)",
        irr=float(np.exp(b)), ci_low=lo, ci_high=hi, p_value=p, level=level,
        inference=INFERENCE_LABELS[key], inference_reason=reason, model=model,
        log_irr=b, se_log=se,
        abs_change_per_1000=absolute_change_per_1000(rate, float(np.exp(b))),
        n_obs=len(d), n_areas=int(d["area"].nunique()), n_treated_areas=n_treated,
        start_year=float(start),
        notes=(f"Pearson-Dispersion {fmt.number(dt.pearson_dispersion, 2)}",
               "Gebiets-Jahre gelten je Gruppe und Jahr als unabhängig; dauerhafte "
               "Unterschiede zwischen Gebieten modelliert panel_did"),
        alternatives=alternatives_frame(rows),
        extra={"dispersion_test": dt},
    )
    return attach_warnings(res, caught)


def two_group_did_batch(
    panel: pd.DataFrame,
    counts: np.ndarray,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: str | Sequence[str] | None = None,
    start_year: int | None = None,
    family: str = "auto",
    level: float = 0.95,
    alpha: float = 0.05,
) -> BatchEstimates:
    """:func:`two_group_did` for many count vectors on one panel structure, batched.

    For each row of ``counts`` the ``log_irr``, ``se_log``, ``ci_low``,
    ``ci_high`` and ``p_value`` of ``two_group_did(panel.assign(cases=row),
    ...)``: the same fits (:func:`_two_group_fits`), including the choice
    between Poisson and the negative binomial model by the dispersion test
    per panel with ``family="auto"``; the batched fits issue no warnings. Panels without
    cases in a group and period (or in an area) are computed with
    :func:`two_group_did` itself.

    Parameters
    ----------
    panel, counts
        As in :func:`~sozialanalyse.evaluation.panel_did.panel_did_batch`.
    area, year, cases, population, treated, start_year, family, level, alpha
        As in :func:`two_group_did`.

    Returns
    -------
    BatchEstimates
        One term, ``"effect"``.
    """
    if family not in {"auto", "poisson", "negbin", "robust"}:
        raise MethodError(f"unbekannte Familie '{family}'")
    cols = {"area": area, "year": year, "cases": cases, "population": population,
            "treated": treated, "start_year": start_year}
    clean = prepare_panel(panel.assign(**{cases: 1}), **cols)
    y = aligned_counts(panel, counts, clean, area, year)
    regular = regular_panels(y, clean)
    d, _ = _design(clean)
    X, off = _two_group_design(d)
    f = _two_group_fits(X, y[regular], off, family, alpha)
    use_nb = f["overdispersed"] if family == "auto" else np.full(int(regular.sum()),
                                                                family == "negbin")
    chosen = f["robust"] if family == "robust" else np.where(use_nb[:, None], f["negbin"],
                                                             f["model"])
    lo, hi, p = wald_intervals(chosen[:, 0], chosen[:, 1], level)

    def one(i: int) -> dict[str, float]:
        r = two_group_did(panel.assign(**{cases: counts[i]}), family=family, level=level,
                          alpha=alpha, **cols)
        return {k: getattr(r, k) for k in BATCH_FIELDS}

    return assemble_batch(("effect",), regular, (chosen[:, 0], chosen[:, 1], lo, hi, p), one)
