"""Headline figures of the chapter "Daten und Quellen".

All values are computed from the data package (``data/datapackage.json``):
numbers of areas, years covered, row counts of the derived tables, city
totals, and the Strehlen split.
"""

from __future__ import annotations

import pandas as pd

from sozialanalyse.data import load
from sozialanalyse.data.registry import RAW_FILES

DERIVED = (
    "dresden_crosswalk",
    "dresden_stadtraum_indicators",
    "dresden_stadtraum_wide",
    "dresden_stadtteil_indicators",
    "dresden_stadtteil_wide",
    "dresden_stadtbezirk_indicators",
    "dresden_young_population",
)


def _city(table, indicator: str, year: int) -> float:
    sel = table[(table.area_code == "DD") & (table.indicator == indicator) & (table.year == year)]
    return float(sel["value"].iloc[0])


def headline() -> dict[str, float | int | str]:
    """Headline figures of the data chapter (flat, JSON-serialisable)."""
    sr = load("dresden_stadtraum_indicators")
    stt = load("dresden_stadtteil_indicators")
    stb = load("dresden_stadtbezirk_indicators")
    cw = load("dresden_crosswalk")
    out: dict[str, float | int | str] = {}
    out["n_raw_files"] = len(RAW_FILES)
    out["n_stadtraeume"] = int(sr.loc[sr.area_level == "stadtraum", "area_code"].nunique())
    out["n_stadtteile"] = int(cw["stadtteil_code"].nunique())
    out["n_stadtteile_bewohnt"] = int(cw.loc[cw["residential"], "stadtteil_code"].nunique())
    out["n_stadtbezirke"] = int(stb["area_code"].nunique())
    for name in DERIVED:
        out[f"rows_{name}"] = len(load(name))
    for indicator, key in (
        ("einwohner", "einwohner"),
        ("anteil_alleinerziehende", "haushalte"),
        ("kbu_anteil_geringes_einkommen", "kbu"),
        ("arbeitslosenquote_stb", "arbeitslose"),
    ):
        years = sr.loc[sr.indicator == indicator, "year"]
        out[f"jahr_min_{key}"] = int(years.min())
        out[f"jahr_max_{key}"] = int(years.max())
        out[f"n_jahre_{key}"] = int(years.nunique())
    out["einwohner_2025"] = int(_city(sr, "einwohner", 2025))
    out["einwohner_2014"] = int(_city(sr, "einwohner", 2014))
    out["einwohner_0_17_2025"] = int(_city(sr, "einwohner_0_17", 2025))
    out["auslaender_anteil_2025"] = round(_city(sr, "auslaender_anteil", 2025), 1)
    out["alleinerziehende_anteil_2025"] = round(_city(sr, "anteil_alleinerziehende", 2025), 1)
    out["kbu_gering_2024"] = round(_city(sr, "kbu_anteil_geringes_einkommen", 2024), 1)
    kbu = sr[(sr.area_level == "stadtraum") & (sr.indicator == "kbu_anteil_geringes_einkommen")
             & (sr.year == 2024)]
    top = kbu.sort_values(["value", "area_code"], ascending=[False, True]).iloc[0]
    low = kbu.sort_values(["value", "area_code"]).iloc[0]
    out["kbu_gering_2024_max_sr"] = f"{top.area_code} {top.area_name}"
    out["kbu_gering_2024_max"] = round(float(top.value), 1)
    out["kbu_gering_2024_min_sr"] = f"{low.area_code} {low.area_name}"
    out["kbu_gering_2024_min"] = round(float(low.value), 1)
    strehlen = cw[cw.stadtteil_code == "76"].set_index("stadtraum_code")["population"]
    out["strehlen_sr11"] = int(strehlen["11"])
    out["strehlen_sr12"] = int(strehlen["12"])
    out["stadtteil_einwohner_2025"] = int(
        stt.loc[(stt.area_level == "stadtteil") & (stt.indicator == "einwohner"), "value"].sum()
    )
    return out


def raw_overview() -> pd.DataFrame:
    """One row per family of raw tables: source ids, area level, years, data rows per file."""
    rows = []
    for raw in RAW_FILES:
        if raw.is_geo:
            frame = load("raw_" + raw.source_id.lower())
            family, level, years = raw.source_id, "Stadtteil (Flächen)", ""
        else:
            frame = load("raw_" + raw.source_id.lower())
            family = raw.source_id
            if raw.source_id.startswith(("OD_HH_", "OD_MIGRATION_")):
                family = raw.source_id.rsplit("_", 1)[0] + "_<Jahr>"
            level = _level(frame.columns)
            year_col = "Jahr" if "Jahr" in frame.columns else "Jahr-Prognose"
            years = sorted(frame[year_col].unique())
            years = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        rows.append({"source_id": family, "Ebene": level, "Jahre": years,
                     "Dateien": 1, "Zeilen je Datei": len(frame)})
    table = pd.DataFrame(rows)
    out = table.groupby("source_id", sort=False).agg(
        Ebene=("Ebene", "first"),
        Jahre=("Jahre", _join_years),
        Dateien=("Dateien", "sum"),
        Zeilen_je_Datei=("Zeilen je Datei", "first"),
    )
    return out.reset_index().rename(columns={"Zeilen_je_Datei": "Zeilen je Datei"})


def _join_years(years: pd.Series) -> str:
    if len(years) == 1:
        return str(years.iloc[0])
    if len(years) > 8:
        return f"{years.iloc[0]}–{years.iloc[-1]}"
    return ", ".join(str(y) for y in years)


def _level(columns) -> str:
    cols = " ".join(columns)
    if "Stadtteil" in cols:
        return "Stadtteil × Stadtraum"
    if "Stadtraum" in cols:
        return "Stadtraum"
    return "Stadtbezirk"
