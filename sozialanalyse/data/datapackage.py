"""Write ``data/datapackage.json``, the Frictionless Data Package of ``data/``.

Resources:

* every derived table in ``data/derived/`` (schemas from
  :mod:`sozialanalyse.data.schemas`);
* every published table ``data/published/*.csv`` with the table schema that
  its maintainer wrote in ``data/published/schemas/<name>.json`` (or one
  common ``schema.json``); a published CSV without a schema is an error;
* every raw file in ``data/raw/`` (open-data CSVs with ``;`` dialect, the
  GeoJSON as a plain file).

Each resource carries its path, SHA-256 hash, size in bytes, licence and
sources, so that any change to a file shows up in validation.
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path
from typing import Any

from sozialanalyse.data.raw import sha256_of
from sozialanalyse.data.registry import (
    ATTRIBUTION_GEO,
    ATTRIBUTION_OPENDATA,
    LICENCE_DL_DE_BY,
    RAW_FILES,
    RawFile,
    data_dir,
)
from sozialanalyse.data.schemas import frictionless_schema
from sozialanalyse.errors import InputDataError

PACKAGE_NAME = "sozialanalyse-data"
DERIVED_DESCRIPTIONS = {
    "dresden_crosswalk": "Zuordnung Stadtteil → Stadtraum (31.12.2025) mit der Teilung von "
    "Strehlen (SR 11/12) und den unbewohnten Stadtteilen 33, 34, 44.",
    "dresden_stadtraum_indicators": "Indikatoren für die 17 Stadträume und die Stadt, "
    "Langformat, alle verfügbaren Jahre.",
    "dresden_stadtraum_wide": "Dieselben Indikatoren im Breitformat (eine Zeile je Stadtraum "
    "und Jahr).",
    "dresden_stadtteil_indicators": "Einwohner nach Altersklassen und Ausländeranteil für die "
    "61 bewohnten Stadtteile, 2025, Langformat.",
    "dresden_stadtteil_wide": "Dieselben Stadtteilwerte im Breitformat.",
    "dresden_stadtbezirk_indicators": "Arbeitslose (4. Quartal) und Arbeitslosenanteil an den "
    "18- bis 64-Jährigen sowie Bevölkerungsprognose je Stadtbezirk.",
    "dresden_young_population": "Junge Einwohner nach Altersgruppen: Stadträume 2014–2025 "
    "(0–17) und 2025 (Jugendhilfe-Altersgruppen), Stadtteile 2025.",
}


def _header(path: Path, delimiter: str = ",") -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle, delimiter=delimiter))


def _file_facts(path: Path, root: Path) -> dict[str, Any]:
    return {
        "path": path.relative_to(root).as_posix(),
        "hash": f"sha256:{sha256_of(path)}",
        "bytes": path.stat().st_size,
    }


def _source_entries(source_ids: str) -> list[dict[str, str]]:
    by_id = {f.source_id: f for f in RAW_FILES}
    out = []
    for sid in sorted({s.strip() for s in source_ids.split(";") if s.strip()}):
        if sid in by_id:
            out.append({"title": sid, "path": by_id[sid].url})
        else:
            out.append({"title": sid})
    return out


def derived_resource(path: Path, root: Path) -> dict[str, Any]:
    """Resource descriptor of one derived CSV."""
    name = path.stem
    columns = _header(path)
    ids: set[str] = set()
    sid_col = "source_id"
    if sid_col in columns:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                ids.update(s.strip() for s in row[sid_col].split(";") if s.strip())
    return {
        "name": name,
        "title": name,
        "description": DERIVED_DESCRIPTIONS.get(name, ""),
        **_file_facts(path, root),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "licenses": [LICENCE_DL_DE_BY],
        "sources": _source_entries("; ".join(sorted(ids)))
        if sid_col in columns
        else [{"title": f"siehe {name.replace('_wide', '_indicators')}"}],
        "x_attribution": ATTRIBUTION_OPENDATA,
        "x_origin": "derived",
        "schema": frictionless_schema(name, columns),
    }


def published_schema(path: Path) -> dict[str, Any]:
    """Table schema written by the maintainer of ``data/published/`` for one CSV.

    Raises
    ------
    InputDataError
        If neither ``schemas/<name>.json`` nor ``schemas/schema.json``/``schema.json`` exists.
    """
    folder = path.parent
    candidates = [
        folder / "schemas" / f"{path.stem}.json",
        folder / "schemas" / "schema.json",
        folder / "schema.json",
    ]
    for cand in candidates:
        if cand.exists():
            with open(cand, encoding="utf-8") as handle:
                return json.load(handle)
    raise InputDataError(
        "no Frictionless table schema found for this published table",
        file=path.as_posix(),
        hint=f"add data/published/schemas/{path.stem}.json",
    )


def published_resource(path: Path, root: Path) -> dict[str, Any]:
    """Resource descriptor of one published CSV (schema from data/published/schemas)."""
    schema = published_schema(path)
    return {
        "name": path.stem,
        "title": path.stem,
        **_file_facts(path, root),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "x_origin": "published",
        "sources": [{"title": "data/published/sources.csv (Spalte source_id)"}],
        "schema": schema,
    }


def _raw_schema(path: Path) -> dict[str, Any]:
    fields = []
    for col in _header(path, ";"):
        col = col.strip()
        field: dict[str, Any] = {"name": col, "type": "string"}
        if col in ("Jahr", "Jahr-Prognose") or col.startswith(
            ("Anzahl", "Kinderanzahl im Haushalt (sum)")
        ):
            field = {"name": col, "type": "integer", "constraints": {"minimum": 0}}
        elif col.startswith(("Einkommen", "Anteil Haushalte")):
            field = {
                "name": col,
                "type": "number",
                "decimalChar": ",",
                "constraints": {"minimum": 0},
            }
        fields.append(field)
    if path.name.startswith("arbeitslose"):
        for field in fields[3:]:
            field["type"] = "integer"
            field["constraints"] = {"minimum": 0}
    return {"fields": fields, "missingValues": [""]}


def raw_resource(raw: RawFile, root: Path) -> dict[str, Any]:
    """Resource descriptor of one raw file."""
    path = root / "raw" / raw.path
    base: dict[str, Any] = {
        "name": "raw_" + raw.source_id.lower(),
        "title": raw.title,
        **_file_facts(path, root),
        "licenses": [LICENCE_DL_DE_BY],
        "sources": [{"title": raw.source_id, "path": raw.url}],
        "x_origin": "raw",
    }
    if raw.is_geo:
        base.update(
            {
                "format": "geojson",
                "mediatype": "application/geo+json",
                "encoding": "utf-8",
                "x_attribution": ATTRIBUTION_GEO,
            }
        )
        return base
    base.update(
        {
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "dialect": {"delimiter": ";", "lineTerminator": "\r\n"},
            "x_attribution": ATTRIBUTION_OPENDATA,
            "schema": _raw_schema(path),
        }
    )
    return base


def build_descriptor(root: Path | None = None, strict: bool = True) -> dict[str, Any]:
    """Build the package descriptor (without writing).

    Parameters
    ----------
    root
        The ``data`` directory.
    strict
        If true, a published CSV without a table schema raises
        :class:`~sozialanalyse.errors.InputDataError`; if false it is left out
        with a warning.
    """
    root = root or data_dir()
    resources = [derived_resource(p, root) for p in sorted((root / "derived").glob("*.csv"))]
    published = root / "published"
    if published.exists():
        for path in sorted(published.glob("*.csv")):
            try:
                if path.name == "sources.csv":
                    resources.append(_published_sources(path, root))
                else:
                    resources.append(published_resource(path, root))
            except InputDataError as err:
                if strict:
                    raise
                warnings.warn(f"left out of datapackage.json: {err}", stacklevel=2)
    resources += [raw_resource(f, root) for f in sorted(RAW_FILES, key=lambda f: f.path)]
    return {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": "Daten des Kompendiums sozialanalyse",
        "description": "Rohdaten (Dresdner Open Data, byte-genaue Kopien), daraus berechnete "
        "Tabellen und aus Dokumenten übernommene Zahlen mit Quellenangabe.",
        "licenses": [LICENCE_DL_DE_BY],
        "sources": [
            {
                "title": "Landeshauptstadt Dresden, opendata.dresden.de",
                "path": "https://opendata.dresden.de",
            }
        ],
        "resources": resources,
    }


def _published_sources(path: Path, root: Path) -> dict[str, Any]:
    res = published_resource(path, root)
    res["description"] = "Quellenverzeichnis der veröffentlichten Zahlen (source_id)."
    return res


def write_datapackage(root: Path | None = None, strict: bool = True) -> Path:
    """Regenerate ``data/datapackage.json`` (resources in fixed order, ``\\n`` line ends).

    Parameters
    ----------
    root
        The ``data`` directory (default: the compendium's).
    strict
        See :func:`build_descriptor`.
    """
    root = root or data_dir()
    descriptor = build_descriptor(root, strict=strict)
    target = root / "datapackage.json"
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    target.write_bytes(text.encode("utf-8"))
    return target
