"""Outlier check (skewness and kurtosis) and treatment (winsorisation, quantile clipping, log).

The rule follows COINr's default: an indicator is flagged when ``|skewness| > skew_max`` and
``kurtosis > kurt_max`` (excess kurtosis, bias-corrected), with ``skew_max = 2`` and
``kurt_max = 3.5``. Winsorisation replaces the most extreme value on the skewed side by the
next value, one point at a time, up to ``max_points`` points; ``"auto"`` falls back to a log
transform when winsorisation does not remove the flag. ``"clip"`` is a different rule: every
indicator (flagged or not) is cut at its ``quantile`` and ``1 - quantile`` quantiles (linear
interpolation, as :meth:`pandas.Series.quantile`). Every transformation used is monotone
increasing, so directions keep their meaning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialanalyse.errors import MethodError
from sozialanalyse.index.methods import TREATMENTS


def shape_stats(values: np.ndarray) -> tuple[float, float]:
    """Bias-corrected skewness and excess kurtosis of the non-missing values.

    The same estimators as ``scipy.stats.skew(bias=False)`` and
    ``scipy.stats.kurtosis(fisher=True, bias=False)``, written out in numpy for speed:
    ``G1 = g1 * sqrt(n (n - 1)) / (n - 2)`` and
    ``G2 = ((n + 1) g2 + 6) (n - 1) / ((n - 2) (n - 3))`` with the moment ratios
    ``g1 = m3 / m2^1.5`` and ``g2 = m4 / m2^2 - 3``. Fewer than four values or zero variance
    give ``(0, 0)``.
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = v.size
    if n < 4 or np.ptp(v) == 0:
        return 0.0, 0.0
    d = v - v.mean()
    m2 = np.mean(d**2)
    g1 = np.mean(d**3) / m2**1.5
    g2 = np.mean(d**4) / m2**2 - 3.0
    skewness = g1 * np.sqrt(n * (n - 1.0)) / (n - 2.0)
    kurt = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    return float(skewness), float(kurt)


def is_flagged(values: np.ndarray, skew_max: float = 2.0, kurt_max: float = 3.5) -> bool:
    """Whether an indicator is flagged by the skewness-and-kurtosis rule."""
    s, k = shape_stats(values)
    return abs(s) > skew_max and k > kurt_max


def outlier_table(wide: pd.DataFrame, skew_max: float = 2.0, kurt_max: float = 3.5
                  ) -> pd.DataFrame:
    """Skewness, kurtosis and the flag per indicator.

    Parameters
    ----------
    wide
        Areas x indicators.
    skew_max, kurt_max
        Thresholds of the rule.

    Returns
    -------
    pandas.DataFrame
        Indexed by indicator with columns ``skewness``, ``kurtosis``, ``flagged``.
    """
    rows = []
    for col in wide.columns:
        s, k = shape_stats(wide[col].to_numpy())
        rows.append({"indicator": col, "skewness": s, "kurtosis": k,
                     "flagged": abs(s) > skew_max and k > kurt_max})
    return pd.DataFrame(rows).set_index("indicator")


def winsorise(values: np.ndarray, skew_max: float = 2.0, kurt_max: float = 3.5,
              max_points: int = 5) -> tuple[np.ndarray, int]:
    """Winsorise one indicator point by point until it is no longer flagged.

    Returns
    -------
    values : numpy.ndarray
        The treated values.
    n_points : int
        How many values were replaced.
    """
    v = np.asarray(values, dtype=float).copy()
    n = 0
    while n < max_points and is_flagged(v, skew_max, kurt_max):
        s, _ = shape_stats(v)
        finite = v[~np.isnan(v)]
        if s > 0:
            top = np.nanmax(v)
            below = finite[finite < top]
            if below.size == 0:
                break
            hit = v == top
            v[hit] = below.max()
        else:
            bottom = np.nanmin(v)
            above = finite[finite > bottom]
            if above.size == 0:
                break
            hit = v == bottom
            v[hit] = above.min()
        n += int(hit.sum())
    return v, n


