"""Readers for users' own files: area indicator tables and case-count panels.

Planners in other cities bring their own tables as CSV (German convention:
``;`` separator, decimal comma, ``.`` between thousands; or international:
``,`` separator, decimal point) or as Excel workbooks. These readers accept
both and check everything a later computation relies on. A problem never
ends in a bare pandas traceback or a silently wrong number: it raises
:class:`~sozialanalyse.errors.InputDataError` with a stable code, naming the file,
the column and the row. Rows are the line numbers of the file as an editor or a
spreadsheet shows them (the header is usually line 1, so the first data row is
line 2).

Everything that can be detected can also be set (keyword argument / CLI option):
encoding (``encoding`` / ``--encoding``), separator (``sep`` / ``--delimiter``),
decimal sign (``convention`` / ``--decimal``), worksheet (``sheet`` / ``--sheet``),
header row (``header_row`` / ``--header-row``; title rows above the header are
found and skipped), column names (``area_col`` … / ``--area-column`` …) and the list
of valid areas (``known_areas`` / ``--areas``). Count checks use the package's one
validator, :mod:`sozialanalyse.validation`.

Expected columns
----------------
Indicator table (one row per area, or per area and year):
    ``area`` (code or name of the area), optionally ``year``, then one numeric
    column per indicator.
Case panel (one row per area and year):
    ``area``, ``year``, ``cases`` (whole number ≥ 0), ``population``
    (whole number > 0, the population the cases are counted in, e.g.
    residents under 21), optionally ``start_year``.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from sozialanalyse.errors import InputDataError, InputDataWarning
from sozialanalyse.validation import (
    DEFAULT_MAX_RATE,
    area_text,
    check_areas,
    check_counts,
    validate_panel,
)

#: Cell contents that statistical offices use for suppressed or unavailable values.
SUPPRESSED_TOKENS = frozenset({".", "-", "–", "—", "x", "X", "*", "/", "...", "…",
                               "k.A.", "k. A.", "n.v.", "n. v.", "NA", "N/A", "n/a",
                               "keine Angabe"})

#: Area names that mark a total row, not an area ("Stadt insgesamt", "Summe" …).
TOTAL_ROW = re.compile(r"^(stadt\s*)?(insgesamt|gesamt|summe|total|zusammen)$|^gesamtstadt$"
                       r"|^(stadt|land|bund)\s+(insgesamt|gesamt)$", re.IGNORECASE)

_DE_NUMBER = re.compile(r"^[+-]?([1-9]\d{0,2}(\.\d{3})+|\d+)(,\d+)?$")
_INT_NUMBER = re.compile(r"^[+-]?([1-9]\d{0,2}(,\d{3})+|\d+)(\.\d+)?$")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_SEPARATORS = (";", "\t", ",", "|")
_SCAN_ROWS = 30
_ENCODING_HINT = ("die Datei im Tabellenprogramm als 'CSV UTF-8' speichern oder die Kodierung "
                  "angeben: --encoding cp1252 (in Python encoding='cp1252'); latin-1 geht auch")


# --------------------------------------------------------------------------- decoding
def _decode(raw: bytes, label: str, encoding: str | None) -> str:
    if encoding is not None:
        try:
            text = raw.decode(encoding)
        except LookupError:
            raise InputDataError(f"die Zeichenkodierung '{encoding}' ist unbekannt",
                                 file=label, code="E-READ-003",
                                 hint="z. B. utf-8, cp1252 oder latin-1 angeben "
                                 "(--encoding)") from None
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            raise InputDataError(f"die Datei passt nicht zur Kodierung '{encoding}' "
                                 f"(Byte 0x{raw[err.start:err.start + 1].hex()})",
                                 file=label, row=line, code="E-READ-003",
                                 hint="eine andere Kodierung angeben (--encoding) oder "
                                 "die Angabe weglassen (UTF-8)") from None
        return text.removeprefix("\ufeff")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise InputDataError("die Datei beginnt wie UTF-16, ist aber nicht lesbar",
                                 file=label, code="E-READ-003",
                                 hint=_ENCODING_HINT) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.start + 1]
        guess = bad.decode("cp1252", errors="replace")
        raise InputDataError(
            f"die Datei ist nicht UTF-8-kodiert: das Byte 0x{bad.hex()} ist in einer älteren "
            f"Windows-/latin-1-Kodierung das Zeichen '{guess}'",
            file=label, row=line, code="E-READ-003", hint=_ENCODING_HINT,
        ) from None


# --------------------------------------------------------------------------- raw rows
def _csv_rows(text: str, sep: str, label: str) -> list[tuple[int, list[str]]]:
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    start = 1
    try:
        for cells in reader:
            rows.append((start, [c.strip() for c in cells]))
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputDataError(f"die Datei ist keine lesbare Textdatei ({err})", file=label,
                             row=reader.line_num or None, code="E-READ-008",
                             hint="ist es eine Excel-Datei mit falscher Endung? Dann als "
                             ".xlsx speichern; sonst als 'CSV UTF-8' speichern") from None
    return [(n, c) for n, c in rows if any(c)]


def _sniff_separator(text: str) -> str:
    """The separator that splits the first lines most consistently into several fields."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    best, best_key = ";", (0, 0, 0)
    for rank, sep in enumerate(_SEPARATORS):
        counts = [len(next(csv.reader([ln], delimiter=sep))) for ln in lines]
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        mode = max(set(multi), key=multi.count)
        key = (multi.count(mode), mode, -rank)
        if key > best_key:
            best, best_key = sep, key
    return best


