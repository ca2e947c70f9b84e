"""How reliable are the intervals? Coverage of the panel DiD inference, simulated.

The book's planning question has one to three model areas among 17 Stadträume
and 12 years of yearly counts. This module simulates exactly that setting and
measures, for each inference method, how often the nominal 95 % interval
contains the true incidence-rate ratio (coverage) -- with its Monte Carlo
standard error.

Generative model (simulated, fixed seed; magnitudes of Dresden's Stadträume)::

    N_i      = 3,000 ... 9,000 young residents (17 areas, evenly spaced)
    r_i      = 30 per 1,000 * exp(u_i),   u_i ~ N(0, 0.25^2)   (per replication)
    g_t      = 0.02 t + e_t,              e_t ~ N(0, 0.05^2)   (per replication)
    mu_it    = N_i / 1000 * r_i * exp(g_t) * IRR ** D_it
    Y_it     ~ NegBin(mean mu_it, Var = mu_it + alpha mu_it^2)

with true ``IRR = 0.85``, start in year 7 of 12, and fixed model areas of
middling size (one area: the 9th of 17 by size; two: the 7th and 11th; three:
the 5th, 9th and 13th; five: the 3rd, 6th, 9th, 12th and 15th). With more than
5,000 possible assignments (five model areas: 6,188) randomization inference
uses 2,000 random ones. Methods:

``model``
    Quasi-Poisson Wald interval (Pearson scale, normal quantile), as
    ``panel_did(cluster=False)``.
``cluster_t``
    Cluster-robust (CR1) Wald interval with t(G - 1), as ``panel_did()``.
``wild_webb``
    Wild cluster restricted bootstrap with Webb weights: cluster-robust Wald t
    against the linearised WCR bootstrap at the restricted fit, null imposed
    (:func:`bootstrap.wild_cluster_bootstrap`, the default ``statistic="wald"``).
``wild_score``
    Kline-Santos score bootstrap with Webb weights (``statistic="score"``).
``randomization``
    Randomization inference over areas (:mod:`randomization`), exact
    enumeration.

Coverage of the inverted intervals (bootstrap, randomization) is measured as
the share of replications in which the test of the *true* value does not
reject -- which is exactly the event "the interval contains the truth"; the
rejection rate of the true value is the test's size. ``bounded`` is the share
of replications in which the interval is finite on both sides (checked at
the estimate plus/minus 64 standard errors).

Regenerate the committed full run with::

    python -m sozialanalyse.evaluation.calibration --replications 2000 --draws 999 \\
        --seed 20261207 --rhos 0 0.5 --out results/coverage_panel.csv

(rows with ``rho = 0.5`` add a serially correlated area shock, a robustness
check beyond the book's main settings), and two and five model areas with::

    python -m sozialanalyse.evaluation.calibration --replications 2000 --draws 999 \\
        --seed 20261208 --treated 2 5 --rhos 0 --out results/coverage_panel_more.csv
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.evaluation.bootstrap import (
    draw_weights,
    fit_did,
    restricted_fit,
    score_contributions,
    score_statistic,
    wcr_parts,
)
from sozialanalyse.evaluation.randomization import (
    assignment_statistics,
    assignments,
    p_from_statistics,
)

METHODS = ("model", "cluster_t", "wild_webb", "wild_score", "randomization")

#: German labels of the methods and columns (the book shows these).
LABELS_DE = {
    "model": "Modellbasiert (Quasi-Poisson)",
    "cluster_t": "Cluster-robust, t(G−1)",
    "wild_webb": "Wild-Cluster-Bootstrap (Webb)",
    "wild_score": "Score-Bootstrap (Webb)",
    "randomization": "Randomisierungsinferenz",
    "method": "Verfahren",
    "n_treated": "Modellgebiete",
    "alpha": "Streuung α",
    "rho": "Autokorrelation ρ",
    "replications": "Replikationen",
    "coverage": "Abdeckung",
    "mc_error": "MC-Fehler",
    "bounded": "Endliches Intervall",
}

N_AREAS, N_YEARS, START_INDEX, TRUE_IRR = 17, 12, 6, 0.85
TREATED_AREAS = {1: (8,), 2: (6, 10), 3: (4, 8, 12), 5: (2, 5, 8, 11, 14)}


@dataclass(frozen=True)
class BookPanels:
    """Simulated panels of one setting.

    Attributes
    ----------
    counts
        Shape ``(reps, areas, years)``.
    population
        Shape ``(areas, years)``.
    treat
        Shape ``(areas, years)`` boolean.
    irr
        True IRR.
    """

    counts: np.ndarray
    population: np.ndarray
    treat: np.ndarray
    irr: float


def simulate_book_panels(
    rng: np.random.Generator,
    reps: int,
    n_treated: int,
    alpha: float,
    *,
    rho: float = 0.0,
    shock_sd: float = 0.05,
    irr: float = TRUE_IRR,
) -> BookPanels:
    """Panels of the book's setting (17 areas x 12 years), see the module docstring.

    With ``rho > 0`` each area's log rate also carries a stationary AR(1)
    shock with correlation ``rho`` between years and standard deviation
    ``shock_sd`` (serially correlated area-years, as when a local service
    change lasts a few years).
    """
    pop = np.repeat(np.linspace(3000.0, 9000.0, N_AREAS)[:, None], N_YEARS, axis=1)
    treat = np.zeros((N_AREAS, N_YEARS), dtype=bool)
    treat[list(TREATED_AREAS[n_treated]), START_INDEX:] = True
    rate = 30.0 * np.exp(rng.normal(0.0, 0.25, (reps, N_AREAS, 1)))
    g = 0.02 * np.arange(N_YEARS) + rng.normal(0.0, 0.05, (reps, 1, N_YEARS))
    if rho > 0:
        eps = rng.normal(0.0, shock_sd, (reps, N_AREAS, N_YEARS))
        shock = np.empty_like(eps)
        shock[..., 0] = eps[..., 0]
        for t in range(1, N_YEARS):
            shock[..., t] = rho * shock[..., t - 1] + np.sqrt(1 - rho**2) * eps[..., t]
        g = g + shock
    mu = pop / 1000.0 * rate * np.exp(g + np.log(irr) * treat)
    if alpha > 0:
        mu = rng.gamma(1.0 / alpha, mu * alpha)
    return BookPanels(rng.poisson(mu).astype(float), pop, treat, irr)


def example_panel(
    seed: int = 0,
    *,
    n_areas: int = N_AREAS,
    n_years: int = N_YEARS,
    treated: Sequence[int] = TREATED_AREAS[3],
    irr: float = TRUE_IRR,
    alpha: float = 0.02,
    start_index: int = START_INDEX,
) -> pd.DataFrame:
    """One simulated panel of the book's setting as a tidy frame (labelled "simuliert").

    Columns ``area, year, cases, population, start_year``; areas ``S00`` ...
    with 3,000-9,000 young residents, rate about 30 per 1,000, NB2 noise
    ``alpha`` and the true ``irr`` in the model areas ``treated`` from year
    ``start_index`` on (years start in 2014).
    """
    rng = np.random.default_rng(seed)
    years = np.arange(2014, 2014 + n_years)
    pop = np.linspace(3000.0, 9000.0, n_areas)
    rate = 30.0 * np.exp(rng.normal(0.0, 0.25, n_areas))
    g = 0.02 * np.arange(n_years) + rng.normal(0.0, 0.05, n_years)
    start = np.full(n_areas, np.nan)
    start[list(treated)] = years[start_index]
    d = years[None, :] >= start[:, None]
    mu = pop[:, None] / 1000.0 * rate[:, None] * np.exp(g[None, :] + np.log(irr) * d)
    y = rng.poisson(rng.gamma(1.0 / alpha, mu * alpha)) if alpha > 0 else rng.poisson(mu)
    out = pd.DataFrame({
        "area": np.repeat([f"S{i:02d}" for i in range(n_areas)], n_years),
        "year": np.tile(years, n_areas),
        "cases": y.ravel(),
        "population": np.repeat(pop, n_years),
        "start_year": np.repeat(start, n_years),
    })
    out.attrs["label"] = "simuliert"
    return out


def _bootstrap_accept(
    y: np.ndarray,
    logn: np.ndarray,
    d: np.ndarray,
    b0: np.ndarray,
    w: np.ndarray,
    *,
    wald: tuple[np.ndarray, np.ndarray, float] | None = None,
    mu0: np.ndarray | None = None,
) -> np.ndarray:
    """Whether the wild bootstrap does not reject ``beta = b0`` (per panel, 5 %).

    ``wald=(beta_hat, se, ssc)`` selects the Wald statistic with the
    linearised WCR bootstrap; ``None`` the Kline-Santos score bootstrap.
    ``mu0`` are the fitted means under ``beta = b0``
    (``restricted_fit(y, logn + b0 d)``), computed here when not given.
    """
    if mu0 is None:
        mu0, _ = restricted_fit(y, logn + b0[:, None, None] * d)
    if wald is None:
        c, _ = score_contributions(y, mu0, d)
        stat = score_statistic(c)
        boot = np.einsum("rbg,rg->rb", w, c) / np.sqrt(np.einsum("rbg,rg->rb", w**2, c**2))
    else:
        bhat, se, ssc = wald
        c, cmat, _ = wcr_parts(y, mu0, d)
        stat = (bhat - b0) / se
        num = np.einsum("rbg,rg->rb", w, c)
        den = np.sqrt(ssc * ((w @ np.swapaxes(cmat, 1, 2)) ** 2).sum(axis=2))
        boot = num / den
    hits = (np.abs(boot) >= np.abs(stat)[:, None] * (1 - 1e-10)).sum(axis=1)
    p = (1.0 + hits) / (w.shape[1] + 1.0)
    return p > 0.05


def _evaluate(
    panels: BookPanels, rng: np.random.Generator, draws: int, chunk: int = 100
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per method: (covered, bounded) boolean arrays over replications."""
    y_all = panels.counts
    reps, g, t = y_all.shape
    logn = np.log(panels.population)
    d = panels.treat.astype(float)
    truth = np.log(panels.irr)
    n_obs, k = g * t, g + t
    ssc = g / (g - 1) * (n_obs - 1) / (n_obs - k)
    q_n = stats.norm.ppf(0.975)
    q_t = stats.t.ppf(0.975, g - 1)
    sets, _ = assignments(g, TREATED_AREAS[int(panels.treat.any(axis=1).sum())])
    members = np.zeros((sets.shape[0], g), dtype=bool)
    np.put_along_axis(members, sets, True, axis=1)
    post = panels.treat.any(axis=0)
    out: dict[str, list[np.ndarray]] = {m: [] for m in METHODS}
    bnd: dict[str, list[np.ndarray]] = {m: [] for m in METHODS}
    for s in range(0, reps, chunk):
        y = y_all[s:s + chunk]
        r = y.shape[0]
        beta, c, info, mu = fit_did(y, logn[None], d[None])
        pearson = ((y - mu) ** 2 / mu).sum(axis=(1, 2)) / (n_obs - k)
        se_model = np.sqrt(pearson / info)
        se_cl = np.sqrt(ssc * (c**2).sum(axis=1)) / info
        out["model"].append(np.abs(beta - truth) <= q_n * se_model)
        out["cluster_t"].append(np.abs(beta - truth) <= q_t * se_cl)
        bnd["model"].append(np.isfinite(se_model))
        bnd["cluster_t"].append(np.isfinite(se_cl))
        w = np.stack([draw_weights("webb", draws, g, rng)[0] for _ in range(r)])
        far = 64.0 * se_cl
        # one restricted fit per null value serves both bootstraps and the
        # randomization test (the panel without the hypothesised effect)
        nulls = (np.full(r, truth), beta - far, beta + far)
        offs = [logn[None] + b0[:, None, None] * d[None] for b0 in nulls]
        mu0s = [restricted_fit(y, off)[0] for off in offs]
        for method, wald in (("wild_webb", (beta, se_cl, ssc)), ("wild_score", None)):
            acc = [_bootstrap_accept(y, logn[None], d[None], b0, w, wald=wald, mu0=mu0)
                   for b0, mu0 in zip(nulls, mu0s, strict=True)]
            out[method].append(acc[0])
            bnd[method].append(~acc[1] & ~acc[2])
        ri = []
        for off, mu0 in zip(offs, mu0s, strict=True):
            st = assignment_statistics(y, off, members, post, mu=mu0)
            ri.append(p_from_statistics(st) > 0.05)
        out["randomization"].append(ri[0])
        bnd["randomization"].append(~ri[1] & ~ri[2])
    return {m: (np.concatenate(out[m]), np.concatenate(bnd[m])) for m in METHODS}


