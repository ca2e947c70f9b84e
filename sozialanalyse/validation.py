"""The package's one validator for counts and case-count panels.

Every path that takes case counts checks them here: the file readers
(:mod:`sozialanalyse.data.readers`), the evaluation designs (through
:func:`validate_panel`) and disclosure control (:mod:`sozialanalyse.disclosure`).
So the same fault gives the same German message and error code whichever way the
data came in.

Row numbers
-----------
Errors name a row as the user sees it. For a table read from a file the readers pass
the line numbers of the file (``rows``), so ``Zeile 7`` is line 7 in the editor or
spreadsheet; for a DataFrame built in Python, row ``n`` is the ``n``-th data row.

The tidy panel
--------------
One row per area and year with ``area``, ``year``, ``cases`` (whole number ≥ 0),
``population`` (the young residents the cases are counted in, > 0) and optionally
``start_year`` (first year under the new practice; empty for comparison areas).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError

__all__ = [
    "DEFAULT_MAX_RATE",
    "MIN_AREAS",
    "REQUIRED",
    "START",
    "area_text",
    "check_areas",
    "check_counts",
    "check_min_areas",
    "validate_panel",
]

REQUIRED: tuple[str, ...] = ("area", "year", "cases", "population")
START = "start_year"

DEFAULT_MAX_RATE: float = 0.25
"""Highest plausible rate of cases per young resident (250 per 1000).

Across German cities, Hilfen zur Erziehung reach a few per cent of young residents
per year; even the most burdened small areas stay far below one help in four young
residents. A higher rate almost always means swapped columns, a population of the
wrong age group or cases summed over several years. Callers can raise the bound
(``max_rate=``, ``--max-rate``); cases above the population are always an error.
"""

MIN_AREAS: int = 3
"""Fewest areas for which a standardised index (z-scores, ranks, classes) is computed."""


def _row_labels(n: int, rows: Sequence[int] | None) -> Sequence[int]:
    if rows is None:
        return range(1, n + 1)
    if len(rows) != n:
        raise ValueError("rows must have one label per value")
    return rows


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _as_float(value: object) -> float | None:
    """The value as float, NaN for missing, None if it is not a number."""
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    if isinstance(value, str) and value.strip() == "":
        return math.nan
    try:
        if pd.isna(value):
            return math.nan
    except (TypeError, ValueError):
        pass
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def area_text(value: object) -> str:
    """An area name or code as text: empty for a missing cell, ``"7"`` for ``7.0``."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # codes read as numbers by Excel
        text = text[:-2]
    return text


def check_counts(
    values: Iterable[object],
    *,
    file: str | None = None,
    column: str | None = None,
    rows: Sequence[int] | None = None,
    positive: bool = False,
    missing: str = "error",
    what: str = "Fallzahl",
) -> np.ndarray:
    """Check that values are counts: whole numbers ≥ 0 (or > 0 with ``positive``).

    Parameters
    ----------
    values
        The column's values (numbers, numeric strings, NaN/None/empty for missing).
    file, column
        Where the values come from (for the message).
    rows
        Row label (line number) of each value; default 1, 2, ….
    positive
        Require values > 0 (a population used as denominator).
    missing
        ``"error"`` (a missing value is an error) or ``"allow"`` (kept as NaN).
    what
        German name of the quantity for the message (``"Fallzahl"``, ``"Bevölkerung"``).

    Returns
    -------
    numpy.ndarray
        The values as floats (NaN for allowed missing values).

    Raises
    ------
    InputDataError
        ``E-VAL-001`` missing, ``E-VAL-002`` not a number, ``E-VAL-004`` negative or not
        whole, ``E-VAL-005`` a population of zero or below.
    """
    values = list(values)
    labels = _row_labels(len(values), rows)
    out = np.empty(len(values), dtype=float)
    for i, raw in enumerate(values):
        value = _as_float(raw)
        where = {"file": file, "column": column, "row": labels[i]}
        if value is None:
            raise InputDataError(f"der Wert '{_show(raw)}' ist keine Zahl; eine {what} muss "
                                 "eine ganze Zahl sein", code="E-VAL-002", **where)
        if math.isnan(value):
            if missing == "allow":
                out[i] = value
                continue
            raise InputDataError(f"die Zelle ist leer, es fehlt eine {what}",
                                 code="E-VAL-001", hint="den Wert nachtragen oder das Gebiet "
                                 "(alle seine Zeilen) weglassen", **where)
        if math.isinf(value):
            raise InputDataError(f"der Wert '{_show(raw)}' ist keine endliche Zahl",
                                 code="E-VAL-002", **where)
        if positive and value <= 0:
            raise InputDataError(
                f"die {what} muss größer als null sein, gefunden {_show(value)}",
                code="E-VAL-005",
                hint="eine Rate braucht eine positive Zahl von Einwohnern im Nenner; "
                "Gebiete ohne Einwohner weglassen", **where)
        if value < 0:
            raise InputDataError(f"eine {what} kann nicht negativ sein, gefunden "
                                 f"{_show(value)}", code="E-VAL-004", **where)
        if value != math.floor(value):
            raise InputDataError(
                f"eine {what} muss eine ganze Zahl sein, gefunden {_show(raw)}",
                code="E-VAL-004",
                hint="Zählwerte eintragen, keine Raten oder Mittelwerte; oder das "
                "Dezimalzeichen prüfen (--decimal)", **where)
        out[i] = value
    return out


