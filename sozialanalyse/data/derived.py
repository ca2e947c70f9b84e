"""Build the derived Dresden tables in ``data/derived/`` from ``data/raw/``.

All tables are tidy. The long indicator tables have the columns
:data:`LONG_COLUMNS`: one row per area × year × indicator, with the value,
its unit, the numerator and denominator it was computed from (empty for
survey values and for counts) and the ``source_id`` of the raw file(s).

Writing is deterministic: rows are sorted, floats are written with at most
six decimals and no exponent, line ends are ``"\\n"``, encoding UTF-8 (no BOM).
Building twice gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sozialanalyse.data.crosswalk import build_crosswalk
from sozialanalyse.data.raw import read_kbu, read_opendata, split_label
from sozialanalyse.data.registry import HOUSEHOLD_YEARS, MIGRATION_YEARS, derived_dir

LONG_COLUMNS = [
    "area_level",
    "area_code",
    "area_name",
    "year",
    "indicator",
    "value",
    "unit",
    "numerator",
    "denominator",
    "source_id",
]
YOUNG_COLUMNS = [
    "area_level",
    "area_code",
    "area_name",
    "year",
    "age_group",
    "age_from",
    "age_to",
    "population",
    "source_id",
]
CITY_CODE = "DD"
CITY_NAME = "Dresden gesamt"

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


# --------------------------------------------------------------------------- helpers
def _age_label(lo: int, hi: int) -> str:
    return f"{lo}_plus" if hi >= 120 else f"{lo}_{hi}"


def _sr_label(frame: pd.DataFrame, col: str = "Stadtraum") -> pd.DataFrame:
    codes = frame[col].map(lambda s: split_label(s)[0])
    names = frame[col].map(lambda s: split_label(s)[1])
    return frame.assign(area_code=codes, area_name=names)


def _with_city(frame: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    """Append city totals (sum over all areas) to a per-area table."""
    city = frame.groupby(keys, as_index=False)[values].sum()
    city["area_code"] = CITY_CODE
    city["area_name"] = CITY_NAME
    return pd.concat([frame, city], ignore_index=True)


def _count_rows(
    frame: pd.DataFrame, col: str, indicator: str, unit: str, source: Callable[[int], str]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": frame["area_code"],
            "area_name": frame["area_name"],
            "year": frame["year"],
            "indicator": indicator,
            "value": frame[col].astype(float),
            "unit": unit,
            "numerator": math.nan,
            "denominator": math.nan,
            "source_id": frame["year"].map(source),
        }
    )


def _share_rows(
    frame: pd.DataFrame,
    num: str,
    den: str,
    indicator: str,
    source: Callable[[int], str],
    unit: str = "percent",
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": frame["area_code"],
            "area_name": frame["area_name"],
            "year": frame["year"],
            "indicator": indicator,
            "value": 100.0 * frame[num] / frame[den],
            "unit": unit,
            "numerator": frame[num].astype(float),
            "denominator": frame[den].astype(float),
            "source_id": frame["year"].map(source),
        }
    )


def _stb_label(label: str) -> tuple[str, str]:
    # "StB 0 Altstadt" -> ("0", "Altstadt")
    parts = label.split(" ", 2)
    return parts[1], parts[2]


# --------------------------------------------------------------------------- readers
def migration_by_sr(root: Path | None = None) -> pd.DataFrame:
    """md105e, all years: counts per Stadtraum × Stadtbezirk part × age class × origin."""
    frames = []
    for year in MIGRATION_YEARS:
        table = read_opendata(f"OD_MIGRATION_SR_{year}", root)
        frames.append(table)
    table = pd.concat(frames, ignore_index=True)
    table = _sr_label(table)
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


def _migration_wide(root: Path | None) -> pd.DataFrame:
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
    return _with_city(out, ["year"], values)


def _households_wide(root: Path | None) -> pd.DataFrame:
    rows = []
    for year in HOUSEHOLD_YEARS:
        hh = _sr_label(read_opendata(f"OD_HH_KINDER_{year}", root))
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
        single = _sr_label(read_opendata(f"OD_HH_ALLEINERZ_{year}", root))
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
    return _with_city(out, ["year"], values)


def _unemployment_stb(root: Path | None) -> pd.DataFrame:
    """Unemployed in the 4th quarter by Stadtbezirk (incl. 'unbekannt'), 2012–2025."""
    old = read_opendata("OD_ARBEITSLOSE_2012_2017", root).assign(
        source_id="OD_ARBEITSLOSE_2012_2017"
    )
    new = read_opendata("OD_ARBEITSLOSE_2018FF", root).assign(source_id="OD_ARBEITSLOSE_2018FF")
    table = pd.concat([old, new], ignore_index=True)
    table = table[table["Quartal"] == "4. Quartal"]
    return pd.DataFrame(
        {
            "year": table["Jahr"],
            "stadtbezirk": table["Stadtbezirk mit zugeordneten Ortschaften"],
            "unemployed": table["Insgesamt"],
            "unemployed_sgb2": table["nach SGB II"],
            "unemployed_u25": table["Anzahl unter 25 Jahre"],
            "source_id": table["source_id"],
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- tables
def _mig_source(year: int) -> str:
    return f"OD_MIGRATION_SR_{year}"


def _hh_source(year: int) -> str:
    return f"OD_HH_KINDER_{year}"


def _sp_source(year: int) -> str:
    return f"OD_HH_ALLEINERZ_{year}; OD_HH_KINDER_{year}"


def _unemp_source(year: int) -> str:
    file = "OD_ARBEITSLOSE_2012_2017" if year <= 2017 else "OD_ARBEITSLOSE_2018FF"
    return f"{file}; OD_MIGRATION_SR_{year}"


def single_years_by_sr(root: Path | None = None) -> pd.DataFrame:
    """md_31e 2025: residents per Stadtraum × Stadtbezirk part × single year of age."""
    table = _sr_label(read_opendata("OD_EW_SR_JAHRGAENGE_2025", root))
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


def _sr_age_bands(root: Path | None) -> pd.DataFrame:
    single = single_years_by_sr(root)
    keys = ["area_code", "area_name", "year"]
    out = single.groupby(keys, as_index=False)["count"].sum().rename(columns={"count": "total"})
    for lo, hi in SR_AGE_BANDS:
        band = single[(single["age"] >= lo) & (single["age"] <= hi)]
        out = out.join(band.groupby(keys)["count"].sum().rename(_age_label(lo, hi)), on=keys)
    values = ["total"] + [_age_label(lo, hi) for lo, hi in SR_AGE_BANDS]
    return _with_city(out, ["year"], values)


def unemployment_by_stadtbezirk(root: Path | None = None) -> pd.DataFrame:
    """Unemployed (4th quarter) and residents 18–64 per Stadtbezirk and year.

    The population base (residents aged 18–64) exists only for the years of
    the md105e table; other years have an empty denominator.
    """
    unemp = _unemployment_stb(root)
    mig = migration_by_sr(root)
    pop = (
        mig[mig["age"] == "18 - 64 Jahre"]
        .groupby(["year", "stadtbezirk"])["count"]
        .sum()
        .rename("pop_18_64")
    )
    return unemp.join(pop, on=["year", "stadtbezirk"])


def _sr_unemployment(root: Path | None) -> pd.DataFrame:
    """Stadtbezirk unemployment rates assigned to Stadträume (weighted by 18–64 residents)."""
    stb = unemployment_by_stadtbezirk(root)
    known = stb[stb["stadtbezirk"] != "unbekannt"].dropna(subset=["pop_18_64"])
    rates = known.set_index(["year", "stadtbezirk"])
    mig = migration_by_sr(root)
    parts = (
        mig[mig["age"] == "18 - 64 Jahre"]
        .groupby(["area_code", "area_name", "year", "stadtbezirk"], as_index=False)["count"]
        .sum()
    )
    parts = parts.join(
        rates[["unemployed", "unemployed_sgb2", "pop_18_64"]], on=["year", "stadtbezirk"]
    )
    parts["w_unemp"] = parts["count"] * parts["unemployed"] / parts["pop_18_64"]
    parts["w_sgb2"] = parts["count"] * parts["unemployed_sgb2"] / parts["pop_18_64"]
    keys = ["area_code", "area_name", "year"]
    out = parts.groupby(keys, as_index=False)[["count", "w_unemp", "w_sgb2"]].sum()
    # City: all unemployed incl. 'unbekannt' over all residents 18-64.
    city_unemp = stb.groupby("year")[["unemployed", "unemployed_sgb2"]].sum()
    city_pop = mig[mig["age"] == "18 - 64 Jahre"].groupby("year")["count"].sum()
    city = pd.DataFrame({"count": city_pop}).join(city_unemp, how="left").reset_index()
    city = city.rename(columns={"unemployed": "w_unemp", "unemployed_sgb2": "w_sgb2"})
    city["area_code"] = CITY_CODE
    city["area_name"] = CITY_NAME
    return pd.concat([out, city[keys + ["count", "w_unemp", "w_sgb2"]]], ignore_index=True)


def build_stadtraum_indicators(root: Path | None = None) -> pd.DataFrame:
    """Long indicator table for the 17 Stadträume and the city (``DD``)."""
    parts: list[pd.DataFrame] = []
    mig = _migration_wide(root)
    parts += [
        _count_rows(mig, "total", "einwohner", "persons", _mig_source),
        _count_rows(mig, "a0_17", "einwohner_0_17", "persons", _mig_source),
        _count_rows(mig, "a18_64", "einwohner_18_64", "persons", _mig_source),
        _count_rows(mig, "a65", "einwohner_65_plus", "persons", _mig_source),
        _share_rows(mig, "a0_17", "total", "anteil_0_17", _mig_source),
        _share_rows(mig, "foreign", "total", "auslaender_anteil", _mig_source),
        _share_rows(mig, "foreign_0_17", "a0_17", "auslaender_anteil_0_17", _mig_source),
        _share_rows(mig, "migrant", "total", "migrationshintergrund_anteil", _mig_source),
        _share_rows(mig, "migrant_0_17", "a0_17", "migrationshintergrund_anteil_0_17", _mig_source),
    ]
    hh = _households_wide(root)
    parts += [
        _count_rows(hh, "households", "haushalte", "households", _hh_source),
        _count_rows(hh, "households_children", "haushalte_mit_kindern", "households", _hh_source),
        _count_rows(hh, "children", "kinder_in_haushalten", "persons", _hh_source),
        _count_rows(hh, "persons", "einwohner_in_haushalten", "persons", _hh_source),
        _share_rows(
            hh, "households_children", "households", "anteil_haushalte_mit_kindern", _hh_source
        ),
        _share_rows(
            hh,
            "households_3plus",
            "households_children",
            "anteil_kinderreiche_haushalte",
            _hh_source,
        ),
        _count_rows(
            hh, "single_households", "alleinerziehende_haushalte", "households", _sp_source
        ),
        _share_rows(
            hh, "single_households", "households_children", "anteil_alleinerziehende", _sp_source
        ),
        _share_rows(
            hh, "single_children", "children", "anteil_kinder_bei_alleinerziehenden", _sp_source
        ),
    ]
    bands = _sr_age_bands(root)
    for lo, hi in SR_AGE_BANDS:
        label = _age_label(lo, hi)
        parts.append(
            _count_rows(
                bands, label, f"einwohner_{label}", "persons", lambda _y: "OD_EW_SR_JAHRGAENGE_2025"
            )
        )
    unemp = _sr_unemployment(root)
    unemp["quote"] = unemp["w_unemp"]
    rate = _share_rows(unemp, "quote", "count", "arbeitslosenquote_stb", _unemp_source)
    sgb2 = _share_rows(unemp, "w_sgb2", "count", "arbeitslosenquote_sgb2_stb", _unemp_source)
    for frame in (rate, sgb2):
        sr = frame["area_code"] != CITY_CODE
        frame.loc[sr, "numerator"] = math.nan  # no unemployment count exists per Stadtraum
    parts += [rate, sgb2]
    parts.append(_kbu_rows(root))
    out = pd.concat(parts, ignore_index=True)
    out["area_level"] = out["area_code"].map(lambda c: "stadt" if c == CITY_CODE else "stadtraum")
    return _sort_long(out)


def _kbu_rows(root: Path | None) -> pd.DataFrame:
    kbu = read_kbu(root)
    kbu = _sr_label(kbu)
    city = kbu["area_code"] == "18"
    kbu.loc[city, "area_code"] = CITY_CODE
    kbu.loc[city, "area_name"] = CITY_NAME
    kbu["year"] = kbu["Jahr"]
    cols = list(kbu.columns[2:6])
    spec = [
        (cols[0], "kbu_aequivalenzeinkommen", "EUR per month"),
        (cols[1], "kbu_anteil_geringes_einkommen", "percent"),
        (cols[2], "kbu_anteil_mittleres_einkommen", "percent"),
        (cols[3], "kbu_anteil_hohes_einkommen", "percent"),
    ]
    return pd.concat(
        [
            _count_rows(kbu, col, ind, unit, lambda _y: "OD_KBU_EINKOMMEN")
            for col, ind, unit in spec
        ],
        ignore_index=True,
    )


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


def build_stadtteil_indicators(root: Path | None = None) -> pd.DataFrame:
    """Long indicator table for the 61 residential Stadtteile (2025) and the city."""
    stt = stadtteil_parts(root)
    keys = ["area_code", "area_name", "year"]
    wide = stt.groupby(keys, as_index=False)["count"].sum().rename(columns={"count": "total"})
    labels = []
    for lo, hi in STT_AGE_CLASSES:
        label = _age_label(lo, hi)
        labels.append(label)
        part = stt[stt["age_from"] == lo].groupby(keys)["count"].sum().rename(label)
        wide = wide.join(part, on=keys)
    wide["a0_17"] = wide[["0_2", "3_5", "6_9", "10_14", "15_17"]].sum(axis=1)
    nat = read_opendata("OD_EW_STT_2025", root)
    nat = nat.assign(
        area_code=nat["Stadtteil zus."].map(lambda s: split_label(s)[0]),
        area_name=nat["Stadtteil zus."].map(lambda s: split_label(s)[1]),
        year=nat["Jahr"],
    )
    foreign = nat[nat["Staatsangehörigkeit-1 Deutsche / Ausländer"] == "Ausländer"]
    wide = wide.join(foreign.groupby(keys)["Anzahl Einwohner"].sum().rename("foreign"), on=keys)
    wide = wide.join(nat.groupby(keys)["Anzahl Einwohner"].sum().rename("total_34e"), on=keys)
    values = ["total", "a0_17", "foreign", "total_34e", *labels]
    wide = _with_city(wide, ["year"], values)

    def src(_y: int) -> str:
        return "OD_EW_STT_ALTER_2025"

    def src_nat(_y: int) -> str:
        return "OD_EW_STT_2025"

    parts = [
        _count_rows(wide, "total", "einwohner", "persons", src),
        _count_rows(wide, "a0_17", "einwohner_0_17", "persons", src),
        _share_rows(wide, "a0_17", "total", "anteil_0_17", src),
        _count_rows(wide, "foreign", "auslaender", "persons", src_nat),
        _share_rows(wide, "foreign", "total_34e", "auslaender_anteil", src_nat),
    ]
    parts += [_count_rows(wide, lab, f"einwohner_{lab}", "persons", src) for lab in labels]
    out = pd.concat(parts, ignore_index=True)
    out["area_level"] = out["area_code"].map(lambda c: "stadt" if c == CITY_CODE else "stadtteil")
    return _sort_long(out)


def build_stadtbezirk_indicators(root: Path | None = None) -> pd.DataFrame:
    """Long table for the 10 Stadtbezirke: unemployment (4th quarter) and forecast."""
    stb = unemployment_by_stadtbezirk(root)
    stb = stb[stb["stadtbezirk"] != "unbekannt"].copy()
    stb["area_code"] = stb["stadtbezirk"].map(lambda s: _stb_label(s)[0])
    stb["area_name"] = stb["stadtbezirk"].map(lambda s: _stb_label(s)[1])
    src = dict(zip(stb["year"], stb["source_id"], strict=False))

    def source(year: int) -> str:
        return src[year]

    parts = [
        _count_rows(stb, "unemployed", "arbeitslose", "persons", source),
        _count_rows(stb, "unemployed_sgb2", "arbeitslose_sgb2", "persons", source),
        _count_rows(stb, "unemployed_u25", "arbeitslose_unter_25", "persons", source),
    ]
    with_pop = stb.dropna(subset=["pop_18_64"])
    parts += [
        _count_rows(with_pop, "pop_18_64", "einwohner_18_64", "persons", _mig_source),
        _share_rows(with_pop, "unemployed", "pop_18_64", "arbeitslosenquote", _unemp_source),
        _share_rows(
            with_pop, "unemployed_sgb2", "pop_18_64", "arbeitslosenquote_sgb2", _unemp_source
        ),
    ]
    prog = read_opendata("OD_PROGNOSE_STB", root)
    prog = prog.assign(
        area_code=prog["Stadtbezirk mit zugeordneten Ortschaften"].map(lambda s: _stb_label(s)[0]),
        area_name=prog["Stadtbezirk mit zugeordneten Ortschaften"].map(lambda s: _stb_label(s)[1]),
        year=prog["Jahr-Prognose"],
    )
    parts.append(
        _count_rows(prog, "Anzahl", "einwohner_prognose", "persons", lambda _y: "OD_PROGNOSE_STB")
    )
    out = pd.concat(parts, ignore_index=True)
    out["area_level"] = "stadtbezirk"
    return _sort_long(out)


def build_young_population(root: Path | None = None) -> pd.DataFrame:
    """Young residents by age group: Stadträume (2014–2025) and Stadtteile (2025)."""
    rows = []
    mig = _migration_wide(root)
    for _, r in mig.iterrows():
        rows.append(
            (r["area_code"], r["area_name"], r["year"], 0, 17, r["a0_17"], _mig_source(r["year"]))
        )
    bands = _sr_age_bands(root)
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
                    r[_age_label(lo, hi)],
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


def wide_from_long(long: pd.DataFrame) -> pd.DataFrame:
    """Pivot a long indicator table to one row per area × year, one column per indicator."""
    wide = long.pivot_table(
        index=["area_level", "area_code", "area_name", "year"],
        columns="indicator",
        values="value",
        aggfunc="first",
    )
    wide.columns.name = None
    wide = wide[sorted(wide.columns)].reset_index()
    return wide.sort_values(["area_level", "area_code", "year"]).reset_index(drop=True)


def _sort_long(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.sort_values(["area_level", "area_code", "indicator", "year"])
    return frame[LONG_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- writing
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
