"""Primary and secondary suppression of small counts, suppressed rates, the rules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sozialanalyse.disclosure.attacker import _intervals
from sozialanalyse.disclosure.grid import (
    DEFAULT_THRESHOLD,
    SECRECY_SYMBOL,
    TOTAL_LABEL,
    ZERO_SYMBOL,
    _check_counts,
    _count_columns,
    _Grid,
    _make_grid,
)
from sozialanalyse.errors import InputDataError

__all__ = ["disclosure_rules", "suppress", "suppress_rates", "suppression_mask"]


def _primary(values: np.ndarray, threshold: int, suppress_zeros: bool) -> np.ndarray:
    small = (values >= 1) & (values < threshold)
    if suppress_zeros:
        small |= values == 0
    return small


def _line_rule(grid: _Grid, mask: np.ndarray) -> None:
    """Until no row or column has exactly one suppressed cell, add a partner cell to the
    first such line: interior before margins, then preferably a cell whose crossing line
    already holds a suppression (so no new line is opened), non-zero before zero,
    smallest value first."""
    lines_of: dict[tuple[int, int], list[int]] = {}
    for i, line in enumerate(grid.lines):
        for cell in line:
            lines_of.setdefault(cell, []).append(i)
    counts = [sum(bool(mask[cell]) for cell in line) for line in grid.lines]

    def opens(cell: tuple[int, int], own: int) -> int:
        return sum(1 for i in lines_of[cell] if i != own and counts[i] == 0)

    while True:
        own = next((i for i, n in enumerate(counts) if n == 1), None)
        if own is None:
            return
        candidates = [cell for cell in grid.lines[own] if not mask[cell]]
        choice = min(
            candidates, key=lambda x: (grid.is_margin(x), opens(x, own), *grid.sort_key(x))
        )
        mask[choice] = True
        for i in lines_of[choice]:
            counts[i] += 1


def _protect(grid: _Grid, mask: np.ndarray, primary: np.ndarray, threshold: int) -> None:
    """Add suppressions until the attacker's upper bound of every primary cell reaches
    the threshold. (A primary cell's true value is below the threshold, so its lower
    bound is too, and the interval is then at least one wide.)"""
    # Suppressing more cells only widens what an attacker cannot pin down, so a cell
    # that passed once stays protected and need not be checked again.
    pending = [(int(r), int(c)) for r, c in np.argwhere(primary)]
    while True:
        _line_rule(grid, mask)
        upper = _intervals(grid, mask, of=pending, lower=False)
        failing = sorted(
            (cell for cell, (_, hi) in upper.items() if hi < threshold - 1e-9),
            key=grid.sort_key,
        )
        if not failing:
            return
        pending = failing
        added = False
        touched: set[int] = set()
        for cell in failing:
            lines = [i for i, line in enumerate(grid.lines) if cell in line]
            if touched.intersection(lines):
                continue  # a suppression added this round may already protect it
            pool = [
                x for i in lines for x in grid.lines[i] if not mask[x] and not grid.is_margin(x)
            ]
            if not pool:
                pool = [
                    (int(r), int(c))
                    for r, c in np.argwhere(~mask)
                    if not grid.is_margin((int(r), int(c)))
                ]
            if not pool:
                pool = [(int(r), int(c)) for r, c in np.argwhere(~mask)]
            if not pool:
                continue
            choice = min(pool, key=grid.sort_key)
            mask[choice] = True
            added = True
            touched.update(i for i, line in enumerate(grid.lines) if choice in line)
            touched.update(lines)
        if not added:
            return


def _suppress_grid(
    table: pd.DataFrame,
    count_cols: Sequence[str] | None,
    threshold: int,
    suppress_zeros: bool,
) -> tuple[_Grid, np.ndarray, pd.DataFrame, list[str], bool, bool]:
    if not isinstance(table, pd.DataFrame):
        raise InputDataError("erwartet wird ein pandas DataFrame", file="<input>")
    if threshold < 1:
        raise InputDataError(f"die Schwelle muss mindestens 1 sein, nicht {threshold}",
                             file="<argument>")
    if not table.index.is_unique:
        dup = table.index[table.index.duplicated()][0]
        raise InputDataError(
            f"die Zeilenbezeichnung {dup!r} kommt mehr als einmal vor (more than once)",
            file="<DataFrame>", code="E-AREA-002",
            row=int(np.flatnonzero(table.index == dup)[1]) + 1,
            hint="jedem Gebiet eine eindeutige Bezeichnung im Index geben "
            "(z. B. set_index('stadtraum'))",
        )
    cols = _count_columns(table, count_cols)
    _check_counts(table, cols)
    grid, interior, given_row, given_col = _make_grid(table, cols)
    primary = _primary(grid.values, threshold, suppress_zeros)
    # Missing values count as already suppressed. Their protection is not re-checked
    # (their values are unknown here), which makes a second pass a no-op.
    mask = primary | np.isnan(grid.values)
    _protect(grid, mask, primary, threshold)
    return grid, mask, interior, cols, given_row, given_col


def suppression_mask(
    table: pd.DataFrame,
    *,
    count_cols: Sequence[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Boolean mask of the cells :func:`suppress` hides, margins included.

    Returns a DataFrame shaped like ``suppress(..., totals=True)`` restricted to the
    count columns: interior rows plus a ``TOTAL_LABEL`` row, the count columns plus
    (with two or more count columns) a ``TOTAL_LABEL`` column.
    """
    grid, mask, interior, cols, _, _ = _suppress_grid(table, count_cols, threshold, suppress_zeros)
    columns = cols + ([TOTAL_LABEL] if grid.has_row_totals else [])
    index = list(interior.index) + [TOTAL_LABEL]
    return pd.DataFrame(mask, index=index, columns=columns)


