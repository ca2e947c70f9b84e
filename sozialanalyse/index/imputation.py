"""Explicit imputation of missing indicator values, recorded cell by cell."""

from __future__ import annotations

import pandas as pd

from sozialanalyse.errors import MethodError
from sozialanalyse.index.methods import IMPUTATIONS


def impute(
    wide: pd.DataFrame,
    method: str = "none",
    *,
    previous: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill missing cells and record every filled cell.

    Parameters
    ----------
    wide
        Areas x indicators of one year.
    method
        ``"none"`` leaves gaps (the aggregation then stops with an error naming the cell);
        ``"mean"`` / ``"median"``: the indicator's mean / median over the other areas;
        ``"previous"``: the same area's most recent earlier value (``previous``).
    previous
        Areas x indicators holding each area's latest earlier non-missing value (for
        ``"previous"``).

    Returns
    -------
    imputed : pandas.DataFrame
        The filled frame.
    cells : pandas.DataFrame
        One row per missing cell: ``area``, ``indicator``, ``method``, ``value`` (NaN where it
        stayed missing).

    Raises
    ------
    MethodError
        Unknown method, an all-missing indicator, or ``"previous"`` without earlier data.
    """
    if method not in IMPUTATIONS:
        raise MethodError(f"Unbekannte Imputation '{method}'; erlaubt: "
                          f"{', '.join(IMPUTATIONS)}", code="E-METHOD-005")
    out = wide.copy()
    if method in ("mean", "median"):
        fill = wide.mean() if method == "mean" else wide.median()
        out = wide.fillna(fill)
    elif method == "previous":
        if previous is None:
            raise MethodError("Die Imputation 'previous' (Vorjahreswert) braucht Daten früherer "
                              "Jahre", code="E-METHOD-005")
        out = wide.fillna(previous.reindex(index=wide.index, columns=wide.columns))
    all_missing = [c for c in out.columns if out[c].isna().all()]
    if all_missing:
        raise MethodError(f"Indikator '{all_missing[0]}': alle Werte fehlen; nehmen Sie den "
                          "Indikator heraus oder ergänzen Sie Werte", code="E-METHOD-003")
    holes = wide.isna().stack()
    holes = holes[holes]
    cells = pd.DataFrame(
        [{"area": a, "indicator": i, "method": method, "value": out.at[a, i]}
         for a, i in holes.index],
        columns=["area", "indicator", "method", "value"],
    )
    return out, cells
