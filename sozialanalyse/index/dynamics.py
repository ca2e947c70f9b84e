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
        raise MethodError(f"dynamics window k must be a positive whole number of years, got {k}")
    years = sorted(pd.unique(values["year"]))
    start = year - k
    if start not in years or year not in years:
        raise MethodError(
            f"dynamics window of {k} years ({start}-{year}) is longer than the data, which "
            f"cover {years[0]}-{years[-1]}; choose k <= {year - years[0]}"
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
