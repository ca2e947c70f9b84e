"""Residents, households and migration background per Dresden Stadtraum and Stadtteil.

Readers that turn the raw open-data tables (``data/raw/dresden-opendata``) into per-area
frames, and the young-population table of ``data/derived/``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sozialanalyse.data.raw import read_opendata, split_label
from sozialanalyse.data.registry import HOUSEHOLD_YEARS, MIGRATION_YEARS
from sozialanalyse.data.tidy import (
    CITY_CODE,
    YOUNG_COLUMNS,
    age_label,
    sr_label,
    with_city,
)

#: Age bands of the Jugendhilfe (from single years, 2025, Stadtraum level).
SR_AGE_BANDS: tuple[tuple[int, int], ...] = (
    (0, 2),
    (3, 5),
    (6, 9),
    (10, 14),
    (15, 17),
    (18, 20),
    (21, 26),
    (0, 20),
    (0, 26),
    (15, 64),
)
#: The 13 age classes of the Stadtteil table (85 = 85 and older).
STT_AGE_CLASSES: tuple[tuple[int, int], ...] = (
    (0, 2),
    (3, 5),
    (6, 9),
    (10, 14),
    (15, 17),
    (18, 24),
    (25, 29),
    (30, 44),
    (45, 59),
    (60, 64),
    (65, 74),
    (75, 84),
    (85, 120),
)


def mig_source(year: int) -> str:
    """Source id of the migration table (md105e) of a year."""
    return f"OD_MIGRATION_SR_{year}"


def hh_source(year: int) -> str:
    """Source id of the household table (md21e) of a year."""
    return f"OD_HH_KINDER_{year}"


def sp_source(year: int) -> str:
    """Source ids of the single-parent shares (md24e over md21e) of a year."""
    return f"OD_HH_ALLEINERZ_{year}; OD_HH_KINDER_{year}"


def migration_by_sr(root: Path | None = None) -> pd.DataFrame:
    """md105e, all years: counts per Stadtraum × Stadtbezirk part × age class × origin."""
    frames = []
    for year in MIGRATION_YEARS:
        table = read_opendata(f"OD_MIGRATION_SR_{year}", root)
        frames.append(table)
    table = pd.concat(frames, ignore_index=True)
    table = sr_label(table)
    return pd.DataFrame(
        {
            "year": table["Jahr"],
            "area_code": table["area_code"],
            "area_name": table["area_name"],
            "stadtbezirk": table["Stadtbezirk mit zugeordneten Ortschaften"],
            "age": table["AltK_03A__-17-64-"],
            "origin": table["Migrationshintergrund M2 (aggregiert)"],
            "count": table["Anzahl Einwohner"],
        }
    )


def migration_wide(root: Path | None) -> pd.DataFrame:
    """Residents by age class and origin per Stadtraum and year, with city totals."""
    mig = migration_by_sr(root)
    keys = ["area_code", "area_name", "year"]
    out = mig.groupby(keys, as_index=False)["count"].sum().rename(columns={"count": "total"})
    for age, name in (
        ("00 - 17 Jahre", "a0_17"),
        ("18 - 64 Jahre", "a18_64"),
        ("65 Jahre u.älter", "a65"),
    ):
        part = mig[mig["age"] == age].groupby(keys)["count"].sum().rename(name)
        out = out.join(part, on=keys)
    foreign = mig[mig["origin"] == "Ausländer"]
    migrant = mig[mig["origin"] != "Deutsche ohne Migrationshintergrund"]
    out = out.join(foreign.groupby(keys)["count"].sum().rename("foreign"), on=keys)
    out = out.join(migrant.groupby(keys)["count"].sum().rename("migrant"), on=keys)
    young = mig["age"] == "00 - 17 Jahre"
    out = out.join(
        foreign[foreign["age"] == "00 - 17 Jahre"]
        .groupby(keys)["count"]
        .sum()
        .rename("foreign_0_17"),
        on=keys,
    )
    out = out.join(
        mig[young & (mig["origin"] != "Deutsche ohne Migrationshintergrund")]
        .groupby(keys)["count"]
        .sum()
        .rename("migrant_0_17"),
        on=keys,
    )
    values = [
        "total",
        "a0_17",
        "a18_64",
        "a65",
        "foreign",
        "migrant",
        "foreign_0_17",
        "migrant_0_17",
    ]
    return with_city(out, ["year"], values)


def households_wide(root: Path | None) -> pd.DataFrame:
    """Households, children and single-parent households per Stadtraum and year."""
    rows = []
    for year in HOUSEHOLD_YEARS:
        hh = sr_label(read_opendata(f"OD_HH_KINDER_{year}", root))
        hh["year"] = hh["Jahr"]
        cls = hh["Kinderanzahl im Haushalt in Klassen (4)"]
        keys = ["area_code", "area_name", "year"]
        base = hh.groupby(keys, as_index=False).agg(
            households=("Anzahl Haushalte", "sum"),
            persons=("Anzahl Einwohner", "sum"),
            children=("Kinderanzahl im Haushalt (sum)", "sum"),
        )
        with_kids = hh[cls != "0 Kinder"].groupby(keys)["Anzahl Haushalte"].sum()
        large = hh[cls == "3 u.m. Kinder"].groupby(keys)["Anzahl Haushalte"].sum()
        base = base.join(with_kids.rename("households_children"), on=keys)
        base = base.join(large.rename("households_3plus"), on=keys)
        single = sr_label(read_opendata(f"OD_HH_ALLEINERZ_{year}", root))
        single["year"] = single["Jahr"]
        sp = single.groupby(keys).agg(
            single_households=("Anzahl Haushalte", "sum"),
            single_children=("Kinderanzahl im Haushalt (sum)", "sum"),
        )
        rows.append(base.join(sp, on=keys))
    out = pd.concat(rows, ignore_index=True)
    values = [
        "households",
        "persons",
        "children",
        "households_children",
        "households_3plus",
        "single_households",
        "single_children",
    ]
    return with_city(out, ["year"], values)


def single_years_by_sr(root: Path | None = None) -> pd.DataFrame:
    """md_31e 2025: residents per Stadtraum × Stadtbezirk part × single year of age."""
    table = sr_label(read_opendata("OD_EW_SR_JAHRGAENGE_2025", root))
    age_col = [c for c in table.columns if c.startswith("Alter in Jahren")][0]
    ages = table[age_col].str.extract(r"^(\d+)")[0].astype(int)
    return pd.DataFrame(
        {
            "year": table["Jahr"],
            "area_code": table["area_code"],
            "area_name": table["area_name"],
            "stadtbezirk": table["Stadtbezirk mit zugeordneten Ortschaften"],
            "age": ages,
            "count": table["Anzahl Einwohner"],
        }
    )


def sr_age_bands(root: Path | None) -> pd.DataFrame:
    """Residents per Stadtraum in the :data:`SR_AGE_BANDS` (2025), with city totals."""
    single = single_years_by_sr(root)
    keys = ["area_code", "area_name", "year"]
    out = single.groupby(keys, as_index=False)["count"].sum().rename(columns={"count": "total"})
    for lo, hi in SR_AGE_BANDS:
        band = single[(single["age"] >= lo) & (single["age"] <= hi)]
        out = out.join(band.groupby(keys)["count"].sum().rename(age_label(lo, hi)), on=keys)
    values = ["total"] + [age_label(lo, hi) for lo, hi in SR_AGE_BANDS]
    return with_city(out, ["year"], values)


def stadtteil_parts(root: Path | None = None) -> pd.DataFrame:
    """md_21e 2025 rows with Stadtteil and Stadtraum codes split off."""
    table = read_opendata("OD_EW_STT_ALTER_2025", root)
    age_col = [c for c in table.columns if c.startswith("AltK_13")][0]
    return pd.DataFrame(
        {
            "year": table["Jahr"],
            "area_code": table["Stadtteil zus."].map(lambda s: split_label(s)[0]),
            "area_name": table["Stadtteil zus."].map(lambda s: split_label(s)[1]),
            "stadtraum_code": table["Stadtraum"].map(lambda s: split_label(s)[0]),
            "age_from": table[age_col].str.extract(r"^(\d+)")[0].astype(int),
            "count": table["Anzahl Einwohner"],
        }
    )


def build_young_population(root: Path | None = None) -> pd.DataFrame:
    """Young residents by age group: Stadträume (2014–2025) and Stadtteile (2025)."""
    rows = []
    mig = migration_wide(root)
    for _, r in mig.iterrows():
        rows.append(
            (r["area_code"], r["area_name"], r["year"], 0, 17, r["a0_17"], mig_source(r["year"]))
        )
    bands = sr_age_bands(root)
    for _, r in bands.iterrows():
        for lo, hi in SR_AGE_BANDS:
            if hi > 26:
                continue
            rows.append(
                (
                    r["area_code"],
                    r["area_name"],
                    r["year"],
                    lo,
                    hi,
                    r[age_label(lo, hi)],
                    "OD_EW_SR_JAHRGAENGE_2025",
                )
            )
    sr = pd.DataFrame(
        rows,
        columns=["area_code", "area_name", "year", "age_from", "age_to", "population", "source_id"],
    )
    sr["area_level"] = sr["area_code"].map(lambda c: "stadt" if c == CITY_CODE else "stadtraum")
    stt = stadtteil_parts(root)
    young_classes = [(lo, hi) for lo, hi in STT_AGE_CLASSES if lo < 30]
    keys = ["area_code", "area_name", "year"]
    st_rows = []
    for lo, hi in young_classes:
        part = stt[stt["age_from"] == lo].groupby(keys, as_index=False)["count"].sum()
        st_rows.append(part.assign(age_from=lo, age_to=hi))
    minors = stt[stt["age_from"] < 18].groupby(keys, as_index=False)["count"].sum()
    st_rows.append(minors.assign(age_from=0, age_to=17))
    st = pd.concat(st_rows, ignore_index=True).rename(columns={"count": "population"})
    st["source_id"] = "OD_EW_STT_ALTER_2025"
    st["area_level"] = "stadtteil"
    out = pd.concat([sr, st], ignore_index=True)
    out["age_group"] = out["age_from"].astype(str) + "-" + out["age_to"].astype(str)
    out = out.drop_duplicates(["area_level", "area_code", "year", "age_group"])
    out = out.sort_values(["area_level", "area_code", "year", "age_from", "age_to"])
    return out[YOUNG_COLUMNS].reset_index(drop=True)
