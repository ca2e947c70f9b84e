"""Build the derived Dresden tables in ``data/derived/`` from ``data/raw/``.

The tables are built by :mod:`sozialanalyse.data.indicators` (long indicator tables),
:mod:`sozialanalyse.data.population` (young population) and
:mod:`sozialanalyse.data.crosswalk`; their formats are in :mod:`sozialanalyse.data.tidy`.
This module writes them.

Writing is deterministic: rows are sorted, floats are written with at most
six decimals and no exponent, line ends are ``"\\n"``, encoding UTF-8 (no BOM).
Building twice gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from sozialanalyse.data.crosswalk import build_crosswalk
from sozialanalyse.data.indicators import (
    build_stadtbezirk_indicators,
    build_stadtraum_indicators,
    build_stadtteil_indicators,
)
from sozialanalyse.data.population import build_young_population
from sozialanalyse.data.registry import derived_dir
from sozialanalyse.data.tidy import LONG_COLUMNS, YOUNG_COLUMNS, wide_from_long

__all__ = [
    "LONG_COLUMNS",
    "YOUNG_COLUMNS",
    "build_derived",
    "build_stadtbezirk_indicators",
    "build_stadtraum_indicators",
    "build_stadtteil_indicators",
    "build_young_population",
    "derived_tables",
    "format_value",
    "table_to_csv",
    "wide_from_long",
]


def format_value(value: object) -> str:
    """Format one cell deterministically (floats: ≤ 6 decimals, no exponent)."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        text = f"{round(value, 6):.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if hasattr(value, "item"):  # numpy scalars
        return format_value(value.item())
    return str(value)


def table_to_csv(frame: pd.DataFrame) -> str:
    """Render a DataFrame as CSV text with ``"\\n"`` line ends and fixed formatting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([format_value(v) for v in row])
    return buffer.getvalue()


def derived_tables(root: Path | None = None) -> dict[str, pd.DataFrame]:
    """Build every derived table (name -> DataFrame), without writing."""
    sr_long = build_stadtraum_indicators(root)
    stt_long = build_stadtteil_indicators(root)
    return {
        "dresden_crosswalk": build_crosswalk(root),
        "dresden_stadtraum_indicators": sr_long,
        "dresden_stadtraum_wide": wide_from_long(sr_long),
        "dresden_stadtteil_indicators": stt_long,
        "dresden_stadtteil_wide": wide_from_long(stt_long),
        "dresden_stadtbezirk_indicators": build_stadtbezirk_indicators(root),
        "dresden_young_population": build_young_population(root),
    }


def build_derived(out_dir: Path | None = None, raw_root: Path | None = None) -> list[Path]:
    """Rebuild ``data/derived/`` from ``data/raw/`` deterministically.

    Parameters
    ----------
    out_dir
        Target directory (default: the compendium's ``data/derived``).
    raw_root
        The ``data/raw`` directory to read (default: the compendium's).

    Returns
    -------
    list of Path
        The written CSV files, sorted by name.
    """
    out_dir = Path(out_dir) if out_dir is not None else derived_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in sorted(derived_tables(raw_root).items()):
        path = out_dir / f"{name}.csv"
        path.write_bytes(table_to_csv(frame).encode("utf-8"))
        written.append(path)
    return written
