"""Lean count-model fits (Poisson, NB2) with cluster-robust errors, for one or many panels.

The panel designs fit many small Poisson models with area and year dummies
(in simulations: thousands). statsmodels' GLM does this correctly but calls
BLAS many times per iteration, which is slow on busy machines. This module does
plain iteratively reweighted least squares and computes the cluster-robust
("sandwich") covariance with the same small-sample factor as statsmodels,
``G/(G-1) * (N-1)/(N-K)``. Tests compare it with statsmodels.

:func:`fit_poisson_batch` fits one design matrix to a batch of count vectors
at once (the information of all panels is one matrix product, the normal
equations a stack of solves; each panel stops on its own deviance criterion,
so its fit does not depend on the rest of the batch). :func:`fit_poisson` is
the same code with one panel, so the designs (:func:`panel_did`,
:func:`event_study`, :func:`staggered_did`, :func:`two_group_did`) and their
batched paths used by the calibration tests (``*_batch``) share one kernel.
:func:`fit_nb2_batch` is the negative binomial (NB2) maximum likelihood of
:func:`two_group_did`.

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
from typing import Literal

import numpy as np
from scipy import special

from sozialanalyse.errors import MethodError

CovType = Literal["cluster", "pearson", "model", "hc0"]

#: Largest number of floats in one chunk's ``(B, N, K)``-sized work arrays.
_CHUNK_FLOATS = 4_000_000

#: Smallest batch for which the information of all panels is one product with the
#: row-wise outer products of ``X``.
_MIN_OUTER_BATCH = 8


@dataclass(frozen=True)
class PoissonFit:
    """Coefficients, fitted means and covariance of a Poisson fit.

    Attributes
    ----------
    params
        Coefficients.
    cov
        Cluster-robust covariance (or Pearson-scaled model covariance if no
        clusters were given; see ``cov`` of :func:`fit_poisson_batch`).
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


@dataclass(frozen=True)
class PoissonBatchFit:
    """Poisson fits of one design matrix to a batch of count vectors.

    Attributes
    ----------
    params
        Shape ``(B, K)``: coefficients per panel.
    cov
        Shape ``(B, K, K)``: covariance per panel (see ``cov`` of
        :func:`fit_poisson_batch`).
    mu
        Shape ``(B, N)``: fitted means.
    n_iter
        Shape ``(B,)``: IRLS iterations used per panel.
    bread
        Shape ``(B, K, K)``: inverse information ``(X' W X)^-1`` at the fit
        (the model-based covariance).
    alpha
        Shape ``(B,)``: NB2 dispersion the fit used (0 for Poisson).
    """

    params: np.ndarray
    cov: np.ndarray
    mu: np.ndarray
    n_iter: np.ndarray
    bread: np.ndarray
    alpha: np.ndarray

    @property
    def bse(self) -> np.ndarray:
        """Shape ``(B, K)``: standard errors."""
        return np.sqrt(np.diagonal(self.cov, axis1=1, axis2=2))

    def __len__(self) -> int:
        return self.params.shape[0]

    def panel(self, i: int) -> PoissonFit:
        """The fit of panel ``i`` as a :class:`PoissonFit`."""
        return PoissonFit(self.params[i], self.cov[i], self.mu[i], int(self.n_iter[i]))