def coverage_records(
    replications: int = 1000,
    *,
    seed: int = 0,
    draws: int = 399,
    treated: Sequence[int] = (1, 3),
    alphas: Sequence[float] = (0.01, 0.05),
    rhos: Sequence[float] = (0.0,),
) -> pd.DataFrame:
    """Coverage per method and setting, English keys (one row each).

    Parameters
    ----------
    replications
        Simulated panels per setting.
    seed
        Seed of the simulation and of the bootstrap weights.
    draws
        Bootstrap draws per replication (p-value ``(1 + hits) / (draws + 1)``).
    treated, alphas
        Numbers of model areas and NB2 dispersions to simulate.
    rhos
        Year-to-year correlation of an extra AR(1) area shock (0 = none).

    Returns
    -------
    pandas.DataFrame
        Columns ``method, n_treated, alpha, rho, replications, coverage,
        mc_error, bounded``.
    """
    rows = []
    for j, n_treated in enumerate(treated):
        for i, alpha in enumerate(alphas):
            for h, rho in enumerate(rhos):
                key = [seed, j, i] if rho == 0 else [seed, j, i, h]
                rng = np.random.default_rng(key)
                panels = simulate_book_panels(rng, replications, n_treated, alpha, rho=rho)
                rows += _rows(_evaluate(panels, rng, draws), n_treated, alpha, rho,
                              replications)
    return pd.DataFrame(rows)


