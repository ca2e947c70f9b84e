"""Monte Carlo uncertainty analysis of a Coin over its own method parameters.

A composite index rests on choices that are defensible but not forced (JRC/OECD Handbook,
step 7). :func:`coin_monte_carlo` (also :meth:`Coin.uncertainty
<sozialanalyse.index.Coin.uncertainty>`) draws many method combinations
(:mod:`sozialanalyse.index.choices`) and returns every area's score and rank in every draw,
as COINr's ``get_sensitivity`` does over ``Regen()``. Two engines give the same numbers:

``"regenerate"``
    the reference: for each draw the Coin is set to the draw's parameters
    (:func:`~sozialanalyse.index.choices.draw_params`) and regenerated from the treatment
    step on; a draw that fails gives NaN scores (as in COINr).
``"fast"``
    the vectorised path: the few distinct (treatment x normalisation) variants of the
    Coin's imputed matrix are computed once with the registry's own functions
    (:func:`~sozialanalyse.index.outliers.clip_array`,
    :func:`~sozialanalyse.index.normalise.normalise_array`), then all draws are one
    stacked matrix product of weights with those variants and one rank per draw row.

:func:`run_monte_carlo` is the fast path on a bare matrix (used by
:mod:`sozialanalyse.index.sensitivity`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index.aggregate import rank_array
from sozialanalyse.index.choices import (
    FACTORS,
    GEOMETRIC_RANGE,
    ChoiceSpace,
    Draws,
    choices_from_unit,
    draw_choices,
    draw_params,
    nominal_weights_array,
)
from sozialanalyse.index.normalise import normalise_array
from sozialanalyse.index.outliers import clip_array

if TYPE_CHECKING:
    from sozialanalyse.index.coin import Coin

__all__ = [
    "ENGINES",
    "FACTORS",
    "ChoiceSpace",
    "Draws",
    "MonteCarloResult",
    "choices_from_unit",
    "coin_monte_carlo",
    "draw_choices",
    "run_monte_carlo",
    "scores_for_draws",
    "variant_matrices",
]

ENGINES: tuple[str, ...] = ("fast", "regenerate")
"""Engines of :func:`coin_monte_carlo`."""


def _check_inputs(x: pd.DataFrame, directions: pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(x, pd.DataFrame) or x.shape[1] == 0:
        raise InputDataError("die Indikatormatrix muss ein DataFrame mit mindestens einer "
                             "Indikatorspalte sein", code="E-COL-002")
    if x.shape[0] < 3:
        raise InputDataError(f"mindestens 3 Gebiete nötig, vorhanden sind {x.shape[0]}",
                             file="<DataFrame>", code="E-AREA-004")
    values = x.to_numpy(dtype=float)
    for j, name in enumerate(x.columns):
        bad = np.flatnonzero(~np.isfinite(values[:, j]))
        if bad.size:
            raise InputDataError(
                f"Indikator '{name}': Wert fehlt oder ist keine endliche Zahl",
                column=str(name), area=str(x.index[bad[0]]), code="E-VAL-001",
                hint="fehlende Werte vor der Unsicherheitsanalyse ausdrücklich ergänzen "
                "(Imputation)",
            )
    if directions is None:
        d = np.ones(x.shape[1])
    else:
        missing = [c for c in x.columns if c not in directions.index]
        if missing:
            raise InputDataError(f"keine Richtung für Indikator(en) "
                                 f"{', '.join(map(str, missing))}", column="direction",
                                 code="E-META-002")
        d = directions.reindex(x.columns).to_numpy(dtype=float)
        bad = [c for c, v in zip(x.columns, d, strict=True) if v not in (1.0, -1.0)]
        if bad:
            raise MethodError(f"die Richtung (direction) muss +1 oder -1 sein; nicht bei "
                              f"Indikator(en) {', '.join(map(str, bad))}", code="E-META-002")
    return values, d


def variant_matrices(
    x: pd.DataFrame, directions: pd.Series | None, space: ChoiceSpace, *, ddof: int = 1
) -> dict[tuple[str, str, str], np.ndarray]:
    """The distinct aggregation-ready matrices, keyed by (outlier, normalisation, aggregation).

    Arithmetic keys hold the normalised matrix (min-max and percentile on 0 .. 100, z-scores
    with ``ddof``); geometric keys hold the log of the matrix rescaled onto 1 .. 100, so that
    every draw is ``weights @ matrix.T`` (then ``exp`` for geometric draws). The same
    functions and parameters as the Coin's treat and normalise steps are used.
    """
    values, d = _check_inputs(x, directions)
    names = [str(c) for c in x.columns]
    lo, hi = GEOMETRIC_RANGE
    out: dict[tuple[str, str, str], np.ndarray] = {}
    for rule in space.outlier_rules:
        treated = values if rule == "none" else clip_array(values, space.clip_quantile)
        for norm in space.normalisations:
            for agg in space.aggregations:
                if agg == "arithmetic":
                    out[(rule, norm, agg)] = normalise_array(
                        treated, norm, directions=d, ddof=ddof, names=names)
                else:
                    method = "minmax" if norm == "zscore" else norm
                    out[(rule, norm, agg)] = np.log(normalise_array(
                        treated, method, directions=d, lower=lo, upper=hi, names=names))
    return out


@dataclass
class MonteCarloResult:
    """Scores and ranks of every area in every draw.

    Attributes
    ----------
    areas
        Area labels (columns of ``scores`` and ``ranks``).
    draws
        The method choices.
    scores, ranks
        Arrays ``(n_draws, n_areas)``; rank 1 = most burdened.
    nominal_scores, nominal_ranks
        Series by area for the nominal method (the Coin as it is, or z-scores with an
        arithmetic mean of all indicators and the nominal weights).
    """

    areas: pd.Index
    draws: Draws
    scores: np.ndarray
    ranks: np.ndarray
    nominal_scores: pd.Series
    nominal_ranks: pd.Series
    meta: dict = field(default_factory=dict)

    def priority_probability(self, k: int) -> pd.Series:
        """Share of draws in which each area is among the ``k`` most burdened areas."""
        if not 1 <= k <= len(self.areas):
            raise MethodError(f"k muss zwischen 1 und {len(self.areas)} liegen, nicht {k}",
                              code="E-METHOD-005")
        p = (self.ranks <= k).mean(axis=0)
        return pd.Series(p, index=self.areas, name="p_priority")

    def summary(self, k: int | None = None, quantiles: tuple[float, float] = (0.05, 0.95)):
        """One row per area: nominal rank, median rank, rank band, mean score, priority share.

        Parameters
        ----------
        k
            If given, add ``p_priority`` = share of draws with rank <= k.
        quantiles
            Lower and upper quantile of the rank band (default 5 % and 95 %).
        """
        lo, hi = np.quantile(self.ranks, [quantiles[0], quantiles[1]], axis=0)
        out = pd.DataFrame(
            {
                "nominal_rank": self.nominal_ranks.to_numpy(),
                "median_rank": np.median(self.ranks, axis=0),
                "rank_lo": lo,
                "rank_hi": hi,
                "mean_rank": self.ranks.mean(axis=0),
                "nominal_score": self.nominal_scores.to_numpy(),
            },
            index=self.areas,
        )
        if k is not None:
            out["p_priority"] = self.priority_probability(k).to_numpy()
        out.index.name = self.areas.name or "area"
        return out.sort_values(["median_rank", "nominal_rank"])

    def rank_shift(self) -> np.ndarray:
        """Mean absolute rank change against the nominal ranks, one value per draw."""
        return np.abs(self.ranks - self.nominal_ranks.to_numpy()[None, :]).mean(axis=1)


def scores_for_draws(
    x: pd.DataFrame,
    draws: Draws,
    directions: pd.Series | None = None,
    space: ChoiceSpace | None = None,
    *,
    ddof: int = 1,
    chunk_size: int = 2_000,
    progress: bool = False,
) -> np.ndarray:
    """Index scores of every area for every draw, vectorised (the fast path).

    Parameters
    ----------
    x
        Wide indicator matrix (areas x indicators), no missing values.
    draws
        Method choices (from :func:`draw_choices` or :func:`choices_from_unit`).
    directions
        +1/-1 per indicator (default all +1).
    space
        Must contain every option used in ``draws`` (default :class:`ChoiceSpace`).
    ddof
        Delta degrees of freedom of the z-scores.
    chunk_size
        Draws processed together (bounds memory).
    progress
        Show a tqdm progress bar over chunks.

    Returns
    -------
    numpy.ndarray
        ``(n_draws, n_areas)``, higher = more burden.
    """
    space = space or ChoiceSpace()
    if tuple(x.columns.astype(str)) != tuple(str(i) for i in draws.indicators):
        raise InputDataError(
            "die Indikatorspalten weichen von den Indikatoren der Ziehungen ab",
            code="E-COL-001", hint=f"erwartet: {', '.join(map(str, draws.indicators))}",
        )
    mats = variant_matrices(x, directions, space, ddof=ddof)
    keys = list(mats)
    key_of = {k: i for i, k in enumerate(keys)}
    try:
        code = np.fromiter(
            (key_of[(o, n, a)] for o, n, a in zip(draws.outlier, draws.normalisation,
                                                  draws.aggregation, strict=True)),
            dtype=np.int64, count=len(draws))
    except KeyError as err:
        raise MethodError(f"Die Ziehungen nutzen eine Option außerhalb des Auswahlraums: {err}",
                          code="E-METHOD-005") from None
    stack = np.stack([mats[k] for k in keys])  # (n_variants, n_areas, n_ind)
    geometric = np.array([k[2] == "geometric" for k in keys])
    out = np.empty((len(draws), x.shape[0]))
    starts = range(0, len(draws), chunk_size)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="Monte Carlo", unit="chunk")
    for start in starts:
        stop = min(start + chunk_size, len(draws))
        c = code[start:stop]
        w = draws.weights[start:stop]
        block = out[start:stop]
        for v in np.unique(c):
            rows = np.flatnonzero(c == v)
            s = w[rows] @ stack[v].T
            block[rows] = np.exp(s) if geometric[v] else s
    return out


def run_monte_carlo(
    x: pd.DataFrame,
    directions: pd.Series | None = None,
    *,
    n_draws: int = 10_000,
    space: ChoiceSpace | None = None,
    nominal_weights: pd.Series | None = None,
    seed: int = 0,
    draws: Draws | None = None,
    ddof: int = 1,
    progress: bool = False,
) -> MonteCarloResult:
    """Monte Carlo over method choices on a bare matrix (fast path).

    Parameters
    ----------
    x
        Wide indicator matrix (areas x indicators).
    directions
        +1/-1 per indicator (default all +1 = higher is more burden).
    n_draws, seed
        Number of random draws and their seed (ignored if ``draws`` is given).
    space
        Choice space (default :class:`ChoiceSpace`).
    nominal_weights
        Nominal effective weights by indicator (default equal).
    draws
        Pre-drawn choices (e.g. a Sobol design).
    ddof
        Delta degrees of freedom of the z-scores.
    progress
        Show a progress bar (use ``False`` in notebooks).

    Returns
    -------
    MonteCarloResult
        The nominal method is z-scores, arithmetic mean, all indicators, nominal weights.
    """
    space = space or ChoiceSpace()
    indicators = tuple(str(c) for c in x.columns)
    if draws is None:
        draws = draw_choices(n_draws, indicators, space=space, nominal_weights=nominal_weights,
                             seed=seed)
    scores = scores_for_draws(x, draws, directions, space, ddof=ddof, progress=progress)
    nominal = Draws(
        outlier=np.array(["none"], dtype=object),
        normalisation=np.array(["zscore"], dtype=object),
        aggregation=np.array(["arithmetic"], dtype=object),
        dropped=np.array([-1]),
        weights=nominal_weights_array(indicators, nominal_weights)[None, :],
        indicators=indicators,
    )
    nominal_space = ChoiceSpace(("none",), ("zscore",), ("arithmetic",))
    nom_scores = scores_for_draws(x, nominal, directions, nominal_space, ddof=ddof)[0]
    areas = pd.Index(x.index)
    return MonteCarloResult(
        areas=areas,
        draws=draws,
        scores=scores,
        ranks=rank_array(scores),
        nominal_scores=pd.Series(nom_scores, index=areas, name="score"),
        nominal_ranks=pd.Series(rank_array(nom_scores), index=areas, name="rank"),
        meta={"space": space, "seed": seed, "n_draws": len(draws), "engine": "fast"},
    )


def coin_inputs(coin: Coin) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Imputed matrix, directions and nominal effective weights of a Coin."""
    x = coin.matrix("imputed")
    w = coin.effective_weights.reindex(x.columns)
    return x, coin.directions.reindex(x.columns), (w / w.sum()).astype(float)


