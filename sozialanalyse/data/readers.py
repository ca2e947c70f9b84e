"""Readers for users' own files: area indicator tables and case-count panels.

Planners in other cities bring their own tables as CSV (German convention:
``;`` separator, decimal comma, ``.`` between thousands; or international:
``,`` separator, decimal point) or as Excel workbooks. These readers accept
both and check everything a later computation relies on. A problem never
ends in a bare pandas traceback or a silently wrong number: it raises
:class:`~sozialanalyse.errors.InputDataError` naming the file, the column and
the data row (1 = first row below the header, as in a spreadsheet with the
header in line 1 … so data row ``n`` is spreadsheet line ``n + 1``).

Expected columns
----------------
Indicator table (one row per area, or per area and year):
    ``area`` (code or name of the area), optionally ``year``, then one numeric
    column per indicator.
Case panel (one row per area and year):
    ``area``, ``year``, ``cases`` (whole number ≥ 0), ``population``
    (whole number > 0, the population the cases are counted in, e.g.
    residents under 21).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from sozialanalyse.errors import InputDataError

#: Cell contents that statistical offices use for suppressed or unavailable values.
SUPPRESSED_TOKENS = frozenset({".", "-", "–", "—", "x", "X", "*", "/", "...", "…"})

_DE_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_INT_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


# --------------------------------------------------------------------------- low level
def _decode(raw: bytes, label: str, encoding: str | None) -> str:
    if encoding is not None:
        return raw.decode(encoding)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.start + 1]
        guess = bad.decode("cp1252", errors="replace")
        raise InputDataError(
            f"the file is not UTF-8 encoded: byte 0x{bad.hex()} in line {line} "
            f"looks like the character '{guess}' of an older Windows/latin-1 encoding",
            file=label,
            row=line - 1 if line > 1 else None,
            hint="save the file as 'CSV UTF-8' in your spreadsheet program, "
            "or pass encoding='latin-1'",
        ) from None


def _sniff_separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ";"


def read_text_table(
    path: Path,
    *,
    sep: str | None,
    encoding: str | None,
    sheet: str | int | None,
) -> tuple[pd.DataFrame, str]:
    """Read a CSV or Excel file as text cells; return the frame and the separator used.

    The first step of every reader here: it detects encoding and separator (or reads
    the worksheet) and leaves all cells as text, so that number conventions and
    suppressed cells are interpreted afterwards, column by column. Public so that
    workflows reading headers or metadata tables use the same file handling.
    """
    label = str(path)
    if not path.exists():
        raise InputDataError("the file does not exist", file=label)
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        try:
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
        except ValueError as err:
            raise InputDataError(f"cannot read the worksheet: {err}", file=label) from None
        frame = frame.astype(object).where(frame.notna(), "")
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame, "excel"
    text = _decode(path.read_bytes(), label, encoding)
    if not text.strip():
        raise InputDataError("the file is empty", file=label)
    header = text.splitlines()[0]
    used = sep or _sniff_separator(header)
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=used) if any(c.strip() for c in r)]
    header, body = rows[0], rows[1:]
    for i, row in enumerate(body, start=1):
        if len(row) != len(header):
            more = len(row) > len(header)
            raise InputDataError(
                f"the row has {len(row)} fields but the header has {len(header)} "
                f"(separator {used!r})",
                file=label,
                row=i,
                hint="a decimal comma in a comma-separated file splits a number into two "
                "fields: use ';' as separator with decimal commas, or decimal points with ','"
                if more
                else "a value is missing or the row is cut short",
            )
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, used


def parse_number(cell: object, convention: str) -> float:
    """Parse one cell as a number in the given convention (``"de"`` or ``"international"``).

    Returns NaN for an empty cell. Raises ``ValueError`` with a plain reason otherwise.
    """
    if isinstance(cell, bool):
        raise ValueError("is a yes/no value, not a number")
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if text == "":
        return math.nan
    if text in SUPPRESSED_TOKENS:
        raise ValueError("suppressed")
    if convention == "de":
        if _DE_NUMBER.match(text):
            return float(text.replace(".", "").replace(",", "."))
        if re.match(r"^[+-]?\d+\.\d+$", text):
            raise ValueError(
                "has a decimal point, but in a German-style file (';' separated) '.' separates "
                "thousands; write a decimal comma (e.g. 1,5) or use the international format"
            )
    else:
        if _INT_NUMBER.match(text):
            return float(text.replace(",", ""))
        if re.match(r"^[+-]?\d+,\d+$", text):
            raise ValueError(
                "has a decimal comma, but the file uses the international format; "
                "write a decimal point (e.g. 1.5) or save the file with ';' as separator"
            )
    raise ValueError("is not a number")


def _find_column(frame: pd.DataFrame, wanted: str, label: str, what: str) -> str:
    lookup = {c.lower(): c for c in frame.columns}
    if wanted.lower() in lookup:
        return lookup[wanted.lower()]
    found = ", ".join(repr(c) for c in frame.columns)
    hint = f"name the column '{wanted}' or pass the actual name as argument"
    if len(frame.columns) == 1 and any(s in frame.columns[0] for s in (";", ",", "\t")):
        raise InputDataError(
            f"the header was read as a single column {frame.columns[0]!r}: "
            "the separator does not match the file",
            file=label,
            column=wanted,
            hint="pass sep=';' or sep=',' to match the file",
        )
    raise InputDataError(
        f"the required column for {what} is missing (found: {found})",
        file=label,
        column=wanted,
        hint=hint,
    )


def _numeric_column(
    frame: pd.DataFrame,
    col: str,
    label: str,
    convention: str,
    *,
    suppressed: str,
    required: bool,
) -> pd.Series:
    values = []
    for i, cell in enumerate(frame[col].tolist(), start=1):
        try:
            value = parse_number(cell, convention)
        except ValueError as err:
            if str(err) == "suppressed":
                if suppressed == "missing":
                    values.append(math.nan)
                    continue
                raise InputDataError(
                    f"the cell holds {str(cell).strip()!r}, a mark for a suppressed or "
                    "unavailable value, not a number",
                    file=label,
                    column=col,
                    row=i,
                    hint="every count of a case panel is needed: ask the data owner for the "
                    "unsuppressed figure or leave the area out"
                    if required
                    else "pass suppressed='missing' to read such cells as missing values "
                    "and decide explicitly how to impute them",
                ) from None
            raise InputDataError(
                f"the value {str(cell).strip()!r} {err}", file=label, column=col, row=i
            ) from None
        if required and math.isnan(value):
            raise InputDataError("the cell is empty", file=label, column=col, row=i)
        values.append(value)
    return pd.Series(values, index=frame.index, name=col, dtype=float)


def _check_counts(series: pd.Series, label: str, *, positive: bool = False) -> pd.Series:
    for i, value in enumerate(series.tolist(), start=1):
        if math.isnan(value):
            continue
        if value < 0 or (positive and value == 0):
            need = "greater than zero" if positive else "zero or more"
            raise InputDataError(
                f"a count must be {need}, found {value:g}",
                file=label,
                column=series.name,
                row=i,
                hint="a population used as denominator cannot be zero"
                if positive
                else None,
            )
        if value != int(value):
            raise InputDataError(
                f"a count must be a whole number, found {value:g}",
                file=label,
                column=series.name,
                row=i,
                hint="check for a decimal separator in the wrong place",
            )
    return series


def _area_column(frame: pd.DataFrame, col: str, label: str) -> pd.Series:
    areas = frame[col].map(lambda v: "" if v is None else str(v).strip())
    areas = areas.map(lambda s: s[:-2] if re.fullmatch(r"\d+\.0", s) else s)  # Excel numbers
    for i, value in enumerate(areas.tolist(), start=1):
        if value == "":
            raise InputDataError("the area code is missing", file=label, column=col, row=i)
    return areas


def _check_known(areas: pd.Series, known: Iterable[str] | None, label: str, col: str) -> None:
    if known is None:
        return
    known_set = {str(k) for k in known}
    for i, value in enumerate(areas.tolist(), start=1):
        if value not in known_set:
            sample = ", ".join(sorted(known_set)[:8])
            raise InputDataError(
                f"unknown area code {value!r}",
                file=label,
                column=col,
                row=i,
                hint=f"known codes include {sample} …; check spelling and leading zeros",
            )


def _check_duplicates(keys: pd.DataFrame, label: str, col: str) -> None:
    dup = keys.duplicated(keep=False)
    if dup.any():
        rows = [i + 1 for i in dup.to_numpy().nonzero()[0]]
        first = keys.iloc[rows[0] - 1].tolist()
        raise InputDataError(
            f"the area {first[0]!r} appears more than once"
            + (f" for year {first[1]}" if len(first) > 1 else "")
            + f" (data rows {', '.join(map(str, rows[:5]))})",
            file=label,
            column=col,
            row=rows[1],
            hint="keep one row per area" + (" and year" if len(first) > 1 else ""),
        )


def _year_column(
    frame: pd.DataFrame, col: str, label: str, years: Sequence[int] | None, convention: str
) -> pd.Series:
    values = _numeric_column(frame, col, label, convention, suppressed="error", required=True)
    for i, value in enumerate(values.tolist(), start=1):
        if value != int(value):
            raise InputDataError(
                f"the year must be a whole number, found {value:g}", file=label, column=col, row=i
            )
        if years is not None and int(value) not in set(years):
            raise InputDataError(
                f"the year {int(value)} lies outside the years of the data "
                f"({min(years)}–{max(years)})",
                file=label,
                column=col,
                row=i,
                hint="remove the row or widen the allowed years",
            )
    return values.astype("int64")


def _convention(sep: str, convention: str) -> str:
    if convention != "auto":
        if convention not in ("de", "international"):
            raise ValueError("convention must be 'auto', 'de' or 'international'")
        return convention
    return "international" if sep == "," else "de"


# --------------------------------------------------------------------------- public
def read_indicator_table(
    path: str | Path,
    *,
    area_col: str = "area",
    year_col: str | None = None,
    indicator_cols: Sequence[str] | None = None,
    count_cols: Sequence[str] = (),
    known_areas: Iterable[str] | None = None,
    years: Sequence[int] | None = None,
    sep: str | None = None,
    convention: str = "auto",
    encoding: str | None = None,
    sheet: str | int | None = None,
    suppressed: str = "error",
) -> pd.DataFrame:
    """Read a user's table of area indicators (CSV or Excel) and validate it.

    Parameters
    ----------
    path
        CSV (``;`` + decimal comma, or ``,`` + decimal point) or Excel file.
    area_col
        Column with the area code or name (required, unique per area [and year]).
    year_col
        Optional year column.
    indicator_cols
        Indicator columns to read; default: every other column.
    count_cols
        Indicator columns that are counts: whole numbers ≥ 0.
    known_areas
        If given, every area code must be one of these.
    years
        If given (with ``year_col``), every year must be one of these.
    sep, convention, encoding, sheet
        Override separator, number convention (``"de"``/``"international"``),
        text encoding and worksheet; by default they are detected.
    suppressed
        ``"error"`` (default) rejects cells such as ``"."``, ``"-"``, ``"x"``;
        ``"missing"`` reads them as NaN.

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (string), ``year`` (if given), then the indicators as floats.

    Raises
    ------
    InputDataError
        On any problem, naming file, column and data row.
    """
    path = Path(path)
    label = str(path)
    frame, used = read_text_table(path, sep=sep, encoding=encoding, sheet=sheet)
    conv = _convention(used, convention)
    acol = _find_column(frame, area_col, label, "the area")
    out = pd.DataFrame({"area": _area_column(frame, acol, label)})
    if year_col is not None:
        ycol = _find_column(frame, year_col, label, "the year")
        out["year"] = _year_column(frame, ycol, label, years, conv)
    _check_known(out["area"], known_areas, label, acol)
    _check_duplicates(out, label, acol)
    skip = {acol} | ({_find_column(frame, year_col, label, "the year")} if year_col else set())
    if indicator_cols is None:
        cols = [c for c in frame.columns if c not in skip]
    else:
        cols = [_find_column(frame, c, label, "an indicator") for c in indicator_cols]
    if not cols:
        raise InputDataError("the table has no indicator columns", file=label)
    for col in cols:
        values = _numeric_column(frame, col, label, conv, suppressed=suppressed, required=False)
        if col in count_cols:
            _check_counts(values, label)
        out[col] = values
    return out


def read_case_panel(
    path: str | Path,
    *,
    area_col: str = "area",
    year_col: str = "year",
    cases_col: str = "cases",
    population_col: str = "population",
    known_areas: Iterable[str] | None = None,
    years: Sequence[int] | None = None,
    balanced: bool = True,
    sep: str | None = None,
    convention: str = "auto",
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a panel of case counts (area × year) with its population and validate it.

    Parameters
    ----------
    path
        CSV or Excel file with one row per area and year.
    area_col, year_col, cases_col, population_col
        Column names in the file (matched without regard to case).
    known_areas
        If given, every area must be one of these.
    years
        If given, every year must be one of these.
    balanced
        Require every area to have a row for every year present in the file.
    sep, convention, encoding, sheet
        As in :func:`read_indicator_table`.

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (str), ``year``, ``cases``, ``population`` (int64),
        sorted by area and year.

    Raises
    ------
    InputDataError
        For a missing column, missing/duplicated/unknown area, a year outside
        ``years``, a suppressed, negative or non-integer count, or a zero or
        missing population.
    """
    path = Path(path)
    label = str(path)
    frame, used = read_text_table(path, sep=sep, encoding=encoding, sheet=sheet)
    conv = _convention(used, convention)
    acol = _find_column(frame, area_col, label, "the area")
    ycol = _find_column(frame, year_col, label, "the year")
    ccol = _find_column(frame, cases_col, label, "the case counts")
    pcol = _find_column(frame, population_col, label, "the population")
    out = pd.DataFrame({"area": _area_column(frame, acol, label)})
    out["year"] = _year_column(frame, ycol, label, years, conv)
    _check_known(out["area"], known_areas, label, acol)
    _check_duplicates(out[["area", "year"]], label, acol)
    cases = _numeric_column(frame, ccol, label, conv, suppressed="error", required=True)
    out["cases"] = _check_counts(cases, label).astype("int64")
    pop = _numeric_column(frame, pcol, label, conv, suppressed="error", required=True)
    out["population"] = _check_counts(pop, label, positive=True).astype("int64")
    if balanced:
        all_years = sorted(out["year"].unique())
        for area, group in out.groupby("area", sort=True):
            missing = sorted(set(all_years) - set(group["year"]))
            if missing:
                raise InputDataError(
                    f"the area {area!r} has no row for year(s) "
                    f"{', '.join(map(str, missing))}",
                    file=label,
                    column=ycol,
                    hint="add the missing rows, or pass balanced=False",
                )
    return out.sort_values(["area", "year"]).reset_index(drop=True)
