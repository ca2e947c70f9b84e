"""A lean Poisson (pseudo-)maximum-likelihood fit with cluster-robust errors.

The panel designs fit many small Poisson models with area and year dummies
(in simulations: thousands). statsmodels' GLM does this correctly but calls
BLAS many times per iteration, which is slow on busy machines. This module does
plain iteratively reweighted least squares with a Cholesky solve and computes
the cluster-robust ("sandwich") covariance with the same small-sample factor as
statsmodels, ``G/(G-1) * (N-1)/(N-K)``. Tests compare it with statsmodels.

:func:`fit_poisson_fe` is the lean kernel for the most common of these models,
the Poisson difference-in-differences with area and year effects on one
area x year panel: the effects are concentrated out (exact alternating
updates), only the treatment effect is iterated. It returns what sandwich
variances and score bootstraps need (fitted means, the residualised treatment
indicator, the concentrated information); the batched version for many panels
is :func:`sozialanalyse.evaluation.power_kernel.fit_poisson_twfe`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg

from sozialanalyse.errors import MethodError


@dataclass(frozen=True)
class PoissonFit:
    """Coefficients, fitted means and covariance of a Poisson fit.

    Attributes
    ----------
    params
        Coefficients.
    cov
        Cluster-robust covariance (or Pearson-scaled model covariance if no
        clusters were given).
    mu
        Fitted means.
    n_iter
        IRLS iterations used.
    """

    params: np.ndarray
    cov: np.ndarray
    mu: np.ndarray
    n_iter: int

    @property
    def bse(self) -> np.ndarray:
        """Standard errors."""
        return np.sqrt(np.diag(self.cov))


def fit_poisson(
    X: np.ndarray,
    y: np.ndarray,
    offset: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> PoissonFit:
    """Poisson regression by IRLS; cluster-robust covariance if ``groups`` is given.

    Parameters
    ----------
    X
        Design matrix (full column rank).
    y
        Counts.
    offset
        Offset on the log scale (e.g. log population).
    groups
        Integer cluster labels; ``None`` gives the model covariance scaled by the
        Pearson dispersion (quasi-Poisson).
    tol, max_iter
        Convergence tolerance on the relative change of the deviance; iteration cap.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    off = np.zeros_like(y) if offset is None else np.asarray(offset, dtype=float)
    mu = y + y.mean() / 2 + 0.1
    eta = np.log(mu)
    dev_old = np.inf
    beta = np.zeros(X.shape[1])
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        z = eta - off + (y - mu) / mu
        xtw = X.T * mu
        try:
            c = linalg.cho_factor(xtw @ X)
        except linalg.LinAlgError as exc:
            raise MethodError("design matrix is singular (collinear effects)") from exc
        beta = linalg.cho_solve(c, xtw @ z)
        eta = X @ beta + off
        mu = np.exp(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = 2 * np.sum(np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
        if abs(dev - dev_old) <= tol * (abs(dev) + 0.1):
            break
        dev_old = dev
    bread = linalg.cho_solve(linalg.cho_factor((X.T * mu) @ X), np.eye(X.shape[1]))
    n, k = X.shape
    if groups is None:
        scale = float(np.sum((y - mu) ** 2 / mu) / max(n - k, 1))
        cov = bread * scale
    else:
        codes, g = np.unique(np.asarray(groups), return_inverse=True)
        n_g = len(codes)
        scores = X * (y - mu)[:, None]
        summed = np.zeros((n_g, k))
        np.add.at(summed, g, scores)
        meat = summed.T @ summed
        factor = n_g / (n_g - 1) * (n - 1) / (n - k) if n_g > 1 else 1.0
        cov = factor * bread @ meat @ bread
    return PoissonFit(beta, cov, mu, n_iter)


@dataclass(frozen=True)
class PoissonFEFit:
    """Poisson DiD on one area x year panel with concentrated area and year effects.

    Attributes
    ----------
    beta
        Estimated (or, with ``beta_fixed``, imposed) log incidence-rate ratio.
    se_model
        Model-based (Poisson) standard error of ``beta``.
    info
        Information on ``beta`` after the effects are concentrated out,
        ``sum mu * d_tilde**2`` (``se_model = info ** -0.5``).
    mu
        Shape ``(A, T)``: fitted means.
    d_tilde
        Shape ``(A, T)``: ``mu``-weighted residual of the treatment indicator on
        area and year dummies. The influence of cell ``(i, t)`` on ``beta`` is
        ``d_tilde[i, t] * (y[i, t] - mu[i, t]) / info``, so sandwich variances
        and score (wild) bootstraps need only ``mu``, ``d_tilde`` and ``info``.
    area_effects
        Shape ``(A,)``: log area effects (the year effect of the first year is 0).
    year_effects
        Shape ``(T,)``: log year effects, first year 0.
    n_iter
        Newton steps on ``beta``.
    converged
        Whether the fit converged and ``beta`` is identified.
    """

    beta: float
    se_model: float
    info: float
    mu: np.ndarray
    d_tilde: np.ndarray
    area_effects: np.ndarray
    year_effects: np.ndarray
    n_iter: int
    converged: bool


def _fe_given_beta(
    y_area: np.ndarray, y_year: np.ndarray, base: np.ndarray, v: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact alternating updates ``u = y_i. / (base @ v)``, ``v = y_.t / (u @ base)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(1000):
            u = y_area / (base @ v)
            v_new = y_year / (u @ base)
            done = bool(np.all(np.abs(v_new - v) <= tol * np.abs(v_new)))
            v = v_new
            if done:
                break
        u = y_area / (base @ v)
    return u, v


def _residual_treatment(mu: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, float]:
    """``mu``-weighted residual of ``d`` on area and year dummies, and ``sum mu d_tilde^2``."""
    w_area = mu.sum(axis=1)
    w_area = np.where(w_area > 0, w_area, 1.0)
    wd = mu * d
    wd_area = wd.sum(axis=1)
    ratio = mu / w_area[:, None]
    m = np.diag(mu.sum(axis=0)) - ratio.T @ mu
    r = wd.sum(axis=0) - ratio.T @ wd_area
    g = np.zeros(mu.shape[1])
    if mu.shape[1] > 1:
        try:
            g[1:] = np.linalg.solve(m[1:, 1:], r[1:])
        except np.linalg.LinAlgError:
            g[1:] = np.linalg.lstsq(m[1:, 1:], r[1:], rcond=None)[0]
    c = (wd_area - mu @ g) / w_area
    d_tilde = d - c[:, None] - g[None, :]
    return d_tilde, float((wd * d_tilde).sum())


def fit_poisson_fe(
    counts: np.ndarray,
    exposure: np.ndarray,
    treat: np.ndarray,
    *,
    beta_fixed: float | None = None,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> PoissonFEFit:
    """Poisson DiD ``log E[y_it] = a_i + g_t + beta D_it + log(exposure_it)`` for one panel.

    The area and year effects are concentrated out as in fixest: for a given
    ``beta`` they solve the Poisson score equations exactly by alternating
    closed-form updates (fitted area and year totals equal the observed ones),
    and ``beta`` takes Newton steps on the concentrated log-likelihood, whose
    derivative is ``sum D (y - mu)`` and whose curvature is ``-sum mu d_tilde^2``.
    The result equals the maximum-likelihood fit with area and year dummies
    (statsmodels' ``GLM`` with ``Poisson()``; tested to 1e-6). The batched
    version for many panels is
    :func:`sozialanalyse.evaluation.power_kernel.fit_poisson_twfe`.

    Parameters
    ----------
    counts, exposure, treat
        Shape ``(A, T)``: case counts, exposure (e.g. young residents; the offset
        is its log, must be positive) and the treatment indicator.
    beta_fixed
        Hold ``beta`` at this value and fit only the effects (restricted fit for
        score tests and null-imposed bootstraps).
    tol, max_iter
        Convergence tolerance on the Newton step and maximum number of steps.

    Returns
    -------
    PoissonFEFit
    """
    y = np.asarray(counts, dtype=float)
    n = np.asarray(exposure, dtype=float)
    d = np.asarray(treat, dtype=bool).astype(float)
    if y.ndim != 2 or n.shape != y.shape or d.shape != y.shape:
        raise ValueError("counts, exposure and treat must be (A, T) arrays of one shape")
    if np.any(y < 0) or np.any(n <= 0):
        raise ValueError("counts must be non-negative and exposure positive")
    y_area, y_year = y.sum(axis=1), y.sum(axis=0)
    y_treat = float((y * d).sum())
    identified = 0.0 < y_treat < float(y.sum())
    beta = 0.0 if beta_fixed is None else float(beta_fixed)
    v = y_year / n.sum(axis=0)
    n_iter, converged = 0, beta_fixed is not None
    while True:
        base = n * np.exp(beta * d)
        u, v = _fe_given_beta(y_area, y_year, base, v, 1e-13)
        mu = u[:, None] * v[None, :] * base
        d_tilde, info = _residual_treatment(mu, d)
        if converged or n_iter >= max_iter or not identified:
            break
        n_iter += 1
        step = float(np.clip((y_treat - (mu * d).sum()) / info, -1.0, 1.0))
        beta += step
        converged = abs(step) < tol
    with np.errstate(divide="ignore"):
        log_u, log_v = np.log(u), np.log(v)
    shift = log_v[0]
    return PoissonFEFit(
        beta=beta,
        se_model=float(info**-0.5) if info > 0 else float("nan"),
        info=info,
        mu=mu,
        d_tilde=d_tilde,
        area_effects=log_u + shift,
        year_effects=log_v - shift,
        n_iter=n_iter,
        converged=bool(converged and identified and info > 0),
    )
