"""Direction and normalisation of indicators: vectorised numpy blocks and a DataFrame wrapper.

Every method works column-wise on arrays of shape ``(..., n_areas, n_indicators)``: the area
axis is ``-2`` and the indicator axis ``-1``, so a Monte Carlo can pass a stack of many draws
at once. Directions are applied here: after normalisation a higher value always means *more*
burden.

Methods
-------
``zscore``
    ``(x - mean) / sd``; mean and sd optionally weighted by ``area_weights`` (e.g. residents),
    ``ddof`` applies to the unweighted sd.
``minmax``
    ``lower + (x - min) / (max - min) * (upper - lower)``.
``rank``
    average ranks ``1 .. n`` (ties share the mean rank), ``n`` = most burdened.
``percentile``
    ``lower + (upper - lower) * (rank - 1) / (n - 1)``; with the defaults from 0 (least) to
    100 (most burdened).
``distance``
    relative distance to the city value in percent, ``100 * (x / c - 1)``, where the city value
    ``c`` is the (optionally ``area_weights``-weighted) mean; sign flipped for direction -1.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from sozialanalyse.errors import MethodError
from sozialanalyse.index.methods import NORMALISATIONS

MONOTONE: tuple[str, ...] = NORMALISATIONS
"""Methods that never lower a normalised value when the raw burden value rises."""


def _names(p: int, names: Sequence[str] | None) -> list[str]:
    return list(names) if names is not None else [f"column {j + 1}" for j in range(p)]


def check_directions(directions: Sequence[float] | np.ndarray, names: Sequence[str] | None = None
                     ) -> np.ndarray:
    """Validate a direction vector (+1 more burden, -1 less burden).

    Parameters
    ----------
    directions
        One entry per indicator.
    names
        Indicator names used in error messages.

    Returns
    -------
    numpy.ndarray
        The directions as floats.

    Raises
    ------
    MethodError
        If an entry is not +1 or -1; the message names the indicator.
    """
    d = np.asarray(directions, dtype=object).ravel()
    labels = _names(d.size, names)
    out = np.empty(d.size)
    for j, value in enumerate(d):
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = np.nan
        if v not in (1.0, -1.0):
            raise MethodError(
                f"Indikator '{labels[j]}': unbekannte Richtung {value!r}; erlaubt: +1 (höherer "
                "Wert = mehr Belastung) oder -1 (höherer Wert = weniger Belastung)",
                code="E-META-002")
        out[j] = v
    return out


def _weighted_mean(x: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    if w is None:
        return np.nanmean(x, axis=-2, keepdims=True)
    w = np.broadcast_to(w[..., :, None], x.shape)
    w = np.where(np.isnan(x), 0.0, w)
    return np.nansum(x * w, axis=-2, keepdims=True) / w.sum(axis=-2, keepdims=True)


def _weighted_sd(x: np.ndarray, w: np.ndarray | None, ddof: int) -> np.ndarray:
    if w is None:
        return np.nanstd(x, axis=-2, ddof=ddof, keepdims=True)
    m = _weighted_mean(x, w)
    wb = np.broadcast_to(w[..., :, None], x.shape)
    wb = np.where(np.isnan(x), 0.0, wb)
    var = np.nansum(wb * (x - m) ** 2, axis=-2, keepdims=True) / wb.sum(axis=-2, keepdims=True)
    return np.sqrt(var)


def _check_variance(x: np.ndarray, names: Sequence[str] | None) -> None:
    n_valid = np.sum(~np.isnan(x), axis=-2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        span = np.nanmax(x, axis=-2) - np.nanmin(x, axis=-2)
    labels = _names(x.shape[-1], names)
    all_missing = np.argwhere(n_valid == 0)
    if all_missing.size:
        j = int(all_missing[0, -1])
        raise MethodError(f"Indikator '{labels[j]}': alle Werte fehlen; nehmen Sie den "
                          "Indikator heraus oder ergänzen Sie Werte", code="E-METHOD-003")
    flat = np.argwhere(~(span > 0))
    if flat.size:
        j = int(flat[0, -1])
        raise MethodError(
            f"Indikator '{labels[j]}': keine Streuung (alle Gebiete haben denselben Wert), "
            "daher nicht normierbar; nehmen Sie ihn aus dem Index (bei nur einem Gebiet: ein "
            "Index braucht mehrere Gebiete)", code="E-METHOD-001")


def normalise_array(
    x: np.ndarray,
    method: str = "zscore",
    *,
    directions: Sequence[float] | np.ndarray | None = None,
    area_weights: np.ndarray | None = None,
    ddof: int = 1,
    lower: float = 0.0,
    upper: float = 100.0,
    names: Sequence[str] | None = None,
) -> np.ndarray:
    """Normalise indicators column-wise so that higher values mean more burden.

    Parameters
    ----------
    x
        Array of shape ``(..., n_areas, n_indicators)``; NaN marks a missing value (kept NaN).
    method
        One of :data:`NORMALISATIONS`.
    directions
        +1 or -1 per indicator (default all +1).
    area_weights
        Optional weights per area, shape ``(..., n_areas)``, for the city mean (and the sd) in
        ``zscore`` and the city value in ``distance``; e.g. residents.
    ddof
        Delta degrees of freedom of the unweighted standard deviation (1 = sample sd).
    lower, upper
        Target range of ``minmax`` and ``percentile``.
    names
        Indicator names for error messages.

    Returns
    -------
    numpy.ndarray
        Normalised values, same shape as ``x``.

    Raises
    ------
    MethodError
        Unknown method or direction, zero variance, all-missing column, a city value of zero in
        ``distance``.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise MethodError("normalise_array braucht ein Feld der Form (..., Gebiete, Indikatoren)",
                          code="E-METHOD-005")
    if method not in NORMALISATIONS:
        raise MethodError(f"Unbekannte Normierung '{method}'; erlaubt: "
                          f"{', '.join(NORMALISATIONS)}", code="E-METHOD-005")
    p = x.shape[-1]
    d = np.ones(p) if directions is None else check_directions(directions, names)
    if d.size != p:
        raise MethodError(f"{d.size} Richtungen für {p} Indikatoren angegeben; eine je "
                          "Indikator", code="E-META-002")
    _check_variance(x, names)
    w = None if area_weights is None else np.asarray(area_weights, dtype=float)
    if method == "distance":
        c = _weighted_mean(x, w)
        if np.any(c == 0):
            j = int(np.argwhere(c == 0)[0, -1])
            raise MethodError(f"Indikator '{_names(p, names)[j]}': der Stadtwert ist 0, daher "
                              "ist der relative Abstand dazu nicht definiert; wählen Sie eine "
                              "andere Normierung", code="E-METHOD-001")
        return 100.0 * (x / c - 1.0) * d
    xd = x * d
    if method == "zscore":
        return (xd - _weighted_mean(xd, w)) / _weighted_sd(xd, w, ddof)
    if method == "minmax":
        lo = np.nanmin(xd, axis=-2, keepdims=True)
        hi = np.nanmax(xd, axis=-2, keepdims=True)
        return lower + (xd - lo) / (hi - lo) * (upper - lower)
    ranks = rankdata(xd, method="average", axis=-2, nan_policy="omit")
    if method == "rank":
        return ranks
    n = np.sum(~np.isnan(xd), axis=-2, keepdims=True)
    return lower + (upper - lower) * (ranks - 1.0) / (n - 1.0)


def normalise_frame(
    wide: pd.DataFrame,
    method: str = "zscore",
    *,
    directions: pd.Series | None = None,
    area_weights: pd.Series | None = None,
    **kwargs: float,
) -> pd.DataFrame:
    """Normalise a wide area x indicator frame (DataFrame wrapper of :func:`normalise_array`).

    Parameters
    ----------
    wide
        Areas as index, indicators as columns.
    method
        One of :data:`NORMALISATIONS`.
    directions
        Series indicator -> +1/-1 (default all +1).
    area_weights
        Series area -> weight (e.g. residents) for the city value.
    **kwargs
        ``ddof``, ``lower``, ``upper`` as in :func:`normalise_array`.

    Returns
    -------
    pandas.DataFrame
        Same index and columns as ``wide``.
    """
    cols = list(wide.columns)
    d = None if directions is None else directions.reindex(cols).to_numpy(dtype=object)
    w = None if area_weights is None else area_weights.reindex(wide.index).to_numpy(dtype=float)
    out = normalise_array(wide.to_numpy(dtype=float), method, directions=d, area_weights=w,
                          names=[str(c) for c in cols], **kwargs)
    return pd.DataFrame(out, index=wide.index, columns=wide.columns)
