"""Tests of Ward area types, their stability check and the comparison with a reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index.typology import (
    adjusted_rand_index,
    cluster_stability,
    compare_with_reference,
    type_profiles,
    ward_types,
)


def _three_blobs(seed: int = 0, spread: float = 0.1) -> tuple[pd.DataFrame, np.ndarray]:
    """Simulated: three well-separated groups of 6 areas in 3 indicators."""
    rng = np.random.default_rng(seed)
    centres = np.array([[2.0, 2.0, 2.0], [0.0, 0.0, 0.0], [-2.0, -2.0, -2.0]])
    truth = np.repeat([0, 1, 2], 6)
    values = centres[truth] + rng.normal(0, spread, size=(18, 3))
    order = rng.permutation(18)
    z = pd.DataFrame(values[order], index=[f"A{i:02d}" for i in range(18)],
                     columns=["i1", "i2", "i3"])
    return z, truth[order]


def test_ari_hand_computed() -> None:
    # classic example: a = {0,0,0,1,1,1}, b = {0,0,1,1,2,2}
    # contingency [[2,1,0],[0,1,2]]: index = 1+1 = 2; rows 3+3 = 6; cols 1+1+1 = 3; total 15
    # expected = 6*3/15 = 1.2; max = 4.5 -> (2-1.2)/(4.5-1.2) = 0.8/3.3
    a = [0, 0, 0, 1, 1, 1]
    b = [0, 0, 1, 1, 2, 2]
    assert adjusted_rand_index(a, b) == pytest.approx(0.8 / 3.3)
    assert adjusted_rand_index(a, [5, 5, 5, 9, 9, 9]) == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=3, max_size=25), st.permutations(range(4)))
def test_ari_invariant_to_relabelling_and_symmetric(labels: list[int], perm: list[int]) -> None:
    a = np.array(labels)
    relabelled = np.array(perm)[a]
    assert adjusted_rand_index(a, relabelled) == pytest.approx(1.0)
    b = np.roll(a, 1)
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_index(b, a))


def test_ward_recovers_separated_groups_and_orders_by_burden() -> None:
    z, truth = _three_blobs()
    types = ward_types(z, 3)
    assert adjusted_rand_index(types, truth) == pytest.approx(1.0)
    # type 1 is the most burdened group (centre +2), type 3 the least
    assert set(types[truth == 0]) == {1}
    assert set(types[truth == 2]) == {3}
    prof = type_profiles(z, types)
    assert list(prof["n"]) == [6, 6, 6]
    assert prof["i1"].is_monotonic_decreasing


def test_row_order_does_not_change_types() -> None:
    z, _ = _three_blobs(seed=4, spread=0.5)
    a = ward_types(z, 3)
    b = ward_types(z.iloc[::-1], 3).reindex(z.index)
    pd.testing.assert_series_equal(a, b)


def test_stability_high_for_separated_low_for_noise() -> None:
    z, _ = _three_blobs()
    good = cluster_stability(z, 3, n_replicates=40, seed=1)
    assert good.mean_ari == pytest.approx(1.0)
    assert (good.area_stability == 1.0).all()
    rng = np.random.default_rng(9)
    noise = pd.DataFrame(rng.normal(size=(18, 3)), index=z.index, columns=z.columns)
    bad = cluster_stability(noise, 3, n_replicates=40, subsample=0.7, noise_sd=0.5, seed=1)
    assert bad.mean_ari < good.mean_ari - 0.3
    co = bad.coassignment.to_numpy()
    assert np.allclose(np.diag(co), 1.0) and np.allclose(co, co.T, equal_nan=True)
    assert np.nanmin(co) >= 0 and np.nanmax(co) <= 1


def test_compare_with_reference_uses_common_areas_only() -> None:
    types = pd.Series([1, 1, 2, 2, 3], index=list("abcde"))
    ref = pd.Series({"a": "C", "b": "C", "c": "D", "d": "D", "e": None, "z": "E"})
    out = compare_with_reference(types, ref)
    assert out["n_common"] == 4
    assert out["ari"] == pytest.approx(1.0)
    assert out["table"].loc[1, "C"] == 2


def test_errors_name_the_problem() -> None:
    z, _ = _three_blobs()
    with pytest.raises(MethodError, match="aus nur 18 Gebieten"):
        ward_types(z, 20)
    bad = z.copy()
    bad.iloc[3, 1] = np.nan
    with pytest.raises(InputDataError, match="A03"):
        ward_types(bad, 3)
    with pytest.raises(MethodError):
        adjusted_rand_index([1, 2], [1, 2, 3])
