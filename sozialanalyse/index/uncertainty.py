"""Monte Carlo uncertainty analysis of a composite index over plausible method choices.

A composite index rests on choices that are defensible but not forced: how outliers are
treated, how indicators are normalised, how they are weighted and aggregated and which
indicators enter at all (JRC/OECD Handbook, step 7; COINr's ``get_sensitivity``). This module
draws many such method combinations at once and computes every area's score and rank for each
draw **vectorised**: the few distinct (outlier rule x normalisation) variants of the indicator
matrix are computed once, then all draws are a stacked matrix product of weights with those
variants, followed by one sort per draw row. No DataFrame is rebuilt per draw.

The per-draw reference :func:`scores_for_choice` computes the same index for one draw with
plain pandas; the tests check that both agree draw by draw.

Conventions
-----------
``x``: wide DataFrame, one row per area, one column per indicator. ``directions``: +1 when a
higher value means more burden, -1 when it means less. Scores are oriented so that a higher
score means more burden, and rank 1 is the most burdened area.

Method choices (all recorded per draw in :class:`Draws`)

* outlier rule: ``"none"`` or ``"winsorise"`` (clip each indicator to its ``q`` and ``1 - q``
  quantiles, linear interpolation as in :meth:`pandas.Series.quantile`);
* normalisation: ``"zscore"`` (mean 0, standard deviation with ``ddof=1``), ``"minmax"``
  (0 to 1) or ``"rank"`` (percentile rank, average rank divided by the number of areas);
* aggregation: ``"arithmetic"`` (weighted mean of normalised values) or ``"geometric"``
  (weighted geometric mean after rescaling each normalised indicator linearly to 1 .. 100,
  as COINr recommends for geometric means);
* indicator set: all indicators, or all but one (each left out with equal probability);
* weights: nominal weights each multiplied by a uniform factor in ``1 +- spread``, then
  rescaled to sum to one (a left-out indicator gets weight 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index.normalise import normalise_array

OUTLIER_RULES: tuple[str, ...] = ("none", "winsorise")
NORMALISATIONS: tuple[str, ...] = ("zscore", "minmax", "rank")
AGGREGATIONS: tuple[str, ...] = ("arithmetic", "geometric")
FACTORS: tuple[str, ...] = ("outlier", "normalisation", "aggregation", "indicator_set", "weights")
GEOMETRIC_RANGE: tuple[float, float] = (1.0, 100.0)


@dataclass(frozen=True)
class ChoiceSpace:
    """The set of method choices a Monte Carlo run draws from.

    Parameters
    ----------
    outlier_rules, normalisations, aggregations
        Options drawn with equal probability (a single option fixes that choice).
    drop_one
        If True, the indicator set is "all" or "all but one" (each equally likely).
    weight_spread
        Half-width of the uniform multiplicative weight perturbation (0 = fixed weights).
    winsor_quantile
        Tail quantile clipped by the ``"winsorise"`` outlier rule.
    """

    outlier_rules: tuple[str, ...] = OUTLIER_RULES
    normalisations: tuple[str, ...] = NORMALISATIONS
    aggregations: tuple[str, ...] = AGGREGATIONS
    drop_one: bool = True
    weight_spread: float = 0.5
    winsor_quantile: float = 0.05

    def __post_init__(self) -> None:
        for name, options, allowed in (
            ("outlier_rules", self.outlier_rules, OUTLIER_RULES),
            ("normalisations", self.normalisations, NORMALISATIONS),
            ("aggregations", self.aggregations, AGGREGATIONS),
        ):
            if len(options) == 0:
                raise MethodError(f"ChoiceSpace.{name} is empty; give at least one option")
            unknown = [o for o in options if o not in allowed]
            if unknown:
                raise MethodError(
                    f"ChoiceSpace.{name}: unknown option(s) {unknown}; allowed are {allowed}"
                )
        if not 0.0 <= self.weight_spread < 1.0:
            raise MethodError("ChoiceSpace.weight_spread must lie in [0, 1)")
        if not 0.0 < self.winsor_quantile < 0.5:
            raise MethodError("ChoiceSpace.winsor_quantile must lie in (0, 0.5)")

    @property
    def n_unit_columns(self) -> int:
        """Number of fixed unit-interval inputs before the per-indicator weight inputs."""
        return 4


@dataclass
class Draws:
    """Method choices of many draws, stored as arrays (one entry per draw).

    Attributes
    ----------
    outlier, normalisation, aggregation
        Option names per draw (numpy arrays of str).
    dropped
        Index of the left-out indicator per draw, -1 if none.
    weights
        Array ``(n_draws, n_indicators)``; rows sum to one.
    indicators
        Indicator names (columns of ``weights``).
    """

    outlier: np.ndarray
    normalisation: np.ndarray
    aggregation: np.ndarray
    dropped: np.ndarray
    weights: np.ndarray
    indicators: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.weights.shape[0])

    def subset(self, idx: np.ndarray | slice) -> Draws:
        """The draws selected by ``idx`` (same order)."""
        return Draws(
            self.outlier[idx],
            self.normalisation[idx],
            self.aggregation[idx],
            self.dropped[idx],
            self.weights[idx],
            self.indicators,
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per draw, weights as ``w_<indicator>`` columns."""
        names = np.array(("",) + self.indicators, dtype=object)
        frame = pd.DataFrame(
            {
                "draw": np.arange(len(self)),
                "outlier": self.outlier,
                "normalisation": self.normalisation,
                "aggregation": self.aggregation,
                "dropped": names[self.dropped + 1],
            }
        )
        w = pd.DataFrame(self.weights, columns=[f"w_{i}" for i in self.indicators])
        return pd.concat([frame, w], axis=1)


