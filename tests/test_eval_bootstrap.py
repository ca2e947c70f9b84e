"""Tests of the wild cluster bootstrap for the panel DiD (evaluation.bootstrap).

The linear variant is checked against the independent ``wildboottest`` package
(identical bootstrap statistics under full enumeration; p-values within Monte
Carlo error with random weights); the count-model kernel against dense
regressions and against :func:`panel_did`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.evaluation import panel_did
from sozialanalyse.evaluation.bootstrap import (
    WEBB_POINTS,
    bootstrap_p_values,
    draw_weights,
    fit_did,
    linear_wcr_statistics,
    linear_wild_bootstrap,
    panel_matrices,
    restricted_fit,
    wcr_bootstrap,
    wcr_parts,
    wild_cluster_bootstrap,
)
from sozialanalyse.evaluation.calibration import example_panel

make_panel = example_panel


# --- weights and p-values ----------------------------------------------------


def test_webb_weights_have_mean_zero_and_unit_variance() -> None:
    assert WEBB_POINTS.mean() == pytest.approx(0.0, abs=1e-15)
    assert (WEBB_POINTS**2).mean() == pytest.approx(1.0)
    w, enumerated = draw_weights("webb", 20000, 5, np.random.default_rng(1))
    assert not enumerated and w.shape == (20000, 5)
    assert set(np.round(np.unique(w), 12)) == set(np.round(WEBB_POINTS, 12))


def test_rademacher_enumerates_all_sign_vectors_when_few_clusters() -> None:
    w, enumerated = draw_weights("rademacher", 999, 6, np.random.default_rng(0))
    assert enumerated and w.shape == (64, 6)
    assert len({tuple(r) for r in w}) == 64
    w, enumerated = draw_weights("rademacher", 999, 17, np.random.default_rng(0))
    assert not enumerated and w.shape == (999, 17) and set(np.unique(w)) == {-1.0, 1.0}
    with pytest.raises(MethodError):
        draw_weights("mammen", 10, 3, np.random.default_rng(0))  # type: ignore[arg-type]


def test_bootstrap_p_value_counts_ties_and_adds_one() -> None:
    boot = np.array([[-3.0], [1.0], [2.0], [0.5]])
    assert bootstrap_p_values(np.array([2.0]), boot)[0] == pytest.approx(3 / 5)
    assert bootstrap_p_values(np.array([2.0]), boot, enumerated=True)[0] == pytest.approx(2 / 4)


# --- the count-model kernel ----------------------------------------------------


def test_fit_did_matches_panel_did_estimate_and_cluster_se() -> None:
    panel = make_panel(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = panel_did(panel, inference="cluster")
    y, n, d, _ = panel_matrices(panel)
    beta, c, info, _ = fit_did(y[None], np.log(n)[None], d[None])
    g, t = y.shape
    ssc = g / (g - 1) * (g * t - 1) / (g * t - (g + t))
    se = np.sqrt(ssc * (c**2).sum()) / info[0]
    assert beta[0] == pytest.approx(ref.log_irr, abs=1e-8)
    assert se == pytest.approx(ref.se_log, rel=1e-6)


def test_restricted_fit_matches_statsmodels_glm_with_offset() -> None:
    panel = make_panel(4)
    y, n, d, _ = panel_matrices(panel)
    b0 = -0.2
    mu, _ = restricted_fit(y[None], (np.log(n) + b0 * d)[None])
    g, t = y.shape
    x = np.column_stack([np.repeat(np.eye(g), t, 0), np.tile(np.eye(t), (g, 1))[:, 1:]])
    ref = sm.GLM(y.ravel(), x, family=sm.families.Poisson(),
                 offset=(np.log(n) + b0 * d).ravel()).fit(tol=1e-12)
    np.testing.assert_allclose(mu[0].ravel(), ref.fittedvalues, rtol=1e-8)


def test_wcr_parts_equal_dense_weighted_regression() -> None:
    rng = np.random.default_rng(3)
    g, t = 6, 5
    n = rng.uniform(1000, 3000, (g, 1)) * np.ones((1, t))
    d = np.zeros((g, t))
    d[:2, 3:] = 1
    y = rng.poisson(n / 1000 * 30 * np.exp(0.1 * d)).astype(float)
    b0 = 0.05
    mu, _ = restricted_fit(y[None], (np.log(n) + b0 * d)[None])
    c, cmat, info = wcr_parts(y[None], mu, d[None])
    # dense: WCR-11 of the transformed (Fisher-scoring) regression
    m = mu[0].ravel()
    x = np.column_stack([d.ravel(), np.repeat(np.eye(g), t, 0), np.tile(np.eye(t), (g, 1))[:, 1:]])
    xt = np.sqrt(m)[:, None] * x
    ut = (y.ravel() - m) / np.sqrt(m)
    xtx = xt.T @ xt
    z = xt @ np.linalg.solve(xtx, np.eye(x.shape[1])[0])
    hat = xt @ np.linalg.solve(xtx, xt.T)
    cl = np.repeat(np.arange(g), t)
    blocks = np.eye(g)[cl] * ut[:, None]
    dense = np.eye(g)[cl].T @ (z[:, None] * (blocks - hat @ blocks))
    np.testing.assert_allclose(np.bincount(cl, z * ut) * info[0], c[0], atol=1e-10)
    np.testing.assert_allclose(dense * info[0], cmat[0], atol=1e-10)
    np.testing.assert_allclose(cmat[0].sum(axis=0), 0.0, atol=1e-10)
    w = np.ones((1, g))
    assert np.isfinite(wcr_bootstrap(c, cmat, w, 1.0)).all()


# --- linear variant against the wildboottest package -------------------------


def _statsmodels_ols(panel: pd.DataFrame) -> tuple[sm.OLS, np.ndarray]:
    y, n, d, _ = panel_matrices(panel)
    g, t = y.shape
    lr = np.log(y / n).ravel()
    x = pd.DataFrame(np.column_stack([
        d.ravel().astype(float), np.ones(g * t), np.repeat(np.eye(g), t, 0)[:, 1:],
        np.tile(np.eye(t), (g, 1))[:, 1:]]))
    x.columns = ["D", "const"] + [f"x{i}" for i in range(x.shape[1] - 2)]
    return sm.OLS(lr, x), np.repeat(np.arange(g), t)


def test_linear_wcr_statistics_equal_wildboottest_under_full_enumeration() -> None:
    from wildboottest.wildboottest import WildboottestCL

    panel = make_panel(5, n_areas=8, treated=(2, 5))
    model, cluster = _statsmodels_ols(panel)
    x = model.exog
    r = np.zeros(x.shape[1])
    r[0] = 1.0
    boot = WildboottestCL(X=x, Y=model.endog, cluster=cluster, R=r, B=999, seed=1,
                          parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True, adj=True, cluster_adj=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot.get_weights(weights_type="rademacher")
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    y, n, d, _ = panel_matrices(panel)
    w, enumerated = draw_weights("rademacher", 999, 8, np.random.default_rng(0))
    assert enumerated
    stat, tb, _, _ = linear_wcr_statistics(y, n, d, w)
    theirs = np.sort(np.abs(np.asarray(boot.t_boot).ravel()))
    assert theirs.size == 256
    np.testing.assert_allclose(np.sort(np.abs(tb)), theirs, rtol=1e-9, atol=1e-12)
    assert stat == pytest.approx(float(np.asarray(boot.t_stat).ravel()[0]), rel=1e-9)


def test_linear_wild_bootstrap_p_value_agrees_with_wildboottest() -> None:
    from wildboottest.wildboottest import wildboottest

    panel = make_panel(6, irr=0.9)
    model, cluster = _statsmodels_ols(panel)
    theirs = wildboottest(model, B=9999, cluster=cluster, param="D", seed=11, show=False,
                          parallel=False)
    p_theirs = float(theirs["p-value"].iloc[0])
    ours = linear_wild_bootstrap(panel, weights="rademacher", draws=9999, seed=5)
    mc = np.sqrt(2 * p_theirs * (1 - p_theirs) / 9999)
    assert abs(ours.p_value - p_theirs) <= 4 * mc + 2 / 9999, (ours.p_value, p_theirs)
    assert 0.01 < p_theirs < 0.99  # a non-trivial comparison
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": cluster})
    assert np.log(ours.irr) == pytest.approx(fit.params["D"], abs=1e-10)
    assert ours.ci_low < ours.irr < ours.ci_high


# --- the public function -------------------------------------------------------


def test_wild_cluster_bootstrap_record_and_inversion_are_consistent() -> None:
    panel = make_panel(7, irr=0.8)
    res = wild_cluster_bootstrap(panel, draws=1999, seed=3)
    assert res.n_clusters == 17 and res.n_treated_clusters == 3
    assert res.weights == "webb" and res.family == "poisson" and res.draws == 1999
    assert res.ci_low < res.irr < res.ci_high
    assert np.isfinite(res.ci_low) and np.isfinite(res.ci_high) and res.ci_low > 0
    assert (res.p_value > 0.05) == (res.ci_low <= 1.0 <= res.ci_high)
    # the bounds are where the p-value crosses 5 %: test them as null values
    for bound in (res.ci_low, res.ci_high):
        inside = wild_cluster_bootstrap(panel, draws=1999, seed=3, null_irr=bound * (
            1.002 if bound == res.ci_low else 0.998))
        outside = wild_cluster_bootstrap(panel, draws=1999, seed=3, null_irr=bound * (
            0.99 if bound == res.ci_low else 1.01))
        assert inside.p_value > 0.05 >= outside.p_value
    assert res.note == ""


def test_negbin_and_score_variants_run_and_agree_roughly() -> None:
    panel = make_panel(8, irr=0.8)
    base = wild_cluster_bootstrap(panel, draws=999)
    nb = wild_cluster_bootstrap(panel, draws=999, family="negbin")
    sc = wild_cluster_bootstrap(panel, draws=999, statistic="score")
    assert nb.family == "negbin"
    assert abs(np.log(nb.irr) - np.log(base.irr)) < 0.05
    assert sc.irr == pytest.approx(base.irr)
    for r in (nb, sc):
        assert 0 < r.p_value <= 1


def test_one_treated_cluster_is_flagged() -> None:
    panel = make_panel(9, treated=(8,))
    res = wild_cluster_bootstrap(panel, draws=999)
    assert res.n_treated_clusters == 1
    assert "ein" in res.note.lower() and "unzuverlässig" in res.note


def test_common_start_year_with_treated_list() -> None:
    panel = make_panel(10).drop(columns="start_year")
    res = wild_cluster_bootstrap(panel, treated=["S04", "S08", "S12"], start_year=2020,
                                 draws=499)
    ref = wild_cluster_bootstrap(make_panel(10), draws=499)
    assert res.irr == pytest.approx(ref.irr)
    assert res.p_value == pytest.approx(ref.p_value)


def test_errors_are_clear() -> None:
    panel = make_panel(11)
    zero = panel.copy()
    zero.loc[zero["start_year"].notna() & (zero["year"] >= zero["start_year"]), "cases"] = 0
    with pytest.raises(MethodError, match="nicht schätzbar"):
        wild_cluster_bootstrap(zero, draws=99)
    with pytest.raises(InputDataError, match="außerhalb"):
        wild_cluster_bootstrap(panel.drop(columns="start_year"), treated=["S01"],
                               start_year=2030, draws=99)
    with pytest.raises(MethodError, match="Vergleichsgruppe"):
        wild_cluster_bootstrap(panel.assign(start_year=2020.0), draws=99)
    with pytest.raises(MethodError):
        wild_cluster_bootstrap(panel, family="gaussian", draws=99)  # type: ignore[arg-type]


@pytest.mark.slow
def test_null_rejection_rate_is_near_five_percent_with_balanced_treatment() -> None:
    """Size of the WCR Wald test at the true value, 8 of 17 areas treated."""
    from sozialanalyse.evaluation.calibration import _bootstrap_accept

    rng = np.random.default_rng(12)
    reps, g, t = 1000, 17, 12
    pop = np.repeat(np.linspace(3000, 9000, g)[:, None], t, axis=1)
    d = np.zeros((g, t))
    d[::2, 6:] = 1
    rate = 30 * np.exp(rng.normal(0, 0.25, (reps, g, 1)))
    gt = 0.02 * np.arange(t) + rng.normal(0, 0.05, (reps, 1, t))
    mu = pop / 1000 * rate * np.exp(gt)
    y = rng.poisson(rng.gamma(1 / 0.05, mu * 0.05)).astype(float)
    beta, c, info, _ = fit_did(y, np.log(pop)[None], d[None])
    ssc = g / (g - 1) * (g * t - 1) / (g * t - (g + t))
    se = np.sqrt(ssc * (c**2).sum(axis=1)) / info
    w = np.stack([draw_weights("webb", 399, g, rng)[0] for _ in range(reps)])
    accept = _bootstrap_accept(y, np.log(pop)[None], d[None], np.zeros(reps), w,
                               wald=(beta, se, ssc))
    rejection = 1 - accept.mean()
    assert 0.03 <= rejection <= 0.07, rejection


def test_event_study_bootstrap_matches_event_study_estimates() -> None:
    from sozialanalyse.evaluation import event_study
    from sozialanalyse.evaluation.bootstrap import event_study_bootstrap

    panel = make_panel(13, irr=0.8)
    boot = event_study_bootstrap(panel, draws=499, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = event_study(panel).details
    assert list(boot["event_time"]) == list(ref["event_time"])
    np.testing.assert_allclose(boot["log_irr"], ref["log_irr"], atol=1e-7)
    np.testing.assert_allclose(boot["se_log"], ref["se_log"], rtol=1e-6)
    ref_row = boot[boot["event_time"] == -1].iloc[0]
    assert ref_row["irr"] == 1.0 and np.isnan(ref_row["p_value"])
    rest = boot[boot["event_time"] != -1]
    assert ((rest["p_value"] > 0) & (rest["p_value"] <= 1)).all()
    assert ((rest["ci_low"] <= rest["irr"]) & (rest["irr"] <= rest["ci_high"])).all()
    # consistent with its own test: p > 5 % exactly when the interval contains 1
    inside = (rest["ci_low"] <= 1) & (rest["ci_high"] >= 1)
    assert ((rest["p_value"] > 0.05) == inside).all()


def test_area_labels_are_matched_as_text() -> None:
    panel = make_panel(14)
    codes = panel.assign(area=panel["area"].str[1:].astype(int))
    res = wild_cluster_bootstrap(codes.drop(columns="start_year"), treated=["4", "8", "12"],
                                 start_year=2020, draws=199)
    ref = wild_cluster_bootstrap(panel, draws=199)
    assert res.irr == pytest.approx(ref.irr)