def _solve_pd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``a x = b`` for a stack of positive definite ``a``; MethodError if singular."""
    try:
        np.linalg.cholesky(a)  # same positive-definiteness check as LAPACK potrf
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError as exc:
        raise MethodError("design matrix is singular (collinear effects)") from exc


def _irls(
    X: np.ndarray,
    XX: np.ndarray | None,
    y: np.ndarray,
    off: np.ndarray,
    alpha: np.ndarray,
    tol: float,
    max_iter: int,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched IRLS of a log-link count GLM with variance ``mu (1 + alpha mu)``.

    ``alpha = 0`` is Poisson. Each panel stops on its own when the relative
    change of its deviance is at most ``tol`` (so a panel's result does not
    depend on the other panels in the batch). ``XX`` (shape ``(N, K * K)``,
    the row-wise outer products of ``X``) turns the information of all panels
    into one matrix product. ``start=(beta, mu)`` warm-starts the iteration.

    Returns
    -------
    (beta, mu, n_iter)
    """
    b, n = y.shape
    k = X.shape[1]
    if start is None:
        mu = y + y.mean(axis=1, keepdims=True) / 2 + 0.1
        beta = np.zeros((b, k))
    else:
        beta, mu = start[0].copy(), start[1].copy()
    eta = np.log(mu)
    dev_old = np.full(b, np.inf)
    n_iter = np.zeros(b, dtype=int)
    active = np.arange(b)
    a = alpha[:, None]
    for _ in range(max_iter):
        if active.size == 0:
            break
        n_iter[active] += 1
        m, ya, ai = mu[active], y[active], a[active]
        w = m / (1.0 + ai * m)
        z = eta[active] - off[active] + (ya - m) / m
        if XX is not None:
            info = (w @ XX).reshape(-1, k, k)
        else:
            info = (X.T[None] * w[:, None, :]) @ X
        bt = _solve_pd(info, ((w * z) @ X)[:, :, None])[:, :, 0]
        et = bt @ X.T + off[active]
        mt = np.exp(et)
        with np.errstate(divide="ignore", invalid="ignore"):
            ylog = np.where(ya > 0, ya * np.log(ya / mt), 0.0)
            if np.any(ai > 0):
                # NB2: - (y + 1/a) log((1 + a y) / (1 + a mu)), -> -(y - mu) as a -> 0
                safe = np.where(ai > 0, ai, 1.0)
                nb = np.where(ai > 0, (ya + 1.0 / safe)
                              * np.log((1.0 + safe * ya) / (1.0 + safe * mt)), ya - mt)
                dev = 2 * np.sum(ylog - nb, axis=1)
            else:
                dev = 2 * np.sum(ylog - (ya - mt), axis=1)
        beta[active], eta[active], mu[active] = bt, et, mt
        done = np.abs(dev - dev_old[active]) <= tol * (np.abs(dev) + 0.1)
        dev_old[active] = dev
        active = active[~done]
    return beta, mu, n_iter


def _outer(X: np.ndarray, batch: int) -> np.ndarray | None:
    """Row-wise outer products of ``X``, shape ``(N, K * K)``.

    ``None`` (form ``X' W X`` per panel instead) for small batches, where one
    matrix product per panel is faster, and when the array would be too large.
    """
    n, k = X.shape
    if batch < _MIN_OUTER_BATCH or n * k * k > 4 * _CHUNK_FLOATS:
        return None
    return (X[:, :, None] * X[:, None, :]).reshape(n, k * k)


def _covariances(
    X: np.ndarray,
    XX: np.ndarray | None,
    y: np.ndarray,
    mu: np.ndarray,
    alpha: np.ndarray,
    groups: np.ndarray | None,
    cov: CovType,
) -> tuple[np.ndarray, np.ndarray]:
    """``(cov, bread)`` per panel at the fitted means (see :func:`fit_poisson_batch`)."""
    n, k = X.shape
    w = mu / (1.0 + alpha[:, None] * mu)
    if XX is not None:
        info = (w @ XX).reshape(-1, k, k)
    else:
        info = (X.T[None] * w[:, None, :]) @ X
    bread = _solve_pd(info, np.broadcast_to(np.eye(k), info.shape))
    if cov == "model":
        return bread, bread
    if cov == "pearson":
        scale = np.sum((y - mu) ** 2 / (mu * (1.0 + alpha[:, None] * mu)), axis=1) / max(n - k, 1)
        return bread * scale[:, None, None], bread
    resid = (y - mu) / (1.0 + alpha[:, None] * mu)  # score contributions / x
    if cov == "hc0":
        if XX is not None:
            meat = ((resid * resid) @ XX).reshape(-1, k, k)
        else:
            meat = (X.T[None] * (resid * resid)[:, None, :]) @ X
        return bread @ meat @ bread, bread
    if cov != "cluster" or groups is None:
        raise ValueError(f"unknown covariance {cov!r} (cluster needs groups)")
    codes, g = np.unique(np.asarray(groups), return_inverse=True)
    n_g = len(codes)
    member = np.zeros((n_g, n))
    member[g.ravel(), np.arange(n)] = 1.0
    summed = member @ (resid[:, :, None] * X[None])  # (B, G, K)
    meat = np.swapaxes(summed, 1, 2) @ summed
    factor = n_g / (n_g - 1) * (n - 1) / (n - k) if n_g > 1 else 1.0
    return factor * bread @ meat @ bread, bread


