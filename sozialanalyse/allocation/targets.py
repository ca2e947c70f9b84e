"""Weighted population and target shares (the RAWP / weighted-capitation step).

NHS England's weighted capitation multiplies each area's population by its need index and
divides by the sum: the area's *target share* of the budget (source notes, 4). Hamburg's
Jugendeinwohnerwert does the same with young residents and standard points (3a).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError


def check_population(population: pd.Series) -> pd.Series:
    """Population by area as floats; non-negative, finite, not all zero."""
    if not isinstance(population, pd.Series):
        raise InputDataError("Die Bevölkerung muss als Reihe je Gebiet vorliegen.")
    p = pd.to_numeric(population, errors="coerce").astype(float)
    bad = p.index[~np.isfinite(p.to_numpy()) | (p.to_numpy() < 0)]
    if len(bad):
        raise InputDataError(
            f"Bevölkerung fehlt oder ist negativ für Gebiet '{bad[0]}'.", column="population",
            row=int(p.index.get_loc(bad[0])) + 1,
        )
    if p.sum() <= 0:
        raise MethodError("Die Bevölkerung ist in allen Gebieten null.")
    if p.index.has_duplicates:
        raise InputDataError(f"Gebiet '{p.index[p.index.duplicated()][0]}' kommt doppelt vor.",
                             column="area")
    return p


def weighted_population(population: pd.Series, weights: pd.Series | None = None) -> pd.Series:
    """Population times need weight per area (``weights`` default 1 = per capita)."""
    p = check_population(population)
    if weights is None:
        return p.rename("weighted_population")
    missing = p.index.difference(weights.index)
    if len(missing):
        raise InputDataError(f"Für das Gebiet '{missing[0]}' fehlt ein Bedarfsgewicht.",
                             column="need_weight")
    return (p * weights.reindex(p.index).astype(float)).rename("weighted_population")


def target_shares(population: pd.Series, weights: pd.Series | None = None) -> pd.Series:
    """Target share per area: weighted population over its sum (sums to one)."""
    wp = weighted_population(population, weights)
    total = wp.sum()
    if total <= 0:
        raise MethodError("Die gewichtete Bevölkerung ist null; keine Zielanteile.")
    return (wp / total).rename("target_share")


def need_index(population: pd.Series, weights: pd.Series) -> pd.Series:
    """Relative need per head: weight over the population-weighted mean weight (city = 1).

    The NHS's "additional need index" and the AIF tool's place need index have this form
    (source notes, 4 and 4b).
    """
    p = check_population(population)
    w = weights.reindex(p.index).astype(float)
    return (w / (p * w).sum() * p.sum()).rename("need_index")


def distance_from_target(current: pd.Series, target: pd.Series) -> pd.Series:
    """NHS distance from target ``(current - target) / target`` (negative = under target)."""
    c = current.reindex(target.index).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((c - target) / target).rename("distance_from_target")
