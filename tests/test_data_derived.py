"""Derived Dresden tables: byte-identical rebuild, completeness, crosswalk rules."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sozialanalyse.data as sd
from sozialanalyse.data.derived import format_value, table_to_csv
from sozialanalyse.data.registry import HOUSEHOLD_YEARS, MIGRATION_YEARS, derived_dir

SR_CODES = [f"{i:02d}" for i in range(1, 18)]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("derived")
    sd.build_derived(out)
    return out


def test_committed_derived_files_equal_fresh_rebuild(rebuilt):
    committed = sorted(p.name for p in derived_dir().glob("*.csv"))
    fresh = sorted(p.name for p in rebuilt.glob("*.csv"))
    assert committed == fresh
    for name in fresh:
        assert (derived_dir() / name).read_bytes() == (rebuilt / name).read_bytes(), name


def test_rebuild_twice_is_byte_identical(rebuilt, tmp_path):
    sd.build_derived(tmp_path)
    for path in rebuilt.glob("*.csv"):
        assert path.read_bytes() == (tmp_path / path.name).read_bytes()


def test_derived_files_use_lf_and_utf8(rebuilt):
    for path in rebuilt.glob("*.csv"):
        raw = path.read_bytes()
        assert b"\r" not in raw
        assert not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")


def test_format_value_is_fixed_and_plain():
    assert format_value(1 / 3) == "0.333333"
    assert format_value(1e-9) == "0"
    assert format_value(1234567.0) == "1234567"
    assert format_value(float("nan")) == ""
    assert format_value(True) == "true"
    assert "e" not in format_value(1.5e-5)


def test_table_to_csv_quotes_commas_in_names():
    frame = pd.DataFrame({"area_name": ["Blasewitz, Striesen"], "value": [2.5]})
    assert table_to_csv(frame) == 'area_name,value\n"Blasewitz, Striesen",2.5\n'


def test_every_stadtraum_in_every_year_of_each_indicator():
    table = sd.load("dresden_stadtraum_indicators")
    sr = table[table["area_level"] == "stadtraum"]
    for indicator, group in sr.groupby("indicator"):
        for year, rows in group.groupby("year"):
            assert sorted(rows["area_code"]) == SR_CODES, (indicator, year)
    years = set(sr.loc[sr["indicator"] == "einwohner", "year"])
    assert years == set(MIGRATION_YEARS)
    years = set(sr.loc[sr["indicator"] == "anteil_alleinerziehende", "year"])
    assert years == set(HOUSEHOLD_YEARS)
    assert len(set(sr.loc[sr["indicator"] == "kbu_anteil_geringes_einkommen", "year"])) == 15


def test_city_row_for_every_area_row():
    table = sd.load("dresden_stadtraum_indicators")
    keys = table.groupby(["indicator", "year"])["area_level"].apply(set)
    assert all(levels == {"stadt", "stadtraum"} for levels in keys)


def test_stadtteile_complete_2025():
    table = sd.load("dresden_stadtteil_indicators")
    st = table[table["area_level"] == "stadtteil"]
    crosswalk = sd.load("dresden_crosswalk")
    residential = set(crosswalk.loc[crosswalk["residential"], "stadtteil_code"])
    assert len(residential) == 61
    for _, rows in st.groupby("indicator"):
        assert set(rows["area_code"]) == residential
        assert set(rows["year"]) == {2025}


def test_crosswalk_covers_all_64_polygons_with_special_cases():
    cw = sd.load("dresden_crosswalk")
    geo = sd.load("raw_geo_colouring_dd")
    assert set(cw["stadtteil_code"]) == set(geo["blocknr"])
    assert cw["stadtteil_code"].nunique() == 64
    strehlen = cw[cw["stadtteil_code"] == "76"].set_index("stadtraum_code")
    assert list(strehlen.index) == ["11", "12"]
    assert strehlen.loc["11", "population"] == 3560
    assert strehlen.loc["12", "population"] == 7728
    assert strehlen["population_share"].sum() == pytest.approx(1.0)
    assert cw.loc[cw["stadtteil_code"] == "73", "stadtraum_code"].tolist() == ["12"]
    nonres = cw[~cw["residential"]].set_index("stadtteil_code")
    assert nonres["reported_with"].to_dict() == {"33": "31", "34": "31", "44": "42"}
    assert nonres["stadtraum_code"].to_dict() == {"33": "06", "34": "06", "44": "07"}
    assert sorted(cw["stadtraum_code"].unique()) == SR_CODES
    # SR 04 spans two Stadtbezirke
    assert cw.loc[cw["stadtraum_code"] == "04", "stadtbezirk"].nunique() == 2


def test_wide_table_matches_long_table():
    long = sd.load("dresden_stadtraum_indicators")
    wide = sd.load("dresden_stadtraum_wide").set_index(["area_code", "year"])
    sample = long.sample(200, random_state=1)
    for row in sample.itertuples():
        assert wide.loc[(row.area_code, row.year), row.indicator] == pytest.approx(row.value)


def test_unemployment_rate_is_stadtbezirk_value_for_single_bezirk_stadtraum():
    sr = sd.load("dresden_stadtraum_indicators")
    stb = sd.load("dresden_stadtbezirk_indicators")
    # SR 06 = StB 3 Klotzsche alone; SR 16 lies in StB 9 with SR 15 and 17
    for code, bezirk in (("06", "3"), ("16", "9"), ("15", "9")):
        a = sr[(sr.area_code == code) & (sr.indicator == "arbeitslosenquote_stb")]
        b = stb[(stb.area_code == bezirk) & (stb.indicator == "arbeitslosenquote")]
        merged = a.merge(b, on="year")
        assert len(merged) == len(MIGRATION_YEARS)
        assert (merged["value_x"] - merged["value_y"]).abs().max() < 1e-9
    # SR 04 lies between the rates of StB 1 and StB 2
    a = sr[(sr.area_code == "04") & (sr.indicator == "arbeitslosenquote_stb")].set_index("year")
    s1 = stb[(stb.area_code == "1") & (stb.indicator == "arbeitslosenquote")].set_index("year")
    s2 = stb[(stb.area_code == "2") & (stb.indicator == "arbeitslosenquote")].set_index("year")
    lo = pd.concat([s1["value"], s2["value"]], axis=1).min(axis=1)
    hi = pd.concat([s1["value"], s2["value"]], axis=1).max(axis=1)
    assert ((a["value"] >= lo - 1e-9) & (a["value"] <= hi + 1e-9)).all()
