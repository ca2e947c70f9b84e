"""The tidy table formats of ``data/derived/`` and the helpers that fill them.

A long indicator table has the columns :data:`LONG_COLUMNS`: one row per area × year ×
indicator with the value, its unit, the numerator and denominator it was computed from
(empty for survey values and for counts) and the ``source_id`` of the raw file(s). The
young-population table has :data:`YOUNG_COLUMNS`. Rows for the whole city carry the code
:data:`CITY_CODE`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from sozialanalyse.data.raw import split_label

LONG_COLUMNS = [
    "area_level",
    "area_code",
    "area_name",
    "year",
    "indicator",
    "value",
    "unit",
    "numerator",
    "denominator",
    "source_id",
]
YOUNG_COLUMNS = [
    "area_level",
    "area_code",
    "area_name",
    "year",
    "age_group",
    "age_from",
    "age_to",
    "population",
    "source_id",
]

CITY_CODE = "DD"
CITY_NAME = "Dresden gesamt"


def age_label(lo: int, hi: int) -> str:
    """Column label of an age band: ``"3_5"``, or ``"85_plus"`` for an open upper end."""
    return f"{lo}_plus" if hi >= 120 else f"{lo}_{hi}"


def sr_label(frame: pd.DataFrame, col: str = "Stadtraum") -> pd.DataFrame:
    """Add ``area_code`` and ``area_name`` split off a label such as ``"01 Altstadt"``."""
    codes = frame[col].map(lambda s: split_label(s)[0])
    names = frame[col].map(lambda s: split_label(s)[1])
    return frame.assign(area_code=codes, area_name=names)


def with_city(frame: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    """Append city totals (sum over all areas) to a per-area table."""
    city = frame.groupby(keys, as_index=False)[values].sum()
    city["area_code"] = CITY_CODE
    city["area_name"] = CITY_NAME
    return pd.concat([frame, city], ignore_index=True)


def count_rows(
    frame: pd.DataFrame, col: str, indicator: str, unit: str, source: Callable[[int], str]
) -> pd.DataFrame:
    """Long rows of a count (no numerator or denominator); ``source`` maps year -> id."""
    return pd.DataFrame(
        {
            "area_code": frame["area_code"],
            "area_name": frame["area_name"],
            "year": frame["year"],
            "indicator": indicator,
            "value": frame[col].astype(float),
            "unit": unit,
            "numerator": math.nan,
            "denominator": math.nan,
            "source_id": frame["year"].map(source),
        }
    )


def share_rows(
    frame: pd.DataFrame,
    num: str,
    den: str,
    indicator: str,
    source: Callable[[int], str],
    unit: str = "percent",
) -> pd.DataFrame:
    """Long rows of a share ``100 * num / den`` that keep numerator and denominator."""
    return pd.DataFrame(
        {
            "area_code": frame["area_code"],
            "area_name": frame["area_name"],
            "year": frame["year"],
            "indicator": indicator,
            "value": 100.0 * frame[num] / frame[den],
            "unit": unit,
            "numerator": frame[num].astype(float),
            "denominator": frame[den].astype(float),
            "source_id": frame["year"].map(source),
        }
    )


def stb_label(label: str) -> tuple[str, str]:
    """Code and name of a Stadtbezirk label: ``"StB 0 Altstadt"`` -> ``("0", "Altstadt")``."""
    parts = label.split(" ", 2)
    return parts[1], parts[2]


def sort_long(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort a long table by level, area, indicator and year; keep :data:`LONG_COLUMNS`."""
    frame = frame.sort_values(["area_level", "area_code", "indicator", "year"])
    return frame[LONG_COLUMNS].reset_index(drop=True)


def wide_from_long(long: pd.DataFrame) -> pd.DataFrame:
    """Pivot a long indicator table to one row per area × year, one column per indicator."""
    wide = long.pivot_table(
        index=["area_level", "area_code", "area_name", "year"],
        columns="indicator",
        values="value",
        aggfunc="first",
    )
    wide.columns.name = None
    wide = wide[sorted(wide.columns)].reset_index()
    return wide.sort_values(["area_level", "area_code", "year"]).reset_index(drop=True)