def suppress(
    table: pd.DataFrame,
    *,
    count_cols: Sequence[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    totals: bool = True,
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Suppress small case counts and the cells that would reveal them.

    Parameters
    ----------
    table
        One row per area (unique index labels), count columns with whole numbers
        ``>= 0``. Other columns are carried through unchanged. Missing values are
        taken as already suppressed. A row and/or column labelled ``TOTAL_LABEL``
        ("Insgesamt") is taken as the margin (so the function is idempotent).
    count_cols
        The columns holding counts; default all numeric columns.
    threshold
        Counts ``1 .. threshold-1`` are suppressed (default 3: the values 1 and 2).
    totals
        Append a total row ("Insgesamt") and, with two or more count columns, a
        total column, computed from the true counts.
    suppress_zeros
        Also treat zero counts as primary cells (default: zeros are published).

    Returns
    -------
    pandas.DataFrame
        The table with count columns as nullable ``Int64``; suppressed cells are
        ``<NA>``. Secondary suppression assumes the totals are known even when
        ``totals=False``.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [1, 5, 7], "b": [6, 8, 9]}, index=["x", "y", "z"])
    >>> suppress(t).loc["x"].isna().tolist()
    [True, True, False]
    """
    grid, mask, interior, cols, given_row, given_col = _suppress_grid(
        table, count_cols, threshold, suppress_zeros
    )
    n, k = grid.n, grid.k
    out = interior.copy()
    for j, col in enumerate(cols):
        vals = pd.array(np.round(np.nan_to_num(grid.values[:n, j])).astype("int64"), dtype="Int64")
        vals[mask[:n, j]] = pd.NA
        out[col] = vals
    if not totals:
        if given_col:
            out = out.drop(columns=TOTAL_LABEL)
        return out
    if grid.has_row_totals:
        row_tot = pd.array(
            np.round(np.nan_to_num(grid.values[:n, k])).astype("int64"), dtype="Int64"
        )
        row_tot[mask[:n, k]] = pd.NA
        out[TOTAL_LABEL] = row_tot
    total_row = {}
    for j, col in enumerate(cols):
        v = grid.values[n, j]
        total_row[col] = pd.NA if mask[n, j] or np.isnan(v) else int(round(v))
    if grid.has_row_totals:
        v = grid.values[n, k]
        total_row[TOTAL_LABEL] = pd.NA if mask[n, k] or np.isnan(v) else int(round(v))
    name = out.index.name
    out = out.reindex([*out.index, TOTAL_LABEL])
    out.index.name = name
    for col, value in total_row.items():
        out[col] = out[col].astype("Int64")
        out.loc[TOTAL_LABEL, col] = value
    return out


def suppress_rates(
    rates: pd.DataFrame | pd.Series,
    published_counts: pd.DataFrame | pd.Series,
) -> pd.DataFrame | pd.Series:
    """Hide rates whose underlying count is suppressed.

    A rate and a published denominator give back the count, so a rate computed from
    a suppressed count must be suppressed as well.

    Parameters
    ----------
    rates
        Rates (e.g. cases per 1,000 young residents), labelled like the counts.
    published_counts
        The output of :func:`suppress` (``<NA>`` = suppressed), same labels.

    Returns
    -------
    pandas.DataFrame or pandas.Series
        ``rates`` as float with ``NaN`` wherever the count is suppressed or missing.
    """
    if isinstance(rates, pd.Series) != isinstance(published_counts, pd.Series):
        raise InputDataError(
            "Raten und Fallzahlen müssen beide Series oder beide DataFrames sein",
            file="<argument>")
    counts = published_counts.reindex_like(rates)
    hidden = counts.isna()
    return rates.astype(float).mask(hidden)


def disclosure_rules(threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The disclosure-control rules as a small table (German), for the book."""
    small = ", ".join(str(i) for i in range(1, threshold)) or "keine"
    return pd.DataFrame(
        {
            "Regel": [
                "Primärsperrung",
                "Nullen",
                "Sekundärsperrung",
                "Angreiferprüfung",
                "Raten",
                "Zeichen",
            ],
            "Umsetzung": [
                f"Fallzahlen {small} (unter {threshold}) werden gesperrt",
                f"werden veröffentlicht und als „{ZERO_SYMBOL}“ gezeigt",
                "jede Zeile und Spalte mit einer Sperrung erhält mindestens zwei; "
                "bevorzugt werden Zellen, deren andere Zeile oder Spalte schon eine "
                "Sperrung hat, sonst die kleinsten übrigen; Summen bleiben möglichst sichtbar",
                "aus Summen und veröffentlichten Zellen lässt sich keine gesperrte "
                f"Zelle auf einen Wert unter {threshold} eingrenzen",
                "Raten aus gesperrten Fallzahlen werden ebenfalls gesperrt",
                f"„{SECRECY_SYMBOL}“ = Zahlenwert geheim zu halten",
            ],
        }
    )
