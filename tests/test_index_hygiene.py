"""The Coin's own checks: every case of the "Coin hygiene" list has a test here (or in
test_index_errors.py for the set()-time checks)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index import STEPS, Coin
from sozialanalyse.index.compare import compare_summary
from sozialanalyse.index.toy import toy_data


def _coin() -> Coin:
    data, meta = toy_data(n_areas=14, seed=5)
    return Coin(data, meta, population_variable="einwohner").set(
        "screen", min_population=300).set("impute", method="median")


def _berlin_2019_data(with_s2: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    rows = []
    names = ["arbeitslosigkeit", "transferbezug", "kinderarmut"]
    for a in range(10):
        rows.append({"area": f"P{a}", "year": 2018, "indicator": "einwohner",
                     "value": 1000.0})
        for n in names + (["langzeitarbeitslosigkeit"] if with_s2 else []):
            rows.append({"area": f"P{a}", "year": 2018, "indicator": n,
                         "value": float(rng.uniform(1, 30))})
    return pd.DataFrame(rows)


def test_from_preset_lets_the_user_deselect_a_missing_indicator() -> None:
    data = _berlin_2019_data()
    with pytest.raises(InputDataError) as err:
        Coin.from_preset("berlin_mss_2017", data)
    assert err.value.column == "langzeitarbeitslosigkeit"
    assert "drop_indicators=['langzeitarbeitslosigkeit']" in str(err.value)
    coin = Coin.from_preset("berlin_mss_2017", data, drop_indicators=["langzeitarbeitslosigkeit"])
    assert list(coin.meta["indicator"]) == ["arbeitslosigkeit", "transferbezug", "kinderarmut"]
    assert coin.history[-1] == {"step": "from_preset",
                                "params": {"drop_indicators": ["langzeitarbeitslosigkeit"]}}
    with pytest.raises(MethodError, match="'gibtsnicht' gehört nicht zum Preset"):
        Coin.from_preset("berlin_mss_2017", data, drop_indicators=["gibtsnicht"])


def test_screening_that_removes_every_area_says_so() -> None:
    coin = Coin.from_preset("berlin_mss_2019", _berlin_2019_data()).set(
        "screen", min_population=5000)
    with pytest.raises(MethodError) as err:
        coin.regenerate()
    text = str(err.value)
    assert "kein Gebiet übrig: alle 10 Gebiete des Jahres 2018 sind ausgeschlossen" in text
    assert re.search(r"\(10 × weniger als 5.000 Einwohner\)", text)
    assert "status year" not in text


def test_matrix_change_without_dynamics_is_a_clear_error() -> None:
    coin = _coin()
    with pytest.raises(MethodError, match="Keine Dynamik berechnet.*dynamics', k="):
        coin.matrix("change")
    with pytest.raises(MethodError, match="Unbekannte Stufe 'raw'; erlaubt: denominated"):
        coin.matrix("raw")
    with pytest.raises(MethodError, match="Keine Dynamik"):
        coin.group_matrix()


def test_one_year_data_dynamics_say_how_to_proceed() -> None:
    data, meta = toy_data(n_areas=8, seed=2)
    one = data.loc[data["year"] == data["year"].max()].drop(columns="year")
    coin = Coin(one, meta).set("impute", method="median").set("dynamics", k=2)
    with pytest.raises(MethodError, match="keine Spalte 'year' \\(Jahr\\); oder übergeben "
                                          "Sie veröffentlichte"):
        coin.regenerate()


def test_placeholder_rows_are_excluded_and_reported() -> None:
    data, meta = toy_data(n_areas=10, seed=1, small_area=False, missing_cell=False)
    year = data["year"].max()
    mask = (data["area"] == "G03") & (data["year"] == year) & \
        data["indicator"].isin(meta["indicator"])
    data.loc[mask, "value"] = 0.0
    coin = Coin(data, meta)
    ex = coin.excluded_areas.set_index("area")
    assert ex.loc["G03", "reason"] == "placeholder row"
    assert "G03" not in coin.index.index
    # switched off, the zeros are read as values (the user's explicit choice)
    assert "G03" in coin.copy().set("screen", drop_placeholders=False).index.index


def test_named_exclusions_in_log_table_and_note() -> None:
    coin = _coin().set("screen", exclude_areas={"G02": "Gewerbegebiet, Sonderfall"})
    assert "G02" not in coin.index.index
    assert coin.excluded_areas.set_index("area").loc["G02", "grund"] == \
        "Gewerbegebiet, Sonderfall"
    assert "G02 (Grund: Gewerbegebiet, Sonderfall)" in coin.exclusion_note()
    log = coin.log.set_index("step").loc["screen", "parameters"]
    assert "Gewerbegebiet, Sonderfall" in log
    full = coin.table(include_excluded=True)
    assert full.loc["G02", "grund"] == "Gewerbegebiet, Sonderfall"
    assert np.isnan(full.loc["G02", "index"])


@pytest.mark.parametrize("step", STEPS)
def test_regenerate_from_any_step_equals_a_full_run(step) -> None:
    coin = _coin().set("dynamics", k=2)
    coin.regenerate()
    coin.set("normalise", method="minmax")
    partial = coin.copy().regenerate(from_step="normalise")
    full = coin.copy().regenerate()
    pd.testing.assert_series_equal(partial.index, full.index)
    again = full.copy().regenerate(from_step=step)
    pd.testing.assert_series_equal(again.index, full.index)
    pd.testing.assert_series_equal(again.dynamics, full.dynamics)


def test_regenerate_from_a_later_step_still_runs_a_changed_earlier_one() -> None:
    coin = _coin().regenerate()
    before = coin.index
    coin.set("normalise", method="percentile")
    coin.regenerate(from_step="classify")  # normalise changed: it must run again
    assert not np.allclose(coin.index.to_numpy(), before.to_numpy())
    with pytest.raises(MethodError, match="Unbekannter Schritt 'norm'"):
        coin.regenerate(from_step="norm")


def test_compare_two_coins_rank_and_class_shifts() -> None:
    a = _coin()
    b = a.with_params("normalise", method="rank")
    cmp = a.compare(b)
    pd.testing.assert_series_equal(cmp["rank_shift"].sort_index(),
                                   (b.ranks - a.ranks).astype(float).sort_index(),
                                   check_names=False)
    assert (cmp["abs_rank_shift"].diff().dropna() <= 0).all()  # sorted by shift
    same = a.compare(a.copy())
    assert (same["rank_shift"] == 0).all() and (same["class_shift"] == 0).all()
    s = compare_summary(cmp)
    assert s["n_common"] == len(a.index)
    assert s["max_abs_rank_shift"] == int(cmp["abs_rank_shift"].max())
    with pytest.raises(MethodError, match="erlaubt: ranks, scores"):
        a.compare(b, by="foo")


def test_sum_index_is_mean_times_number_of_indicators() -> None:
    coin = _coin()
    summed = coin.with_params("aggregate", scale="sum")
    n = len(coin.indicators)
    np.testing.assert_allclose(summed.index.to_numpy(), n * coin.index.to_numpy())
    assert list(summed.classes) == list(coin.classes)  # classes standardise the index
    with pytest.raises(MethodError, match="'sum'.*arithmetische"):
        _ = coin.with_params("aggregate", scale="sum", within="geometric").index
