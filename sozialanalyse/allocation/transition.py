"""From today's allocation towards the target: damping, bounds on the yearly change, pace.

Nobody moves ten positions between Stadträume in one year: teams, rooms and contracts are
in place. Practice phases changes in. Hamburg lowers the resources of schools whose Sozialindex
improves in steps; Hamburg's refugee-housing key applies to new places only; NHS England
moves areas towards their target share at a politically set "pace of change" (source notes,
3b, 3c, 4). Two rules here:

* :func:`damped_transition`: ``a_t = a_{t-1} + lambda (target - a_{t-1})`` with
  ``0 < lambda <= 1``, then bounds on each area's yearly change (relative and/or absolute);
  what the bounds hold back is redistributed among the other areas so that the total is met
  (:func:`~sozialanalyse.allocation.bounds.bounded_quotas` with the damped values as
  weights);
* :func:`pace_of_change`: NHS-style growth: every area gets at least ``min_uplift`` on
  today's amount, and the rest of the total goes to the areas furthest below their target,
  ``a_i = max(current_i (1 + min_uplift), theta * target_i)``.

Both return continuous amounts; :func:`~sozialanalyse.allocation.rounding.apportion` turns
them into whole units (the bounds then hold up to one unit of rounding).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialanalyse import formatting as fmt
from sozialanalyse.allocation.bounds import bounded_quotas
from sozialanalyse.errors import InputDataError, MethodError


def _align(current: pd.Series, target: pd.Series) -> pd.Series:
    missing = target.index.difference(current.index)
    if len(missing):
        raise InputDataError(f"Für das Gebiet '{missing[0]}' fehlt die heutige Zuteilung.",
                             column="current")
    c = current.reindex(target.index).astype(float)
    if np.any(~np.isfinite(c.to_numpy())) or np.any(c.to_numpy() < 0):
        raise InputDataError("Die heutige Zuteilung muss endlich und nicht negativ sein.",
                             column="current")
    return c


def change_bounds(
    current: pd.Series,
    max_change: float | None = None,
    max_step: float | None = None,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Lower and upper amount per area allowed by the yearly change limits.

    An area may change by ``max(max_change * current, max_step)`` (either may be omitted);
    with neither, there is no bound (``None, None``).
    """
    if max_change is None and max_step is None:
        return None, None
    if (max_change is not None and max_change < 0) or (max_step is not None and max_step < 0):
        raise MethodError("Die Grenzen der jährlichen Änderung dürfen nicht negativ sein.")
    c = current.to_numpy(dtype=float)
    allow = np.zeros_like(c)
    if max_change is not None:
        allow = np.maximum(allow, max_change * c)
    if max_step is not None:
        allow = np.maximum(allow, max_step)
    return np.maximum(c - allow, 0.0), c + allow


def damped_transition(
    current: pd.Series,
    target: pd.Series,
    damping: float,
    *,
    total: float | None = None,
    max_change: float | None = None,
    max_step: float | None = None,
) -> pd.Series:
    """One year of the damped move ``a_t = a_{t-1} + damping * (target - a_{t-1})``.

    Parameters
    ----------
    current
        Today's amount by area (``a_{t-1}``).
    target
        Target amount by area (e.g. the needs-weighted allocation of this year's total).
    damping
        Share of the gap closed per year (``lambda``), ``0 < damping <= 1``; 1 = jump.
    total
        This year's total (default: the sum of ``target``).
    max_change, max_step
        Bounds on the yearly change per area, relative to today's amount and/or absolute
        (the larger applies; see :func:`change_bounds`).

    Returns
    -------
    pandas.Series
        This year's amount by area (continuous), summing to ``total``.
    """
    if not 0 < damping <= 1:
        raise MethodError(f"Die Dämpfung muss zwischen 0 und 1 liegen, nicht {damping}.")
    c = _align(current, target)
    t = target.astype(float)
    h = float(t.sum() if total is None else total)
    desired = (c + damping * (t - c)).clip(lower=0.0)
    if desired.sum() <= 0:
        raise MethodError("Die gedämpfte Zuteilung ist überall null.")
    lo, hi = change_bounds(c, max_change, max_step)
    if lo is None and np.isclose(desired.sum(), h):
        out = desired
    else:
        try:
            q, _ = bounded_quotas(desired.to_numpy(), h, lo, hi)
        except MethodError as err:
            raise MethodError(
                "Die Grenzen der jährlichen Änderung lassen die neue Summe nicht zu: "
                + str(err)
            ) from None
        out = pd.Series(q, index=t.index)
    return out.rename("amount")


def transition_path(
    current: pd.Series,
    target: pd.Series,
    damping: float,
    years: int,
    *,
    max_change: float | None = None,
    max_step: float | None = None,
) -> pd.DataFrame:
    """Amounts over ``years`` damped steps towards a fixed target (row 0 = today)."""
    rows = [_align(current, target)]
    for _ in range(years):
        rows.append(damped_transition(rows[-1], target, damping, max_change=max_change,
                                      max_step=max_step))
    out = pd.DataFrame([r.to_numpy() for r in rows], columns=target.index)
    out.index.name = "year"
    return out


def years_to_target(
    current: pd.Series,
    target: pd.Series,
    damping: float,
    tolerance: float,
    *,
    max_change: float | None = None,
    max_step: float | None = None,
    max_years: int = 100,
) -> int:
    """Years until every area is within ``tolerance`` of its target (e.g. half a unit)."""
    a = _align(current, target)
    for year in range(max_years + 1):
        if np.all(np.abs(a.to_numpy() - target.to_numpy()) <= tolerance):
            return year
        a = damped_transition(a, target, damping, max_change=max_change, max_step=max_step)
    raise MethodError(f"Das Ziel wird in {max_years} Jahren nicht erreicht.")


def pace_of_change(
    current: pd.Series,
    target: pd.Series,
    total: float,
    *,
    min_uplift: float = 0.0,
    max_uplift: float | None = None,
) -> pd.Series:
    """NHS-style pace of change: a minimum uplift for all, the rest to under-target areas.

    ``a_i = max(current_i (1 + min_uplift), theta * target_i)`` (capped at
    ``current_i (1 + max_uplift)`` if given), with ``theta`` such that the amounts add up to
    ``total``. Areas above their target get the minimum uplift; the further an area lies
    below its target, the larger its increase.

    Raises
    ------
    MethodError
        If ``total`` does not cover the minimum uplift of every area.
    """
    c = _align(current, target)
    floors = c.to_numpy() * (1.0 + min_uplift)
    caps = None if max_uplift is None else c.to_numpy() * (1.0 + max_uplift)
    if floors.sum() > total * (1 + 1e-12):
        raise MethodError(
            "Die Summe reicht nicht für die Mindeststeigerung aller Gebiete "
            f"({fmt.number(floors.sum(), 2)} nötig, {fmt.number(total, 2)} vorhanden)."
        )
    q, _ = bounded_quotas(target.to_numpy(dtype=float), float(total), floors, caps)
    return pd.Series(q, index=target.index, name="amount")
