"""Screening of areas: minimum population and minimum data availability."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sozialanalyse.errors import MethodError


def screen_areas(
    data: pd.DataFrame,
    indicators: Sequence[str],
    *,
    population_variable: str | None = None,
    min_population: float | None = 300,
    min_availability: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop areas with too few residents or too little data.

    Parameters
    ----------
    data
        Tidy data of one year: columns ``area``, ``indicator``, ``value``.
    indicators
        The variables whose availability counts (index indicators and their denominators).
    population_variable
        Name of the variable holding the residents per area. Required when
        ``min_population`` is set.
    min_population
        Areas with fewer residents are excluded (Berlin and Hamburg use 300); ``None`` = off.
    min_availability
        Minimum share (0..1) of ``indicators`` with a non-missing value.

    Returns
    -------
    kept : pandas.DataFrame
        ``data`` restricted to the kept areas.
    excluded : pandas.DataFrame
        One row per excluded area with columns ``area``, ``reason``, ``value``.

    Raises
    ------
    MethodError
        If ``min_population`` is set but no population variable is known or present.
    """
    if not 0.0 <= min_availability <= 1.0:
        raise MethodError(f"min_availability must lie in [0, 1], got {min_availability}")
    areas = pd.Index(pd.unique(data["area"]), name="area")
    rows = []
    if min_population is not None:
        if population_variable is None:
            raise MethodError("screening by min_population needs population_variable (the "
                              "variable with residents per area); or set min_population=None")
        pop = data.loc[data["indicator"] == population_variable].set_index("area")["value"]
        if pop.empty:
            raise MethodError(f"population variable '{population_variable}' not found in data")
        pop = pop.reindex(areas)
        for area, value in pop.items():
            if pd.isna(value) or value < min_population:
                rows.append({"area": area, "reason": f"population < {min_population:g}",
                             "value": float(value)})
    wide = data.pivot_table(index="area", columns="indicator", values="value", aggfunc="first",
                            dropna=False).reindex(index=areas, columns=list(indicators))
    share = wide.notna().mean(axis=1)
    for area, value in share.items():
        if value < min_availability and area not in {r["area"] for r in rows}:
            rows.append({"area": area, "reason": f"data availability < {min_availability:g}",
                         "value": float(value)})
    excluded = pd.DataFrame(rows, columns=["area", "reason", "value"])
    kept = data.loc[~data["area"].isin(excluded["area"])].reset_index(drop=True)
    return kept, excluded
