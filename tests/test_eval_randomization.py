"""Tests of randomization inference over areas (evaluation.randomization)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.errors import MethodError
from sozialanalyse.evaluation.bootstrap import fit_did, panel_matrices
from sozialanalyse.evaluation.calibration import example_panel as make_panel
from sozialanalyse.evaluation.randomization import (
    assignment_statistics,
    assignments,
    p_from_statistics,
    randomization_inference,
    ri_p_values,
)


def _members(sets: np.ndarray, g: int) -> np.ndarray:
    m = np.zeros((sets.shape[0], g), dtype=bool)
    np.put_along_axis(m, sets, True, axis=1)
    return m


def test_assignments_enumerate_all_sets_with_the_observed_first() -> None:
    sets, exact = assignments(17, [12, 4, 8])
    assert exact and sets.shape == (math.comb(17, 3), 3) == (680, 3)
    assert tuple(sets[0]) == (4, 8, 12)
    assert len({tuple(s) for s in sets}) == 680
    sets, exact = assignments(40, [1, 2, 3, 4, 5], max_exact=1000, draws=300,
                              rng=np.random.default_rng(0))
    assert not exact and sets.shape == (300, 5) and tuple(sets[0]) == (1, 2, 3, 4, 5)
    assert all(len(set(s)) == 5 for s in sets)


def test_one_step_statistic_is_close_to_the_full_poisson_fit() -> None:
    panel = make_panel(21)
    y, n, d, _ = panel_matrices(panel)
    post = d.any(axis=0)
    sets, _ = assignments(17, np.flatnonzero(d.any(axis=1)))
    members = _members(sets, 17)
    bhat = fit_did(y[None], np.log(n)[None], d[None])[0][0]
    # under the null at the estimate: adjusted exposure removes the effect
    off = (np.log(n) + bhat * d)[None]
    one_step = assignment_statistics(y[None], off, members, post)[0]
    dall = members[:, :, None] & post[None, None, :]
    full = fit_did(np.broadcast_to(y, dall.shape), off, dall)[0]
    assert abs(one_step[0]) < 1e-10 and abs(full[0]) < 1e-8
    assert np.max(np.abs(one_step - full)) < 0.05 * np.std(full)


def test_p_value_counts_the_observed_assignment() -> None:
    stats_ = np.array([[2.0, -3.0, 1.0, 2.0], [0.0, 1.0, np.nan, 2.0]])
    np.testing.assert_allclose(p_from_statistics(stats_), [3 / 4, 1.0])


def test_one_model_area_cannot_reach_five_percent() -> None:
    panel = make_panel(22, treated=(8,), irr=0.5)
    res = randomization_inference(panel)
    assert res.n_assignments == 17 and res.exact
    assert res.min_attainable_p == pytest.approx(1 / 17)
    assert res.p_value >= 1 / 17
    assert res.ci_low == 0.0 and res.ci_high == np.inf
    assert "1/17" in res.note and "unmöglich" in res.note


def test_a_clearly_extreme_model_area_gets_the_smallest_p_value() -> None:
    """Hand case: identical areas, only the model area halves its cases."""
    years = np.arange(2014, 2026)
    rows = []
    for i in range(17):
        for t, yr in enumerate(years):
            base = 100 + 5 * ((i * 7 + t * 3) % 4)  # small deterministic wiggle
            cases = base // 2 if (i == 3 and yr >= 2020) else base
            rows.append((f"A{i:02d}", yr, cases, 4000.0, 2020.0 if i == 3 else np.nan))
    panel = pd.DataFrame(rows, columns=["area", "year", "cases", "population", "start_year"])
    res = randomization_inference(panel)
    assert res.p_value == pytest.approx(1 / 17)
    assert res.irr < 0.6


def test_interval_inverts_the_constant_effect_test() -> None:
    panel = make_panel(23, irr=0.8)
    res = randomization_inference(panel)
    assert res.n_assignments == 680 and res.min_attainable_p == pytest.approx(1 / 680)
    assert 0 < res.ci_low < res.irr < res.ci_high < np.inf
    assert (res.p_value > 0.05) == (res.ci_low <= 1.0 <= res.ci_high)
    y, n, d, _ = panel_matrices(panel)
    sets, _ = assignments(17, np.flatnonzero(d.any(axis=1)))
    members = _members(sets, 17)
    post = d.any(axis=0)
    lo, hi = np.log(res.ci_low), np.log(res.ci_high)
    p = ri_p_values(y, np.log(n), d, members, post, np.array([lo + 0.01, hi - 0.01,
                                                                 lo - 0.05, hi + 0.05]))
    assert p[0] > 0.05 and p[1] > 0.05
    assert p[2] <= 0.05 and p[3] <= 0.05
    t_res = randomization_inference(panel, statistic="t")
    assert t_res.irr == pytest.approx(res.irr) and t_res.ci_low < res.irr < t_res.ci_high


def test_staggered_starts_are_refused() -> None:
    panel = make_panel(24)
    panel.loc[panel["area"] == "S04", "start_year"] = 2019.0
    with pytest.raises(MethodError, match="gemeinsames Startjahr"):
        randomization_inference(panel)


@pytest.mark.slow
def test_randomization_test_is_exact_when_areas_are_exchangeable() -> None:
    """Equal populations, treated areas drawn at random: rejection <= 5 % (MC error)."""
    rng = np.random.default_rng(25)
    reps, g, t, k = 1000, 12, 8, 3
    pop = np.full((g, t), 5000.0)
    post = np.arange(t) >= 4
    sets, _ = assignments(g, [0, 1, 2])
    members = _members(sets, g)
    rejections = 0
    for _ in range(reps // 100):
        mu = pop / 1000 * 30 * np.exp(rng.normal(0, 0.2, (100, g, 1))
                                      + rng.normal(0, 0.05, (100, 1, t)))
        y = rng.poisson(rng.gamma(1 / 0.05, mu * 0.05)).astype(float)
        # relabel areas at random so that the observed set {0, 1, 2} is a random choice
        y = np.take_along_axis(y, np.argsort(rng.random((100, g)), axis=1)[:, :, None], axis=1)
        st = assignment_statistics(y, np.log(pop)[None], members, post)
        rejections += int((p_from_statistics(st) <= 0.05).sum())
    rate = rejections / reps
    assert math.comb(g, k) == 220
    assert 0.03 <= rate <= 0.07, rate
