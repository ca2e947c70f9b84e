"""Simulation (calibration) tests for the evaluation designs.

Each estimator is run on many panels simulated from a known incidence-rate
ratio (IRR). We check that

* it recovers the IRR: the mean estimate of log(IRR) is within 0.1 standard
  errors of the truth (Monte Carlo error of the mean is about 0.03 SE here);
* its 95 % interval covers the truth in 93-97 % of replications (with 1,000
  replications the Monte Carlo standard error of a coverage of 95 % is 0.7
  points, with 2,000 it is 0.5 points).

Counts are simulated vectorised with fixed seeds; the fits run in a loop.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.evaluation import (
    did_2x2_arrays,
    event_study,
    exact_rate_ratio_ci,
    interrupted_time_series,
    panel_did,
    staggered_did,
    two_group_did,
)

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
    est, lo, hi = run(template, counts, lambda p: two_group_did(p, family="poisson"))
    check(est, lo, hi, np.log(0.8))


@pytest.mark.slow
def test_two_group_did_negbin_calibration() -> None:
    rng = np.random.default_rng(104)
    starts = [2015.0] * 10 + [np.nan] * 10
    template, counts = simulate_panels(rng, 1000, starts, 8, lambda e, g: np.log(0.8) + 0 * e,
                                       nb_alpha=0.05)
    est, lo, hi = run(template, counts, lambda p: two_group_did(p, family="auto"))
    check(est, lo, hi, np.log(0.8))


@pytest.mark.slow
def test_panel_did_calibration_with_area_effects_and_overdispersion() -> None:
    rng = np.random.default_rng(105)
    starts = [2013.0] * 15 + [np.nan] * 25
    template, counts = simulate_panels(rng, 1000, starts, 6, lambda e, g: np.log(0.85) + 0 * e,
                                       area_sd=0.3, nb_alpha=0.05)
    est, lo, hi = run(template, counts, panel_did)
    check(est, lo, hi, np.log(0.85))


@pytest.mark.slow
def test_event_study_calibration_by_event_time() -> None:
    rng = np.random.default_rng(108)
    starts = [2013.0] * 15 + [np.nan] * 25
    template, counts = simulate_panels(rng, 1000, starts, 6, lambda e, g: -0.1 * (e + 1),
                                       area_sd=0.3, nb_alpha=0.05)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in counts:
            es = event_study(template.assign(cases=c)).details.set_index("event_time")
            rows.append(es.loc[[-3, 0, 2], ["log_irr", "ci_low", "ci_high"]].to_numpy())
    a = np.array(rows)
    for k, truth in enumerate((0.0, -0.1, -0.3)):
        check(a[:, k, 0], np.log(a[:, k, 1]), np.log(a[:, k, 2]), truth)


def _dynamic(e: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Effect that deepens with years since the start: log IRR -0.05 - 0.08 e."""
    return -0.05 - 0.08 * e


@pytest.mark.slow
def test_staggered_did_calibration_heterogeneous_effects() -> None:
    rng = np.random.default_rng(106)
    starts = [2012.0] * 10 + [2014.0] * 10 + [np.nan] * 20
    n_years = 6
    template, counts = simulate_panels(rng, 800, starts, n_years, _dynamic, area_sd=0.3,
                                       nb_alpha=0.03)
    # truth: mean log IRR over treated cohort-year cells weighted by treated areas
    cells = [(g, t) for g in (2012, 2014) for t in range(int(g), 2010 + n_years)]
    truth = float(np.mean([_dynamic(np.array(t - g), None) for g, t in cells]))
    est, lo, hi = run(template, counts, staggered_did)
    check(est, lo, hi, truth)


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
    base = pd.DataFrame({"time": t, "month": month, "population": 1e5})
    res = []
    for c in counts:
        r = interrupted_time_series(base.assign(cases=c), start_year=start, year="time",
                                    seasonal=True)
        sl = r.components["slope"]
        res.append((r.log_irr, np.log(r.ci_low), np.log(r.ci_high),
                    sl.log_irr, np.log(sl.ci_low), np.log(sl.ci_high)))
    a = np.array(res)
    check(a[:, 0], a[:, 1], a[:, 2], lvl)
    check(a[:, 3], a[:, 4], a[:, 5], slp)


# --- panel DiD with few model areas (evaluation.calibration; owner: evalinf) ---
#
# The book's planning setting: 1 or 3 model areas among 17 areas, 12 years,
# NB2 noise alpha in {0.01, 0.05}. 1,000 replications per setting, 199
# bootstrap draws (p-value (1 + hits) / 200). Coverage of the inverted
# intervals (bootstrap, randomization) is the share of replications in which
# the test of the true value does not reject.

COVERAGE_CSV = Path(__file__).resolve().parents[1] / "results" / "coverage_panel.csv"


