"""Generative model for simulated case-count panels (area x year).

Real yearly HzE case counts per Dresden Stadtraum are not public. To explain
the evaluation methods and to plan a model project, the compendium therefore
**simulates** such panels with a documented generative model calibrated to real
magnitudes. Every table made here carries the column ``simulated`` (always
``True``) and ``DataFrame.attrs["label"] == "simuliert"``.

The model, for area ``i`` and year ``t``::

    mu_it    = N_it / 1000 * r_i * exp(g_t) * IRR ** D_it
    lambda_it = mu_it * G_it,   G_it ~ Gamma(shape = 1 / alpha, scale = alpha)
    Y_it     ~ Poisson(lambda_it)

with young residents ``N_it``, baseline rate ``r_i`` (cases per 1,000 young
residents and year), year effect ``g_t`` (log scale), treatment indicator
``D_it`` (treated area and year on or after the start) and overdispersion
``alpha``: marginally ``Y_it`` is negative binomial with
``Var(Y) = mu + alpha * mu**2`` (gamma-Poisson mixture). ``alpha = 0`` gives
Poisson counts.

The simulated Dresden panel, with rates tied to real Stadtraum indicators and
published figures, is built in :mod:`sozialanalyse.evaluation.simulate_dresden`;
its names are also available from this module (imported on first use).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from sozialanalyse.errors import InputDataError

SIMULATED_LABEL = "simuliert"

#: Names of :mod:`sozialanalyse.evaluation.simulate_dresden` served from here too.
_DRESDEN_NAMES = frozenset({
    "ASSUMED_CALIBRATION", "BURDEN_INDICATORS", "BURDEN_YEAR", "CalibrationValue",
    "DRESDEN_MODEL_AREAS", "DRESDEN_SHORT_NAMES", "GORBITZ", "LEVEL_YEAR",
    "PUBLISHED_CALIBRATION", "annual_trend", "calibration_frame", "calibration_value",
    "dresden_area_rates", "dresden_burden_score", "dresden_calibration", "dresden_panel",
    "dresden_young_population",
})


def __getattr__(name: str) -> Any:
    """Dresden names, imported lazily from :mod:`~sozialanalyse.evaluation.simulate_dresden`."""
    if name in _DRESDEN_NAMES:
        from sozialanalyse.evaluation import simulate_dresden

        return getattr(simulate_dresden, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# counts
# ---------------------------------------------------------------------------


def draw_counts(
    mean: np.ndarray,
    dispersion: float,
    rng: np.random.Generator,
    size: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Draw gamma-Poisson (negative binomial) counts.

    Parameters
    ----------
    mean
        Expected counts, broadcastable to ``size``.
    dispersion
        NB2 overdispersion ``alpha`` (``Var = mu + alpha mu^2``); 0 gives Poisson.
    rng
        Random generator (``numpy.random.default_rng(seed)``).
    size
        Output shape; default ``mean.shape``.

    Returns
    -------
    numpy.ndarray
        Integer counts (int64).
    """
    mean = np.asarray(mean, dtype=float)
    if dispersion < 0 or not np.isfinite(dispersion):
        raise ValueError(f"dispersion must be a finite number >= 0, got {dispersion}")
    if np.any(mean < 0) or not np.all(np.isfinite(mean)):
        raise ValueError("expected counts must be finite and non-negative")
    shape = mean.shape if size is None else size
    lam = np.broadcast_to(mean, shape)
    if dispersion > 0:
        lam = lam * rng.gamma(1.0 / dispersion, dispersion, size=shape)
    return rng.poisson(lam).astype(np.int64, copy=False)


