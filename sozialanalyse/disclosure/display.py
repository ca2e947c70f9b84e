"""Display of suppressed case-count tables (HTML for the book, German numbers)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialanalyse.disclosure.grid import (
    DEFAULT_THRESHOLD,
    SECRECY_SYMBOL,
    TOTAL_LABEL,
    ZERO_SYMBOL,
)
from sozialanalyse.disclosure.suppression import suppress, suppress_rates
from sozialanalyse.errors import InputDataError
from sozialanalyse.formatting import integer, number

__all__ = ["CaseCountTable", "case_count_table"]


def _format_cell(value: object, is_count: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return SECRECY_SYMBOL
    if is_count:
        v = int(value)
        return ZERO_SYMBOL if v == 0 else integer(v)
    if isinstance(value, float | np.floating):
        return number(float(value), 1)
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
                        f"unklar, aus welcher Fallzahl die Ratenspalte {col!r} berechnet ist",
                        file="<DataFrame>", column=str(col), code="E-COL-001",
                        hint="rate_of={'Ratenspalte': 'Fallzahlspalte'} angeben",
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
