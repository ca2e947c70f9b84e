"""Panel difference-in-differences with area and year fixed effects.

Poisson pseudo-maximum likelihood with area and year fixed effects and a
log(population) offset, with standard errors clustered by area (robust to
overdispersion and to serial correlation within an area; Wooldridge 1999,
Cameron & Miller 2015) and t critical values with G - 1 degrees of freedom for
G areas. The event-study view replaces the single treatment
indicator by one indicator per year relative to the start, with the year before
the start as reference.

With one common start date (or effects that do not change over time) the single
coefficient is the average effect on the log scale; with staggered starts and
effects that grow or shrink it is biased -- use
:func:`sozialanalyse.evaluation.staggered.staggered_did` instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.errors import MethodError
from sozialanalyse.evaluation.did import _wald, _with_abs
from sozialanalyse.evaluation.guardrails import (
    check_clusters,
    check_pre_period,
    check_small_counts,
)
from sozialanalyse.evaluation.panel import add_treatment
from sozialanalyse.evaluation.poisson import PoissonFit, fit_poisson
from sozialanalyse.evaluation.results import EffectEstimate


def fixed_effects_matrix(panel: pd.DataFrame) -> np.ndarray:
    """Constant plus area and year dummies (first level dropped) as a float array."""
    area = pd.get_dummies(panel["area"].astype(str), drop_first=True, dtype=float)
    year = pd.get_dummies(panel["year"].astype(int), drop_first=True, dtype=float)
    return np.column_stack([np.ones(len(panel)), area.to_numpy(), year.to_numpy()])


def _fit(panel: pd.DataFrame, treat: np.ndarray, cluster: bool) -> PoissonFit:
    X = np.column_stack([treat, fixed_effects_matrix(panel)])
    y = panel["cases"].to_numpy(dtype=float)
    off = np.log(panel["population"].to_numpy(dtype=float))
    groups = pd.factorize(panel["area"])[0] if cluster else None
    return fit_poisson(X, y, off, groups)


def drop_all_zero_areas(panel: pd.DataFrame) -> pd.DataFrame:
    """Drop areas without any case: with area effects they carry no information."""
    keep = panel.groupby("area")["cases"].transform("sum") > 0
    return panel[keep].reset_index(drop=True)


def panel_did(
    panel: pd.DataFrame,
    *,
    cluster: bool = True,
    level: float = 0.95,
    min_pre_years: int = 3,
) -> EffectEstimate:
    """Two-way fixed-effects Poisson DiD with cluster-robust errors.

    Parameters
    ----------
    panel
        Validated panel with ``start_year`` for treated areas.
    cluster
        Cluster-robust errors by area (default). If False, quasi-Poisson errors
        (Pearson scale) that ignore within-area correlation.
    level
        Confidence level.
    min_pre_years
        Fewer pre-period years of the earliest start trigger a ShortPrePeriodWarning.
    """
    d = add_treatment(drop_all_zero_areas(panel))
    if d["post"].sum() == 0:
        raise MethodError("no treated area-year: nothing to estimate")
    first = d["start_year"].min()
    check_pre_period(int((d["year"].unique() < first).sum()), minimum=min_pre_years)
    if cluster:
        check_clusters(d["area"].nunique())
    check_small_counts(
        d.groupby(["treated", "post"])["cases"].sum().to_numpy(),
        what="the treated/comparison x before/after totals",
    )
    res = _fit(d, d["post"].to_numpy(dtype=float), cluster)
    post = d[d["post"] == 1]
    rate = 1000.0 * post["cases"].sum() / post["population"].sum()
    est = _wald("panel DiD (area and year effects)", float(res.params[0]), float(res.bse[0]),
                level, df=d["area"].nunique() - 1 if cluster else None,
                model="poisson (cluster-robust, t with G-1 df)" if cluster else "quasi-poisson",
                n_obs=len(d))
    return _with_abs(est, rate)


def event_study(
    panel: pd.DataFrame,
    *,
    window: tuple[int, int] | None = None,
    reference: int = -1,
    cluster: bool = True,
    level: float = 0.95,
) -> pd.DataFrame:
    """Effects by year relative to the start (event study), as IRRs.

    Parameters
    ----------
    panel
        Validated panel with ``start_year`` for treated areas.
    window
        ``(lowest, highest)`` relative year; times outside are binned into the
        end points. Default: all relative years in the data.
    reference
        Relative year used as reference (IRR = 1 by construction).
    cluster, level
        As in :func:`panel_did`.

    Returns
    -------
    pandas.DataFrame
        Columns ``event_time, irr, ci_low, ci_high, p_value, log_irr, se_log``,
        including the reference row.
    """
    d = add_treatment(drop_all_zero_areas(panel))
    et = d["event_time"]
    if et.notna().sum() == 0:
        raise MethodError("no treated area: an event study needs a start year")
    lo, hi = (int(et.min()), int(et.max())) if window is None else window
    binned = et.clip(lower=lo, upper=hi)
    times = [t for t in range(lo, hi + 1) if t != reference and (binned == t).any()]
    if reference not in set(binned.dropna().astype(int)):
        raise MethodError(f"reference relative year {reference} is not in the data")
    D = np.column_stack([(binned == t).to_numpy(dtype=float) for t in times])
    X = np.column_stack([D, fixed_effects_matrix(d)])
    y = d["cases"].to_numpy(dtype=float)
    off = np.log(d["population"].to_numpy(dtype=float))
    res = fit_poisson(X, y, off, pd.factorize(d["area"])[0] if cluster else None)
    dist = stats.t(d["area"].nunique() - 1) if cluster else stats.norm
    z = dist.ppf(0.5 + level / 2)
    b = np.asarray(res.params[: len(times)])
    se = np.asarray(res.bse[: len(times)])
    out = pd.DataFrame({"event_time": times, "log_irr": b, "se_log": se})
    ref = pd.DataFrame({"event_time": [reference], "log_irr": [0.0], "se_log": [0.0]})
    out = pd.concat([out, ref], ignore_index=True).sort_values("event_time", ignore_index=True)
    out["irr"] = np.exp(out["log_irr"])
    out["ci_low"] = np.exp(out["log_irr"] - z * out["se_log"])
    out["ci_high"] = np.exp(out["log_irr"] + z * out["se_log"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["p_value"] = np.where(out["se_log"] > 0,
                                  2 * dist.sf(np.abs(out["log_irr"] / out["se_log"])),
                                  np.nan)
    return out[["event_time", "irr", "ci_low", "ci_high", "p_value", "log_irr", "se_log"]]