def _nominal_weights(indicators: tuple[str, ...], weights: pd.Series | None) -> np.ndarray:
    if weights is None:
        return np.full(len(indicators), 1.0 / len(indicators))
    missing = [i for i in indicators if i not in weights.index]
    if missing:
        raise InputDataError(
            f"no nominal weight for indicator(s) {missing}",
            column="weight",
            hint="give one weight per indicator",
        )
    w = weights.reindex(list(indicators)).to_numpy(dtype=float)
    if np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise MethodError(
            f"nominal weights must be non-negative and sum to one (they sum to {w.sum():.6g})"
        )
    return w


def choices_from_unit(
    u: np.ndarray,
    indicators: tuple[str, ...] | list[str],
    space: ChoiceSpace | None = None,
    nominal_weights: pd.Series | None = None,
) -> Draws:
    """Map points of the unit hypercube to method choices.

    Column 0 picks the outlier rule, 1 the normalisation, 2 the aggregation, 3 the indicator
    set and columns ``4 ..`` one weight factor per indicator. The same mapping serves random
    Monte Carlo draws and the quasi-random designs of variance-based sensitivity analysis.

    Parameters
    ----------
    u
        Array ``(n_draws, 4 + n_indicators)`` with values in ``[0, 1)``.
    indicators
        Indicator names.
    space
        The choices to draw from (default :class:`ChoiceSpace`).
    nominal_weights
        Series of nominal weights by indicator summing to one (default: equal).

    Returns
    -------
    Draws
    """
    space = space or ChoiceSpace()
    indicators = tuple(indicators)
    m = len(indicators)
    u = np.asarray(u, dtype=float)
    if u.ndim != 2 or u.shape[1] != space.n_unit_columns + m:
        raise MethodError(f"unit design needs shape (n, {space.n_unit_columns + m}), got {u.shape}")

    def pick(col: np.ndarray, options: tuple[str, ...]) -> np.ndarray:
        k = np.minimum((col * len(options)).astype(int), len(options) - 1)
        return np.asarray(options, dtype=object)[k]

    if space.drop_one:
        if m < 2:
            raise MethodError("dropping an indicator needs at least two indicators")
        dropped = np.minimum((u[:, 3] * (m + 1)).astype(int), m) - 1
    else:
        dropped = np.full(u.shape[0], -1)
    w0 = _nominal_weights(indicators, nominal_weights)
    w = w0[None, :] * (1.0 + space.weight_spread * (2.0 * u[:, 4:] - 1.0))
    rows = np.flatnonzero(dropped >= 0)
    w[rows, dropped[rows]] = 0.0
    total = w.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise MethodError("a draw has no positive weight left; check the nominal weights")
    return Draws(
        outlier=pick(u[:, 0], space.outlier_rules),
        normalisation=pick(u[:, 1], space.normalisations),
        aggregation=pick(u[:, 2], space.aggregations),
        dropped=dropped.astype(int),
        weights=w / total,
        indicators=indicators,
    )


