"""Diagnostics of a composite index: correlations, Cronbach's alpha, PCA, contributions,
validity against an external outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.errors import MethodError


def correlations(wide: pd.DataFrame, method: str = "pearson") -> pd.DataFrame:
    """Correlation matrix of indicators (``pearson`` or ``spearman``)."""
    if method not in ("pearson", "spearman"):
        raise MethodError(f"Unbekanntes Korrelationsmaß '{method}'; erlaubt: pearson, "
                          "spearman, kendall", code="E-METHOD-005")
    return wide.corr(method=method)


def cronbach_alpha(wide: pd.DataFrame, dimension_of: pd.Series) -> pd.Series:
    """Cronbach's alpha of the indicators of each dimension.

    ``alpha = k / (k - 1) * (1 - sum(var_i) / var(sum_i))`` on the given (oriented, e.g.
    z-scored) values; NaN for a dimension with a single indicator.

    Parameters
    ----------
    wide
        Areas x indicators, oriented so that higher = more burden.
    dimension_of
        Series indicator -> dimension.

    Returns
    -------
    pandas.Series
        Dimension -> alpha.
    """
    out = {}
    for dim, members in dimension_of.groupby(dimension_of, sort=False):
        x = wide[list(members.index)].dropna()
        k = x.shape[1]
        if k < 2:
            out[dim] = np.nan
            continue
        item_var = x.var(ddof=1).sum()
        total_var = x.sum(axis=1).var(ddof=1)
        out[dim] = k / (k - 1) * (1 - item_var / total_var)
    return pd.Series(out, name="cronbach_alpha", dtype=float)


def pca(wide: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Principal components of the indicators' correlation matrix.

    Returns
    -------
    explained : pandas.Series
        Share of variance per component (``PC1``, ``PC2``, ...).
    loadings : pandas.DataFrame
        Indicators x components (unit eigenvectors; each sign chosen so that the loadings sum
        to a non-negative value).
    """
    x = wide.dropna().to_numpy(dtype=float)
    corr = np.corrcoef(x, rowvar=False)
    vals, vecs = np.linalg.eigh(corr)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    vecs = vecs * np.where(vecs.sum(axis=0) < 0, -1.0, 1.0)
    names = [f"PC{i + 1}" for i in range(len(vals))]
    return (pd.Series(vals / vals.sum(), index=names, name="explained"),
            pd.DataFrame(vecs, index=wide.columns, columns=names))


def contributions(
    normalised: pd.DataFrame,
    dimension_of: pd.Series,
    indicator_weights: pd.Series,
    dimension_weights: pd.Series,
    within: str = "arithmetic",
    across: str = "arithmetic",
) -> pd.DataFrame:
    """Decompose each area's index into indicator contributions.

    With arithmetic means at both levels the index is
    ``sum_i w_dim(i) * w_i * x_i`` (weights normalised within each level), so each term is the
    indicator's contribution and the row sums equal the index. With geometric means at both
    levels the same decomposition holds for ``log(index)`` and the terms use ``log(x_i)``.

    Parameters
    ----------
    normalised
        Areas x indicators.
    dimension_of, indicator_weights, dimension_weights
        As used by the aggregation.
    within, across
        The aggregation methods; they must be equal.

    Returns
    -------
    pandas.DataFrame
        Areas x indicators; rows sum to the index (or to its logarithm).
    """
    if within != across:
        raise MethodError("Beiträge brauchen dieselbe Aggregation innerhalb und über die "
                          "Dimensionen", code="E-METHOD-005")
    dw = dimension_weights / dimension_weights.sum()
    wi = indicator_weights.reindex(normalised.columns)
    wi = wi / wi.groupby(dimension_of.reindex(normalised.columns)).transform("sum")
    eff = wi * dimension_of.reindex(normalised.columns).map(dw)
    x = normalised if within == "arithmetic" else np.log(normalised)
    return x * eff


def validity(index: pd.Series, outcome: pd.Series) -> dict[str, float]:
    """Agreement of the index with an external outcome (e.g. HzE rates per area).

    Parameters
    ----------
    index
        Index per area.
    outcome
        Outcome per area; only areas present in both (and non-missing) are used.

    Returns
    -------
    dict
        ``n``, ``pearson_r``, ``pearson_p``, ``spearman_rho``, ``spearman_p``.

    Raises
    ------
    MethodError
        If fewer than three areas are shared.
    """
    both = pd.concat([index.rename("index"), outcome.rename("outcome")], axis=1).dropna()
    if len(both) < 3:
        raise MethodError(f"Die Validitätsprüfung braucht mindestens 3 Gebiete mit beiden "
                          f"Werten, vorhanden sind {len(both)}", code="E-AREA-004")
    r, p_r = stats.pearsonr(both["index"], both["outcome"])
    rho, p_rho = stats.spearmanr(both["index"], both["outcome"])
    return {"n": float(len(both)), "pearson_r": float(r), "pearson_p": float(p_r),
            "spearman_rho": float(rho), "spearman_p": float(p_rho)}