def check_areas(
    areas: Sequence[str],
    valid: Iterable[str] | None,
    *,
    file: str | None = None,
    column: str | None = None,
    rows: Sequence[int] | None = None,
    source: str | None = None,
) -> None:
    """Every area must be in the user's list of valid areas (if one is given).

    Raises
    ------
    InputDataError
        ``E-AREA-003`` naming the first unknown area and its row.
    """
    if valid is None:
        return
    valid_set = {str(v).strip() for v in valid}
    labels = _row_labels(len(areas), rows)
    for i, area in enumerate(areas):
        if str(area) not in valid_set:
            close = sorted(v for v in valid_set if v.lower() == str(area).lower()
                           or v.lstrip("0") == str(area).lstrip("0"))
            sample = ", ".join(sorted(valid_set)[:8]) + (" …" if len(valid_set) > 8 else "")
            hint = (f"gemeint ist vielleicht '{close[0]}' (Schreibweise, führende Nullen)"
                    if close else f"gültig sind z. B. {sample}")
            raise InputDataError(
                f"das Gebiet '{area}' steht nicht in der Liste gültiger Gebiete"
                + (f" ({source})" if source else ""),
                file=file, column=column, row=labels[i], code="E-AREA-003",
                hint=hint + "; Schreibweise in der Datei oder in der Gebietsliste (--areas) "
                "korrigieren")


