"""Batched count-model kernels and the designs' batched paths used by the calibration tests.

The calibration tests fit 1,000 simulated panels at once with ``fit_poisson_batch``
(through ``panel_did_batch``, ``event_study_batch``, ``staggered_did_batch`` and
``two_group_did_batch``). Here the kernels are checked against statsmodels and
against one-panel fits, and the design paths against the public functions,
including the panels whose counts change the design (one-by-one fallback).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from calibration_sim import simulate_panels
from statsmodels.discrete.discrete_model import NegativeBinomial

from sozialanalyse.errors import MethodError
from sozialanalyse.evaluation import event_study, panel_did, staggered_did, two_group_did
from sozialanalyse.evaluation.bootstrap import _fe_solve, fe_solve_many
from sozialanalyse.evaluation.did import dispersion_arrays, dispersion_test, two_group_did_batch
from sozialanalyse.evaluation.panel_did import (
    event_study_batch,
    fixed_effects_matrix,
    panel_did_batch,
)
from sozialanalyse.evaluation.poisson import (
    batch_covariance,
    fit_nb2_batch,
    fit_poisson,
    fit_poisson_batch,
)
from sozialanalyse.evaluation.staggered import staggered_did_batch


def _did_problem(reps: int, seed: int = 1, nb_alpha: float = 0.05):
    rng = np.random.default_rng(seed)
    starts = [2013.0] * 6 + [np.nan] * 8
    template, counts = simulate_panels(rng, reps, starts, 6, lambda e, g: -0.2 + 0 * e,
                                       area_sd=0.3, nb_alpha=nb_alpha)
    post = ((template["year"] >= template["start_year"])
            & template["start_year"].notna()).to_numpy(float)
    X = np.column_stack([post, fixed_effects_matrix(template)])
    off = np.log(template["population"].to_numpy(float))
    groups = pd.factorize(template["area"])[0]
    return template, counts.astype(float), X, off, groups


@pytest.mark.parametrize("cov", ["cluster", "pearson", "model", "hc0"])
def test_fit_poisson_batch_matches_statsmodels(cov: str) -> None:
    _, counts, X, off, groups = _did_problem(3)
    fit = fit_poisson_batch(X, counts, off, groups if cov == "cluster" else None, cov=cov)
    for i, y in enumerate(counts):
        model = sm.GLM(y, X, family=sm.families.Poisson(), offset=off)
        ref = {
            "cluster": lambda m: m.fit(cov_type="cluster", cov_kwds={"groups": groups}),
            "pearson": lambda m: m.fit(scale="X2"),
            "model": lambda m: m.fit(),
            "hc0": lambda m: m.fit(cov_type="HC0"),
        }[cov](model)
        np.testing.assert_allclose(fit.params[i], ref.params, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(fit.cov[i], ref.cov_params(), rtol=1e-6, atol=1e-12)


def test_batch_fit_of_a_panel_does_not_depend_on_the_other_panels() -> None:
    _, counts, X, off, groups = _did_problem(6)
    fit = fit_poisson_batch(X, counts, off, groups)
    other = batch_covariance(X, counts, fit, "hc0")
    for i, y in enumerate(counts):
        one = fit_poisson(X, y, off, groups)
        np.testing.assert_allclose(fit.params[i], one.params, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(fit.cov[i], one.cov, rtol=1e-10, atol=1e-14)
        assert fit.n_iter[i] == one.n_iter
        alone = fit_poisson(X, y, off, cov="hc0")
        np.testing.assert_allclose(other[i], alone.cov, rtol=1e-10, atol=1e-14)
    # reversed order, other chunking: the same fits
    rev = fit_poisson_batch(X, counts[::-1], off, groups)
    np.testing.assert_allclose(rev.params[::-1], fit.params, rtol=1e-12, atol=1e-14)


def test_fit_poisson_batch_refuses_a_collinear_design() -> None:
    _, counts, X, off, _ = _did_problem(2)
    with pytest.raises(MethodError):
        fit_poisson_batch(np.column_stack([X, X[:, 1]]), counts, off)


def test_fit_nb2_batch_is_the_negative_binomial_maximum_likelihood() -> None:
    _, counts, X, off, _ = _did_problem(4, seed=2, nb_alpha=0.08)
    fit = fit_nb2_batch(X, counts, off)
    for i, y in enumerate(counts):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = sm.GLM(y, X, family=sm.families.Poisson(), offset=off).fit().params
            ml = NegativeBinomial(y, X, offset=off, loglike_method="nb2").fit(
                start_params=np.append(start, 0.05), method="newton", tol=1e-12, disp=0,
                maxiter=200)
            glm = sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=ml.params[-1]),
                         offset=off).fit()
        assert fit.alpha[i] == pytest.approx(ml.params[-1], rel=1e-7)
        np.testing.assert_allclose(fit.params[i], ml.params[:-1], rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(fit.bse[i], glm.bse, rtol=1e-6)


def test_fit_nb2_batch_without_overdispersion_stops_at_the_boundary() -> None:
    _, counts, X, off, _ = _did_problem(3, seed=3, nb_alpha=0.0)
    fit = fit_nb2_batch(X, counts, off)
    pois = fit_poisson_batch(X, counts, off, cov="model")
    for i, y in enumerate(counts):
        x2 = np.sum((y - pois.mu[i]) ** 2 / pois.mu[i])
        if fit.alpha[i] <= 1e-8:  # likelihood maximal at alpha = 0: the Poisson fit
            np.testing.assert_allclose(fit.params[i], pois.params[i], rtol=1e-5, atol=1e-7)
        else:
            assert x2 > 0  # an interior maximum needs some excess variation


def test_two_group_did_negbin_close_to_the_former_statsmodels_path() -> None:
    """The design now uses the exact NB2 ML; statsmodels' default BFGS stops near it."""
    rng = np.random.default_rng(5)
    template, counts = simulate_panels(rng, 3, [2015.0] * 10 + [np.nan] * 10, 8,
                                       lambda e, g: np.log(0.8) + 0 * e, nb_alpha=0.05)
    for y in counts:
        panel = template.assign(cases=y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = two_group_did(panel, family="negbin")
            d = panel.assign(treated=panel["start_year"].notna().astype(float),
                             after=(panel["year"] >= 2015).astype(float))
            X = np.column_stack([d["treated"] * d["after"], np.ones(len(d)), d["treated"],
                                 pd.get_dummies(d["year"], drop_first=True, dtype=float)])
            off = np.log(d["population"].to_numpy(float))
            yv = y.astype(float)
            pois = sm.GLM(yv, X, family=sm.families.Poisson(), offset=off).fit()
            nb = NegativeBinomial(yv, X, offset=off, loglike_method="nb2").fit(
                start_params=np.append(pois.params, 0.05), disp=0, maxiter=200)
            glm = sm.GLM(yv, X, family=sm.families.NegativeBinomial(alpha=nb.params[-1]),
                         offset=off).fit(start_params=nb.params[:-1])
            scale = max(1.0, glm.pearson_chi2 / glm.df_resid)
        assert res.log_irr == pytest.approx(glm.params[0], abs=1e-6)
        assert res.se_log == pytest.approx(glm.bse[0] * np.sqrt(scale), rel=1e-4)


def test_dispersion_arrays_match_the_one_panel_test() -> None:
    _, counts, X, off, _ = _did_problem(4)
    fit = fit_poisson_batch(X, counts, off, cov="model")
    df = X.shape[0] - X.shape[1]
    arrays = dispersion_arrays(counts, fit.mu, df)
    for i in range(len(counts)):
        one = dispersion_test(counts[i], fit.mu[i], df)
        got = [a[i] for a in arrays]
        np.testing.assert_allclose(got, [one.pearson_dispersion, one.alpha, one.statistic,
                                         one.p_value], rtol=1e-12)


def test_fe_solve_many_equals_one_solve_per_right_hand_side() -> None:
    rng = np.random.default_rng(7)
    w = rng.uniform(0.5, 2.0, (3, 5, 4))
    ra, ry = rng.normal(size=(3, 6, 5)), rng.normal(size=(3, 6, 4))
    xa, xg = fe_solve_many(w, ra, ry)
    for m in range(6):
        a1, g1 = _fe_solve(w, ra[:, m], ry[:, m])
        np.testing.assert_allclose(xa[:, m], a1, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(xg[:, m], g1, rtol=1e-12, atol=1e-12)


def _public_values(result, term) -> list[float]:
    if term == "effect":
        return [result.log_irr, result.se_log, result.ci_low, result.ci_high, result.p_value]
    row = result.details.set_index("event_time").loc[term]
    return [float(row[k]) for k in ("log_irr", "se_log", "ci_low", "ci_high", "p_value")]


@pytest.mark.parametrize("design", ["panel_did", "event_study", "staggered_did",
                                    "two_group_did"])
def test_batched_designs_equal_the_public_functions_with_irregular_panels(design: str) -> None:
    """Every replication equals the public function, also when its counts change the design."""
    rng = np.random.default_rng(11)
    starts = ([2013.0] * 6 + [2014.0] * 6 if design == "staggered_did" else [2013.0] * 12)
    starts += [np.nan] * 12
    template, counts = simulate_panels(rng, 4, starts, 6, lambda e, g: -0.1 - 0.05 * e,
                                       area_sd=0.3, nb_alpha=0.05, base_rate=0.01)
    counts = counts.astype(float)
    counts[1, :6] = 0  # area A00 without any case: dropped by the panel designs
    batch, public = {
        "panel_did": (panel_did_batch, panel_did),
        "event_study": (event_study_batch, event_study),
        "staggered_did": (staggered_did_batch, staggered_did),
        "two_group_did": (two_group_did_batch, two_group_did),
    }[design]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = batch(template, counts)
        assert list(res.fallback) == [False, True, False, False]
        for i, c in enumerate(counts):
            r = public(template.assign(cases=c))
            for j, term in enumerate(res.terms):
                got = [res.log_irr[i, j], res.se_log[i, j], res.ci_low[i, j],
                       res.ci_high[i, j], res.p_value[i, j]]
                np.testing.assert_allclose(got, _public_values(r, term), rtol=1e-9,
                                           atol=1e-12, err_msg=f"{design} {i} {term}")


def test_panel_did_batch_refuses_inference_it_does_not_batch() -> None:
    rng = np.random.default_rng(12)
    template, counts = simulate_panels(rng, 2, [2013.0] * 3 + [np.nan] * 10, 6,
                                       lambda e, g: 0 * e)
    with pytest.raises(MethodError):
        panel_did_batch(template, counts)  # 3 model areas: the default is randomization
    res = panel_did_batch(template, counts, inference="cluster")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = panel_did(template.assign(cases=counts[0]), inference="cluster")
    assert res.ci_low[0, 0] == pytest.approx(r.ci_low, rel=1e-9)
