"""Validate a case-count panel (area x year) before any evaluation design runs.

The tidy panel has one row per area and year with the columns

``area``
    name of the area (Stadtraum, district, city, country ...);
``year``
    calendar year (integer);
``cases``
    count of help cases (non-negative integer);
``population``
    young residents in the denominator (positive);
``start_year`` (optional)
    first year in which the area works under the new practice; empty for areas
    that never adopt it (comparison areas).

Errors name the file, the column and the 1-based data row as a planner sees it
in a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError

REQUIRED = ("area", "year", "cases", "population")
START = "start_year"


def _row(index_pos: int) -> int:
    return int(index_pos) + 1


def _first_bad(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0])


def validate_panel(
    df: pd.DataFrame,
    *,
    file: str = "<DataFrame>",
    columns: Mapping[str, str] | None = None,
    require_start: bool = False,
    balanced: bool = True,
) -> pd.DataFrame:
    """Check a case-count panel and return a clean, sorted copy.

    Parameters
    ----------
    df
        Tidy panel, one row per area and year.
    file
        Name of the source file, used in error messages.
    columns
        Optional mapping from the standard names (``area``, ``year``, ``cases``,
        ``population``, ``start_year``) to the column names in ``df``.
    require_start
        If True, a ``start_year`` column must exist and at least one area must
        have a start year.
    balanced
        If True (default), every area must have every year of the panel.

    Returns
    -------
    pandas.DataFrame
        Columns ``area, year, cases, population, start_year`` (``start_year``
        float with NaN for never-treated areas), sorted by area and year, with
        ``cases`` as int64.

    Raises
    ------
    InputDataError
        For a missing column, missing or non-integer years, negative or
        non-integer counts, zero or missing populations, duplicated area-years,
        missing years within an area, a start year that varies within an area,
        or a start year outside the data (no year before or none from it on).
    """
    mapping = {k: k for k in (*REQUIRED, START)}
    if columns:
        mapping.update(columns)
    for std in REQUIRED:
        if mapping[std] not in df.columns:
            raise InputDataError(
                f"required column '{mapping[std]}' is missing",
                file=file,
                column=mapping[std],
                hint=f"the panel needs columns {', '.join(mapping[c] for c in REQUIRED)}",
            )
    has_start = mapping[START] in df.columns
    if require_start and not has_start:
        raise InputDataError(
            f"column '{mapping[START]}' with the start year of the treated areas is missing",
            file=file,
            column=mapping[START],
        )
    out = pd.DataFrame(
        {std: df[mapping[std]].to_numpy() for std in REQUIRED}, index=range(len(df))
    )
    out[START] = df[mapping[START]].to_numpy() if has_start else np.nan

    for std in ("area", "year", "cases", "population"):
        miss = out[std].isna()
        if miss.any():
            raise InputDataError(
                f"empty value in column '{mapping[std]}'",
                file=file,
                column=mapping[std],
                row=_row(_first_bad(miss)),
            )

    year = pd.to_numeric(out["year"], errors="coerce")
    bad = year.isna() | (year != np.round(year))
    if bad.any():
        i = _first_bad(bad)
        raise InputDataError(
            f"year '{out['year'].iloc[i]}' is not a whole number",
            file=file,
            column=mapping["year"],
            row=_row(i),
        )
    out["year"] = year.astype("int64")

    cases = pd.to_numeric(out["cases"], errors="coerce")
    bad = cases.isna()
    if bad.any():
        i = _first_bad(bad)
        raise InputDataError(
            f"count '{out['cases'].iloc[i]}' is not a number",
            file=file,
            column=mapping["cases"],
            row=_row(i),
        )
    bad = cases < 0
    if bad.any():
        i = _first_bad(bad)
        raise InputDataError(
            f"negative case count {cases.iloc[i]:g}",
            file=file,
            column=mapping["cases"],
            row=_row(i),
            hint="case counts cannot be below zero",
        )
    bad = cases != np.round(cases)
    if bad.any():
        i = _first_bad(bad)
        raise InputDataError(
            f"case count {cases.iloc[i]:g} is not a whole number",
            file=file,
            column=mapping["cases"],
            row=_row(i),
            hint="count models need counts; do not enter rates or averages here",
        )
    out["cases"] = cases.astype("int64")

    pop = pd.to_numeric(out["population"], errors="coerce")
    bad = pop.isna() | (pop <= 0)
    if bad.any():
        i = _first_bad(bad)
        raise InputDataError(
            f"population '{out['population'].iloc[i]}' is zero, negative or not a number",
            file=file,
            column=mapping["population"],
            row=_row(i),
            hint="a rate needs a positive number of young residents",
        )
    out["population"] = pop.astype(float)

    dup = out.duplicated(["area", "year"], keep="first")
    if dup.any():
        i = _first_bad(dup)
        first = int(
            np.flatnonzero(
                ((out["area"] == out["area"].iloc[i]) & (out["year"] == out["year"].iloc[i]))
                .to_numpy()
            )[0]
        )
        raise InputDataError(
            f"area '{out['area'].iloc[i]}' has year {out['year'].iloc[i]} twice "
            f"(also in row {_row(first)})",
            file=file,
            column=mapping["year"],
            row=_row(i),
            hint="keep one row per area and year",
        )

    years = np.arange(out["year"].min(), out["year"].max() + 1)
    if balanced:
        for area, grp in out.groupby("area", sort=True):
            missing = np.setdiff1d(years, grp["year"].to_numpy())
            if missing.size:
                raise InputDataError(
                    f"area '{area}' has no row for year {int(missing[0])}"
                    + (f" (and {missing.size - 1} more missing years)" if missing.size > 1 else ""),
                    file=file,
                    column=mapping["year"],
                    hint=f"every area needs every year {years[0]}-{years[-1]}",
                )

    start = pd.to_numeric(out[START], errors="coerce")
    given = out[START].notna() & (out[START].astype(str).str.strip() != "")
    bad = given & (start.isna() | (start != np.round(start)))
    if bad.any():
        i = _first_bad(bad)
        raise InputDataError(
            f"start year '{out[START].iloc[i]}' is not a whole number",
            file=file,
            column=mapping[START],
            row=_row(i),
        )
    out[START] = start.astype(float)
    nuniq = out.groupby("area")[START].nunique(dropna=False)
    if (nuniq > 1).any():
        area = nuniq.index[nuniq.to_numpy() > 1][0]
        i = _first_bad(out["area"] == area)
        raise InputDataError(
            f"area '{area}' has more than one start year",
            file=file,
            column=mapping[START],
            row=_row(i),
            hint="the start year is a property of the area: repeat the same value in every row",
        )
    lo, hi = int(out["year"].min()), int(out["year"].max())
    bad = out[START].notna() & ((out[START] <= lo) | (out[START] > hi))
    if bad.any():
        i = _first_bad(bad)
        raise InputDataError(
            f"start year {int(out[START].iloc[i])} lies outside the data ({lo}-{hi}): "
            "an evaluation needs at least one year before the start and the start year itself",
            file=file,
            column=mapping[START],
            row=_row(i),
        )
    if require_start and out[START].isna().all():
        raise InputDataError(
            "no area has a start year: nothing to evaluate",
            file=file,
            column=mapping[START],
        )
    return out.sort_values(["area", "year"], ignore_index=True)


def add_treatment(panel: pd.DataFrame) -> pd.DataFrame:
    """Add ``treated`` (area ever adopts), ``post`` and ``event_time`` columns.

    ``post`` is 1 from the start year on in treated areas, else 0;
    ``event_time`` is ``year - start_year`` (NaN for never-treated areas).
    """
    out = panel.copy()
    out["treated"] = out[START].notna().astype(int)
    out["post"] = ((out["year"] >= out[START]) & out[START].notna()).astype(int)
    out["event_time"] = out["year"] - out[START]
    return out