def _excel_rows(path: Path, sheet: str | int | None, label: str
                ) -> list[tuple[int, list[object]]]:
    try:
        with pd.ExcelFile(path) as book:
            return _sheet_rows(book, sheet, label)
    except InputDataError:
        raise
    except Exception as err:  # noqa: BLE001 - any reader failure is a bad file for the user
        raise InputDataError(f"die Excel-Datei ist nicht lesbar ({type(err).__name__}: "
                             f"{err})", file=label, code="E-READ-005",
                             hint="die Datei in Excel öffnen und neu als .xlsx speichern, "
                             "oder als 'CSV UTF-8' exportieren") from None


def _sheet_rows(book: pd.ExcelFile, sheet: str | int | None, label: str
                ) -> list[tuple[int, list[object]]]:
    names = [str(n) for n in book.sheet_names]
    if sheet is None or sheet == "":
        target: str | int = 0
    elif str(sheet) in names:
        target = names.index(str(sheet))
    elif str(sheet).isdigit() and 1 <= int(sheet) <= len(names):
        target = int(sheet) - 1
    else:
        raise InputDataError(f"das Arbeitsblatt '{sheet}' gibt es nicht (Blätter: "
                             f"{', '.join(names)})", file=label, code="E-READ-005",
                             hint="Namen oder Nummer ab 1 angeben (--sheet)")
    frame = book.parse(target, header=None, dtype=object)
    rows = []
    for i, values in enumerate(frame.itertuples(index=False), start=1):
        cells = ["" if v is None or (isinstance(v, float) and math.isnan(v)) else
                 (v.strip() if isinstance(v, str) else v) for v in values]
        if any(c != "" for c in cells):
            rows.append((i, cells))
    return rows


def _filled(cells: Sequence[object]) -> int:
    return sum(1 for c in cells if c != "")


def _header_name(cell: object) -> str:
    return area_text(cell) if not isinstance(cell, str) else cell.strip()


def _locate_header(rows: list[tuple[int, list[object]]], expected: Sequence[str],
                   header_row: int | None, label: str) -> tuple[int, int | None]:
    """Index of the header in ``rows`` and, if unsure, a guessed line for the message."""
    if header_row is not None:
        for k, (line, _cells) in enumerate(rows):
            if line == header_row:
                return k, None
        raise InputDataError(f"in Zeile {header_row} steht keine Kopfzeile (die Zeile ist "
                             "leer oder fehlt)", file=label, row=header_row,
                             code="E-READ-006", hint="die Zeilennummer der Kopfzeile "
                             "prüfen (--header-row)")
    want = {e.lower() for e in expected}
    if want:
        for k, (_line, cells) in enumerate(rows[:_SCAN_ROWS]):
            names = {_header_name(c).lower() for c in cells}
            if want <= names:
                return k, None
    # title rows: leading rows with at most one filled cell above a wider row
    k = 0
    while k < min(len(rows), _SCAN_ROWS) and _filled(rows[k][1]) <= 1:
        k += 1
    if k >= len(rows) or k >= _SCAN_ROWS:
        k = 0
    guess = None
    if want:
        scores = [(len(want & {_header_name(c).lower() for c in cells}), -i)
                  for i, (_line, cells) in enumerate(rows[:_SCAN_ROWS])]
        best = max(scores) if scores else (0, 0)
        if best[0] > 0 and -best[1] != k:
            guess = rows[-best[1]][0]
    return k, guess


