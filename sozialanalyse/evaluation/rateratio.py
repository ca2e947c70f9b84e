"""Pre/post rate ratio with an exact conditional (binomial) interval.

Given ``a`` cases in exposure ``E_a`` (after) and ``b`` cases in exposure
``E_b`` (before), conditional on the total ``n = a + b`` the count ``a`` is
binomial with success probability ``p = R E_a / (R E_a + E_b)``, where ``R`` is
the rate ratio. A Clopper-Pearson interval for ``p`` maps one-to-one to an
exact interval for ``R`` (e.g. Breslow & Day 1987, ch. 2). Exposure is
person-years: the number of young residents summed over the years.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.evaluation.guardrails import (
    ZeroCountWarning,
    check_pre_period,
    check_small_counts,
    check_start_year,
)
from sozialanalyse.evaluation.panel import validate_panel
from sozialanalyse.evaluation.results import (
    INFERENCE_LABELS,
    EvaluationResult,
    attach_warnings,
    collect_warnings,
)


def exact_rate_ratio_ci(
    cases_after: np.ndarray | int,
    exposure_after: np.ndarray | float,
    cases_before: np.ndarray | int,
    exposure_before: np.ndarray | float,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised exact conditional interval for the rate ratio after/before.

    Returns
    -------
    (low, high)
        Arrays of the interval bounds (``0`` and ``inf`` at the edges).
    """
    a = np.asarray(cases_after, dtype=float)
    b = np.asarray(cases_before, dtype=float)
    ea = np.asarray(exposure_after, dtype=float)
    eb = np.asarray(exposure_before, dtype=float)
    q = (1.0 - level) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        p_lo = np.where(a > 0, stats.beta.ppf(q, a, b + 1), 0.0)
        p_hi = np.where(b > 0, stats.beta.ppf(1 - q, a + 1, b), 1.0)
        low = p_lo / (1 - p_lo) * eb / ea
        high = np.where(p_hi < 1, p_hi / (1 - p_hi) * eb / ea, np.inf)
    return low, high


EXACT_REASON = (
    "exakte bedingte Binomialinferenz: gilt ohne Näherung für große Zahlen, auch bei "
    "kleinen Fallzahlen"
)
NO_COMPARISON_NOTE = (
    "ohne Vergleichsgruppe: jeder gemeinsame Trend wird dem Modellgebiet zugeschrieben"
)


def exact_rate_ratio(
    cases_after: int,
    exposure_after: float,
    cases_before: int,
    exposure_before: float,
    *,
    level: float = 0.95,
    design: str = "Vorher-nachher-Ratenverhältnis",
) -> EvaluationResult:
    """Rate ratio after/before with exact conditional interval and exact p-value.

    Parameters
    ----------
    cases_after, cases_before
        Case counts after and before the start.
    exposure_after, exposure_before
        Person-years of young residents (population summed over the years).
    level
        Confidence level.
    design
        German label stored in the result.

    Returns
    -------
    EvaluationResult
        IRR ``(a/E_a) / (b/E_b)``, the exact interval, the two-sided exact
        binomial p-value for IRR = 1 and the absolute change per 1,000
        (rate after minus rate before). With no case after the start the IRR is
        0 with a finite exact upper bound and a :class:`ZeroCountWarning`; with
        no case before it the upper bound is infinite (also warned).
    """
    a, b = int(cases_after), int(cases_before)
    if a + b == 0:
        raise MethodError("weder vorher noch nachher ein Fall: das Ratenverhältnis ist "
                          "nicht bestimmt")
    if exposure_after <= 0 or exposure_before <= 0:
        raise MethodError("die Personenjahre (Nenner) müssen positiv sein")
    with collect_warnings() as caught:
        if a == 0:
            warnings.warn("nach dem Beginn kein einziger Fall: die Punktschätzung ist 0, "
                          "aussagekräftig ist nur die exakte obere Grenze", ZeroCountWarning,
                          stacklevel=2)
        if b == 0:
            warnings.warn("vor dem Beginn kein einziger Fall: die obere Grenze ist unendlich, "
                          "aussagekräftig ist nur die exakte untere Grenze", ZeroCountWarning,
                          stacklevel=2)
    low, high = exact_rate_ratio_ci(a, exposure_after, b, exposure_before, level)
    p0 = exposure_after / (exposure_after + exposure_before)
    pval = stats.binomtest(a, a + b, p0).pvalue
    irr = (a / exposure_after) / (b / exposure_before) if b > 0 else np.inf
    rate_after = 1000.0 * a / exposure_after
    rate_before = 1000.0 * b / exposure_before
    res = EvaluationResult(
        kind="rate_ratio",
        design=design,
        irr=float(irr),
        ci_low=float(low),
        ci_high=float(high),
        p_value=float(pval),
        level=level,
        inference=INFERENCE_LABELS["exact"],
        inference_reason=EXACT_REASON,
        model="Poisson (bedingt auf die Summe)",
        log_irr=float(np.log(irr)) if 0 < irr < np.inf else float("nan"),
        abs_change_per_1000=float(rate_after - rate_before),
        n_obs=2,
        notes=(NO_COMPARISON_NOTE,),
        extra={"cases_after": a, "cases_before": b, "exposure_after": float(exposure_after),
               "exposure_before": float(exposure_before)},
    )
    return attach_warnings(res, caught)


def pre_post_rate_ratio(
    panel: pd.DataFrame,
    *,
    treated: str | Sequence[str],
    start_year: int,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    level: float = 0.95,
    min_pre_years: int = 3,
    file: str = "<DataFrame>",
) -> EvaluationResult:
    """Pre/post rate ratio for one area (or a group of areas) of a panel.

    Cases and person-years are summed over all years before ``start_year`` and
    over all years from ``start_year`` on. Warns (ShortPrePeriodWarning,
    SmallCountWarning) on thin data.

    Parameters
    ----------
    panel
        Tidy panel, one row per area and year.
    treated
        Model area(s); several are pooled.
    start_year
        First year under the new practice.
    area, year, cases, population
        Column names.
    level
        Confidence level.
    min_pre_years
        Fewer years before the start trigger a ShortPrePeriodWarning.
    file
        Name of the data source for error messages.

    Raises
    ------
    InputDataError
        Unknown areas, or a start year without a year before it or none from it on.
    """
    cols = {"area": area, "year": year, "cases": cases, "population": population}
    base = panel.drop(columns=[c for c in ("start_year",) if c in panel.columns
                               and c not in cols.values()])
    clean = validate_panel(base, file=file, columns=cols, balanced=False)
    names = [str(treated)] if isinstance(treated, str) else [str(a) for a in treated]
    sub = clean[clean["area"].astype(str).isin(names)]
    missing = sorted(set(names) - set(sub["area"].astype(str)))
    if missing:
        raise InputDataError(f"Modellgebiete nicht in den Daten: {', '.join(missing)}",
                             file=file, column=area)
    check_start_year(float(start_year), sub["year"])
    before = sub[sub["year"] < start_year]
    after = sub[sub["year"] >= start_year]
    with collect_warnings() as caught:
        check_pre_period(before["year"].nunique(), minimum=min_pre_years)
        check_small_counts([before["cases"].sum(), after["cases"].sum()],
                           what="Summen vorher/nachher")
        res = exact_rate_ratio(
            int(after["cases"].sum()),
            float(after["population"].sum()),
            int(before["cases"].sum()),
            float(before["population"].sum()),
            level=level,
        )
    return attach_warnings(
        res.with_updates(n_obs=len(sub), n_treated_areas=len(names),
                         start_year=float(start_year)),
        caught,
    )
