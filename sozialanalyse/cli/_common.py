"""Shared pieces of the subcommands: file options, writing tables, user errors.

Standard library only at import time (numpy/pandas are imported inside the
functions that need them), so registering a command stays cheap.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "COLUMN_ROLES",
    "GermanParser",
    "EXIT_USER_ERROR",
    "add_input_options",
    "reader_kwargs",
    "run_guarded",
    "write_table",
]

EXIT_USER_ERROR = 2
"""Exit status for bad input files, options or method choices that do not fit the data."""

EXIT_INTERNAL_ERROR = 1
"""Exit status for an unexpected program error (reported without a traceback)."""

#: Column roles that can be mapped to the names used in a file:
#: role -> (option, reader keyword, German description).
COLUMN_ROLES: dict[str, tuple[str, str, str]] = {
    "area": ("--area-column", "area_col", "Gebiet (Standard: area)"),
    "year": ("--year-column", "year_col", "Jahr (Standard: year)"),
    "cases": ("--cases-column", "cases_col", "Fallzahlen (Standard: cases)"),
    "population": ("--population-column", "population_col",
                   "Bevölkerung, Nenner der Raten (Standard: population)"),
    "start_year": ("--start-column", "start_col",
                   "Startjahr der Modellgebiete (Standard: start_year)"),
}

class _GermanHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001, ANN201
        return super().add_usage(usage, actions, groups,
                                 "Aufruf: " if prefix is None else prefix)


class GermanParser(argparse.ArgumentParser):
    """An argument parser whose help and errors are German.

    argparse's own words (usage, headings, ``-h``) are replaced; an error prints the
    usage line and ``Fehler: …`` and exits with status 2.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _GermanHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "Argumente"
        self._optionals.title = "Optionen"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="diese Hilfe anzeigen und beenden")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"Fehler bei den Optionen: {message}\n"
                  f"Hilfe: {self.prog} --help\n")


_DELIMITERS = {";": ";", ",": ",", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}


def _delimiter(text: str) -> str:
    try:
        return _DELIMITERS[text.lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"unbekanntes Trennzeichen {text!r}; erlaubt: ';', ',', 'tab', '|'") from None


def _header_row(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"die Kopfzeile muss eine Zeilennummer ab 1 sein, nicht {text!r}")
    return value


def add_input_options(
    parser: argparse.ArgumentParser,
    roles: Iterable[str] = ("area", "year"),
    *,
    areas: bool = True,
) -> None:
    """Add the options that describe an input file.

    Parameters
    ----------
    parser
        The subcommand's parser.
    roles
        Column roles (keys of :data:`COLUMN_ROLES`) whose column names can be mapped.
    areas
        Whether to add ``--areas FILE`` (list of valid areas).
    """
    group = parser.add_argument_group("Datei lesen (nur nötig, wenn die Erkennung nicht passt)")
    group.add_argument("--encoding", default=None, metavar="KODIERUNG",
                       help="Zeichenkodierung der CSV-Datei, z. B. latin-1 oder cp1252 "
                       "(Standard: UTF-8, mit oder ohne BOM)")
    group.add_argument("--delimiter", type=_delimiter, default=None, metavar="ZEICHEN",
                       help="Trennzeichen der CSV-Datei: ';', ',', 'tab' oder '|' "
                       "(Standard: aus der Kopfzeile erkannt)")
    group.add_argument("--decimal", choices=[",", "."], default=None, metavar="ZEICHEN",
                       help="Dezimalzeichen: ',' (deutsch, Tausenderpunkt) oder '.' "
                       "(international); Standard: ',' bei ';'-Dateien, '.' bei ','-Dateien")
    group.add_argument("--sheet", default=None, metavar="BLATT",
                       help="Arbeitsblatt einer Excel-Datei: Name oder Nummer ab 1 "
                       "(Standard: das erste)")
    group.add_argument("--header-row", type=_header_row, default=None, metavar="N",
                       dest="header_row",
                       help="Zeilennummer der Kopfzeile (1 = erste Zeile; Standard: erkannt, "
                       "Titelzeilen darüber werden übersprungen)")
    cols = parser.add_argument_group("Spaltennamen (wenn sie in der Datei anders heißen)")
    for role in roles:
        option, dest, what = COLUMN_ROLES[role]
        cols.add_argument(option, default=None, dest=dest, metavar="NAME",
                          help=f"Spalte mit: {what}")
    if areas:
        group.add_argument("--areas", default=None, metavar="DATEI", dest="valid_areas",
                           help="Liste der gültigen Gebiete (CSV/Excel mit einer Spalte "
                           "'area' oder ein Gebiet je Zeile); Gebiete der Datei, die dort "
                           "fehlen, sind ein Fehler")


