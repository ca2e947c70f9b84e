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

The Dresden calibration (:data:`DRESDEN_CALIBRATION`) takes the young
population per Stadtraum from the real open-data tables and the rates from
published figures; each number names its source or is marked as an assumption.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.errors import InputDataError

SIMULATED_LABEL = "simuliert"


@dataclass(frozen=True)
class CalibrationValue:
    """One number of the simulation's calibration, with where it comes from.

    Parameters
    ----------
    name
        Parameter name.
    value
        The value used.
    unit
        Unit of the value.
    source_id
        ``source_id`` of the published figure (resolves in
        ``data/published/sources.csv``) or ``"assumption"``/``"derived"``.
    note
        How the value follows from the source.
    """

    name: str
    value: float
    unit: str
    source_id: str
    note: str


#: Published figures the simulated Dresden panel is calibrated to:
#: (name, table in ``data/published``, area_code, indicator, year, note).
PUBLISHED_CALIBRATION: tuple[tuple[str, str, str, str, int, str], ...] = (
    (
        "city_rate",
        "dresden_jugendhilfe",
        "14612000",
        "hze_je_1000_jungeinwohner",
        2018,
        "city-wide mean HzE rate per 1,000 residents aged 0-20",
    ),
    (
        "gorbitz_rate",
        "dresden_jugendhilfe",
        "SR16",
        "hze_je_1000_jungeinwohner",
        2018,
        "HzE rate of Gorbitz (Stadtraum 16), the highest published Stadtraum value",
    ),
    (
        "gorbitz_young_2018",
        "dresden_jugendhilfe",
        "SR16",
        "jungeinwohner_0_bis_20",
        2018,
        "young residents 0-20 of Gorbitz quoted in the same release (check of the "
        "population scaling)",
    ),
    (
        "saxony_hze_young_persons_2017",
        "hze_sachsen",
        "DE-SN",
        "hze_junge_menschen_total",
        2017,
        "Saxony, young persons with educational help incl. section 35a",
    ),
    (
        "saxony_hze_young_persons_2024",
        "hze_sachsen",
        "DE-SN",
        "hze_junge_menschen_total",
        2024,
        "the same count seven years later; trend = log(2024 / 2017) / 7",
    ),
)

#: Assumptions of the simulation (no published figure exists).
ASSUMED_CALIBRATION: tuple[CalibrationValue, ...] = (
    CalibrationValue(
        "year_sd",
        0.03,
        "log scale",
        "assumption",
        "common year-to-year shocks around the trend (about 3 %)",
    ),
    CalibrationValue(
        "dispersion",
        0.01,
        "NB2 alpha",
        "assumption",
        "extra-Poisson variation of each area-year with a coefficient of variation "
        "of 10 %; sensitivity shown for 0 and 0.05",
    ),
    CalibrationValue(
        "area_quantile",
        1.0 - 1.0 / 34.0,
        "probability",
        "assumption",
        "Gorbitz taken as the highest of 17 Stadträume: its log rate lies at the "
        "1 - 1/(2 x 17) quantile of the area distribution, which fixes the spread",
    ),
)


@functools.lru_cache(maxsize=64)
def _published_value(table: str, area_code: str, indicator: str, year: int) -> tuple[float, str]:
    from sozialanalyse.data import load

    df = load(table)
    hit = df[
        (df["area_code"].astype(str) == area_code)
        & (df["indicator"] == indicator)
        & (df["year"] == year)
    ]
    if len(hit) != 1:
        raise InputDataError(
            f"expected one published value for {area_code}/{indicator}/{year}, found {len(hit)}",
            file=f"data/published/{table}.csv",
            column="value",
        )
    row = hit.iloc[0]
    return float(row["value"]), str(row["source_id"])