def log_transform(values: np.ndarray) -> np.ndarray:
    """Monotone log transform towards symmetry: ``log(x - min + 1)`` for right skew,
    ``-log(max - x + 1)`` for left skew."""
    v = np.asarray(values, dtype=float)
    s, _ = shape_stats(v)
    if s >= 0:
        return np.log(v - np.nanmin(v) + 1.0)
    return -np.log(np.nanmax(v) - v + 1.0)


def clip_array(x: np.ndarray, quantile: float = 0.05) -> np.ndarray:
    """Cut every column of ``x`` (areas along axis ``-2``) at its ``quantile`` and
    ``1 - quantile`` quantiles (linear interpolation); works on stacked arrays."""
    x = np.asarray(x, dtype=float)
    lo = np.nanquantile(x, quantile, axis=-2, keepdims=True)
    hi = np.nanquantile(x, 1.0 - quantile, axis=-2, keepdims=True)
    return np.clip(x, lo, hi)


def treat_outliers(
    wide: pd.DataFrame,
    method: str = "none",
    *,
    skew_max: float = 2.0,
    kurt_max: float = 3.5,
    max_points: int = 5,
    quantile: float = 0.05,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Treat flagged indicators.

    Parameters
    ----------
    wide
        Areas x indicators.
    method
        ``"none"``, ``"winsorise"``, ``"log"``, ``"auto"`` (winsorise, else log) or
        ``"clip"`` (every indicator cut at its ``quantile`` / ``1 - quantile`` quantiles).
    skew_max, kurt_max
        Thresholds of the flag rule.
    max_points
        Maximum number of winsorised values per indicator.
    quantile
        Tail quantile of ``"clip"``.

    Returns
    -------
    treated : pandas.DataFrame
        The treated frame (unflagged indicators unchanged).
    report : pandas.DataFrame
        Per indicator: ``skewness``, ``kurtosis``, ``flagged``, ``action``, ``n_winsorised``,
        ``skewness_after``, ``kurtosis_after``.
    """
    if method not in TREATMENTS:
        raise MethodError(f"Unbekannte Ausreißerbehandlung '{method}'; erlaubt: "
                          f"{', '.join(TREATMENTS)}", code="E-METHOD-005")
    report = outlier_table(wide, skew_max, kurt_max)
    if method == "clip":
        out = pd.DataFrame(clip_array(wide.to_numpy(dtype=float), quantile), index=wide.index,
                           columns=wide.columns)
        changed = (out != wide) & wide.notna()
        report["action"] = ["clipped" if changed[c].any() else "none" for c in wide.columns]
        report["n_winsorised"] = [int(changed[c].sum()) for c in wide.columns]
        after = outlier_table(out, skew_max, kurt_max)
        report["skewness_after"] = after["skewness"]
        report["kurtosis_after"] = after["kurtosis"]
        return out, report
    out = wide.copy()
    actions, counts = [], []
    for col in wide.columns:
        v = wide[col].to_numpy(dtype=float)
        action, n = "none", 0
        if report.at[col, "flagged"] and method != "none":
            if method in ("winsorise", "auto"):
                w, n = winsorise(v, skew_max, kurt_max, max_points)
                if method == "auto" and is_flagged(w, skew_max, kurt_max):
                    v, n, action = log_transform(v), 0, "log"
                else:
                    v, action = w, "winsorised"
            else:
                v, action = log_transform(v), "log"
        out[col] = v
        actions.append(action)
        counts.append(n)
    report["action"] = actions
    report["n_winsorised"] = counts
    after = outlier_table(out, skew_max, kurt_max) if any(a != "none" for a in actions) \
        else report
    report["skewness_after"] = after["skewness"]
    report["kurtosis_after"] = after["kurtosis"]
    return out, report