def poisson_quantile(u: np.ndarray, lam: np.ndarray, max_rounds: int = 10_000) -> np.ndarray:
    """Poisson quantile: the smallest ``k`` with ``P(Y <= k) >= u`` for ``Y ~ Poisson(lam)``.

    The same numbers as ``scipy.stats.poisson.ppf`` (tested), several times
    faster for large arrays: the Cornish-Fisher approximation
    ``lam + sqrt(lam) z + (z^2 - 1) / 6`` (``z`` the normal quantile of ``u``)
    is corrected to the exact value by steps of one, checked with the
    Poisson distribution function (usually zero or one step).

    Parameters
    ----------
    u
        Probabilities in ``[0, 1)``.
    lam
        Poisson means (``>= 0``), same shape as ``u``.

    Returns
    -------
    numpy.ndarray
        Integer quantiles (int64).
    """
    u = np.asarray(u, dtype=float)
    lam = np.asarray(lam, dtype=float)
    z = np.clip(special.ndtri(u), -37.0, 37.0)
    k = np.maximum(np.floor(lam + np.sqrt(lam) * z + (z * z - 1.0) / 6.0), 0.0)
    # up while P(Y <= k) < u, then down while P(Y <= k - 1) >= u; only the cells
    # that still move are evaluated again
    idx = np.flatnonzero(special.pdtr(k, lam).ravel() < u.ravel())
    kf, uf, lf = k.reshape(-1), u.reshape(-1), lam.reshape(-1)
    for _ in range(max_rounds):
        if idx.size == 0:
            break
        kf[idx] += 1.0
        idx = idx[special.pdtr(kf[idx], lf[idx]) < uf[idx]]
    idx = np.flatnonzero((kf > 0) & (special.pdtr(kf - 1.0, lf) >= uf))
    for _ in range(max_rounds):
        if idx.size == 0:
            break
        kf[idx] -= 1.0
        idx = idx[(kf[idx] > 0) & (special.pdtr(kf[idx] - 1.0, lf[idx]) >= uf[idx])]
    return k.astype(np.int64)


@dataclass(frozen=True)
class CoupledDraws:
    """Random numbers that turn expected counts into counts monotonically.

    The same uniforms and gamma multipliers are reused for every effect size, so
    that counts (and hence power) change monotonically with the effect: common
    random numbers for power curves and the bisection of the minimum detectable
    effect.
    """

    uniforms: np.ndarray
    gamma: np.ndarray

    @classmethod
    def draw(
        cls, shape: tuple[int, ...], dispersion: float, rng: np.random.Generator
    ) -> CoupledDraws:
        """Draw uniforms and gamma multipliers of the given shape."""
        gam = (
            rng.gamma(1.0 / dispersion, dispersion, size=shape)
            if dispersion > 0
            else np.ones(shape)
        )
        return cls(uniforms=rng.random(shape), gamma=gam)

    def counts(
        self,
        mean: np.ndarray,
        mask: np.ndarray | None = None,
        base: np.ndarray | None = None,
    ) -> np.ndarray:
        """Counts by inverse-CDF transform of the stored uniforms.

        Parameters
        ----------
        mean
            Expected counts, broadcastable to the stored shape.
        mask
            Optional boolean array (broadcastable): only these cells are
            recomputed, the others are taken from ``base``.
        base
            Counts for the cells outside ``mask``.
        """
        lam = np.broadcast_to(np.asarray(mean, dtype=float), self.uniforms.shape) * self.gamma
        if mask is None or base is None:
            return poisson_quantile(self.uniforms, lam)
        m = np.broadcast_to(mask, self.uniforms.shape)
        out = base.copy()
        out[m] = poisson_quantile(self.uniforms[m], lam[m])
        return out


def expected_counts(
    population: np.ndarray,
    rate_per_1000: np.ndarray,
    year_effects: np.ndarray,
    treat: np.ndarray,
    irr: float,
) -> np.ndarray:
    """Expected counts ``N / 1000 * r * exp(g) * IRR ** D`` on an area x year grid.

    Parameters
    ----------
    population
        Shape ``(A, T)`` young residents.
    rate_per_1000
        Shape ``(A,)`` baseline rate per 1,000 young residents.
    year_effects
        Shape ``(..., T)`` log year effects (leading batch axes allowed).
    treat
        Shape ``(A, T)`` boolean treatment indicator.
    irr
        True incidence-rate ratio.
    """
    pop = np.asarray(population, dtype=float)
    rate = np.asarray(rate_per_1000, dtype=float)[:, None]
    g = np.asarray(year_effects, dtype=float)[..., None, :]
    eff = np.where(np.asarray(treat, dtype=bool), np.log(irr), 0.0)
    return pop / 1000.0 * rate * np.exp(g + eff)


