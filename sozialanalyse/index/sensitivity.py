"""Variance-based sensitivity analysis: which method choice drives the ranks?

The Monte Carlo of :mod:`sozialanalyse.index.uncertainty` shows *how much* ranks move; this
module apportions that variation to the choices (Saltelli et al. 2008; JRC/OECD Handbook,
step 7). Each choice is one group of inputs on the unit hypercube (outlier rule,
normalisation, aggregation, indicator set, and the weights as one group of one input per
indicator). SALib draws a Sobol' design, :func:`~sozialanalyse.index.uncertainty.choices_from_unit`
maps it to method choices, the vectorised Monte Carlo evaluates all of them at once, and
SALib estimates first-order (``S1``) and total-order (``ST``) indices per group.

The default output is the mean absolute rank shift against the nominal ranking (as in COINr's
``get_sensitivity``); the rank of a single area can be analysed instead.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from sozialanalyse.errors import MethodError
from sozialanalyse.index.uncertainty import (
    FACTORS,
    ChoiceSpace,
    Draws,
    choices_from_unit,
    run_monte_carlo,
)


def sobol_problem(indicators: tuple[str, ...] | list[str], space: ChoiceSpace) -> dict:
    """SALib problem: one unit-interval input per choice, weights grouped as one factor."""
    indicators = tuple(indicators)
    names = ["outlier", "normalisation", "aggregation", "indicator_set"] + [
        f"weight_{i}" for i in indicators
    ]
    groups = list(FACTORS[:4]) + ["weights"] * len(indicators)
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [[0.0, 1.0]] * len(names),
        "groups": groups,
    }


def sobol_from_function(
    evaluate: Callable[[Draws], np.ndarray],
    indicators: tuple[str, ...] | list[str],
    *,
    space: ChoiceSpace | None = None,
    nominal_weights: pd.Series | None = None,
    n_base: int = 256,
    seed: int = 0,
) -> pd.DataFrame:
    """Sobol' indices of any scalar output of the method choices.

    Parameters
    ----------
    evaluate
        Maps a :class:`~sozialanalyse.index.uncertainty.Draws` batch to one number per draw.
    indicators
        Indicator names.
    space, nominal_weights
        As in :func:`~sozialanalyse.index.uncertainty.choices_from_unit`.
    n_base
        Base sample size of the Sobol' design (a power of two); the model is evaluated
        ``n_base * (n_factors + 2)`` times.
    seed
        Seed of the scrambled Sobol' sequence and of the bootstrap intervals.

    Returns
    -------
    pandas.DataFrame
        One row per factor with ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (95 % bootstrap
        half-widths), sorted by ``ST``.
    """
    if n_base < 2 or n_base & (n_base - 1):
        raise MethodError(f"n_base muss eine Zweierpotenz sein (64, 128, …), nicht {n_base}",
                          code="E-METHOD-005")
    space = space or ChoiceSpace()
    problem = sobol_problem(indicators, space)
    u = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    draws = choices_from_unit(u, indicators, space, nominal_weights)
    y = np.asarray(evaluate(draws), dtype=float)
    if y.shape != (len(draws),):
        raise MethodError(f"evaluate must return one value per draw, got shape {y.shape}")
    if np.var(y) == 0:
        raise MethodError("die Ausgabe ändert sich über die Methodenwahlen nicht; es gibt nichts "
                          "aufzuteilen", code="E-METHOD-001")
    res = sobol_analyze.analyze(
        problem, y, calc_second_order=False, seed=seed, print_to_console=False
    )
    total, first = res.to_df()
    out = first.join(total)
    out.index.name = "factor"
    return out.reindex(list(FACTORS)).sort_values("ST", ascending=False)


def rank_sensitivity(
    x: pd.DataFrame,
    directions: pd.Series | None = None,
    *,
    space: ChoiceSpace | None = None,
    nominal_weights: pd.Series | None = None,
    output: str | Hashable = "rank_shift",
    n_base: int = 256,
    seed: int = 0,
    ddof: int = 1,
) -> pd.DataFrame:
    """Sobol' indices of the index ranks with respect to the method choices.

    Parameters
    ----------
    x, directions
        Wide indicator matrix and directions, as in
        :func:`~sozialanalyse.index.uncertainty.run_monte_carlo`.
    output
        ``"rank_shift"`` (mean absolute rank change against the nominal ranking over all
        areas) or an area label (the rank of that area).
    n_base, seed, space, nominal_weights
        See :func:`sobol_from_function`.
    ddof
        Delta degrees of freedom of the z-scores (the Coin's ``normalise.ddof``).
    """
    space = space or ChoiceSpace()
    if output != "rank_shift" and output not in x.index:
        raise MethodError(f"output muss 'rank_shift' oder ein Gebiet sein; '{output}' ist keins "
                          "von beiden", code="E-METHOD-005")

    def evaluate(draws: Draws) -> np.ndarray:
        mc = run_monte_carlo(
            x, directions, space=space, nominal_weights=nominal_weights, draws=draws,
            ddof=ddof,
        )
        if output == "rank_shift":
            return mc.rank_shift()
        return mc.ranks[:, x.index.get_loc(output)].astype(float)

    indicators = tuple(str(c) for c in x.columns)
    return sobol_from_function(
        evaluate,
        indicators,
        space=space,
        nominal_weights=nominal_weights,
        n_base=n_base,
        seed=seed,
    )


def coin_rank_sensitivity(coin, *, space: ChoiceSpace | None = None,  # noqa: ANN001
                          output: str | Hashable = "rank_shift", n_base: int = 256,
                          seed: int = 0) -> pd.DataFrame:
    """Sobol' indices over a Coin's own parameters (its imputed matrix, directions,
    effective weights and z-score ddof); see :func:`rank_sensitivity`."""
    from sozialanalyse.index.uncertainty import coin_inputs

    x, d, w = coin_inputs(coin)
    return rank_sensitivity(x, d, space=space, nominal_weights=w, output=output,
                            n_base=n_base, seed=seed,
                            ddof=int(coin.params["normalise"]["ddof"]))