def read_text_table(
    path: Path,
    *,
    sep: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    expected: Sequence[str] = (),
) -> tuple[pd.DataFrame, str]:
    """Read a CSV or Excel file as text cells; return the frame and the separator used.

    The first step of every reader: it detects encoding, separator and header row (or
    reads the worksheet) and leaves all cells as they are, so that number conventions
    and suppressed cells are interpreted afterwards, column by column.

    Parameters
    ----------
    path
        CSV or Excel file.
    sep, encoding, sheet
        Separator, text encoding, worksheet (name, or number from 1); detected if None.
    header_row
        Line number of the header (1 = first line). By default the header is the first
        line that holds all ``expected`` names; failing that, title lines (at most one
        filled cell) above the first wider line are skipped (with a warning).
    expected
        Column names the caller needs (for finding the header row).

    Returns
    -------
    (pandas.DataFrame, str)
        Cells as objects (stripped text, or numbers from Excel), the index holding each
        row's line number in the file; and the separator (``"excel"`` for workbooks).
        ``frame.attrs["header_line"]`` is the header's line number and
        ``frame.attrs["header_guess"]`` a line that might be the real header (or None).

    Raises
    ------
    InputDataError
        Missing or empty file, header only, undecodable text, rows with a different
        number of fields than the header, repeated or unnamed columns, unreadable
        workbooks.
    """
    path = Path(path)
    label = str(path)
    if not path.exists():
        raise InputDataError("die Datei gibt es nicht", file=label, code="E-READ-001",
                             hint="Pfad und Dateinamen prüfen")
    if path.is_dir():
        raise InputDataError("das ist ein Ordner, keine Datei", file=label, code="E-READ-001")
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        rows = _excel_rows(path, sheet, label)
        used = "excel"
    else:
        text = _decode(path.read_bytes(), label, encoding)
        if "\x00" in text:
            raise InputDataError("die Datei enthält Nullbytes und ist keine Textdatei",
                                 file=label, code="E-READ-008",
                                 hint="ist es eine Excel-Datei mit falscher Endung? Sonst "
                                 "als 'CSV UTF-8' speichern oder die Kodierung angeben "
                                 "(--encoding utf-16)")
        if not text.strip():
            raise InputDataError("die Datei ist leer", file=label, code="E-READ-002")
        used = sep or _sniff_separator(text)
        rows = _csv_rows(text, used, label)
    if not rows:
        raise InputDataError("die Datei ist leer", file=label, code="E-READ-002")
    k, guess = _locate_header(rows, expected, header_row, label)
    try:
        return _build_frame(rows, k, guess, used, label, header_row)
    except InputDataError as err:
        if guess is None or err.code == "E-READ-002":
            raise
        raise InputDataError(
            f"die Kopfzeile (Zeile {rows[k][0]}) passt nicht zur Tabelle ({err.message}). "
            f"Kopfzeile in Zeile {guess}?", file=label, row=rows[k][0], code="E-READ-006",
            hint=f"die Zeile der Kopfzeile angeben: --header-row {guess} (in Python "
            f"header_row={guess})") from None


