"""The allocation under index uncertainty: every Monte Carlo draw of the index, allocated.

The index Monte Carlo (:mod:`sozialanalyse.index.uncertainty`) gives a score per area for
each plausible combination of method choices. Here every draw is turned into need weights,
a weighted population and an apportionment in whole units, all draws at once
(:func:`allocate_draws_array`; no loop over draws). Per area the result answers what a
planner asks before moving staff:

* the distribution of the allocated amount (median and 5-95 % band);
* the probability of getting at least one unit more, or less, than today (or than the
  nominal allocation when no current allocation is given);
* how stable the area's rank is (rank of the amount per resident).

:func:`allocate_per_draw_loop` computes the same thing draw by draw; the tests check that
both agree and the benchmark compares their speed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialanalyse.allocation.bounds import bounded_quotas
from sozialanalyse.allocation.need import (
    DEFAULT_BASE,
    DEFAULT_CUTOFFS,
    DEFAULT_UPLIFT,
    _ranks_desc,
    need_score_array,
    weights_from_scores,
)
from sozialanalyse.allocation.rounding import apportion_array, method_name, units_of
from sozialanalyse.allocation.targets import check_population
from sozialanalyse.errors import InputDataError, MethodError


def _unit_bounds(value: float | pd.Series | None, index: pd.Index, unit: float, up: bool
                 ) -> np.ndarray | None:
    if value is None:
        return None
    arr = (value.reindex(index).to_numpy(dtype=float) if isinstance(value, pd.Series)
           else np.full(len(index), float(value)))
    if np.any(np.isnan(arr)):
        raise InputDataError("Eine Unter- oder Obergrenze fehlt für ein Gebiet.")
    return np.ceil(arr / unit - 1e-9) if up else np.floor(arr / unit + 1e-9)


def _linear_weighted_population(x: np.ndarray, pop: np.ndarray, base: float,
                                uplift: float | np.ndarray) -> np.ndarray:
    """``(base + uplift * linear score) * pop`` in three passes (same as the generic path)."""
    if base < 0 or np.any(np.asarray(uplift) < 0):
        raise MethodError("Grundgewicht und Bedarfszuschlag dürfen nicht negativ sein.")
    lo = x.min(axis=1, keepdims=True)
    span = x.max(axis=1, keepdims=True) - lo
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(span))):
        raise InputDataError("Der Index enthält fehlende oder unendliche Werte.")
    a = np.multiply(uplift, 1.0 / np.where(span > 0, span, np.inf))
    wp = x * a
    wp += base - lo * a
    wp *= pop
    return wp


def allocate_draws_array(
    index_draws: np.ndarray,
    population: np.ndarray,
    seats: int,
    *,
    rule: str = "linear",
    base: float = DEFAULT_BASE,
    uplift: float | np.ndarray = DEFAULT_UPLIFT,
    method: str = "hamilton",
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    current: np.ndarray | None = None,
    damping: float | None = None,
    cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
    chunk_size: int = 64,
) -> np.ndarray:
    """Whole units per area for every index draw (vectorised kernel).

    Parameters
    ----------
    index_draws
        ``(n_draws, n_areas)`` index scores, higher = more burden.
    population
        ``(n_areas,)`` population.
    seats
        Total in units.
    rule, base, uplift, cutoffs
        Need-weight rule (:mod:`sozialanalyse.allocation.need`); ``uplift`` may be an array
        ``(n_draws, 1)``.
    method
        Apportionment method.
    lower, upper
        Floors and caps in units per area.
    current, damping
        Today's units per area and the damping share: if given, each draw's bounded target
        is approached by ``damping`` and the damped amounts are apportioned.
    chunk_size
        Draws processed together (blocks that fit in the processor cache).

    Returns
    -------
    numpy.ndarray
        ``(n_draws, n_areas)`` integer units; every row sums to ``seats``.
    """
    x = np.atleast_2d(np.asarray(index_draws, dtype=float))
    pop = np.asarray(population, dtype=float)
    up = np.asarray(uplift, dtype=float)
    if damping is not None and current is None:
        raise MethodError("Dämpfung braucht die heutige Zuteilung.")
    out = np.empty(x.shape, dtype=np.int64)
    # blocks of rows that fit in the cache: every step below is one pass over the block
    for start in range(0, x.shape[0], chunk_size):
        rows = slice(start, start + chunk_size)
        up_rows = up[rows] if up.ndim == 2 else up
        if rule == "linear":
            wp = _linear_weighted_population(x[rows], pop, base, up_rows)
        else:
            wp = weights_from_scores(need_score_array(x[rows], rule, cutoffs), base, up_rows)
            wp *= pop
        if damping is None:
            apportion_array(wp, seats, method, lower, upper, out=out[rows])
        else:
            q, _ = bounded_quotas(wp, seats, lower, upper)
            c = np.asarray(current, dtype=float)
            apportion_array(c + damping * (q - c), seats, method, lower, upper, out=out[rows])
    return out


def allocate_per_draw_loop(index_draws: np.ndarray, population: np.ndarray, seats: int,
                           **kwargs) -> np.ndarray:
    """Reference: :func:`allocate_draws_array` one draw at a time (for tests, benchmarks)."""
    out = np.empty(index_draws.shape, dtype=np.int64)
    for i in range(index_draws.shape[0]):
        out[i] = allocate_draws_array(index_draws[i:i + 1], population, seats, **kwargs)[0]
    return out


@dataclass
class AllocationDraws:
    """Units per area in every draw, with the nominal allocation for comparison.

    Attributes
    ----------
    areas
        Area labels (columns of ``units``).
    units
        ``(n_draws, n_areas)`` integer units.
    nominal
        Units of the nominal index (Series by area).
    population
        Population by area (for ranks per resident).
    unit
        Amount per unit (e.g. 0.25 VK).
    current
        Today's units by area, if given.
    """

    areas: pd.Index
    units: np.ndarray
    nominal: pd.Series
    population: pd.Series
    unit: float
    current: pd.Series | None = None
    meta: dict = field(default_factory=dict)

    @property
    def amounts(self) -> np.ndarray:
        """``units x unit`` (e.g. VK), ``(n_draws, n_areas)``."""
        return self.units * self.unit

    def staff_moved(self) -> np.ndarray:
        """Per draw: amount that would move against the nominal allocation (half the L1)."""
        return 0.5 * np.abs(self.units - self.nominal.to_numpy()[None, :]).sum(axis=1) * self.unit

    def ranks(self) -> np.ndarray:
        """Rank of each area by amount per resident in each draw (1 = most per resident)."""
        per_head = self.units / self.population.to_numpy()[None, :]
        return _ranks_desc(per_head)

    def summary(self, quantiles: tuple[float, float] = (0.05, 0.95)) -> pd.DataFrame:
        """One row per area.

        Columns: ``nominal``, ``median``, ``lo``, ``hi``, ``mean`` (amounts), ``p_more`` and
        ``p_less`` (share of draws with at least one unit more / less than the reference:
        today if given, else nominal), ``reference``, ``rank_nominal``, ``rank_lo``,
        ``rank_hi`` and ``p_rank_same`` (share of draws with the nominal rank).
        """
        a = self.amounts
        ref = (self.current if self.current is not None else self.nominal).to_numpy()
        lo, hi = np.quantile(a, list(quantiles), axis=0)
        ranks = self.ranks()
        nom_per_head = self.nominal.to_numpy() / self.population.to_numpy()
        nom_rank = _ranks_desc(nom_per_head)
        r_lo, r_hi = np.quantile(ranks, list(quantiles), axis=0)
        out = pd.DataFrame(
            {
                "nominal": self.nominal.to_numpy() * self.unit,
                "reference": ref * self.unit,
                "median": np.median(a, axis=0),
                "lo": lo,
                "hi": hi,
                "mean": a.mean(axis=0),
                "p_more": (self.units >= ref[None, :] + 1).mean(axis=0),
                "p_less": (self.units <= ref[None, :] - 1).mean(axis=0),
                "rank_nominal": nom_rank,
                "rank_lo": r_lo,
                "rank_hi": r_hi,
                "p_rank_same": (ranks == nom_rank[None, :]).mean(axis=0),
            },
            index=self.areas,
        )
        out.index.name = self.areas.name or "area"
        return out


def allocation_draws(
    mc,  # noqa: ANN001 - MonteCarloResult of sozialanalyse.index.uncertainty
    population: pd.Series,
    total: float,
    *,
    unit: float = 0.25,
    rule: str = "linear",
    base: float = DEFAULT_BASE,
    uplift: float = DEFAULT_UPLIFT,
    method: str = "hamilton",
    floor: float | pd.Series | None = None,
    cap: float | pd.Series | None = None,
    current: pd.Series | None = None,
    damping: float | None = None,
    cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
) -> AllocationDraws:
    """Allocate ``total`` over every draw of an index Monte Carlo.

    Parameters
    ----------
    mc
        :class:`~sozialanalyse.index.uncertainty.MonteCarloResult` (``scores``,
        ``nominal_scores``, ``areas``).
    population
        Population by area (must cover ``mc.areas``).
    total, unit, rule, base, uplift, method, floor, cap, cutoffs
        As in :func:`sozialanalyse.allocation.pipeline.allocate`.
    current, damping
        Today's amount by area and the damping share (optional).
    """
    areas = pd.Index(mc.areas)
    p = check_population(population.reindex(areas))
    h = units_of(total, unit)
    m = method_name(method)
    lo = _unit_bounds(floor, areas, unit, up=True)
    hi = _unit_bounds(cap, areas, unit, up=False)
    cur_units = None
    if current is not None:
        cur = current.reindex(areas).astype(float)
        if cur.isna().any():
            raise InputDataError("Die heutige Zuteilung fehlt für ein Gebiet.", column="current")
        cur_units = pd.Series(np.round(cur.to_numpy() / unit).astype(np.int64), index=areas)
    kw = dict(rule=rule, base=base, uplift=uplift, method=m, lower=lo, upper=hi,
              current=None if cur_units is None else cur_units.to_numpy(), damping=damping,
              cutoffs=cutoffs)
    units = allocate_draws_array(np.asarray(mc.scores, dtype=float), p.to_numpy(), h, **kw)
    nominal = allocate_draws_array(
        np.asarray(mc.nominal_scores.reindex(areas), dtype=float)[None, :], p.to_numpy(), h, **kw
    )[0]
    return AllocationDraws(
        areas=areas, units=units, nominal=pd.Series(nominal, index=areas), population=p,
        unit=float(unit), current=cur_units,
        meta={"rule": rule, "uplift": uplift, "method": m, "total": h * unit},
    )


def plot_allocation_bands(draws: AllocationDraws, names: pd.Series | None = None, *,
                          unit_label: str = "VK", title: str | None = None,
                          ax=None):  # noqa: ANN001, ANN201
    """Per area: 5-95 % band and median of the allocated amount, nominal and today marked.

    German labels; areas sorted by the nominal amount. Returns the figure.
    """
    import matplotlib.pyplot as plt

    from sozialanalyse.formatting import german_axes

    s = draws.summary().sort_values("nominal")
    labels = [names.get(a, a) if names is not None else a for a in s.index]
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.4 * len(s) + 1.5))
    else:
        fig = ax.figure
    y = np.arange(len(s))
    ax.hlines(y, s["lo"], s["hi"], color="#0072B2", linewidth=6, alpha=0.35,
              label="5–95 % der Ziehungen")
    ax.plot(s["median"], y, "o", color="#0072B2", label="Median")
    ax.plot(s["nominal"], y, "|", color="black", markersize=14, label="nominale Methode")
    if draws.current is not None:
        ax.plot(s["reference"], y, "x", color="#D55E00", label="heute")
    ax.set_yticks(y, labels)
    ax.set_xlabel(f"Zuteilung ({unit_label})")
    german_axes(ax, y=False)
    ax.legend(loc="lower right", fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
