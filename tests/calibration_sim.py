"""Simulation helpers shared by the calibration tests (see test_eval_calibration*.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

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


def run(
    template: pd.DataFrame, counts: np.ndarray, fit
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    est, lo, hi = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in counts:
            r = fit(template.assign(cases=c))
            est.append(r.log_irr)
            lo.append(np.log(r.ci_low))
            hi.append(np.log(r.ci_high))
    return np.array(est), np.array(lo), np.array(hi)


def check(est: np.ndarray, lo: np.ndarray, hi: np.ndarray, truth: float) -> None:
    se = (hi - lo) / (2 * 1.96)
    bias = np.mean(est) - truth
    assert abs(bias) < 0.1 * np.mean(se), (bias, np.mean(se))
    cover = np.mean((lo <= truth) & (truth <= hi))
    assert LOW <= cover <= HIGH, cover