def _rows(res: dict[str, tuple[np.ndarray, np.ndarray]], n_treated: int, alpha: float,
          rho: float, replications: int) -> list[dict[str, object]]:
    rows = []
    for method in METHODS:
        covered, bounded = res[method]
        cov = float(covered.mean())
        rows.append({
            "method": method, "n_treated": int(n_treated), "alpha": float(alpha),
            "rho": float(rho), "replications": int(replications), "coverage": cov,
            "mc_error": float(np.sqrt(cov * (1 - cov) / replications)),
            "bounded": float(bounded.mean()),
        })
    return rows


#: The committed full runs (see the module docstring for the commands).
COMMITTED_CSV = Path(__file__).resolve().parents[2] / "results" / "coverage_panel.csv"
COMMITTED_MORE_CSV = COMMITTED_CSV.with_name("coverage_panel_more.csv")


def committed_records() -> pd.DataFrame | None:
    """The committed full runs (English keys), or ``None`` outside a source checkout.

    Rows of 1 and 3 model areas (with and without AR(1) shocks) and, if
    present, of 2 and 5 model areas, sorted by the number of model areas.
    """
    if not COMMITTED_CSV.exists():
        return None
    parts = [pd.read_csv(COMMITTED_CSV)]
    if COMMITTED_MORE_CSV.exists():
        parts.append(pd.read_csv(COMMITTED_MORE_CSV))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["n_treated", "rho", "alpha"], kind="stable", ignore_index=True)


