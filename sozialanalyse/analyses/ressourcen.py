"""Dresden: allocating an example total of staff (VK) to the 17 Stadträume by need.

The chapter ``book/ressourcen.ipynb`` calls these functions. The index is the Dresden-style
index of :mod:`sozialanalyse.analyses.dresden_index` (latest complete year); the population
is the number of residents under 18 per Stadtraum in the same year (open data). Everything
else is an **example**, stated as such in the chapter:

* the total (:data:`EXAMPLE_TOTAL` VK) is not Dresden's staffing (not public);
* today's allocation is *assumed* to be per capita (the real one per Stadtraum is not public);
* the floor, the cap, the uplift, the damping and the yearly bound are illustrative choices.

Dresden's own Fachkräftebemessung (FKB_2021) weights by the forecast of young people and
"Prekarisierungshintergründe"; its coefficients are not public, so nothing here reproduces
it. The study's "Differenz VK 2018 zu 2016" (+2.00 Pieschen, +2.52 Plauen) is context only.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from sozialanalyse.allocation import (
    allocate,
    allocation_draws,
    compare_scenarios,
    need_weights,
    ratio_check,
    years_to_target,
)
from sozialanalyse.allocation.need import RULES
from sozialanalyse.allocation.rounding import METHODS
from sozialanalyse.allocation.sensitivity import AllocationChoices, allocation_sensitivity
from sozialanalyse.analyses import dresden_index as di
from sozialanalyse.data import load
from sozialanalyse.index.choices import ChoiceSpace

EXAMPLE_TOTAL = 100.0
"""Example total in VK (Beispielsumme); not a Dresden figure."""
UNIT = 0.25
"""Smallest amount moved (a quarter position)."""
METHOD = "hamilton"
RULE = "linear"
BASE = 1.0
UPLIFT = 0.5
"""A young resident of the most burdened Stadtraum counts 1.5 times one of the least."""
FLOOR = 4.5
"""Example minimum per Stadtraum (VK)."""
CAP_FACTOR = 1.25
"""Example cap: at most this multiple of the per-capita amount."""
DAMPING = 0.25
"""Share of the gap to the target closed per year (example)."""
MAX_CHANGE = 0.10
"""Example bound on the yearly change per Stadtraum (relative to today)."""
POPULATION = "einwohner_0_17"
SENS_N_BASE = 256
SEED = 2017
SENS_FLOORS: tuple[float, ...] = (0.0, FLOOR)
BAND: tuple[float, float] = (0.05, 0.95)
"""Quantiles of the band of the allocation over the draws."""
CERTAIN = 0.9
"""A Stadtraum counts as "almost surely more (less)" in at least this share of the draws."""
MOVED_QUANTILE = 0.95
"""Quantile of the staff moved against the nominal allocation that the chapter reports."""
ALABAMA_SEATS: tuple[int, int] = (10, 11)


def year() -> int:
    """The index year (latest complete year of the Dresden index)."""
    return di.latest_year()


@lru_cache(maxsize=4)
def population(y: int | None = None) -> pd.Series:
    """Residents under 18 per Stadtraum in year ``y`` (open data)."""
    y = y or year()
    d = di.stadtraum_data()
    d = d.loc[(d["indicator"] == POPULATION) & (d["year"] == y)]
    out = d.set_index("area")["value"].astype(float).sort_index()
    out.name = "population"
    return out


def index(y: int | None = None) -> pd.Series:
    """The Dresden-style index of year ``y`` (higher = more burden)."""
    return di.coin(y or year()).index


def weights(y: int | None = None, rule: str = RULE, uplift: float = UPLIFT) -> pd.Series:
    """Need weights of year ``y``."""
    return need_weights(index(y), rule, base=BASE, uplift=uplift)


def per_capita_today() -> pd.Series:
    """Assumed current allocation: the example total per capita, in whole units."""
    return allocate(population(), EXAMPLE_TOTAL, unit=UNIT, method=METHOD).amounts


def cap() -> pd.Series:
    """Example cap per Stadtraum: ``CAP_FACTOR`` x the per-capita amount."""
    p = population()
    return CAP_FACTOR * EXAMPLE_TOTAL * p / p.sum()


@lru_cache(maxsize=1)
def scenarios():
    """The four scenarios (per capita, needs, floors/caps, damped) for the example total."""
    return compare_scenarios(
        population(), weights(), EXAMPLE_TOTAL, unit=UNIT, method=METHOD, floor=FLOOR,
        cap=cap(), current=per_capita_today(), damping=DAMPING, max_change=MAX_CHANGE,
    )


def scenario_table() -> pd.DataFrame:
    """Scenario amounts with the Stadtraum name, sorted by need uplift."""
    t = scenarios().table.copy()
    t = t.loc[(t["needs"] - t["per_capita"]).sort_values(ascending=False).index]
    t.insert(0, "name", t.index.map(di.stadtraum_names()))
    return t


def breakdown() -> pd.DataFrame:
    """Per-area breakdown of the damped scenario (population share ... rounding effect)."""
    t = scenarios().allocations["damped"].to_frame()
    t.insert(0, "name", t.index.map(di.stadtraum_names()))
    return t.sort_values("need_uplift", ascending=False)


def method_comparison() -> pd.DataFrame:
    """Needs-weighted allocation by each apportionment method, with tie and quota flags."""
    cols = {}
    flags = {}
    for m in METHODS:
        a = allocate(population(), EXAMPLE_TOTAL, need_weight=weights(), unit=UNIT, method=m)
        cols[m] = a.amounts
        flags[m] = (int(a.ties.shape[0]), int(a.apportionment.quota_violations.shape[0]))
    out = pd.DataFrame(cols)
    out.insert(0, "name", out.index.map(di.stadtraum_names()))
    out.attrs["ties"] = {m: f[0] for m, f in flags.items()}
    out.attrs["quota_violations"] = {m: f[1] for m, f in flags.items()}
    return out


ALABAMA_WEIGHTS: tuple[float, ...] = (14.0, 9.0, 4.0)
"""Three areas whose weights show the Alabama paradox of Hamilton (10 and 11 units)."""


def alabama_example() -> pd.DataFrame:
    """Hamilton and Webster with 10 and 11 units for three areas (Alabama paradox)."""
    from sozialanalyse.allocation import apportion_array

    w = np.array(ALABAMA_WEIGHTS)
    rows = {}
    for seats in ALABAMA_SEATS:
        rows[f"quota_{seats}"] = seats * w / w.sum()
        for m in ("hamilton", "webster"):
            rows[f"{m}_{seats}"] = apportion_array(w, seats, m)
    return pd.DataFrame(rows, index=["A", "B", "C"])


def rule_comparison() -> pd.DataFrame:
    """Need weight of every Stadtraum under each rule (same base and uplift)."""
    out = pd.DataFrame({r: weights(rule=r) for r in RULES})
    out.insert(0, "name", out.index.map(di.stadtraum_names()))
    return out.sort_values("linear", ascending=False)


@lru_cache(maxsize=1)
def draws():
    """The example allocation over the index Monte Carlo draws (reference: today)."""
    mc = di.monte_carlo(year())
    return allocation_draws(
        mc, population(), EXAMPLE_TOTAL, unit=UNIT, rule=RULE, base=BASE, uplift=UPLIFT,
        method=METHOD, current=per_capita_today(),
    )


def uncertainty_table() -> pd.DataFrame:
    """Per Stadtraum: nominal, median, 5-95 % band, P(>= 1 unit more / less than today)."""
    s = draws().summary(BAND)
    s.insert(0, "name", s.index.map(di.stadtraum_names()))
    return s.sort_values("nominal", ascending=False)


@lru_cache(maxsize=1)
def sensitivity() -> pd.DataFrame:
    """Sobol' indices of the VK moved against the nominal allocation (index + allocation)."""
    x, d, w = di.mc_inputs(year())
    return allocation_sensitivity(
        x, d, population(), EXAMPLE_TOTAL, unit=UNIT, nominal_weights=w, space=ChoiceSpace(),
        choices=AllocationChoices(floors=SENS_FLOORS, base=BASE), nominal_rule=RULE,
        nominal_uplift=UPLIFT, nominal_method=METHOD, n_base=SENS_N_BASE, seed=SEED,
    )