def draw_choices(
    n_draws: int,
    indicators: tuple[str, ...] | list[str],
    *,
    space: ChoiceSpace | None = None,
    nominal_weights: pd.Series | None = None,
    seed: int = 0,
) -> Draws:
    """Draw ``n_draws`` random method combinations (uniform on the unit hypercube).

    Parameters
    ----------
    n_draws
        Number of draws.
    indicators
        Indicator names.
    space, nominal_weights
        See :func:`choices_from_unit`.
    seed
        Seed for :func:`numpy.random.default_rng`.
    """
    if n_draws < 1:
        raise MethodError("n_draws must be at least 1")
    space = space or ChoiceSpace()
    rng = np.random.default_rng(seed)
    u = rng.random((n_draws, space.n_unit_columns + len(indicators)))
    return choices_from_unit(u, indicators, space, nominal_weights)


# --------------------------------------------------------------------------------------------
# input checks and the few distinct matrix variants
# --------------------------------------------------------------------------------------------


def _check_inputs(x: pd.DataFrame, directions: pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(x, pd.DataFrame) or x.shape[1] == 0:
        raise InputDataError("indicator matrix must be a DataFrame with at least one column")
    if x.shape[0] < 3:
        raise InputDataError(f"need at least 3 areas, got {x.shape[0]}", file="<DataFrame>")
    values = x.to_numpy(dtype=float)
    for j, name in enumerate(x.columns):
        bad = np.flatnonzero(~np.isfinite(values[:, j]))
        if bad.size:
            raise InputDataError(
                f"missing or non-finite value for area '{x.index[bad[0]]}'",
                column=str(name),
                row=int(bad[0]) + 1,
                hint="impute explicitly before the uncertainty analysis",
            )
    if directions is None:
        d = np.ones(x.shape[1])
    else:
        missing = [c for c in x.columns if c not in directions.index]
        if missing:
            raise InputDataError(f"no direction for indicator(s) {missing}", column="direction")
        d = directions.reindex(x.columns).to_numpy(dtype=float)
        bad = [c for c, v in zip(x.columns, d, strict=True) if v not in (1.0, -1.0)]
        if bad:
            raise MethodError(f"direction must be +1 or -1 for indicator(s) {bad}")
    return values * d[None, :], d


def _treat(v: np.ndarray, rule: str, q: float) -> np.ndarray:
    if rule == "none":
        return v
    lo = np.quantile(v, q, axis=0)
    hi = np.quantile(v, 1.0 - q, axis=0)
    return np.clip(v, lo[None, :], hi[None, :])


def _normalise(v: np.ndarray, method: str, names: list[str]) -> np.ndarray:
    """Normalise oriented values with the shared kernel of :mod:`sozialanalyse.index.normalise`.

    ``"rank"`` here is the percentile rank (average rank divided by the number of areas), as
    ``pandas.Series.rank(pct=True)``; ``"minmax"`` maps onto 0 .. 1.
    """
    if method == "zscore":
        return normalise_array(v, "zscore", ddof=1, names=names)
    if method == "minmax":
        return normalise_array(v, "minmax", lower=0.0, upper=1.0, names=names)
    if method == "rank":
        return normalise_array(v, "rank", names=names) / v.shape[0]
    raise MethodError(f"unknown normalisation '{method}'")


def _geometric_log(z: np.ndarray) -> np.ndarray:
    lo, hi = GEOMETRIC_RANGE
    zmin, zmax = z.min(axis=0), z.max(axis=0)
    return np.log(lo + (hi - lo) * (z - zmin) / (zmax - zmin))


def variant_matrices(
    x: pd.DataFrame, directions: pd.Series | None, space: ChoiceSpace
) -> dict[tuple[str, str, str], np.ndarray]:
    """The distinct aggregation-ready matrices, keyed by (outlier, normalisation, aggregation).

    Arithmetic keys hold the normalised matrix; geometric keys hold the log of the matrix
    rescaled to 1 .. 100, so that every draw is ``weights @ matrix.T`` (then ``exp`` for
    geometric draws).
    """
    oriented, _ = _check_inputs(x, directions)
    names = [str(c) for c in x.columns]
    out: dict[tuple[str, str, str], np.ndarray] = {}
    for rule in space.outlier_rules:
        treated = _treat(oriented, rule, space.winsor_quantile)
        for norm in space.normalisations:
            z = _normalise(treated, norm, names)
            for agg in space.aggregations:
                out[(rule, norm, agg)] = z if agg == "arithmetic" else _geometric_log(z)
    return out


def ranks_descending(scores: np.ndarray, block: int = 512) -> np.ndarray:
    """Ranks along the last axis, 1 = highest score; ties share the lowest rank ("min").

    Equivalent to ``pandas.Series.rank(ascending=False, method="min")`` row by row, but
    vectorised over leading axes. Two-dimensional input is ranked in blocks of ``block`` rows
    (cache-friendly for many draws).
    """
    s = np.asarray(scores, dtype=float)
    if s.ndim == 2 and s.shape[0] > block:
        out = np.empty(s.shape, dtype=np.int32)
        for start in range(0, s.shape[0], block):
            out[start : start + block] = _ranks_block(s[start : start + block])
        return out
    return _ranks_block(s)


def _ranks_block(s: np.ndarray) -> np.ndarray:
    n = s.shape[-1]
    order = np.argsort(-s, axis=-1)
    sorted_s = np.take_along_axis(s, order, axis=-1)
    pos = np.broadcast_to(np.arange(n), s.shape)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = sorted_s[..., 1:] != sorted_s[..., :-1]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    ranks = np.empty(s.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, (first + 1).astype(np.int32), axis=-1)
    return ranks


# --------------------------------------------------------------------------------------------
# the vectorised Monte Carlo
# --------------------------------------------------------------------------------------------


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
        Series by area for the nominal method (no outlier treatment, z-scores, arithmetic
        mean, all indicators, nominal weights).
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
            raise MethodError(f"k must lie between 1 and {len(self.areas)}, got {k}")
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
    chunk_size: int = 2_000,
    progress: bool = False,
) -> np.ndarray:
    """Index scores of every area for every draw, vectorised.

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
            "indicator columns of x differ from the indicators of the draws",
            hint=f"expected {list(draws.indicators)}",
        )
    mats = variant_matrices(x, directions, space)
    keys = list(mats)
    key_of = {k: i for i, k in enumerate(keys)}
    try:
        code = np.fromiter(
            (
                key_of[(o, n, a)]
                for o, n, a in zip(
                    draws.outlier, draws.normalisation, draws.aggregation, strict=True
                )
            ),
            dtype=np.int64,
            count=len(draws),
        )
    except KeyError as err:
        raise MethodError(f"draws use an option outside the choice space: {err}") from None
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
    progress: bool = False,
) -> MonteCarloResult:
    """Monte Carlo over method choices: every area's score and rank in every draw.

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
        Nominal weights by indicator (default equal).
    draws
        Pre-drawn choices (e.g. a Sobol design).
    progress
        Show a progress bar (use ``False`` in notebooks).

    Returns
    -------
    MonteCarloResult
    """
    space = space or ChoiceSpace()
    indicators = tuple(str(c) for c in x.columns)
    if draws is None:
        draws = draw_choices(
            n_draws, indicators, space=space, nominal_weights=nominal_weights, seed=seed
        )
    scores = scores_for_draws(x, draws, directions, space, progress=progress)
    ranks = ranks_descending(scores)
    nominal = Draws(
        outlier=np.array(["none"], dtype=object),
        normalisation=np.array(["zscore"], dtype=object),
        aggregation=np.array(["arithmetic"], dtype=object),
        dropped=np.array([-1]),
        weights=_nominal_weights(indicators, nominal_weights)[None, :],
        indicators=indicators,
    )
    nominal_space = ChoiceSpace(("none",), ("zscore",), ("arithmetic",))
    nom_scores = scores_for_draws(x, nominal, directions, nominal_space)[0]
    areas = pd.Index(x.index)
    return MonteCarloResult(
        areas=areas,
        draws=draws,
        scores=scores,
        ranks=ranks,
        nominal_scores=pd.Series(nom_scores, index=areas, name="score"),
        nominal_ranks=pd.Series(ranks_descending(nom_scores), index=areas, name="rank"),
        meta={"space": space, "seed": seed, "n_draws": len(draws)},
    )


# --------------------------------------------------------------------------------------------
# per-draw reference (plain pandas, one draw at a time)
# --------------------------------------------------------------------------------------------


def scores_for_choice(
    x: pd.DataFrame,
    directions: pd.Series | None,
    *,
    outlier: str,
    normalisation: str,
    aggregation: str,
    weights: pd.Series,
    winsor_quantile: float = 0.05,
) -> pd.Series:
    """Index scores for one method combination, computed step by step with pandas.

    This is the straightforward per-draw pipeline; :func:`scores_for_draws` must give the
    same numbers. Indicators with weight 0 are left out before any step.

    Returns
    -------
    pandas.Series
        Score by area, higher = more burden.
    """
    keep = [c for c in x.columns if weights[c] > 0]
    frame = x[keep].astype(float)
    if directions is not None:
        frame = frame * directions.reindex(keep)
    if outlier == "winsorise":
        lo = frame.quantile(winsor_quantile)
        hi = frame.quantile(1.0 - winsor_quantile)
        frame = frame.clip(lower=lo, upper=hi, axis=1)
    elif outlier != "none":
        raise MethodError(f"unknown outlier rule '{outlier}'")
    if normalisation == "zscore":
        z = (frame - frame.mean()) / frame.std(ddof=1)
    elif normalisation == "minmax":
        z = (frame - frame.min()) / (frame.max() - frame.min())
    elif normalisation == "rank":
        z = frame.rank(pct=True, method="average")
    else:
        raise MethodError(f"unknown normalisation '{normalisation}'")
    w = weights.reindex(keep) / weights.reindex(keep).sum()
    if aggregation == "arithmetic":
        return (z * w).sum(axis=1)
    if aggregation == "geometric":
        lo_g, hi_g = GEOMETRIC_RANGE
        r = lo_g + (hi_g - lo_g) * (z - z.min()) / (z.max() - z.min())
        return np.exp((np.log(r) * w).sum(axis=1))
    raise MethodError(f"unknown aggregation '{aggregation}'")


def scores_per_draw_loop(
    x: pd.DataFrame,
    draws: Draws,
    directions: pd.Series | None = None,
    space: ChoiceSpace | None = None,
) -> np.ndarray:
    """Reference: :func:`scores_for_choice` draw by draw (slow; for tests and benchmarks)."""
    space = space or ChoiceSpace()
    out = np.empty((len(draws), x.shape[0]))
    for i in range(len(draws)):
        w = pd.Series(draws.weights[i], index=x.columns)
        out[i] = scores_for_choice(
            x,
            directions,
            outlier=str(draws.outlier[i]),
            normalisation=str(draws.normalisation[i]),
            aggregation=str(draws.aggregation[i]),
            weights=w,
            winsor_quantile=space.winsor_quantile,
        ).to_numpy()
    return out
