"""Table schemas of the derived Dresden tables.

Each schema is written once as a list of Frictionless field descriptors
(used in ``data/datapackage.json``) and turned into a pandera schema for
validation when a table is loaded.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

AREA_LEVELS = ["stadt", "stadtbezirk", "stadtraum", "stadtteil"]
UNITS = ["persons", "households", "percent", "EUR per month"]

_KEY_FIELDS: list[dict[str, Any]] = [
    {
        "name": "area_level",
        "type": "string",
        "description": "Ebene: stadt (ganz Dresden), stadtbezirk, stadtraum oder stadtteil.",
        "constraints": {"required": True, "enum": AREA_LEVELS},
    },
    {
        "name": "area_code",
        "type": "string",
        "description": "Code der Fläche: Stadtraum 01–17, Stadtteil zweistellig, "
        "Stadtbezirk 0–9, Stadt DD.",
        "constraints": {"required": True, "pattern": "DD|[0-9]{1,2}"},
    },
    {
        "name": "area_name",
        "type": "string",
        "description": "Name der Fläche wie in den Open-Data-Tabellen.",
        "constraints": {"required": True},
    },
    {
        "name": "year",
        "type": "integer",
        "description": "Datenjahr (Bestand zum Jahresende bzw. Befragungswelle; "
        "Arbeitslose: 4. Quartal).",
        "constraints": {"required": True, "minimum": 1990, "maximum": 2040},
    },
]

LONG_FIELDS: list[dict[str, Any]] = _KEY_FIELDS + [
    {
        "name": "indicator",
        "type": "string",
        "description": "Name des Indikators (siehe data/README.md).",
        "constraints": {"required": True, "pattern": "[a-z0-9_]+"},
    },
    {
        "name": "value",
        "type": "number",
        "description": "Wert; Anteile in Prozent (0–100).",
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "unit",
        "type": "string",
        "description": "Einheit des Werts.",
        "constraints": {"required": True, "enum": UNITS},
    },
    {
        "name": "numerator",
        "type": "number",
        "description": "Zähler eines Anteils (leer bei Bestandszahlen und Umfragewerten).",
        "constraints": {"minimum": 0},
    },
    {
        "name": "denominator",
        "type": "number",
        "description": "Nenner eines Anteils (leer bei Bestandszahlen und Umfragewerten).",
        "constraints": {"minimum": 1},
    },
    {
        "name": "source_id",
        "type": "string",
        "description": "source_id der Rohdatei(en), mit '; ' getrennt.",
        "constraints": {"required": True},
    },
]
LONG_KEY = ["area_level", "area_code", "year", "indicator"]

YOUNG_FIELDS: list[dict[str, Any]] = _KEY_FIELDS + [
    {
        "name": "age_group",
        "type": "string",
        "description": "Altersgruppe 'von-bis' in vollendeten Lebensjahren (beide Grenzen "
        "eingeschlossen).",
        "constraints": {"required": True, "pattern": "[0-9]+-[0-9]+"},
    },
    {
        "name": "age_from",
        "type": "integer",
        "description": "Untere Altersgrenze.",
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "age_to",
        "type": "integer",
        "description": "Obere Altersgrenze (eingeschlossen).",
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "population",
        "type": "integer",
        "description": "Einwohner (Hauptwohnsitz).",
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "source_id",
        "type": "string",
        "description": "source_id der Rohdatei.",
        "constraints": {"required": True},
    },
]
YOUNG_KEY = ["area_level", "area_code", "year", "age_group"]

CROSSWALK_FIELDS: list[dict[str, Any]] = [
    {
        "name": "stadtteil_code",
        "type": "string",
        "description": "Stadtteil-Code (zweistellig).",
        "constraints": {"required": True, "pattern": "[0-9]{2}"},
    },
    {
        "name": "stadtteil_name",
        "type": "string",
        "description": "Name in den Statistiktabellen (bei 33, 34, 44: Name der Geometrie).",
        "constraints": {"required": True},
    },
    {
        "name": "stadtteil_name_geo",
        "type": "string",
        "description": "Name in stadtteile.geojson.",
        "constraints": {"required": True},
    },
    {
        "name": "stadtbezirk",
        "type": "string",
        "description": "Stadtbezirk.",
        "constraints": {"required": True},
    },
    {
        "name": "stadtraum_code",
        "type": "string",
        "description": "Stadtraum 01–17.",
        "constraints": {"required": True, "pattern": "[0-9]{2}"},
    },
    {
        "name": "stadtraum_name",
        "type": "string",
        "description": "Name des Stadtraums.",
        "constraints": {"required": True},
    },
    {
        "name": "residential",
        "type": "boolean",
        "description": "false für die unbewohnten Stadtteile 33, 34, 44.",
        "constraints": {"required": True},
    },
    {
        "name": "reported_with",
        "type": "string",
        "description": "Stadtteil, mit dem ein unbewohnter Stadtteil ausgewiesen wird.",
    },
    {
        "name": "population",
        "type": "integer",
        "description": "Einwohner des Stadtteils (bzw. Teils) in diesem Stadtraum.",
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "population_share",
        "type": "number",
        "description": "Anteil dieses Teils an den Einwohnern des Stadtteils "
        "(Strehlen: zwei Teile).",
        "constraints": {"required": True, "minimum": 0, "maximum": 1},
    },
    {
        "name": "year",
        "type": "integer",
        "description": "Stand der Zuordnung (31.12.).",
        "constraints": {"required": True},
    },
    {
        "name": "source_id",
        "type": "string",
        "description": "Quelle(n).",
        "constraints": {"required": True},
    },
]
CROSSWALK_KEY = ["stadtteil_code", "stadtraum_code"]


def wide_fields(columns: list[str]) -> list[dict[str, Any]]:
    """Fields of a wide table: the four key fields, then one number per indicator."""
    fields = [dict(f) for f in _KEY_FIELDS]
    for col in columns[4:]:
        fields.append(
            {
                "name": col,
                "type": "number",
                "description": f"Indikator {col} (siehe Langtabelle).",
                "constraints": {"minimum": 0},
            }
        )
    return fields


def frictionless_schema(name: str, columns: list[str] | None = None) -> dict[str, Any]:
    """Frictionless table schema of a derived table by resource name."""
    if name == "dresden_crosswalk":
        return {"fields": CROSSWALK_FIELDS, "primaryKey": CROSSWALK_KEY, "missingValues": [""]}
    if name == "dresden_young_population":
        return {"fields": YOUNG_FIELDS, "primaryKey": YOUNG_KEY, "missingValues": [""]}
    if name.endswith("_wide"):
        if columns is None:
            raise ValueError("wide schemas need the table's columns")
        return {"fields": wide_fields(columns), "primaryKey": LONG_KEY[:3], "missingValues": [""]}
    return {"fields": LONG_FIELDS, "primaryKey": LONG_KEY, "missingValues": [""]}


_DTYPES = {"string": str, "integer": "int64", "number": float, "boolean": bool}


def pandera_schema(schema: dict[str, Any], name: str) -> pa.DataFrameSchema:
    """Translate a Frictionless table schema into a pandera schema.

    Supported constraints: required, unique, minimum, maximum, enum, pattern,
    and the primary key (unique over its columns).
    """
    columns = {}
    for field in schema["fields"]:
        cons = field.get("constraints", {})
        checks = []
        if "minimum" in cons:
            checks.append(pa.Check.ge(cons["minimum"]))
        if "maximum" in cons:
            checks.append(pa.Check.le(cons["maximum"]))
        if "enum" in cons:
            checks.append(pa.Check.isin(cons["enum"]))
        if "pattern" in cons:
            checks.append(pa.Check.str_matches(f"^(?:{cons['pattern']})$"))
        ftype = field.get("type", "string")
        required = bool(cons.get("required", False))
        dtype = _DTYPES.get(ftype)
        if ftype == "integer" and not required:
            dtype = "Int64"
        columns[field["name"]] = pa.Column(
            dtype,
            checks=checks,
            nullable=not required,
            unique=bool(cons.get("unique", False)),
            coerce=False,
        )
    key = schema.get("primaryKey")
    if isinstance(key, str):
        key = [key]
    return pa.DataFrameSchema(columns, unique=key or None, strict=True, name=name, ordered=True)


def long_table_checks(frame: pd.DataFrame) -> list[str]:
    """Semantic checks for long indicator tables; returns problem descriptions."""
    problems = []
    pct = frame["unit"] == "percent"
    if (frame.loc[pct, "value"] > 100 + 1e-9).any():
        problems.append("a percentage above 100")
    both = frame["numerator"].notna() & frame["denominator"].notna()
    ratio = 100 * frame.loc[both, "numerator"] / frame.loc[both, "denominator"]
    if ((ratio - frame.loc[both, "value"]).abs() > 1e-4).any():
        problems.append("value differs from 100 × numerator / denominator")
    return problems
