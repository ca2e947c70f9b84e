"""Dynamics: change of the indicators over k years, and status x dynamics groups."""

from __future__ import annotations

import pandas as pd

from sozialanalyse.errors import MethodError


def change_over(values: pd.DataFrame, year: int, k: int) -> pd.DataFrame:
    """Change of each indicator per area from ``year - k`` to ``year``.

    Parameters
    ----------
    values
        Tidy ``area``, ``year``, ``indicator``, ``value`` (rates, e.g. percent).
    year
        The end year.
    k
        Length of the window in years (>= 1).

    Returns
    -------
    pandas.DataFrame
        Areas x indicators, ``value(year) - value(year - k)`` (percentage points for shares).

    Raises
    ------
    MethodError
        If ``k`` is not a positive integer or the window reaches before the first year.
    """
    if int(k) != k or k < 1:
        raise MethodError(f"Das Dynamikfenster k muss eine positive ganze Zahl von Jahren sein, "
                          f"nicht {k}")
    years = sorted(pd.unique(values["year"]))
    start = year - k
    if start not in years or year not in years:
        raise MethodError(
            f"Das Dynamikfenster von {k} Jahren ({start}–{year}) reicht über die Daten hinaus, "
            f"die {years[0]}–{years[-1]} abdecken; wählen Sie k ≤ {year - years[0]} oder geben "
            "Sie veröffentlichte Veränderungswerte an (coin.set('dynamics', given={...}))"
        )
    wide = values.pivot_table(index="area", columns=["year", "indicator"], values="value",
                              aggfunc="first", dropna=False)
    return wide[year] - wide[start]


def status_dynamics_groups(status: pd.Series, dynamics: pd.Series) -> pd.Series:
    """Label each area by its status class and dynamics class, e.g. ``"niedrig / negativ"``."""
    return (status.astype(str) + " / " + dynamics.reindex(status.index).astype(str)
            ).rename("group")


def group_matrix(status: pd.Series, dynamics: pd.Series) -> pd.DataFrame:
    """Count areas in every status class x dynamics class cell (e.g. the 4 x 3 matrix).

    Parameters
    ----------
    status, dynamics
        Ordered categoricals per area.

    Returns
    -------
    pandas.DataFrame
        Status classes as rows, dynamics classes as columns, all classes shown (zero counts
        included).
    """
    table = pd.crosstab(status, dynamics.reindex(status.index), dropna=False)
    rows = list(status.cat.categories) if hasattr(status, "cat") else list(table.index)
    cols = list(dynamics.cat.categories) if hasattr(dynamics, "cat") else list(table.columns)
    return table.reindex(index=rows, columns=cols, fill_value=0).rename_axis(
        index="status", columns="dynamics")


def group_members(status: pd.Series, dynamics: pd.Series, labels: pd.Series | None = None,
                  *, empty: str = "–") -> pd.DataFrame:
    """The areas in every status class x dynamics class cell, as text (the companion of
    :func:`group_matrix`, which counts them).

    Parameters
    ----------
    status, dynamics
        Ordered categoricals per area.
    labels
        Display label per area (default: the area ids).
    empty
        Text of an empty cell.

    Returns
    -------
    pandas.DataFrame
        Same rows and columns as :func:`group_matrix`; each cell lists the areas, joined by
        ``", "``, in the order of ``status``.
    """
    counts = group_matrix(status, dynamics)
    names = (labels.reindex(status.index) if labels is not None
             else pd.Series(status.index.astype(str), index=status.index))
    dyn = dynamics.reindex(status.index)
    out = counts.astype(object)
    for s in counts.index:
        for d in counts.columns:
            members = names[(status.astype(str) == str(s)) & (dyn.astype(str) == str(d))]
            out.loc[s, d] = ", ".join(members) if len(members) else empty
    return out
