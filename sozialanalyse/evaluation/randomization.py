"""Randomization inference over areas for one to three model areas.

Which areas became model areas is treated as the random element: under the
sharp null "the practice changed no area's case rate by more than the factor
``exp(delta)``", the panel with the model areas' post-start exposure multiplied
by ``exp(delta)`` is what would have been seen without any effect, and every
other choice of ``k`` model areas among the ``G`` areas (same start year) would
have been equally possible. The p-value is the share of assignments whose
statistic is at least as extreme as the observed one (the observed assignment
included), so it can never be below ``1 / n_assignments``: with one model area
among 17 areas the smallest attainable p-value is 1/17 = 0.059, and a 5 % test
is impossible -- :attr:`RandomizationResult.min_attainable_p` says so.

The statistic is the Poisson panel DiD estimate of the log IRR with area and
year effects and log(population) offset, taken as the one-step (first Newton
step) estimate from the fit without effect: under the null -- where the
randomization distribution is needed -- the estimate is close to zero and the
one step is close to the full fit, and any statistic gives a valid test. It
reduces all assignments to linear algebra on one fit (no refit per
assignment). Intervals invert the constant-effect null over ``delta``.
Assignments are enumerated completely when there are at most ``max_exact`` of
them (``C(17, 3) = 680``), otherwise sampled at random (with the observed one
kept).

References
----------
Fisher, R. A. (1935). The Design of Experiments. Edinburgh: Oliver & Boyd.
Imbens, G. W. & Rubin, D. B. (2015). Causal Inference for Statistics, Social,
and Biomedical Sciences, ch. 5. Cambridge University Press.
MacKinnon, J. G. & Webb, M. D. (2020). Randomization inference for
difference-in-differences with few treated clusters. Journal of
Econometrics 218(2), 435-450.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sozialanalyse import formatting as fmt
from sozialanalyse.errors import MethodError
from sozialanalyse.evaluation.bootstrap import (
    coverage_range,
    fe_solve_many,
    fit_did,
    invert_test,
    panel_matrices,
    restricted_fit,
)

Statistic = Literal["log_irr", "t"]


@dataclass(frozen=True)
class RandomizationResult:
    """Randomization test and interval for the DiD effect.

    Attributes
    ----------
    irr
        Point estimate of the IRR (Poisson panel DiD).
    p_value
        Share of assignments with ``|statistic| >= |observed|`` under
        ``IRR = null_irr``.
    ci_low, ci_high
        Interval for the IRR from inverting the constant-effect null
        (``0``/``inf`` where no value on that side can be rejected).
    level
        Confidence level.
    n_assignments
        Number of assignments used (including the observed one).
    exact
        Whether all assignments were enumerated.
    min_attainable_p
        ``1 / n_assignments``: below ``1 - level`` no interval can exclude
        anything.
    n_clusters, n_treated_clusters
        Areas and model areas.
    null_irr
        IRR under the null hypothesis of ``p_value``.
    note
        German remark for readers.
    """

    irr: float
    p_value: float
    ci_low: float
    ci_high: float
    level: float
    n_assignments: int
    exact: bool
    min_attainable_p: float
    n_clusters: int
    n_treated_clusters: int
    null_irr: float = 1.0
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """The record as a flat dictionary."""
        return dict(self.__dict__)


def assignments(
    n_clusters: int,
    treated: Sequence[int],
    *,
    max_exact: int = 5000,
    draws: int = 2000,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, bool]:
    """Sets of model areas, shape ``(n, k)``: all ``C(G, k)`` or a random sample.

    The first row is always the observed set ``treated``.
    """
    obs = tuple(sorted(int(i) for i in treated))
    k = len(obs)
    total = math.comb(n_clusters, k)
    if total <= max_exact:
        combos = [obs] + [c for c in itertools.combinations(range(n_clusters), k) if c != obs]
        return np.array(combos, dtype=int), True
    rng = rng or np.random.default_rng(0)
    rand = np.argsort(rng.random((draws - 1, n_clusters)), axis=1)[:, :k]
    return np.vstack([np.array(obs)[None], np.sort(rand, axis=1)]), False


def assignment_statistics(
    y: np.ndarray,
    log_exposure: np.ndarray,
    members: np.ndarray,
    post: np.ndarray,
    *,
    statistic: Statistic = "log_irr",
    mu: np.ndarray | None = None,
) -> np.ndarray:
    """Statistics of many assignments on a batch of panels, shape ``(B, n)``.

    The area and year effects are fitted once per panel without a treatment
    effect (:func:`bootstrap.restricted_fit`); the statistic of an assignment
    is then linear algebra on that fit: the score ``U = sum_(i in pi, t post)
    (y_it - mu_it)`` and its efficient information ``I`` give the one-step
    Poisson estimate of the log IRR ``U / I`` (``"log_irr"``, the first Newton
    step of the panel DiD from ``beta = 0``, which is where the estimate lies
    under the null); ``"t"`` studentises ``U`` by its cluster-robust standard
    error instead.

    Parameters
    ----------
    y, log_exposure
        Shape ``(B, G, T)``: counts and log exposure (adjusted for the null).
    members
        Shape ``(n, G)`` boolean: model areas of each assignment.
    post
        Shape ``(T,)`` boolean: years from the start on.
    statistic
        ``"log_irr"`` or ``"t"``.
    mu
        Shape ``(B, G, T)``: the fitted means ``restricted_fit(y,
        log_exposure)[0]`` when the caller has them already (the calibration
        shares one fit with the bootstrap); computed here when ``None``.
    """
    b, g, t = y.shape
    if mu is None:
        mu, _ = restricted_fit(y, log_exposure)
    w, r = mu, y - mu
    pf = post.astype(float)
    # projection of each area's post indicator e_j x post on the effects, per panel
    # column j = e_j x post: area sums diag(sum_t w pf), year sums w_j pf
    ra = np.zeros((b, g, g))
    idx = np.arange(g)
    ra[:, idx, idx] = (w * pf).sum(axis=2)
    xa, xg = fe_solve_many(w, ra, w * pf)  # [b, j, i], [b, j, t]
    col = np.eye(g)[:, :, None] * pf[None, None, :]  # [j, i, t]
    resid = col[None] - xa[..., None] - xg[:, :, None, :]  # [b, j, i, t]
    m = members.astype(float)
    u = m @ (r * pf).sum(axis=2).T  # (n, B)
    if statistic == "log_irr":
        q = np.einsum("bit,bjit->bij", w * pf, resid)  # d_i' W (I - P) d_j
        info = ((m @ q) * m).sum(axis=2)  # m_n' q_b m_n, shape (B, n)
        return u.T / info
    if statistic == "t":
        k = np.einsum("bjit,bit->bji", resid, r)  # area i's score from column j
        c = np.einsum("nj,bji->bni", m, k)
        return u.T / np.sqrt((c**2).sum(axis=2))
    raise MethodError(f"unbekannte Statistik '{statistic}' (erlaubt: 'log_irr', 't')")


def ri_p_values(
    y: np.ndarray,
    log_exposure: np.ndarray,
    d_obs: np.ndarray,
    members: np.ndarray,
    post: np.ndarray,
    deltas: np.ndarray,
    *,
    statistic: Statistic = "log_irr",
) -> np.ndarray:
    """Randomization p-values for several null effects ``deltas`` (log scale).

    ``y``, ``log_exposure``, ``d_obs``: ``(G, T)``; ``members``: ``(n, G)``
    with the observed assignment first. For each ``delta`` the exposure of the
    observed treated cells is multiplied by ``exp(delta)`` (the panel without
    the hypothesised effect) and the p-value is ``#{|S_pi| >= |S_obs|} / n``.
    """
    deltas = np.atleast_1d(np.asarray(deltas, dtype=float))
    off = log_exposure[None] + deltas[:, None, None] * d_obs[None]
    yy = np.broadcast_to(y, off.shape)
    stats_ = assignment_statistics(yy, off, members, post, statistic=statistic)
    return p_from_statistics(stats_)


def p_from_statistics(stats_: np.ndarray) -> np.ndarray:
    """``#{|S_pi| >= |S_obs|} / n`` per row; column 0 is the observed assignment.

    Assignments without a finite statistic count as extreme (conservative).
    """
    obs = np.abs(stats_[:, :1])
    ok = np.isfinite(stats_)
    hits = ~ok | (np.abs(np.where(ok, stats_, 0.0)) >= obs * (1 - 1e-10))
    return hits.mean(axis=1)


def randomization_inference(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: Sequence[object] | None = None,
    start_year: str | int = "start_year",
    level: float = 0.95,
    max_exact: int = 5000,
    draws: int = 2000,
    seed: int = 0,
    null_irr: float = 1.0,
    statistic: Statistic = "log_irr",
) -> RandomizationResult:
    """Randomization inference over areas for the panel DiD effect.

    Parameters
    ----------
    panel
        Tidy panel, one row per area and year.
    area, year, cases, population
        Column names.
    treated
        Model areas; ``None`` takes every area with a start year.
    start_year
        Column with the start year per area (must be the same for all model
        areas) or one common start year.
    level
        Confidence level of the inverted interval.
    max_exact
        Enumerate all assignments up to this many, else sample ``draws``.
    draws, seed
        Number of random assignments and their seed (only if not exact).
    null_irr
        Null hypothesis of the p-value.
    statistic
        ``"log_irr"`` (one-step Poisson estimate of the log IRR, default) or
        ``"t"`` (score studentised by its cluster-robust standard error).

    Returns
    -------
    RandomizationResult
    """
    y, n, d, _ = panel_matrices(panel, area=area, year=year, cases=cases,
                                population=population, treated=treated, start_year=start_year)
    g, _ = y.shape
    rows = np.flatnonzero(d.any(axis=1))
    posts = {tuple(d[i]) for i in rows}
    if len(posts) != 1:
        raise MethodError("Die Randomisierungsinferenz braucht ein gemeinsames Startjahr "
                          "aller Modellgebiete")
    if rows.size == g:
        raise MethodError("Alle Gebiete sind Modellgebiete: es fehlt eine Vergleichsgruppe")
    post = d[rows[0]]
    sets, exact = assignments(g, rows, max_exact=max_exact, draws=draws,
                              rng=np.random.default_rng(seed))
    members = np.zeros((sets.shape[0], g), dtype=bool)
    np.put_along_axis(members, sets, True, axis=1)
    logn = np.log(n)
    beta = fit_did(y[None], logn[None], d[None].astype(float))[0]
    if not np.isfinite(beta[0]):
        raise MethodError("Der Effekt ist nicht schätzbar: In den Modellgebieten gibt es ab "
                          "dem Start keine Fälle")
    bhat = float(beta[0])
    n_assign = sets.shape[0]
    min_p = 1.0 / n_assign

    def pfun(deltas: np.ndarray) -> np.ndarray:
        return ri_p_values(y, logn, d, members, post, deltas, statistic=statistic)

    p = float(pfun(np.array([np.log(null_irr)]))[0])
    alpha = 1 - level
    notes = []
    if min_p > alpha:
        lo, hi = -np.inf, np.inf
        notes.append(
            f"Mit {rows.size} Modellgebiet(en) unter {g} Gebieten gibt es nur {n_assign} "
            f"mögliche Zuordnungen: Der kleinste erreichbare p-Wert ist 1/{n_assign} = "
            f"{fmt.number(min_p, 3)}. Ein Test zum Niveau {fmt.percent(alpha, 0)} ist "
            "unmöglich, das Intervall schließt keinen Wert aus.")
    else:
        # step size: the spread of the one-step estimates over assignments
        spread = np.nanstd(assignment_statistics(y[None], logn[None], members, post)[0])
        lo, hi = invert_test(pfun, bhat, max(float(spread), 1e-3), alpha=alpha)
    if not exact:
        notes.append(f"{n_assign} zufällig gezogene Zuordnungen (keine vollständige Aufzählung).")
    measured = coverage_range("randomization", int(rows.size)) if min_p <= alpha else ""
    if measured and level == 0.95 and g == 17:
        notes.append("In Simulationen der Planungssituation (17 Gebiete, 12 Jahre) deckte das "
                     f"95-%-Intervall den wahren Wert in {measured} der Fälle ab.")
    return RandomizationResult(
        irr=float(np.exp(bhat)), p_value=p, ci_low=float(np.exp(lo)), ci_high=float(np.exp(hi)),
        level=level, n_assignments=n_assign, exact=exact, min_attainable_p=min_p,
        n_clusters=g, n_treated_clusters=int(rows.size), null_irr=null_irr,
        note=" ".join(notes),
    )