def _build_frame(rows: list[tuple[int, list[object]]], k: int, guess: int | None, used: str,
                 label: str, header_row: int | None) -> tuple[pd.DataFrame, str]:
    """The frame below header row ``k`` (see :func:`read_text_table`)."""
    header_line, header = rows[k][0], [_header_name(c) for c in rows[k][1]]
    if k > 0 and header_row is None:
        warnings.warn(InputDataWarning(
            f"Datei '{label}': Kopfzeile in Zeile {header_line} erkannt; "
            f"{k} Titelzeile(n) darüber übersprungen (sonst --header-row angeben)"),
            stacklevel=4)
    body = rows[k + 1:]
    while header and header[-1] == "" and all(len(c) < len(header) or c[len(header) - 1] == ""
                                              for _n, c in body):
        header = header[:-1]  # trailing empty columns (e.g. a trailing separator)
    width = len(header)
    cells_out: list[list[object]] = []
    for line, cells in body:
        if len(cells) > width and all(c == "" for c in cells[width:]):
            cells = cells[:width]
        if len(cells) != width and used != "excel":
            more = len(cells) > width
            raise InputDataError(
                f"die Zeile hat {len(cells)} Felder, die Kopfzeile {width} "
                f"(Trennzeichen {used!r})",
                file=label, row=line, code="E-READ-004",
                hint="ein Dezimalkomma in einer kommagetrennten Datei teilt eine Zahl in "
                "zwei Felder: ';' als Trennzeichen verwenden oder Dezimalpunkte schreiben; "
                "das Trennzeichen lässt sich mit --delimiter angeben"
                if more else "ein Wert fehlt oder die Zeile ist abgeschnitten")
        cells_out.append(list(cells[:width]) + [""] * (width - len(cells)))
    for j, name in enumerate(header):
        if name == "":
            if all(c[j] == "" for c in cells_out):
                continue
            raise InputDataError(f"die {j + 1}. Spalte hat keinen Namen, aber Werte",
                                 file=label, row=header_line, code="E-READ-009",
                                 hint="der Spalte in der Kopfzeile einen Namen geben")
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        if name == "":
            continue
        if name.lower() in seen:
            raise InputDataError(
                f"der Spaltenname '{name}' kommt zweimal vor ({seen[name.lower()] + 1}. und "
                f"{j + 1}. Spalte)", file=label, column=name, row=header_line,
                code="E-READ-007", hint="jede Spalte braucht einen eigenen Namen; die "
                "doppelte Spalte umbenennen oder löschen")
        seen[name.lower()] = j
    keep = [j for j, name in enumerate(header) if name != ""]
    frame = pd.DataFrame([[c[j] for j in keep] for c in cells_out],
                         columns=[header[j] for j in keep],
                         index=pd.Index([n for n, _c in body], name="line"), dtype=object)
    if frame.empty:
        raise InputDataError("die Datei hat nur eine Kopfzeile und keine Datenzeilen",
                             file=label, row=header_line, code="E-READ-002",
                             hint="unter der Kopfzeile eine Zeile je Gebiet (und Jahr) "
                             "eintragen")
    frame.attrs["header_line"] = header_line
    frame.attrs["header_guess"] = guess
    return frame, used


def read_area_list(path: str | Path, *, area_col: str = "area",
                   **options: object) -> list[str]:
    """Read a list of valid areas: a column ``area`` (any case) or a single column.

    In a file with one column and no ``area`` header, the first line counts as an
    area too (a stray header only adds a name nobody uses).
    """
    frame, _ = read_text_table(Path(path), **options)  # type: ignore[arg-type]
    lookup = {c.lower(): c for c in frame.columns}
    if area_col.lower() in lookup:
        values = frame[lookup[area_col.lower()]].tolist()
    elif len(frame.columns) == 1:
        values = [frame.columns[0], *frame.iloc[:, 0].tolist()]
    else:
        raise InputDataError(f"die Gebietsliste hat keine Spalte '{area_col}' (vorhanden: "
                             f"{', '.join(frame.columns)})", file=str(path), column=area_col,
                             code="E-COL-001", hint="eine Spalte 'area' oder nur eine "
                             "Spalte mit den Gebieten")
    return [a for a in (area_text(v) for v in values) if a != ""]


