"""Scenarios side by side: per capita, needs-weighted, with floors and caps, damped.

One table (one row per area, one column per scenario, amounts e.g. in VK) and one plot, so
that a planning committee sees what each decision does to each area before it decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialanalyse.allocation.pipeline import Allocation, allocate
from sozialanalyse.errors import InputDataError
from sozialanalyse.labels import allocation_labels

SCENARIOS: tuple[str, ...] = ("per_capita", "needs", "bounded", "damped")
SCENARIO_LABELS_DE: dict[str, str] = allocation_labels("current", *SCENARIOS)
"""German labels of the scenarios (from :data:`sozialanalyse.labels.ALLOCATION`)."""


@dataclass
class ScenarioResult:
    """The scenarios' allocations and their side-by-side table (amounts by area)."""

    allocations: dict[str, Allocation]
    table: pd.DataFrame

    def summary(self, names: pd.Series | None = None, digits: int = 2) -> pd.DataFrame:
        """German table: one column per scenario (formatted), optional area names."""
        from sozialanalyse.formatting import format_frame

        t = self.table.rename(columns=SCENARIO_LABELS_DE)
        if names is not None:
            t.index = t.index.map(lambda a: names.get(a, a))
        t.index.name = "Gebiet"
        return format_frame(t, digits)


def compare_scenarios(
    population: pd.Series,
    need_weight: pd.Series,
    total: float,
    *,
    unit: float = 0.25,
    method: str = "hamilton",
    floor: float | pd.Series | None = None,
    cap: float | pd.Series | None = None,
    current: pd.Series | None = None,
    damping: float | None = None,
    max_change: float | None = None,
    max_step: float | None = None,
) -> ScenarioResult:
    """Allocate ``total`` under each scenario.

    ``per_capita`` and ``needs`` ignore the bounds; ``bounded`` applies ``floor`` and ``cap``
    (only if one is given); ``damped`` moves from ``current`` towards the bounded target by
    ``damping`` (only if both are given). ``current`` is shown as the first column.
    """
    if (damping is None) != (current is None) and damping is not None:
        raise InputDataError("Für den gedämpften Übergang wird die heutige Zuteilung gebraucht.")
    allocs: dict[str, Allocation] = {
        "per_capita": allocate(population, total, unit=unit, method=method),
        "needs": allocate(population, total, need_weight=need_weight, unit=unit, method=method),
    }
    if floor is not None or cap is not None:
        allocs["bounded"] = allocate(population, total, need_weight=need_weight, unit=unit,
                                     method=method, floor=floor, cap=cap)
    if damping is not None and current is not None:
        allocs["damped"] = allocate(population, total, need_weight=need_weight, unit=unit,
                                    method=method, floor=floor, cap=cap, current=current,
                                    damping=damping, max_change=max_change, max_step=max_step)
    table = pd.DataFrame({k: a.amounts for k, a in allocs.items()})
    if current is not None:
        table.insert(0, "current", current.reindex(table.index).astype(float))
    table.index.name = "area"
    return ScenarioResult(allocations=allocs, table=table)


def plot_scenarios(result: ScenarioResult, names: pd.Series | None = None, *,
                   unit_label: str = "VK", title: str | None = None, ax=None):  # noqa: ANN001, ANN201
    """Grouped horizontal bars: amount per area under each scenario (German labels).

    Areas are sorted by the needs-weighted amount minus the per-capita amount (largest
    need uplift on top). Returns the figure.
    """
    import matplotlib.pyplot as plt

    from sozialanalyse.formatting import german_axes

    t = result.table.copy()
    t = t.loc[(t["needs"] - t["per_capita"]).sort_values().index]
    labels = [names.get(a, a) if names is not None else a for a in t.index]
    cols = list(t.columns)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(t) + 1.5))
    else:
        fig = ax.figure
    height = 0.8 / len(cols)
    y = np.arange(len(t))
    for k, col in enumerate(cols):
        ax.barh(y + (k - (len(cols) - 1) / 2) * height, t[col].to_numpy(), height=height,
                label=SCENARIO_LABELS_DE.get(col, col))
    ax.set_yticks(y, labels)
    ax.set_xlabel(f"Zuteilung ({unit_label})")
    german_axes(ax, y=False)
    ax.legend(loc="lower right", fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
