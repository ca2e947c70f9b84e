"""Simulation (calibration) tests for the evaluation designs.

Each estimator is run on many panels simulated from a known incidence-rate
ratio (IRR). We check that

* it recovers the IRR: the mean estimate of log(IRR) is within 0.1 standard
  errors of the truth (Monte Carlo error of the mean is about 0.03 SE here);
* its 95 % interval covers the truth in 93-97 % of replications (with 1,000
  replications the Monte Carlo standard error of a coverage of 95 % is 0.7
  points, with 2,000 it is 0.5 points).

Counts are simulated vectorised with fixed seeds. All replications are fitted
at once by the design's batched path in the package (``*_batch``: the same
design matrix, kernel, covariance and critical value as the public function);
each test first checks on a few replications that the public function gives
the same estimate, interval and p-value (``calibration_sim.run``).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest
from calibration_sim import HIGH, LOW, check, log_columns, run, simulate_panels

from sozialanalyse.evaluation import (
    did_2x2_arrays,
    exact_rate_ratio_ci,
    interrupted_time_series,
    panel_did,
    staggered_did,
    two_group_did,
)
from sozialanalyse.evaluation.did import two_group_did_batch
from sozialanalyse.evaluation.its import interrupted_time_series_batch
from sozialanalyse.evaluation.panel_did import panel_did_batch
from sozialanalyse.evaluation.staggered import staggered_did_batch


def test_exact_rate_ratio_recovers_irr_and_covers() -> None:
    rng = np.random.default_rng(101)
    reps, truth = 2000, np.log(0.8)
    before = rng.poisson(250.0, reps)
    after = rng.poisson(250.0 * 1.1 * 0.8, reps)
    low, high = exact_rate_ratio_ci(after, 1.1, before, 1.0)
    est = np.log((after / 1.1) / before)
    assert abs(est.mean() - truth) < 0.1 * np.mean((np.log(high) - np.log(low)) / 3.92)
    cover = np.mean((low <= 0.8) & (0.8 <= high))
    assert LOW <= cover <= HIGH, cover


def test_did_2x2_recovers_irr_and_covers() -> None:
    rng = np.random.default_rng(102)
    reps, irr = 2000, 0.75
    t0, c0 = rng.poisson(150, reps), rng.poisson(400, reps)
    t1, c1 = rng.poisson(150 * 1.2 * irr, reps), rng.poisson(400 * 1.2, reps)
    log_irr, se = did_2x2_arrays(t0, t1, c0, c1)
    check(log_irr, log_irr - 1.96 * se, log_irr + 1.96 * se, np.log(irr))


def test_two_group_did_poisson_calibration() -> None:
    rng = np.random.default_rng(103)
    starts = [2015.0] * 4 + [np.nan] * 6
    template, counts = simulate_panels(rng, 1000, starts, 8, lambda e, g: np.log(0.8) + 0 * e)
    res = run(template, counts, partial(two_group_did_batch, family="poisson"),
              partial(two_group_did, family="poisson"))
    check(*log_columns(res), np.log(0.8))


@pytest.mark.slow
def test_two_group_did_negbin_calibration() -> None:
    rng = np.random.default_rng(104)
    starts = [2015.0] * 10 + [np.nan] * 10
    template, counts = simulate_panels(rng, 1000, starts, 8, lambda e, g: np.log(0.8) + 0 * e,
                                       nb_alpha=0.05)
    res = run(template, counts, partial(two_group_did_batch, family="auto"),
              partial(two_group_did, family="auto"))
    check(*log_columns(res), np.log(0.8))


@pytest.mark.slow
def test_panel_did_calibration_with_area_effects_and_overdispersion() -> None:
    rng = np.random.default_rng(105)
    starts = [2013.0] * 15 + [np.nan] * 25
    template, counts = simulate_panels(rng, 1000, starts, 6, lambda e, g: np.log(0.85) + 0 * e,
                                       area_sd=0.3, nb_alpha=0.05)
    check(*log_columns(run(template, counts, panel_did_batch, panel_did)), np.log(0.85))


def _dynamic(e: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Effect that deepens with years since the start: log IRR -0.05 - 0.08 e."""
    return -0.05 - 0.08 * e


@pytest.mark.slow
def test_staggered_did_calibration_heterogeneous_effects() -> None:
    rng = np.random.default_rng(106)
    starts = [2012.0] * 10 + [2014.0] * 10 + [np.nan] * 20
    n_years = 6
    template, counts = simulate_panels(rng, 1000, starts, n_years, _dynamic, area_sd=0.3,
                                       nb_alpha=0.03)
    # truth: mean log IRR over treated cohort-year cells weighted by treated areas
    cells = [(g, t) for g in (2012, 2014) for t in range(int(g), 2010 + n_years)]
    truth = float(np.mean([_dynamic(np.array(t - g), None) for g, t in cells]))
    check(*log_columns(run(template, counts, staggered_did_batch, staggered_did)), truth)


@pytest.mark.slow
def test_its_calibration_level_and_slope_monthly_with_seasonality() -> None:
    rng = np.random.default_rng(107)
    n, start, reps = 120, 60, 1000
    t = np.arange(n)
    month = t % 12 + 1
    lvl, slp = np.log(0.85), 0.004
    season = 0.15 * np.sin(2 * np.pi * month / 12)
    jump = (t >= start) * (lvl + slp * (t - start))
    mu = 1e5 * 1e-3 * np.exp(0.002 * (t - start) + season + jump)
    counts = rng.poisson(np.broadcast_to(mu, (reps, n)))
    base = pd.DataFrame({"time": t, "month": month, "population": 1e5, "cases": 0})
    opts = dict(start_year=start, year="time", seasonal=True)
    res = run(base, counts, partial(interrupted_time_series_batch, **opts),
              partial(interrupted_time_series, **opts))
    assert res.terms == ("effect", "slope")
    check(*log_columns(res, "effect"), lvl)
    check(*log_columns(res, "slope"), slp)
