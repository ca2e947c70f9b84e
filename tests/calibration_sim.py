"""Simulation helpers shared by the calibration tests (see test_eval_calibration*.py)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sozialanalyse.evaluation.panel_did import BatchEstimates

LOW, HIGH = 0.93, 0.97


def simulate_panels(
    rng: np.random.Generator,
    reps: int,
    starts: list[float],
    n_years: int,
    log_effect,
    *,
    base_rate: float = 0.02,
    pop: float = 2000.0,
    area_sd: float = 0.0,
    nb_alpha: float = 0.0,
    trend: float = 0.03,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Template panel and a (reps, rows) array of simulated counts.

    ``log_effect(event_time, cohort)`` gives the true log IRR of a treated cell.
    Area effects are drawn per replication (normal, sd ``area_sd``); with
    ``nb_alpha > 0`` counts are gamma-Poisson (NB2) mixtures.
    """
    n_areas = len(starts)
    years = np.arange(2010, 2010 + n_years)
    area = np.repeat(np.arange(n_areas), n_years)
    year = np.tile(years, n_areas)
    start = np.repeat(np.asarray(starts, dtype=float), n_years)
    treated_cell = ~np.isnan(start) & (year >= start)
    eff = np.zeros(area.size)
    eff[treated_cell] = log_effect(year[treated_cell] - start[treated_cell], start[treated_cell])
    a_eff = rng.normal(0.0, area_sd, size=(reps, n_areas))[:, area] if area_sd > 0 else 0.0
    mu = pop * base_rate * np.exp(trend * (year - years[0]) + eff + a_eff)
    mu = np.broadcast_to(mu, (reps, area.size))
    if nb_alpha > 0:
        mu = rng.gamma(1.0 / nb_alpha, mu * nb_alpha)
    counts = rng.poisson(mu)
    template = pd.DataFrame({
        "area": [f"A{i:02d}" for i in area], "year": year, "cases": 0,
        "population": pop, "start_year": start,
    })
    return template, counts


def _public_values(result: Any, term: Any) -> list[float]:
    """Estimate, interval and p-value of ``term`` in a public design's result."""
    if term == "effect":
        return [result.log_irr, result.ci_low, result.ci_high, result.p_value]
    if term in result.components:  # e.g. the slope change of an interrupted time series
        c = result.components[term]
        return [c.log_irr, c.ci_low, c.ci_high, c.p_value]
    row = result.details.set_index("event_time").loc[term]
    return [float(row[k]) for k in ("log_irr", "ci_low", "ci_high", "p_value")]


def run(
    template: pd.DataFrame,
    counts: np.ndarray,
    batch: Callable[..., BatchEstimates],
    public: Callable[[pd.DataFrame], Any],
    *,
    n_compare: int = 4,
) -> BatchEstimates:
    """All replications through the design's batched path in the package.

    ``batch(template, counts)`` fits every replication at once; on the first
    ``n_compare`` replications the public function ``public(panel)`` is run
    as well and must give the same estimate, interval and p-value for every
    term (to a relative 1e-8), so the calibration is one of what the public
    function computes. No replication may need the batch's one-by-one
    fallback (the simulated panels keep the design).
    """
    res = batch(template, counts)
    assert not res.fallback.any(), "a simulated panel changed the design"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(n_compare):
            r = public(template.assign(cases=counts[i]))
            for j, term in enumerate(res.terms):
                got = [res.log_irr[i, j], res.ci_low[i, j], res.ci_high[i, j],
                       res.p_value[i, j]]
                np.testing.assert_allclose(got, _public_values(r, term), rtol=1e-8,
                                           atol=1e-12, err_msg=f"replication {i}, {term}")
    return res


def log_columns(res: BatchEstimates, term: Any = "effect") -> tuple[np.ndarray, ...]:
    """Log estimate, log lower and log upper limit of ``term`` over replications."""
    j = res.column(term)
    return res.log_irr[:, j], np.log(res.ci_low[:, j]), np.log(res.ci_high[:, j])


def check(est: np.ndarray, lo: np.ndarray, hi: np.ndarray, truth: float) -> None:
    se = (hi - lo) / (2 * 1.96)
    bias = np.mean(est) - truth
    assert abs(bias) < 0.1 * np.mean(se), (bias, np.mean(se))
    cover = np.mean((lo <= truth) & (truth <= hi))
    assert LOW <= cover <= HIGH, cover
