"""Pre/post rate ratio with an exact conditional (binomial) interval.

Given ``a`` cases in exposure ``E_a`` (after) and ``b`` cases in exposure
``E_b`` (before), conditional on the total ``n = a + b`` the count ``a`` is
binomial with success probability ``p = R E_a / (R E_a + E_b)``, where ``R`` is
the rate ratio. A Clopper-Pearson interval for ``p`` maps one-to-one to an
exact interval for ``R`` (e.g. Breslow & Day 1987, ch. 2). Exposure is
person-years: the number of young residents summed over the years.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.errors import MethodError
from sozialanalyse.evaluation.guardrails import check_pre_period, check_small_counts
from sozialanalyse.evaluation.results import EffectEstimate, absolute_change_per_1000


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


def exact_rate_ratio(
    cases_after: int,
    exposure_after: float,
    cases_before: int,
    exposure_before: float,
    *,
    level: float = 0.95,
    design: str = "pre/post rate ratio",
) -> EffectEstimate:
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
        Label stored in the result.

    Returns
    -------
    EffectEstimate
        IRR ``(a/E_a) / (b/E_b)``, the exact interval, the two-sided exact
        binomial p-value for IRR = 1 and the absolute change per 1,000.
    """
    a, b = int(cases_after), int(cases_before)
    if a + b == 0:
        raise MethodError("no cases before or after: the rate ratio is undefined")
    if exposure_after <= 0 or exposure_before <= 0:
        raise MethodError("exposures must be positive")
    low, high = exact_rate_ratio_ci(a, exposure_after, b, exposure_before, level)
    p0 = exposure_after / (exposure_after + exposure_before)
    pval = stats.binomtest(a, a + b, p0).pvalue
    irr = (a / exposure_after) / (b / exposure_before) if b > 0 else np.inf
    rate_after = 1000.0 * a / exposure_after
    return EffectEstimate(
        design=design,
        irr=float(irr),
        ci_low=float(low),
        ci_high=float(high),
        p_value=float(pval),
        log_irr=float(np.log(irr)) if 0 < irr < np.inf else float("nan"),
        abs_change_per_1000=absolute_change_per_1000(rate_after, irr),
        level=level,
        model="exact conditional binomial",
        n_obs=2,
        notes=("no comparison group: any common trend is attributed to the model area",),
    )


def pre_post_rate_ratio(
    panel: pd.DataFrame,
    areas: str | Sequence[str],
    start_year: int,
    *,
    level: float = 0.95,
    min_pre_years: int = 3,
) -> EffectEstimate:
    """Pre/post rate ratio for one area (or a group of areas) of a validated panel.

    Cases and person-years are summed over all years before ``start_year`` and
    over all years from ``start_year`` on. Warns (ShortPrePeriodWarning,
    SmallCountWarning) on thin data.
    """
    names = [areas] if isinstance(areas, str) else list(areas)
    sub = panel[panel["area"].isin(names)]
    if sub.empty:
        raise MethodError(f"areas {names} not in the panel")
    before = sub[sub["year"] < start_year]
    after = sub[sub["year"] >= start_year]
    if before.empty or after.empty:
        raise MethodError(f"start year {start_year} leaves no year before or after")
    check_pre_period(before["year"].nunique(), minimum=min_pre_years)
    check_small_counts([before["cases"].sum(), after["cases"].sum()], what="pre/post totals")
    return exact_rate_ratio(
        int(after["cases"].sum()),
        float(after["population"].sum()),
        int(before["cases"].sum()),
        float(before["population"].sum()),
        level=level,
    )
