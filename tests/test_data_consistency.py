"""Consistency of the Dresden tables: sums across levels, city totals, independent transcriptions.

These checks catch transcription errors in the raw copies and mistakes in the aggregation
code: Stadtteil sums must equal Stadtraum sums, which must equal the city totals, wherever two
tables give the same quantity.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sozialanalyse.data as sd
from sozialanalyse.data.population import migration_by_sr, single_years_by_sr, stadtteil_parts
from sozialanalyse.data.raw import read_opendata, split_label

FIXTURES = Path(__file__).parent / "fixtures" / "data"

#: City totals of residents per md105e year as stated in the provenance note of the
#: source collection (data/raw/dresden-opendata/PROVENANCE.md, file 4).
CITY_TOTALS = {
    2014: 541_304,
    2016: 553_036,
    2018: 560_641,
    2020: 561_942,
    2022: 569_173,
    2024: 573_648,
    2025: 571_510,
}


@pytest.fixture(scope="module")
def sr_long() -> pd.DataFrame:
    return sd.load("dresden_stadtraum_indicators")


def _value(frame, code, indicator, year):
    sel = frame[(frame.area_code == code) & (frame.indicator == indicator) & (frame.year == year)]
    assert len(sel) == 1, (code, indicator, year)
    return sel["value"].iloc[0]


def test_city_totals_match_published_totals(sr_long):
    for year, total in CITY_TOTALS.items():
        assert _value(sr_long, "DD", "einwohner", year) == total


def test_city_total_2020_close_to_press_figure(sr_long):
    # WK_2020: "rund 561.300" residents at end of June 2020; md105e 2020 has another reference
    # date (not stated in the file), so only a plausibility band of 0.5 % is checked.
    assert abs(_value(sr_long, "DD", "einwohner", 2020) - 561_300) / 561_300 < 0.005


def test_stadtteil_sums_equal_stadtraum_sums_by_age_class_2025():
    stt = stadtteil_parts()
    single = single_years_by_sr()
    bins = [0, 3, 6, 10, 15, 18, 25, 30, 45, 60, 65, 75, 85, 200]
    single["age_from"] = pd.cut(single["age"], bins, right=False, labels=bins[:-1]).astype(int)
    a = stt.groupby(["stadtraum_code", "age_from"])["count"].sum()
    b = single.groupby(["area_code", "age_from"])["count"].sum()
    b.index = b.index.set_names(["stadtraum_code", "age_from"])
    assert len(a) == 17 * 13
    pd.testing.assert_series_equal(a, b)
    assert a.sum() == CITY_TOTALS[2025]


def test_stadtraum_totals_2025_agree_across_three_tables():
    single = single_years_by_sr().groupby("area_code")["count"].sum()
    mig = migration_by_sr()
    mig25 = mig[mig.year == 2025].groupby("area_code")["count"].sum()
    nat = read_opendata("OD_EW_STT_2025")
    nat_sr = nat.groupby(nat["Stadtraum"].map(lambda s: split_label(s)[0]))[
        "Anzahl Einwohner"
    ].sum()
    assert single.to_dict() == mig25.to_dict() == nat_sr.to_dict()


def test_foreign_nationals_agree_between_stadtteil_and_stadtraum_tables():
    nat = read_opendata("OD_EW_STT_2025")
    foreign = nat[nat["Staatsangehörigkeit-1 Deutsche / Ausländer"] == "Ausländer"]
    by_sr = foreign.groupby(foreign["Stadtraum"].map(lambda s: split_label(s)[0]))[
        "Anzahl Einwohner"
    ].sum()
    mig = migration_by_sr()
    mig_f = (
        mig[(mig.year == 2025) & (mig.origin == "Ausländer")].groupby("area_code")["count"].sum()
    )
    assert by_sr.to_dict() == mig_f.to_dict()


def test_stadtteil_level_sums_to_city_in_derived_table():
    stt = sd.load("dresden_stadtteil_indicators")
    for indicator in ("einwohner", "einwohner_0_17", "auslaender", "einwohner_85_plus"):
        rows = stt[stt.indicator == indicator]
        parts = rows.loc[rows.area_level == "stadtteil", "value"].sum()
        city = rows.loc[rows.area_level == "stadt", "value"].iloc[0]
        assert parts == city
    assert _value(stt, "DD", "einwohner", 2025) == CITY_TOTALS[2025]


def test_stadtraum_level_sums_to_city(sr_long):
    counts = sr_long[sr_long.unit.isin(["persons", "households"])]
    for (indicator, year), rows in counts.groupby(["indicator", "year"]):
        parts = rows.loc[rows.area_level == "stadtraum", "value"].sum()
        city = rows.loc[rows.area_level == "stadt", "value"].iloc[0]
        assert parts == city, (indicator, year)


def test_young_population_minors_2025_from_two_tables_agree():
    young = sd.load("dresden_young_population")
    sr = young[(young.area_level == "stadtraum") & (young.year == 2025)]
    bands = sr[sr.age_group.isin(["0-2", "3-5", "6-9", "10-14", "15-17"])]
    by_band = bands.groupby("area_code")["population"].sum()
    minors = sr[sr.age_group == "0-17"].set_index("area_code")["population"]
    pd.testing.assert_series_equal(by_band, minors, check_names=False)
    stt = young[(young.area_level == "stadtteil") & (young.age_group == "0-17")]
    assert stt["population"].sum() == minors.sum() == 93_533


def test_unemployment_breakdowns_add_up():
    for sid in ("OD_ARBEITSLOSE_2012_2017", "OD_ARBEITSLOSE_2018FF"):
        t = read_opendata(sid)
        assert (t["Männer"] + t["Frauen"] == t["Insgesamt"]).all()
        assert (t["nach SGB II"] + t["nach SGB III"] == t["Insgesamt"]).all()


INDEPENDENT = {
    "einwohner_in_haushalten_summe": ("einwohner_in_haushalten", "value"),
    "haushalte_summe": ("haushalte", "value"),
    "haushalte_mit_kindern": ("haushalte_mit_kindern", "value"),
    "kinder_in_haushalten_summe": ("kinder_in_haushalten", "value"),
    "anteil_haushalte_mit_kindern": ("anteil_haushalte_mit_kindern", "value"),
    "alleinerziehenden_haushalte": ("alleinerziehende_haushalte", "value"),
    "kinder_in_alleinerziehenden_haushalten": ("anteil_kinder_bei_alleinerziehenden", "numerator"),
    "anteil_alleinerziehende_an_haushalten_mit_kindern": ("anteil_alleinerziehende", "value"),
    "anteil_kinder_in_alleinerziehenden_haushalten": (
        "anteil_kinder_bei_alleinerziehenden",
        "value",
    ),
}


def test_household_sums_equal_independent_transcription(sr_long):
    ref = pd.read_csv(FIXTURES / "DERIVED_stadtraum_sums_from_opendata.csv", dtype={"sr_nr": str})
    ref = ref[ref["indicator"].isin(INDEPENDENT)]
    assert len(ref) == 3 * 18 * len(INDEPENDENT)
    for row in ref.itertuples():
        indicator, column = INDEPENDENT[row.indicator]
        sel = sr_long[
            (sr_long.area_code == row.sr_nr)
            & (sr_long.indicator == indicator)
            & (sr_long.year == row.year)
        ]
        ours = sel[column].iloc[0]
        # the reference rounds shares to two decimals
        assert ours == pytest.approx(row.value, abs=0.0051), (row.sr_nr, row.indicator, row.year)


KBU = {
    "kbu_aequivalenzeinkommen_haushalt": "kbu_aequivalenzeinkommen",
    "kbu_anteil_haushalte_relativ_arm": "kbu_anteil_geringes_einkommen",
    "kbu_anteil_haushalte_mittleres_einkommen": "kbu_anteil_mittleres_einkommen",
    "kbu_anteil_haushalte_relativ_reich": "kbu_anteil_hohes_einkommen",
}


def test_kbu_values_equal_independent_transcription(sr_long):
    ref = pd.read_csv(FIXTURES / "kbu_independent_transcription.csv", dtype={"sr_nr": str})
    assert len(ref) == 18 * 15 * 4
    ours = sr_long[sr_long.indicator.str.startswith("kbu_")].set_index(
        ["area_code", "indicator", "year"]
    )["value"]
    for row in ref.itertuples():
        assert ours.loc[(row.sr_nr, KBU[row.indicator], row.year)] == pytest.approx(row.value)


def test_kbu_shares_add_to_100(sr_long):
    kbu = sr_long[sr_long.indicator.str.startswith("kbu_anteil")]
    sums = kbu.groupby(["area_code", "year"])["value"].sum()
    assert ((sums - 100).abs() < 0.15).all()


def test_gorbitz_minors_close_to_press_release(sr_long):
    # PR_ASD_GORBITZ_2018: 3,477 minors in Gorbitz (Feb 2018); SR 16 in md105e 2018 (reference
    # date not stated) must be within 2 % of it.
    assert abs(_value(sr_long, "16", "einwohner_0_17", 2018) - 3477) / 3477 < 0.02
