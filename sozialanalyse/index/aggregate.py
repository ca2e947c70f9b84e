"""Aggregation of normalised indicators: weighted arithmetic and geometric means.

The numpy functions work on stacked arrays (leading axes = Monte Carlo draws), so the Coin and
the uncertainty analysis share one implementation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sozialanalyse.errors import MethodError
from sozialanalyse.index.methods import AGGREGATIONS


def aggregate_array(
    x: np.ndarray,
    weights: np.ndarray | Sequence[float],
    method: str = "arithmetic",
    *,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """Weighted mean over the last axis.

    Parameters
    ----------
    x
        Array ``(..., n_areas, n_components)``.
    weights
        Non-negative weights broadcastable to ``x`` along the last axis, e.g. shape
        ``(n_components,)`` or ``(n_draws, 1, n_components)``. They are divided by their sum,
        so the result is a weighted mean even if they do not sum to one.
    method
        ``"arithmetic"``: ``sum(w x) / sum(w)``; ``"geometric"``: ``prod(x ** w) ** (1 / sum(w))``
        (needs strictly positive ``x``, e.g. min-max on 1..100 or rank).
    names
        Component names for error messages.

    Returns
    -------
    numpy.ndarray
        Shape ``x.shape[:-1]``. NaN where any component is NaN.

    Raises
    ------
    MethodError
        Unknown method, negative weights, non-positive values under the geometric mean.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(weights, dtype=float)
    if method not in AGGREGATIONS:
        raise MethodError(f"Unbekannte Aggregation '{method}'; erlaubt: "
                          f"{', '.join(AGGREGATIONS)}", code="E-METHOD-005")
    if np.any(w < 0):
        raise MethodError("Gewichte dürfen nicht negativ sein", code="E-METHOD-004")
    total = w.sum(axis=-1)
    if np.any(total <= 0):
        raise MethodError("Die Gewichte ergeben zusammen 0", code="E-METHOD-004")
    if method == "arithmetic":
        return (x * w).sum(axis=-1) / total
    if np.any(x <= 0):
        j = int(np.argwhere(x <= 0)[0, -1])
        label = names[j] if names is not None else f"component {j + 1}"
        raise MethodError(
            f"'{label}': das geometrische Mittel braucht Werte größer als null; wählen Sie "
            "die Min-Max-Normierung mit lower > 0, die Rangnormierung oder das arithmetische "
            "Mittel", code="E-METHOD-005")
    return np.exp((np.log(x) * w).sum(axis=-1) / total)


