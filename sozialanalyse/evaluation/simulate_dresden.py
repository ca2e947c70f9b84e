"""The simulated Dresden panel: 17 Stadträume, real populations and indicators, simulated counts.

Yearly HzE case counts per Dresden Stadtraum are not public. This module
builds the compendium's simulated Dresden panel from the generative model of
:mod:`sozialanalyse.evaluation.simulate`; every table it makes is labelled
``"simuliert"``.

The panel (:func:`dresden_panel`) takes the young population per
Stadtraum from the real open-data tables and ties the rates to real Stadtraum
indicators and published figures (:func:`dresden_area_rates`)::

    x_i       = mean of the z-scores of two burden indicators of Stadtraum i
                in BURDEN_YEAR (share of children living with a single parent;
                share of households with low income, Kommunale Bürgerumfrage)
    r_i(t)    = exp(c + s * x_i + trend * (t - BURDEN_YEAR))
    g_t       = trend * (t - t_0) + year_sd * z_t,   z_t ~ N(0, 1)
    mu_it     = N_it / 1000 * r_i(t_0) * exp(g_t) * IRR ** D_it
    Y_it      ~ NegBin(mean mu_it, Var = mu_it + alpha * mu_it**2)

with ``N_it`` the real young residents (0-20; odd years interpolated, see
:func:`dresden_young_population`), ``t_0`` the first simulated year, ``D_it``
the model areas from the start year on, ``year_sd`` = 0.03 and
``alpha`` = 0.01 (assumptions, :data:`ASSUMED_CALIBRATION`).

``s`` is set so that Gorbitz's rate is 75/30 = 2.5 times the
population-weighted city rate in 2018 (published ratio), ``c`` so that the
expected city total in 2023 equals the published 9,232 young people with HzE
(without the year shocks), ``trend`` is the Saxon HzE trend 2017-2024. The
published 2018 rates (30 and 75 per 1,000 aged 0-20) are used only as a
ratio: their counting rule is not stated, and the 2023 total (children,
youths and young adults in the calendar year) gives a level more than twice
as high per 1,000 aged 0-20. Each number names its source or is marked as an
assumption (:func:`dresden_calibration`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialanalyse import formatting as fmt
from sozialanalyse.errors import InputDataError
from sozialanalyse.evaluation.simulate import SIMULATED_LABEL, simulate_panel


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
        "city_hze_persons_2023",
        "dresden_jugendhilfe",
        "14612000",
        "hze_empfaenger_gesamt",
        2023,
        "children, youths and young adults with HzE in Dresden in 2023 (calendar year); "
        "sets the level: the expected simulated city total of 2023 equals it",
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


#: Burden indicators that order the simulated Stadtraum rates (names of
#: ``data/derived/dresden_stadtraum_indicators.csv``): children living with a
#: single parent per 100 children, and households with relatively low income
#: (per cent, Kommunale Bürgerumfrage). Both are burden indicators of the
#: package's Dresden-style index; the labour-market one is left out because it
#: is published per Stadtbezirk only.
BURDEN_INDICATORS: tuple[str, ...] = (
    "anteil_kinder_bei_alleinerziehenden",
    "kbu_anteil_geringes_einkommen",
)
#: Year of the published level of the simulated rates (the city total of HzE).
LEVEL_YEAR = 2023
#: Year of the burden indicators: the year of the published Gorbitz/city ratio.
BURDEN_YEAR = next(year for name, _, _, _, year, _ in PUBLISHED_CALIBRATION
                   if name == "gorbitz_rate")


@functools.lru_cache(maxsize=8)
def _burden_frame(year: int) -> pd.DataFrame:
    from sozialanalyse.data import load

    sr = load("dresden_stadtraum_indicators")
    sr = sr[
        (sr["area_level"] == "stadtraum")
        & (sr["year"] == year)
        & (sr["indicator"].isin(BURDEN_INDICATORS))
    ]
    wide = sr.pivot(index="area_code", columns="indicator", values="value")
    if wide.shape != (17, len(BURDEN_INDICATORS)) or wide.isna().any().any():
        raise InputDataError(
            f"burden indicators {list(BURDEN_INDICATORS)} are not complete for the 17 "
            f"Stadträume in {year}",
            file="data/derived/dresden_stadtraum_indicators.csv",
            column="value",
        )
    wide.index = wide.index.astype(str).str.zfill(2)
    sources = sr.drop_duplicates("indicator").set_index("indicator")["source_id"]
    z = (wide - wide.mean()) / wide.std(ddof=1)
    out = wide[list(BURDEN_INDICATORS)].copy()
    out["burden_score"] = z.mean(axis=1)
    out.attrs["source_id"] = "; ".join(sources.reindex(list(BURDEN_INDICATORS)))
    return out


def dresden_burden_score(year: int | None = None) -> pd.DataFrame:
    """Real burden indicators per Stadtraum and the score that orders the simulated rates.

    Parameters
    ----------
    year
        Indicator year; default :data:`BURDEN_YEAR` (2018, the year of the
        published Gorbitz/city ratio).

    Returns
    -------
    pandas.DataFrame
        Index ``area`` (``"01"``-``"17"``), one column per indicator of
        :data:`BURDEN_INDICATORS` (real open data) and ``burden_score``: the mean
        of their z-scores across the 17 Stadträume (unweighted, ``ddof=1``).
        ``attrs["source_id"]`` names the open-data sources.
    """
    y = BURDEN_YEAR if year is None else int(year)
    out = _burden_frame(y).copy()
    out.index.name = "area"
    return out


def _rate_model(
    calibration: Sequence[CalibrationValue],
) -> tuple[pd.Series, float, float, int, float]:
    """Burden scores ``x``, spread ``s``, log level ``c``, burden year and trend.

    ``r_i(t) = exp(c + s x_i + trend (t - BURDEN_YEAR))`` per 1,000 young
    residents (0-20).
    """
    from scipy.optimize import brentq

    from sozialanalyse.errors import MethodError

    year = BURDEN_YEAR
    trend = annual_trend(calibration)
    ratio = calibration_value("gorbitz_rate", calibration) / calibration_value(
        "city_rate", calibration
    )
    x = _burden_frame(year)["burden_score"]
    pop = dresden_young_population((year, LEVEL_YEAR))
    n_ref = pop[pop["year"] == year].set_index("area")["population"].reindex(x.index)
    n_lvl = pop[pop["year"] == LEVEL_YEAR].set_index("area")["population"].reindex(x.index)
    xv, w = x.to_numpy(dtype=float), n_ref.to_numpy(dtype=float)
    x_g = float(x[GORBITZ])

    def excess(s: float) -> float:
        # Gorbitz rate / population-weighted city rate in the burden year, minus target
        return float(np.exp(s * x_g) * w.sum() / np.sum(w * np.exp(s * xv))) - ratio

    if excess(0.0) >= 0 or excess(20.0) <= 0:
        raise MethodError(
            "Die Gorbitz-Rate lässt sich mit dem Belastungswert nicht auf das "
            f"veröffentlichte Verhältnis {fmt.number(ratio, 2)} zur Stadt bringen."
        )
    s = float(brentq(excess, 0.0, 20.0, xtol=1e-14))
    total = calibration_value("city_hze_persons_2023", calibration)
    shift = trend * (LEVEL_YEAR - year)
    expected = np.sum(n_lvl.to_numpy(dtype=float) / 1000.0 * np.exp(s * xv + shift))
    c = float(np.log(total / expected))
    return x, s, c, year, trend


def dresden_area_rates(
    base_year: int | None = None,
    *,
    calibration: Sequence[CalibrationValue] | None = None,
) -> pd.Series:
    """Simulated baseline HzE rates per Stadtraum (per 1,000 residents aged 0-20).

    The rates follow the real burden score of :func:`dresden_burden_score`
    log-linearly, ``r_i(t) = exp(c + s x_i + trend (t - BURDEN_YEAR))``:

    * ``s`` makes Gorbitz's rate 75/30 = 2.5 times the population-weighted
      city rate in the burden year (the published ratio, PR_ASD_GORBITZ_2018);
    * ``c`` makes the expected city total of :data:`LEVEL_YEAR` (2023; young
      residents of that year, no year shock) equal the published 9,232 young
      people with HzE (WEB_DD_STAT_KJH);
    * ``trend`` is the Saxon HzE trend 2017-2024 (:func:`annual_trend`).

    So the order of the rates is the order of the burden score, and no rate is
    drawn at random. The rates are simulation inputs, not real Stadtraum values.

    Parameters
    ----------
    base_year
        Year the rates refer to (the first year of a simulated panel, whose
        year effects start at 0 there); default :data:`BURDEN_YEAR`.
    calibration
        Calibration numbers; default :func:`dresden_calibration`.

    Returns
    -------
    pandas.Series
        Rate per area (``"01"``-``"17"``), name ``rate_per_1000``;
        ``attrs["spread"]`` (``s``), ``attrs["base_year"]`` and
        ``attrs["label"] == "simuliert"``.
    """
    cal = calibration if calibration is not None else dresden_calibration()
    x, s, c, year, trend = _rate_model(tuple(cal))
    base = year if base_year is None else int(base_year)
    rates = pd.Series(np.exp(c + s * x.to_numpy() + trend * (base - year)), index=x.index,
                      name="rate_per_1000").sort_index()
    rates.index.name = "area"
    rates.attrs.update(spread=s, base_year=base, label=SIMULATED_LABEL)
    return rates


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
    that follow the real burden indicators and are calibrated to published
    Dresden figures (:func:`dresden_area_rates`: Gorbitz/city ratio 75/30,
    city total 9,232 in 2023), the Saxon HzE trend, assumed year shocks and
    overdispersion, and a true effect ``irr`` in the model areas from
    ``start_year`` on. Every number but the populations and the indicators is
    simulated; ``seed`` drives only the year shocks and the counts.

    Returns
    -------
    pandas.DataFrame
        As :func:`simulate_panel`, plus ``area_name`` and ``rate_true`` (the
        simulated baseline rate); ``attrs["label"] == "simuliert"``.
    """
    cal = dresden_calibration()
    pop = dresden_young_population(years)
    rates = dresden_area_rates(int(min(years)), calibration=cal)
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