def fit_poisson_batch(
    X: np.ndarray,
    Y: np.ndarray,
    offset: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    *,
    cov: CovType | None = None,
    alpha: float | np.ndarray = 0.0,
    tol: float = 1e-10,
    max_iter: int = 100,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> PoissonBatchFit:
    """Poisson (or NB2 with known ``alpha``) regressions of one design on many count vectors.

    The same dense IRLS for every panel of the batch: the information
    ``X' W X`` of all panels is one matrix product, the normal equations are
    solved as a stack. Each panel stops when the relative change of its
    deviance is at most ``tol``, exactly as a fit of that panel alone
    (:func:`fit_poisson` is this function with one panel).

    Parameters
    ----------
    X
        Shape ``(N, K)``: design matrix shared by all panels (full column rank).
    Y
        Shape ``(B, N)`` (or ``(N,)``): counts.
    offset
        Shape ``(N,)`` or ``(B, N)``: offset on the log scale (e.g. log population).
    groups
        Shape ``(N,)``: integer cluster labels.
    cov
        ``"cluster"`` (default with ``groups``): cluster-robust sandwich with
        statsmodels' small-sample factor ``G/(G-1) * (N-1)/(N-K)``;
        ``"pearson"`` (default without ``groups``): model covariance times the
        Pearson dispersion ``X2 / max(N - K, 1)`` (quasi-Poisson); ``"model"``:
        inverse information; ``"hc0"``: heteroskedasticity-robust sandwich
        without correction (statsmodels' ``cov_type="HC0"``).
    alpha
        NB2 dispersion (scalar or shape ``(B,)``), variance ``mu (1 + alpha mu)``;
        0 is Poisson. With ``alpha > 0`` this is statsmodels'
        ``GLM(family=NegativeBinomial(alpha))``.
    tol, max_iter
        Convergence tolerance on the relative change of the deviance; iteration cap.
    start
        ``(params, mu)`` of shape ``(B, K)`` and ``(B, N)`` to start from.

    Returns
    -------
    PoissonBatchFit

    Raises
    ------
    MethodError
        If the weighted information matrix of a panel is singular.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[None]
    b, n = Y.shape
    if X.ndim != 2 or X.shape[0] != n:
        raise ValueError(f"X must have shape ({n}, K), got {X.shape}")
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)
    off = np.broadcast_to(off, (b, n))
    a = np.broadcast_to(np.asarray(alpha, dtype=float), (b,))
    kind: CovType = cov if cov is not None else ("pearson" if groups is None else "cluster")
    XX = _outer(X, b)
    k = X.shape[1]
    step = max(1, _CHUNK_FLOATS // max(n * k, 1))
    parts = []
    for s in range(0, b, step):
        sl = slice(s, s + step)
        st = None if start is None else (start[0][sl], start[1][sl])
        beta, mu, n_iter = _irls(X, XX, Y[sl], off[sl], a[sl], tol, max_iter, st)
        c, bread = _covariances(X, XX, Y[sl], mu, a[sl], groups, kind)
        parts.append((beta, c, mu, n_iter, bread))
    cat = [np.concatenate([p[j] for p in parts]) for j in range(5)]
    return PoissonBatchFit(cat[0], cat[1], cat[2], cat[3], cat[4], a.copy())


def batch_covariance(
    X: np.ndarray,
    Y: np.ndarray,
    fit: PoissonBatchFit,
    cov: CovType,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Another covariance of the fits ``fit`` of ``X`` to ``Y`` (see :func:`fit_poisson_batch`).

    Returns
    -------
    numpy.ndarray
        Shape ``(B, K, K)``.
    """
    X = np.asarray(X, dtype=float)
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    return _covariances(X, _outer(X, len(Y)), Y, fit.mu, fit.alpha, groups, cov)[0]


def fit_poisson(
    X: np.ndarray,
    y: np.ndarray,
    offset: np.ndarray | None = None,
    groups: np.ndarray | None = None,
    *,
    cov: CovType | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> PoissonFit:
    """Poisson regression by IRLS; cluster-robust covariance if ``groups`` is given.

    One panel of :func:`fit_poisson_batch` (the same code path).

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
    cov
        Covariance type (see :func:`fit_poisson_batch`); default from ``groups``.
    tol, max_iter
        Convergence tolerance on the relative change of the deviance; iteration cap.
    """
    y = np.asarray(y, dtype=float)
    return fit_poisson_batch(X, y[None], offset, groups, cov=cov, tol=tol,
                             max_iter=max_iter).panel(0)


#: Smallest NB2 dispersion of :func:`fit_nb2_batch` (the boundary of the parameter space).
MIN_NB2_ALPHA = 1e-8


def _nb2_profile_steps(
    X: np.ndarray, y: np.ndarray, mu: np.ndarray, a: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Score and curvature of the NB2 log-likelihood profiled over the coefficients.

    At ``beta(alpha)`` (the coefficients that maximise the likelihood for the
    given ``alpha``) the derivative of the profile log-likelihood in
    ``theta = log(alpha)`` is ``alpha * dl/dalpha`` and its second derivative
    ``alpha^2 (l_aa + l_ab' (-l_bb)^-1 l_ab) + alpha dl/dalpha`` (observed
    information; envelope theorem).
    """
    a2 = a[:, None]
    r = 1.0 / a2
    one = 1.0 + a2 * mu
    log1 = np.log1p(a2 * mu)
    dig = special.digamma(y + r) - special.digamma(r)
    trig = special.polygamma(1, y + r) - special.polygamma(1, r)
    s1 = (log1 - dig) / a2**2
    score = np.sum(s1 + (y - mu) / (a2 * one), axis=1)
    l_aa = np.sum(-2.0 * s1 / a2 + (mu / one + trig / a2**2) / a2**2
                  - (y - mu) * (1.0 + 2.0 * a2 * mu) / (a2 * one) ** 2, axis=1)
    l_ab = -np.einsum("bn,nk->bk", (y - mu) * mu / one**2, X)
    w = mu * (1.0 + a2 * y) / one**2
    neg_bb = (X.T[None] * w[:, None, :]) @ X
    with np.errstate(invalid="ignore"):
        try:
            corr = np.einsum("bk,bk->b", l_ab, np.linalg.solve(neg_bb, l_ab[:, :, None])[:, :, 0])
        except np.linalg.LinAlgError:
            corr = np.zeros_like(score)
    grad = a * score
    curv = a * a * (l_aa + corr) + grad
    return grad, curv


def fit_nb2_batch(
    X: np.ndarray,
    Y: np.ndarray,
    offset: np.ndarray | None = None,
    *,
    alpha_start: float | np.ndarray = 0.1,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> PoissonBatchFit:
    """Negative binomial (NB2) maximum likelihood for a batch of count vectors.

    The dispersion ``alpha`` (variance ``mu (1 + alpha mu)``) and the
    coefficients are estimated jointly, as statsmodels'
    ``NegativeBinomial(loglike_method="nb2")``: Newton steps on
    ``log(alpha)`` of the likelihood profiled over the coefficients, each
    with the coefficients refitted by IRLS for the current ``alpha``. The
    coefficients, fitted means and covariance returned are those of the
    NB2 GLM at the estimated ``alpha`` (statsmodels'
    ``GLM(family=NegativeBinomial(alpha_hat))``, model-based covariance).
    Estimates of ``alpha`` below :data:`MIN_NB2_ALPHA` (no overdispersion)
    are set to it.

    Parameters
    ----------
    X
        Shape ``(N, K)``: design matrix shared by all panels.
    Y
        Shape ``(B, N)`` (or ``(N,)``): counts.
    offset
        Shape ``(N,)`` or ``(B, N)``: offset on the log scale.
    alpha_start
        Starting value of ``alpha`` (scalar or shape ``(B,)``, positive).
    tol, max_iter
        Convergence tolerance on the Newton step of ``log(alpha)``; step cap.

    Returns
    -------
    PoissonBatchFit
        ``alpha`` holds the estimated dispersion, ``cov`` the model-based
        covariance of the NB2 GLM at that dispersion.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[None]
    b, n = Y.shape
    off = np.broadcast_to(np.zeros(n) if offset is None else np.asarray(offset, dtype=float),
                          (b, n))
    XX = _outer(X, b)
    theta = np.log(np.maximum(np.broadcast_to(np.asarray(alpha_start, dtype=float), (b,)),
                              MIN_NB2_ALPHA))
    floor = np.log(MIN_NB2_ALPHA)
    beta, mu, _ = _irls(X, XX, Y, off, np.exp(theta), 1e-13, 100)
    active = np.arange(b)
    for _ in range(max_iter):
        if active.size == 0:
            break
        a = np.exp(theta[active])
        bt, mt, _ = _irls(X, XX, Y[active], off[active], a, 1e-13, 100,
                          (beta[active], mu[active]))
        beta[active], mu[active] = bt, mt
        grad, curv = _nb2_profile_steps(X, Y[active], mt, a)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(curv < 0, -grad / curv, 0.5 * np.sign(grad))
        step = np.clip(np.nan_to_num(step), -1.0, 1.0)
        new = np.maximum(theta[active] + step, floor)
        done = (np.abs(new - theta[active]) <= tol) | ((new == floor) & (grad < 0))
        theta[active] = new
        active = active[~done]
    alpha = np.exp(theta)
    beta, mu, n_iter = _irls(X, XX, Y, off, alpha, 1e-10, 100, (beta, mu))
    cov, bread = _covariances(X, XX, Y, mu, alpha, None, "model")
    return PoissonBatchFit(beta, cov, mu, n_iter, bread, alpha)


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