def two_level_array(
    x: np.ndarray,
    groups: Sequence[int] | np.ndarray,
    indicator_weights: np.ndarray | Sequence[float],
    dimension_weights: np.ndarray | Sequence[float],
    within: str = "arithmetic",
    across: str = "arithmetic",
    *,
    names: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Aggregate indicators to dimensions and dimensions to the index.

    Parameters
    ----------
    x
        Normalised indicators ``(..., n_areas, n_indicators)``.
    groups
        Dimension code ``0 .. k-1`` per indicator.
    indicator_weights
        ``(..., n_indicators)`` weights within dimensions.
    dimension_weights
        ``(..., k)`` weights of the dimensions.
    within, across
        Aggregation method inside each dimension and across dimensions.
    names
        Indicator names for error messages.

    Returns
    -------
    dimensions : numpy.ndarray
        ``(..., n_areas, k)`` dimension scores.
    index : numpy.ndarray
        ``(..., n_areas)`` index values.
    """
    x = np.asarray(x, dtype=float)
    g = np.asarray(groups, dtype=int)
    wi = np.asarray(indicator_weights, dtype=float)
    wd = np.asarray(dimension_weights, dtype=float)
    k = int(g.max()) + 1
    if wd.shape[-1] != k:
        raise MethodError(f"{wd.shape[-1]} Dimensionsgewichte für {k} Dimensionen angegeben",
                          code="E-METHOD-004")
    dims = []
    for code in range(k):
        cols = np.flatnonzero(g == code)
        sub_names = None if names is None else [names[j] for j in cols]
        w_sub = wi[..., cols]
        if w_sub.ndim > 1:
            w_sub = w_sub[..., None, :]
        dims.append(aggregate_array(x[..., cols], w_sub, within, names=sub_names))
    dim_scores = np.stack(dims, axis=-1)
    wd_b = wd[..., None, :] if wd.ndim > 1 else wd
    return dim_scores, aggregate_array(dim_scores, wd_b, across)


def rank_array(score: np.ndarray, axis: int = -1, block: int = 512) -> np.ndarray:
    """Rank areas so that 1 = highest score (most burdened); ties share the lowest rank.

    The one rank function of the index (the Coin and the Monte Carlo use it): equivalent to
    ``pandas.Series.rank(ascending=False, method="min")`` along ``axis``, vectorised over the
    other axes; two-dimensional input is ranked in blocks of ``block`` rows.

    Parameters
    ----------
    score
        Index values, areas along ``axis``.
    axis
        The area axis.
    block
        Rows ranked together (bounds memory for many Monte Carlo draws).

    Returns
    -------
    numpy.ndarray
        Integer ranks (``int64``), same shape as ``score``.
    """
    s = np.moveaxis(np.asarray(score, dtype=float), axis, -1)
    if s.ndim == 2 and s.shape[0] > block:
        out = np.empty(s.shape, dtype=np.int64)
        for start in range(0, s.shape[0], block):
            out[start:start + block] = _rank_block(s[start:start + block])
    else:
        out = _rank_block(s)
    return np.moveaxis(out, -1, axis)


def _rank_block(s: np.ndarray) -> np.ndarray:
    n = s.shape[-1]
    order = np.argsort(-s, axis=-1, kind="stable")
    sorted_s = np.take_along_axis(s, order, axis=-1)
    pos = np.broadcast_to(np.arange(n), s.shape)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = sorted_s[..., 1:] != sorted_s[..., :-1]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    ranks = np.empty(s.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, first + 1, axis=-1)
    return ranks


def aggregate_frame(
    normalised: pd.DataFrame,
    dimension_of: pd.Series,
    indicator_weights: pd.Series,
    dimension_weights: pd.Series,
    within: str = "arithmetic",
    across: str = "arithmetic",
    scale: str = "mean",
) -> tuple[pd.DataFrame, pd.Series]:
    """Aggregate a wide frame of normalised indicators into dimension scores and the index.

    Parameters
    ----------
    normalised
        Areas x indicators (higher = more burden).
    dimension_of
        Series indicator -> dimension name.
    indicator_weights
        Series indicator -> weight within its dimension.
    dimension_weights
        Series dimension -> weight.
    within, across
        ``"arithmetic"`` or ``"geometric"``.
    scale
        ``"mean"``: the index is the weighted mean of the dimension scores; ``"sum"``: that
        mean times the number of indicators, which with equal weights is the plain sum of the
        normalised values (Berlin's MSS adds its z-values). Only with arithmetic means.

    Returns
    -------
    dimensions : pandas.DataFrame
        Areas x dimensions (in the order of ``dimension_weights``).
    index : pandas.Series
        The composite index per area, named ``"index"``.

    Raises
    ------
    MethodError
        If a value is missing (naming area and indicator) or a method cannot be applied.
    """
    cols = list(normalised.columns)
    if scale not in ("mean", "sum"):
        raise MethodError(f"Unbekannte Indexform '{scale}'; erlaubt: 'mean', 'sum'")
    if scale == "sum" and "geometric" in (within, across):
        raise MethodError("Die Indexform 'sum' (Summe) setzt arithmetische Mittel voraus; "
                          "wählen Sie within='arithmetic' und across='arithmetic' oder "
                          "scale='mean'")
    missing = normalised.isna()
    if missing.to_numpy().any():
        area, indicator = missing.stack().loc[lambda s: s].index[0]
        raise MethodError(
            f"Indikator '{indicator}': Wert fehlt bei der Aggregation; wählen Sie eine "
            "Imputation (coin.set('impute', method=...)) oder nehmen Sie den Indikator heraus",
            area=str(area), code="E-VAL-001")
    dim_names = list(dimension_weights.index)
    code = {d: i for i, d in enumerate(dim_names)}
    unknown = [c for c in cols if dimension_of[c] not in code]
    if unknown:
        raise MethodError(f"Indikator '{unknown[0]}': die Dimension "
                          f"'{dimension_of[unknown[0]]}' hat kein Dimensionsgewicht",
                          code="E-META-003")
    groups = np.array([code[dimension_of[c]] for c in cols])
    dims, idx = two_level_array(
        normalised.to_numpy(dtype=float), groups,
        indicator_weights.reindex(cols).to_numpy(dtype=float),
        dimension_weights.to_numpy(dtype=float), within, across,
        names=[str(c) for c in cols])
    if scale == "sum":
        idx = idx * len(cols)
    return (pd.DataFrame(dims, index=normalised.index, columns=dim_names),
            pd.Series(idx, index=normalised.index, name="index"))
