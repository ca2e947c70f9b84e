"""Tests of the Monte Carlo over a Coin's method choices (fast path against the Coin's own
regenerate loop) and of the SALib sensitivity wrapper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index import Coin, methods
from sozialanalyse.index.aggregate import rank_array
from sozialanalyse.index.choices import DRAW_NORMALISATIONS, OUTLIER_RULES, Draws
from sozialanalyse.index.sensitivity import (
    coin_rank_sensitivity,
    rank_sensitivity,
    sobol_from_function,
)
from sozialanalyse.index.toy import toy_data
from sozialanalyse.index.uncertainty import (
    ChoiceSpace,
    choices_from_unit,
    draw_choices,
    run_monte_carlo,
    scores_for_draws,
)


def _toy(n_areas: int = 12, n_ind: int = 4, seed: int = 3) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        rng.lognormal(1.0, 0.6, size=(n_areas, n_ind)),
        index=[f"A{i:02d}" for i in range(n_areas)],
        columns=[f"ind{j}" for j in range(n_ind)],
    )
    directions = pd.Series([1, 1, -1, 1][:n_ind] + [1] * max(0, n_ind - 4), index=x.columns)
    return x, directions


def _toy_coin() -> Coin:
    data, meta = toy_data(n_areas=14, seed=5)
    return Coin(data, meta, population_variable="einwohner").set(
        "screen", min_population=300).set("impute", method="median")


def _one(x: pd.DataFrame, outlier: str, normalisation: str, aggregation: str,
         weights: list[float]) -> Draws:
    return Draws(np.array([outlier], dtype=object), np.array([normalisation], dtype=object),
                 np.array([aggregation], dtype=object), np.array([-1]),
                 np.array([weights], dtype=float), tuple(x.columns))


def test_draw_options_come_from_the_one_registry() -> None:
    assert set(OUTLIER_RULES) <= set(methods.TREATMENTS)
    assert set(DRAW_NORMALISATIONS) <= set(methods.NORMALISATIONS)
    assert set(ChoiceSpace().aggregations) <= set(methods.AGGREGATIONS)
    # 'winsorise' is only COINr's rule; quantile clipping has its own name
    assert "winsorise" not in OUTLIER_RULES and "clip" in methods.TREATMENTS


def test_fast_path_equals_the_coin_regenerate_loop() -> None:
    coin = _toy_coin()
    fast = coin.uncertainty(80, seed=11)
    slow = coin.uncertainty(draws=fast.draws, engine="regenerate")
    np.testing.assert_allclose(fast.scores, slow.scores, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(fast.ranks, slow.ranks)
    # every option of every choice occurred, so all code paths were compared
    frame = fast.draws.to_frame()
    assert set(frame["normalisation"]) == {"zscore", "minmax", "percentile"}
    assert set(frame["outlier"]) == {"none", "clip"}
    assert set(frame["aggregation"]) == {"arithmetic", "geometric"}
    assert (frame["dropped"] == "").any() and (frame["dropped"] != "").any()
    # the nominal ranking is the Coin's own
    pd.testing.assert_series_equal(fast.nominal_ranks, coin.ranks.rename("rank"),
                                   check_dtype=False)


def test_fast_path_equals_coin_for_a_sum_index_with_population_sd() -> None:
    coin = _toy_coin().set("aggregate", scale="sum").set("normalise", ddof=0)
    space = ChoiceSpace(aggregations=("arithmetic",))
    fast = coin.uncertainty(40, seed=2, space=space)
    slow = coin.uncertainty(draws=fast.draws, engine="regenerate", space=space)
    np.testing.assert_allclose(fast.scores, slow.scores, rtol=1e-9, atol=1e-9)
    with pytest.raises(MethodError, match="Summe"):
        coin.uncertainty(5)  # default space has geometric means
    with pytest.raises(MethodError, match="erlaubt: fast, regenerate"):
        coin.uncertainty(5, space=space, engine="slow")


def test_hand_computed_toy_scores() -> None:
    # three areas, two indicators; second indicator is "less is burden"
    x = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [30.0, 20.0, 10.0]}, index=["X", "Y", "Z"])
    d = pd.Series({"a": 1, "b": -1})
    # both oriented indicators are (1,2,3) up to scale -> z = (-1, 0, 1)
    s = scores_for_draws(x, _one(x, "none", "zscore", "arithmetic", [0.5, 0.5]), d)
    np.testing.assert_allclose(s[0], [-1.0, 0.0, 1.0])
    # min-max onto 1..100 before the geometric mean -> (1, 50.5, 100)
    s = scores_for_draws(x, _one(x, "none", "minmax", "geometric", [0.5, 0.5]), d)
    np.testing.assert_allclose(s[0], [1.0, 50.5, 100.0])
    # percentile -> (0, 50, 100)
    s = scores_for_draws(x, _one(x, "none", "percentile", "arithmetic", [0.5, 0.5]), d)
    np.testing.assert_allclose(s[0], [0.0, 50.0, 100.0])


def test_clip_cuts_the_extreme_value() -> None:
    x = pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5, 6, 7, 8, 100.0]})
    space = ChoiceSpace(clip_quantile=0.1)
    s = scores_for_draws(x, _one(x, "clip", "minmax", "arithmetic", [1.0]), None, space)
    # 10 % / 90 % quantiles (linear) are 0.9 and 17.2: the outlier no longer dominates
    lo, hi = 0.9, 8 + 0.1 * 92
    expected = 100 * (np.clip(x["a"], lo, hi) - lo) / (hi - lo)
    np.testing.assert_allclose(s[0], expected.to_numpy())


def test_rank_array_matches_pandas_min_method() -> None:
    s = np.array([[3.0, 1.0, 3.0, 2.0], [0.0, 0.0, 0.0, 5.0]])
    expected = np.vstack(
        [pd.Series(r).rank(ascending=False, method="min").to_numpy() for r in s]
    )
    np.testing.assert_array_equal(rank_array(s), expected)
    np.testing.assert_array_equal(rank_array(s.T, axis=0), expected.T)
    many = np.random.default_rng(0).random((1100, 7))
    np.testing.assert_array_equal(rank_array(many, block=100), rank_array(many))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=30))
def test_ranks_property_against_pandas(values: list[float]) -> None:
    v = np.array(values)
    expected = pd.Series(v).rank(ascending=False, method="min").to_numpy()
    np.testing.assert_array_equal(rank_array(v), expected)


def test_deterministic_with_seed_and_different_otherwise() -> None:
    x, d = _toy()
    a = run_monte_carlo(x, d, n_draws=300, seed=5)
    b = run_monte_carlo(x, d, n_draws=300, seed=5)
    c = run_monte_carlo(x, d, n_draws=300, seed=6)
    np.testing.assert_array_equal(a.ranks, b.ranks)
    assert not np.array_equal(a.ranks, c.ranks)


def test_probabilities_and_summary() -> None:
    x, d = _toy()
    mc = run_monte_carlo(x, d, n_draws=500, seed=1)
    p = mc.priority_probability(3)
    assert ((p >= 0) & (p <= 1)).all()
    # exactly 3 areas are priority areas in each draw (no ties in continuous data)
    assert p.sum() == pytest.approx(3.0)
    summ = mc.summary(k=3)
    assert (summ["rank_lo"] <= summ["median_rank"]).all()
    assert (summ["median_rank"] <= summ["rank_hi"]).all()
    assert summ["rank_lo"].min() >= 1 and summ["rank_hi"].max() <= len(x)
    # the nominal ranking is the plain z-score mean with equal weights
    oriented = x * d
    z = (oriented - oriented.mean()) / oriented.std()
    np.testing.assert_allclose(mc.nominal_scores.to_numpy(), z.mean(axis=1).to_numpy())


def test_dominant_area_is_always_priority() -> None:
    x, d = _toy()
    x.loc["A00"] = [100.0, 100.0, 0.001, 100.0]  # far the most burdened on every indicator
    mc = run_monte_carlo(x, d, n_draws=400, seed=2)
    assert mc.priority_probability(1)["A00"] == 1.0
    assert (mc.ranks[:, 0] == 1).all()


def test_fixed_choice_space_has_no_rank_uncertainty() -> None:
    x, d = _toy()
    space = ChoiceSpace(("none",), ("zscore",), ("arithmetic",), drop_one=False,
                        weight_spread=0.0)
    mc = run_monte_carlo(x, d, n_draws=50, space=space, seed=0)
    assert (mc.rank_shift() == 0).all()


def test_progress_bar_runs(capsys: pytest.CaptureFixture[str]) -> None:
    x, d = _toy()
    mc = run_monte_carlo(x, d, n_draws=50, seed=0, progress=True)
    assert mc.ranks.shape == (50, len(x))


def test_input_errors() -> None:
    x, d = _toy()
    bad = x.copy()
    bad.iloc[4, 1] = np.nan
    with pytest.raises(InputDataError, match="A04"):
        run_monte_carlo(bad, d, n_draws=5)
    flat = x.copy()
    flat["ind1"] = 2.0
    with pytest.raises(MethodError, match="ind1"):
        run_monte_carlo(flat, d, n_draws=5)
    with pytest.raises(MethodError, match="direction"):
        run_monte_carlo(x, d.replace(-1, 0), n_draws=5)
    with pytest.raises(MethodError, match="E-METHOD-004.*zusammen 1 ergeben \\(Summe 2\\)"):
        draw_choices(5, list(x.columns), nominal_weights=pd.Series(0.5, index=x.columns))
    with pytest.raises(MethodError, match="unbekannte Option.*softmax"):
        ChoiceSpace(normalisations=("zscore", "softmax"))


def test_unit_mapping_covers_options_evenly() -> None:
    u = np.linspace(0, 0.999, 600)
    design = np.column_stack([u, u, u, u, np.full((600, 3), 0.5)])
    draws = choices_from_unit(design, ["a", "b", "c"])
    counts = pd.Series(draws.normalisation).value_counts()
    assert counts.min() >= 199 and counts.max() <= 201
    # weights at u=0.5 are the nominal (equal) weights, renormalised after a drop
    kept = draws.weights[draws.dropped == -1]
    np.testing.assert_allclose(kept, 1 / 3)
    np.testing.assert_allclose(draws.weights.sum(axis=1), 1.0)


def test_sobol_wrapper_finds_dominant_choice() -> None:
    # output depends almost only on the aggregation choice
    def evaluate(draws):
        return 10.0 * (draws.aggregation == "geometric") + 0.1 * draws.weights[:, 0]

    si = sobol_from_function(evaluate, ["a", "b", "c"], n_base=128, seed=1)
    assert si.index[0] == "aggregation"
    assert si.loc["aggregation", "ST"] > 0.9
    assert si.loc["normalisation", "ST"] < 0.05


def test_rank_sensitivity_indicator_set_dominates_on_toy() -> None:
    # three indicators agree, one runs exactly the other way and carries most weight, so
    # whether it is left out flips the ranking; other choices barely matter
    n = 15
    base = np.linspace(1, 2, n)
    x = pd.DataFrame({"a": base, "b": base + 0.01 * np.sin(np.arange(n)),
                      "c": base ** 1.1, "d": base[::-1]},
                     index=[f"S{i}" for i in range(n)])
    weights = pd.Series({"a": 0.1, "b": 0.1, "c": 0.1, "d": 0.7})
    space = ChoiceSpace(weight_spread=0.1)
    si = rank_sensitivity(x, space=space, nominal_weights=weights, n_base=128, seed=3)
    assert si.index[0] == "indicator_set"
    assert si.loc["indicator_set", "ST"] > 0.5


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(5, 20))
def test_row_order_never_changes_scores(seed: int, n_areas: int) -> None:
    x, d = _toy(n_areas=n_areas, seed=seed)
    draws = draw_choices(40, list(x.columns), seed=seed)
    perm = np.random.default_rng(seed).permutation(n_areas)
    a = pd.DataFrame(scores_for_draws(x, draws, d), columns=x.index)
    b = pd.DataFrame(scores_for_draws(x.iloc[perm], draws, d), columns=x.index[perm])
    np.testing.assert_allclose(a.to_numpy(), b[x.index].to_numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_percentile_normalisation_invariant_to_monotone_rescaling(seed: int) -> None:
    x, d = _toy(seed=seed)
    space = ChoiceSpace(normalisations=("percentile",))
    draws = draw_choices(30, list(x.columns), space=space, seed=seed)
    transformed = np.log(x) * 3.0 + 7.0  # strictly increasing in every column
    np.testing.assert_allclose(scores_for_draws(x, draws, d, space),
                               scores_for_draws(transformed, draws, d, space), atol=1e-12)


def test_rank_sensitivity_for_one_area_and_bad_output() -> None:
    x, d = _toy()
    si = rank_sensitivity(x, d, output="A03", n_base=64, seed=0)
    assert list(si.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert set(si.index) == {"outlier", "normalisation", "aggregation", "indicator_set",
                             "weights"}
    with pytest.raises(MethodError, match="nowhere"):
        rank_sensitivity(x, d, output="nowhere", n_base=64)
    with pytest.raises(MethodError, match="Zweierpotenz"):
        rank_sensitivity(x, d, n_base=100)


def test_sensitivity_over_the_coins_own_parameters() -> None:
    coin = _toy_coin().set("normalise", ddof=0)
    si = coin_rank_sensitivity(coin, n_base=64, seed=1)
    assert set(si.index) == {"outlier", "normalisation", "aggregation", "indicator_set",
                             "weights"}
    assert (si["ST"] >= -0.1).all()
