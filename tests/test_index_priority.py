"""Tests of priority-area rules, their Monte Carlo probability and reference-area rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index.priority import (
    PriorityRule,
    apply_rule,
    best_rules,
    reference_areas,
    rule_probability,
)
from sozialanalyse.index.uncertainty import run_monte_carlo

NEED = pd.Series({"a": 1.5, "b": 0.9, "c": 0.2, "d": -0.4, "e": -1.1, "f": 0.7})
SUPPLY = pd.Series({"a": 3.0, "b": 0.5, "c": 0.4, "d": 2.0, "e": 1.0, "f": 5.0})


def test_top_k_need_only() -> None:
    out = apply_rule(NEED, PriorityRule(top_k=2))
    assert set(out.index[out["priority"]]) == {"a", "b"}
    assert list(out["rank"]) == [1, 2, 3, 4, 5, 6]


def test_need_and_supply_hand_computed() -> None:
    # need in top half (quantile .5 of need = 0.45) -> a, b, f; supply <= median (1.5) -> b, c, e
    rule = PriorityRule(need_quantile=0.5, supply_quantile=0.5)
    out = apply_rule(NEED, rule, SUPPLY)
    assert set(out.index[out["priority"]]) == {"b"}
    assert out.loc["a", "reason"] == "supply above the threshold"
    assert out.loc["c", "reason"] == "need below the threshold"
    assert "supply" in rule.describe()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=3, max_size=20, unique=True),
       st.integers(1, 3))
def test_raising_need_never_removes_priority(values: list[float], k: int) -> None:
    need = pd.Series(values, index=[f"s{i}" for i in range(len(values))])
    before = apply_rule(need, PriorityRule(top_k=k))["priority"]
    for area in before.index[before]:
        raised = need.copy()
        raised[area] += 1.0
        assert apply_rule(raised, PriorityRule(top_k=k)).loc[area, "priority"]


def test_rule_errors() -> None:
    with pytest.raises(MethodError, match="genau eine Bedarfsbedingung"):
        PriorityRule(top_k=2, need_quantile=0.5)
    with pytest.raises(InputDataError, match="supply"):
        apply_rule(NEED, PriorityRule(top_k=2, supply_quantile=0.5))
    with pytest.raises(InputDataError, match="'d'"):
        apply_rule(NEED, PriorityRule(top_k=2, supply_quantile=0.5), SUPPLY.drop("d"))


def test_rule_probability_matches_loop_over_draws() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.lognormal(size=(10, 3)), index=[f"A{i}" for i in range(10)],
                     columns=["p", "q", "r"])
    supply = pd.Series(np.arange(10.0), index=x.index)
    mc = run_monte_carlo(x, n_draws=200, seed=4)
    rule = PriorityRule(need_quantile=0.7, supply_quantile=0.6, name="need+supply")
    p = rule_probability(mc, rule, supply)
    manual = np.mean(
        [apply_rule(pd.Series(s, index=x.index), rule, supply)
         .reindex(x.index)["priority"].to_numpy() for s in mc.scores], axis=0)
    np.testing.assert_allclose(p.to_numpy(), manual)
    assert ((p >= 0) & (p <= 1)).all()
    # top-k without supply equals the MonteCarloResult shortcut
    pd.testing.assert_series_equal(rule_probability(mc, PriorityRule(top_k=3)),
                                   mc.priority_probability(3))


def test_reference_areas_rules() -> None:
    types = pd.Series({"a": "X", "b": "X", "f": "X", "c": "Y", "d": "Y", "e": "Y", "g": None})
    med = reference_areas(types, NEED, how="median")
    assert med.loc["X", "area"] == "b"  # median of 1.5, 0.9, 0.7 is 0.9
    assert med.loc["Y", "area"] == "d"  # median of 0.2, -0.4, -1.1 is -0.4
    assert reference_areas(types, NEED, how="max").loc["Y", "area"] == "c"
    assert reference_areas(types, NEED, how="min").loc["X", "area"] == "f"
    assert list(med["n_areas"]) == [3, 3]
    with pytest.raises(MethodError):
        reference_areas(types, NEED, how="mode")


def test_need_min_rule_and_its_monte_carlo_guard() -> None:
    out = apply_rule(NEED, PriorityRule(need_min=0.8))
    assert set(out.index[out["priority"]]) == {"a", "b"}
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.lognormal(size=(6, 2)), index=list("abcdef"), columns=["p", "q"])
    mc = run_monte_carlo(x, n_draws=20, seed=0)
    with pytest.raises(MethodError, match="nicht vergleichbar"):
        rule_probability(mc, PriorityRule(need_min=0.8))


def test_best_rules_reports_every_tie() -> None:
    # hand-computed: "median" and "min" both hit 2, "max" hits 1 -> both tied rules, in order
    hits = pd.Series({"median": 2, "max": 1, "min": 2})
    assert best_rules(hits) == ["median", "min"]
    assert hits.idxmax() == "median"  # what a plain idxmax would have reported alone
    assert best_rules(pd.Series({"median": 0, "max": 3, "min": 1})) == ["max"]
    assert best_rules(pd.Series({"a": 0, "b": 0})) == ["a", "b"]
    with pytest.raises(MethodError):
        best_rules(pd.Series(dtype=float))
    with pytest.raises(InputDataError, match="'b'"):
        best_rules(pd.Series({"a": 1.0, "b": float("nan")}))


@given(st.lists(st.integers(0, 5), min_size=1, max_size=8))
@settings(max_examples=50, deadline=None)
def test_best_rules_are_exactly_the_maxima(counts: list[int]) -> None:
    hits = pd.Series(counts, index=[f"r{i}" for i in range(len(counts))])
    best = best_rules(hits)
    assert best and all(hits[b] == max(counts) for b in best)
    assert len(best) == counts.count(max(counts))
