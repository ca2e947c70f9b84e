"""Property tests (hypothesis) of the index building blocks and the Coin."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sozialanalyse.index import Coin
from sozialanalyse.index.aggregate import aggregate_array, two_level_array
from sozialanalyse.index.normalise import NORMALISATIONS, normalise_array
from sozialanalyse.index.weights import equal_weights, pca_weights

SETTINGS = settings(max_examples=40, deadline=None)

# positive, well-separated values (whole numbers, so that distinct values stay distinct under
# every monotone transform in floating point); every column has variance and a non-zero city
# value
values = st.integers(min_value=1, max_value=1000).map(float)


@st.composite
def matrices(draw, min_rows=4, max_rows=12, cols=3):
    n = draw(st.integers(min_rows, max_rows))
    x = draw(arrays(float, (n, cols), elements=values))
    # guarantee variance in every column
    x[0, :] = x[0, :] + 1000.0
    return x


def _index(x, method, directions, within="arithmetic"):
    z = normalise_array(x, method, directions=directions)
    if within == "geometric":
        z = normalise_array(x, "minmax", directions=directions, lower=1.0, upper=100.0) \
            if method == "minmax" else z
    _, idx = two_level_array(z, [0, 0, 1], [0.5, 0.5, 1.0], [0.5, 0.5], within, within)
    return idx


@SETTINGS
@given(x=matrices(), seed=st.integers(0, 10_000), method=st.sampled_from(NORMALISATIONS))
def test_row_order_never_changes_results(x, seed, method):
    perm = np.random.default_rng(seed).permutation(x.shape[0])
    d = [1, -1, 1]
    np.testing.assert_allclose(_index(x[perm], method, d), _index(x, method, d)[perm],
                               rtol=1e-9, atol=1e-9)


@SETTINGS
@given(x=matrices(), row=st.integers(0, 3), col=st.integers(0, 2),
       delta=st.floats(min_value=0.01, max_value=500.0),
       method=st.sampled_from(NORMALISATIONS),
       within=st.sampled_from(["arithmetic", "geometric"]))
def test_raising_a_burden_indicator_never_lowers_the_score(x, row, col, delta, method, within):
    if within == "geometric" and method not in ("minmax", "rank"):
        return  # geometric means need positive normalised values
    d = np.array([1, -1, 1])
    before = _index(x, method, d, within)[row]
    y = x.copy()
    # "more burden": raise a +1 indicator, lower a -1 indicator (kept positive)
    y[row, col] = y[row, col] + delta if d[col] == 1 else max(y[row, col] - delta, 0.5)
    if np.ptp(y[:, col]) == 0:
        return
    after = _index(y, method, d, within)[row]
    assert after >= before - 1e-9


monotone = st.sampled_from([np.log, np.sqrt, np.exp, lambda v: v**3, lambda v: 7 * v - 3])


@SETTINGS
@given(x=matrices(), f=monotone, method=st.sampled_from(["rank", "percentile"]))
def test_rank_methods_invariant_to_monotone_rescaling(x, f, method):
    x = x / 100.0  # keep exp finite
    fx = f(x)
    np.testing.assert_allclose(normalise_array(fx, method, directions=[1, -1, 1]),
                               normalise_array(x, method, directions=[1, -1, 1]))


@SETTINGS
@given(x=matrices(), a=st.floats(0.001, 1000.0), b=st.floats(-1e4, 1e4))
def test_zscore_invariant_to_units(x, a, b):
    np.testing.assert_allclose(normalise_array(a * x + b, "zscore"),
                               normalise_array(x, "zscore"), rtol=1e-6, atol=1e-6)
    # a negative scale factor is a direction flip
    np.testing.assert_allclose(normalise_array(-a * x + b, "zscore", directions=[-1, -1, -1]),
                               normalise_array(x, "zscore"), rtol=1e-6, atol=1e-6)


@SETTINGS
@given(x=matrices(), a=st.floats(0.001, 1000.0))
def test_distance_and_minmax_invariant_to_scale(x, a):
    for method in ("distance", "minmax"):
        np.testing.assert_allclose(normalise_array(a * x, method), normalise_array(x, method),
                                   rtol=1e-6, atol=1e-6)


@SETTINGS
@given(dims=st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=8))
def test_equal_weights_sum_to_one_per_dimension(dims):
    dim_of = pd.Series(dims, index=[f"i{k}" for k in range(len(dims))])
    w = equal_weights(dim_of)
    np.testing.assert_allclose(w.groupby(dim_of).sum(), 1.0)


@SETTINGS
@given(x=matrices(min_rows=6, cols=3), dims=st.lists(st.sampled_from(["A", "B"]), min_size=3,
                                                   max_size=3))
def test_pca_weights_sum_to_one_and_are_non_negative(x, dims):
    wide = pd.DataFrame(x, columns=["a", "b", "c"])
    if np.any(np.std(x, axis=0) == 0):
        return
    dim_of = pd.Series(dims, index=["a", "b", "c"])
    w = pca_weights(wide, dim_of)
    assert (w >= 0).all()
    np.testing.assert_allclose(w.groupby(dim_of).sum(), 1.0)


@SETTINGS
@given(x=matrices(), w=arrays(float, 3, elements=st.floats(0.01, 10.0)))
def test_weighted_means_lie_between_min_and_max(x, w):
    for method in ("arithmetic", "geometric"):
        m = aggregate_array(x, w, method)
        assert np.all(m >= x.min(axis=1) - 1e-9) and np.all(m <= x.max(axis=1) + 1e-9)


@SETTINGS
@given(x=matrices(min_rows=5, max_rows=9), seed=st.integers(0, 1000),
       method=st.sampled_from(NORMALISATIONS))
def test_coin_results_do_not_depend_on_row_order(x, seed, method):
    n = x.shape[0]
    areas = [f"A{i}" for i in range(n)]
    data = pd.DataFrame({"area": np.repeat(areas, 3), "indicator": ["a", "b", "c"] * n,
                         "value": x.ravel()})
    meta = pd.DataFrame({"indicator": ["a", "b", "c"], "dimension": ["D", "D", "E"],
                         "direction": [1, -1, 1]})
    shuffled = data.sample(frac=1.0, random_state=seed)
    one = Coin(data, meta).set("normalise", method=method)
    two = Coin(shuffled, meta).set("normalise", method=method)
    pd.testing.assert_series_equal(one.index.sort_index(), two.index.sort_index())
    pd.testing.assert_series_equal(one.ranks.sort_index(), two.ranks.sort_index())

