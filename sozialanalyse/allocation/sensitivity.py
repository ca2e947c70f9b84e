"""Which choice moves staff most? Sobol' indices of the allocation itself.

The index's own sensitivity analysis (:mod:`sozialanalyse.index.sensitivity`) apportions the
variance of *ranks*. A Jugendamt moves *positions*, and further choices come after the
index: the rule that turns the index into a need weight, the size of the need uplift, the
apportionment method and a floor. Here all of them are inputs of one Sobol' design
(Saltelli et al. 2008, SALib): the index choices of
:class:`~sozialanalyse.index.choices.ChoiceSpace` plus the allocation choices of
:class:`AllocationChoices`. The output per design point is the amount that would move
against the nominal allocation, ``0.5 * sum |a - a_nominal|`` (e.g. in VK).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from sozialanalyse.allocation.need import DEFAULT_BASE, DEFAULT_UPLIFT, RULES
from sozialanalyse.allocation.rounding import METHODS, method_name, units_of
from sozialanalyse.allocation.targets import check_population
from sozialanalyse.allocation.uncertainty import allocate_draws_array
from sozialanalyse.errors import MethodError
from sozialanalyse.index.choices import ChoiceSpace, Draws, choices_from_unit
from sozialanalyse.index.sensitivity import sobol_problem
from sozialanalyse.index.uncertainty import scores_for_draws

ALLOCATION_FACTORS: tuple[str, ...] = ("need_rule", "uplift", "apportionment", "floor")
FACTOR_LABELS_DE: dict[str, str] = {
    "outlier": "Ausreißerregel",
    "normalisation": "Normierung",
    "aggregation": "Aggregation",
    "indicator_set": "Indikatorenauswahl",
    "weights": "Indikatorgewichte",
    "need_rule": "Bedarfsregel",
    "uplift": "Höhe des Bedarfszuschlags",
    "apportionment": "Rundungsverfahren",
    "floor": "Untergrenze",
}
"""German labels of all factors (index and allocation)."""


@dataclass(frozen=True)
class AllocationChoices:
    """The allocation choices varied in the sensitivity analysis.

    Parameters
    ----------
    rules
        Need-weight rules drawn with equal probability.
    uplift_range
        The uplift is uniform on this interval (weights ``base + uplift * score``).
    methods
        Apportionment methods drawn with equal probability.
    floors
        Floor amounts per area drawn with equal probability (``0`` = no floor).
    base
        Fixed base weight.
    """

    rules: tuple[str, ...] = RULES
    uplift_range: tuple[float, float] = (0.25, 1.0)
    methods: tuple[str, ...] = METHODS
    floors: tuple[float, ...] = (0.0,)
    base: float = DEFAULT_BASE

    def __post_init__(self) -> None:
        for r in self.rules:
            if r not in RULES:
                raise MethodError(f"Unbekannte Bedarfsregel '{r}'.")
        for m in self.methods:
            method_name(m)
        lo, hi = self.uplift_range
        if not 0 <= lo <= hi:
            raise MethodError("Der Bereich des Bedarfszuschlags ist ungültig.")


def _pick(col: np.ndarray, options: tuple) -> np.ndarray:
    k = np.minimum((col * len(options)).astype(int), len(options) - 1)
    return k


def allocation_sensitivity(
    x: pd.DataFrame,
    directions: pd.Series | None,
    population: pd.Series,
    total: float,
    *,
    unit: float = 0.25,
    nominal_weights: pd.Series | None = None,
    space: ChoiceSpace | None = None,
    choices: AllocationChoices | None = None,
    nominal_rule: str = "linear",
    nominal_uplift: float = DEFAULT_UPLIFT,
    nominal_method: str = "hamilton",
    n_base: int = 256,
    seed: int = 0,
) -> pd.DataFrame:
    """Sobol' indices of the amount moved against the nominal allocation.

    Parameters
    ----------
    x, directions, nominal_weights, space
        Indicator matrix and index choice space, as in
        :func:`~sozialanalyse.index.uncertainty.run_monte_carlo`.
    population
        Population by area (rows of ``x``).
    total, unit
        Amount to allocate and its unit.
    choices
        Allocation choices (default :class:`AllocationChoices`).
    nominal_rule, nominal_uplift, nominal_method
        The nominal allocation (with the nominal index, no floor) the moves are measured
        against.
    n_base, seed
        Sobol' base sample (power of two) and seed.

    Returns
    -------
    pandas.DataFrame
        One row per factor (index and allocation): ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf``, sorted by ``ST``; plus the column ``label`` (German).
    """
    if n_base < 2 or n_base & (n_base - 1):
        raise MethodError(f"n_base muss eine Zweierpotenz sein, nicht {n_base}.")
    space = space or ChoiceSpace()
    choices = choices or AllocationChoices()
    indicators = tuple(str(c) for c in x.columns)
    p = check_population(population.reindex(x.index)).to_numpy()
    h = units_of(total, unit)
    problem = sobol_problem(indicators, space)
    n_index = problem["num_vars"]
    problem = {
        "num_vars": n_index + len(ALLOCATION_FACTORS),
        "names": list(problem["names"]) + list(ALLOCATION_FACTORS),
        "bounds": list(problem["bounds"]) + [[0.0, 1.0]] * len(ALLOCATION_FACTORS),
        "groups": list(problem["groups"]) + list(ALLOCATION_FACTORS),
    }
    u = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    draws: Draws = choices_from_unit(u[:, :n_index], indicators, space, nominal_weights)
    scores = scores_for_draws(x, draws, directions, space)
    a = u[:, n_index:]
    rule_k = _pick(a[:, 0], choices.rules)
    lo_u, hi_u = choices.uplift_range
    uplift = lo_u + (hi_u - lo_u) * a[:, 1]
    method_k = _pick(a[:, 2], choices.methods)
    floor_k = _pick(a[:, 3], choices.floors)
    units = np.empty(scores.shape, dtype=np.int64)
    for ri, rule in enumerate(choices.rules):
        for mi, method in enumerate(choices.methods):
            for fi, fl in enumerate(choices.floors):
                rows = np.flatnonzero((rule_k == ri) & (method_k == mi) & (floor_k == fi))
                if not rows.size:
                    continue
                lower = None if fl == 0 else np.full(len(p), np.ceil(fl / unit - 1e-9))
                units[rows] = allocate_draws_array(
                    scores[rows], p, h, rule=rule, base=choices.base,
                    uplift=uplift[rows][:, None], method=method, lower=lower,
                )
    nominal = np.array([[1.0]])
    nom_draws = Draws(
        outlier=np.array(["none"], dtype=object), normalisation=np.array(["zscore"], dtype=object),
        aggregation=np.array(["arithmetic"], dtype=object), dropped=np.array([-1]),
        weights=(np.full((1, len(indicators)), 1.0 / len(indicators)) if nominal_weights is None
                 else nominal_weights.reindex(list(indicators)).to_numpy(dtype=float)[None, :]),
        indicators=indicators,
    )
    nom_space = ChoiceSpace(("none",), ("zscore",), ("arithmetic",))
    nom_scores = scores_for_draws(x, nom_draws, directions, nom_space)
    nominal = allocate_draws_array(nom_scores, p, h, rule=nominal_rule, base=choices.base,
                                   uplift=nominal_uplift, method=nominal_method)[0]
    y = 0.5 * np.abs(units - nominal[None, :]).sum(axis=1) * unit
    if np.var(y) == 0:
        raise MethodError("Die Zuteilung ändert sich über die Wahlmöglichkeiten nicht.")
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed,
                                print_to_console=False)
    total_df, first = res.to_df()
    out = first.join(total_df)
    out.index.name = "factor"
    out["label"] = [FACTOR_LABELS_DE.get(str(f), str(f)) for f in out.index]
    out.attrs["mean_moved"] = float(y.mean())
    out.attrs["n_evaluations"] = int(y.size)
    return out.sort_values("ST", ascending=False)