# --------------------------------------------------------------------------- numbers
def parse_number(cell: object, convention: str) -> float:
    """Parse one cell as a number in the given convention (``"de"`` or ``"international"``).

    Returns NaN for an empty cell. Raises ``ValueError`` with a German reason otherwise
    (``"suppressed"`` for a mark of a suppressed cell).
    """
    if isinstance(cell, bool):
        raise ValueError("ist ein Ja/Nein-Wert, keine Zahl")
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    text = text.replace("\u2212", "-")
    if text == "":
        return math.nan
    if text in SUPPRESSED_TOKENS or str(cell).strip() in SUPPRESSED_TOKENS:
        raise ValueError("suppressed")
    if text.endswith("%"):
        raise ValueError("enthält ein Prozentzeichen; nur die Zahl eintragen (12,5 statt "
                         "12,5 %)")
    if convention == "de":
        if _DE_NUMBER.match(text):
            return float(text.replace(".", "").replace(",", "."))
        if re.match(r"^[+-]?\d+\.\d+$", text):
            raise ValueError(
                "hat einen Dezimalpunkt, aber in einer deutschen Datei (';'-getrennt) trennt "
                "'.' Tausender; ein Dezimalkomma schreiben (z. B. 1,5) oder --decimal . "
                "angeben"
            )
    else:
        if _INT_NUMBER.match(text):
            return float(text.replace(",", ""))
        if re.match(r"^[+-]?\d+,\d+$", text):
            raise ValueError(
                "hat ein Dezimalkomma, aber die Datei nutzt das internationale Format; einen "
                "Dezimalpunkt schreiben (z. B. 1.5), --decimal , angeben oder die Datei mit "
                "';' als Trennzeichen speichern"
            )
    raise ValueError("ist keine Zahl")


def find_column(frame: pd.DataFrame, wanted: str, label: str, what: str,
                option: str | None = None, hint: str | None = None) -> str:
    """The file's name of column ``wanted`` (any case), or a German error.

    The error says whether the separator is wrong, whether the header might be in
    another line ("Kopfzeile in Zeile 3?") or which columns were found, and names the
    option that fixes it.
    """
    lookup = {c.lower(): c for c in frame.columns}
    if wanted.lower() in lookup:
        return lookup[wanted.lower()]
    found = ", ".join(repr(c) for c in frame.columns)
    if len(frame.columns) == 1 and any(s in frame.columns[0] for s in (";", ",", "\t")):
        raise InputDataError(
            f"die Kopfzeile wurde als eine einzige Spalte {frame.columns[0]!r} gelesen: das "
            "Trennzeichen passt nicht zur Datei",
            file=label, column=wanted, code="E-READ-004",
            hint="das Trennzeichen angeben: --delimiter ';' oder --delimiter ',' (in Python "
            "sep=)")
    guess = frame.attrs.get("header_guess")
    if guess is not None:
        raise InputDataError(
            f"die Spalte für {what} fehlt in der Kopfzeile (Zeile "
            f"{frame.attrs.get('header_line')}; gefunden: {found}). Kopfzeile in Zeile "
            f"{guess}?", file=label, column=wanted, code="E-READ-006",
            hint=f"die Zeile der Kopfzeile angeben: --header-row {guess} (in Python "
            f"header_row={guess})")
    year_columns = [c for c in frame.columns if re.fullmatch(r"(19|20)\d\d", str(c))]
    if len(year_columns) >= 2 and hint is None:
        hint = (f"die Jahre stehen als Spalten ({', '.join(year_columns[:3])} …): die Datei "
                "braucht die lange Form, eine Zeile je Gebiet und Jahr mit Spalten wie area, "
                "year und den Werten (in Excel z. B. mit Power Query „Spalten entpivotieren“)")
    how = f"{option} NAME" if option else "den tatsächlichen Namen als Argument"
    raise InputDataError(
        f"die Spalte für {what} fehlt (gefunden: {found})",
        file=label, column=wanted, code="E-COL-001",
        hint=hint or f"die Spalte '{wanted}' nennen oder ihren Namen angeben ({how})")


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
    for line, cell in zip(frame.index, frame[col].tolist(), strict=True):
        try:
            value = parse_number(cell, convention)
        except ValueError as err:
            if str(err) == "suppressed":
                if suppressed == "missing":
                    values.append(math.nan)
                    continue
                raise InputDataError(
                    f"die Zelle enthält {str(cell).strip()!r}, ein Zeichen für einen "
                    "gesperrten (geheim gehaltenen) oder fehlenden Wert, keine Zahl",
                    file=label, column=col, row=int(line), code="E-VAL-003",
                    hint="jede Fallzahl eines Panels wird gebraucht: beim Datenhalter die "
                    "ungesperrte Zahl erfragen oder das Gebiet weglassen"
                    if required
                    else "solche Zellen als fehlende Werte lesen (--suppressed-as-missing, in "
                    "Python suppressed='missing') und ausdrücklich entscheiden, wie sie "
                    "ersetzt werden",
                ) from None
            raise InputDataError(
                f"der Wert {str(cell).strip()!r} {err}", file=label, column=col,
                row=int(line), code="E-VAL-002",
                hint="das Dezimalzeichen lässt sich mit --decimal angeben"
                if re.fullmatch(r"[\s+\-\d.,]*\d[\s\d.,]*", str(cell))
                and "--decimal" not in str(err) else None) from None
        if required and math.isnan(value):
            raise InputDataError("die Zelle ist leer", file=label, column=col,
                                 row=int(line), code="E-VAL-001")
        if math.isinf(value):
            raise InputDataError(f"der Wert {str(cell).strip()!r} ist keine endliche Zahl",
                                 file=label, column=col, row=int(line), code="E-VAL-002")
        values.append(value)
    return pd.Series(values, index=frame.index, name=col, dtype=float)


