"""Closed-form checks, toy cases and recovery tests for the evaluation designs."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.evaluation import (
    ConvexHullWarning,
    EvaluationWarning,
    FewClustersWarning,
    OverdispersionWarning,
    ShortPrePeriodWarning,
    SmallCountWarning,
    SmallDonorPoolWarning,
    absolute_change_per_1000,
    check_convex_hull,
    check_donor_pool,
    did_2x2,
    dispersion_test,
    event_study,
    exact_rate_ratio,
    identification_table,
    index_to_base,
    interrupted_time_series,
    panel_did,
    pre_post_rate_ratio,
    results_frame,
    staggered_did,
    two_group_did,
    validate_panel,
)

# ---------------------------------------------------------------- 2 x 2 DiD


def four_cell_panel(t0: int, t1: int, c0: int, c1: int, pops=(1000, 1100, 5000, 5200)):
    return validate_panel(pd.DataFrame({
        "area": ["T", "T", "C", "C"], "year": [2010, 2011, 2010, 2011],
        "cases": [t0, t1, c0, c1], "population": list(pops),
        "start_year": [2011, 2011, np.nan, np.nan],
    }))


def test_poisson_2x2_equals_ratio_of_rate_ratios_by_hand() -> None:
    p = four_cell_panel(40, 30, 200, 230)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortPrePeriodWarning)
        est = two_group_did(p, family="poisson", min_pre_years=1)
    by_hand = (30 / 1100) / (40 / 1000) / ((230 / 5200) / (200 / 5000))
    assert est.irr == pytest.approx(by_hand, rel=1e-9)
    assert est.se_log == pytest.approx(np.sqrt(1 / 40 + 1 / 30 + 1 / 200 + 1 / 230), rel=1e-6)
    closed = did_2x2(40, 30, 200, 230, exposure=(1000, 1100, 5000, 5200))
    assert closed.irr == pytest.approx(by_hand, rel=1e-12)
    assert closed.ci_low == pytest.approx(by_hand * np.exp(-1.959964 * closed.se_log), rel=1e-5)
    # absolute change: treated after rate 30/1.1 per 1,000 times (1 - 1/IRR)
    assert closed.abs_change_per_1000 == pytest.approx(30 / 1.1 * (1 - 1 / by_hand))


def test_did_2x2_without_exposure_is_ratio_of_count_ratios() -> None:
    est = did_2x2(444, 1412, 1000, 1264)
    assert est.irr == pytest.approx((1412 / 444) / (1264 / 1000))
    assert np.isnan(est.abs_change_per_1000)
    assert "gleiche Bevölkerungsentwicklung" in est.notes[0]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(5, 5000), min_size=4, max_size=4))
def test_property_glm_matches_closed_form(c: list[int]) -> None:
    p = four_cell_panel(*c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = two_group_did(p, family="poisson", min_pre_years=1)
    closed = did_2x2(*c, exposure=(1000, 1100, 5000, 5200))
    assert est.log_irr == pytest.approx(closed.log_irr, abs=1e-7)


def test_did_2x2_rejects_empty_cell() -> None:
    with pytest.raises(MethodError):
        did_2x2(0, 3, 4, 5)


# ---------------------------------------------------------------- exact rate ratio


def test_exact_rate_ratio_toy_case_against_beta_quantiles() -> None:
    # 12 cases after in 2,000 person-years, 20 before in 2,000 person-years
    est = exact_rate_ratio(12, 2000.0, 20, 2000.0)
    p_lo = stats.beta.ppf(0.025, 12, 21)
    p_hi = stats.beta.ppf(0.975, 13, 20)
    assert est.irr == pytest.approx(0.6)
    assert est.ci_low == pytest.approx(p_lo / (1 - p_lo))
    assert est.ci_high == pytest.approx(p_hi / (1 - p_hi))
    assert est.p_value == pytest.approx(stats.binomtest(12, 32, 0.5).pvalue)
    assert est.abs_change_per_1000 == pytest.approx(6.0 - 10.0)


def test_exact_rate_ratio_hand_computed_bounds_for_zero_and_one_case() -> None:
    # 0 cases after, 4 before, equal exposures: lower 0, upper p solves (1-p)^4 = 0.025
    est = exact_rate_ratio(0, 1.0, 4, 1.0)
    p_hi = 1 - 0.025 ** (1 / 4)
    assert est.ci_low == 0.0
    assert est.ci_high == pytest.approx(p_hi / (1 - p_hi))
    # 1 case after, 0 before: upper bound infinite, lower p solves p^1 = 0.025
    est = exact_rate_ratio(1, 1.0, 0, 1.0)
    assert est.ci_high == np.inf
    assert est.ci_low == pytest.approx(0.025 / 0.975)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300), st.floats(0.5, 3.0))
def test_property_exact_interval_inverts_when_periods_swap(a: int, b: int, e: float) -> None:
    fwd = exact_rate_ratio(a, e, b, 1.0)
    bwd = exact_rate_ratio(b, 1.0, a, e)
    assert fwd.ci_low == pytest.approx(1 / bwd.ci_high, rel=1e-8)
    assert fwd.ci_high == pytest.approx(1 / bwd.ci_low, rel=1e-8)
    assert fwd.ci_low <= fwd.irr <= fwd.ci_high


def test_pre_post_rate_ratio_sums_person_years_and_warns_on_short_pre_period() -> None:
    p = validate_panel(pd.DataFrame({
        "area": "W", "year": [2008, 2009, 2010, 2011], "cases": [30, 34, 25, 21],
        "population": [1000, 1000, 1100, 1100], "start_year": 2010,
    }))
    with pytest.warns(ShortPrePeriodWarning):
        est = pre_post_rate_ratio(p, treated="W", start_year=2010)
    assert est.irr == pytest.approx((46 / 2200) / (64 / 2000))


# ---------------------------------------------------------------- simulated panels


def sim_panel(rng, starts, years, log_effect, pop=5000.0, rate=0.02, area_sd=0.2, nb=0.0):
    rows = []
    a_eff = rng.normal(0, area_sd, len(starts))
    for i, s in enumerate(starts):
        for y in years:
            mu = pop * rate * np.exp(a_eff[i] + 0.04 * (y - years[0]))
            if not np.isnan(s) and y >= s:
                mu *= np.exp(log_effect(y - s))
            if nb > 0:
                mu = rng.gamma(1 / nb, mu * nb)
            rows.append((f"A{i:02d}", y, rng.poisson(mu), pop, s))
    return validate_panel(pd.DataFrame(rows, columns=["area", "year", "cases", "population",
                                                      "start_year"]))


def test_staggered_recovers_dynamic_effects_where_twfe_is_biased() -> None:
    """All areas adopt (no never-treated); the effect deepens with time since start.

    TWFE then compares late adopters with early adopters whose effect is still
    growing and gets the average wrong; the extended TWFE estimator does not.
    """
    rng = np.random.default_rng(7)
    years = list(range(2010, 2022))
    starts = [2013.0] * 15 + [2018.0] * 15

    def effect(e):
        return -0.06 * (e + 1)

    p = sim_panel(rng, starts, years, effect, pop=50_000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        with pytest.warns(EvaluationWarning, match=r"Kohorte\(n\) \[2018\]"):
            res = staggered_did(p)
        twfe = panel_did(p)
    # truth over identified cells (years before 2018, when a comparison exists, and all
    # cohort-2018 cells are dropped since nobody is untreated then)
    cells = [(2013, t) for t in range(2013, 2018)]
    truth = np.mean([effect(t - g) for g, t in cells])
    assert set(res.details["cohort"]) == {2013}
    assert abs(res.log_irr - truth) < 3 * res.se_log
    truth_by_e = pd.Series([effect(e) for e in range(5)], index=range(5))
    by_e = res.by_event_time.set_index("event_time")
    assert np.all(np.abs(by_e["log_irr"] - truth_by_e) < 4 * by_e["se_log"])
    # TWFE: far from the cell average of the effect
    assert abs(twfe.log_irr - truth) > 5 * twfe.se_log
    assert abs(twfe.log_irr - truth) > 0.1


def test_staggered_matches_twfe_with_homogeneous_effect_and_never_treated() -> None:
    rng = np.random.default_rng(8)
    p = sim_panel(rng, [2013.0] * 10 + [2016.0] * 10 + [np.nan] * 10, list(range(2010, 2020)),
                  lambda e: np.log(0.8) + 0 * e, pop=50_000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        res = staggered_did(p)
        twfe = panel_did(p)
    assert res.irr == pytest.approx(0.8, abs=0.03)
    assert twfe.irr == pytest.approx(0.8, abs=0.03)


def test_identification_table_for_a_single_cross_section() -> None:
    """Graz-like skeleton: four areas, offices opened 2007/2010/2013/2017, only 2009 observed."""
    p = pd.DataFrame({"area": ["SR1", "SR2", "SR3", "SR4"], "year": 2009,
                      "cases": [100, 164, 183, 228], "population": 1.0,
                      "start_year": [2013, 2007, 2010, 2017]})
    tab = identification_table(p)
    assert tab["cohort"].tolist() == [2007, 2010, 2013, 2017]
    assert tab["identifiable_cells"].sum() == 0
    assert tab.loc[tab["cohort"] == 2007, "years_before"].item() == 0
    assert tab.loc[tab["cohort"] == 2007, "years_from_start"].item() == 1


def test_event_study_recovers_profile_and_flat_pre_trend() -> None:
    rng = np.random.default_rng(9)
    p = sim_panel(rng, [2015.0] * 15 + [np.nan] * 15, list(range(2010, 2020)),
                  lambda e: -0.05 * (e + 1), pop=50_000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        es = event_study(p).details.set_index("event_time")
    assert es.loc[-1, "irr"] == 1.0
    for e in range(5):
        assert abs(es.loc[e, "log_irr"] - (-0.05 * (e + 1))) < 4 * es.loc[e, "se_log"]
    for e in range(-5, -1):
        assert abs(es.loc[e, "log_irr"]) < 4 * es.loc[e, "se_log"]


def test_its_recovers_level_and_slope_change_annual_and_monthly() -> None:
    t = np.arange(2005, 2025)
    mu = 1e6 * 0.05 * np.exp(0.02 * (t - 2015) + (t >= 2015) * (np.log(0.9) - 0.03 * (t - 2015)))
    s = pd.DataFrame({"time": t, "cases": np.round(mu), "population": 1e6})
    r = interrupted_time_series(s, start_year=2015, year="time")
    assert r.irr == pytest.approx(0.9, rel=2e-3)
    assert np.log(r.components["slope"].irr) == pytest.approx(-0.03, abs=1e-3)
    assert r.pre_trend == pytest.approx(np.exp(0.02), rel=1e-3)
    assert r.covers(0.9) and r.components["slope"].covers(np.exp(-0.03))
    # counterfactual continues the pre-trend
    cf = r.details.set_index("year")["counterfactual"]
    assert cf.loc[2020] == pytest.approx(1e6 * 0.05 * np.exp(0.02 * 5), rel=2e-3)
    # monthly with seasonality, no population (pure counts)
    rng = np.random.default_rng(10)
    m = np.arange(96)
    season = 0.2 * np.cos(2 * np.pi * m / 12)
    lam = 500 * np.exp(season + 0.001 * (m - 48) + (m >= 48) * (np.log(1.2) + 0.005 * (m - 48)))
    ms = pd.DataFrame({"time": m, "month": m % 12 + 1, "cases": rng.poisson(lam)})
    rm = interrupted_time_series(ms, start_year=48, year="time", population=None,
                                 seasonal=True)
    assert rm.covers(1.2) and rm.components["slope"].covers(np.exp(0.005))
    assert rm.irr == pytest.approx(1.2, abs=0.05)


def test_its_errors() -> None:
    s = pd.DataFrame({"time": [1, 2, 3], "cases": [5, -1, 4]})
    with pytest.raises(InputDataError):
        interrupted_time_series(s, start_year=2, year="time", population=None)
    s = pd.DataFrame({"time": [1, 2, 3, 4], "cases": [5, 6, 7, 8]})
    with pytest.raises(MethodError):
        interrupted_time_series(s, start_year=2, year="time", population=None)


# ---------------------------------------------------------------- dispersion


def test_dispersion_test_and_auto_family() -> None:
    rng = np.random.default_rng(11)
    starts = [2014.0] * 10 + [np.nan] * 10
    pois = sim_panel(rng, starts, list(range(2010, 2018)), lambda e: 0 * e, area_sd=0.0)
    est = two_group_did(pois)
    dt = est.dispersion_test
    assert not dt.overdispersed and est.model == "Poisson"
    assert dt.pearson_dispersion == pytest.approx(1.0, abs=0.3)
    nb = sim_panel(rng, starts, list(range(2010, 2018)), lambda e: 0 * e, area_sd=0.0, nb=0.1)
    est = two_group_did(nb)
    dt = est.dispersion_test
    assert dt.overdispersed and est.model == "negatives Binomialmodell"
    assert dt.alpha == pytest.approx(0.1, abs=0.05)
    rob = two_group_did(nb, family="robust")
    assert rob.irr == pytest.approx(est.irr, rel=0.05)
    with pytest.warns(OverdispersionWarning):
        two_group_did(nb, family="poisson")


def test_dispersion_test_by_hand() -> None:
    y = np.array([0.0, 4.0, 1.0, 7.0])
    mu = np.array([2.0, 2.0, 3.0, 3.0])
    dt = dispersion_test(y, mu, df_resid=2)
    assert dt.pearson_dispersion == pytest.approx((4 / 2 + 4 / 2 + 4 / 3 + 16 / 3) / 2)
    z = ((y - mu) ** 2 - y) / mu
    assert dt.alpha == pytest.approx(np.sum(mu * z) / np.sum(mu**2))


# ---------------------------------------------------------------- guardrails


def test_small_count_warning() -> None:
    with pytest.warns(SmallCountWarning):
        did_2x2(3, 2, 50, 60)


def test_few_clusters_warning() -> None:
    rng = np.random.default_rng(12)
    p = sim_panel(rng, [2013.0] * 3 + [np.nan] * 3, list(range(2010, 2016)), lambda e: 0 * e)
    with pytest.warns(FewClustersWarning):
        r = panel_did(p, inference="cluster")
    assert not r.coverage_ok
    # the automatic choice avoids cluster-robust errors with 3 model areas
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto = panel_did(p)
    assert auto.inference_key in ("randomization", "bootstrap")


def test_short_pre_period_warning_in_did() -> None:
    rng = np.random.default_rng(13)
    p = sim_panel(rng, [2012.0] * 5 + [np.nan] * 5, list(range(2010, 2016)), lambda e: 0 * e)
    with pytest.warns(ShortPrePeriodWarning):
        two_group_did(p)


def test_donor_pool_and_convex_hull_warnings() -> None:
    with pytest.warns(SmallDonorPoolWarning, match="1/5"):
        assert check_donor_pool(4)
    donors = np.array([[1.0, 2.0], [1.0, 2.0]])
    with pytest.warns(ConvexHullWarning):
        assert check_convex_hull(np.array([1.5, 2.5]), donors)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not check_convex_hull(np.array([1.5, 1.5]), donors)
        assert not check_donor_pool(16)


# ---------------------------------------------------------------- index, results


def test_index_to_base() -> None:
    df = pd.DataFrame({"area": ["HB", "HB", "DE", "DE"], "year": [2007, 2012] * 2,
                       "value": [444, 1412, 1000, 1264]})
    out = index_to_base(df, 2007)
    assert out["index"].tolist() == pytest.approx([100, 1412 / 4.44, 100, 126.4])
    with pytest.raises(InputDataError, match="base period 2010"):
        index_to_base(df, 2010)


def test_results_frame_and_absolute_change() -> None:
    assert absolute_change_per_1000(20.0, 0.8) == pytest.approx(-5.0)
    assert np.isnan(absolute_change_per_1000(20.0, np.nan))
    f = results_frame([did_2x2(100, 80, 200, 200), exact_rate_ratio(80, 1.0, 100, 1.0)])
    assert list(f["irr"]) == pytest.approx([0.8, 0.8])
    assert {"ci_low", "ci_high", "p_value", "abs_change_per_1000"} <= set(f.columns)


def test_glm_offset_reference_against_statsmodels_formula() -> None:
    """Independent implementation: statsmodels formula API gives the same panel DiD."""
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(14)
    p = sim_panel(rng, [2014.0] * 12 + [np.nan] * 12, list(range(2010, 2018)),
                  lambda e: -0.2 + 0 * e)
    p = p.assign(post=((p["year"] >= p["start_year"]) & p["start_year"].notna()).astype(int))
    ref = smf.glm("cases ~ post + C(area) + C(year)", data=p, family=sm.families.Poisson(),
                  offset=np.log(p["population"])).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = panel_did(p)
    assert est.log_irr == pytest.approx(ref.params["post"], rel=1e-7)


def test_fit_poisson_matches_statsmodels_cluster_and_quasi_poisson() -> None:
    """The lean IRLS fit gives statsmodels' coefficients and covariances."""
    from sozialanalyse.evaluation import fit_poisson, fixed_effects_matrix

    rng = np.random.default_rng(15)
    p = sim_panel(rng, [2014.0] * 8 + [np.nan] * 8, list(range(2010, 2018)),
                  lambda e: -0.1 + 0 * e, nb=0.05)
    post = ((p["year"] >= p["start_year"]) & p["start_year"].notna()).to_numpy(float)
    X = np.column_stack([post, fixed_effects_matrix(p)])
    y = p["cases"].to_numpy(float)
    off = np.log(p["population"].to_numpy(float))
    groups = pd.factorize(p["area"])[0]
    ref = sm.GLM(y, X, family=sm.families.Poisson(), offset=off).fit(
        cov_type="cluster", cov_kwds={"groups": groups})
    fit = fit_poisson(X, y, off, groups)
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fit.cov, ref.cov_params(), rtol=1e-6, atol=1e-12)
    quasi = sm.GLM(y, X, family=sm.families.Poisson(), offset=off).fit(scale="X2")
    np.testing.assert_allclose(fit_poisson(X, y, off).bse, quasi.bse, rtol=1e-6)


