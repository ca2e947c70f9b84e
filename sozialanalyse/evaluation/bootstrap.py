"""Wild cluster bootstrap for the Poisson (and NB2) panel DiD with few model areas.

With one to three model areas among about 17, the cluster-robust t interval of
:func:`~sozialanalyse.evaluation.panel_did.panel_did` is too narrow: the
sandwich variance rests on the few treated clusters (MacKinnon & Webb 2017).
This module provides wild cluster bootstrap inference for it, with the null
hypothesis ``beta = beta0`` imposed (restricted fit of
``log E[y_it] = a_i + g_t + beta0 D_it + log(population_it)``) and one weight per
area (Rademacher or Webb's six-point distribution):

* ``statistic="wald"`` (default): the cluster-robust (CR1) Wald t of the
  unrestricted Poisson (or NB2) fit is compared with the **linearised wild
  cluster restricted bootstrap** (WCR-11 of Roodman et al. 2019 applied to the
  Fisher-scoring regression at the restricted fit, :func:`wcr_parts`): the
  bootstrap t of a draw is a ratio of two products of the ``draws x areas``
  weight matrix with per-area quantities, so no model is refitted per draw;
* ``statistic="score"``: the **score bootstrap** of Kline & Santos (2012), the
  studentised efficient score against its perturbed-score distribution. The
  score statistic is bounded when the treated areas dominate, so with few
  model areas its inverted intervals are often unbounded (measured in
  :mod:`calibration`); hence not the default;
* intervals by **test inversion** with one fixed matrix of weights: the hull
  of ``{beta0 : p(beta0) > 1 - level}`` (:func:`invert_test`). With few
  treated areas the bootstrap p-value need not fall monotonically away from
  the estimate, so this hull can be wide;
* :func:`event_study_bootstrap` does the same for each event-study
  coefficient (dense algebra);
* a **linear** variant (OLS of the log rate with area and year effects, WCR-11;
  :func:`linear_wild_bootstrap`), used in the tests to check the machinery
  against the independent ``wildboottest`` package.

With a single treated cluster the wild bootstrap is known to fail (its
distribution is driven by the one treated area; MacKinnon & Webb 2017):
the result then says so in its ``note``, with the coverage measured in the
book's setting (:data:`MEASURED_COVERAGE`). With one to three model areas and
a common start, :mod:`randomization` covered closest to 95 % in those
simulations.

References
----------
Kline, P. & Santos, A. (2012). A score based approach to wild bootstrap
inference. Journal of Econometric Methods 1(1), 23-41.
MacKinnon, J. G. & Webb, M. D. (2017). Wild bootstrap inference for wildly
different cluster sizes. Journal of Applied Econometrics 32(2), 233-254.
Roodman, D., MacKinnon, J. G., Nielsen, M. O. & Webb, M. D. (2019). Fast and
wild: bootstrap inference in Stata using boottest. Stata Journal 19(1), 4-60.
Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered
errors. Canadian Journal of Economics 56(3), 839-858.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError

Weights = Literal["rademacher", "webb"]
Family = Literal["poisson", "negbin"]

#: Webb's six-point distribution: +-sqrt(1/2), +-1, +-sqrt(3/2), each 1/6.
WEBB_POINTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


@dataclass(frozen=True)
class BootstrapResult:
    """Wild (score) cluster bootstrap test and interval for the DiD effect.

    Attributes
    ----------
    irr
        Point estimate of the incidence-rate ratio (Poisson or NB2 fit).
    p_value
        Bootstrap p-value (two-sided, symmetric) for ``IRR = null_irr``,
        computed with the null imposed: ``(1 + #{|T*| >= |T|}) / (draws + 1)``,
        or the exact share under full enumeration.
    ci_low, ci_high
        Interval for the IRR by test inversion: the hull of the confidence set
        (``0`` or ``inf`` where the bootstrap cannot reject any value on that
        side).
    level
        Confidence level of the interval.
    draws
        Number of bootstrap draws (``2**n_clusters`` under full enumeration).
    weights
        ``"rademacher"`` or ``"webb"``.
    family
        ``"poisson"``, ``"negbin"`` (NB2 score with the dispersion held fixed)
        or ``"linear"`` (OLS of the log rate).
    n_clusters, n_treated_clusters
        Areas (clusters) and treated areas used.
    null_irr
        IRR under the null hypothesis of ``p_value``.
    statistic
        Observed statistic at ``null_irr``: cluster-robust Wald t
        (``"wald"`` and ``"linear"``) or studentised score (``"score"``).
    enumerated
        Whether all ``2**n_clusters`` Rademacher sign vectors were used.
    note
        German remark for readers (empty if there is nothing to say).
    """

    irr: float
    p_value: float
    ci_low: float
    ci_high: float
    level: float
    draws: int
    weights: str
    family: str
    n_clusters: int
    n_treated_clusters: int
    null_irr: float = 1.0
    statistic: float = float("nan")
    enumerated: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """The record as a flat dictionary."""
        return dict(self.__dict__)


# ---------------------------------------------------------------------------
# weights
# ---------------------------------------------------------------------------


def draw_weights(
    kind: Weights, draws: int, n_clusters: int, rng: np.random.Generator
) -> tuple[np.ndarray, bool]:
    """Bootstrap weights, shape ``(draws, n_clusters)``.

    Rademacher weights are enumerated completely (all ``2**G`` sign vectors)
    when ``2**G <= draws``; the second return value says whether that happened.
    """
    if kind == "rademacher":
        if 2**n_clusters <= draws:
            idx = np.arange(2**n_clusters)[:, None]
            bits = (idx >> np.arange(n_clusters)[None, :]) & 1
            return (2.0 * bits - 1.0), True
        return rng.integers(0, 2, size=(draws, n_clusters)) * 2.0 - 1.0, False
    if kind == "webb":
        return WEBB_POINTS[rng.integers(0, 6, size=(draws, n_clusters))], False
    raise MethodError(f"unbekannte Bootstrap-Gewichte '{kind}' (erlaubt: 'rademacher', 'webb')")


def bootstrap_p_values(
    stat: np.ndarray, boot: np.ndarray, *, enumerated: bool = False
) -> np.ndarray:
    """Symmetric two-sided p-values.

    Parameters
    ----------
    stat
        Shape ``(m,)``: observed statistics.
    boot
        Shape ``(draws, m)``: bootstrap statistics.
    enumerated
        Full enumeration: the p-value is the exact share ``#{|T*| >= |T|} / draws``
        (the identity draw is among the draws); otherwise
        ``(1 + #{|T*| >= |T|}) / (draws + 1)``.
    """
    t = np.abs(np.asarray(stat, dtype=float))
    # a relative tolerance so that ties (e.g. the identity draw) count as extreme
    hits = (np.abs(boot) >= t * (1 - 1e-10)).sum(axis=0)
    if enumerated:
        return hits / boot.shape[0]
    return (1.0 + hits) / (boot.shape[0] + 1.0)


# ---------------------------------------------------------------------------
# the count-model kernel: restricted two-way fixed-effects fits, batched
# ---------------------------------------------------------------------------


def _fe_solve(w: np.ndarray, ra: np.ndarray, ry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve the weighted normal equations of area and year effects (first year = 0).

    For weights ``w`` of shape ``(B, A, T)`` and right-hand sides ``ra`` (area
    sums, ``(B, A)``) and ``ry`` (year sums, ``(B, T)``), returns area and year
    coefficients ``(B, A)`` and ``(B, T)`` by the Schur complement on the years.
    """
    xa, xg = fe_solve_many(w, ra[:, None, :], ry[:, None, :])
    return xa[:, 0], xg[:, 0]


def fe_solve_many(
    w: np.ndarray, ra: np.ndarray, ry: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_fe_solve` for ``M`` right-hand sides per panel with the same weights.

    The Schur complement of the year block is formed and factorised once per
    panel and solved for all ``M`` right-hand sides (randomization inference
    and the WCR bootstrap need one per area).

    Parameters
    ----------
    w
        Shape ``(B, A, T)``: weights.
    ra, ry
        Shapes ``(B, M, A)`` and ``(B, M, T)``: area and year sums of the
        right-hand sides.

    Returns
    -------
    (xa, xg)
        Shapes ``(B, M, A)`` and ``(B, M, T)`` (first year 0).
    """
    da = w.sum(axis=2)
    wm = w[:, :, 1:]
    dg = w.sum(axis=1)[:, 1:]
    s = -(np.swapaxes(wm / da[..., None], 1, 2) @ wm)
    idx = np.arange(dg.shape[1])
    s[:, idx, idx] += dg
    rhs = ry[:, :, 1:] - np.einsum("bat,bma->bmt", wm, ra / da[:, None, :])
    xg = np.swapaxes(np.linalg.solve(s, np.swapaxes(rhs, 1, 2)), 1, 2)
    xa = (ra - np.einsum("bat,bmt->bma", wm, xg)) / da[:, None, :]
    return xa, np.concatenate([np.zeros(xg.shape[:2] + (1,)), xg], axis=2)


def _parts(mu: np.ndarray, y: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fisher weights and working scores of the log-link Poisson/NB2 model."""
    den = 1.0 + alpha[:, None, None] * mu
    return mu / den, (y - mu) / den


def restricted_fit(
    y: np.ndarray,
    offset: np.ndarray,
    *,
    alpha: np.ndarray | float = 0.0,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    tol: float = 1e-10,
    max_iter: int = 60,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Fit ``log mu_it = a_i + g_t + offset_it`` to a batch of panels.

    Fisher scoring (Newton for Poisson) on the area and year effects, with the
    year block solved by its Schur complement, vectorised over the batch.

    Parameters
    ----------
    y
        Shape ``(B, A, T)``: counts.
    offset
        Shape broadcastable to ``(B, A, T)``: log population plus ``beta0 * D``.
    alpha
        NB2 dispersion, scalar or ``(B,)``; 0 gives Poisson.
    start
        Optional starting area and year effects (warm start).

    Returns
    -------
    (mu, (a, g))
        Fitted means ``(B, A, T)`` and the effects.
    """
    b = y.shape[0]
    off = np.broadcast_to(offset, y.shape)
    al = np.broadcast_to(np.asarray(alpha, dtype=float), (b,)).copy()
    if start is None:
        with np.errstate(divide="ignore"):
            a = np.log(y.sum(axis=2) / np.exp(off).sum(axis=2))
        g = np.zeros((b, y.shape[2]))
    else:
        a, g = (np.array(s, dtype=float, copy=True) for s in start)
    for _ in range(max_iter):
        mu = np.exp(np.clip(a[..., None] + g[:, None, :] + off, -700, 700))
        w, r = _parts(mu, y, al)
        da, dg = _fe_solve(w, r.sum(axis=2), r.sum(axis=1))
        size = np.maximum(np.abs(da).max(axis=1), np.abs(dg).max(axis=1))
        scale = np.minimum(1.0, 2.0 / np.maximum(size, 1e-300))  # cap wild first steps
        a = a + scale[:, None] * da
        g = g + scale[:, None] * dg
        if np.nanmax(size) < tol:
            break
    mu = np.exp(np.clip(a[..., None] + g[:, None, :] + off, -700, 700))
    return mu, (a, g)


def score_contributions(
    y: np.ndarray, mu: np.ndarray, d: np.ndarray, alpha: np.ndarray | float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Areas' contributions to the efficient score for ``beta`` and its information.

    At a fit of area and year effects (``mu``), the treatment column is projected
    off the effects with the Fisher weights; an area's contribution is
    ``c_i = sum_t (D_it - Dhat_it) (y_it - mu_it) / (1 + alpha mu_it)``.

    Returns
    -------
    (c, info)
        Shapes ``(B, A)`` and ``(B,)``; ``info = sum w (D - Dhat)^2``.
    """
    b = y.shape[0]
    al = np.broadcast_to(np.asarray(alpha, dtype=float), (b,))
    w, r = _parts(mu, y, al)
    dd = np.broadcast_to(d, y.shape).astype(float)
    wd = w * dd
    xa, xg = _fe_solve(w, wd.sum(axis=2), wd.sum(axis=1))
    resid = dd - xa[..., None] - xg[:, None, :]
    return (resid * r).sum(axis=2), (w * resid**2).sum(axis=(1, 2))


def _fe_solve_d(
    w: np.ndarray, d: np.ndarray, ra: np.ndarray, ry: np.ndarray, rd: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`_fe_solve` with one more column ``d`` (the treatment) in the year block."""
    b, _, t = w.shape
    da = w.sum(axis=2)
    wd = w * d
    wz = np.concatenate([w[:, :, 1:], wd.sum(axis=2, keepdims=True)], axis=2)  # (B, A, T)
    zz = np.zeros((b, t, t))
    idx = np.arange(t - 1)
    zz[:, idx, idx] = w.sum(axis=1)[:, 1:]
    cross = wd.sum(axis=1)[:, 1:]
    zz[:, idx, t - 1] = cross
    zz[:, t - 1, idx] = cross
    zz[:, t - 1, t - 1] = (wd * d).sum(axis=(1, 2))
    s = zz - np.einsum("bak,bal->bkl", wz / da[..., None], wz)
    rz = np.concatenate([ry[:, 1:], rd[:, None]], axis=1)
    rhs = rz - np.einsum("bak,ba->bk", wz, ra / da)
    with np.errstate(invalid="ignore"):
        try:
            xz = np.linalg.solve(s, rhs[..., None])[..., 0]
        except np.linalg.LinAlgError:
            xz = np.stack([np.linalg.lstsq(m, r, rcond=None)[0] for m, r in zip(s, rhs,
                                                                                strict=True)])
    xa = (ra - np.einsum("bak,bk->ba", wz, xz)) / da
    return xa, np.concatenate([np.zeros((b, 1)), xz[:, :-1]], axis=1), xz[:, -1]


def fit_did(
    y: np.ndarray,
    log_exposure: np.ndarray,
    d: np.ndarray,
    *,
    alpha: np.ndarray | float = 0.0,
    tol: float = 1e-9,
    max_iter: int = 40,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unrestricted Poisson/NB2 DiD with area and year effects, batched.

    Fisher scoring (Newton for Poisson) on area effects, year effects and the
    treatment effect jointly, the area block eliminated in closed form.

    Parameters
    ----------
    y
        Shape ``(B, A, T)``: counts.
    log_exposure
        Broadcastable to ``(B, A, T)``: log population.
    d
        Broadcastable to ``(B, A, T)``: treatment indicator (may differ per panel).
    alpha
        NB2 dispersion held fixed (0 = Poisson).

    Returns
    -------
    (beta, c, info, mu)
        Estimates ``(B,)``, areas' score contributions at the estimate
        ``(B, A)`` (for the cluster-robust variance ``sum c^2 / info^2``), the
        efficient information ``(B,)`` and fitted means. ``beta`` is ``nan``
        where the effect is not identified (no case in the treated area-years).
    """
    b = y.shape[0]
    dd = np.broadcast_to(d, y.shape).astype(float)
    off = np.broadcast_to(log_exposure, y.shape)
    al = np.broadcast_to(np.asarray(alpha, dtype=float), (b,)).copy()
    with np.errstate(divide="ignore"):
        a = np.log(y.sum(axis=2) / np.exp(off).sum(axis=2))
    g = np.zeros((b, y.shape[2]))
    beta = np.zeros(b)
    active = np.ones(b, dtype=bool)
    for _ in range(max_iter):
        ix = np.flatnonzero(active)
        eta = a[ix, :, None] + g[ix, None, :] + beta[ix, None, None] * dd[ix] + off[ix]
        mu = np.exp(np.clip(eta, -700, 700))
        w, r = _parts(mu, y[ix], al[ix])
        xa, xg, xb = _fe_solve_d(w, dd[ix], r.sum(axis=2), r.sum(axis=1), (r * dd[ix]).sum(
            axis=(1, 2)))
        size = np.maximum(np.maximum(np.abs(xa).max(axis=1), np.abs(xg).max(axis=1)),
                          np.abs(xb))
        size = np.where(np.isfinite(size), size, np.inf)
        scale = np.minimum(1.0, 1.0 / np.maximum(size, 1e-300))
        a[ix] += scale[:, None] * np.nan_to_num(xa)
        g[ix] += scale[:, None] * np.nan_to_num(xg)
        beta[ix] += scale * np.nan_to_num(xb)
        active[ix] = size >= tol
        if not active.any():
            break
    mu = np.exp(np.clip(a[..., None] + g[:, None, :] + beta[:, None, None] * dd + off, -700, 700))
    c, info = score_contributions(y, mu, dd, al)
    treated_cases = (y * dd).sum(axis=(1, 2))
    bad = (treated_cases <= 0) | (np.abs(beta) > 15) | ~np.isfinite(beta) | active
    return np.where(bad, np.nan, beta), c, info, mu


def nb2_dispersion(y: np.ndarray, mu: np.ndarray, df_resid: int) -> np.ndarray:
    """Pearson moment estimate of the NB2 ``alpha`` per panel (0 if not overdispersed).

    Solves ``sum (y - mu)^2 / (mu (1 + alpha mu)) = df_resid`` by Newton's
    method from 0 (the left side is convex and decreasing in ``alpha``).
    """
    b = y.shape[0]
    m = mu.reshape(b, -1)
    q = ((y.reshape(b, -1) - m) ** 2) / np.maximum(m, 1e-300)
    a = np.zeros(b)
    for _ in range(100):
        den = 1.0 + a[:, None] * m
        f = (q / den).sum(axis=1) - df_resid
        fp = -(q * m / den**2).sum(axis=1)
        step = np.where(f > 0, -f / fp, 0.0)
        a = a + step
        if np.all(np.abs(step) <= 1e-12 * np.maximum(a, 1e-12)):
            break
    return a


def score_statistic(c: np.ndarray) -> np.ndarray:
    """Studentised score statistic ``sum c / sqrt(sum c^2)`` per row of ``c``."""
    return c.sum(axis=-1) / np.sqrt((c**2).sum(axis=-1))


def wcr_parts(
    y: np.ndarray, mu: np.ndarray, d: np.ndarray, alpha: np.ndarray | float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ingredients of the linearised wild cluster restricted (WCR) bootstrap.

    At a restricted fit ``mu`` the Fisher-scoring step is a weighted least
    squares regression of the working residuals on ``[D, area and year
    effects]``; applying the WCR-11 bootstrap of the linear model to it
    (Roodman et al. 2019) gives, for weights ``w`` per area,
    ``t* = sum_g w_g c_g / sqrt(k * sum_h (sum_g w_g C_hg)^2)`` with the
    efficient score contributions ``c`` and the cluster scores ``C_hg`` of the
    re-estimated residuals (area ``h``, perturbation of area ``g``)::

        C_hg = delta_hg c_g - e_h xa_g[h] - sum_t w_ht Dt_ht xg_g[t] - m_h c_g / I

    where ``Dt`` is ``D`` residualised on the effects, ``e_h = sum_t w Dt``,
    ``m_h = sum_t w Dt^2``, ``I = sum_h m_h`` and ``(xa_g, xg_g)`` the weighted
    fit of area ``g``'s working residuals on the effects. For the linear
    model this is exactly WCR-11 (checked against ``wildboottest``).

    Returns
    -------
    (c, cmat, info)
        Shapes ``(B, G)``, ``(B, G, G)`` (``[b, h, g]``) and ``(B,)``.
    """
    b, g, t = y.shape
    al = np.broadcast_to(np.asarray(alpha, dtype=float), (b,))
    w, r = _parts(mu, y, al)
    dd = np.broadcast_to(d, y.shape).astype(float)
    wd = w * dd
    xa, xg = _fe_solve(w, wd.sum(axis=2), wd.sum(axis=1))
    dt = dd - xa[..., None] - xg[:, None, :]
    c = (dt * r).sum(axis=2)
    wdt = w * dt
    m = (wdt * dt).sum(axis=2)
    info = m.sum(axis=1)
    e = wdt.sum(axis=2)
    # weighted fit of each area's working residual v_g = r / w (zero elsewhere):
    # area sums diag(sum_t r), year sums r_g.
    ra = np.zeros((b, g, g))
    idx = np.arange(g)
    ra[:, idx, idx] = r.sum(axis=2)
    fa, fg = fe_solve_many(w, ra, r)  # [b, g(perturbed), area], [b, g, t]
    cmat = -np.swapaxes(fa, 1, 2) * e[:, :, None]  # [b, h, g]: e_h xa_g[h]
    cmat -= np.einsum("bht,bgt->bhg", wdt, fg)
    cmat -= m[:, :, None] * (c / info[:, None])[:, None, :]
    cmat[:, idx, idx] += c
    return c, cmat, info


def wcr_bootstrap(c: np.ndarray, cmat: np.ndarray, weights: np.ndarray, ssc: float
                  ) -> np.ndarray:
    """Bootstrap t statistics ``(draws, m)`` of the linearised WCR from :func:`wcr_parts`.

    ``c`` has shape ``(m, G)``, ``cmat`` ``(m, G, G)``; the statistic is on
    the scale of a t ratio (numerator divided by the information ``I`` as
    the denominator is, so ``I`` cancels).
    """
    num = weights @ c.T
    scores = np.einsum("dg,mhg->dmh", weights, cmat)
    return num / np.sqrt(ssc * (scores**2).sum(axis=2))


def score_bootstrap(c: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Bootstrap score statistics, shape ``(draws, m)``, for contributions ``c`` ``(m, G)``.

    ``T*_b = sum_g w_bg c_g / sqrt(sum_g w_bg^2 c_g^2)``: one matrix product.
    """
    return (weights @ c.T) / np.sqrt((weights**2) @ (c**2).T)


# ---------------------------------------------------------------------------
# test inversion
# ---------------------------------------------------------------------------


def invert_test(
    pfun: Callable[[np.ndarray], np.ndarray],
    estimate: float,
    scale: float,
    *,
    alpha: float,
    grid: np.ndarray | None = None,
    tol: float = 1e-3,
) -> tuple[float, float]:
    """Hull of the confidence set ``{b: p(b) > alpha}`` by grid search and bisection.

    ``pfun`` maps an array of null values to p-values (with a fixed set of
    bootstrap weights or assignments). The p-value need not fall monotonically
    away from the estimate (with few treated clusters the bootstrap critical
    values grow with the distance from the estimate), so the set can consist
    of several pieces. On each side the points ``estimate -/+ scale * grid``
    are evaluated in one batch; the bound lies between the *outermost*
    accepted point and the next rejected one further out and is narrowed by
    bisection to ``tol * scale``. The result is the hull of the set on the
    searched range (never narrower than the set, so its coverage is at least
    that of the test); a side whose outermost grid point is still accepted
    gets an infinite bound.
    """
    if grid is None:
        grid = np.concatenate([np.linspace(0.5, 8.0, 16), [12.0, 16.0, 24.0, 32.0, 64.0]])
    steps = scale * np.asarray(grid, dtype=float)
    k = steps.size
    p = pfun(np.concatenate([estimate - steps, estimate + steps]))
    inner_pts, outer_pts, sides = [], [], []
    out = [-np.inf, np.inf]
    for side, sign in ((0, -1.0), (1, 1.0)):
        ps = p[side * k:(side + 1) * k]
        acc = np.flatnonzero(ps > alpha)
        last = int(acc[-1]) if acc.size else -1
        if last == k - 1:
            continue  # unbounded on this side
        inner_pts.append(estimate if last < 0 else estimate + sign * steps[last])
        outer_pts.append(estimate + sign * steps[last + 1])
        sides.append(side)
    inner, outer = np.array(inner_pts), np.array(outer_pts)
    while sides and np.max(np.abs(outer - inner)) > tol * scale:
        mid = (inner + outer) / 2
        acc = pfun(mid) > alpha
        inner = np.where(acc, mid, inner)
        outer = np.where(acc, outer, mid)
    for j, side in enumerate(sides):
        out[side] = float((inner[j] + outer[j]) / 2)
    return out[0], out[1]


# ---------------------------------------------------------------------------
# panels
# ---------------------------------------------------------------------------


def _member(index: pd.Index, treated: Sequence[object]) -> np.ndarray:
    """Which areas are listed in ``treated`` (compared as text, so 1 matches "1")."""
    names = {str(a) for a in treated}
    return np.array([str(a) in names for a in index], dtype=bool)


def panel_matrices(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: Sequence[object] | None = None,
    start_year: str | int = "start_year",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[object]]:
    """Counts, population and treatment as ``(A, T)`` arrays, plus the area labels.

    ``start_year`` is a column name (start per area, empty = comparison area)
    or one common start year for the areas listed in ``treated``. Areas without
    any case are dropped (with area effects they carry no information).
    """
    for col in (area, year, cases, population):
        if col not in panel.columns:
            raise InputDataError(f"Spalte '{col}' fehlt", column=col)
    y = panel.pivot(index=area, columns=year, values=cases)
    n = panel.pivot(index=area, columns=year, values=population)
    if y.isna().any().any() or n.isna().any().any():
        raise InputDataError("Das Panel ist unvollständig: jedes Gebiet braucht jedes Jahr",
                             column=year)
    years = y.columns.to_numpy(dtype=float)
    if isinstance(start_year, str):
        if start_year not in panel.columns:
            raise InputDataError(f"Spalte '{start_year}' fehlt", column=start_year)
        st = panel.groupby(area)[start_year].first().reindex(y.index).to_numpy(dtype=float)
        if treated is not None:
            st = np.where(_member(y.index, treated), st, np.nan)
    else:
        if treated is None:
            raise MethodError("Mit einem gemeinsamen Startjahr müssen die Modellgebiete "
                              "(treated=...) angegeben werden")
        missing = {str(a) for a in treated} - {str(a) for a in y.index}
        if missing:
            raise InputDataError(f"Modellgebiet(e) nicht im Panel: {sorted(missing)}",
                                 column=area)
        st = np.where(_member(y.index, treated), float(start_year), np.nan)
    if np.any(np.isfinite(st) & ((st <= years.min()) | (st > years.max()))):
        raise InputDataError(
            f"Startjahr außerhalb der Daten ({int(years.min())}-{int(years.max())}): nötig sind "
            "mindestens ein Jahr davor und das Startjahr selbst", column=str(start_year))
    d = (years[None, :] >= st[:, None]) & np.isfinite(st)[:, None]
    yy = y.to_numpy(dtype=float)
    keep = yy.sum(axis=1) > 0
    if not d[keep].any():
        raise MethodError("Kein Modellgebiet mit Fällen: es gibt nichts zu schätzen")
    return yy[keep], n.to_numpy(dtype=float)[keep], d[keep], list(y.index[keep])


#: Coverage of nominal 95 % intervals measured by :mod:`calibration` in the
#: book's setting (17 areas x 12 years, NB2 alpha 0.01/0.05, with and without
#: AR(1) area shocks, 2,000 replications each; committed full runs
#: results/coverage_panel.csv (1 and 3 model areas) and
#: results/coverage_panel_more.csv (2 and 5), which a test compares with
#: these values).
#: Keys: (method, model areas) -> (lowest coverage, highest coverage, lowest
#: share of bounded intervals, highest share) over the settings.
MEASURED_COVERAGE: dict[tuple[str, int], tuple[float, float, float, float]] = {
    ("model", 1): (0.931, 0.956, 1.0, 1.0),
    ("cluster_t", 1): (0.4055, 0.445, 1.0, 1.0),
    ("wild_webb", 1): (1.0, 1.0, 0.0005, 0.068),
    ("randomization", 1): (1.0, 1.0, 0.0, 0.0),
    ("model", 2): (0.9445, 0.948, 1.0, 1.0),
    ("cluster_t", 2): (0.7835, 0.8045, 1.0, 1.0),
    ("wild_webb", 2): (0.999, 1.0, 0.732, 0.9945),
    ("randomization", 2): (0.9555, 0.959, 1.0, 1.0),
    ("model", 3): (0.9125, 0.9435, 1.0, 1.0),
    ("cluster_t", 3): (0.8575, 0.88, 1.0, 1.0),
    ("wild_webb", 3): (0.962, 0.974, 1.0, 1.0),
    ("randomization", 3): (0.9375, 0.9525, 1.0, 1.0),
    ("model", 5): (0.9375, 0.952, 1.0, 1.0),
    ("cluster_t", 5): (0.93, 0.9395, 1.0, 1.0),
    ("wild_webb", 5): (0.9425, 0.9585, 1.0, 1.0),
    ("randomization", 5): (0.9505, 0.962, 1.0, 1.0),
}


def coverage_range(method: str, n_treated: int) -> str:
    """German text "a–b %" of the measured coverage (empty if not measured)."""
    from sozialanalyse.formatting import number, percent

    cov = MEASURED_COVERAGE.get((method, n_treated))
    if cov is None:
        return ""
    lo, hi = percent(cov[0]), percent(cov[1])
    return lo if lo == hi else f"{number(100 * cov[0], 1)}–{hi}"


def one_area_note() -> str:
    """German note on inference with a single model area, with measured numbers."""
    from sozialanalyse.formatting import percent

    wild = MEASURED_COVERAGE[("wild_webb", 1)]
    return (
        "Nur ein Modellgebiet: Der Wild-Cluster-Bootstrap ist mit einem einzigen "
        "behandelten Cluster bekanntlich unzuverlässig (MacKinnon & Webb 2017). In "
        "Simulationen der Planungssituation (17 Gebiete, 12 Jahre) war sein 95-%-Intervall "
        f"nur in {percent(wild[2])} bis {percent(wild[3])} der Fälle beschränkt (es schließt "
        "fast nie einen Wert aus); das cluster-robuste t-Intervall deckte den wahren Wert "
        f"nur in {coverage_range('cluster_t', 1)} der Fälle ab. Kein entwurfsbasiertes "
        "Verfahren erreicht hier ein brauchbares 95-%-Intervall; das modellbasierte "
        f"(Quasi-Poisson) deckte {coverage_range('model', 1)} ab, aber nur, solange das "
        "Modell (unabhängige Gebietsjahre) stimmt."
    )


def _note(n_treated: int, family: str) -> str:
    if n_treated == 1:
        return one_area_note()
    if n_treated == 2:
        return (
            "Nur zwei Modellgebiete: Der Wild-Cluster-Bootstrap ist hier sehr vorsichtig; in "
            "Simulationen der Planungssituation (17 Gebiete, 12 Jahre) deckte sein "
            f"95-%-Intervall den wahren Wert in {coverage_range('wild_webb', 2)} der Fälle ab "
            "und war oft sehr breit. Die Randomisierungsinferenz über Gebiete deckte "
            f"{coverage_range('randomization', 2)} ab.")
    return ""


def wild_cluster_bootstrap(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: Sequence[object] | None = None,
    start_year: str | int = "start_year",
    weights: Weights = "webb",
    draws: int = 9999,
    seed: int = 0,
    level: float = 0.95,
    family: Family = "poisson",
    null_irr: float = 1.0,
    statistic: Literal["wald", "score"] = "wald",
) -> BootstrapResult:
    """Wild cluster bootstrap (null imposed) for the panel DiD effect.

    Parameters
    ----------
    panel
        Tidy panel, one row per area and year.
    area, year, cases, population
        Column names.
    treated
        Model areas; ``None`` takes every area with a start year.
    start_year
        Column with the start year per area, or one common start year.
    weights
        ``"webb"`` (six-point, default; better with few clusters) or
        ``"rademacher"`` (enumerated completely when ``2**G <= draws``).
    draws
        Bootstrap draws (default 9,999).
    seed
        Seed of the weights; the same weights serve the p-value and every
        point of the test inversion.
    level
        Confidence level of the inverted interval.
    family
        ``"poisson"`` (Poisson pseudo-likelihood, as :func:`panel_did`) or
        ``"negbin"`` (NB2 score, dispersion estimated once by moments and held
        fixed).
    null_irr
        Null hypothesis of the p-value.
    statistic
        ``"wald"`` (default): the cluster-robust (CR1) Wald t of the
        unrestricted fit, compared with the linearised WCR bootstrap at the
        restricted fit (:func:`wcr_parts`); ``"score"``: the Kline-Santos
        score statistic and its perturbed-score bootstrap. The score statistic
        is bounded (``|T| <= sqrt(G1)`` roughly, when the treated areas
        dominate), so with few model areas its inverted intervals are often
        unbounded; the Wald form does not have this defect.

    Returns
    -------
    BootstrapResult
    """
    if statistic not in ("wald", "score"):
        raise MethodError(f"unbekannte Statistik '{statistic}' (erlaubt: 'wald', 'score')")
    if family not in ("poisson", "negbin"):
        raise MethodError(f"unbekannte Familie '{family}' (erlaubt: 'poisson', 'negbin')")
    if not 0 < level < 1:
        raise MethodError("Das Niveau muss zwischen 0 und 1 liegen")
    y, n, d, _ = panel_matrices(panel, area=area, year=year, cases=cases,
                                population=population, treated=treated, start_year=start_year)
    g, t = y.shape
    g1 = int(d.any(axis=1).sum())
    if g1 == g:
        raise MethodError("Alle Gebiete sind Modellgebiete: es fehlt eine Vergleichsgruppe")
    yb, logn, db = y[None], np.log(n)[None], d[None].astype(float)
    alpha = np.zeros(1)
    beta, c, info, mu = fit_did(yb, logn, db)
    if family == "negbin":
        alpha = nb2_dispersion(yb, mu, g * t - (g + t))
        beta, c, info, mu = fit_did(yb, logn, db, alpha=alpha)
    if not np.isfinite(beta[0]):
        raise MethodError("Der Effekt ist nicht schätzbar: In den Modellgebieten gibt es ab "
                          "dem Start keine Fälle (oder nur dort Fälle)")
    bhat = float(beta[0])
    ssc = g / (g - 1) * (g * t - 1) / (g * t - (g + t))
    se = float(np.sqrt(ssc * (c**2).sum()) / info[0])
    w, enumerated = draw_weights(weights, draws, g, np.random.default_rng(seed))

    def stats_at(b0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        b0 = np.atleast_1d(np.asarray(b0, dtype=float))
        m = b0.size
        ys = np.broadcast_to(yb, (m, g, t))
        mu0, _ = restricted_fit(ys, logn + b0[:, None, None] * db, alpha=alpha[0])
        if statistic == "score":
            cc, _ = score_contributions(ys, mu0, db, alpha[0])
            return score_statistic(cc), score_bootstrap(cc, w)
        cc, cmat, _ = wcr_parts(ys, mu0, db, alpha[0])
        return (bhat - b0) / se, wcr_bootstrap(cc, cmat, w, ssc)

    def pfun(b0: np.ndarray) -> np.ndarray:
        st, boot = stats_at(b0)
        return bootstrap_p_values(st, boot, enumerated=enumerated)

    st, boot = stats_at(np.array([np.log(null_irr)]))
    stat = float(st[0])
    p = float(bootstrap_p_values(st, boot, enumerated=enumerated)[0])
    lo, hi = invert_test(pfun, bhat, max(se, 1e-3), alpha=1 - level)
    note = _note(g1, family)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        note = (note + " " if note else "") + (
            "Das Intervall ist nach mindestens einer Seite unbeschränkt: die Daten können "
            "dort keinen Wert ausschließen.")
    return BootstrapResult(
        irr=float(np.exp(bhat)), p_value=p, ci_low=float(np.exp(lo)), ci_high=float(np.exp(hi)),
        level=level, draws=int(w.shape[0]), weights=weights, family=family, n_clusters=g,
        n_treated_clusters=g1, null_irr=null_irr, statistic=stat, enumerated=enumerated,
        note=note,
    )


# ---------------------------------------------------------------------------
# event study
# ---------------------------------------------------------------------------


def _dense_wcr(
    x: np.ndarray, y: np.ndarray, mu: np.ndarray, groups: np.ndarray, col: int,
    weights: np.ndarray, ssc: float,
) -> np.ndarray:
    """Linearised WCR t* for column ``col`` of a dense design at the restricted fit ``mu``."""
    g = weights.shape[1]
    xt = np.sqrt(mu)[:, None] * x
    ut = (y - mu) / np.sqrt(mu)
    xtx = xt.T @ xt
    z = xt @ np.linalg.solve(xtx, np.eye(x.shape[1])[col])
    onehot = np.eye(g)[groups]
    blocks = onehot * ut[:, None]
    res = blocks - xt @ np.linalg.solve(xtx, xt.T @ blocks)
    cmat = onehot.T @ (z[:, None] * res)
    a = np.bincount(groups, z * ut, minlength=g)
    return (weights @ a) / np.sqrt(ssc * ((weights @ cmat.T) ** 2).sum(axis=1))


def event_study_bootstrap(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: Sequence[object] | None = None,
    start_year: str | int = "start_year",
    window: tuple[int, int] | None = None,
    reference: int = -1,
    weights: Weights = "webb",
    draws: int = 9999,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Wild cluster bootstrap (WCR, null imposed) for the event-study coefficients.

    The Poisson event study of :func:`panel_did.event_study` (one indicator per
    year relative to the start, ``reference`` left out, relative years outside
    ``window`` binned into its end points; area and year effects; log
    population offset). For each coefficient the cluster-robust Wald t is
    compared with the linearised WCR bootstrap at the fit restricted to the
    null (the other coefficients free), as :func:`wild_cluster_bootstrap`
    does for the single DiD coefficient; intervals by test inversion with one
    fixed set of weights. Dense algebra (one restricted IRLS fit per null
    value), so a call takes a few seconds. With few model areas the bootstrap
    p-value need not fall monotonically away from the estimate; the reported
    interval is the hull of the confidence set (:func:`invert_test`) and can
    be much wider than the cluster-robust Wald interval -- which, with few
    model areas, is too narrow.

    Returns
    -------
    pandas.DataFrame
        Columns ``event_time, irr, ci_low, ci_high, p_value, log_irr, se_log``
        (bootstrap p-value for IRR = 1 and inverted interval; ``se_log`` the
        cluster-robust standard error), including the reference row.
    """
    from sozialanalyse.evaluation.poisson import fit_poisson, fit_poisson_batch

    y2, n2, d2, _ = panel_matrices(panel, area=area, year=year, cases=cases,
                                   population=population, treated=treated,
                                   start_year=start_year)
    years = np.sort(panel[year].unique()).astype(float)
    g, t = y2.shape
    # relative time from the treatment pattern: first treated year per area
    first = np.where(d2.any(axis=1), years[np.argmax(d2, axis=1)], np.nan)
    et = years[None, :] - first[:, None]
    if not np.isfinite(et).any():
        raise MethodError("Kein Modellgebiet: eine Ereignisstudie braucht ein Startjahr")
    lo, hi = (int(np.nanmin(et)), int(np.nanmax(et))) if window is None else window
    binned = np.clip(et, lo, hi)
    if not (binned == reference).any():
        raise MethodError(f"Das Bezugsjahr {reference} (relativ zum Start) fehlt in den Daten")
    times = [k for k in range(lo, hi + 1) if k != reference and (binned == k).any()]
    dmat = np.column_stack([(binned == k).ravel().astype(float) for k in times])
    fe = np.column_stack([np.repeat(np.eye(g), t, 0), np.tile(np.eye(t), (g, 1))[:, 1:]])
    x = np.column_stack([dmat, fe])
    yv = y2.ravel()
    off = np.log(n2).ravel()
    groups = np.repeat(np.arange(g), t)
    fit = fit_poisson(x, yv, off, groups)
    nobs, kx = x.shape
    ssc = g / (g - 1) * (nobs - 1) / (nobs - kx)
    w, enumerated = draw_weights(weights, draws, g, np.random.default_rng(seed))
    rows = []
    for j, k in enumerate(times):
        bhat, se = float(fit.params[j]), float(fit.bse[j])
        xk = x[:, [c for c in range(kx) if c != j]]

        def restricted_means(b0s: np.ndarray, j: int = j, xk: np.ndarray = xk
                             ) -> list[np.ndarray | None]:
            """Fitted means under each null value (one batched IRLS; None if singular)."""
            try:
                batch = fit_poisson_batch(xk, np.broadcast_to(yv, (b0s.size, yv.size)),
                                          off[None] + b0s[:, None] * x[None, :, j], cov="model")
                return list(batch.mu)
            except MethodError:  # a singular null fit: the others one by one
                out: list[np.ndarray | None] = []
                for b0 in b0s:
                    try:
                        out.append(fit_poisson(xk, yv, off + b0 * x[:, j]).mu)
                    except MethodError:
                        out.append(None)
                return out

        def pfun(b0s: np.ndarray, j: int = j, bhat: float = bhat, se: float = se
                 ) -> np.ndarray:
            b0s = np.atleast_1d(np.asarray(b0s, dtype=float))
            out = []
            for b0, mu in zip(b0s, restricted_means(b0s), strict=True):
                if mu is None:
                    out.append(0.0)
                    continue
                tb = _dense_wcr(x, yv, mu, groups, j, w, ssc)
                out.append(bootstrap_p_values(np.array([(bhat - b0) / se]), tb[:, None],
                                              enumerated=enumerated)[0])
            return np.array(out)

        p = float(pfun(np.array([0.0]))[0])
        lo_b, hi_b = invert_test(pfun, bhat, max(se, 1e-3), alpha=1 - level,
                                 grid=np.concatenate([np.linspace(0.5, 6.0, 12), [8.0, 16.0,
                                                                                  64.0]]))
        rows.append((k, np.exp(bhat), np.exp(lo_b), np.exp(hi_b), p, bhat, se))
    rows.append((reference, 1.0, 1.0, 1.0, np.nan, 0.0, 0.0))
    out = pd.DataFrame(rows, columns=["event_time", "irr", "ci_low", "ci_high", "p_value",
                                      "log_irr", "se_log"])
    return out.sort_values("event_time", ignore_index=True)


# ---------------------------------------------------------------------------
# linear variant (log rate, OLS) -- checked against the wildboottest package
# ---------------------------------------------------------------------------


def _linear_design(y: np.ndarray, n: np.ndarray, d: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g, t = y.shape
    if np.any(y <= 0):
        raise MethodError("Das lineare Modell der logarithmierten Rate braucht in jeder "
                          "Zelle mindestens einen Fall")
    lr = np.log(y / n).ravel()
    area_d = np.repeat(np.eye(g), t, axis=0)
    year_d = np.tile(np.eye(t), (g, 1))[:, 1:]
    fe = np.column_stack([area_d, year_d])
    return lr, d.ravel().astype(float), fe


def linear_wcr_statistics(
    y: np.ndarray, n: np.ndarray, d: np.ndarray, weights: np.ndarray, null: float = 0.0
) -> tuple[float, np.ndarray, float, float]:
    """Observed and bootstrap t statistics of the linear WCR-11 for ``beta = null``.

    ``y``, ``n``, ``d``: ``(G, T)`` counts, population and treatment;
    ``weights``: ``(draws, G)``. Returns ``(t, t_boot, beta_hat, se)``
    (CRV1 with the small-sample factor ``G/(G-1) (N-1)/(N-K)``).
    """
    g, t = y.shape
    lr, dv, fe = _linear_design(y, n, d)
    x = np.column_stack([dv, fe])
    xtx_inv = np.linalg.inv(x.T @ x)
    z = x @ xtx_inv[:, 0]
    bhat = float(z @ lr)
    resid = lr - x @ (xtx_inv @ (x.T @ lr))
    cl = np.repeat(np.arange(g), t)
    nobs, k = x.shape
    ssc = g / (g - 1) * (nobs - 1) / (nobs - k)
    sc = np.bincount(cl, z * resid, minlength=g)
    se = float(np.sqrt(ssc * sc @ sc))
    # restricted residuals at the null: M_fe (lr - null * d)
    fe_pinv = np.linalg.pinv(fe)
    target = lr - null * dv
    u = target - fe @ (fe_pinv @ target)
    a = np.bincount(cl, z * u, minlength=g)
    onehot = np.eye(g)[cl]  # (N, G)
    blocks = onehot * u[:, None]  # u in its own cluster's column
    res = blocks - x @ (xtx_inv @ (x.T @ blocks))
    cmat = onehot.T @ (z[:, None] * res)  # (H, G)
    tb = (weights @ a) / np.sqrt(ssc * ((weights @ cmat.T) ** 2).sum(axis=1))
    return (bhat - null) / se, tb, bhat, se


def linear_wild_bootstrap(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: Sequence[object] | None = None,
    start_year: str | int = "start_year",
    weights: Weights = "rademacher",
    draws: int = 9999,
    seed: int = 0,
    level: float = 0.95,
    null_irr: float = 1.0,
) -> BootstrapResult:
    """Wild cluster restricted bootstrap (WCR-11) for OLS of the log rate.

    ``log(cases / population) = a_i + g_t + beta D_it + e_it``, CRV1 t statistic
    clustered by area, restricted residuals multiplied by one weight per area.
    Vectorised as in Roodman et al. (2019): with ``z = X (X'X)^{-1} e_beta`` and
    restricted residuals ``u``, the bootstrap numerator is ``W a`` with
    ``a_g = z_g' u_g`` and the bootstrap cluster scores are ``W C'`` with
    ``C_hg = z_h' [(I - H) u_(g)]_h``. Cells with zero cases are not allowed.
    Used to check the machinery against the ``wildboottest`` package.
    """
    y, n, d, _ = panel_matrices(panel, area=area, year=year, cases=cases,
                                population=population, treated=treated, start_year=start_year)
    g = y.shape[0]
    w, enumerated = draw_weights(weights, draws, g, np.random.default_rng(seed))

    def pfun(b0: np.ndarray) -> np.ndarray:
        out = []
        for b in np.atleast_1d(b0):
            st, tb, _, _ = linear_wcr_statistics(y, n, d, w, float(b))
            out.append(bootstrap_p_values(np.array([st]), tb[:, None], enumerated=enumerated)[0])
        return np.array(out)

    stat, tb, bhat, se = linear_wcr_statistics(y, n, d, w, float(np.log(null_irr)))
    p = float(bootstrap_p_values(np.array([stat]), tb[:, None], enumerated=enumerated)[0])
    lo, hi = invert_test(pfun, bhat, se, alpha=1 - level)
    g1 = int(d.any(axis=1).sum())
    return BootstrapResult(
        irr=float(np.exp(bhat)), p_value=p, ci_low=float(np.exp(lo)), ci_high=float(np.exp(hi)),
        level=level, draws=int(w.shape[0]), weights=weights, family="linear", n_clusters=g,
        n_treated_clusters=g1, null_irr=null_irr, statistic=float(stat), enumerated=enumerated,
        note=_note(g1, "linear"),
    )