def _is_text_column(cells: pd.Series, convention: str) -> bool:
    """Whether no filled cell of a column is a number (a column of names or remarks)."""
    for cell in cells.tolist():
        try:
            value = parse_number(cell, convention)
        except ValueError:
            continue
        if not math.isnan(value):
            return False
    return True


def _area_column(frame: pd.DataFrame, col: str, label: str,
                 known: Iterable[str] | None = None) -> pd.Series:
    areas = frame[col].map(area_text)
    allowed = {str(k) for k in known} if known is not None else set()
    for line, value in zip(frame.index, areas.tolist(), strict=True):
        if TOTAL_ROW.match(value) and value not in allowed:
            raise InputDataError(
                f"die Zeile '{value}' sieht nach einer Summenzeile aus, nicht nach einem "
                "Gebiet; sie ginge sonst als weiteres Gebiet in die Rechnung ein",
                file=label, column=col, row=int(line), code="E-AREA-006",
                hint="Summen- und Fußzeilen aus der Tabelle löschen; ist es wirklich ein "
                "Gebiet, es in die Liste gültiger Gebiete aufnehmen (--areas)")
        if value == "":
            raise InputDataError("der Gebietsname fehlt", file=label, column=col,
                                 row=int(line), code="E-AREA-001",
                                 hint="Gebiet eintragen oder die Zeile löschen "
                                 "(Fußnoten gehören nicht in die Tabelle)")
    return areas


def _check_duplicates(keys: pd.DataFrame, label: str, col: str) -> None:
    dup = keys.duplicated(keep=False)
    if dup.any():
        lines = [int(n) for n in keys.index[dup.to_numpy()]]
        first = keys.loc[lines[0]].tolist()
        raise InputDataError(
            f"das Gebiet {first[0]!r} kommt mehrfach vor"
            + (f" für das Jahr {first[1]}" if len(first) > 1 else "")
            + f" (Zeilen {', '.join(map(str, lines[:5]))})",
            file=label, column=col, row=lines[1], code="E-AREA-002",
            hint="eine Zeile je Gebiet" + (" und Jahr" if len(first) > 1 else "")
            + " behalten")


