"""Tests of the generative model and the simulated Dresden panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialanalyse.data import load
from sozialanalyse.errors import InputDataError
from sozialanalyse.evaluation.simulate import (
    CoupledDraws,
    draw_counts,
    expected_counts,
    poisson_quantile,
    simulate_panel,
)
from sozialanalyse.evaluation.simulate_dresden import (
    BURDEN_INDICATORS,
    BURDEN_YEAR,
    DRESDEN_MODEL_AREAS,
    GORBITZ,
    LEVEL_YEAR,
    annual_trend,
    calibration_frame,
    calibration_value,
    dresden_area_rates,
    dresden_burden_score,
    dresden_panel,
    dresden_young_population,
)

PROHLIS, LOSCHWITZ = "11", "07"
PUBLISHED_TOTAL = 9232  # WEB_DD_STAT_KJH: young people with HzE in Dresden, 2023


@pytest.mark.parametrize("alpha", [0.0, 0.05, 0.3])
def test_gamma_poisson_moments(alpha: float) -> None:
    """Counts have mean mu and variance mu + alpha mu^2 (negative binomial NB2)."""
    rng = np.random.default_rng(1)
    mu = 40.0
    y = draw_counts(np.full(200_000, mu), alpha, rng)
    var = mu + alpha * mu**2
    assert y.mean() == pytest.approx(mu, abs=4 * np.sqrt(var / y.size))
    assert y.var() == pytest.approx(var, rel=0.03)


def test_draw_counts_rejects_bad_input() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        draw_counts(np.array([1.0, -1.0]), 0.0, rng)
    with pytest.raises(ValueError):
        draw_counts(np.array([1.0]), -0.1, rng)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), lo=st.floats(0.5, 100), factor=st.floats(1.0, 3.0))
def test_coupled_draws_are_monotone_in_the_mean(seed: int, lo: float, factor: float) -> None:
    draws = CoupledDraws.draw((50,), 0.05, np.random.default_rng(seed))
    assert np.all(draws.counts(np.full(50, lo * factor)) >= draws.counts(np.full(50, lo)))


@pytest.mark.parametrize("low,high", [(0.0, 1.0), (1.0, 30.0), (30.0, 2000.0)])
def test_poisson_quantile_equals_scipy(low: float, high: float) -> None:
    from scipy import stats

    rng = np.random.default_rng(int(high))
    u = rng.random(20_000)
    lam = rng.uniform(low, high, 20_000)
    u[:3] = [1e-12, 0.5, 1 - 1e-12]
    np.testing.assert_array_equal(poisson_quantile(u, lam), stats.poisson.ppf(u, lam))


def _population() -> tuple[pd.DataFrame, pd.Series]:
    areas = ["a", "b", "c", "d"]
    pop = pd.DataFrame(
        [{"area": a, "year": y, "population": 1000 * (i + 1)} for i, a in enumerate(areas)
         for y in range(2010, 2016)]
    )
    return pop, pd.Series([20.0, 30.0, 40.0, 50.0], index=areas)


def test_simulate_panel_structure_labels_and_seed() -> None:
    pop, rates = _population()
    a = simulate_panel(pop, rates, treated=["b"], start_year=2013, irr=0.7, seed=3)
    b = simulate_panel(pop, rates, treated=["b"], start_year=2013, irr=0.7, seed=3)
    c = simulate_panel(pop, rates, treated=["b"], start_year=2013, irr=0.7, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["cases"].equals(c["cases"])
    assert a.attrs["label"] == "simuliert"
    assert a["simulated"].all()
    assert a.loc[a["treat"], "area"].unique().tolist() == ["b"]
    assert a.loc[a["treat"], "year"].min() == 2013
    # the treatment multiplies the expected counts by the IRR
    exp_b = a[a["area"] == "b"].set_index("year")["expected"]
    assert exp_b[2013] / exp_b[2012] == pytest.approx(0.7)
    assert a.loc[a["area"] == "b", "start_year"].eq(2013).all()
    assert a.loc[a["area"] != "b", "start_year"].isna().all()


def test_simulated_effect_is_recovered_on_average() -> None:
    """Pre/post ratio of treated vs control rates averages the true IRR."""
    pop, rates = _population()
    pop = pop.assign(population=pop["population"] * 50)
    ratios = []
    for seed in range(30):
        p = simulate_panel(pop, rates, treated=["b"], start_year=2013, irr=0.8,
                           dispersion=0.01, seed=seed)
        s = p.groupby(["treated", "post"])[["cases", "population"]].sum()
        r = s["cases"] / s["population"]
        ratios.append((r[True, True] / r[True, False]) / (r[False, True] / r[False, False]))
    assert np.mean(ratios) == pytest.approx(0.8, abs=0.01)


def test_simulate_panel_input_errors() -> None:
    pop, rates = _population()
    with pytest.raises(InputDataError):
        simulate_panel(pop.iloc[1:], rates, treated=["a"], start_year=2012, seed=1)
    with pytest.raises(InputDataError):
        simulate_panel(pop.assign(population=0), rates, treated=["a"], start_year=2012, seed=1)
    with pytest.raises(InputDataError):
        simulate_panel(pop, rates, treated=["x"], start_year=2012, seed=1)
    with pytest.raises(InputDataError):
        simulate_panel(pop, rates, treated=["a"], start_year=2010, seed=1)
    with pytest.raises(InputDataError):
        simulate_panel(pop.drop(columns="population"), rates, treated=["a"], start_year=2012,
                       seed=1)
    with pytest.raises(InputDataError):
        simulate_panel(pop, rates.drop("d"), treated=["a"], start_year=2012, seed=1)


# --- the Dresden calibration ----------------------------------------------------------


def test_calibration_numbers_come_from_published_sources() -> None:
    cal = calibration_frame()
    sources = set(load("sources")["source_id"])
    published = cal[cal["source_id"] != "assumption"]
    assert set(published["source_id"]) <= sources
    assert calibration_value("city_rate") == 30
    assert calibration_value("gorbitz_rate") == 75
    assert calibration_value("city_hze_persons_2023") == PUBLISHED_TOTAL
    row = cal.set_index("name").loc["city_hze_persons_2023"]
    assert row["source_id"] == "WEB_DD_STAT_KJH"
    trend = annual_trend()
    assert trend == pytest.approx(np.log(63210 / 56756) / 7)


def test_dresden_young_population_uses_register_counts() -> None:
    pop = dresden_young_population()
    assert pop["area"].nunique() == 17
    assert sorted(pop["year"].unique()) == list(range(2014, 2026))
    yp = load("dresden_young_population")
    reg = yp[(yp["area_level"] == "stadtraum") & (yp["age_group"] == "0-17")]
    merged = pop.merge(reg, left_on=["area", "year"], right_on=["area_code", "year"])
    assert (merged["basis"] == "register").all()
    np.testing.assert_allclose(merged["population_0_17"], merged["population_y"])
    # 2025: the 0-20 count is reproduced exactly by the scaling
    a20 = yp[(yp["area_level"] == "stadtraum") & (yp["age_group"] == "0-20")]
    p25 = pop[pop["year"] == 2025].merge(a20, left_on="area", right_on="area_code")
    np.testing.assert_allclose(p25["population_x"], p25["population_y"], atol=0.5)


def test_gorbitz_population_check_against_published_count() -> None:
    """The scaled 0-20 count of Gorbitz 2018 is within 2 % of the published 4,237."""
    pop = dresden_young_population()
    ours = pop[(pop["area"] == GORBITZ) & (pop["year"] == 2018)]["population"].iloc[0]
    published = calibration_value("gorbitz_young_2018")
    assert abs(ours / published - 1) < 0.02


def test_burden_score_is_computed_from_the_real_indicators() -> None:
    """Independent recomputation from the derived open-data table."""
    sr = load("dresden_stadtraum_indicators")
    sr = sr[(sr["area_level"] == "stadtraum") & (sr["year"] == BURDEN_YEAR)]
    wide = sr.pivot(index="area_code", columns="indicator", values="value")[
        list(BURDEN_INDICATORS)]
    z = (wide - wide.mean()) / wide.std()
    score = dresden_burden_score()
    np.testing.assert_allclose(score["burden_score"].to_numpy(), z.mean(axis=1).to_numpy())
    assert list(score.index) == [f"{i:02d}" for i in range(1, 18)]
    assert "OD_KBU_EINKOMMEN" in score.attrs["source_id"]


def test_dresden_area_rates_hit_published_ratio_and_city_total() -> None:
    rates = dresden_area_rates()  # rates in BURDEN_YEAR (2018)
    pop = dresden_young_population()
    p18 = pop[pop["year"] == BURDEN_YEAR].set_index("area")["population"]
    city18 = float((rates * p18).sum() / p18.sum())
    # Gorbitz / city = 75 / 30 (PR_ASD_GORBITZ_2018)
    assert rates[GORBITZ] / city18 == pytest.approx(75 / 30, rel=1e-10)
    # expected city total 2023 = 9,232 (WEB_DD_STAT_KJH), exact without year shocks
    r23 = dresden_area_rates(LEVEL_YEAR)
    p23 = pop[pop["year"] == LEVEL_YEAR].set_index("area")["population"]
    assert float((r23 * p23).sum() / 1000) == pytest.approx(PUBLISHED_TOTAL, rel=1e-10)
    # the base year only moves the level along the Saxon trend
    np.testing.assert_allclose(r23 / rates, np.exp(annual_trend() * (LEVEL_YEAR - BURDEN_YEAR)))
    assert rates.attrs["label"] == "simuliert"


def test_rates_follow_the_burden_indicator() -> None:
    """Rank order of the simulated rates = rank order of the real burden score."""
    score = dresden_burden_score()["burden_score"]
    rates = dresden_area_rates()
    assert list(rates.sort_values().index) == list(score.sort_values().index)
    assert np.all(np.diff(np.log(rates[score.sort_values().index].to_numpy())) > 0)
    # affluent Loschwitz gets fewer expected cases than burdened Prohlis, every year
    pop = dresden_young_population().pivot(index="area", columns="year", values="population")
    expected = pop.mul(dresden_area_rates(2014), axis=0) / 1000 * np.exp(
        annual_trend() * (pop.columns.to_numpy() - 2014))
    assert (expected.loc[LOSCHWITZ] < 0.5 * expected.loc[PROHLIS]).all()
    # the rates do not depend on a seed: no rate is drawn at random
    assert dresden_panel(seed=1)["rate_true"].equals(dresden_panel(seed=2)["rate_true"])


def test_simulated_city_total_matches_the_published_count() -> None:
    """Mean simulated 2023 total = 9,232 (Monte Carlo, 4,000 panels, vectorised)."""
    pop = dresden_young_population((LEVEL_YEAR,))
    rates = dresden_area_rates(LEVEL_YEAR).reindex(pop["area"])
    sd, alpha = calibration_value("year_sd"), calibration_value("dispersion")
    rng = np.random.default_rng(11)
    n_sims = 4000
    g = sd * rng.standard_normal((n_sims, 1))
    mu = expected_counts(pop["population"].to_numpy()[:, None], rates.to_numpy(), g,
                         np.zeros((17, 1), dtype=bool), 1.0)
    totals = draw_counts(mu, alpha, rng).sum(axis=(1, 2))
    target = PUBLISHED_TOTAL * np.exp(sd**2 / 2)  # mean of the lognormal year shock
    assert abs(totals.mean() - target) < 3 * totals.std() / np.sqrt(n_sims)
    # the stated tolerance for one panel: 3 standard deviations of the model, about 12 %
    tol = 3 * totals.std() / PUBLISHED_TOTAL
    assert 0.09 < tol < 0.15
    panel = dresden_panel()
    one = panel.loc[panel["year"] == LEVEL_YEAR, "cases"].sum()
    assert abs(one / PUBLISHED_TOTAL - 1) < tol


def test_dresden_panel_is_labelled_and_deterministic() -> None:
    a = dresden_panel(seed=5)
    b = dresden_panel(seed=5)
    c = dresden_panel(seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a["cases"].equals(c["cases"])
    assert a.attrs["label"] == "simuliert"
    assert a["simulated"].all()
    assert len(a) == 17 * 12
    assert sorted(a.loc[a["treated"], "area"].unique()) == list(DRESDEN_MODEL_AREAS)
    wide = a.pivot(index="area", columns="year", values="cases")
    assert (wide.loc[LOSCHWITZ] < wide.loc[PROHLIS]).all()


def test_dresden_names_still_served_by_the_simulate_module() -> None:
    """Backwards compatibility: the Dresden names moved to simulate_dresden."""
    from sozialanalyse.evaluation import simulate, simulate_dresden
    from sozialanalyse.evaluation.simulate import dresden_panel as old_name

    assert old_name is simulate_dresden.dresden_panel
    assert simulate.GORBITZ == "16"
    with pytest.raises(AttributeError):
        simulate.no_such_name  # noqa: B018