# ---------------------------------------------------------------------------
# tidy panels
# ---------------------------------------------------------------------------


def simulate_panel(
    population: pd.DataFrame,
    rates_per_1000: pd.Series,
    *,
    treated: Sequence[str],
    start_year: int,
    irr: float = 1.0,
    dispersion: float = 0.0,
    trend: float = 0.0,
    year_sd: float = 0.0,
    seed: int,
) -> pd.DataFrame:
    """Simulate one tidy case-count panel from the generative model.

    Parameters
    ----------
    population
        Tidy table with columns ``area``, ``year``, ``population`` (young
        residents), one row per area and year, no gaps.
    rates_per_1000
        Baseline rate per area (index = area), cases per 1,000 young residents.
    treated
        Areas that start the model project.
    start_year
        First year with the treatment.
    irr
        True incidence-rate ratio of the treatment.
    dispersion
        NB2 overdispersion ``alpha``.
    trend
        Common log-linear trend per year.
    year_sd
        Standard deviation of common year shocks (log scale).
    seed
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        Columns ``area``, ``year``, ``population``, ``cases``, ``treated``
        (area ever treated), ``post`` (year >= start), ``treat`` (both),
        ``expected`` (the model mean without noise), ``start_year`` (NaN for
        comparison areas, as :func:`~sozialanalyse.evaluation.validate_panel`
        expects) and ``simulated`` (True).
        ``attrs["label"] == "simuliert"``.
    """
    needed = {"area", "year", "population"}
    missing = needed - set(population.columns)
    if missing:
        raise InputDataError(
            f"population table lacks columns {sorted(missing)}",
            file="<population>",
            hint="pass a tidy table with area, year, population",
        )
    wide = population.pivot(index="area", columns="year", values="population")
    if wide.isna().any().any():
        raise InputDataError(
            "population table has missing area-year combinations",
            file="<population>",
            column="population",
        )
    if (wide.to_numpy() <= 0).any():
        raise InputDataError(
            "population must be positive in every area and year",
            file="<population>",
            column="population",
        )
    areas = list(wide.index)
    years = np.asarray(wide.columns, dtype=int)
    unknown = [a for a in treated if a not in areas]
    if unknown:
        raise InputDataError(
            f"treated areas not in the population table: {unknown}", file="<population>",
            column="area",
        )
    if not (years.min() < start_year <= years.max()):
        raise InputDataError(
            f"start year {start_year} must lie after the first and not after the last "
            f"year ({years.min()}-{years.max()})",
            file="<population>",
            column="year",
        )
    missing_rates = [a for a in areas if a not in rates_per_1000.index]
    if missing_rates:
        raise InputDataError(f"no baseline rate for areas {missing_rates}", column="rate")
    rng = np.random.default_rng(seed)
    rate = rates_per_1000.reindex(areas).to_numpy(dtype=float)
    g = trend * (years - years[0]) + year_sd * rng.standard_normal(years.size)
    is_treated = np.isin(areas, list(treated))
    post = years >= start_year
    d = is_treated[:, None] & post[None, :]
    mu = expected_counts(wide.to_numpy(dtype=float), rate, g, d, irr)
    y = draw_counts(mu, dispersion, rng)
    out = pd.DataFrame(
        {
            "area": np.repeat(areas, years.size),
            "year": np.tile(years, len(areas)),
            "population": wide.to_numpy().ravel(),
            "cases": y.ravel(),
            "treated": np.repeat(is_treated, years.size),
            "post": np.tile(post, len(areas)),
            "treat": d.ravel(),
            "expected": mu.ravel(),
        }
    )
    out["start_year"] = np.where(out["treated"], float(start_year), np.nan)
    out["simulated"] = True
    out.attrs["label"] = SIMULATED_LABEL
    return out