def _year_column(
    frame: pd.DataFrame, col: str, label: str, years: Sequence[int] | None, convention: str
) -> pd.Series:
    values = _numeric_column(frame, col, label, convention, suppressed="error", required=True)
    for line, value in zip(frame.index, values.tolist(), strict=True):
        if value != int(value) or not 1800 <= value <= 2200:
            raise InputDataError(f"das Jahr muss eine Jahreszahl sein, gefunden {value:g}",
                                 file=label, column=col, row=int(line), code="E-VAL-006")
        if years is not None and int(value) not in set(years):
            raise InputDataError(
                f"das Jahr {int(value)} liegt außerhalb der Jahre der Daten "
                f"({min(years)}–{max(years)})",
                file=label, column=col, row=int(line), code="E-VAL-006",
                hint="die Zeile entfernen oder die erlaubten Jahre erweitern")
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
    population_cols: Sequence[str] = (),
    known_areas: Iterable[str] | None = None,
    years: Sequence[int] | None = None,
    sep: str | None = None,
    convention: str = "auto",
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    suppressed: str = "error",
    frame: tuple[pd.DataFrame, str] | None = None,
    needed: Sequence[str] | None = None,
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
    population_cols
        Columns with residents (whole numbers ≥ 0; a negative population is an error,
        never a screened-out area).
    known_areas
        If given, every area must be one of these (``--areas``).
    years
        If given (with ``year_col``), every year must be one of these.
    sep, convention, encoding, sheet, header_row
        Override separator, number convention (``"de"``/``"international"``), text
        encoding, worksheet and header line; by default they are detected.
    suppressed
        ``"error"`` (default) rejects cells such as ``"."``, ``"-"``, ``"x"``;
        ``"missing"`` reads them as NaN.
    frame
        The result of :func:`read_text_table` if the caller has read the file already
        (so a file is read once).
    needed
        The columns a method uses. If given, other columns that do not hold numbers (a
        column of area names, remarks) are left out with a warning instead of being an
        error.

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (string), ``year`` (if given), then the indicators as floats.

    Raises
    ------
    InputDataError
        On any problem, naming file, column and line.
    """
    path = Path(path)
    label = str(path)
    expected = [area_col] + ([year_col] if year_col else []) + list(indicator_cols or [])
    if frame is None:
        frame = read_text_table(path, sep=sep, encoding=encoding, sheet=sheet,
                                header_row=header_row,
                                expected=[*expected, *(needed or [])])
    table, used = frame
    conv = _convention(used, convention)
    acol = find_column(table, area_col, label, "das Gebiet", "--area-column")
    known_list = list(known_areas) if known_areas is not None else None
    out = pd.DataFrame({"area": _area_column(table, acol, label, known_list)},
                       index=table.index)
    skip = {acol}
    if year_col is not None:
        ycol = find_column(table, year_col, label, "das Jahr", "--year-column")
        out["year"] = _year_column(table, ycol, label, years, conv)
        skip.add(ycol)
    check_areas(out["area"].tolist(), known_list, file=label, column=acol,
                rows=[int(n) for n in out.index])
    _check_duplicates(out, label, acol)
    if indicator_cols is None:
        cols = [c for c in table.columns if c not in skip]
    else:
        cols = [find_column(table, c, label, f"den Indikator '{c}'") for c in indicator_cols]
    if not cols:
        raise InputDataError("die Tabelle hat keine Indikatorspalten", file=label,
                             code="E-COL-002", hint="neben 'area' (und 'year') eine Spalte "
                             "je Indikator")
    counts = {c.lower() for c in count_cols} | {c.lower() for c in population_cols}
    pops = {c.lower() for c in population_cols}
    wanted = {c.lower() for c in needed} if needed is not None else None
    for col in list(cols):
        try:
            values = _numeric_column(table, col, label, conv, suppressed=suppressed,
                                     required=False)
        except InputDataError:
            if wanted is None or col.lower() in wanted or not _is_text_column(table[col],
                                                                                conv):
                raise
            cols.remove(col)  # a text column the method does not use (e.g. area names)
            warnings.warn(InputDataWarning(
                f"Datei '{label}': die Spalte '{col}' enthält Text statt Zahlen und wird "
                "nicht verwendet"), stacklevel=2)
            continue
        if col.lower() in counts:
            check_counts(values.tolist(), file=label, column=col,
                         rows=[int(n) for n in table.index], missing="allow",
                         what="Bevölkerung" if col.lower() in pops else "Anzahl")
        out[col] = values
    empty = (table[cols] == "").all(axis=1).to_numpy()
    if empty.any():
        line = int(out.index[empty][0])
        raise InputDataError("die Zeile hat in keiner Indikatorspalte einen Wert", file=label,
                             row=line, area=out.loc[line, "area"], code="E-VAL-001",
                             hint="Werte eintragen oder die Zeile löschen (Fußnoten und "
                             "Summenzeilen gehören nicht in die Tabelle)")
    return out.reset_index(drop=True)


def parse_case_panel(
    path: str | Path,
    *,
    area_col: str = "area",
    year_col: str = "year",
    cases_col: str = "cases",
    population_col: str = "population",
    start_col: str | None = None,
    years: Sequence[int] | None = None,
    sep: str | None = None,
    convention: str = "auto",
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    known_areas: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a case-count panel's cells as numbers, before the panel checks.

    The first half of :func:`read_case_panel` (parameters as there), for callers that
    change the panel before validating it once (e.g. model areas named on the command
    line). Returns the panel with standard column names (``area``, ``year``, ``cases``,
    ``population`` and, if present, ``start_year``) indexed by the file's line numbers,
    and the mapping from standard names to the file's column names.
    """
    path = Path(path)
    label = str(path)
    table, used = read_text_table(path, sep=sep, encoding=encoding, sheet=sheet,
                                  header_row=header_row,
                                  expected=[area_col, year_col, cases_col, population_col])
    conv = _convention(used, convention)
    acol = find_column(table, area_col, label, "das Gebiet", "--area-column")
    ycol = find_column(table, year_col, label, "das Jahr", "--year-column")
    ccol = find_column(table, cases_col, label, "die Fallzahlen", "--cases-column")
    pcol = find_column(table, population_col, label, "die Bevölkerung",
                        "--population-column")
    lookup = {c.lower(): c for c in table.columns}
    scol = None
    if start_col is not None:
        scol = find_column(table, start_col, label, "das Startjahr", "--start-column")
    elif "start_year" in lookup:
        scol = lookup["start_year"]
    raw = pd.DataFrame({"area": _area_column(table, acol, label, known_areas)},
                       index=table.index)
    raw["year"] = _year_column(table, ycol, label, years, conv)
    raw["cases"] = _numeric_column(table, ccol, label, conv, suppressed="error", required=True)
    raw["population"] = _numeric_column(table, pcol, label, conv, suppressed="error",
                                        required=True)
    columns = {"area": acol, "year": ycol, "cases": ccol, "population": pcol}
    if scol is not None:
        raw["start_year"] = _numeric_column(table, scol, label, conv, suppressed="error",
                                            required=False)
        columns["start_year"] = scol
    return raw, columns