def dresden_calibration() -> tuple[CalibrationValue, ...]:
    """All calibration numbers of the simulated Dresden panel, with sources.

    Published figures are read from ``data/published`` (so their ``source_id``
    comes with them); the assumptions are :data:`ASSUMED_CALIBRATION`.
    """
    out = []
    for name, table, code, indicator, year, note in PUBLISHED_CALIBRATION:
        value, source_id = _published_value(table, code, indicator, year)
        unit = {"hze_je_1000_jungeinwohner": "HzE per 1,000 residents aged 0-20"}.get(
            indicator, "persons"
        )
        out.append(CalibrationValue(name, value, unit, source_id, note))
    return tuple(out) + ASSUMED_CALIBRATION


def calibration_frame() -> pd.DataFrame:
    """The calibration numbers as a tidy table (one row per number)."""
    return pd.DataFrame([c.__dict__ for c in dresden_calibration()])


def calibration_value(name: str, calibration: Sequence[CalibrationValue] | None = None) -> float:
    """Look up one calibration number by name."""
    for c in calibration if calibration is not None else dresden_calibration():
        if c.name == name:
            return c.value
    raise KeyError(name)


def annual_trend(calibration: Sequence[CalibrationValue] | None = None) -> float:
    """Yearly growth of HzE in Saxony 2017-2024 (log scale)."""
    cal = calibration if calibration is not None else dresden_calibration()
    a = calibration_value("saxony_hze_young_persons_2017", cal)
    b = calibration_value("saxony_hze_young_persons_2024", cal)
    return float(np.log(b / a) / 7.0)


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
    return rng.poisson(lam).astype(np.int64)


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
            return stats.poisson.ppf(self.uniforms, lam).astype(np.int64)
        m = np.broadcast_to(mask, self.uniforms.shape)
        out = base.copy()
        out[m] = stats.poisson.ppf(self.uniforms[m], lam[m]).astype(np.int64)
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


# ---------------------------------------------------------------------------
# the simulated Dresden panel
# ---------------------------------------------------------------------------

#: The Dresden study's reference areas (seed document of the 2017 study):
#: Stadtraum 04 (Leipziger Vorstadt, Pieschen), 10 (Leuben), 14 (Mockritz,
#: Coschütz, Plauen).
DRESDEN_MODEL_AREAS: tuple[str, ...] = ("04", "10", "14")
DRESDEN_SHORT_NAMES: dict[str, str] = {"04": "Pieschen", "10": "Leuben", "14": "Plauen"}
GORBITZ = "16"


@functools.lru_cache(maxsize=1)
def _young_population_frame() -> pd.DataFrame:
    from sozialanalyse.data import load

    yp = load("dresden_young_population")
    return yp[yp["area_level"] == "stadtraum"].copy()


def _young_population_table() -> pd.DataFrame:
    return _young_population_frame().copy()


def dresden_young_population(years: Sequence[int] = tuple(range(2014, 2026))) -> pd.DataFrame:
    """Young residents (0-20) per Stadtraum and year, from the real open data.

    The register gives residents aged 0-17 per Stadtraum for 2014, 2016, 2018,
    2020, 2022, 2024 and 2025, and residents aged 0-20 only for 2025
    (``data/derived/dresden_young_population``). For the **simulation input**
    this function (i) interpolates 0-17 linearly for the odd years in between
    and (ii) scales 0-17 to 0-20 with each Stadtraum's own 2025 ratio
    ``(0-20) / (0-17)``. Rows say which years are register counts.

    Returns
    -------
    pandas.DataFrame
        ``area`` (code ``"01"``-``"17"``), ``area_name``, ``year``,
        ``population`` (0-20, rounded), ``population_0_17``, ``ratio_0_20``,
        ``basis`` (``"register"`` or ``"interpolated"``).
    """
    yp = _young_population_table()
    u18 = yp[yp["age_group"] == "0-17"].pivot(index="area_code", columns="year",
                                             values="population")
    ratio = (
        yp[(yp["age_group"] == "0-20") & (yp["year"] == 2025)].set_index("area_code")["population"]
        / u18[2025]
    )
    names = yp.drop_duplicates("area_code").set_index("area_code")["area_name"]
    reg_years = np.asarray(u18.columns, dtype=int)
    years = [int(y) for y in years]
    if min(years) < reg_years.min() or max(years) > reg_years.max():
        raise InputDataError(
            f"years must lie within {reg_years.min()}-{reg_years.max()}",
            file="data/derived/dresden_young_population.csv",
            column="year",
        )
    rows = []
    for code in u18.index:
        vals = np.interp(years, reg_years, u18.loc[code].to_numpy(dtype=float))
        for y, v in zip(years, vals, strict=True):
            rows.append(
                {
                    "area": code,
                    "area_name": names[code],
                    "year": y,
                    "population_0_17": float(v),
                    "ratio_0_20": float(ratio[code]),
                    "population": int(round(v * ratio[code])),
                    "basis": "register" if y in reg_years else "interpolated",
                }
            )
    return pd.DataFrame(rows)


