"""Calibration of the interrupted time series for short yearly series (simulated)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import sozialanalyse.evaluation as ev
from sozialanalyse.errors import InputDataError, MethodError
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


@pytest.mark.parametrize("inference", ["auto", "quasi_poisson", "hac", "model"])
def test_batch_equals_the_public_function_on_unsorted_series(inference: str) -> None:
    """The batched ITS gives the public function's numbers, also for rows out of order."""
    rng = np.random.default_rng(11)
    years = np.arange(2012, 2024)
    pop = rng.integers(40_000, 60_000, size=years.size).astype(float)
    series = pd.DataFrame({"year": years, "population": pop, "cases": 0}).iloc[::-1]
    counts = rng.poisson(0.01 * series["population"].to_numpy(), size=(6, years.size))
    batch = ev.its.interrupted_time_series_batch(series, counts, start_year=2018,
                                                 inference=inference)  # type: ignore[arg-type]
    assert batch.terms == ("effect", "slope")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, row in enumerate(counts):
            r = ev.interrupted_time_series(series.assign(cases=row), start_year=2018,
                                           inference=inference,  # type: ignore[arg-type]
                                           measure_coverage=False)
            for j, comp in enumerate((r, r.components["slope"])):
                np.testing.assert_allclose(
                    [batch.log_irr[i, j], batch.se_log[i, j], batch.ci_low[i, j],
                     batch.ci_high[i, j], batch.p_value[i, j]],
                    [comp.log_irr, comp.se_log, comp.ci_low, comp.ci_high, comp.p_value],
                    rtol=1e-8)


def test_batch_refuses_what_the_public_function_refuses() -> None:
    series = pd.DataFrame({"year": np.arange(2010, 2020), "population": 1e4, "cases": 0})
    good = np.full((2, 10), 50)
    zero_after = good.copy()
    zero_after[1, 5:] = 0
    with pytest.raises(MethodError):
        ev.its.interrupted_time_series_batch(series, zero_after, start_year=2015)
    negative = good.copy()
    negative[0, 3] = -1
    with pytest.raises(InputDataError):
        ev.its.interrupted_time_series_batch(series, negative, start_year=2015)
    with pytest.raises(ValueError):
        ev.its.interrupted_time_series_batch(series, good[:, :9], start_year=2015)