def test_all_zero_area_is_dropped_not_fatal() -> None:
    rng = np.random.default_rng(16)
    p = sim_panel(rng, [2014.0] * 12 + [np.nan] * 12, list(range(2010, 2018)),
                  lambda e: -0.2 + 0 * e)
    p.loc[p["area"] == "A20", "cases"] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = panel_did(p)
        rest = panel_did(p[p["area"] != "A20"])
    assert full.log_irr == pytest.approx(rest.log_irr, rel=1e-8)


def test_plots_draw_the_data() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sozialanalyse.evaluation import plot_event_study, plot_its, plot_trends

    rng = np.random.default_rng(17)
    p = sim_panel(rng, [2014.0] * 2 + [np.nan] * 2, list(range(2010, 2018)), lambda e: 0 * e)
    fig = plot_trends(p)
    ax = fig.axes[0]
    rates = sorted(y for line in ax.get_lines() for y in line.get_ydata()
                   if len(line.get_xdata()) == 8)
    assert rates == pytest.approx(sorted(1000 * p["cases"] / p["population"]))
    es = pd.DataFrame({"event_time": [-1, 0, 1], "irr": [1.0, 0.8, 0.7],
                       "ci_low": [1.0, 0.7, 0.6], "ci_high": [1.0, 0.9, 0.8]})
    fig2 = plot_event_study(es)
    assert fig2.axes[0].get_yscale() == "log"
    from sozialanalyse.evaluation import EvaluationResult

    fitted = pd.DataFrame({"year": [1, 2, 3, 4], "cases": [10, 11, 8, 9],
                           "fitted": [10, 11, 8, 9], "counterfactual": [10, 11, 12, 13]})
    fig3 = plot_its(EvaluationResult(kind="its", design="ITS", irr=1.0, start_year=3,
                                     details=fitted))
    dashed = [ln for ln in fig3.axes[0].get_lines() if ln.get_linestyle() == "--"][0]
    assert list(dashed.get_xdata()) == [2, 3, 4]
    plt.close("all")
