"""Screening of areas: named exclusions, minimum population, placeholder rows, data availability.

Every excluded area is reported with a machine-readable ``reason`` and a German ``grund`` for
readers ("weniger als 300 Einwohner (250)"). Placeholder rows are areas whose index indicators
are all 0 or empty in the status year: published tables (e.g. Berlin's MSS) keep such rows for
areas that were not indexed. They are recognised and reported, never read as real zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sozialanalyse.errors import MethodError

COLUMNS = ["area", "reason", "value", "grund"]
"""Columns of the exclusion report."""


def _number_de(value: float) -> str:
    from sozialanalyse.formatting import number

    return number(value, digits=0) if float(value).is_integer() else number(value, digits=1)


def placeholder_areas(wide: pd.DataFrame) -> list:
    """Areas whose values are all 0 or missing (placeholder rows of non-indexed areas).

    Parameters
    ----------
    wide
        Areas x index indicators of one year.

    Returns
    -------
    list
        Area labels, in the order of ``wide``.
    """
    if wide.shape[1] == 0:
        return []
    values = wide.to_numpy(dtype=float)
    empty = np.isnan(values) | (values == 0)
    return [a for a, flag in zip(wide.index, empty.all(axis=1), strict=True) if flag]


def screen_areas(
    data: pd.DataFrame,
    indicators: Sequence[str],
    *,
    population_variable: str | None = None,
    min_population: float | None = 300,
    min_availability: float = 0.0,
    exclude_areas: Mapping[str, str] | None = None,
    drop_placeholders: bool = False,
    placeholder_indicators: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop named areas, areas with too few residents, placeholder rows and sparse areas.

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
    exclude_areas
        Area -> reason for areas left out by name (e.g. Berlin's MSS 2019 outlier).
    drop_placeholders
        Exclude areas whose ``placeholder_indicators`` are all 0 or missing.
    placeholder_indicators
        The variables checked for placeholder rows (default: ``indicators``).

    Returns
    -------
    kept : pandas.DataFrame
        ``data`` restricted to the kept areas.
    excluded : pandas.DataFrame
        One row per excluded area: ``area``, ``reason`` (``"named: ..."``,
        ``"population < 300"``, ``"placeholder row"``, ``"data availability < 1"``),
        ``value`` (residents, availability share or NaN) and ``grund`` (German text). An
        area is reported once, with the first reason in that order.

    Raises
    ------
    MethodError
        ``min_population`` without a population variable, or a bad ``min_availability``.

    Notes
    -----
    A named area that is not in the data is still listed (``reason`` ``"named, not in
    data: ..."``), so the report shows every exclusion rule that was applied.
    """
    if not 0.0 <= min_availability <= 1.0:
        raise MethodError(f"min_availability muss zwischen 0 und 1 liegen, nicht "
                          f"{min_availability}", code="E-METHOD-005")
    areas = pd.Index(pd.unique(data["area"]), name="area")
    rows: list[dict] = []
    seen: set = set()

    def add(area, reason: str, value: float, grund: str) -> None:
        if area not in seen:
            seen.add(area)
            rows.append({"area": area, "reason": reason, "value": value, "grund": grund})

    for area, why in (exclude_areas or {}).items():
        matches = [a for a in areas if str(a) == str(area)]
        if matches:
            add(matches[0], f"named: {why}", float("nan"), str(why))
        else:  # recorded, so that the log shows the rule even where the area is absent
            add(area, f"named, not in data: {why}", float("nan"),
                f"{why} (nicht in den Daten)")
    if min_population is not None:
        if population_variable is None:
            raise MethodError("Die Mindesteinwohnerzahl (min_population) braucht die "
                              "Einwohnervariable (population_variable, Einwohner je Gebiet); "
                              "oder setzen Sie min_population=None", code="E-COL-001")
        pop = data.loc[data["indicator"] == population_variable].set_index("area")["value"]
        if pop.empty:
            raise MethodError(f"Die Einwohnervariable '{population_variable}' ist nicht in den "
                              "Daten", code="E-COL-001")
        pop = pop.reindex(areas)
        limit = _number_de(min_population)
        for area, value in pop.items():
            if pd.isna(value):
                add(area, f"population < {min_population:g}", float(value),
                    f"Einwohnerzahl fehlt (Mindestzahl {limit})")
            elif value < min_population:
                add(area, f"population < {min_population:g}", float(value),
                    f"weniger als {limit} Einwohner ({_number_de(value)})")
    wide = data.pivot_table(index="area", columns="indicator", values="value", aggfunc="first",
                            dropna=False)
    if drop_placeholders:
        checked = list(placeholder_indicators if placeholder_indicators is not None
                       else indicators)
        for area in placeholder_areas(wide.reindex(index=areas, columns=checked)):
            add(area, "placeholder row", float("nan"),
                "Platzhalterzeile (alle Indikatorwerte 0 oder leer; nicht indexiertes Gebiet)")
    share = wide.reindex(index=areas, columns=list(indicators)).notna().mean(axis=1)
    for area, value in share.items():
        if value < min_availability:
            add(area, f"data availability < {min_availability:g}", float(value),
                f"zu wenige Indikatorwerte ({_number_de(100 * value)} % vorhanden, "
                f"mindestens {_number_de(100 * min_availability)} % verlangt)")
    excluded = pd.DataFrame(rows, columns=COLUMNS)
    kept = data.loc[~data["area"].isin(excluded["area"])].reset_index(drop=True)
    return kept, excluded


def exclusion_note(excluded: pd.DataFrame) -> str:
    """German one-line note on excluded areas: ``"ausgeschlossen: A (Grund: ...); B (...)"``.

    Returns ``"ausgeschlossen: keine"`` when nothing was excluded.
    """
    if excluded.empty:
        return "ausgeschlossen: keine"
    parts = [f"{r.area} (Grund: {r.grund})" for r in excluded.itertuples(index=False)]
    return "ausgeschlossen: " + "; ".join(parts)
