"""Calibration of the interrupted time series for short yearly series (simulated)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import sozialanalyse.evaluation as ev
from sozialanalyse.evaluation.its import COVERAGE_FLOOR, its_coverage_table


def test_default_its_interval_covers_or_says_so() -> None:
    tab = its_coverage_table()
    assert (tab["reps"] >= 1000).all()
    assert set(zip(tab["n_pre"], tab["n_post"], strict=True)) == {(3, 4), (6, 6)}
    assert set(tab["rho"]) == {0.0, 0.5}
    default = tab[tab["default"]]
    assert len(default) == 4
    # independent errors: the default reaches 93-97 % in both settings
    indep = default[default["rho"] == 0.0]
    assert indep["coverage_level"].between(0.93, 0.97).all(), indep
    # the old rule (Newey-West with 0 lags) undercovers at T = 7
    hac7 = tab[(tab["method"] == "hac") & (tab["periods"] == 7)]
    assert (hac7["coverage_level"] < 0.93).all()
    # AR(1) settings: either nominal or the result object reports the measured number
    rng = np.random.default_rng(3)
    for _, row in default[default["rho"] == 0.5].iterrows():
        n = int(row["periods"])
        t = np.arange(2010, 2010 + n)
        start = 2010 + int(row["n_pre"])
        mu = 1000 * np.exp(0.03 * (t - start) + (t >= start) * np.log(0.9))
        s = pd.DataFrame({"year": t, "cases": rng.poisson(mu)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = ev.interrupted_time_series(s, start_year=start)
        assert "Simulationen" in r.coverage_note
        assert r.coverage_ok == (min(r.coverage_measured.values()) >= COVERAGE_FLOOR)
        if not row["reaches_nominal"] and row["coverage_level"] < COVERAGE_FLOOR:
            assert r.coverage_note  # measured coverage shown instead of a confident interval


def test_p_value_and_interval_from_the_same_distribution() -> None:
    rng = np.random.default_rng(4)
    t = np.arange(2016, 2023)
    for _ in range(20):
        s = pd.DataFrame({"year": t, "cases": rng.poisson(800 * np.exp(0.02 * (t - 2019))),
                          "population": 1e5})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = ev.interrupted_time_series(s, start_year=2019, measure_coverage=False)
        excludes = r.ci_high < 1 or r.ci_low > 1
        assert excludes == (r.p_value < 0.05)
        for _, a in r.alternatives.iterrows():
            assert (a["ci_high"] < 1 or a["ci_low"] > 1) == (a["p_value"] < 0.05)
