"""Tests of the concentrated Poisson DiD kernels, power and minimum detectable effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialanalyse.evaluation.poisson import fit_poisson_fe
from sozialanalyse.evaluation.power import (
    PowerDesign,
    fit_poisson_twfe,
    minimum_detectable_effect,
    placebo_power,
    placebo_power_curve,
    power,
    power_curve,
    simulate_counts,
)


def _statsmodels_fit(y: np.ndarray, n: np.ndarray, d: np.ndarray):
    """Independent reference: GLM Poisson with area and year dummies and offset."""
    a, t = y.shape
    df = pd.DataFrame(
        {
            "area": np.repeat(np.arange(a), t).astype(str),
            "year": np.tile(np.arange(t), a).astype(str),
        }
    )
    x = pd.get_dummies(df, drop_first=True, dtype=float)
    x.insert(0, "const", 1.0)
    x["d"] = d.ravel().astype(float)
    model = sm.GLM(y.ravel(), x, family=sm.families.Poisson(), offset=np.log(n.ravel()))
    return model, model.fit(), model.fit(scale="X2"), x.to_numpy()


def _random_panel(seed: int, staggered: bool = False):
    rng = np.random.default_rng(seed)
    a, t = 9, 7
    n = rng.integers(500, 5000, size=(a, t)).astype(float)
    d = np.zeros((a, t), dtype=bool)
    if staggered:
        d[0, 3:] = d[1, 5:] = d[2, 2:] = True
    else:
        d[:2, 4:] = True
    mu = n / 1000 * rng.uniform(10, 60, size=(a, 1)) * np.exp(0.8 * d * -0.2)
    y = rng.poisson(mu * rng.gamma(20, 1 / 20, size=mu.shape))
    return y, n, d


@pytest.mark.parametrize("seed,staggered", [(1, False), (2, False), (3, True), (4, True)])
def test_vectorised_estimator_equals_statsmodels(seed: int, staggered: bool) -> None:
    y, n, d = _random_panel(seed, staggered)
    _, r_model, r_x2, _ = _statsmodels_fit(y, n, d)
    f_model = fit_poisson_twfe(y, n, d, scale="model")
    f_x2 = fit_poisson_twfe(y, n, d, scale="pearson")
    assert f_model.converged.all()
    np.testing.assert_allclose(f_model.beta[0], r_model.params["d"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(f_model.se[0], r_model.bse["d"], rtol=1e-6)
    np.testing.assert_allclose(f_x2.se[0], r_x2.bse["d"], rtol=1e-6)
    np.testing.assert_allclose(f_x2.scale[0], r_x2.scale, rtol=1e-6)


@pytest.mark.parametrize("seed,staggered", [(1, False), (3, True)])
def test_single_panel_kernel_equals_statsmodels(seed: int, staggered: bool) -> None:
    y, n, d = _random_panel(seed, staggered)
    _, res, _, x = _statsmodels_fit(y, n, d)
    fit = fit_poisson_fe(y, n, d)
    assert fit.converged
    np.testing.assert_allclose(fit.beta, res.params["d"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(fit.se_model, res.bse["d"], rtol=1e-6)
    np.testing.assert_allclose(fit.mu.ravel(), res.fittedvalues, rtol=1e-6)
    # effects: area a_i and year g_t reproduce the linear predictor
    eta = fit.area_effects[:, None] + fit.year_effects[None, :] + fit.beta * d + np.log(n)
    np.testing.assert_allclose(np.exp(eta), fit.mu, rtol=1e-9)
    # d_tilde is the mu-weighted residual of D: orthogonal to the area and year dummies
    w = fit.mu * fit.d_tilde
    np.testing.assert_allclose(w.sum(axis=1), 0, atol=1e-8 * fit.mu.sum())
    np.testing.assert_allclose(w.sum(axis=0), 0, atol=1e-8 * fit.mu.sum())
    assert fit.info == pytest.approx(float((fit.mu * fit.d_tilde**2).sum()), rel=1e-10)


def test_restricted_fit_equals_statsmodels_with_fixed_effect() -> None:
    """beta_fixed: only the effects are fitted, as a GLM with beta * D in the offset."""
    y, n, d = _random_panel(2)
    _, _, _, x = _statsmodels_fit(y, n, d)
    b0 = -0.1
    res = sm.GLM(y.ravel(), x[:, :-1], family=sm.families.Poisson(),
                 offset=np.log(n.ravel()) + b0 * d.ravel()).fit()
    single = fit_poisson_fe(y, n, d, beta_fixed=b0)
    batch = fit_poisson_twfe(np.stack([y, y]), n, d, beta_fixed=[b0, b0], scale="model")
    np.testing.assert_allclose(single.mu.ravel(), res.fittedvalues, rtol=1e-8)
    assert single.beta == b0 and np.all(batch.beta == b0)
    np.testing.assert_allclose(batch.se_model, single.se_model, rtol=1e-10)


def test_per_panel_exposure_path_equals_shared_path() -> None:
    panels = [_random_panel(s) for s in range(20, 24)]
    y = np.stack([p[0] for p in panels])
    n, d = panels[0][1], panels[0][2]
    shared = fit_poisson_twfe(y, n, d, scale="nb2")
    stacked = fit_poisson_twfe(y, np.broadcast_to(n, y.shape).copy(), d, scale="nb2")
    np.testing.assert_allclose(stacked.beta, shared.beta, rtol=1e-10)
    np.testing.assert_allclose(stacked.se, shared.se, rtol=1e-10)
    np.testing.assert_allclose(stacked.year_effects, shared.year_effects, rtol=1e-10)


def test_area_without_cases_is_handled() -> None:
    """An untreated area with no cases at all drops out, as in the dummy regression."""
    y, n, d = _random_panel(4)
    y[5] = 0
    fit = fit_poisson_twfe(y, n, d, scale="model")
    keep = np.arange(y.shape[0]) != 5
    ref = fit_poisson_twfe(y[keep], n[keep], d[keep], scale="model")
    np.testing.assert_allclose(fit.beta, ref.beta, rtol=1e-8)
    np.testing.assert_allclose(fit.se_model, ref.se_model, rtol=1e-8)
    assert fit.converged.all()


def test_batch_equals_single_fits() -> None:
    panels = [_random_panel(s) for s in range(5, 10)]
    y = np.stack([p[0] for p in panels])
    n, d = panels[0][1], panels[0][2]
    batch = fit_poisson_twfe(y, n, d, scale="nb2")
    for i in range(len(panels)):
        single = fit_poisson_twfe(y[i], n, d, scale="nb2")
        np.testing.assert_allclose(batch.beta[i], single.beta[0], rtol=1e-10)
        np.testing.assert_allclose(batch.se[i], single.se[0], rtol=1e-10)


def test_nb2_sandwich_equals_full_design_computation() -> None:
    """The profiled NB2 sandwich equals A^-1 B A^-1 built from the full dummy design."""
    y, n, d = _random_panel(11)
    _, res, _, x = _statsmodels_fit(y, n, d)
    fit = fit_poisson_twfe(y, n, d, scale="nb2")
    mu = res.fittedvalues.to_numpy()
    alpha = fit.dispersion[0]
    # the moment equation that defines alpha
    lhs = np.sum((y.ravel() - mu) ** 2 / (mu * (1 + alpha * mu)))
    np.testing.assert_allclose(lhs, fit.df_resid, rtol=1e-6)
    bread = np.linalg.inv(x.T @ (mu[:, None] * x))
    meat = x.T @ ((mu * (1 + alpha * mu))[:, None] * x)
    cov = bread @ meat @ bread
    np.testing.assert_allclose(fit.se[0], np.sqrt(cov[-1, -1]), rtol=1e-6)


def test_two_by_two_is_ratio_of_rate_ratios() -> None:
    """Closed form: with two areas and two years beta = log of the ratio of rate ratios."""
    y = np.array([[120.0, 90.0], [200.0, 210.0]])
    n = np.array([[4000.0, 4100.0], [6000.0, 5900.0]])
    d = np.array([[False, True], [False, False]])
    fit = fit_poisson_twfe(y, n, d, scale="model")
    rr_t = (90 / 4100) / (120 / 4000)
    rr_c = (210 / 5900) / (200 / 6000)
    np.testing.assert_allclose(fit.beta[0], np.log(rr_t / rr_c), rtol=1e-10)
    np.testing.assert_allclose(
        fit.se_model[0], np.sqrt(1 / 120 + 1 / 90 + 1 / 200 + 1 / 210), rtol=1e-8
    )


@settings(max_examples=25, deadline=None)
@given(c=st.floats(0.1, 10.0), seed=st.integers(0, 10_000))
def test_offset_scaling_property(c: float, seed: int) -> None:
    """Scaling all populations leaves beta unchanged; scaling treated cells shifts it by log c."""
    y, n, d = _random_panel(seed)
    base = fit_poisson_twfe(y, n, d, scale="model").beta[0]
    all_scaled = fit_poisson_twfe(y, n * c, d, scale="model").beta[0]
    treated_scaled = fit_poisson_twfe(y, np.where(d, n * c, n), d, scale="model").beta[0]
    assert all_scaled == pytest.approx(base, abs=1e-8)
    assert treated_scaled == pytest.approx(base - np.log(c), abs=1e-8)


def _design(dispersion: float = 0.02, factor: float = 1.0) -> PowerDesign:
    pop = np.array([5200, 3100, 4400, 6100, 2900, 5600, 3900, 4800, 3300, 5100,
                    4500, 2700, 6300, 3600, 4100, 3000, 5400], dtype=float)
    return PowerDesign(
        population=pop * factor,
        baseline_rate=30.0,
        n_pre=6,
        n_post=6,
        treated=(3, 9, 13),
        dispersion=dispersion,
        trend=0.015,
        year_sd=0.03,
    )


def test_power_is_alpha_without_effect() -> None:
    res = power(_design(), 1.0, n_sims=3000, seed=7)
    assert abs(res.power - 0.05) < 3 * np.sqrt(0.05 * 0.95 / 3000) + 0.005


def test_wald_coverage_of_vectorised_estimator() -> None:
    """The 95 % interval (NB2 sandwich, t quantiles) covers the true IRR 93-97 % of the time."""
    for irr, disp in [(0.85, 0.03), (1.1, 0.0)]:
        res = power(_design(dispersion=disp), irr, n_sims=3000, seed=21)
        assert 0.93 <= res.coverage <= 0.97
        # unbiased on the log scale: small relative to the spread of estimates
        assert abs(np.log(res.mean_estimate) - np.log(irr)) < 0.01


def test_power_increases_with_effect_size_and_population() -> None:
    curve = power_curve(_design(), [1.0, 0.95, 0.9, 0.85, 0.8], n_sims=800, seed=3)
    assert curve.attrs["label"] == "simuliert"
    assert np.all(np.diff(curve["power"].to_numpy()) >= 0)
    assert curve["power"].iloc[-1] > 0.8 > curve["power"].iloc[1]
    small = power(_design(factor=0.5), 0.9, n_sims=800, seed=3).power
    large = power(_design(factor=4.0), 0.9, n_sims=800, seed=3).power
    assert small < curve["power"].iloc[2] < large


def test_mde_monotone_in_population() -> None:
    mdes = [
        minimum_detectable_effect(_design(factor=f), n_sims=400, seed=5, tol=5e-3)
        for f in (0.5, 1.0, 4.0)
    ]
    assert all(0 < m < 1 for m in mdes)
    assert mdes[0] < mdes[1] < mdes[2]
    up = minimum_detectable_effect(_design(), n_sims=400, seed=5, direction="increase",
                                   tol=5e-3)
    assert up > 1


def test_mde_achieves_target_power() -> None:
    des = _design()
    mde = minimum_detectable_effect(des, n_sims=600, seed=9, tol=1e-3)
    assert power(des, mde, n_sims=600, seed=9).power >= 0.8
    assert power(des, mde * 1.02, n_sims=600, seed=9).power < 0.8


def test_deterministic_with_seed() -> None:
    a = power(_design(), 0.9, n_sims=300, seed=1)
    b = power(_design(), 0.9, n_sims=300, seed=1)
    c = power(_design(), 0.9, n_sims=300, seed=2)
    assert a == b
    assert a.mean_estimate != c.mean_estimate
    np.testing.assert_array_equal(
        simulate_counts(_design(), 0.9, 5, seed=4), simulate_counts(_design(), 0.9, 5, seed=4)
    )


def test_bad_designs_and_inputs_raise() -> None:
    with pytest.raises(ValueError):
        PowerDesign(population=np.array([100.0, 200.0]), baseline_rate=30, n_pre=3, n_post=3,
                    treated=(0, 1))
    with pytest.raises(ValueError):
        PowerDesign(population=np.array([100.0, -1.0]), baseline_rate=30, n_pre=3, n_post=3,
                    treated=(0,))
    with pytest.raises(ValueError):
        PowerDesign(population=np.array([100.0, 200.0]), baseline_rate=30, n_pre=0, n_post=3,
                    treated=(0,))
    y, n, d = _random_panel(1)
    with pytest.raises(ValueError):
        fit_poisson_twfe(-y, n, d)
    with pytest.raises(ValueError):
        fit_poisson_twfe(y, n, d[:, :-1])


def test_unidentified_effect_is_flagged() -> None:
    """No cases at all in the treated area-years: the fit reports non-convergence."""
    y, n, d = _random_panel(2)
    y = np.where(d, 0, y)
    fit = fit_poisson_twfe(y, n, d)
    assert not fit.converged[0]


def test_placebo_power_level_and_monotone() -> None:
    """Exchangeable areas: the permutation test rejects at most at its level; power rises."""
    des = PowerDesign(population=np.full(8, 6000.0), baseline_rate=30.0, n_pre=5, n_post=5,
                      treated=(2,), dispersion=0.01, year_sd=0.03)
    level = 1 / 8  # smallest attainable p-value with 8 units
    # both IRRs on the same panels, the placebo distribution fitted once per panel
    # (equal to two placebo_power calls: test_placebo_power_curve_equals_separate_runs)
    null, strong = placebo_power_curve(des, (1.0, 0.6), n_sims=150, alpha=level, seed=3)
    assert null.power <= level + 3 * np.sqrt(level * (1 - level) / 150)
    assert strong.power > 0.8 > null.power
    assert abs(np.log(strong.mean_estimate) - np.log(0.6)) < 0.05


def test_dresden_plan_design_uses_real_populations_and_the_simulated_rates() -> None:
    from sozialanalyse.analyses.evaluation_power import PLAN_YEARS, plan_design
    from sozialanalyse.evaluation.simulate_dresden import (
        dresden_area_rates,
        dresden_young_population,
    )

    des = plan_design()
    assert des.n_areas == 17 and des.n_pre == 5 and des.n_post == 5
    assert [des.areas[i] for i in des.treated] == ["04", "10", "14"]
    rates = pd.Series(des.rate_vector(), index=list(des.areas))
    # the same rates as the simulated example panel, in the first planning year
    pd.testing.assert_series_equal(
        rates, dresden_area_rates(PLAN_YEARS[0]).reindex(list(des.areas)), check_names=False)
    assert rates.idxmax() == "16" and rates["11"] > 3 * rates["07"]
    assert rates.nunique() == 17  # no longer one city rate everywhere
    pop = dresden_young_population(range(2016, 2026))
    pieschen = pop[pop["area"] == "04"].sort_values("year")["population"].to_numpy()
    np.testing.assert_array_equal(des.population_grid()[des.areas.index("04")], pieschen)


def test_plot_power_curve_is_german_and_lazy() -> None:
    import sozialanalyse.evaluation.power as pw

    curves = pd.DataFrame({"irr": [1.0, 0.9, 0.8] * 2, "power": [0.05, 0.5, 0.9, 0.05, 0.3, 0.7],
                           "design": ["a"] * 3 + ["b"] * 3, "alpha": 0.05})
    fig = pw.plot_power_curve(curves, title="Teststärke (simuliert)")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Teststärke"
    assert "IRR" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all("." not in lab for lab in labels)
    with pytest.raises(AttributeError):
        pw.no_such_name  # noqa: B018


def test_area_rates_table_is_labelled_and_ordered_by_burden() -> None:
    from sozialanalyse.analyses.evaluation_power import area_rates, area_rates_table

    r = area_rates()
    assert r.attrs["label"] == "simuliert"
    assert r["burden_score"].is_monotonic_decreasing
    assert r["rate_sim"].is_monotonic_decreasing
    assert r["expected_sim"].sum() == pytest.approx(9232, rel=1e-10)
    by_area = r.set_index("area")
    assert by_area.loc["07", "expected_sim"] < by_area.loc["11", "expected_sim"]
    t = area_rates_table()
    simulated = [c for c in t.columns if "simuliert" in c]
    assert len(simulated) == 2 and t.attrs["label"] == "simuliert"


def test_power_result_tables() -> None:
    res = power(_design(), 0.9, n_sims=200, seed=1)
    frame = res.to_frame()
    assert frame.loc[0, "power"] == res.power and len(frame) == 1
    table = res.summary()
    assert table.attrs["label"] == "simuliert"
    assert list(table.columns) == ["Größe", "Wert"]
    assert all("." not in v for v in table["Wert"])  # German decimal commas


def test_one_panel_many_treatment_patterns() -> None:
    """treat of shape (B, A, T): one panel under many assignments (randomization inference)."""
    from itertools import combinations

    y, n, _ = _random_panel(7)
    patterns = []
    for areas in list(combinations(range(y.shape[0]), 2))[:12]:
        d = np.zeros(y.shape, dtype=bool)
        d[list(areas), 4:] = True
        patterns.append(d)
    batch = fit_poisson_twfe(y, n, np.stack(patterns), scale="nb2")
    assert batch.beta.shape == (12,) and batch.converged.all()
    for i, d in enumerate(patterns):
        single = fit_poisson_twfe(y, n, d, scale="nb2")
        np.testing.assert_allclose(batch.beta[i], single.beta[0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(batch.se[i], single.se[0], rtol=1e-9)
    with pytest.raises(ValueError):
        fit_poisson_twfe(np.stack([y, y]), n, np.stack(patterns[:3]))


def test_placebo_power_curve_equals_separate_runs() -> None:
    """Fitting the placebo distribution once per panel gives the same results per IRR."""
    from sozialanalyse.analyses.evaluation_power import plan_design
    from sozialanalyse.evaluation.power import placebo_power_curve

    des = plan_design()
    irrs = (1.0, 0.8)
    curve = placebo_power_curve(des, irrs, n_sims=4, seed=3, max_placebos=25)
    for irr, res in zip(irrs, curve, strict=True):
        single = placebo_power(des, irr, n_sims=4, seed=3, max_placebos=25)
        assert res.power == single.power
        assert res.mean_estimate == single.mean_estimate
