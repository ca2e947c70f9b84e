"""Batched Poisson difference-in-differences with concentrated area and year effects.

The power analysis fits the same Poisson model to thousands of simulated
panels::

    log E[y_it] = a_i + g_t + beta * D_it + log(exposure_it)

Only ``beta`` is of interest, so the area effects ``a_i`` and year effects
``g_t`` are *concentrated out*, as fixest does for Poisson fixed effects
(Bergé 2018, R package FENmlm/fixest; Correia, Guimarães and Zylkin 2020,
ppmlhdfe):

* **Effects given beta, in closed form.** For fixed ``beta`` the Poisson
  score equations of the effects say that the fitted counts reproduce the
  area totals and the year totals. In multiplicative form, with
  ``u_i = exp(a_i)``, ``v_t = exp(g_t)`` and ``E_it = exposure_it exp(beta D_it)``,
  the exact update of one set given the other is
  ``u_i = y_i. / sum_t v_t E_it`` and ``v_t = y_.t / sum_i u_i E_it``.
  Alternating the two (iterative proportional fitting) converges to the
  maximum-likelihood effects; started from the previous solution it needs a
  few sweeps, each two batched matrix-vector products.
* **Quasi-Newton on beta alone.** With the effects at their optimum the
  derivative of the concentrated log-likelihood is ``sum D_it (y_it - mu_it)``
  and its second derivative is ``-sum mu_it Dt_it^2``, where ``Dt`` is the
  residual of ``D`` after a ``mu``-weighted regression on area and year
  dummies. The steps on ``beta`` use an upper bound of that curvature first
  and secant updates after; the exact curvature (the area part of the
  regression in closed form, the year part a ``(T - 1) x (T - 1)`` solve per
  panel) is computed once at the optimum for the standard errors.

When all panels share one exposure table (the power simulation), every sum
over areas or years is one matrix product with the stacked effects, so the
iterations never form an array of shape ``(B, A, T)``.

At the optimum these are exactly the maximum-likelihood estimate and the
model-based standard error of ``GLM(..., family=Poisson())`` with area and
year dummies (tested to 1e-6 against statsmodels). The default errors are a
sandwich with the negative-binomial variance function ``mu (1 + alpha mu)``,
``sum v Dt^2 / (sum mu Dt^2)^2``, which keeps the test at its level when
overdispersion and area sizes vary.

The single-panel version of the same kernel is
:func:`sozialanalyse.evaluation.poisson.fit_poisson_fe`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

Scale = Literal["model", "pearson", "nb2"]

#: Largest Newton step on the log-IRR scale (a safeguard far from the optimum).
MAX_STEP = 1.0


@dataclass(frozen=True)
class BatchFit:
    """Poisson two-way fixed-effects DiD fitted to a batch of panels.

    Attributes
    ----------
    beta
        Shape ``(B,)``: estimated log incidence-rate ratio per panel.
    se
        Shape ``(B,)``: its standard error (model-based, Pearson-scaled or NB2
        sandwich, see ``scale`` of :func:`fit_poisson_twfe`).
    se_model
        Shape ``(B,)``: model-based (Poisson) standard error.
    scale
        Shape ``(B,)``: Pearson dispersion ``X2 / (n - p)`` (always computed; it
        enters ``se`` only for ``scale="pearson"``).
    df_resid
        Residual degrees of freedom ``n - p`` (number of cells minus parameters).
    converged
        Shape ``(B,)``: whether the fit converged with a finite, positive
        standard error.
    n_iter
        Number of Newton steps on ``beta`` used.
    year_effects
        Shape ``(B, T - 1)``: log year effects relative to the first year.
    dispersion
        Shape ``(B,)``: moment estimate of the NB2 ``alpha`` (only for
        ``scale="nb2"``, else ``nan``).
    """

    beta: np.ndarray
    se: np.ndarray
    se_model: np.ndarray
    scale: np.ndarray
    df_resid: int
    converged: np.ndarray
    n_iter: int
    year_effects: np.ndarray = field(repr=False)
    dispersion: np.ndarray = field(repr=False, default_factory=lambda: np.array([]))

    def p_values(self, use_t: bool = False) -> np.ndarray:
        """Two-sided p-values for beta = 0 (normal, or t with ``df_resid``)."""
        z = np.abs(self.beta / self.se)
        if use_t:
            return 2.0 * stats.t.sf(z, self.df_resid)
        return 2.0 * stats.norm.sf(z)

    def conf_int(self, level: float = 0.95, use_t: bool = False) -> np.ndarray:
        """Shape ``(B, 2)`` Wald interval for the log IRR."""
        q = (
            stats.t.ppf(0.5 + level / 2, self.df_resid)
            if use_t
            else stats.norm.ppf(0.5 + level / 2)
        )
        return np.stack([self.beta - q * self.se, self.beta + q * self.se], axis=-1)


class _Exposure:
    """Exposure split into untreated and treated parts, with the sums the kernel needs.

    ``base = exposure * exp(beta D) = n0 + e * nd`` with ``e = exp(beta)``
    per panel. When all panels share one ``(A, T)`` exposure (the power
    simulation), every sum over areas or years is a single matrix product
    with the stacked effects, and no ``(B, A, T)`` array is formed until the
    end; per-panel exposure ``(B, A, T)`` uses batched products instead.
    """

    def __init__(self, exposure: np.ndarray, d: np.ndarray) -> None:
        self.shared = exposure.ndim == 2
        self.n0 = exposure * (1.0 - d)
        self.nd = exposure * d
        t = d.shape[-1]
        if self.shared:
            a = d.shape[0]
            # pair products base_it base_is = n0 n0 + e (n0 nd + nd n0) + e^2 nd nd,
            # stacked so that one product with the area weights gives all three
            cross = self.n0[:, :, None] * self.nd[:, None, :]
            self.pair_basis = np.concatenate(
                [
                    (self.n0[:, :, None] * self.n0[:, None, :]).reshape(a, t * t),
                    (cross + np.swapaxes(cross, 1, 2)).reshape(a, t * t),
                    (self.nd[:, :, None] * self.nd[:, None, :]).reshape(a, t * t),
                ],
                axis=1,
            )

    def rows(self, v: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(sum_t base_it v_t, sum_t e nd_it v_t)``, each of shape ``(B, A)``."""
        if self.shared:
            treated = e[:, None] * (v @ self.nd.T)
            return v @ self.n0.T + treated, treated
        treated = e[:, None] * (self.nd @ v[:, :, None])[:, :, 0]
        return (self.n0 @ v[:, :, None])[:, :, 0] + treated, treated

    def cols(self, u: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(sum_i u_i base_it, sum_i u_i e nd_it)``, each of shape ``(B, T)``."""
        if self.shared:
            treated = e[:, None] * (u @ self.nd)
            return u @ self.n0 + treated, treated
        treated = e[:, None] * (u[:, None, :] @ self.nd)[:, 0, :]
        return (u[:, None, :] @ self.n0)[:, 0, :] + treated, treated

    def pairs(self, c: np.ndarray, e: np.ndarray) -> np.ndarray:
        """``sum_i c_i base_it base_is``, shape ``(B, T, T)``."""
        if self.shared:
            t = self.n0.shape[1]
            # einsum rather than a BLAS product: multithreaded BLAS is slow on busy machines
            p = np.einsum("ba,ak->bk", c, self.pair_basis).reshape(-1, 3, t, t)
            return p[:, 0] + e[:, None, None] * p[:, 1] + (e * e)[:, None, None] * p[:, 2]
        base = self.base(e)
        return np.swapaxes(base * c[:, :, None], 1, 2) @ base

    def base(self, e: np.ndarray) -> np.ndarray:
        """``exposure * exp(beta D)``, shape ``(B, A, T)``."""
        return self.n0 + e[:, None, None] * self.nd


def _effects(
    y_area: np.ndarray,
    y_year: np.ndarray,
    expo: _Exposure,
    e: np.ndarray,
    v: np.ndarray,
    tol: float = 1e-13,
    max_iter: int = 1000,
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood area and year effects (``exp`` scale) for given ``e = exp(beta)``.

    Exact alternating updates ``u_i = y_i. / sum_t base_it v_t`` and
    ``v_t = y_.t / sum_i u_i base_it`` (iterative proportional fitting),
    started from ``v``, until no ``v_t`` changes by more than ``tol`` (relative).
    The returned ``u`` is updated last, so the area totals are matched exactly.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(max_iter):
            u = y_area / expo.rows(v, e)[0]
            v_new = y_year / expo.cols(u, e)[0]
            done = np.all(np.abs(v_new - v) <= tol * np.abs(v_new))
            v = v_new
            if done:
                break
        u = y_area / expo.rows(v, e)[0]
    return u, v


def _projection(
    u: np.ndarray, v: np.ndarray, e: np.ndarray, expo: _Exposure
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Concentrated quantities of the treatment at the fitted means ``mu = u v base``.

    Returns
    -------
    tuple
        ``(fitted_treated, info, c, g)``: ``sum D mu`` per panel, the
        information ``sum mu d_tilde^2`` on ``beta`` after the effects are
        concentrated out, and the area (``c``, ``(B, A)``) and year (``g``,
        ``(B, T)``, first 0) coefficients of the ``mu``-weighted regression of
        ``D`` on area and year dummies, so that ``d_tilde = D - c_i - g_t``.
    """
    b, t = v.shape
    rows, rows_d = expo.rows(v, e)
    w_area = u * rows  # sum_t mu_it
    wd_area = u * rows_d  # sum_t mu_it D_it
    safe = np.where(w_area > 0, w_area, 1.0)
    cols, cols_d = expo.cols(u, e)
    w_year = v * cols
    wd_year = v * cols_d
    # profile out the area intercepts: M g = r for the year intercepts (g_0 = 0)
    m = -expo.pairs(u * u / safe, e) * v[:, :, None] * v[:, None, :]
    idx = np.arange(t)
    m[:, idx, idx] += w_year
    r = wd_year - v * expo.cols(u * wd_area / safe, e)[0]
    m1, r1 = m[:, 1:, 1:], r[:, 1:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            g1 = np.linalg.solve(m1, r1)[:, :, 0]
        except np.linalg.LinAlgError:
            g1 = (np.linalg.pinv(m1) @ r1)[:, :, 0]
    g = np.concatenate([np.zeros((b, 1)), g1], axis=1)
    fitted_treated = wd_area.sum(axis=1)
    info = fitted_treated - (wd_area * wd_area / safe).sum(axis=1) - (r[:, 1:] * g1).sum(axis=1)
    c = (wd_area - u * expo.rows(v * g, e)[0]) / safe
    return fitted_treated, info, c, g


def fit_poisson_twfe(
    counts: np.ndarray,
    exposure: np.ndarray,
    treat: np.ndarray,
    *,
    scale: Scale = "nb2",
    max_iter: int = 50,
    tol: float = 1e-10,
    beta_fixed: float | np.ndarray | None = None,
) -> BatchFit:
    """Fit the Poisson DiD with area and year effects to many panels at once.

    The model is ``log E[y_it] = a_i + g_t + beta * D_it + log(exposure_it)``;
    the effects are concentrated out (see the module docstring). The steps on
    ``beta`` are quasi-Newton: the first uses the information with only the
    area effects partialled out (an upper bound, so the step is not too long),
    the following ones secant updates of the concentrated information. At the
    optimum the concentrated information is computed exactly for the standard
    errors.

    Parameters
    ----------
    counts
        Shape ``(B, A, T)`` (or ``(A, T)`` for one panel): case counts.
    exposure
        Shape ``(A, T)`` or ``(B, A, T)``: young residents (the offset is its
        log). One shared ``(A, T)`` exposure is the fast path.
    treat
        Shape ``(A, T)`` boolean: treated area-years (any adoption pattern),
        shared by all panels; or ``(B, A, T)``, one pattern per panel (with
        ``counts`` of shape ``(A, T)``: one panel under ``B`` treatment
        assignments, as randomization inference needs).
    scale
        ``"model"`` for Poisson standard errors, ``"pearson"`` to multiply the
        variance by the Pearson dispersion (quasi-Poisson, as statsmodels'
        ``fit(scale="X2")``), ``"nb2"`` for a sandwich variance with the
        negative-binomial variance function ``mu (1 + alpha mu)`` (``alpha`` by
        moments): robust when overdispersion grows with the counts, as it does
        when areas differ in size.
    max_iter, tol
        Steps on ``beta`` and convergence tolerance on the step.
    beta_fixed
        If given (scalar or shape ``(B,)``), ``beta`` is held at this value and
        only the effects are fitted (the restricted fit of a score test or a
        null-imposed bootstrap); standard errors are then evaluated there.

    Returns
    -------
    BatchFit
        Estimates per panel. Panels where the effect is not identified (for
        example no cases in the treated area-years) come back with
        ``converged=False``.
    """
    y = np.asarray(counts, dtype=float)
    treat_b = np.asarray(treat, dtype=bool)
    if y.ndim == 2:
        y = y[None]
    if y.ndim != 3:
        raise ValueError("counts must have shape (B, A, T) or (A, T)")
    if treat_b.ndim == 3 and y.shape[0] == 1 and treat_b.shape[0] > 1:
        # one panel, many treatment patterns (randomization inference)
        y = np.broadcast_to(y, (treat_b.shape[0],) + y.shape[1:])
    b, a, t = y.shape
    if treat_b.shape not in ((a, t), (b, a, t)):
        raise ValueError(f"treat must have shape {(a, t)} or {(b, a, t)}, got {treat_b.shape}")
    if np.any(y < 0):
        raise ValueError("counts must be non-negative")
    n = np.asarray(exposure, dtype=float)
    if n.shape not in ((a, t), (b, a, t)):
        raise ValueError(f"exposure must have shape {(a, t)} or {(b, a, t)}, got {n.shape}")
    if np.any(n <= 0):
        raise ValueError("exposure must be positive")
    d = treat_b.astype(float)
    if d.ndim == 3 and n.ndim == 2:
        n = np.broadcast_to(n, (b, a, t))
    expo = _Exposure(n, d)
    y_area, y_year = y.sum(axis=2), y.sum(axis=1)
    y_treat = (y * d).sum(axis=(1, 2)) if d.ndim == 3 else y.reshape(b, -1) @ d.ravel()
    # identified only if the treated cells have cases and the others too
    identified = (y_treat > 0) & (y_treat < y_area.sum(axis=1))
    fixed = beta_fixed is not None
    beta = (
        np.broadcast_to(np.asarray(beta_fixed, dtype=float), (b,)).copy()
        if fixed
        else np.zeros(b)
    )
    v = y_year / (n.sum(axis=-2) if n.ndim == 3 else np.broadcast_to(n.sum(axis=0), (b, t)))
    converged = np.ones(b, dtype=bool) if fixed else np.zeros(b, dtype=bool)
    it = 0
    slope = np.ones(b)
    beta_old = score_old = None
    while True:
        e = np.exp(beta)
        u, v = _effects(y_area, y_year, expo, e, v)
        if fixed or it >= max_iter or converged.all():
            break
        it += 1
        rows, rows_d = expo.rows(v, e)
        wd_area = u * rows_d  # fitted treated cases per area
        score = y_treat - wd_area.sum(axis=1)
        if beta_old is None:
            # first step: information with only the area effects partialled out
            # (at least the concentrated one, so the step is not too long) ...
            w_area = np.where(u * rows > 0, u * rows, 1.0)
            slope = wd_area.sum(axis=1) - (wd_area * wd_area / w_area).sum(axis=1)
        else:
            # ... then secant updates of the concentrated information
            with np.errstate(divide="ignore", invalid="ignore"):
                secant = (score_old - score) / (beta - beta_old)
            slope = np.where(np.isfinite(secant) & (secant > 0), secant, slope)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.clip(score / slope, -MAX_STEP, MAX_STEP)
        step = np.where(identified & np.isfinite(step), step, 0.0)
        beta_old, score_old = beta, score
        beta = beta + step
        converged = np.abs(step) < tol
    _, info, c, g = _projection(u, v, e, expo)
    mu = (u[:, :, None] * v[:, None, :] * expo.base(e)).reshape(b, a * t)
    df_resid = a * t - (a + t)  # area + year effects (one normalisation) + treatment
    # Pearson contributions; mu = 0 only where the area or year has no cases
    q0 = np.square(y.reshape(b, -1) - mu) / np.maximum(mu, np.finfo(float).tiny)
    phi = q0.sum(axis=1) / df_resid if df_resid > 0 else np.full(b, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_model = 1.0 / np.sqrt(info)
    alpha_nb = np.full(b, np.nan)
    if scale == "pearson":
        se = se_model * np.sqrt(phi)
    elif scale == "nb2":
        alpha_nb = _nb2_alpha(q0, mu, df_resid)
        # sum mu (1 + alpha mu) d_tilde^2 = info + alpha sum (mu d_tilde)^2
        md = (d - c[:, :, None] - g[:, None, :]).reshape(b, a * t)
        md *= mu
        extra = np.einsum("bk,bk->b", md, md)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(info + alpha_nb * extra) / info
    elif scale == "model":
        se = se_model
    else:
        raise ValueError(f"unknown scale {scale!r}")
    with np.errstate(divide="ignore"):
        log_v = np.log(v)
    ok = converged & identified & np.isfinite(se) & (se > 0)
    return BatchFit(
        beta=beta,
        se=se,
        se_model=se_model,
        scale=phi,
        df_resid=int(df_resid),
        converged=ok,
        n_iter=it,
        year_effects=log_v[:, 1:] - log_v[:, :1],
        dispersion=alpha_nb,
    )


def nb2_alpha(y: np.ndarray, mu: np.ndarray, df_resid: int) -> np.ndarray:
    """Moment estimate of the NB2 dispersion per panel.

    Solves ``F(alpha) = sum (y - mu)^2 / (mu (1 + alpha mu)) = df_resid`` for
    ``alpha >= 0`` (the Pearson equation of the negative binomial); 0 when the
    counts are not overdispersed (``F(0) <= df_resid``). Newton's method runs on
    ``G(alpha) = df_resid / F(alpha) - 1``: ``1 / F`` is increasing, concave and
    nearly linear (exactly linear for one cell), so the iteration started at 0
    climbs monotonically to the root in a few steps.

    Parameters
    ----------
    y, mu
        Shape ``(B, ...)``: counts and fitted means per panel.
    df_resid
        Residual degrees of freedom.
    """
    b = y.shape[0]
    m = np.asarray(mu, dtype=float).reshape(b, -1)
    q0 = np.square(np.asarray(y, dtype=float).reshape(b, -1) - m) / np.maximum(
        m, np.finfo(float).tiny
    )
    return _nb2_alpha(q0, m, df_resid)


def _nb2_alpha(
    q0: np.ndarray, m: np.ndarray, df_resid: int, n_iter: int = 50, tol: float = 1e-10
) -> np.ndarray:
    """:func:`nb2_alpha` from Pearson contributions ``q0`` and means ``m``, shape ``(B, K)``."""
    b = q0.shape[0]
    alpha = np.zeros(b)
    over = q0.sum(axis=1) > df_resid
    if not over.any() or df_resid <= 0:
        return alpha
    if not over.all():
        q0, m = q0[over], m[over]
    a = np.zeros(q0.shape[0])
    qm = q0 * m
    inv = np.empty_like(m)
    for _ in range(n_iter):
        np.multiply(a[:, None], m, out=inv)
        inv += 1.0
        np.reciprocal(inv, out=inv)
        f = np.einsum("bk,bk->b", q0, inv)
        fp = -np.einsum("bk,bk,bk->b", qm, inv, inv)
        # G = df / F - 1, G' = -df F' / F^2
        step = (1.0 - df_resid / f) * f * f / (-df_resid * fp)
        a = a + step
        if np.all(np.abs(step) <= tol * np.maximum(a, 1e-12)):
            break
    alpha[over] = a
    return alpha


def panel_arrays(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treat: str = "treat",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn a tidy panel into ``(counts, exposure, treat)`` arrays of shape ``(A, T)``."""
    y = panel.pivot(index=area, columns=year, values=cases).to_numpy(dtype=float)
    n = panel.pivot(index=area, columns=year, values=population).to_numpy(dtype=float)
    d = panel.pivot(index=area, columns=year, values=treat).to_numpy(dtype=bool)
    return y, n, d
