"""Helpers for the book's notebooks: numbered, citable, downloadable tables.

A table shown with :func:`table` becomes a real Sphinx table in the built book: it is
numbered together with every other table of the book ("Tab. 7.3"), can be cited with
``{numref}`tab-daten-quellen``` and has a link to download its content as CSV. It is
rendered as a MyST ``{table}`` directive in a ``text/markdown`` output, which myst-nb
parses as MyST because ``_config.yml`` sets ``nb_render_markdown_format: myst``.

Conventions (see CONTRIBUTING.md, "Tabellen und Abbildungen nummerieren"):

* ``name`` starts with ``tab-`` and the chapter's glue prefix, e.g. ``tab-daten-quellen``;
* the caption has no hand-typed number ("Tabelle 3: …" is wrong: Sphinx numbers);
* numbers are formatted by :mod:`sozialanalyse.formatting`, parameter values and column
  names are translated by :mod:`sozialanalyse.labels`;
* the CSV (machine-readable: decimal point, UTF-8, German column names) is written to
  ``book/_static/tabellen/<name>.csv`` when the notebook runs inside the repository and is
  committed with the executed notebook (``make book`` builds from stored outputs); the
  ``{download}`` role copies it into the build, so it stays offline and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from sozialanalyse import formatting, labels

__all__ = [
    "NOT_RECORDED",
    "TABLE_DIR",
    "Table",
    "csv_path",
    "headline_counts",
    "headline_sources",
    "table",
]

#: Where the CSV files of the tables go (inside the book's static files).
TABLE_DIR: Path = Path(__file__).resolve().parents[1] / "book" / "_static" / "tabellen"

#: Shown for an analysis module whose headline values are not yet in ``results/headline.json``.
NOT_RECORDED = "noch nicht festgehalten (python -m sozialanalyse reproduce --update)"

_NAME = re.compile(r"^tab-[a-z0-9][a-z0-9-]*$")
_TYPED_NUMBER = re.compile(r"^\s*(Tabelle|Tab\.|Abbildung|Abb\.)\s*\d+\s*[:.]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


class Table:
    """A table for the book: displays as a numbered MyST table (``text/markdown``).

    Attributes
    ----------
    name, caption, markdown
        The Sphinx label, the caption and the MyST source.
    frame
        The table as shown (German text).
    csv
        Path of the written CSV file, or ``None``.
    """

    def __init__(
        self, name: str, caption: str, markdown: str, frame: pd.DataFrame, csv: Path | None
    ) -> None:
        self.name = name
        self.caption = caption
        self.markdown = markdown
        self.frame = frame
        self.csv = csv

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __repr__(self) -> str:  # plain-text fallback, e.g. in a terminal
        return f"<Tabelle {self.name}: {self.caption} ({len(self.frame)} Zeilen)>"


def csv_path(name: str) -> Path:
    """Path of the CSV file of table ``name``."""
    return TABLE_DIR / f"{name}.csv"


def _escape(value: object) -> str:
    text = str(value).replace("\n", " ").strip()
    return _MD_SPECIAL.sub(r"\\\1", text) if text else " "


def _as_frame(obj: object) -> tuple[pd.DataFrame, dict]:
    """The data of a DataFrame, a pandas Styler or a disclosure CaseCountTable."""
    extra: dict = {}
    if isinstance(obj, pd.DataFrame):
        return obj, extra
    data = getattr(obj, "data", None)
    if isinstance(data, pd.DataFrame):
        if hasattr(obj, "count_cols") and hasattr(obj, "threshold"):
            extra = {"count_cols": list(obj.count_cols), "threshold": int(obj.threshold)}
            note = getattr(obj, "note", None)
            if callable(note):
                extra["note"] = note()
        return data, extra
    if isinstance(obj, pd.Series):
        return obj.to_frame(), extra
    raise TypeError(f"cannot show {type(obj).__name__} as a table")


def _format_counts(frame: pd.DataFrame, count_cols: Sequence[str]) -> pd.DataFrame:
    from sozialanalyse.disclosure import SECRECY_SYMBOL, ZERO_SYMBOL

    out = frame.copy().astype(object)
    for col in count_cols:
        if col not in out.columns:
            continue
        out[col] = [
            SECRECY_SYMBOL
            if formatting._is_missing(v)
            else (ZERO_SYMBOL if int(v) == 0 else formatting.integer(int(v)))
            for v in frame[col]
        ]
    return out


def table(
    obj: pd.DataFrame | object,
    name: str,
    caption: str,
    *,
    digits: int | Mapping[str, int] = 2,
    percent_columns: tuple[str, ...] = (),
    index: bool | None = None,
    translate: bool = True,
    columns: Mapping[str, str] | None = None,
    classes: Sequence[str] = (),
    note: str | None = None,
    csv: bool = True,
    align: Sequence[str] | None = None,
) -> Table:
    """Show ``obj`` as a numbered, citable table with a CSV download.

    Parameters
    ----------
    obj
        A DataFrame, a pandas ``Styler`` (its data is used) or a
        :class:`sozialanalyse.disclosure.CaseCountTable` (already suppressed; it keeps its
        CSS class ``case-counts`` and its note on the symbols).
    name
        Sphinx label, ``tab-<prefix>-<slug>``; cite it with ``{numref}`<name>```.
    caption
        Caption without a number (say "simuliert" for simulated data).
    digits, percent_columns
        Passed to :func:`sozialanalyse.formatting.format_frame`.
    index
        Show the index as first column; default: when it is not a plain range index.
    translate
        Translate column names and parameter values with :mod:`sozialanalyse.labels`.
    columns
        Extra column renames (applied after translation).
    classes
        Extra CSS classes of the table.
    note
        Text shown under the table (e.g. a source); a CaseCountTable adds its own.
    csv
        Write ``book/_static/tabellen/<name>.csv`` and link it under the table.
    align
        Column alignments ``"left"``/``"right"``/``"center"``; default: numbers right.

    Returns
    -------
    Table
        Displays as the MyST table in a notebook.
    """
    if not _NAME.match(name):
        raise ValueError(f"table name {name!r}: use 'tab-<prefix>-<slug>' (lower case, hyphens)")
    if _TYPED_NUMBER.match(caption):
        raise ValueError(
            f"caption {caption!r} starts with a hand-typed number; Sphinx numbers the tables"
        )
    frame, extra = _as_frame(obj)
    if index is None:
        index = not isinstance(frame.index, pd.RangeIndex)
    shown = frame.reset_index() if index else frame.reset_index(drop=True)
    if index and shown.columns[0] == "index":
        shown = shown.rename(columns={"index": ""})
    raw = shown.copy()
    count_cols = extra.get("count_cols", [])
    numeric = [
        c
        for c in shown.columns
        if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
    ]
    if align is None:
        align = ["right" if c in numeric or c in count_cols else "left" for c in shown.columns]
    if count_cols:
        shown = _format_counts(shown, count_cols)
    if translate:
        shown = labels.translate_frame(shown, columns=False)
    rest = shown[[c for c in shown.columns if c not in count_cols]]
    formatted = formatting.format_frame(rest, digits, percent_columns=percent_columns)
    for col in formatted.columns:
        shown[col] = formatted[col]
    names = {c: (labels.parameter(c) if translate and isinstance(c, str) else c) for c in shown}
    if columns:
        names.update(columns)
    shown = shown.rename(columns=names)
    if translate:
        raw = labels.translate_frame(raw, columns=False)
    raw = raw.rename(columns=names)

    sep = {"left": ":--", "right": "--:", "center": ":-:"}
    head = "| " + " | ".join(_escape(c) for c in shown.columns) + " |"
    rule = "|" + "|".join(sep.get(a, "---") for a in align) + "|"
    body = ["| " + " | ".join(_escape(v) for v in row) + " |" for row in shown.itertuples(False)]
    options = [f":name: {name}"]
    css = ["sa-table", *classes]
    if count_cols:
        css.append("case-counts")
    options.append(f":class: {' '.join(dict.fromkeys(css))}")
    # CommonMark forbids backticks in the info string of a backtick fence: a caption with
    # inline code (`coin.log`) needs a tilde fence, or the table silently disappears.
    fence = "~~~~" if "`" in caption else "````"
    lines = [f"{fence}{{table}} {caption}", *options, "", head, rule, *body, fence, ""]
    notes = [n for n in (note, extra.get("note")) if n]
    for n in notes:
        lines += [f"<small>{_escape(n)}</small>", ""]
    path = None
    if csv and TABLE_DIR.parent.is_dir():
        path = csv_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        raw.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        lines.append(
            f"{{download}}`Tabelle als CSV-Datei <_static/tabellen/{name}.csv>`"
        )
        lines.append("")
    return Table(name, caption, "\n".join(lines), shown, path)


def _value_text(value: object, key: str = "") -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int) and 1800 <= value <= 2100 and (
        formatting._is_year_column(key) or any(w in key for w in ("start", "first", "last"))
    ):
        return str(value)
    if isinstance(value, int):
        return formatting.integer(value)
    if isinstance(value, float):
        for digits in range(5):
            if abs(round(value, digits) - value) < 1e-9 * max(1.0, abs(value)):
                return formatting.number(value, digits)
        return formatting.number(value, 4)
    return str(value)


def chapter_of_module(module: str, book_dir: Path | None = None) -> str:
    """Title of the notebook chapter that imports ``module`` (found in the notebooks' code).

    Returns an empty string when no notebook imports it.
    """
    import json

    book_dir = book_dir or TABLE_DIR.parents[1]
    package, _, short = module.rpartition(".")
    patterns = (f"{module}", f"from {package} import {short}")
    for path in sorted(book_dir.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        if any(p in code for p in patterns):
            for cell in nb["cells"]:
                text = "".join(cell["source"])
                if cell["cell_type"] == "markdown" and text.startswith("# "):
                    return text.splitlines()[0][2:].strip()
            return path.stem
    return ""


def headline_sources(
    results: Mapping[str, Mapping[str, object]],
    modules: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Where every headline number comes from: chapter, function, key, value.

    The table is built from the module list and the recorded values alone, without calling
    any ``headline()``: a module whose values are not (yet) recorded gets one row saying so,
    and recorded modules that are no longer in the list are left out.

    Parameters
    ----------
    results
        The ``results`` mapping of ``results/headline.json`` (module -> key -> value).
    modules
        The analysis modules, in the order of the table; default
        :data:`sozialanalyse.analyses.MODULES`.

    Returns
    -------
    pandas.DataFrame
        Columns ``Kapitel``, ``Funktion``, ``Schlüssel``, ``Wert`` (German text).
    """
    if modules is None:
        from sozialanalyse.analyses import MODULES as modules

    rows = []
    for module in modules:
        chapter = chapter_of_module(module)
        recorded = results.get(module) or {}
        if not recorded:
            rows.append(
                {
                    "Kapitel": chapter,
                    "Funktion": f"{module}.headline()",
                    "Schlüssel": "–",
                    "Wert": NOT_RECORDED,
                }
            )
        for key, value in sorted(recorded.items()):
            rows.append(
                {
                    "Kapitel": chapter,
                    "Funktion": f"{module}.headline()",
                    "Schlüssel": key,
                    "Wert": _value_text(value, key),
                }
            )
    return pd.DataFrame(rows, columns=["Kapitel", "Funktion", "Schlüssel", "Wert"])


def headline_counts(
    results: Mapping[str, Mapping[str, object]],
    modules: Sequence[str] | None = None,
) -> tuple[int, int]:
    """Number of recorded values and of recorded modules among ``modules``.

    Parameters
    ----------
    results
        The ``results`` mapping of ``results/headline.json`` (module -> key -> value).
    modules
        The analysis modules; default :data:`sozialanalyse.analyses.MODULES`.

    Returns
    -------
    tuple of int
        ``(values, modules)``, counting only modules of the list with recorded values.
    """
    if modules is None:
        from sozialanalyse.analyses import MODULES as modules
    recorded = [results.get(m) or {} for m in modules]
    return sum(len(r) for r in recorded), sum(1 for r in recorded if r)
