"""Constants, input checks and the count table with its margins (the "grid")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError
from sozialanalyse.validation import check_counts

#: Default threshold: counts 1 .. DEFAULT_THRESHOLD - 1 are suppressed.
DEFAULT_THRESHOLD: int = 3
#: Sign of German official statistics for "value unknown or kept secret".
SECRECY_SYMBOL: str = "."
#: Sign of German official statistics for "exactly zero".
ZERO_SYMBOL: str = "–"
#: Label of the appended total row and column.
TOTAL_LABEL: str = "Insgesamt"


def _count_columns(table: pd.DataFrame, count_cols: Sequence[str] | None) -> list[str]:
    if count_cols is None:
        cols = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
        cols = [c for c in cols if c != TOTAL_LABEL]
    else:
        cols = list(count_cols)
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise InputDataError(
            f"die Zählspalte(n) {', '.join(map(str, missing))} fehlen",
            file="<DataFrame>", column=str(missing[0]), code="E-COL-001",
            hint=f"vorhandene Spalten: {', '.join(map(str, table.columns))}",
        )
    if not cols:
        raise InputDataError(
            "die Tabelle hat keine numerischen Zählspalten",
            file="<DataFrame>", code="E-COL-002",
            hint="count_cols=[...] mit den Spalten der Fallzahlen angeben",
        )
    return cols


def _check_counts(table: pd.DataFrame, cols: list[str]) -> None:
    """Counts must be whole numbers >= 0; missing values are already suppressed cells.

    The package's one count check (:func:`sozialanalyse.validation.check_counts`), so a
    bad count gets the same message here as in a file or a panel.
    """
    for col in cols:
        check_counts(table[col].tolist(), file="<DataFrame>", column=str(col),
                     missing="allow")


def _label_key(label: object) -> str:
    return str(label)


@dataclass
class _Grid:
    """Counts with margins: rows 0..n-1 interior, row n = column totals; columns
    0..k-1 interior and, when k >= 2, column k = row totals."""

    values: np.ndarray  # float, nan = unknown (already suppressed)
    n: int
    k: int
    row_keys: list[str]
    col_keys: list[str]
    has_row_totals: bool
    lines: list[list[tuple[int, int]]] = field(default_factory=list)

    def build_lines(self) -> None:
        lines: list[list[tuple[int, int]]] = []
        row_order = sorted(range(self.n), key=lambda r: self.row_keys[r]) + [self.n]
        if self.has_row_totals:
            for r in row_order:
                lines.append([(r, c) for c in range(self.k)] + [(r, self.k)])
        ncols = self.k + (1 if self.has_row_totals else 0)
        for c in range(ncols):
            lines.append([(r, c) for r in range(self.n)] + [(self.n, c)])
        self.lines = lines

    def is_margin(self, cell: tuple[int, int]) -> bool:
        r, c = cell
        return r == self.n or (self.has_row_totals and c == self.k)

    def sort_key(self, cell: tuple[int, int]) -> tuple:
        r, c = cell
        v = self.values[r, c]
        rk = self.row_keys[r] if r < self.n else "\uffff"
        return (self.is_margin(cell), v == 0, v, rk, c)


def _make_grid(table: pd.DataFrame, cols: list[str]) -> tuple[_Grid, pd.DataFrame, bool, bool]:
    """Return the grid, the interior table and whether margins were given."""
    given_row_margin = TOTAL_LABEL in table.index
    given_col_margin = TOTAL_LABEL in table.columns and len(cols) >= 2
    interior = table.drop(index=TOTAL_LABEL) if given_row_margin else table
    n, k = len(interior), len(cols)
    has_row_totals = k >= 2
    ncols = k + (1 if has_row_totals else 0)
    values = np.full((n + 1, ncols), np.nan)
    values[:n, :k] = interior[cols].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    # column totals (row n)
    if given_row_margin:
        values[n, :k] = pd.to_numeric(table.loc[TOTAL_LABEL, cols], errors="coerce").to_numpy(float)
    else:
        col_known = ~np.isnan(values[:n, :k]).any(axis=0)
        values[n, :k] = np.where(col_known, np.nansum(values[:n, :k], axis=0), np.nan)
    if has_row_totals:
        if given_col_margin:
            values[:n, k] = pd.to_numeric(interior[TOTAL_LABEL], errors="coerce").to_numpy(float)
            if given_row_margin:
                values[n, k] = float(pd.to_numeric(table.loc[TOTAL_LABEL, TOTAL_LABEL]))
        else:
            row_known = ~np.isnan(values[:n, :k]).any(axis=1)
            values[:n, k] = np.where(row_known, np.nansum(values[:n, :k], axis=1), np.nan)
        if np.isnan(values[n, k]) and not np.isnan(values[n, :k]).any():
            values[n, k] = values[n, :k].sum()
    if not given_row_margin and n == 0:
        values[n, :] = 0.0
    grid = _Grid(
        values=values,
        n=n,
        k=k,
        row_keys=[_label_key(x) for x in interior.index],
        col_keys=[str(c) for c in cols],
        has_row_totals=has_row_totals,
    )
    grid.build_lines()
    return grid, interior, given_row_margin, given_col_margin
