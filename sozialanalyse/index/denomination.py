"""Denomination: turn counts into rates per population group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError


def denominate(data: pd.DataFrame, meta: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute indicator values ``value / denominator * per`` where the metadata ask for it.

    Parameters
    ----------
    data
        Tidy data with columns ``area``, ``year``, ``indicator``, ``value``.
    meta
        Indicator metadata; optional columns ``denominator`` (a variable in ``data``) and
        ``per`` (default 1). Indicators without a denominator pass through unchanged.

    Returns
    -------
    values : pandas.DataFrame
        Tidy ``area``, ``year``, ``indicator``, ``value`` for the indicators in ``meta``.
    report : pandas.DataFrame
        Cells set to missing because the denominator was 0 or missing (``area``, ``year``,
        ``indicator``, ``reason`` (stable English key), ``grund`` (German text)).

    Raises
    ------
    InputDataError
        If a denominator variable is not in the data.
    """
    present = set(data["indicator"].unique())
    parts, notes = [], []
    for row in meta.itertuples(index=False):
        num = data.loc[data["indicator"] == row.indicator, ["area", "year", "value"]]
        den_name = getattr(row, "denominator", None)
        if den_name is None or (isinstance(den_name, float) and np.isnan(den_name)) \
                or den_name == "":
            parts.append(num.assign(indicator=row.indicator))
            continue
        if den_name not in present:
            raise InputDataError(f"Der Nenner '{den_name}' des Indikators '{row.indicator}' ist "
                                 "keine Variable in den Daten", file="<data>",
                                 column="indicator", code="E-COL-001",
                                 hint="die Nennerzahlen ergänzen oder 'denominator' in den "
                                 "Metadaten leeren")
        per = getattr(row, "per", 1.0)
        per = 1.0 if per is None or pd.isna(per) else float(per)
        den = data.loc[data["indicator"] == den_name, ["area", "year", "value"]]
        merged = num.merge(den, on=["area", "year"], how="outer", suffixes=("", "_den"))
        bad = merged["value_den"].isna() | (merged["value_den"] == 0)
        for r in merged.loc[bad].itertuples(index=False):
            notes.append({"area": r.area, "year": r.year, "indicator": row.indicator,
                          "reason": f"denominator '{den_name}' is 0 or missing",
                          "grund": f"Nenner '{den_name}' ist 0 oder fehlt"})
        rate = (merged["value"] / merged["value_den"].where(~bad)) * per
        parts.append(merged[["area", "year"]].assign(indicator=row.indicator, value=rate))
    values = pd.concat(parts, ignore_index=True)[["area", "year", "indicator", "value"]]
    report = pd.DataFrame(notes, columns=["area", "year", "indicator", "reason", "grund"])
    return values, report
