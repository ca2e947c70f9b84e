"""The long indicator tables of ``data/derived/``: Stadträume, Stadtteile, Stadtbezirke."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sozialanalyse.data.labour import sr_unemployment, unemp_source, unemployment_by_stadtbezirk
from sozialanalyse.data.population import (
    SR_AGE_BANDS,
    STT_AGE_CLASSES,
    hh_source,
    households_wide,
    mig_source,
    migration_wide,
    sp_source,
    sr_age_bands,
    stadtteil_parts,
)
from sozialanalyse.data.raw import read_kbu, read_opendata, split_label
from sozialanalyse.data.tidy import (
    CITY_CODE,
    CITY_NAME,
    age_label,
    count_rows,
    share_rows,
    sort_long,
    sr_label,
    stb_label,
    with_city,
)


def build_stadtraum_indicators(root: Path | None = None) -> pd.DataFrame:
    """Long indicator table for the 17 Stadträume and the city (``DD``)."""
    parts: list[pd.DataFrame] = []
    mig = migration_wide(root)
    parts += [
        count_rows(mig, "total", "einwohner", "persons", mig_source),
        count_rows(mig, "a0_17", "einwohner_0_17", "persons", mig_source),
        count_rows(mig, "a18_64", "einwohner_18_64", "persons", mig_source),
        count_rows(mig, "a65", "einwohner_65_plus", "persons", mig_source),
        share_rows(mig, "a0_17", "total", "anteil_0_17", mig_source),
        share_rows(mig, "foreign", "total", "auslaender_anteil", mig_source),
        share_rows(mig, "foreign_0_17", "a0_17", "auslaender_anteil_0_17", mig_source),
        share_rows(mig, "migrant", "total", "migrationshintergrund_anteil", mig_source),
        share_rows(mig, "migrant_0_17", "a0_17", "migrationshintergrund_anteil_0_17", mig_source),
    ]
    hh = households_wide(root)
    parts += [
        count_rows(hh, "households", "haushalte", "households", hh_source),
        count_rows(hh, "households_children", "haushalte_mit_kindern", "households", hh_source),
        count_rows(hh, "children", "kinder_in_haushalten", "persons", hh_source),
        count_rows(hh, "persons", "einwohner_in_haushalten", "persons", hh_source),
        share_rows(
            hh, "households_children", "households", "anteil_haushalte_mit_kindern", hh_source
        ),
        share_rows(
            hh,
            "households_3plus",
            "households_children",
            "anteil_kinderreiche_haushalte",
            hh_source,
        ),
        count_rows(hh, "single_households", "alleinerziehende_haushalte", "households", sp_source),
        share_rows(
            hh, "single_households", "households_children", "anteil_alleinerziehende", sp_source
        ),
        share_rows(
            hh, "single_children", "children", "anteil_kinder_bei_alleinerziehenden", sp_source
        ),
    ]
    bands = sr_age_bands(root)
    for lo, hi in SR_AGE_BANDS:
        label = age_label(lo, hi)
        parts.append(
            count_rows(
                bands, label, f"einwohner_{label}", "persons", lambda _y: "OD_EW_SR_JAHRGAENGE_2025"
            )
        )
    unemp = sr_unemployment(root)
    unemp["quote"] = unemp["w_unemp"]
    rate = share_rows(unemp, "quote", "count", "arbeitslosenquote_stb", unemp_source)
    sgb2 = share_rows(unemp, "w_sgb2", "count", "arbeitslosenquote_sgb2_stb", unemp_source)
    for frame in (rate, sgb2):
        sr = frame["area_code"] != CITY_CODE
        frame.loc[sr, "numerator"] = math.nan  # no unemployment count exists per Stadtraum
    parts += [rate, sgb2]
    parts.append(_kbu_rows(root))
    out = pd.concat(parts, ignore_index=True)
    out["area_level"] = out["area_code"].map(lambda c: "stadt" if c == CITY_CODE else "stadtraum")
    return sort_long(out)


def _kbu_rows(root: Path | None) -> pd.DataFrame:
    kbu = read_kbu(root)
    kbu = sr_label(kbu)
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
        [count_rows(kbu, col, ind, unit, lambda _y: "OD_KBU_EINKOMMEN") for col, ind, unit in spec],
        ignore_index=True,
    )


def build_stadtteil_indicators(root: Path | None = None) -> pd.DataFrame:
    """Long indicator table for the 61 residential Stadtteile (2025) and the city."""
    stt = stadtteil_parts(root)
    keys = ["area_code", "area_name", "year"]
    wide = stt.groupby(keys, as_index=False)["count"].sum().rename(columns={"count": "total"})
    labels = []
    for lo, hi in STT_AGE_CLASSES:
        label = age_label(lo, hi)
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
    wide = with_city(wide, ["year"], values)

    def src(_y: int) -> str:
        return "OD_EW_STT_ALTER_2025"

    def src_nat(_y: int) -> str:
        return "OD_EW_STT_2025"

    parts = [
        count_rows(wide, "total", "einwohner", "persons", src),
        count_rows(wide, "a0_17", "einwohner_0_17", "persons", src),
        share_rows(wide, "a0_17", "total", "anteil_0_17", src),
        count_rows(wide, "foreign", "auslaender", "persons", src_nat),
        share_rows(wide, "foreign", "total_34e", "auslaender_anteil", src_nat),
    ]
    parts += [count_rows(wide, lab, f"einwohner_{lab}", "persons", src) for lab in labels]
    out = pd.concat(parts, ignore_index=True)
    out["area_level"] = out["area_code"].map(lambda c: "stadt" if c == CITY_CODE else "stadtteil")
    return sort_long(out)


def build_stadtbezirk_indicators(root: Path | None = None) -> pd.DataFrame:
    """Long table for the 10 Stadtbezirke: unemployment (4th quarter) and forecast."""
    stb = unemployment_by_stadtbezirk(root)
    stb = stb[stb["stadtbezirk"] != "unbekannt"].copy()
    stb["area_code"] = stb["stadtbezirk"].map(lambda s: stb_label(s)[0])
    stb["area_name"] = stb["stadtbezirk"].map(lambda s: stb_label(s)[1])
    src = dict(zip(stb["year"], stb["source_id"], strict=False))

    def source(year: int) -> str:
        return src[year]

    parts = [
        count_rows(stb, "unemployed", "arbeitslose", "persons", source),
        count_rows(stb, "unemployed_sgb2", "arbeitslose_sgb2", "persons", source),
        count_rows(stb, "unemployed_u25", "arbeitslose_unter_25", "persons", source),
    ]
    with_pop = stb.dropna(subset=["pop_18_64"])
    parts += [
        count_rows(with_pop, "pop_18_64", "einwohner_18_64", "persons", mig_source),
        share_rows(with_pop, "unemployed", "pop_18_64", "arbeitslosenquote", unemp_source),
        share_rows(
            with_pop, "unemployed_sgb2", "pop_18_64", "arbeitslosenquote_sgb2", unemp_source
        ),
    ]
    prog = read_opendata("OD_PROGNOSE_STB", root)
    prog = prog.assign(
        area_code=prog["Stadtbezirk mit zugeordneten Ortschaften"].map(lambda s: stb_label(s)[0]),
        area_name=prog["Stadtbezirk mit zugeordneten Ortschaften"].map(lambda s: stb_label(s)[1]),
        year=prog["Jahr-Prognose"],
    )
    parts.append(
        count_rows(prog, "Anzahl", "einwohner_prognose", "persons", lambda _y: "OD_PROGNOSE_STB")
    )
    out = pd.concat(parts, ignore_index=True)
    out["area_level"] = "stadtbezirk"
    return sort_long(out)
