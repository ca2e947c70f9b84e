"""Property tests (hypothesis) of the allocation module."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sozialanalyse.allocation import (
    allocate,
    allocate_draws_array,
    apportion_array,
    bounded_quotas,
    damped_transition,
    need_weights,
)
from sozialanalyse.allocation.uncertainty import allocate_per_draw_loop

METHODS = st.sampled_from(["hamilton", "webster", "dhondt"])
weights_st = st.lists(st.floats(0.01, 1000.0), min_size=2, max_size=25).map(np.array)


@settings(max_examples=150, deadline=None)
@given(w=weights_st, seats=st.integers(0, 300), method=METHODS)
def test_units_sum_to_total(w, seats, method):
    u = apportion_array(w, seats, method)
    assert u.sum() == seats
    assert np.all(u >= 0)


@settings(max_examples=150, deadline=None)
@given(w=weights_st, seats=st.integers(1, 300))
def test_hamilton_within_quota(w, seats):
    u = apportion_array(w, seats, "hamilton")
    q = seats * w / w.sum()
    assert np.all(u >= np.floor(q - 1e-9)) and np.all(u <= np.ceil(q + 1e-9))


@settings(max_examples=150, deadline=None)
@given(w=weights_st, seats=st.integers(0, 200), method=st.sampled_from(["webster", "dhondt"]))
def test_divisor_methods_are_house_monotone(w, seats, method):
    assert np.all(apportion_array(w, seats + 1, method) >= apportion_array(w, seats, method))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), method=METHODS)
def test_floors_and_caps_hold(data, method):
    n = data.draw(st.integers(2, 15))
    w = np.array(data.draw(st.lists(st.floats(0.01, 100.0), min_size=n, max_size=n)))
    lo = np.array(data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), float)
    extra = np.array(data.draw(st.lists(st.integers(0, 10), min_size=n, max_size=n)), float)
    hi = lo + extra
    seats = data.draw(st.integers(int(lo.sum()), int(hi.sum())))
    u = apportion_array(w, seats, method, lower=lo, upper=hi)
    assert u.sum() == seats
    assert np.all(u >= lo) and np.all(u <= hi)
    q, _ = bounded_quotas(w, seats, lo, hi)
    assert np.isclose(q.sum(), seats)
    assert np.all(q >= lo - 1e-9) and np.all(q <= hi + 1e-9)


@settings(max_examples=100, deadline=None)
@given(pop=st.lists(st.integers(1, 10_000), min_size=2, max_size=20), level=st.floats(-3, 3),
       total=st.integers(1, 200), method=METHODS)
def test_equal_needs_give_per_capita(pop, level, total, method):
    p = pd.Series(np.array(pop, float), index=[f"a{i}" for i in range(len(pop))])
    w = need_weights(pd.Series(level, index=p.index), "linear")
    a = allocate(p, total * 0.25, need_weight=w, unit=0.25, method=method)
    b = allocate(p, total * 0.25, unit=0.25, method=method)
    assert a.amounts.equals(b.amounts)


@settings(max_examples=100, deadline=None)
@given(w=weights_st, lam=st.floats(0.05, 1.0), data=st.data())
def test_damped_transition_keeps_total_and_bounds(w, lam, data):
    n = len(w)
    cur = pd.Series(np.array(data.draw(st.lists(st.floats(1.0, 50.0), min_size=n, max_size=n))))
    target = pd.Series(w / w.sum() * cur.sum())
    out = damped_transition(cur, target, lam, max_change=0.2)
    assert np.isclose(out.sum(), cur.sum())
    assert np.all(out >= 0.8 * cur - 1e-9) and np.all(out <= 1.2 * cur + 1e-9)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), method=METHODS,
       rule=st.sampled_from(["linear", "rank", "class"]), seats=st.integers(1, 120))
def test_vectorised_equals_loop(seed, method, rule, seats):
    rng = np.random.default_rng(seed)
    idx = rng.normal(size=(20, 12))
    pop = rng.integers(1, 4000, 12).astype(float)
    assume(pop.sum() > 0)
    a = allocate_draws_array(idx, pop, seats, rule=rule, method=method)
    b = allocate_per_draw_loop(idx, pop, seats, rule=rule, method=method)
    assert np.array_equal(a, b)


@settings(max_examples=120, deadline=None)
@given(data=st.data(), method=st.sampled_from(["webster", "dhondt"]),
       newton=st.integers(0, 2))
def test_divisor_shortcuts_equal_single_unit_steps(data, method, newton):
    """Bulk correction and secant steps give the textbook highest-averages result."""
    from sozialanalyse.allocation.rounding import divisor_array

    n = data.draw(st.integers(2, 12))
    rows = data.draw(st.integers(1, 6))
    w = np.array(data.draw(st.lists(st.integers(1, 5000), min_size=n * rows,
                                    max_size=n * rows)), float).reshape(rows, n)
    bounded = data.draw(st.booleans())
    lo = hi = None
    if bounded:
        lo = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), float)
        hi = lo + np.array(data.draw(st.lists(st.integers(0, 20), min_size=n, max_size=n)))
        seats = data.draw(st.integers(int(lo.sum()), int(hi.sum())))
    else:
        seats = data.draw(st.integers(0, 150))
    fast = divisor_array(w, seats, method, lo, hi, newton_steps=newton)
    slow = divisor_array(w, seats, method, lo, hi, bulk=False)
    assert np.array_equal(fast, slow)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("method", ["hamilton", "webster", "dhondt"])
def test_unbounded_fast_paths_equal_the_general_ones(method, ties):
    """Float32 ranking and the one-partition shortcuts give exactly the general result,
    also with many exact ties (integer weights from a small range), on large cases."""
    from sozialanalyse.allocation.rounding import (
        _SIGNPOST,
        _divisor_general,
        _hamilton_general,
        apportion_array,
    )

    rng = np.random.default_rng(7 + ties)
    n, rows = 300, 40
    if ties:
        w = rng.integers(1, 6, size=(rows, n)).astype(float)
    else:
        w = rng.lognormal(7.0, 0.8, size=(rows, n))
        w[:, ::25] = 0.0  # areas without weight get no unit from a divisor method
    seats = rng.integers(n // 2, 8 * n, size=rows)
    fast = apportion_array(w, seats, method)
    if method == "hamilton":
        slow = _hamilton_general(w, seats.astype(np.int64), None, None)
    else:
        slow = _divisor_general(w, seats.astype(np.int64), _SIGNPOST[method], None, None, 0,
                                False)
    assert np.array_equal(fast, slow)
    assert np.all(fast.sum(axis=1) == seats)


def test_hamilton_fast_path_keeps_rows_without_leftover_units():
    """Rows whose quotas are all whole numbers get exactly their quotas (no band units)."""
    from sozialanalyse.allocation.rounding import apportion_array

    rng = np.random.default_rng(3)
    n = 100
    w = rng.lognormal(5.0, 1.0, size=(6, n))
    w[0] = rng.integers(1, 9, n)
    seats = np.full(6, 0)
    seats[:] = int(w[0].sum()) * 2
    out = apportion_array(w, seats, "hamilton")
    assert np.array_equal(out[0], 2 * w[0].astype(np.int64))
    assert np.all(out.sum(axis=1) == seats)