def check_min_areas(n: int, *, file: str | None = None, what: str = "ein Index",
                    needed: int = MIN_AREAS, column: str | None = None) -> None:
    """Raise ``E-AREA-004`` when fewer than ``needed`` areas remain."""
    if n < needed:
        raise InputDataError(
            f"{what} braucht mindestens {needed} Gebiete, die Daten haben {n}: mit so "
            "wenigen Gebieten lässt sich nicht standardisieren (keine Streuung zwischen "
            "Gebieten)", file=file, column=column, code="E-AREA-004",
            hint="eine Tabelle mit allen Gebieten der Stadt verwenden; beim Ausschluss "
            "kleiner Gebiete (--min-population) die Schwelle senken")


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def validate_panel(
    df: pd.DataFrame,
    *,
    file: str = "<DataFrame>",
    columns: Mapping[str, str] | None = None,
    require_start: bool = False,
    balanced: bool = True,
    max_rate: float | None = None,
    valid_areas: Iterable[str] | None = None,
    rows: Sequence[int] | None = None,
    require_cases: bool = False,
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
        If True, a ``start_year`` column must exist and at least one area must have a
        start year.
    balanced
        If True (default), every area must have every year of the panel.
    max_rate
        Plausibility check: the highest plausible rate ``cases / population`` (the
        file readers and the CLI use :data:`DEFAULT_MAX_RATE`); with any bound, more
        cases than population is an error too. ``None`` (default for DataFrames built
        in code, e.g. simulations) skips the check.
    valid_areas
        If given, every area must be one of these.
    rows
        Row label of each row of ``df`` for messages (the readers pass line numbers).
    require_cases
        Model areas need at least one case before and one from their start, comparison
        areas at least one case (else no rate ratio exists); the file paths set this.

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (str), ``year`` (int64), ``cases`` (int64), ``population``
        (float), ``start_year`` (float, NaN for comparison areas), sorted by area and year.

    Raises
    ------
    InputDataError
        For a missing column, no rows, an empty area, a year that is not whole, a count
        that is missing, negative or not whole, a population of zero or below, more cases
        than population or a rate above ``max_rate``, an area not in ``valid_areas``,
        duplicated area-years, missing years, all counts zero, or an unusable start year.
    """
    mapping = {k: k for k in (*REQUIRED, START)}
    if columns:
        mapping.update(columns)
    for std in REQUIRED:
        if mapping[std] not in df.columns:
            raise InputDataError(
                f"die Spalte '{mapping[std]}' fehlt (vorhanden: "
                f"{', '.join(map(str, df.columns)) or 'keine'})",
                file=file, column=mapping[std], code="E-COL-001",
                hint="ein Panel braucht die Spalten "
                f"{', '.join(mapping[c] for c in REQUIRED)}; anders benannte Spalten "
                "zuordnen (--area-column, --year-column, --cases-column, "
                "--population-column)")
    has_start = mapping[START] in df.columns
    if require_start and not has_start:
        raise InputDataError(
            f"die Spalte '{mapping[START]}' mit dem Startjahr der Modellgebiete fehlt",
            file=file, column=mapping[START], code="E-PANEL-003",
            hint="eine Spalte start_year ergänzen (leer bei Vergleichsgebieten) oder die "
            "Modellgebiete (--treated) und das Startjahr (--start-year) angeben")
    n = len(df)
    if n == 0:
        raise InputDataError("die Tabelle hat keine Datenzeilen", file=file,
                             code="E-READ-002",
                             hint="eine Zeile je Gebiet und Jahr unter der Kopfzeile eintragen")
    labels = list(_row_labels(n, rows))

    def col(std: str) -> list[object]:
        return list(df[mapping[std]].to_numpy())

    areas = []
    for i, value in enumerate(col("area")):
        text = area_text(value)
        if text == "":
            raise InputDataError("der Gebietsname fehlt", file=file, column=mapping["area"],
                                 row=labels[i], code="E-AREA-001")
        areas.append(text)
    years = np.empty(n, dtype=float)
    for i, value in enumerate(col("year")):
        year = _as_float(value)
        if year is None or math.isnan(year) or year != math.floor(year) \
                or not 1800 <= year <= 2200:
            raise InputDataError(f"das Jahr '{_show(value)}' ist keine gültige Jahreszahl",
                                 file=file, column=mapping["year"], row=labels[i],
                                 code="E-VAL-006")
        years[i] = year
    cases = check_counts(col("cases"), file=file, column=mapping["cases"], rows=labels)
    pop = check_counts(col("population"), file=file, column=mapping["population"],
                       rows=labels, positive=True, what="Bevölkerung")
    over = (cases > pop) if max_rate is not None else np.zeros(n, dtype=bool)
    if over.any():
        i = _first(over)
        raise InputDataError(
            f"mehr Fälle ({_show(cases[i])}) als Einwohner ({_show(pop[i])}) im Gebiet "
            f"'{areas[i]}' {int(years[i])}",
            file=file, column=mapping["cases"], row=labels[i], code="E-VAL-007",
            hint="sind die Spalten für Fälle und Bevölkerung vertauscht? Die Zuordnung mit "
            "--cases-column und --population-column angeben; die Bevölkerung muss die "
            "Altersgruppe sein, in der die Fälle gezählt werden")
    if max_rate is not None:
        high = cases / pop > max_rate
        if high.any():
            i = _first(high)
            raise InputDataError(
                f"unplausibel hohe Rate: {_show(cases[i])} Fälle bei {_show(pop[i])} "
                f"Einwohnern im Gebiet '{areas[i]}' {int(years[i])} sind "
                f"{round(1000 * cases[i] / pop[i])} je 1000, die Grenze ist "
                f"{round(1000 * max_rate)} je 1000",
                file=file, column=mapping["cases"], row=labels[i], code="E-VAL-007",
                hint="Spaltenzuordnung und Altersgruppe der Bevölkerung prüfen; wenn die "
                "Werte stimmen, die Grenze erhöhen (--max-rate bzw. max_rate=)")
    out = pd.DataFrame({"area": areas, "year": years.astype("int64"),
                        "cases": cases.astype("int64"), "population": pop})
    check_areas(areas, valid_areas, file=file, column=mapping["area"], rows=labels)

    key = pd.Series([f"{a}\x00{y}" for a, y in zip(areas, out["year"], strict=True)])
    dup = key.duplicated(keep="first").to_numpy()
    if dup.any():
        i = _first(dup)
        first = _first((key == key.iloc[i]).to_numpy())
        raise InputDataError(
            f"das Gebiet '{areas[i]}' hat das Jahr {out['year'].iloc[i]} zweimal (auch in "
            f"Zeile {labels[first]})",
            file=file, column=mapping["year"], row=labels[i], code="E-AREA-002",
            hint="eine Zeile je Gebiet und Jahr behalten")

    lo, hi = int(out["year"].min()), int(out["year"].max())
    if balanced:
        all_years = np.arange(lo, hi + 1)
        for area, grp in out.groupby("area", sort=True):
            missing = np.setdiff1d(all_years, grp["year"].to_numpy())
            if missing.size:
                more = f" (und {missing.size - 1} weitere Jahre)" if missing.size > 1 else ""
                raise InputDataError(
                    f"für das Gebiet '{area}' fehlt die Zeile des Jahres "
                    f"{int(missing[0])}{more}",
                    file=file, column=mapping["year"], area=str(area), code="E-PANEL-001",
                    hint=f"jedes Gebiet braucht jedes Jahr von {lo} bis {hi}; fehlende "
                    "Zeilen ergänzen oder das Gebiet weglassen")

    if cases.sum() == 0:
        raise InputDataError(
            "alle Fallzahlen sind null: ohne Fälle lässt sich keine Rate und kein Effekt "
            "schätzen", file=file, column=mapping["cases"], code="E-PANEL-002",
            hint="prüfen, ob die richtige Spalte als Fallzahl gelesen wurde (--cases-column)")

    if has_start:
        start_raw = col(START)
        start = np.empty(n, dtype=float)
        for i, value in enumerate(start_raw):
            s = _as_float(value)
            if s is None or (not math.isnan(s) and s != math.floor(s)):
                raise InputDataError(
                    f"das Startjahr '{_show(value)}' ist keine ganze Jahreszahl",
                    file=file, column=mapping[START], row=labels[i], code="E-PANEL-005")
            start[i] = s
        out[START] = start
    else:
        out[START] = np.nan
    nuniq = out.groupby("area")[START].nunique(dropna=False)
    if (nuniq > 1).any():
        area = nuniq.index[nuniq.to_numpy() > 1][0]
        i = _first((out["area"] == area).to_numpy())
        raise InputDataError(
            f"das Gebiet '{area}' hat mehr als ein Startjahr",
            file=file, column=mapping[START], row=labels[i], code="E-PANEL-005",
            hint="das Startjahr gehört zum Gebiet: in jeder seiner Zeilen denselben Wert "
            "eintragen")
    bad = (out[START].notna() & ((out[START] <= lo) | (out[START] > hi))).to_numpy()
    if bad.any():
        i = _first(bad)
        raise InputDataError(
            f"das Startjahr {int(out[START].iloc[i])} liegt außerhalb der Daten ({lo}–{hi}): "
            "eine Auswertung braucht mindestens ein Jahr vor dem Start und das Startjahr "
            "selbst",
            file=file, column=mapping[START], row=labels[i], code="E-PANEL-005")
    if require_start and out[START].isna().all():
        raise InputDataError(
            "kein Gebiet hat ein Startjahr: es gibt nichts auszuwerten",
            file=file, column=mapping[START], code="E-PANEL-003",
            hint="das Startjahr der Modellgebiete eintragen oder mit --treated und "
            "--start-year angeben")
    if require_cases:
        _check_zero_cells(out, file, mapping["cases"])
    return out.sort_values(["area", "year"], ignore_index=True)


def _check_zero_cells(out: pd.DataFrame, file: str, column: str) -> None:
    """Model areas need cases before and after their start (else no ratio exists)."""
    treated = out[out[START].notna()]
    if treated.empty:
        return
    before = treated.loc[treated["year"] < treated[START], "cases"].sum()
    after = treated.loc[treated["year"] >= treated[START], "cases"].sum()
    for total, when in ((before, "vor dem Start"), (after, "ab dem Start")):
        if total == 0:
            raise InputDataError(
                f"die Modellgebiete haben {when} keinen einzigen Fall: ein Verhältnis von "
                "Raten ist nicht bestimmbar",
                file=file, column=column, code="E-PANEL-002",
                hint="Fallzahlen und Startjahr prüfen; bei so kleinen Zahlen ist keine "
                "Auswertung möglich")
    controls = out[out[START].isna()]
    if not controls.empty and controls["cases"].sum() == 0:
        raise InputDataError(
            "die Vergleichsgebiete haben keinen einzigen Fall: kein Vergleich möglich",
            file=file, column=column, code="E-PANEL-002",
            hint="Fallzahlen prüfen oder andere Vergleichsgebiete wählen")