@pytest.fixture(scope="module")
def panel_coverage() -> pd.DataFrame:
    from sozialanalyse.evaluation.calibration import coverage_records

    return coverage_records(1000, seed=7, draws=199).set_index(["method", "n_treated", "alpha"])


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_panel_randomization_inference_covers_with_three_model_areas(
    panel_coverage: pd.DataFrame, alpha: float
) -> None:
    row = panel_coverage.loc[("randomization", 3, alpha)]
    assert LOW <= row["coverage"] <= HIGH, row["coverage"]
    assert row["bounded"] == 1.0


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_panel_wild_bootstrap_holds_level_with_three_model_areas(
    panel_coverage: pd.DataFrame, alpha: float
) -> None:
    row = panel_coverage.loc[("wild_webb", 3, alpha)]
    # conservative with three treated clusters (measured 96-97 %), never liberal
    assert LOW <= row["coverage"] <= 0.985, row["coverage"]
    assert row["bounded"] >= 0.99


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_panel_cluster_robust_t_undercovers_with_few_model_areas(
    panel_coverage: pd.DataFrame, alpha: float
) -> None:
    assert panel_coverage.loc[("cluster_t", 3, alpha), "coverage"] < 0.92
    assert panel_coverage.loc[("cluster_t", 1, alpha), "coverage"] < 0.6


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_panel_one_model_area_gives_no_usable_design_based_interval(
    panel_coverage: pd.DataFrame, alpha: float
) -> None:
    assert panel_coverage.loc[("randomization", 1, alpha), "bounded"] == 0.0
    assert panel_coverage.loc[("wild_webb", 1, alpha), "bounded"] < 0.2
    assert panel_coverage.loc[("model", 1, alpha), "coverage"] >= 0.92


@pytest.mark.slow
def test_panel_coverage_agrees_with_committed_full_run(panel_coverage: pd.DataFrame) -> None:
    full = pd.read_csv(COVERAGE_CSV)
    full = full[full["rho"] == 0].set_index(["method", "n_treated", "alpha"])
    assert set(panel_coverage.index) <= set(full.index)
    for key, row in panel_coverage.iterrows():
        ref = full.loc[key]
        tol = 4 * np.hypot(row["mc_error"], ref["mc_error"]) + 0.004
        assert abs(row["coverage"] - ref["coverage"]) <= tol, (key, row["coverage"],
                                                               ref["coverage"])
        b_err = np.hypot(*(np.sqrt(x * (1 - x) / n) for x, n in (
            (row["bounded"], row["replications"]), (ref["bounded"], ref["replications"]))))
        assert abs(row["bounded"] - ref["bounded"]) <= 4 * b_err + 0.01, key


def test_measured_coverage_in_notes_matches_committed_full_run() -> None:
    from sozialanalyse.evaluation.bootstrap import MEASURED_COVERAGE

    full = pd.concat([pd.read_csv(COVERAGE_CSV),
                      pd.read_csv(COVERAGE_CSV.with_name("coverage_panel_more.csv"))])
    assert {(m, k) for m, k in zip(full["method"], full["n_treated"], strict=True)
            if m != "wild_score"} == set(MEASURED_COVERAGE)
    for (method, n_treated), values in MEASURED_COVERAGE.items():
        sub = full[(full["method"] == method) & (full["n_treated"] == n_treated)]
        expected = (sub["coverage"].min(), sub["coverage"].max(), sub["bounded"].min(),
                    sub["bounded"].max())
        np.testing.assert_allclose(values, expected, atol=1e-9, err_msg=str((method, n_treated)))


def test_coverage_table_labels_for_the_book() -> None:
    from sozialanalyse.evaluation.calibration import LABELS_DE, METHODS, coverage_table

    table = coverage_table(records=pd.read_csv(COVERAGE_CSV))
    assert list(table.columns) == ["Verfahren", "Modellgebiete", "Streuung α",
                                   "Autokorrelation ρ", "Replikationen", "Abdeckung",
                                   "MC-Fehler", "Endliches Intervall"]
    assert set(table["Verfahren"]) == {LABELS_DE[m] for m in METHODS}
    assert len(table) == len(METHODS) * 2 * 2 * 2


def test_book_coverage_rows_mark_the_default_and_the_target_band() -> None:
    from sozialanalyse.evaluation.calibration import LABELS_DE, book_coverage_rows

    full = pd.read_csv(COVERAGE_CSV)
    rows = book_coverage_rows(full, defaults={1: "randomization", 3: "bootstrap"})
    assert len(rows) == len(full)
    default = rows[rows["Standard"] == "ja"]
    assert set(default["Inferenz"]) == {LABELS_DE["randomization"], LABELS_DE["wild_webb"]}
    reached = rows["93–97 % erreicht"] == "ja"
    assert list(reached) == [0.93 <= c <= 0.97 for c in full["coverage"]]
    assert rows["Überdeckung"].str.endswith("%").all()