def read_case_panel(
    path: str | Path,
    *,
    area_col: str = "area",
    year_col: str = "year",
    cases_col: str = "cases",
    population_col: str = "population",
    start_col: str | None = None,
    known_areas: Iterable[str] | None = None,
    years: Sequence[int] | None = None,
    balanced: bool = True,
    max_rate: float | None = DEFAULT_MAX_RATE,
    sep: str | None = None,
    convention: str = "auto",
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> pd.DataFrame:
    """Read a panel of case counts (area × year) with its population and validate it.

    Parameters
    ----------
    path
        CSV or Excel file with one row per area and year.
    area_col, year_col, cases_col, population_col
        Column names in the file (matched without regard to case).
    start_col
        Column with the start year of the model areas (empty for comparison areas); by
        default ``start_year`` if the file has it. It is returned as ``start_year``.
    known_areas
        If given, every area must be one of these (``--areas``).
    years
        If given, every year must be one of these.
    balanced
        Require every area to have a row for every year present in the file.
    max_rate
        Highest plausible rate of cases per resident (default
        :data:`~sozialanalyse.validation.DEFAULT_MAX_RATE`); more cases than residents
        is always an error. ``None`` switches the plausibility check off.
    sep, convention, encoding, sheet, header_row
        As in :func:`read_indicator_table`.

    Returns
    -------
    pandas.DataFrame
        Columns ``area`` (str), ``year``, ``cases``, ``population`` (int64) and, if the
        file has a start column, ``start_year`` (float, NaN for comparison areas), sorted
        by area and year.

    Raises
    ------
    InputDataError
        Everything :func:`sozialanalyse.validation.validate_panel` checks, plus the
        file's own problems (encoding, separator, header, suppressed cells, numbers in the
        wrong convention), naming file, column and line.
    """
    path = Path(path)
    label = str(path)
    known_areas = list(known_areas) if known_areas is not None else None
    raw, columns = parse_case_panel(
        path, area_col=area_col, year_col=year_col, cases_col=cases_col,
        population_col=population_col, start_col=start_col, years=years, sep=sep,
        convention=convention, encoding=encoding, sheet=sheet, header_row=header_row,
        known_areas=known_areas)
    out = validate_panel(raw.rename(columns=columns), file=label, columns=columns,
                         balanced=balanced, max_rate=max_rate, valid_areas=known_areas,
                         rows=[int(n) for n in raw.index])
    out["population"] = out["population"].astype("int64")
    if "start_year" not in columns:
        out = out.drop(columns="start_year")
    return out
