"""Error and warning types of the package, with stable codes and German rendering.

Every error about input data names the file, the column and the row (or the area)
so that a planner can find the problem in a spreadsheet, says what is wrong in plain
German words and, where known, how to fix it. Each error carries a stable code
(``E-READ-012``) and shows its English class name, so a message can be searched for
in the documentation and the issue tracker whatever the language of the message::

    Fehler E-READ-012 (InputDataError): Datei 'x.csv', Spalte 'faelle', Zeile 7:
    der Wert 'zwölf' ist keine Zahl. Abhilfe: …

For a file, ``Zeile n`` is line ``n`` of the file as an editor or a spreadsheet shows it
(the header is usually line 1); for a DataFrame it is the ``n``-th data row.

The codes are listed in :data:`ERROR_CODES`; a code, once published, keeps its
meaning (new problems get new codes).
"""

from __future__ import annotations

#: Stable error codes and what kind of problem each stands for (German, for the docs).
ERROR_CODES: dict[str, str] = {
    # reading a file
    "E-READ-001": "Datei nicht gefunden",
    "E-READ-002": "Datei leer oder nur Kopfzeile",
    "E-READ-003": "Zeichenkodierung passt nicht",
    "E-READ-004": "Trennzeichen passt nicht / Zeile mit falscher Feldzahl",
    "E-READ-005": "Arbeitsblatt oder Excel-Datei nicht lesbar",
    "E-READ-006": "Kopfzeile nicht gefunden",
    "E-READ-007": "Spaltenname doppelt",
    "E-READ-008": "Datei nicht lesbar (sonstiges)",
    "E-READ-009": "Spalte ohne Namen",
    # columns
    "E-COL-001": "erforderliche Spalte fehlt",
    "E-COL-002": "keine Indikatorspalten",
    # cell values
    "E-VAL-001": "Zelle leer",
    "E-VAL-002": "Wert ist keine Zahl",
    "E-VAL-003": "Zelle gesperrt (Geheimhaltung)",
    "E-VAL-004": "Zählwert negativ oder nicht ganzzahlig",
    "E-VAL-005": "Bevölkerung null oder negativ",
    "E-VAL-006": "Jahr ungültig",
    "E-VAL-007": "Wert unplausibel (z. B. Fälle größer als Bevölkerung)",
    # areas
    "E-AREA-001": "Gebiet fehlt (leere Gebietszelle)",
    "E-AREA-002": "Gebiet doppelt",
    "E-AREA-003": "Gebiet nicht in der Liste gültiger Gebiete",
    "E-AREA-004": "zu wenige Gebiete",
    "E-AREA-005": "Modellgebiet nicht in der Datei",
    "E-AREA-006": "Summenzeile statt Gebiet",
    # case-count panels
    "E-PANEL-001": "Panel unvollständig (fehlende Jahre)",
    "E-PANEL-002": "alle Fallzahlen null",
    "E-PANEL-003": "kein Startjahr / keine Modellgebiete",
    "E-PANEL-004": "keine Vergleichsgebiete oder keine Jahre vor/nach dem Start",
    "E-PANEL-005": "Startjahr ungültig",
    # metadata of an index
    "E-META-001": "Metadaten: Spalte fehlt",
    "E-META-002": "Metadaten: Richtung ungültig",
    "E-META-003": "Metadaten: Gewichte unvollständig",
    "E-META-004": "Metadaten: Gewicht ungültig",
    "E-META-005": "Vorgabe (Preset) oder Metadatendatei unbekannt",
    "E-META-006": "Metadaten: Indikator doppelt",
    "E-META-007": "Metadaten: Indikator ohne Werte in den Daten",
    # generic fallbacks
    "E-INPUT-000": "Eingabefehler (nicht näher bestimmt)",
    "E-METHOD-000": "Methode passt nicht zu den Daten (nicht näher bestimmt)",
    "E-METHOD-001": "Methode passt nicht zu den Daten: keine Streuung",
    "E-METHOD-002": "Schätzung nicht möglich",
    "E-METHOD-003": "Indikator ohne Werte (alle fehlen)",
    "E-METHOD-004": "Gewichte ungültig",
    "E-METHOD-005": "Methode oder Parameter ungültig",
}


def _clean(text: str) -> str:
    return " ".join(str(text).split())


class SozialanalyseError(ValueError):
    """Base class of the package's user-facing errors.

    Parameters
    ----------
    message
        What is wrong, in German words a planner understands.
    file
        The file the data came from (or a description such as ``"<DataFrame>"``).
    column
        The column concerned, if any.
    row
        The 1-based data row (header not counted), if any.
    area
        The area concerned, if any (when no single row is to blame).
    hint
        How to fix it (German), if known; name only remedies that exist (a CLI option
        or a keyword argument).
    code
        Stable error code (a key of :data:`ERROR_CODES`); default: the class's
        generic code.
    """

    default_code = "E-INPUT-000"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
        area: str | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.column = column
        self.row = row
        self.area = area
        self.hint = hint
        self.code = code or self.default_code
        super().__init__(self.render())

    @property
    def location(self) -> str:
        """Where the problem is: ``Datei 'x.csv', Spalte 'faelle', Zeile 7``."""
        where = []
        if self.file is not None:
            where.append(f"Datei '{self.file}'")
        if self.column is not None:
            where.append(f"Spalte '{self.column}'")
        if self.row is not None:
            where.append(f"Zeile {self.row}")
        if self.area is not None:
            where.append(f"Gebiet '{self.area}'")
        return ", ".join(where)

    def render(self) -> str:
        """The German one-paragraph message shown to users (CLI, book, warnings)."""
        text = _clean(self.message)
        if self.location:
            text = f"{self.location}: {text}"
        if not text.endswith((".", "?", "!")):
            text += "."
        if self.hint:
            hint = _clean(self.hint)
            text += f" Abhilfe: {hint}{'' if hint.endswith(('.', '?', '!')) else '.'}"
        return f"Fehler {self.code} ({type(self).__name__}): {text}"

    def __str__(self) -> str:
        return self.render()


class InputDataError(SozialanalyseError):
    """A problem with input data, located by file, column and row (or area)."""

    default_code = "E-INPUT-000"


class MethodError(SozialanalyseError):
    """A method choice that cannot be applied to the data (e.g. zero variance)."""

    default_code = "E-METHOD-000"


class InputDataWarning(UserWarning):
    """A doubtful but usable input (German message), e.g. an implausibly high rate."""
