"""The attacker model: what the published cells and totals reveal about suppressed ones.

The published cells and the totals are equations, counts are non-negative; linear
programming gives each suppressed cell the smallest and largest value it can take.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from sozialanalyse.disclosure.grid import (
    DEFAULT_THRESHOLD,
    TOTAL_LABEL,
    _count_columns,
    _Grid,
    _make_grid,
)

__all__ = ["protection_intervals"]


def _constraints(
    grid: _Grid, cells: list[tuple[int, int]]
) -> tuple[sparse.csr_matrix | None, np.ndarray | None]:
    """Equality constraints on the unknown ``cells``: each line's interior cells sum to
    its margin, published cells moved to the right-hand side."""
    index = {cell: i for i, cell in enumerate(cells)}
    rows, cols, vals, rhs = [], [], [], []
    for line in grid.lines:
        *inner, margin = line
        b = 0.0
        entries = []
        for cell in inner:
            if cell in index:
                entries.append((index[cell], 1.0))
            else:
                b -= grid.values[cell]
        if margin in index:
            entries.append((index[margin], -1.0))
        else:
            b += grid.values[margin]
        if entries and not np.isnan(b):
            for j, v in entries:
                rows.append(len(rhs))
                cols.append(j)
                vals.append(v)
            rhs.append(b)
    if not rhs:
        return None, None
    a_eq = sparse.csr_matrix((vals, (rows, cols)), shape=(len(rhs), len(cells)))
    return a_eq, np.array(rhs)


def _bound(c: np.ndarray, a_eq, b_eq, sign: float) -> float:
    res = linprog(sign * c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status == 0:
        return float(sign * res.fun)
    return math.inf if sign < 0 else 0.0  # unbounded above / infeasible


def _intervals(
    grid: _Grid,
    mask: np.ndarray,
    of: list[tuple[int, int]] | None = None,
    lower: bool = True,
) -> dict[tuple[int, int], tuple[float, float]]:
    """Smallest and largest value suppressed cells can take given the published cells,
    the additivity of the table and non-negativity (linear programming).

    ``of`` restricts the cells reported; ``lower=False`` skips the minimisation
    (reported as 0)."""
    cells = [(int(r), int(c)) for r, c in np.argwhere(mask)]
    if not cells:
        return {}
    index = {cell: i for i, cell in enumerate(cells)}
    a_eq, b_eq = _constraints(grid, cells)
    out: dict[tuple[int, int], tuple[float, float]] = {}
    for cell in cells if of is None else of:
        c = np.zeros(len(cells))
        c[index[cell]] = 1.0
        high = _bound(c, a_eq, b_eq, -1.0)
        low = _bound(c, a_eq, b_eq, 1.0) if lower else 0.0
        out[cell] = (low, high)
    return out


def protection_intervals(
    published: pd.DataFrame,
    *,
    count_cols: Sequence[str] | None = None,
    original: pd.DataFrame | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """What an attacker can infer about each suppressed cell of a published table.

    Parameters
    ----------
    published
        Output of :func:`suppress` with ``totals=True`` (margins included).
    count_cols
        The count columns (default: all numeric columns except the total column).

    original
        The raw counts (optional): adds a boolean column ``primary`` marking cells whose
        true count lies in ``1 .. threshold-1``.
    threshold
        Threshold for ``primary``.

    Returns
    -------
    pandas.DataFrame
        One row per suppressed cell: ``row``, ``column``, ``lower``, ``upper`` -- the
        range of values consistent with the published cells and totals
        (non-negative counts), found by linear programming.
    """
    cols = _count_columns(published, count_cols)
    grid, interior, _, _ = _make_grid(published, cols)
    mask = np.isnan(grid.values)
    intervals = _intervals(grid, mask)
    columns = cols + ([TOTAL_LABEL] if grid.has_row_totals else [])
    index = list(interior.index) + [TOTAL_LABEL]
    records = [
        {"row": index[r], "column": columns[c], "lower": lo, "upper": hi}
        for (r, c), (lo, hi) in sorted(intervals.items())
    ]
    out = pd.DataFrame(records, columns=["row", "column", "lower", "upper"])
    if original is not None:

        def is_primary(row: object, column: object) -> bool:
            if row not in original.index or column not in original.columns:
                return False
            value = original.loc[row, column]
            return bool(1 <= value < threshold)

        out["primary"] = [is_primary(r, c) for r, c in zip(out["row"], out["column"], strict=True)]
    return out