def dresden_area_rates(
    population: pd.DataFrame,
    *,
    seed: int = 2017,
    calibration: Sequence[CalibrationValue] | None = None,
    reference_year: int = 2018,
) -> pd.Series:
    """Baseline HzE rates per Stadtraum (per 1,000 aged 0-20) for the simulation.

    Gorbitz (Stadtraum 16) gets its published rate. The other areas get
    ``exp(c + s z_i)`` with standard-normal ``z_i`` drawn from ``seed`` (simulated,
    not real area values); ``s`` puts Gorbitz at the top quantile
    (``area_quantile``) and ``c`` makes the population-weighted city rate in
    ``reference_year`` equal the published city rate.
    """
    cal = calibration if calibration is not None else dresden_calibration()
    city = calibration_value("city_rate", cal)
    gorbitz = calibration_value("gorbitz_rate", cal)
    q = calibration_value("area_quantile", cal)
    spread = float(np.log(gorbitz / city) / stats.norm.ppf(q))
    pop = population[population["year"] == reference_year].set_index("area")["population"]
    areas = sorted(pop.index)
    others = [a for a in areas if a != GORBITZ]
    z = np.random.default_rng(seed).standard_normal(len(others))
    n_o = pop.reindex(others).to_numpy(dtype=float)
    total = float(pop.sum())
    c = np.log((city * total - gorbitz * float(pop[GORBITZ])) / np.sum(n_o * np.exp(spread * z)))
    rates = pd.Series(np.exp(c + spread * z), index=others)
    rates[GORBITZ] = gorbitz
    return rates.reindex(areas).rename("rate_per_1000")


def dresden_panel(
    *,
    irr: float = 0.85,
    start_year: int = 2020,
    treated: Sequence[str] = DRESDEN_MODEL_AREAS,
    years: Sequence[int] = tuple(range(2014, 2026)),
    dispersion: float | None = None,
    seed: int = 2017,
) -> pd.DataFrame:
    """The **simulated** Dresden panel: 17 Stadträume x years, HzE case counts.

    Real young-population figures (see :func:`dresden_young_population`), rates
    calibrated to published Dresden figures (:func:`dresden_area_rates`), the
    Saxon HzE trend, assumed year shocks and overdispersion, and a true effect
    ``irr`` in the model areas from ``start_year`` on. Every number but the
    populations is simulated.

    Returns
    -------
    pandas.DataFrame
        As :func:`simulate_panel`, plus ``area_name`` and ``rate_true`` (the
        simulated baseline rate); ``attrs["label"] == "simuliert"``.
    """
    cal = dresden_calibration()
    pop = dresden_young_population(years)
    rates = dresden_area_rates(pop, seed=seed, calibration=cal)
    alpha = calibration_value("dispersion", cal) if dispersion is None else dispersion
    panel = simulate_panel(
        pop[["area", "year", "population"]],
        rates,
        treated=list(treated),
        start_year=start_year,
        irr=irr,
        dispersion=alpha,
        trend=annual_trend(cal),
        year_sd=calibration_value("year_sd", cal),
        seed=seed + 1,
    )
    names = pop.drop_duplicates("area").set_index("area")["area_name"]
    panel.insert(1, "area_name", panel["area"].map(names))
    panel["rate_true"] = panel["area"].map(rates)
    panel.attrs["label"] = SIMULATED_LABEL
    return panel