def _check_coin(coin: Coin, space: ChoiceSpace, engine: str) -> None:
    if engine not in ENGINES:
        raise MethodError(f"Unbekannte Rechenart '{engine}'; erlaubt: {', '.join(ENGINES)}")
    p = coin.params
    if p["aggregate"]["scale"] == "sum" and "geometric" in space.aggregations:
        raise MethodError("Der Index ist eine Summe (aggregate.scale='sum'); geometrische "
                          "Mittel passen nicht dazu: wählen Sie "
                          "ChoiceSpace(aggregations=('arithmetic',))")
    if engine == "fast" and p["normalise"]["population_weighted"]:
        raise MethodError("Die schnelle Rechnung kennt keine einwohnergewichteten z-Werte; "
                          "nutzen Sie engine='regenerate'")


def coin_monte_carlo(
    coin: Coin,
    n_draws: int = 1_000,
    *,
    space: ChoiceSpace | None = None,
    seed: int = 0,
    engine: str = "fast",
    draws: Draws | None = None,
    progress: bool = False,
) -> MonteCarloResult:
    """Monte Carlo over a Coin's own parameters: every area's score and rank in every draw.

    Parameters
    ----------
    coin
        The Coin; its screening, denomination and imputation are kept, its treatment,
        normalisation, weights, aggregation and indicator set are drawn.
    n_draws, seed
        Number of random draws and their seed (ignored if ``draws`` is given).
    space
        Choice space (default :class:`ChoiceSpace`).
    engine
        ``"fast"`` (vectorised) or ``"regenerate"`` (set and regenerate the Coin per draw;
        the reference the fast path is tested against).
    draws
        Pre-drawn choices.
    progress
        Show a progress bar.

    Returns
    -------
    MonteCarloResult
        Nominal scores and ranks are the Coin's own index and ranks.
    """
    space = space or ChoiceSpace()
    _check_coin(coin, space, engine)
    x, d, w = coin_inputs(coin)
    indicators = tuple(str(c) for c in x.columns)
    if draws is None:
        draws = draw_choices(n_draws, indicators, space=space, nominal_weights=w, seed=seed)
    ddof = int(coin.params["normalise"]["ddof"])
    sum_scale = coin.params["aggregate"]["scale"] == "sum"
    if engine == "fast":
        scores = scores_for_draws(x, draws, d, space, ddof=ddof, progress=progress)
        if sum_scale:
            scores = scores * (draws.weights > 0).sum(axis=1, keepdims=True)
    else:
        scores = _regenerate_scores(coin, draws, space, x.index)
    ranks = rank_array(np.where(np.isnan(scores), -np.inf, scores))
    return MonteCarloResult(
        areas=pd.Index(x.index),
        draws=draws,
        scores=scores,
        ranks=ranks,
        nominal_scores=coin.index.reindex(x.index).rename("score"),
        nominal_ranks=coin.ranks.reindex(x.index).rename("rank"),
        meta={"space": space, "seed": seed, "n_draws": len(draws), "engine": engine},
    )


def _regenerate_scores(coin: Coin, draws: Draws, space: ChoiceSpace, areas: pd.Index
                       ) -> np.ndarray:
    work = coin.copy()
    work.set("classify", method="sd")  # classes are not drawn; keep them computable
    work.set("dynamics", k=None, given=None)
    work.regenerate()
    out = np.full((len(draws), len(areas)), np.nan)
    for i in range(len(draws)):
        params: dict[str, dict[str, Any]] = draw_params(draws, i, coin.dimension_of, space)
        for step, values in params.items():
            work.set(step, **values)
        try:
            work.regenerate(from_step="select")
            out[i] = work.index.reindex(areas).to_numpy()
        except MethodError:
            continue  # a failed draw stays NaN, as in COINr
    return out