def coverage_table(
    replications: int | None = None,
    *,
    seed: int = 0,
    draws: int = 399,
    treated: Sequence[int] = (1, 3),
    alphas: Sequence[float] = (0.01, 0.05),
    rhos: Sequence[float] = (0.0,),
    records: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The coverage table for the book, German column names and method labels.

    Relabels ``records`` if given; else, with ``replications=None``, the
    committed full run (``results/coverage_panel.csv``) when it is available;
    else computes :func:`coverage_records` (``replications`` defaults to
    1,000; a cheap setting such as ``replications=200, draws=99`` takes a few
    seconds).
    """
    rec = records
    if rec is None and replications is None:
        rec = committed_records()
    if rec is None:
        rec = coverage_records(replications or 1000, seed=seed, draws=draws, treated=treated,
                               alphas=alphas, rhos=rhos)
    out = rec.assign(method=rec["method"].map(LABELS_DE))
    return out.rename(columns=LABELS_DE)[[LABELS_DE[c] for c in (
        "method", "n_treated", "alpha", "rho", "replications", "coverage", "mc_error",
        "bounded")]]


def book_coverage_rows(
    records: pd.DataFrame | None = None,
    *,
    defaults: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """Panel rows of the chapter's table "Wie verlässlich sind die Intervalle?".

    Same columns as the interrupted-time-series rows of the evaluation chapter
    (``Verfahren, Inferenz, Standard, Situation, Überdeckung, Wiederholungen,
    93–97 % erreicht``) plus ``Endliches Intervall``; numbers already
    formatted in German.

    Parameters
    ----------
    records
        Coverage records (English keys); default: the committed full run.
    defaults
        Default inference per number of model areas (method keys of
        :data:`METHODS`, or the panel design's ``"bootstrap"``/``"cluster"``);
        marks the ``Standard`` column. Default: the panel design's
        ``auto_inference`` if available.
    """
    from sozialanalyse import formatting as fmt

    rec = records if records is not None else committed_records()
    if rec is None:
        rec = coverage_records(200, draws=99)
    alias = {"bootstrap": "wild_webb", "cluster": "cluster_t"}
    if defaults is None:
        try:
            from sozialanalyse.evaluation.panel_did import auto_inference  # type: ignore[attr-defined]

            defaults = {int(k): auto_inference(int(k)) for k in rec["n_treated"].unique()}
        except ImportError:
            defaults = {}
    default_key = {int(k): alias.get(v, v) for k, v in defaults.items()}
    situation = [
        f"{k} von {N_AREAS} Gebieten Modellgebiet{'e' if k > 1 else ''}, {N_YEARS} Jahre, "
        f"α = {fmt.number(a, 2)}" + (f", AR(1) ρ = {fmt.number(r, 1)}" if r > 0 else "")
        for k, a, r in zip(rec["n_treated"], rec["alpha"], rec["rho"], strict=True)
    ]
    return pd.DataFrame({
        "Verfahren": "Panel-DiD (simuliert)",
        "Inferenz": rec["method"].map(LABELS_DE),
        "Standard": [("ja" if default_key.get(int(k)) == m else "nein")
                     for k, m in zip(rec["n_treated"], rec["method"], strict=True)],
        "Situation": situation,
        "Überdeckung": [fmt.percent(v) for v in rec["coverage"]],
        "Wiederholungen": [fmt.integer(v) for v in rec["replications"]],
        "93–97 % erreicht": [("ja" if 0.93 <= v <= 0.97 else "nein") for v in rec["coverage"]],
        "Endliches Intervall": [fmt.percent(v) for v in rec["bounded"]],
    })


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Abdeckung der Intervalle der Panel-DiD (simuliert) berechnen")
    parser.add_argument("--replications", type=int, default=2000, help="Replikationen je Setting")
    parser.add_argument("--draws", type=int, default=999, help="Bootstrap-Ziehungen")
    parser.add_argument("--seed", type=int, default=20261207, help="Startwert")
    parser.add_argument("--treated", type=int, nargs="+", default=[1, 3],
                        help="Anzahlen der Modellgebiete (1, 2, 3 oder 5)")
    parser.add_argument("--rhos", type=float, nargs="+", default=[0.0, 0.5],
                        help="Autokorrelationen einer zusätzlichen AR(1)-Störung je Gebiet")
    parser.add_argument("--out", default="results/coverage_panel.csv", help="Ausgabedatei (CSV)")
    args = parser.parse_args(argv)
    rec = coverage_records(args.replications, seed=args.seed, draws=args.draws,
                           treated=args.treated, rhos=args.rhos)
    rec.to_csv(args.out, index=False, float_format="%.6g")
    print(rec.to_string(index=False))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
