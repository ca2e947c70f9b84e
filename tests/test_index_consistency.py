"""The Coin agrees with the vectorised building blocks; dynamics, population weighting and
helpers checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.index import Coin
from sozialanalyse.index.aggregate import rank_array, two_level_array
from sozialanalyse.index.normalise import normalise_array
from sozialanalyse.index.report import de
from sozialanalyse.index.toy import toy_data, toy_outcome


def _coin():
    data, meta = toy_data(n_areas=14, seed=5)
    return Coin(data, meta, population_variable="einwohner").set(
        "screen", min_population=300).set("impute", method="median")


@pytest.mark.parametrize("method", ["zscore", "minmax", "rank", "percentile", "distance"])
def test_coin_equals_numpy_building_blocks(method):
    coin = _coin().set("normalise", method=method)
    x = coin.matrix("treated")
    z = normalise_array(x.to_numpy(), method, directions=coin.directions[x.columns].to_numpy())
    dims = list(coin.dimension_weights.index)
    groups = [dims.index(coin.dimension_of[c]) for c in x.columns]
    _, idx = two_level_array(z, groups, coin.indicator_weights[x.columns].to_numpy(),
                             coin.dimension_weights.to_numpy())
    np.testing.assert_allclose(coin.index.to_numpy(), idx)
    np.testing.assert_array_equal(coin.ranks.to_numpy(), rank_array(idx))


def test_dynamics_by_hand():
    # two areas change, two stay: change of a = (0, 0, 2, 4), b (direction -1) = (0, 0, 0, -4)
    rows = []
    for area, a0, a1, b0, b1 in [("w", 1, 1, 5, 5), ("x", 2, 2, 6, 6), ("y", 3, 5, 7, 7),
                                 ("z", 4, 8, 9, 5)]:
        rows += [{"area": area, "year": 2018, "indicator": "a", "value": a0},
                 {"area": area, "year": 2018, "indicator": "b", "value": b0},
                 {"area": area, "year": 2020, "indicator": "a", "value": a1},
                 {"area": area, "year": 2020, "indicator": "b", "value": b1}]
    meta = pd.DataFrame({"indicator": ["a", "b"], "dimension": ["D", "D"], "direction": [1, -1]})
    coin = Coin(pd.DataFrame(rows), meta).set("dynamics", k=2)
    ca = np.array([0.0, 0, 2, 4])
    cb = -np.array([0.0, 0, 0, -4])
    za = (ca - ca.mean()) / ca.std(ddof=1)
    zb = (cb - cb.mean()) / cb.std(ddof=1)
    np.testing.assert_allclose(coin.dynamics.to_numpy(), (za + zb) / 2)
    np.testing.assert_allclose(coin.matrix("change")["a"].to_numpy(), ca)


def test_population_weighted_city_value_in_the_coin():
    data = pd.DataFrame({"area": list("xyzxyz"), "indicator": ["r"] * 3 + ["pop"] * 3,
                         "value": [10.0, 20.0, 40.0, 100.0, 100.0, 200.0]})
    meta = pd.DataFrame({"indicator": ["r"], "dimension": ["D"], "direction": [1]})
    coin = Coin(data, meta, population_variable="pop").set(
        "normalise", method="distance", population_weighted=True)
    # city value = (10*100 + 20*100 + 40*200) / 400 = 27.5
    np.testing.assert_allclose(coin.index.to_numpy(), 100 * (np.array([10, 20, 40]) / 27.5 - 1))


def test_previous_year_imputation_in_the_coin():
    data, meta = toy_data(n_areas=8, seed=2)
    coin = Coin(data, meta).set("impute", method="previous")
    cell = coin.imputed_cells.iloc[0]
    earlier = data[(data["area"] == cell["area"]) & (data["indicator"] == cell["indicator"])]
    latest_before = earlier[earlier["year"] < coin.year].sort_values("year")["value"].iloc[-1]
    assert cell["value"] == latest_before


def test_toy_data_are_reproducible_and_outcome_is_related():
    a, _ = toy_data(seed=9)
    b, _ = toy_data(seed=9)
    pd.testing.assert_frame_equal(a, b)
    c, _ = toy_data(seed=10)
    assert not a["value"].equals(c["value"])
    coin = Coin(*toy_data(n_areas=40, seed=3, small_area=False, missing_cell=False))
    rho = coin.index.corr(toy_outcome(n_areas=40, seed=3), method="spearman")
    assert rho > 0.5


def test_german_number_format():
    assert de(1234.567, 1) == "1\u202f234,6"
    assert de(-0.5) == "−0,50"
    assert de(-0.001, 2) == "0,00"
    assert de(3) == "3,00"


def test_shape_stats_agree_with_scipy():
    from scipy.stats import kurtosis, skew

    from sozialanalyse.index.outliers import shape_stats

    rng = np.random.default_rng(11)
    for size in (4, 7, 30):
        v = rng.lognormal(size=size)
        s, k = shape_stats(v)
        assert s == pytest.approx(skew(v, bias=False))
        assert k == pytest.approx(kurtosis(v, fisher=True, bias=False))
