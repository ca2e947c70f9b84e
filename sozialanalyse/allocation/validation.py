"""Does the need weight track an outcome? (RAWP/ACRA-style validation.)

Weighted-capitation formulas in health care are fitted to and checked against observed use
(source notes, 4). For a youth-welfare need weight the natural outcome is the HzE rate per
young resident. Where rates per area exist, :func:`outcome_agreement` reports rank and linear
correlation and the slope of the outcome on the need index. Where only one area's ratio to
the city is published, as for Dresden (HzE per 1,000 residents aged 0-20 in Gorbitz against
the whole city), :func:`ratio_check` compares that one ratio with the ratio the need weight
implies. One published ratio cannot validate a weight; it can only show whether the weight
is of the same order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialanalyse.allocation.targets import need_index
from sozialanalyse.errors import InputDataError, MethodError


def ratio_check(need_weight: pd.Series, population: pd.Series, area: str,
                observed_ratio: float) -> dict[str, float]:
    """The need weight's implied area/city ratio against an observed outcome ratio.

    Returns ``implied`` (the area's weight over the population-weighted mean weight, i.e.
    staff per resident in the area relative to the city average), ``observed`` and
    ``implied_over_observed``.
    """
    if area not in need_weight.index:
        raise InputDataError(f"Das Gebiet '{area}' fehlt in den Bedarfsgewichten.")
    if not observed_ratio > 0:
        raise MethodError("Das beobachtete Verhältnis muss positiv sein.")
    ni = need_index(population, need_weight)
    implied = float(ni[area])
    return {"implied": implied, "observed": float(observed_ratio),
            "implied_over_observed": implied / float(observed_ratio)}


def outcome_agreement(need_weight: pd.Series, outcome_rate: pd.Series,
                      population: pd.Series | None = None) -> dict[str, float]:
    """How well the need weight tracks an outcome rate per area.

    Returns the number of areas, the Spearman and Pearson correlations and the slope of the
    outcome relative to its (population-weighted) mean on the need index (1 = the weight
    scales one-to-one with the outcome).
    """
    both = pd.concat([need_weight.rename("w"), outcome_rate.rename("y")], axis=1).dropna()
    if len(both) < 3:
        raise MethodError("Für einen Vergleich braucht es mindestens drei Gebiete mit Wert.")
    p = (pd.Series(1.0, index=both.index) if population is None
         else population.reindex(both.index).astype(float))
    ni = need_index(p, both["w"])
    rel = both["y"] / np.average(both["y"], weights=p)
    slope = float(np.polyfit(ni.to_numpy(), rel.to_numpy(), 1)[0])
    return {
        "n": int(len(both)),
        "spearman": float(both["w"].corr(both["y"], method="spearman")),
        "pearson": float(both["w"].corr(both["y"])),
        "slope": slope,
    }
