"""Zero counts, separation and start years outside the data: errors or flagged finite results."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import sozialanalyse.evaluation as ev
from sozialanalyse.errors import InputDataError, MethodError


def _panel(zero_post: bool = False, zero_pre: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for i in range(8):
        for y in range(2014, 2022):
            treated = i < 2
            c = int(rng.poisson(30))
            if treated and ((zero_post and y >= 2018) or (zero_pre and y < 2018)):
                c = 0
            rows.append({"area": f"A{i}", "year": y, "cases": c, "population": 1000.0,
                         "start_year": 2018.0 if treated else np.nan})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("design", [ev.panel_did, ev.two_group_did, ev.event_study,
                                    ev.staggered_did])
@pytest.mark.parametrize("which", ["post", "pre"])
def test_all_zero_counts_in_model_areas_raise(design, which: str) -> None:
    p = _panel(zero_post=which == "post", zero_pre=which == "pre")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(MethodError, match="kein einziger Fall"):
            design(p)


def test_did_2x2_with_empty_cell_raises() -> None:
    with pytest.raises(MethodError, match="mindestens einen Fall"):
        ev.did_2x2(10, 0, 40, 38)


def test_exact_rate_ratio_with_no_case_after_is_finite_and_flagged() -> None:
    with pytest.warns(ev.ZeroCountWarning):
        r = ev.exact_rate_ratio(0, 1000.0, 25, 1000.0)
    assert r.irr == 0 and r.ci_low == 0
    assert np.isfinite(r.ci_high) and r.ci_high > 0  # never [0; 0]
    assert "ZeroCountWarning" in r.warning_categories
    assert r.abs_change_per_1000 == pytest.approx(-25.0)


@pytest.mark.parametrize("start", [2030, 2014, 2010])
def test_start_year_outside_or_without_pre_period_is_an_error(start: int) -> None:
    p = _panel().drop(columns="start_year")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in (ev.two_group_did, ev.panel_did, ev.event_study, ev.staggered_did):
            with pytest.raises(InputDataError, match="Startjahr"):
                f(p, treated=["A0", "A1"], start_year=start)
        with pytest.raises(InputDataError, match="Startjahr"):
            ev.pre_post_rate_ratio(p, treated="A0", start_year=start)
        with pytest.raises(InputDataError, match="Startjahr"):
            ev.synthetic_control(p, ["A0"], start)
        with pytest.raises(InputDataError, match="Startjahr"):
            ev.placebo_in_space(p, ["A0"], start)
        with pytest.raises(InputDataError, match="Startjahr"):
            ev.placebo_in_time(p, ["A0"], start)
        series = p.groupby("year", as_index=False)[["cases", "population"]].sum()
        with pytest.raises(InputDataError, match="Startjahr"):
            ev.interrupted_time_series(series, start_year=start)


def test_its_refuses_too_short_pre_period() -> None:
    s = pd.DataFrame({"year": range(2018, 2024), "cases": [50, 52, 55, 40, 41, 43]})
    with pytest.raises(MethodError, match="mindestens 3 Zeitpunkte"):
        ev.interrupted_time_series(s, start_year=2020)