def validation() -> dict[str, float]:
    """Gorbitz (SR 16) against the city: implied staff ratio vs the published HzE ratio.

    Uses the index and the under-18 population of the HzE year (2018).
    """
    y = di.GORBITZ_YEAR
    hze = di.gorbitz_hze()
    out = ratio_check(weights(y), population(y), di.GORBITZ, hze["ratio"])
    out["max_implied"] = float(
        (weights(y) / np.average(weights(y), weights=population(y))).max()
    )
    return out


def study_vk() -> pd.DataFrame:
    """The study's "Differenz VK 2018 zu 2016" (context, SEED_DRESDEN_2017)."""
    p = load("dresden_stadtraum_2017")
    p = p.loc[p["indicator"] == "vk_differenz", ["area_code", "value"]]
    p["name"] = p["area_code"].map(di.stadtraum_names())
    return p.set_index("area_code")


def damping_years() -> int:
    """Years until every Stadtraum is within half a unit of its bounded target."""
    sc = scenarios()
    target = sc.allocations["bounded"].amounts
    return years_to_target(per_capita_today(), target, DAMPING, UNIT / 2,
                           max_change=MAX_CHANGE)


def headline() -> dict[str, float | int | str]:
    """The chapter's headline results, flat and JSON-serialisable."""
    t = scenario_table()
    unc = uncertainty_table()
    moved = draws().staff_moved()
    si = sensitivity()
    val = validation()
    mc_cmp = method_comparison()
    top = t.index[0]
    bottom = t.index[-1]
    methods_differ = int((mc_cmp[list(METHODS)].nunique(axis=1) > 1).sum())
    out: dict[str, float | int | str] = {
        "year": int(year()),
        "n_areas": int(len(t)),
        "population": int(population().sum()),
        "example_total": EXAMPLE_TOTAL,
        "unit": UNIT,
        "top_uplift_name": str(t.loc[top, "name"]),
        "top_uplift_vk": round(float(t.loc[top, "needs"] - t.loc[top, "per_capita"]), 2),
        "bottom_uplift_name": str(t.loc[bottom, "name"]),
        "bottom_uplift_vk": round(float(t.loc[bottom, "needs"] - t.loc[bottom, "per_capita"]), 2),
        "needs_moved_vk": round(float(0.5 * (t["needs"] - t["per_capita"]).abs().sum()), 2),
        "damped_moved_vk": round(float(0.5 * (t["damped"] - t["current"]).abs().sum()), 2),
        "damping_years": damping_years(),
        "methods_differ": methods_differ,
        "mc_moved_mean": round(float(moved.mean()), 2),
        "mc_moved_p95": round(float(np.quantile(moved, MOVED_QUANTILE)), 2),
        "mc_max_band_vk": round(float((unc["hi"] - unc["lo"]).max()), 2),
        "mc_n_certain_more": int((unc["p_more"] >= CERTAIN).sum()),
        "mc_n_certain_less": int((unc["p_less"] >= CERTAIN).sum()),
        "sens_top_factor": str(si.index[0]),
        "sens_top_st": round(float(si["ST"].iloc[0]), 3),
        "val_implied_gorbitz": round(val["implied"], 3),
        "val_observed_gorbitz": round(val["observed"], 3),
    }
    for area in sorted(t.index):
        code = area.lower()
        out[f"needs_{code}"] = round(float(t.loc[area, "needs"]), 2)
        out[f"damped_{code}"] = round(float(t.loc[area, "damped"]), 2)
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in out.items()}
