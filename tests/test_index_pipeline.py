"""Hand-computed toy cases for every step of the index pipeline (sozialanalyse.index)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.index import Coin, aggregate, classes, diagnostics, dynamics, presets
from sozialanalyse.index.denomination import denominate
from sozialanalyse.index.imputation import impute
from sozialanalyse.index.normalise import normalise_array, normalise_frame
from sozialanalyse.index.outliers import treat_outliers, winsorise
from sozialanalyse.index.screening import screen_areas
from sozialanalyse.index.toy import toy_data
from sozialanalyse.index.weights import (
    dimension_weights,
    equal_weights,
    manual_weights,
    pca_weights,
)

X = np.array([[1.0], [2.0], [3.0], [6.0]])


# ------------------------------------------------------------------ normalisation
def test_zscore_by_hand():
    # mean 3, sample sd sqrt(14/3)
    expected = np.array([-2.0, -1.0, 0.0, 3.0]) / np.sqrt(14 / 3)
    np.testing.assert_allclose(normalise_array(X, "zscore")[:, 0], expected)
    np.testing.assert_allclose(normalise_array(X, "zscore", directions=[-1])[:, 0], -expected)


def test_zscore_population_sd_and_weighted_mean():
    # ddof=0: sd = sqrt(14/4)
    np.testing.assert_allclose(normalise_array(X, "zscore", ddof=0)[:, 0],
                               np.array([-2.0, -1.0, 0.0, 3.0]) / np.sqrt(3.5))
    # weights 1,1,1,3: mean = 24/6 = 4, variance = (9+4+1+3*4)/6 = 26/6
    w = np.array([1.0, 1.0, 1.0, 3.0])
    np.testing.assert_allclose(normalise_array(X, "zscore", area_weights=w)[:, 0],
                               (X[:, 0] - 4.0) / np.sqrt(26 / 6))


def test_minmax_by_hand():
    np.testing.assert_allclose(normalise_array(X, "minmax")[:, 0], [0, 20, 40, 100])
    np.testing.assert_allclose(normalise_array(X, "minmax", directions=[-1])[:, 0],
                               [100, 80, 60, 0])
    np.testing.assert_allclose(normalise_array(X, "minmax", lower=1, upper=11)[:, 0],
                               [1, 3, 5, 11])


def test_rank_and_percentile_by_hand():
    np.testing.assert_allclose(normalise_array(X, "rank")[:, 0], [1, 2, 3, 4])
    np.testing.assert_allclose(normalise_array(X, "rank", directions=[-1])[:, 0], [4, 3, 2, 1])
    ties = np.array([[1.0], [2.0], [2.0], [5.0]])
    np.testing.assert_allclose(normalise_array(ties, "rank")[:, 0], [1, 2.5, 2.5, 4])
    np.testing.assert_allclose(normalise_array(X, "percentile")[:, 0],
                               [0, 100 / 3, 200 / 3, 100])


def test_distance_to_city_value_by_hand():
    # city value = mean 3
    np.testing.assert_allclose(normalise_array(X, "distance")[:, 0],
                               [-200 / 3, -100 / 3, 0, 100])
    np.testing.assert_allclose(normalise_array(X, "distance", directions=[-1])[:, 0],
                               [200 / 3, 100 / 3, 0, -100])
    # population-weighted city value: (1+2+3+18)/6 = 4
    w = np.array([1.0, 1.0, 1.0, 3.0])
    np.testing.assert_allclose(normalise_array(X, "distance", area_weights=w)[:, 0],
                               [-75, -50, -25, 50])


def test_normalise_frame_keeps_labels_and_directions():
    wide = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]},
                        index=pd.Index(["x", "y", "z"], name="area"))
    out = normalise_frame(wide, "minmax", directions=pd.Series({"b": -1, "a": 1}))
    assert list(out.columns) == ["a", "b"]
    np.testing.assert_allclose(out["a"], [0, 50, 100])
    np.testing.assert_allclose(out["b"], [0, 50, 100])


def test_stacked_normalisation_equals_per_draw():
    rng = np.random.default_rng(3)
    stack = rng.normal(size=(5, 9, 4))
    for method in ("zscore", "minmax", "rank", "percentile"):
        whole = normalise_array(stack, method, directions=[1, -1, 1, -1])
        for d in range(5):
            np.testing.assert_allclose(
                whole[d], normalise_array(stack[d], method, directions=[1, -1, 1, -1]))


# ------------------------------------------------------------------ aggregation
def test_arithmetic_and_geometric_by_hand():
    x = np.array([[1.0, 4.0], [2.0, 8.0]])
    np.testing.assert_allclose(aggregate.aggregate_array(x, [0.5, 0.5]), [2.5, 5.0])
    np.testing.assert_allclose(aggregate.aggregate_array(x, [0.5, 0.5], "geometric"), [2, 4])
    np.testing.assert_allclose(aggregate.aggregate_array(x, [0.25, 0.75]), [3.25, 6.5])
    np.testing.assert_allclose(aggregate.aggregate_array(x, [0.25, 0.75], "geometric"),
                               [4**0.75, 2**2.5])


def test_two_level_by_hand_and_per_draw_weights():
    x = np.array([[1.0, 3.0, 10.0], [2.0, 2.0, 0.0]])
    dims, idx = aggregate.two_level_array(x, [0, 0, 1], [0.5, 0.5, 1.0], [0.5, 0.5])
    np.testing.assert_allclose(dims, [[2.0, 10.0], [2.0, 0.0]])
    np.testing.assert_allclose(idx, [6.0, 1.0])
    # two draws with different dimension weights
    wd = np.array([[0.5, 0.5], [0.9, 0.1]])
    wi = np.array([[0.5, 0.5, 1.0], [1.0, 0.0, 1.0]])
    _, idx2 = aggregate.two_level_array(np.stack([x, x]), [0, 0, 1], wi, wd)
    np.testing.assert_allclose(idx2, [[6.0, 1.0], [0.9 * 1 + 0.1 * 10, 0.9 * 2]])


def test_rank_array_one_is_most_burdened():
    np.testing.assert_array_equal(aggregate.rank_array(np.array([0.1, 3.0, -1.0, 3.0])),
                                  [3, 1, 4, 1])


# ------------------------------------------------------------------ weights
def test_equal_manual_dimension_weights():
    dim_of = pd.Series({"a": "A", "b": "A", "c": "B"})
    np.testing.assert_allclose(equal_weights(dim_of), [0.5, 0.5, 1.0])
    w = manual_weights(dim_of, {"a": 0.3, "b": 0.7, "c": 1.0})
    np.testing.assert_allclose(w, [0.3, 0.7, 1.0])
    np.testing.assert_allclose(dimension_weights(["A", "B"]), [0.5, 0.5])
    np.testing.assert_allclose(dimension_weights(["A", "B"], {"A": 0.6, "B": 0.4}), [0.6, 0.4])


def test_pca_weights_by_hand():
    # b = 2a (correlation 1), c uncorrelated with a: the first component loads a and b equally
    a = np.array([1.0, 2.0, 3.0, 4.0])
    wide = pd.DataFrame({"a": a, "b": 2 * a, "c": [1.0, -1.0, -1.0, 1.0]})
    w = pca_weights(wide, pd.Series({"a": "D", "b": "D", "c": "D"}))
    np.testing.assert_allclose(w, [0.5, 0.5, 0.0], atol=1e-12)


# ------------------------------------------------------------------ steps on frames
def test_screening_drops_small_and_sparse_areas():
    data = pd.DataFrame({
        "area": ["x", "x", "y", "y", "z", "z"],
        "indicator": ["pop", "u", "pop", "u", "pop", "u"],
        "value": [1000, 5, 250, 3, 800, np.nan],
    })
    kept, excluded = screen_areas(data, ["u"], population_variable="pop", min_population=300,
                                  min_availability=1.0)
    assert set(kept["area"]) == {"x"}
    assert dict(zip(excluded["area"], excluded["reason"], strict=True)) == {
        "y": "population < 300", "z": "data availability < 1"}


def test_denomination_by_hand_and_zero_denominator():
    data = pd.DataFrame({"area": ["x", "x", "y", "y"], "year": 2020,
                         "indicator": ["n", "pop", "n", "pop"], "value": [10, 200, 3, 0]})
    meta = pd.DataFrame({"indicator": ["n"], "denominator": ["pop"], "per": [100]})
    values, report = denominate(data, meta)
    v = values.set_index("area")["value"]
    assert v["x"] == pytest.approx(5.0)
    assert np.isnan(v["y"])
    assert list(report["area"]) == ["y"]


def test_imputation_is_recorded_per_cell():
    wide = pd.DataFrame({"a": [1.0, np.nan, 5.0, 6.0]}, index=list("wxyz"))
    out, cells = impute(wide, "mean")
    assert out.at["x", "a"] == pytest.approx(4.0)
    assert cells.to_dict("records") == [{"area": "x", "indicator": "a", "method": "mean",
                                         "value": 4.0}]
    out, cells = impute(wide, "median")
    assert out.at["x", "a"] == pytest.approx(5.0)
    out, cells = impute(wide, "previous", previous=pd.DataFrame({"a": [0, 7.0, 0, 0]},
                                                                index=list("wxyz")))
    assert out.at["x", "a"] == 7.0
    out, cells = impute(wide, "none")
    assert np.isnan(out.at["x", "a"]) and cells["method"].tolist() == ["none"]


def test_winsorisation_by_hand():
    v = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 100.0])
    w, n = winsorise(v)
    assert n == 1 and w[-1] == 9.0
    treated, report = treat_outliers(pd.DataFrame({"a": v, "b": np.arange(10.0)}), "winsorise")
    assert report.at["a", "flagged"] and not report.at["b", "flagged"]
    assert report.at["a", "action"] == "winsorised" and report.at["b", "action"] == "none"
    np.testing.assert_array_equal(treated["b"], np.arange(10.0))
    logged, report = treat_outliers(pd.DataFrame({"a": v}), "log")
    np.testing.assert_allclose(logged["a"], np.log(v - 1 + 1))
    assert report.at["a", "action"] == "log"


def test_sd_classes_cut_offs_and_sides():
    score = pd.Series([0.0, 0, 0, 0, 10])  # mean 2, sd sqrt(20): z = -0.447 (x4), 1.789
    got = classes.sd_classes(score, (-1, 1, 1.5), labels=["h", "m", "n", "s"])
    assert got.tolist() == ["m", "m", "m", "m", "s"]
    exact = pd.Series([-1.0, -1, 1, 1])  # ddof=0: z exactly -1 and +1
    assert classes.sd_classes(exact, (-1, 1), ddof=0, closed="left").tolist() == \
        ["2", "2", "3", "3"]
    assert classes.sd_classes(exact, (-1, 1), ddof=0, closed="right").tolist() == \
        ["1", "1", "2", "2"]


def test_quantile_classes():
    got = classes.quantile_classes(pd.Series(np.arange(1.0, 9.0)), 4)
    assert got.tolist() == ["1", "1", "2", "2", "3", "3", "4", "4"]


def test_change_over_and_group_matrix():
    values = pd.DataFrame({"area": ["x", "y", "x", "y"], "year": [2018, 2018, 2020, 2020],
                           "indicator": "a", "value": [10.0, 20.0, 12.0, 15.0]})
    ch = dynamics.change_over(values, 2020, 2)
    assert ch.loc["x", "a"] == 2.0 and ch.loc["y", "a"] == -5.0
    status = pd.Series(pd.Categorical(["1", "4", "4"], categories=list("1234"), ordered=True))
    dyn = pd.Series(pd.Categorical(["a", "c", "c"], categories=list("abc"), ordered=True))
    m = dynamics.group_matrix(status, dyn)
    assert m.shape == (4, 3)
    assert m.loc["4", "c"] == 2 and m.to_numpy().sum() == 3


# ------------------------------------------------------------------ diagnostics
def test_cronbach_alpha_by_hand():
    wide = pd.DataFrame({"a": [1.0, 2, 3], "b": [1.0, 3, 2], "c": [5.0, 1, 0]})
    alpha = diagnostics.cronbach_alpha(wide, pd.Series({"a": "D", "b": "D", "c": "E"}))
    assert alpha["D"] == pytest.approx(2 * (1 - 2 / 3))  # item var 1 each, sum var 3
    assert np.isnan(alpha["E"])


def test_pca_and_validity():
    a = np.array([1.0, 2, 3, 4, 5])
    explained, loadings = diagnostics.pca(pd.DataFrame({"a": a, "b": 3 * a + 1}))
    assert explained["PC1"] == pytest.approx(1.0)
    np.testing.assert_allclose(loadings["PC1"], [2**-0.5, 2**-0.5])
    v = diagnostics.validity(pd.Series(a), pd.Series(a**3))
    assert v["spearman_rho"] == pytest.approx(1.0) and v["n"] == 5


# ------------------------------------------------------------------ the Coin
def _coin(**kw):
    data, meta = toy_data()
    return Coin(data, meta, population_variable="einwohner", **kw)


def test_coin_end_to_end_by_hand():
    data = pd.DataFrame({"area": list("wxyzwxyz"),
                         "indicator": ["a"] * 4 + ["b"] * 4,
                         "value": [1.0, 2, 3, 4, 4, 3, 2, 1]})
    meta = pd.DataFrame({"indicator": ["a", "b"], "dimension": ["D", "D"], "direction": [1, -1]})
    coin = Coin(data, meta)
    expected = np.array([-1.5, -0.5, 0.5, 1.5]) / np.sqrt(5 / 3)
    np.testing.assert_allclose(coin.index.to_numpy(), expected)
    assert coin.ranks.tolist() == [4, 3, 2, 1]
    coin.set("normalise", method="minmax")
    np.testing.assert_allclose(coin.index.to_numpy(), [0, 100 / 3, 200 / 3, 100])


def test_coin_log_records_every_step_and_history():
    coin = _coin().set("normalise", method="rank").set("screen", min_population=300)
    log = coin.log
    assert log["step"].tolist() == list(coin_steps())
    assert json.loads(log.set_index("step").at["normalise", "parameters"])["method"] == "rank"
    assert [h["step"] for h in coin.history] == ["normalise", "screen"]


def coin_steps():
    from sozialanalyse.index import STEPS

    return STEPS


def test_coin_set_regenerates_downstream_and_with_params_copies():
    coin = _coin().set("screen", min_population=300).set("impute", method="mean")
    before = coin.index
    other = coin.with_params("normalise", method="percentile")
    pd.testing.assert_series_equal(coin.index, before)  # original untouched
    assert not np.allclose(other.index.to_numpy(), before.to_numpy())
    coin.set("normalise", method="percentile")
    pd.testing.assert_series_equal(coin.index, other.index)


def test_coin_screening_imputation_and_dynamics_reports():
    coin = _coin().set("screen", min_population=300).set("impute", method="mean")
    coin.set("dynamics", k=2)
    assert coin.excluded_areas["area"].tolist() == ["G12"]
    assert "G12" not in coin.index.index
    cells = coin.imputed_cells
    assert cells[["area", "indicator"]].values.tolist() == [["G02", "alleinerziehende"]]
    wide = coin.matrix("denominated")
    assert cells["value"].iloc[0] == pytest.approx(wide["alleinerziehende"].mean())
    assert coin.group_matrix().to_numpy().sum() == len(coin.index)
    assert set(coin.table().columns) >= {"index", "rank", "status", "dynamics", "group"}


def test_coin_dimensions_average_to_index():
    coin = _coin().set("screen", min_population=300).set("impute", method="mean")
    np.testing.assert_allclose(coin.dimensions.mean(axis=1), coin.index)
    contrib = diagnostics.contributions(coin.matrix("normalised"), coin.dimension_of,
                                        coin.indicator_weights, coin.dimension_weights)
    np.testing.assert_allclose(contrib.sum(axis=1), coin.index)


def test_geometric_contributions_sum_to_log_index():
    coin = _coin().set("screen", min_population=300).set("impute", method="mean")
    coin.set("normalise", method="minmax", lower=1).set("aggregate", within="geometric",
                                                         across="geometric")
    contrib = diagnostics.contributions(coin.matrix("normalised"), coin.dimension_of,
                                        coin.indicator_weights, coin.dimension_weights,
                                        "geometric", "geometric")
    np.testing.assert_allclose(contrib.sum(axis=1), np.log(coin.index))


def test_presets_load_and_every_element_has_a_source():
    assert set(presets.list_presets()) >= {"berlin_mss", "berlin_mss_2019",
                                          "hamburg_sozialmonitoring", "dresden_style"}
    table = presets.preset_table()
    assert table["source"].str.len().min() > 0
    berlin = table[table["preset"] == "berlin_mss_2019"].set_index("element")
    assert berlin.at["screen.min_population", "value"] == "300"
    assert berlin.at["screen.min_population", "source"] == "sensbw2019msstabellen"


def test_presets_cite_keys_in_the_bibliography():
    from pathlib import Path

    bib = "".join(p.read_text(encoding="utf-8")
                  for p in (Path(__file__).parents[1] / "book" / "references").glob("*.bib"))
    for pid in presets.list_presets():
        for key in presets.load_preset(pid)["sources"]:
            assert "{" + key + "," in bib, f"{pid}: source '{key}' not in book/references"


def test_coin_from_preset_runs_on_simulated_berlin_style_data():
    rng = np.random.default_rng(7)
    areas = [f"P{i:03d}" for i in range(40)]
    rows = []
    for year in (2016, 2018):
        for a in areas:
            rows.append({"area": a, "year": year, "indicator": "einwohner",
                         "value": float(rng.integers(100, 5000))})
            for ind in ("arbeitslosigkeit", "langzeitarbeitslosigkeit", "transferbezug",
                        "kinderarmut"):
                rows.append({"area": a, "year": year, "indicator": ind,
                             "value": float(rng.uniform(1, 30))})
    coin = Coin.from_preset("berlin_mss_2017", pd.DataFrame(rows))
    small = {r["area"] for r in rows if r["indicator"] == "einwohner" and r["year"] == 2018
             and r["value"] < 300}
    assert set(coin.excluded_areas["area"]) == small
    assert list(coin.classes.cat.categories) == ["hoch", "mittel", "niedrig", "sehr niedrig"]
    assert coin.group_matrix().shape == (4, 3)
