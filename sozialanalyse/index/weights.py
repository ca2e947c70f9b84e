"""Indicator and dimension weights: equal, manual (checked) and PCA-derived."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sozialanalyse.errors import MethodError
from sozialanalyse.formatting import number
from sozialanalyse.index.methods import WEIGHTINGS  # noqa: F401  (re-exported)

TOLERANCE = 1e-6
"""Allowed deviation of a weight sum from one."""


def check_weights(weights: pd.Series, label: str = "Gewichte", tol: float = TOLERANCE) -> pd.Series:
    """Check that weights are finite, non-negative and sum to one.

    Parameters
    ----------
    weights
        Series name -> weight.
    label
        What the weights belong to (e.g. ``"dimension 'Arbeit'"``), used in messages.
    tol
        Allowed absolute deviation of the sum from one.

    Returns
    -------
    pandas.Series
        The weights as floats.

    Raises
    ------
    MethodError
        Naming the offending entry or the group whose weights do not sum to one.
    """
    w = pd.to_numeric(weights, errors="coerce").astype(float)
    bad = w[~np.isfinite(w) | (w < 0)]
    if len(bad):
        raise MethodError(f"{label}: das Gewicht von '{bad.index[0]}' ist "
                          f"{weights[bad.index[0]]!r}; Gewichte müssen endlich und nicht "
                          "negativ sein", code="E-METHOD-004")
    total = float(w.sum())
    if abs(total - 1.0) > tol:
        raise MethodError(
            f"{label}: die Gewichte von {', '.join(map(str, w.index))} ergeben "
            f"{number(total, 6).rstrip('0').rstrip(',')}, nicht 1; skalieren Sie sie so, "
            "dass sie 1 ergeben",
            code="E-METHOD-004")
    return w


def equal_weights(dimension_of: pd.Series) -> pd.Series:
    """Equal weights within each dimension.

    Parameters
    ----------
    dimension_of
        Series indicator -> dimension.

    Returns
    -------
    pandas.Series
        Indicator -> ``1 / (number of indicators in its dimension)``.
    """
    size = dimension_of.map(dimension_of.value_counts())
    return (1.0 / size).astype(float).rename("weight")


def manual_weights(dimension_of: pd.Series, weights: Mapping[str, float] | pd.Series
                   ) -> pd.Series:
    """Manual weights, checked to sum to one within each dimension.

    Parameters
    ----------
    dimension_of
        Series indicator -> dimension.
    weights
        Indicator -> weight.

    Returns
    -------
    pandas.Series
        Indicator -> weight.

    Raises
    ------
    MethodError
        If an indicator has no weight or a dimension's weights do not sum to one.
    """
    w = pd.Series(weights, dtype=object)
    missing = [i for i in dimension_of.index if i not in w.index]
    if missing:
        raise MethodError(f"Indikator '{missing[0]}': kein Gewicht angegeben; geben Sie alle "
                          "Gewichte an", code="E-META-003")
    extra = [i for i in w.index if i not in dimension_of.index]
    if extra:
        raise MethodError(f"Indikator '{extra[0]}': Gewicht angegeben, aber der Indikator ist "
                          "nicht im Index", code="E-METHOD-004")
    w = w.reindex(dimension_of.index)
    for dim, members in dimension_of.groupby(dimension_of, sort=False):
        check_weights(w[members.index], label=f"Dimension '{dim}'")
    return w.astype(float).rename("weight")


def pca_weights(normalised: pd.DataFrame, dimension_of: pd.Series) -> pd.Series:
    """PCA-derived weights: squared loadings of the first principal component per dimension.

    Within each dimension, the indicators' correlation matrix is decomposed; each indicator's
    weight is its squared loading on the first component (the loadings of a unit eigenvector
    square-sum to one). This is a simplified form of the factor-analysis weighting described in
    the OECD/JRC Handbook (2008, step 6), without rotation. A dimension with one indicator gets
    weight 1.

    Parameters
    ----------
    normalised
        Areas x indicators, without missing values.
    dimension_of
        Series indicator -> dimension.

    Returns
    -------
    pandas.Series
        Indicator -> weight, summing to one within each dimension.
    """
    out = pd.Series(np.nan, index=dimension_of.index, name="weight")
    for _, members in dimension_of.groupby(dimension_of, sort=False):
        cols = list(members.index)
        if len(cols) == 1:
            out[cols[0]] = 1.0
            continue
        corr = np.corrcoef(normalised[cols].to_numpy(dtype=float), rowvar=False)
        _, vecs = np.linalg.eigh(corr)
        first = vecs[:, -1]
        out[cols] = first**2 / np.sum(first**2)
    return out


def dimension_weights(dimensions: list[str], weights: Mapping[str, float] | None = None
                      ) -> pd.Series:
    """Weights of the dimensions: equal by default, else checked manual weights.

    Parameters
    ----------
    dimensions
        Dimension names in order.
    weights
        Optional dimension -> weight.

    Returns
    -------
    pandas.Series
        Dimension -> weight, summing to one.
    """
    if weights is None:
        return pd.Series(1.0 / len(dimensions), index=dimensions, name="weight")
    w = pd.Series(weights, dtype=object)
    missing = [d for d in dimensions if d not in w.index]
    if missing:
        raise MethodError(f"Dimension '{missing[0]}': kein Dimensionsgewicht angegeben",
                          code="E-META-003")
    return check_weights(w.reindex(dimensions), label="Dimensionsgewichte").rename("weight")
