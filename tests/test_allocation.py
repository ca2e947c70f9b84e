"""Hand-computed tests of the allocation module (sozialanalyse.allocation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.allocation import (
    allocate,
    allocate_draws_array,
    apportion,
    apportion_array,
    bounded_quotas,
    compare_scenarios,
    damped_transition,
    need_score_array,
    need_weights,
    outcome_agreement,
    pace_of_change,
    ratio_check,
    subindex_weights,
    target_shares,
    transition_path,
)
from sozialanalyse.allocation.uncertainty import AllocationDraws, allocate_per_draw_loop
from sozialanalyse.errors import InputDataError, MethodError

ABC = pd.Index(["A", "B", "C"])


# ------------------------------------------------------------------------ apportionment


@pytest.mark.parametrize("method", ["hamilton", "webster", "dhondt"])
def test_all_methods_agree_on_a_plain_case(method):
    # quotas 4.3, 3.1, 2.6: floors 4, 3, 2 and the largest remainder (C) gets the tenth unit;
    # Webster rounds at d = 100; D'Hondt's ten largest quotients give 4, 3, 3 as well
    res = apportion(pd.Series([430.0, 310, 260], index=ABC), total=10, unit=1, method=method)
    assert res.units.tolist() == [4, 3, 3]
    assert res.ties.empty
    assert res.quota_violations.empty


def test_dhondt_favours_the_large_area_and_breaks_quota():
    # quotas 4, 0.5, 0.5: D'Hondt gives all five units to A (quotients 800 ... 160 > 100)
    w = pd.Series([800.0, 100, 100], index=ABC)
    d = apportion(w, 5, 1, "dhondt")
    assert d.units.tolist() == [5, 0, 0]
    assert d.quota_violations.index.tolist() == ["A"]


def test_hamilton_tie_is_reported_and_goes_to_the_first_area():
    w = pd.Series([800.0, 100, 100], index=ABC)
    h = apportion(w, 5, 1, "hamilton")
    assert h.units.tolist() == [4, 1, 0]
    assert h.ties.index.tolist() == ["B", "C"]


def test_webster_tie_is_reported():
    # Webster quotients w / (a + 0.5): the fifth unit is 200 for B and 200 for C
    w = pd.Series([800.0, 100, 100], index=ABC)
    s = apportion(w, 5, 1, "sainte-lague")
    assert s.method == "webster"
    assert s.units.tolist() == [4, 1, 0]
    assert s.ties.index.tolist() == ["B", "C"]


def test_three_way_tie():
    res = apportion(pd.Series([1.0, 1, 1], index=ABC), total=0.5, unit=0.5)
    assert res.units.tolist() == [1, 0, 0]
    assert res.table["tie"].all()


def test_alabama_paradox_of_hamilton():
    # 10 units: quotas 4.29, 4.29, 1.43 -> C gets the remainder unit: 4, 4, 2
    # 11 units: quotas 4.71, 4.71, 1.57 -> A and B get them: 5, 5, 1 (C loses a unit)
    w = np.array([6.0, 6.0, 2.0])
    assert apportion_array(w, 10, "hamilton").tolist() == [4, 4, 2]
    assert apportion_array(w, 11, "hamilton").tolist() == [5, 5, 1]
    # the divisor methods are house monotone here
    for m in ("webster", "dhondt"):
        assert np.all(apportion_array(w, 11, m) >= apportion_array(w, 10, m))


def test_units_and_amounts():
    res = apportion(pd.Series([3.0, 1.0], index=["x", "y"]), total=2.0, unit=0.25)
    assert res.units.tolist() == [6, 2]
    assert res.amounts.tolist() == [1.5, 0.5]
    with pytest.raises(MethodError, match="Vielfaches"):
        apportion(pd.Series([1.0, 1.0]), total=2.1, unit=0.25)
    with pytest.raises(MethodError, match="Zuteilungsverfahren"):
        apportion(pd.Series([1.0, 1.0]), total=2.0, unit=0.25, method="adams")


def test_floor_and_cap_in_apportionment():
    w = pd.Series([1.0, 1.0, 8.0], index=ABC)
    res = apportion(w, 10, 1, "webster", floor=2)
    assert res.units.tolist() == [2, 2, 6]
    res = apportion(w, 10, 1, "dhondt", cap=5)
    assert res.units.tolist() == [3, 2, 5]  # 2.5 / 2.5 / 5: the tie goes to A
    assert res.ties.index.tolist() == ["A", "B"]


def test_bounded_quotas_by_hand():
    q, lam = bounded_quotas(np.array([1.0, 1.0, 8.0]), 10, lower=2)
    assert np.allclose(q, [2, 2, 6])
    assert lam[0] == pytest.approx(0.75)
    q, _ = bounded_quotas(np.array([1.0, 1.0, 8.0]), 10, upper=5)
    assert np.allclose(q, [2.5, 2.5, 5])
    with pytest.raises(MethodError, match="Untergrenzen"):
        bounded_quotas(np.array([1.0, 1.0]), 3, lower=2)
    with pytest.raises(MethodError, match="Obergrenzen"):
        bounded_quotas(np.array([1.0, 1.0]), 3, upper=1)


# --------------------------------------------------------------------------------- need


def test_need_scores_by_hand():
    idx = np.array([0.0, 1.0, 3.0])
    assert np.allclose(need_score_array(idx, "linear"), [0, 1 / 3, 1])
    assert np.allclose(need_score_array(idx, "rank"), [0, 0.5, 1])
    # z = -0.87, -0.22, 1.09 -> classes 1, 1, 2 of 3 cut-offs
    assert np.allclose(need_score_array(idx, "class"), [1 / 3, 1 / 3, 2 / 3])
    assert np.allclose(need_score_array(np.array([2.0, 2.0, 2.0]), "linear"), 0)
    with pytest.raises(MethodError, match="Bedarfsregel"):
        need_score_array(idx, "quadratic")


def test_need_scores_are_scale_free_and_vectorised():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 8))
    for rule in ("linear", "rank", "class"):
        a = need_score_array(x, rule)
        assert np.allclose(a, need_score_array(3 * x + 7, rule))
        assert np.allclose(a[2], need_score_array(x[2], rule))


def test_need_weights_series():
    w = need_weights(pd.Series([0.0, 1.0, 3.0], index=ABC), "linear", base=1, uplift=0.6)
    assert np.allclose(w, [1.0, 1.2, 1.6])
    assert w.index.equals(ABC)


def test_hamburg_nord_subindices():
    # four sub-indices at 25 % each, rank points; A is top on three, C on one
    sub = pd.DataFrame({"u18": [3, 2, 1], "ausl": [3, 1, 2], "allein": [3, 2, 1],
                        "hlu": [1, 2, 3]}, index=ABC, dtype=float)
    w = subindex_weights(sub, rule="rank", base=0.0, uplift=100.0)
    # A: 100, 100, 100, 0 -> 75; B: 50, 0, 50, 50 -> 37.5; C: 0, 50, 0, 100 -> 37.5
    assert np.allclose(w, [75, 37.5, 37.5])
    with pytest.raises(MethodError):
        subindex_weights(sub, shares={"u18": 0.5, "ausl": 0.5, "allein": 0.5, "hlu": 0.5})


def test_target_shares():
    s = target_shares(pd.Series([100.0, 300.0], index=["x", "y"]),
                      pd.Series([3.0, 1.0], index=["x", "y"]))
    assert np.allclose(s, [0.5, 0.5])


# ---------------------------------------------------------------------------- transition


def test_damped_transition_by_hand():
    cur = pd.Series([10.0, 10.0], index=["x", "y"])
    tgt = pd.Series([14.0, 6.0], index=["x", "y"])
    assert np.allclose(damped_transition(cur, tgt, 0.25), [11, 9])
    assert np.allclose(damped_transition(cur, tgt, 0.25, max_change=0.05), [10.5, 9.5])
    assert np.allclose(damped_transition(cur, tgt, 1.0), tgt)
    path = transition_path(cur, tgt, 0.5, 3)
    assert np.allclose(path.iloc[-1], [13.5, 6.5])
    with pytest.raises(MethodError):
        damped_transition(cur, tgt, 0.0)


def test_pace_of_change_by_hand():
    cur = pd.Series([10.0, 10.0], index=["x", "y"])
    tgt = pd.Series([15.0, 5.0], index=["x", "y"])
    out = pace_of_change(cur, tgt, 21.0, min_uplift=0.02)
    assert np.allclose(out, [10.8, 10.2])
    with pytest.raises(MethodError, match="Mindeststeigerung"):
        pace_of_change(cur, tgt, 20.0, min_uplift=0.02)


# ------------------------------------------------------------------------------ pipeline


def _pop():
    return pd.Series([4000.0, 3000, 2000, 1000], index=list("ABCD"))


def test_breakdown_adds_up():
    pop = _pop()
    w = pd.Series([1.0, 1.2, 1.5, 1.1], index=pop.index)
    cur = pd.Series([4.0, 3.0, 2.0, 1.0], index=pop.index)
    a = allocate(pop, 10.0, need_weight=w, unit=0.25, floor=1.5, cap=3.5, current=cur,
                 damping=0.5)
    t = a.to_frame()
    parts = t[["per_capita", "need_uplift", "floor_cap_effect", "damping_effect",
               "rounding_effect"]].sum(axis=1)
    assert np.allclose(parts, t["amount"])
    assert t["amount"].sum() == pytest.approx(10.0)
    assert np.allclose(t["per_capita"], [4, 3, 2, 1])
    assert "Zuteilung" in a.summary().columns


def test_allocate_per_capita_and_errors():
    a = allocate(_pop(), 10.0, unit=0.5)
    assert a.amounts.tolist() == [4.0, 3.0, 2.0, 1.0]
    with pytest.raises(InputDataError):
        allocate(_pop(), 10.0, damping=0.5)
    with pytest.raises(InputDataError):
        allocate(pd.Series([1.0, -2.0], index=["a", "b"]), 1.0)


def test_scenarios_table():
    pop = _pop()
    w = pd.Series([1.0, 1.0, 2.0, 1.0], index=pop.index)
    cur = pd.Series([4.0, 3.0, 2.0, 1.0], index=pop.index)
    sc = compare_scenarios(pop, w, 10.0, unit=0.25, floor=1.5, current=cur, damping=0.5)
    assert list(sc.table.columns) == ["current", "per_capita", "needs", "bounded", "damped"]
    assert np.allclose(sc.table.sum(), 10.0)
    assert sc.table.loc["D", "bounded"] >= 1.5
    assert "nach Bedarf" in sc.summary().columns


def test_plot_scenarios():
    import matplotlib

    matplotlib.use("Agg")
    from sozialanalyse.allocation import plot_scenarios

    pop = _pop()
    sc = compare_scenarios(pop, pd.Series([1.0, 1.0, 2.0, 1.0], index=pop.index), 10.0)
    fig = plot_scenarios(sc)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Zuteilung (VK)"
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and not any("." in t for t in ticks)
    assert ax.get_legend() is not None


# --------------------------------------------------------------------------- uncertainty


def test_draws_equal_loop_and_nominal():
    rng = np.random.default_rng(3)
    idx = rng.normal(size=(50, 9))
    pop = rng.integers(500, 5000, 9).astype(float)
    for method in ("hamilton", "webster", "dhondt"):
        for rule in ("linear", "rank", "class"):
            a = allocate_draws_array(idx, pop, 40, rule=rule, method=method)
            b = allocate_per_draw_loop(idx, pop, 40, rule=rule, method=method)
            assert np.array_equal(a, b)
            assert np.all(a.sum(axis=1) == 40)
    # one draw equals the Series pipeline
    areas = pd.Index([f"a{i}" for i in range(9)])
    w = need_weights(pd.Series(idx[0], index=areas), "linear")
    ref = allocate(pd.Series(pop, index=areas), 10.0, need_weight=w, unit=0.25)
    assert np.array_equal(allocate_draws_array(idx[:1], pop, 40)[0], ref.table["units"])


def test_allocation_draws_summary():
    units = np.array([[2, 2], [3, 1], [2, 2], [1, 3]])
    d = AllocationDraws(areas=pd.Index(["x", "y"]), units=units,
                        nominal=pd.Series([2, 2], index=["x", "y"]),
                        population=pd.Series([10.0, 10.0], index=["x", "y"]), unit=0.5)
    s = d.summary()
    assert s.loc["x", "p_more"] == 0.25 and s.loc["x", "p_less"] == 0.25
    assert np.allclose(d.staff_moved(), [0, 0.5, 0, 0.5])


def test_allocation_draws_from_monte_carlo():
    from sozialanalyse.allocation import allocation_draws
    from sozialanalyse.index.uncertainty import run_monte_carlo

    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.normal(size=(8, 3)), index=[f"a{i}" for i in range(8)],
                     columns=["i1", "i2", "i3"])
    mc = run_monte_carlo(x, n_draws=200, seed=1)
    pop = pd.Series(rng.integers(500, 3000, 8).astype(float), index=x.index)
    d = allocation_draws(mc, pop, 20.0, unit=0.25, current=pop / pop.sum() * 20)
    assert d.units.shape == (200, 8)
    assert np.all(d.units.sum(axis=1) == 80)
    s = d.summary()
    assert s["p_more"].between(0, 1).all() and (s["lo"] <= s["hi"]).all()


def test_allocation_sensitivity_small():
    from sozialanalyse.allocation.sensitivity import AllocationChoices, allocation_sensitivity

    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.normal(size=(10, 3)), index=[f"a{i}" for i in range(10)],
                     columns=["i1", "i2", "i3"])
    pop = pd.Series(rng.integers(500, 3000, 10).astype(float), index=x.index)
    si = allocation_sensitivity(x, None, pop, 30.0, unit=0.25, n_base=64, seed=1,
                                choices=AllocationChoices(floors=(0.0, 2.0)))
    assert {"uplift", "need_rule", "apportionment", "floor", "weights"} <= set(si.index)
    assert si["ST"].iloc[0] == si["ST"].max()
    assert si.loc["uplift", "label"] == "Höhe des Bedarfszuschlags"


# ---------------------------------------------------------------------------- validation


def test_ratio_check_and_agreement():
    pop = pd.Series([100.0, 100.0], index=["g", "h"])
    w = pd.Series([1.5, 0.5], index=pop.index)
    r = ratio_check(w, pop, "g", 2.5)
    assert r["implied"] == pytest.approx(1.5)
    assert r["implied_over_observed"] == pytest.approx(0.6)
    w3 = pd.Series([1.0, 2.0, 3.0])
    res = outcome_agreement(w3, pd.Series([10.0, 20.0, 30.0]))
    assert res["spearman"] == pytest.approx(1.0) and res["slope"] == pytest.approx(1.0)


def test_damped_draws_and_band_plot():
    import matplotlib

    matplotlib.use("Agg")
    from sozialanalyse.allocation import plot_allocation_bands

    rng = np.random.default_rng(9)
    idx = rng.normal(size=(30, 6))
    pop = rng.integers(500, 3000, 6).astype(float)
    cur = np.array([10, 8, 6, 6, 5, 5])
    a = allocate_draws_array(idx, pop, 40, current=cur, damping=0.5, lower=np.full(6, 5.0))
    b = allocate_per_draw_loop(idx, pop, 40, current=cur, damping=0.5, lower=np.full(6, 5.0))
    assert np.array_equal(a, b) and np.all(a.sum(axis=1) == 40) and np.all(a >= 5)
    with pytest.raises(MethodError):
        allocate_draws_array(idx, pop, 40, damping=0.5)
    d = AllocationDraws(areas=pd.Index(list("abcdef")), units=a,
                        nominal=pd.Series(a[0], index=list("abcdef")),
                        population=pd.Series(pop, index=list("abcdef")), unit=0.25,
                        current=pd.Series(cur, index=list("abcdef")))
    fig = plot_allocation_bands(d)
    assert fig.axes[0].get_xlabel() == "Zuteilung (VK)"
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "heute" in labels


def test_apportionment_summary_and_bad_bounds():
    res = apportion(pd.Series([3.0, 1.0], index=["x", "y"]), total=2.0, unit=0.5)
    s = res.summary()
    assert list(s.columns)[:2] == ["Quote (Einheiten)", "Einheiten"]
    assert s.loc["x", "Zuteilung"] == "1,50"
    with pytest.raises(InputDataError):
        apportion(pd.Series([3.0, 1.0], index=["x", "y"]), 2.0, 0.5,
                  floor=pd.Series([0.5], index=["x"]))
    with pytest.raises(MethodError):
        apportion(pd.Series([3.0, 1.0], index=["x", "y"]), 2.0, 0.5, floor=0.5, cap=0.25)
