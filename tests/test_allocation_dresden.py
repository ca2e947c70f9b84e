"""The Dresden allocation example (sozialanalyse.analyses.ressourcen) on the real data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sozialanalyse.analyses import ressourcen as res


def test_scenarios_add_up_and_respect_bounds():
    t = res.scenario_table()
    assert len(t) == 17
    for col in ("current", "per_capita", "needs", "bounded", "damped"):
        assert t[col].sum() == pytest.approx(res.EXAMPLE_TOTAL)
        assert np.allclose(t[col] / res.UNIT, np.round(t[col] / res.UNIT))
    assert (t["bounded"] >= res.FLOOR).all()
    assert (t["bounded"] <= res.cap().reindex(t.index) + 1e-9).all()
    # yearly bound of 10 % holds up to one unit of rounding (floors take precedence)
    step = (t["damped"] - t["current"]).abs()
    allowed = res.MAX_CHANGE * t["current"] + res.UNIT
    assert ((step <= allowed + 1e-9) | (t["damped"] == res.FLOOR)).all()


def test_breakdown_is_exact():
    b = res.breakdown()
    parts = b[["per_capita", "need_uplift", "floor_cap_effect", "damping_effect",
               "rounding_effect"]].sum(axis=1)
    assert np.allclose(parts, b["amount"])


def test_uncertainty_and_validation():
    d = res.draws()
    assert np.all(d.units.sum(axis=1) == round(res.EXAMPLE_TOTAL / res.UNIT))
    val = res.validation()
    assert val["observed"] == pytest.approx(2.5)
    assert 1.0 < val["implied"] < val["observed"]


def test_headline_is_flat_json():
    h = res.headline()
    json.dumps(h)
    assert h["n_areas"] == 17 and h["example_total"] == res.EXAMPLE_TOTAL
    assert h["sens_top_factor"] in {"uplift", "need_rule", "indicator_set", "normalisation",
                                    "weights", "aggregation", "apportionment", "outlier",
                                    "floor"}
