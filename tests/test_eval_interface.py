"""Every public evaluation design returns the one result type with the same interface."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import sozialanalyse.evaluation as ev
from sozialanalyse.evaluation import EvaluationResult
from sozialanalyse.evaluation.simulate import dresden_panel

FIELDS = ("irr", "ci_low", "ci_high", "p_value", "level", "inference", "inference_reason",
          "n_obs", "warnings", "warning_categories", "abs_change_per_1000", "coverage_ok",
          "coverage_note", "details", "alternatives")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    p = dresden_panel(irr=0.85, start_year=2020, seed=2017)
    return p[["area", "year", "cases", "population", "start_year"]]


def designs(panel: pd.DataFrame) -> dict[str, EvaluationResult]:
    series = (panel.groupby("year", as_index=False)[["cases", "population"]].sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "exact_rate_ratio": ev.exact_rate_ratio(90, 1000.0, 120, 1000.0),
            "pre_post_rate_ratio": ev.pre_post_rate_ratio(panel, treated="04", start_year=2020),
            "did_2x2": ev.did_2x2(100, 80, 400, 420),
            "two_group_did": ev.two_group_did(panel),
            "panel_did": ev.panel_did(panel),
            "event_study": ev.event_study(panel),
            "staggered_did": ev.staggered_did(panel),
            "interrupted_time_series": ev.interrupted_time_series(series, start_year=2020),
            "synthetic_control": ev.synthetic_control(panel, ["04", "10", "14"], 2020),
            "placebo_in_space": ev.placebo_in_space(panel, ["04"], 2020),
            "placebo_in_time": ev.placebo_in_time(panel, ["04"], 2020),
        }


@pytest.fixture(scope="module")
def results(panel: pd.DataFrame) -> dict[str, EvaluationResult]:
    """Every public design fitted once on the module's panel (shared by the tests)."""
    return designs(panel)


def test_every_public_design_returns_the_result_type(
    results: dict[str, EvaluationResult],
) -> None:
    for name, r in results.items():
        assert isinstance(r, EvaluationResult), name
        for f in FIELDS:
            assert hasattr(r, f), (name, f)
        assert r.effect == r.irr and np.isfinite(r.irr), name
        assert r.inference and r.inference_reason, name
        assert isinstance(r.details, pd.DataFrame) and isinstance(r.alternatives, pd.DataFrame)
        assert isinstance(r.warnings, tuple) and len(r.warnings) == len(r.warning_categories)
        assert r.coverage_ok or r.coverage_note, name
        tidy = r.to_frame()
        assert {"irr", "ci_low", "ci_high", "p_value", "inference"} <= set(tidy.columns)
        summ = r.summary()
        assert summ.index.name == "Kennzahl" and list(summ.columns) == ["Wert"]
        text = " ".join(summ["Wert"].astype(str))
        assert "True" not in text and "False" not in text, name
        assert not r.alternatives.empty or np.isnan(r.ci_low) or r.kind in (
            "rate_ratio", "did_2x2"), name
        fig = r.plot()
        assert fig.axes, name
        plt.close(fig)
    # collections live in the result
    assert {"event_time", "irr", "ci_low", "ci_high"} <= set(results["event_study"].details)
    assert {"cohort", "year"} <= set(results["staggered_did"].details)
    assert {"unit", "rank"} <= set(results["placebo_in_space"].details)
    assert {"year", "fitted", "counterfactual"} <= set(
        results["interrupted_time_series"].details)
    assert {"area", "weight"} <= set(results["synthetic_control"].details)
    assert "slope" in results["interrupted_time_series"].components


def test_common_parameter_names(panel: pd.DataFrame,
                                results: dict[str, EvaluationResult]) -> None:
    import inspect

    for f in (ev.two_group_did, ev.panel_did, ev.event_study, ev.staggered_did,
              ev.pre_post_rate_ratio):
        params = inspect.signature(f).parameters
        for name in ("area", "year", "cases", "population", "treated", "start_year"):
            assert name in params, (f.__name__, name)
    for f in (ev.interrupted_time_series,):
        params = inspect.signature(f).parameters
        assert {"year", "cases", "population", "start_year"} <= set(params)
    # renamed columns work
    renamed = panel.rename(columns={"area": "Stadtraum", "cases": "Faelle"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = ev.panel_did(renamed, area="Stadtraum", cases="Faelle")
        b = results["panel_did"]  # ev.panel_did(panel)
        c = ev.panel_did(panel.drop(columns="start_year"), treated=["04", "10", "14"],
                         start_year=2020)
    assert a.irr == pytest.approx(b.irr) and c.irr == pytest.approx(b.irr)


def test_few_treated_clusters_default_is_honest(results: dict[str, EvaluationResult]) -> None:
    r = results["panel_did"]  # ev.panel_did(panel)
    alt = r.alternatives
    assert alt["default"].sum() == 1 and bool(alt["default"].iloc[0])
    assert {"cluster", "model"} <= set(alt["key"])
    assert r.n_treated_areas == 3 and r.n_areas == 17
    if r.inference_key == "cluster":  # bootstrap/randomization not installed
        assert not r.coverage_ok and "Modellgebiete" in r.coverage_note
    # the guardrail counts treated clusters, not all clusters
    with pytest.warns(ev.FewClustersWarning, match="3 von 17"):
        ev.check_clusters(3, 17)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ev.FewClustersWarning)
        assert not ev.check_clusters(12, 17)


def test_the_walk_covers_every_public_design(results: dict[str, EvaluationResult]) -> None:
    """A new public design returning the result type must be added to the walk above."""
    import inspect

    public = set()
    for name in ev.__all__:
        obj = getattr(ev, name)
        if inspect.isfunction(obj):
            ret = inspect.signature(obj).return_annotation
            if ret in (EvaluationResult, "EvaluationResult"):
                public.add(name)
    assert public == set(results), public ^ set(results)


def test_old_return_shapes_are_gone() -> None:
    for old in ("EffectEstimate", "ITSResult", "StaggeredResult"):
        assert not hasattr(ev, old)
    from sozialanalyse.evaluation import placebo, synth

    assert not hasattr(placebo, "PlaceboResult") and not hasattr(synth, "SynthResult")
