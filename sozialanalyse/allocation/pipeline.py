"""The whole allocation in one call, with a per-area breakdown of where each unit comes from.

:func:`allocate` runs

1. per capita: ``total x population share``;
2. needs-weighted target: ``total x weighted-population share`` (:mod:`.targets`);
3. floors and caps by redistribution (:mod:`.bounds`);
4. optionally a damped step from today's allocation (:mod:`.transition`); floors and caps
   still hold after it (they take precedence over the bounds on the yearly change);
5. apportionment in whole units (:mod:`.rounding`),

and records each step's effect per area, so that

``final = per_capita + need_uplift + floor_cap_effect + damping_effect + rounding_effect``

holds exactly for every area (the breakdown the NHS publishes as "distance from target" and
the source notes ask for).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialanalyse.allocation.bounds import bounded_quotas
from sozialanalyse.allocation.rounding import Apportionment, apportion, method_name, units_of
from sozialanalyse.allocation.targets import check_population, target_shares
from sozialanalyse.allocation.transition import damped_transition
from sozialanalyse.errors import InputDataError
from sozialanalyse.labels import allocation_labels

COMPONENTS: tuple[str, ...] = (
    "per_capita", "need_uplift", "floor_cap_effect", "damping_effect", "rounding_effect"
)
LABELS_DE: dict[str, str] = allocation_labels(
    "population", "population_share", "need_weight", *COMPONENTS, "amount", "units", "current",
    "change")
"""German column labels of :meth:`Allocation.summary`."""


def _amounts(value: float | pd.Series | None, index: pd.Index, unit: float, up: bool
             ) -> np.ndarray | None:
    """Floors (rounded up) or caps (rounded down) as whole-unit amounts per area."""
    if value is None:
        return None
    if isinstance(value, pd.Series):
        missing = index.difference(value.index)
        if len(missing):
            raise InputDataError(f"Für das Gebiet '{missing[0]}' fehlt eine Grenze.")
        arr = value.reindex(index).to_numpy(dtype=float)
    else:
        arr = np.full(len(index), float(value))
    units = np.ceil(arr / unit - 1e-9) if up else np.floor(arr / unit + 1e-9)
    return units * unit


@dataclass
class Allocation:
    """Result of :func:`allocate`.

    Attributes
    ----------
    table
        One row per area: ``population``, ``population_share``, ``need_weight``, the
        components :data:`COMPONENTS`, ``amount`` (final), ``units`` and, with a current
        allocation, ``current`` and ``change``.
    apportionment
        The integer step (ties, quota check).
    params
        The choices made (total, unit, method, floor, cap, damping, ...).
    """

    table: pd.DataFrame
    apportionment: Apportionment
    params: dict = field(default_factory=dict)

    @property
    def amounts(self) -> pd.Series:
        """Final amount per area."""
        return self.table["amount"]

    @property
    def ties(self) -> pd.DataFrame:
        """Areas tied at the margin of the apportionment."""
        return self.apportionment.ties

    def to_frame(self) -> pd.DataFrame:
        """The breakdown table (English column names, numbers as numbers)."""
        return self.table.copy()

    def summary(self, digits: int = 2) -> pd.DataFrame:
        """German table for readers (numbers formatted by :mod:`sozialanalyse.formatting`)."""
        from sozialanalyse.formatting import format_frame

        t = self.table.drop(columns=["units"]).rename(columns=LABELS_DE)
        return format_frame(t, digits, percent_columns=(LABELS_DE["population_share"],))


def allocate(
    population: pd.Series,
    total: float,
    *,
    need_weight: pd.Series | None = None,
    unit: float = 0.25,
    method: str = "hamilton",
    floor: float | pd.Series | None = None,
    cap: float | pd.Series | None = None,
    current: pd.Series | None = None,
    damping: float | None = None,
    max_change: float | None = None,
    max_step: float | None = None,
) -> Allocation:
    """Allocate ``total`` (e.g. VK) to areas by need-weighted population in whole units.

    Parameters
    ----------
    population
        Population (e.g. residents under 18) by area.
    total
        Amount to share out; a whole multiple of ``unit``.
    need_weight
        Need weight by area (see :mod:`.need`); ``None`` = per capita.
    unit
        Smallest amount moved (e.g. 0.25 VK).
    method
        Apportionment method (``"hamilton"``, ``"webster"``, ``"dhondt"``).
    floor, cap
        Minimum / maximum amount per area (scalar or Series); rounded to whole units.
    current
        Today's amount by area (needed for ``damping``; shown as ``change`` otherwise).
    damping
        If given (with ``current``), move only this share of the way to the target.
    max_change, max_step
        Bounds on the change per area in the damped step (relative / absolute).

    Returns
    -------
    Allocation
    """
    p = check_population(population)
    idx = p.index
    m = method_name(method)
    h = units_of(total, unit)
    total = h * unit
    w = pd.Series(1.0, index=idx) if need_weight is None else need_weight.reindex(idx)
    if w.isna().any():
        raise InputDataError(f"Für das Gebiet '{w.index[w.isna()][0]}' fehlt ein Bedarfsgewicht.",
                             column="need_weight")
    per_capita = total * p / p.sum()
    needs = total * target_shares(p, w)
    lo = _amounts(floor, idx, unit, up=True)
    hi = _amounts(cap, idx, unit, up=False)
    wp = (p * w).to_numpy(dtype=float)
    if lo is None and hi is None:
        bounded = needs.copy()
    else:
        q, _ = bounded_quotas(wp, total, lo, hi)
        bounded = pd.Series(q, index=idx)
    if damping is not None:
        if current is None:
            raise InputDataError("Für eine gedämpfte Zuteilung wird die heutige Zuteilung "
                                 "gebraucht (--current).")
        damped = damped_transition(current, bounded, damping, total=total,
                                   max_change=max_change, max_step=max_step)
        if lo is not None or hi is not None:
            # floors and caps take precedence over the bounds on the yearly change
            q, _ = bounded_quotas(damped.to_numpy(), total, lo, hi)
            damped = pd.Series(q, index=idx)
        app = apportion(damped, total, unit, m, floor=lo, cap=hi)
    else:
        damped = bounded
        app = apportion(pd.Series(wp, index=idx), total, unit, m, floor=lo, cap=hi)
    amount = app.amounts
    table = pd.DataFrame(
        {
            "population": p,
            "population_share": p / p.sum(),
            "need_weight": w.astype(float),
            "per_capita": per_capita,
            "need_uplift": needs - per_capita,
            "floor_cap_effect": bounded - needs,
            "damping_effect": damped - bounded,
            "rounding_effect": amount - damped,
            "amount": amount,
            "units": app.units,
        },
        index=idx,
    )
    if current is not None:
        cur = current.reindex(idx).astype(float)
        if cur.isna().any():
            raise InputDataError(
                f"Für das Gebiet '{cur.index[cur.isna()][0]}' fehlt die heutige Zuteilung.",
                column="current")
        table["current"] = cur
        table["change"] = amount - cur
    params = {"total": total, "unit": unit, "method": m, "floor": floor, "cap": cap,
              "damping": damping, "max_change": max_change, "max_step": max_step,
              "per_capita": need_weight is None}
    return Allocation(table=table, apportionment=app, params=params)
