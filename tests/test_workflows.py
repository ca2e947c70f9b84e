"""End-to-end paths from a planner's own files (sozialanalyse.workflows).

Hand-computed toy cases: ranks and index values of a four-area table under equal and manual
weights; the 2 x 2 DiD and the pre/post rate ratio of a tiny panel against the hand ratio of
rate ratios and its Poisson standard error. The simulated example files (tests/fixtures/own,
written by book/beispieldaten/simuliere_beispieldaten.py) check the preset path against
z-scores computed directly from the file, the screening of a small area and the dynamics
switch. Bad files raise InputDataError naming file, column and row.
"""

from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialanalyse.errors import InputDataError
from sozialanalyse.evaluation.results import EvaluationResult
from sozialanalyse.workflows import (
    evaluate_from_file,
    index_from_file,
    ranked_table,
    read_meta_table,
    result_row,
)

OWN = Path(__file__).parent / "fixtures" / "own"
INDICATORS = OWN / "indikatoren_simuliert.csv"
PANEL = OWN / "fallzahlen_simuliert.xlsx"
HAMBURG = ["kinder_migrationshintergrund", "alleinerziehende", "sgb2_empfaenger", "arbeitslose",
           "schulentlassene_ohne_abschluss"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def toy_table(tmp_path: Path) -> Path:
    # German convention: ';' and decimal comma
    return _write(tmp_path / "toy.csv",
                  "area;a;b\nA;1,0;10\nB;2,0;40\nC;3,0;20\nD;4,0;30\n")


# --------------------------------------------------------------------------- index
def test_equal_weights_ranks_by_hand(toy_table: Path, tmp_path: Path) -> None:
    meta = _write(tmp_path / "meta.csv", "indicator;dimension;direction\na;X;1\nb;X;1\n")
    coin = index_from_file(toy_table, meta)
    # a and b have the same sd up to the factor 10: index = ((a-2.5) + (b-25)/10) / 2 / sd(a)
    sd = math.sqrt(5 / 3)
    expected = {"A": -3 / 2 / sd, "B": 1 / 2 / sd, "C": 0.0, "D": 2 / 2 / sd}
    table = ranked_table(coin)
    assert table["area"].tolist() == ["D", "B", "C", "A"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    for area, value in expected.items():
        assert coin.index[area] == pytest.approx(value, abs=1e-12)


def test_manual_weights_from_meta_change_the_order(toy_table: Path, tmp_path: Path) -> None:
    meta = _write(tmp_path / "meta.csv",
                  "indicator;dimension;direction;weight\na;X;1;0,75\nb;X;1;0,25\n")
    coin = index_from_file(toy_table, meta)
    # 0.75 (a-2.5) + 0.25 (b-25)/10 -> A -1.5, B 0, C 0.25, D 1.25 (times 1/sd)
    assert ranked_table(coin)["area"].tolist() == ["D", "C", "B", "A"]
    assert coin.index["C"] == pytest.approx(0.25 / math.sqrt(5 / 3), abs=1e-12)


def test_direction_minus_one_reverses_an_indicator(toy_table: Path, tmp_path: Path) -> None:
    meta = _write(tmp_path / "meta.csv", "indicator,dimension,direction\nb,X,-1\n")
    coin = index_from_file(toy_table, meta)
    assert ranked_table(coin)["area"].tolist() == ["A", "C", "D", "B"]  # b ascending


def test_hamburg_preset_equals_mean_z_scores_of_the_file() -> None:
    coin = index_from_file(INDICATORS, "hamburg_sozialmonitoring")
    raw = pd.read_csv(INDICATORS, sep=";", decimal=",", thousands=".")
    last = raw[(raw["year"] == 2023) & (raw["einwohner"] >= 300)].set_index("area")
    z = (last[HAMBURG] - last[HAMBURG].mean()) / last[HAMBURG].std(ddof=1)
    expected = z.mean(axis=1)
    assert coin.year == 2023
    assert set(coin.index.index) == set(expected.index)
    np.testing.assert_allclose(coin.index.sort_index(), expected.sort_index(), atol=1e-12)
    assert coin.excluded_areas["area"].tolist() == ["Gewerbegebiet Ost"]
    assert coin.dynamics is not None  # 2023 - 3 = 2020 is in the file


def test_dynamics_switched_off_when_the_window_is_not_in_the_file() -> None:
    coin = index_from_file(INDICATORS, "hamburg_sozialmonitoring", year=2021)
    assert coin.year == 2021
    assert coin.dynamics is None
    assert coin.history[-1] == {"step": "dynamics", "params": {"k": None}}


def test_missing_preset_column_names_file_and_column() -> None:
    with pytest.raises(InputDataError) as err:
        index_from_file(INDICATORS, "berlin_mss")
    assert err.value.column == "arbeitslosigkeit"
    assert err.value.file == str(INDICATORS)


def test_year_not_in_file(toy_table: Path) -> None:
    with pytest.raises(InputDataError, match="2019"):
        index_from_file(INDICATORS, "hamburg_sozialmonitoring", year=2019)


def test_meta_with_bad_direction_names_the_row(tmp_path: Path) -> None:
    meta = _write(tmp_path / "meta.csv", "indicator;dimension;direction\na;X;1\nb;X;+2\n")
    with pytest.raises(InputDataError) as err:
        read_meta_table(meta)
    assert (err.value.column, err.value.row, err.value.code) == ("direction", 3, "E-META-002")


def test_unknown_preset_or_file(toy_table: Path) -> None:
    with pytest.raises(InputDataError, match="weder eine Vorgabe"):
        index_from_file(toy_table, "hamburg")


# --------------------------------------------------------------------------- evaluation
@pytest.fixture
def tiny_panel(tmp_path: Path) -> Path:
    # treated A: rate 100/1000 -> 80/1250 (RR 0.64); comparison B: 200/2000 -> 220/2000 (RR 1.1)
    return _write(tmp_path / "panel.csv",
                  "area,year,cases,population,start_year\n"
                  "A,2020,100,1000,2021\nA,2021,80,1250,2021\n"
                  "B,2020,200,2000,\nB,2021,220,2000,\n")


def _quiet(**kwargs: object) -> pd.Series:
    """The tidy row (``result_row``) of an evaluation, warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one pre-period year: a guardrail warning
        result = evaluate_from_file(**kwargs)  # type: ignore[arg-type]
    assert isinstance(result, EvaluationResult)
    return result_row(result).iloc[0]


def test_did_equals_ratio_of_rate_ratios_by_hand(tiny_panel: Path) -> None:
    row = _quiet(path=tiny_panel, design="did", family="poisson")
    assert row["irr"] == pytest.approx(0.64 / 1.1, rel=1e-8)
    se = math.sqrt(1 / 100 + 1 / 80 + 1 / 200 + 1 / 220)
    assert row["se_log"] == pytest.approx(se, rel=1e-6)
    assert row["ci_low"] == pytest.approx(0.64 / 1.1 * math.exp(-1.959964 * se), rel=1e-5)
    # observed treated rate after: 64 per 1,000; counterfactual 64 / IRR
    assert row["abs_change_per_1000"] == pytest.approx(64 * (1 - 1.1 / 0.64), rel=1e-8)
    assert row["model_areas"] == "A" and row["start_year"] == "2021"


def test_rate_ratio_by_hand(tiny_panel: Path) -> None:
    row = _quiet(path=tiny_panel, design="rateratio")
    assert row["irr"] == pytest.approx(0.64, rel=1e-12)


def test_treated_option_equals_start_column(tiny_panel: Path, tmp_path: Path) -> None:
    plain = _write(tmp_path / "plain.csv", "area;year;cases;population\n"
                   "A;2020;100;1.000\nA;2021;80;1.250\nB;2020;200;2.000\nB;2021;220;2.000\n")
    a = _quiet(path=tiny_panel, design="did", family="poisson")
    b = _quiet(path=plain, design="did", family="poisson", treated=["A"],
               start_year=2021)
    assert b["irr"] == pytest.approx(a["irr"], rel=1e-12)


def test_simulated_excel_panel_recovers_a_fall() -> None:
    row = _quiet(path=PANEL, design="did")
    assert row["model_areas"] == "Bahnhofsviertel, Nordviertel, Weststadt"
    assert row["ci_high"] < 1.0  # simulated with a true IRR of 0.85
    assert row["ci_low"] <= 0.85 <= row["ci_high"]
    assert row["n_obs"] == 110


def test_no_start_information_is_an_error(tmp_path: Path) -> None:
    plain = _write(tmp_path / "plain.csv", "area,year,cases,population\nA,2020,1,10\n")
    with pytest.raises(InputDataError) as err:
        evaluate_from_file(plain)
    assert err.value.column == "start_year"


def test_unknown_model_area(tiny_panel: Path) -> None:
    with pytest.raises(InputDataError, match="'Z'"):
        evaluate_from_file(tiny_panel, treated=["Z"], start_year=2021)


def test_bad_count_names_column_and_row(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", "area,year,cases,population,start_year\n"
                 "A,2020,100,1000,2021\nA,2021,8.5,1250,2021\n")
    with pytest.raises(InputDataError) as err:
        evaluate_from_file(bad)
    assert (err.value.column, err.value.row) == ("cases", 3)


def test_start_year_outside_data(tiny_panel: Path) -> None:
    with pytest.raises(InputDataError, match="außerhalb der Daten"):
        evaluate_from_file(tiny_panel, start_year=2030)


def test_unknown_design(tiny_panel: Path) -> None:
    with pytest.raises(InputDataError, match="unbekanntes Design"):
        evaluate_from_file(tiny_panel, design="synth")


def test_min_population_screens_with_own_meta() -> None:
    meta = INDICATORS.parent / "metadaten_beispiel.csv"
    coin = index_from_file(INDICATORS, meta, population_variable="einwohner",
                           min_population=300)
    assert coin.excluded_areas["area"].tolist() == ["Gewerbegebiet Ost"]
    assert len(coin.index) == 11
    with pytest.raises(InputDataError, match="Bevölkerungsspalte"):
        index_from_file(INDICATORS, meta, min_population=300)


def test_own_meta_weights_by_hand() -> None:
    # three dimensions, equal across; weights within from the file
    coin = index_from_file(INDICATORS, INDICATORS.parent / "metadaten_beispiel.csv")
    raw = pd.read_csv(INDICATORS, sep=";", decimal=",", thousands=".")
    last = raw[raw["year"] == 2023].set_index("area")
    z = (last[HAMBURG] - last[HAMBURG].mean()) / last[HAMBURG].std(ddof=1)
    familie = 0.5 * z["alleinerziehende"] + 0.5 * z["kinder_migrationshintergrund"]
    arbeit = 0.6 * z["sgb2_empfaenger"] + 0.4 * z["arbeitslose"]
    expected = (familie + arbeit + z["schulentlassene_ohne_abschluss"]) / 3
    np.testing.assert_allclose(coin.index.sort_index(), expected.sort_index(), atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(order=st.permutations(range(11)))
def test_row_order_of_the_file_does_not_change_the_index(order: list[int]) -> None:
    lines = INDICATORS.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], [ln for ln in lines[1:] if ln.split(";")[1] == "2023"]
    body = [ln for ln in body if not ln.startswith("Gewerbegebiet")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shuffled.csv"
        path.write_text("\n".join([header] + [body[i] for i in order]) + "\n", encoding="utf-8")
        shuffled = index_from_file(path, "hamburg_sozialmonitoring")
    reference = index_from_file(INDICATORS, "hamburg_sozialmonitoring")
    np.testing.assert_allclose(shuffled.index.sort_index(), reference.index.sort_index(),
                               atol=1e-12)
    assert shuffled.ranks.sort_index().tolist() == reference.ranks.sort_index().tolist()


@pytest.mark.parametrize("kind", ["index", "evaluate"])
def test_a_file_is_read_once(kind: str, tmp_path: Path, monkeypatch) -> None:
    """One reading path: the workflows read the user's file a single time."""
    reads: list[str] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    if kind == "index":
        index_from_file(INDICATORS, "hamburg_sozialmonitoring")
        assert reads.count(INDICATORS.name) == 1
    else:
        panel = _write(tmp_path / "panel.csv", "area,year,cases,population,start_year\n"
                       "A,2020,100,1000,2021\nA,2021,80,1250,2021\n"
                       "B,2020,200,2000,\nB,2021,220,2000,\n")
        _quiet(path=panel, design="rateratio")
        assert reads.count("panel.csv") == 1


def test_meta_duplicate_indicator_and_weight_sums(tmp_path: Path) -> None:
    dup = _write(tmp_path / "dup.csv", "indicator;dimension;direction\na;X;1\na;X;1\n")
    with pytest.raises(InputDataError) as err:
        read_meta_table(dup)
    assert (err.value.code, err.value.row) == ("E-META-006", 3)
    sums = _write(tmp_path / "sum.csv", "indicator;dimension;direction;weight\n"
                  "arbeitslose;A;1;1\nsgb2_empfaenger;A;1;1\n")
    with pytest.raises(InputDataError) as err:
        index_from_file(INDICATORS, sums)
    assert err.value.code == "E-META-004" and err.value.file == str(sums)
    assert "summieren sich zu 2" in str(err.value)


def test_indicator_without_any_value(tmp_path: Path) -> None:
    table = _write(tmp_path / "t.csv", "area;quote;anteil\nNord;;1\nSüd;;2\nWest;;3\n")
    meta = _write(tmp_path / "m.csv", "indicator;dimension;direction\nquote;A;1\nanteil;A;1\n")
    with pytest.raises(InputDataError) as err:
        index_from_file(table, meta)
    assert (err.value.code, err.value.column) == ("E-VAL-001", "quote")


def test_text_column_the_method_does_not_use_is_left_out(tmp_path: Path) -> None:
    table = _write(tmp_path / "t.csv", "area;name;quote\n01;Nord;1\n02;Süd;2\n03;West;4\n")
    meta = _write(tmp_path / "m.csv", "indicator;dimension;direction\nquote;A;1\n")
    with pytest.warns(UserWarning, match="'name' enthält Text statt Zahlen"):
        coin = index_from_file(table, meta)
    assert sorted(coin.index.index) == ["01", "02", "03"]
    bad = _write(tmp_path / "b.csv", "area;name;quote\n01;Nord;1\n02;Süd;zwei\n03;West;4\n")
    with pytest.raises(InputDataError) as err:
        index_from_file(bad, meta)  # a column the method uses must hold numbers
    assert (err.value.column, err.value.row) == ("quote", 3)
    mixed = _write(tmp_path / "x.csv", "area;extra;quote\n01;1;1\n02;zwei;2\n03;3;4\n")
    with pytest.raises(InputDataError) as err:
        index_from_file(mixed, meta)  # numbers with one bad cell: an error, never dropped
    assert (err.value.column, err.value.row) == ("extra", 3)