def reader_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for the readers and workflows from the file options.

    Only options the user gave are returned, so the readers' defaults (detection)
    apply otherwise.
    """
    out: dict[str, Any] = {}
    if getattr(args, "encoding", None):
        out["encoding"] = args.encoding
    if getattr(args, "delimiter", None):
        out["sep"] = args.delimiter
    if getattr(args, "decimal", None):
        out["convention"] = "de" if args.decimal == "," else "international"
    if getattr(args, "sheet", None) is not None:
        out["sheet"] = args.sheet
    if getattr(args, "header_row", None) is not None:
        out["header_row"] = args.header_row
    for _option, dest, _what in COLUMN_ROLES.values():
        if getattr(args, dest, None):
            out[dest] = getattr(args, dest)
    if getattr(args, "valid_areas", None):
        out["valid_areas"] = args.valid_areas
    return out


def write_table(
    frame: pd.DataFrame,
    out: str | None = None,
    *,
    digits: int = 3,
    show: bool = True,
    labels: dict[str, str] | None = None,
) -> None:
    """Show a table with German headers and numbers; if ``out`` is given, write a CSV.

    The screen shows German column names (:func:`sozialanalyse.labels.translate_frame`,
    plus ``labels``) and German numbers (:func:`sozialanalyse.formatting.format_frame`).
    The CSV file keeps the English column names and full precision in the international
    format (``,`` separator, decimal point, UTF-8), so that it can be read back without
    loss.
    """
    import pandas as pd

    from sozialanalyse.formatting import format_frame
    from sozialanalyse.labels import translate_frame

    if show:
        shown = translate_frame(format_frame(frame, digits), values=False, extra=labels)
        with pd.option_context("display.width", 200, "display.max_columns", 30,
                               "display.max_rows", 500, "display.max_colwidth", 60):
            print(shown.to_string(index=False))
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, index=False, encoding="utf-8")
        print(f"Tabelle geschrieben: {out}")


def _fail(message: str, code: int = EXIT_USER_ERROR) -> int:
    print(message, file=sys.stderr)
    return code


def run_guarded(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; turn user errors into a German message and exit status 2.

    The package's warnings raised during the run are printed as ``Warnung (Klasse): …``
    lines (German); other libraries' warnings only with ``args.debug``, which also
    prints the traceback of an error.
    """
    import traceback

    from sozialanalyse.errors import SozialanalyseError

    debug = bool(getattr(args, "debug", False))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                code = run(args)
            finally:
                for w in caught:
                    own = w.category.__module__.startswith("sozialanalyse")
                    if not (own or debug):
                        continue  # other libraries' (English) warnings only with --debug
                    text = " ".join(str(w.message).split())
                    name = w.category.__name__
                    print(f"Warnung ({name}): {text}", file=sys.stderr)
        return int(code)
    except KeyboardInterrupt:
        return _fail("Abgebrochen.", 130)
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except SozialanalyseError as err:
        if debug:
            traceback.print_exc()
        return _fail(err.render())
    except FileNotFoundError as err:
        if debug:
            traceback.print_exc()
        return _fail(f"Fehler E-READ-001 (FileNotFoundError): Datei '{err.filename}' "
                     "nicht gefunden. Abhilfe: Pfad und Dateinamen prüfen.")
    except OSError as err:
        if debug:
            traceback.print_exc()
        name = getattr(err, "filename", None)
        where = f"Datei '{name}': " if name else ""
        return _fail(f"Fehler E-READ-008 ({type(err).__name__}): {where}Datei kann nicht "
                     f"gelesen oder geschrieben werden ({err.strerror or err}).")
    except Exception as err:  # noqa: BLE001 - last resort: never a bare traceback
        if debug:
            traceback.print_exc()
        return _fail(
            f"Unerwarteter Fehler ({type(err).__name__}): {' '.join(str(err).split())}. "
            "Das ist vermutlich ein Programmfehler und kein Fehler Ihrer Datei; mit --debug "
            "wird der vollständige Traceback angezeigt – bitte mit ihm melden.",
            EXIT_INTERNAL_ERROR)
