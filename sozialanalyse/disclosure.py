"""Statistical disclosure control for tables of case counts per small area.

Case counts of Hilfen zur Erziehung (HzE) per Stadtraum are small numbers about
identifiable families. Every table of such counts shown in the book passes through
this module.

Practice we follow
------------------
German official statistics protect small cells under the statistical secrecy of
section 16 BStatG ("Geheimhaltung"). The common sign table
("Zeichenerklärung") of the statistical offices of the Bund and the Länder uses

* ``.`` -- "Zahlenwert unbekannt oder geheim zu halten" (value unknown or kept
  secret), e.g. IT.NRW's tables of the youth-welfare statistics on
  Gefährdungseinschätzungen nach § 8a SGB VIII
  (https://www.it.nrw/gefaehrdungseinschaetzungen-nach-ss-8a-absatz-1-sgb-viii-91346)
  and the sign list of the Landesamt für Statistik Niedersachsen
  (https://statistik.niedersachsen.de/ueber_statistik/abkuerzungen_und_zeichenerklaerungenabkurzungen-und-zeichenerklarungen-115987.html);
* ``-`` -- exactly zero ("nichts vorhanden").

For the youth-welfare statistics, commentary on § 103 SGB VIII notes that tables
whose cells hold a single case ("Tabelleneinsen") may only be passed on at a coarse
regional level (Haufe, SGB VIII commentary on § 103). Destatis publishes other social
statistics with rounding to multiples of 5 ("5er-Rundung", Sozialhilfe/BuT from 2020,
https://destatis.de/DE/Themen/Gesellschaft-Umwelt/Soziales/Sozialhilfe/Glossar/Geheimhaltung_HLU_BUT_ab2020.html).
We could not verify from a stored public source which rounding base the
Kinder- und Jugendhilfestatistik currently uses, so we do not round.

Rules chosen here (documented defaults)
---------------------------------------
* Primary suppression: counts ``1 .. threshold-1`` are suppressed; the default
  ``threshold=3`` suppresses the values 1 and 2, the smallest rule that hides single
  cases and pairs of cases.
* Zeros are published (shown as ``–``) by default; ``suppress_zeros=True`` treats
  them as primary cells too.
* Secondary suppression: row and column totals are assumed to be known (they may be
  published elsewhere, e.g. the city-wide total), so every row and column with a
  suppressed cell gets at least two. The partner is an interior cell (totals stay
  published where possible), preferably one whose crossing row or column already
  holds a suppression (so no new line is opened), else the smallest non-zero cell.
  In addition an attacker check by linear programming (the published cells and totals
  as equations, counts non-negative) must leave every primary cell an interval of
  possible values that reaches the threshold; otherwise more cells are suppressed.
* Rates computed from suppressed counts are suppressed too (:func:`suppress_rates`).
* Suppressed cells are shown as ``.``.

The algorithm is a greedy heuristic, deterministic and independent of row order
(ties are broken by the row and column labels), not an optimal cell-suppression
solver such as tau-ARGUS.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from sozialanalyse.errors import InputDataError

__all__ = [
    "DEFAULT_THRESHOLD",
    "SECRECY_SYMBOL",
    "ZERO_SYMBOL",
    "TOTAL_LABEL",
    "CaseCountTable",
    "case_count_table",
    "disclosure_rules",
    "protection_intervals",
    "suppress",
    "suppress_rates",
    "suppression_mask",
]

#: Default threshold: counts 1 .. DEFAULT_THRESHOLD - 1 are suppressed.
DEFAULT_THRESHOLD: int = 3
#: Sign of German official statistics for "value unknown or kept secret".
SECRECY_SYMBOL: str = "."
#: Sign of German official statistics for "exactly zero".
ZERO_SYMBOL: str = "–"
#: Label of the appended total row and column.
TOTAL_LABEL: str = "Insgesamt"


# ---------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------


def _count_columns(table: pd.DataFrame, count_cols: Sequence[str] | None) -> list[str]:
    if count_cols is None:
        cols = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
        cols = [c for c in cols if c != TOTAL_LABEL]
    else:
        cols = list(count_cols)
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise InputDataError(
            f"count column(s) {missing} not found",
            file="<DataFrame>",
            column=str(missing[0]),
            hint=f"available columns: {list(table.columns)}",
        )
    if not cols:
        raise InputDataError(
            "the table has no numeric count columns",
            file="<DataFrame>",
            hint="pass count_cols=[...] naming the columns holding case counts",
        )
    return cols


def _check_counts(table: pd.DataFrame, cols: list[str]) -> None:
    for col in cols:
        values = pd.to_numeric(table[col], errors="coerce")
        bad_type = values.isna() & table[col].notna()
        known = values.dropna()
        bad_value = (known < 0) | (known != np.floor(known))
        for pos, flag in enumerate(bad_type.to_numpy()):
            if flag:
                raise InputDataError(
                    f"value {table[col].iloc[pos]!r} is not a number",
                    file="<DataFrame>",
                    column=str(col),
                    row=pos + 1,
                    hint="case counts must be whole numbers >= 0",
                )
        if bad_value.any():
            label = bad_value[bad_value].index[0]
            pos = int(np.flatnonzero(table.index == label)[0])
            raise InputDataError(
                f"value {known[label]!r} is not a count",
                file="<DataFrame>",
                column=str(col),
                row=pos + 1,
                hint="case counts must be whole numbers >= 0",
            )


def _label_key(label: object) -> str:
    return str(label)


# ---------------------------------------------------------------------------
# The grid: interior cells plus margins
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Attacker model: feasible intervals by linear programming
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Suppression
# ---------------------------------------------------------------------------


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
        raise InputDataError("expected a pandas DataFrame", file="<input>")
    if threshold < 1:
        raise InputDataError(f"threshold must be >= 1, got {threshold}", file="<argument>")
    if not table.index.is_unique:
        dup = table.index[table.index.duplicated()][0]
        raise InputDataError(
            f"row label {dup!r} occurs more than once",
            file="<DataFrame>",
            row=int(np.flatnonzero(table.index == dup)[1]) + 1,
            hint="give every area a unique index label (e.g. set_index('stadtraum'))",
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
            "rates and counts must both be Series or both be DataFrames", file="<argument>"
        )
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


# ---------------------------------------------------------------------------
# Display
# ---------------------------------------------------------------------------


def _format_cell(value: object, is_count: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return SECRECY_SYMBOL
    if is_count:
        v = int(value)
        return ZERO_SYMBOL if v == 0 else f"{v:,}".replace(",", "\u202f")
    if isinstance(value, float | np.floating):
        return f"{float(value):.1f}".replace(".", ",")
    return str(value)


def _align(value: object) -> str:
    numeric = isinstance(value, int | float | np.integer | np.floating) or value is pd.NA
    return ' style="text-align:right"' if numeric else ""


@dataclass
class CaseCountTable:
    """A suppressed case-count table that displays as HTML in notebooks.

    Attributes
    ----------
    data
        The suppressed table (count columns nullable ``Int64``).
    caption
        Table caption.
    count_cols
        The count columns (and the total column, if any).
    threshold
        The threshold used.
    """

    data: pd.DataFrame
    caption: str
    count_cols: list[str]
    threshold: int

    def note(self) -> str:
        """Explanation of the symbols, printed under the table."""
        return (
            f"„{SECRECY_SYMBOL}“ = aus Geheimhaltungsgründen gesperrt (Fallzahlen unter "
            f"{self.threshold} und zu ihrem Schutz gesperrte weitere Zellen); "
            f"„{ZERO_SYMBOL}“ = genau null."
        )

    def to_html(self) -> str:
        """HTML ``<table class="case-counts">`` with caption and symbol note."""
        esc = html.escape
        index_name = self.data.index.name or ""
        head = "".join(f"<th>{esc(str(c))}</th>" for c in self.data.columns)
        rows = []
        for label, row in self.data.iterrows():
            cells = "".join(
                f'<td class="count" style="text-align:right">{esc(_format_cell(v, True))}</td>'
                if c in self.count_cols
                else f"<td{_align(v)}>{esc(_format_cell(v, False))}</td>"
                for c, v in row.items()
            )
            rows.append(f"<tr><th>{esc(str(label))}</th>{cells}</tr>")
        return (
            f'<table class="case-counts" data-threshold="{self.threshold}">'
            f"<caption>{esc(self.caption)}</caption>"
            f"<thead><tr><th>{esc(str(index_name))}</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            f'<p class="case-counts-note"><small>{esc(self.note())}</small></p>'
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        shown = self.data.astype(object).where(self.data.notna(), SECRECY_SYMBOL)
        return f"{self.caption}\n{shown.to_string()}\n{self.note()}"


def case_count_table(
    df: pd.DataFrame,
    *,
    caption: str,
    count_cols: Sequence[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    totals: bool = True,
    suppress_zeros: bool = False,
    rate_cols: Sequence[str] | None = None,
    rate_of: dict[str, str] | None = None,
) -> CaseCountTable:
    """Suppress a table of raw case counts and wrap it for display.

    Calling it on raw counts is safe: the suppression happens inside.

    Parameters
    ----------
    df
        One row per area, raw case counts (and optionally rate columns).
    caption
        Caption shown above the table (say "simuliert" if the counts are simulated).
    count_cols
        Count columns; default all numeric columns not named in ``rate_cols``.
    threshold, totals, suppress_zeros
        See :func:`suppress`.
    rate_cols
        Columns holding rates derived from counts; they are shown with one decimal
        and hidden wherever their count is hidden.
    rate_of
        For each rate column, the count column it derives from (default: if there is
        a single count column, that one).

    Returns
    -------
    CaseCountTable
        Displays as an HTML table with CSS class ``case-counts``.
    """
    rate_cols = list(rate_cols or [])
    if count_cols is None:
        numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
        count_cols = [c for c in numeric if c not in rate_cols and c != TOTAL_LABEL]
    count_cols = list(count_cols)
    rates = df[rate_cols]
    published = suppress(
        df.drop(columns=rate_cols),
        count_cols=count_cols,
        threshold=threshold,
        totals=totals,
        suppress_zeros=suppress_zeros,
    )
    if rate_cols:
        mapping = dict(rate_of or {})
        for col in rate_cols:
            if col not in mapping:
                if len(count_cols) != 1:
                    raise InputDataError(
                        f"cannot tell which count the rate column {col!r} derives from",
                        file="<DataFrame>",
                        column=str(col),
                        hint="pass rate_of={'rate column': 'count column'}",
                    )
                mapping[col] = count_cols[0]
        shown = published.loc[published.index != TOTAL_LABEL] if totals else published
        for col in rate_cols:
            published.loc[shown.index, col] = suppress_rates(
                rates[col].reindex(shown.index), shown[mapping[col]]
            )
    shown_counts = [c for c in published.columns if c in count_cols or c == TOTAL_LABEL]
    return CaseCountTable(
        data=published, caption=caption, count_cols=shown_counts, threshold=threshold
    )
