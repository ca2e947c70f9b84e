"""The method choices a Monte Carlo draws from, and how a draw maps onto Coin parameters.

One draw sets five choices (JRC/OECD Handbook, step 7; COINr's ``get_sensitivity``), all with
the method names of the registry :mod:`sozialanalyse.index.methods`:

* outlier treatment (``treat.method``): ``"none"`` or ``"clip"`` (each indicator cut at its
  ``clip_quantile`` and ``1 - clip_quantile`` quantiles);
* normalisation (``normalise.method``): ``"zscore"``, ``"minmax"`` or ``"percentile"``;
* aggregation (``aggregate.within`` and ``aggregate.across``): ``"arithmetic"`` or
  ``"geometric"``; geometric draws first rescale every normalised indicator linearly onto
  1 .. 100 (``normalise.lower = 1``, ``upper = 100``; for z-scores that is min-max onto
  1 .. 100), as COINr recommends for geometric means;
* indicator set (``select.indicators``): all, or all but one (each equally likely);
* weights (``weight.weights`` / ``dimension_weights``): the nominal effective weights, each
  multiplied by a uniform factor in ``1 +- weight_spread``, rescaled to sum to one.

:func:`draw_params` turns draw ``i`` into the ``{step: parameters}`` a Coin is set to, so a
draw can be regenerated on the Coin (the reference) or computed vectorised (the fast path in
:mod:`sozialanalyse.index.uncertainty`); the tests check that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.formatting import number
from sozialanalyse.index.methods import AGGREGATIONS

OUTLIER_RULES: tuple[str, ...] = ("none", "clip")
"""Outlier treatments a draw can use (names from :data:`methods.TREATMENTS`)."""
DRAW_NORMALISATIONS: tuple[str, ...] = ("zscore", "minmax", "percentile")
"""Normalisations a draw can use (names from :data:`methods.NORMALISATIONS`)."""
FACTORS: tuple[str, ...] = ("outlier", "normalisation", "aggregation", "indicator_set", "weights")
"""The five choices, in the order of the unit-hypercube columns."""
GEOMETRIC_RANGE: tuple[float, float] = (1.0, 100.0)
"""Range every indicator is rescaled to before a geometric mean."""


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
    clip_quantile
        Tail quantile of the ``"clip"`` outlier treatment.
    """

    outlier_rules: tuple[str, ...] = OUTLIER_RULES
    normalisations: tuple[str, ...] = DRAW_NORMALISATIONS
    aggregations: tuple[str, ...] = AGGREGATIONS
    drop_one: bool = True
    weight_spread: float = 0.5
    clip_quantile: float = 0.05

    def __post_init__(self) -> None:
        for name, options, allowed in (
            ("outlier_rules", self.outlier_rules, OUTLIER_RULES),
            ("normalisations", self.normalisations, DRAW_NORMALISATIONS),
            ("aggregations", self.aggregations, AGGREGATIONS),
        ):
            if len(options) == 0:
                raise MethodError(f"ChoiceSpace.{name} ist leer; geben Sie mindestens eine Option "
                                  "an", code="E-METHOD-005")
            unknown = [o for o in options if o not in allowed]
            if unknown:
                raise MethodError(
                    f"ChoiceSpace.{name}: unbekannte Option(en) {unknown}; erlaubt: "
                    f"{', '.join(map(str, allowed))}", code="E-METHOD-005")
        if not 0.0 <= self.weight_spread < 1.0:
            raise MethodError("ChoiceSpace.weight_spread muss in [0, 1) liegen",
                              code="E-METHOD-005")
        if not 0.0 < self.clip_quantile < 0.5:
            raise MethodError("ChoiceSpace.clip_quantile muss in (0, 0,5) liegen",
                              code="E-METHOD-005")

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
        Array ``(n_draws, n_indicators)`` of effective weights; rows sum to one.
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
        return Draws(self.outlier[idx], self.normalisation[idx], self.aggregation[idx],
                     self.dropped[idx], self.weights[idx], self.indicators)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per draw, weights as ``w_<indicator>`` columns."""
        names = np.array(("",) + self.indicators, dtype=object)
        frame = pd.DataFrame({
            "draw": np.arange(len(self)),
            "outlier": self.outlier,
            "normalisation": self.normalisation,
            "aggregation": self.aggregation,
            "dropped": names[self.dropped + 1],
        })
        w = pd.DataFrame(self.weights, columns=[f"w_{i}" for i in self.indicators])
        return pd.concat([frame, w], axis=1)


def nominal_weights_array(indicators: tuple[str, ...], weights: pd.Series | None) -> np.ndarray:
    """Nominal effective weights as an array (equal if ``weights`` is None)."""
    if weights is None:
        return np.full(len(indicators), 1.0 / len(indicators))
    missing = [i for i in indicators if i not in weights.index]
    if missing:
        raise InputDataError(f"kein Nenngewicht für Indikator(en) {', '.join(map(str, missing))}",
                             column="weight", code="E-META-003",
                             hint="ein Gewicht je Indikator angeben")
    w = weights.reindex(list(indicators)).to_numpy(dtype=float)
    if np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise MethodError(
            "Nenngewichte müssen nicht negativ sein und zusammen 1 ergeben (Summe "
            f"{number(float(w.sum()), 6).rstrip('0').rstrip(',')})", code="E-METHOD-004")
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
        Series of nominal effective weights by indicator summing to one (default: equal).

    Returns
    -------
    Draws
    """
    space = space or ChoiceSpace()
    indicators = tuple(indicators)
    m = len(indicators)
    u = np.asarray(u, dtype=float)
    if u.ndim != 2 or u.shape[1] != space.n_unit_columns + m:
        raise MethodError(f"Das Einheitsdesign braucht die Form (n, {space.n_unit_columns + m}), "
                          f"nicht {u.shape}", code="E-METHOD-005")

    def pick(col: np.ndarray, options: tuple[str, ...]) -> np.ndarray:
        k = np.minimum((col * len(options)).astype(int), len(options) - 1)
        return np.asarray(options, dtype=object)[k]

    if space.drop_one:
        if m < 2:
            raise MethodError("Einen Indikator wegzulassen braucht mindestens zwei Indikatoren",
                              code="E-METHOD-005")
        dropped = np.minimum((u[:, 3] * (m + 1)).astype(int), m) - 1
    else:
        dropped = np.full(u.shape[0], -1)
    w0 = nominal_weights_array(indicators, nominal_weights)
    w = w0[None, :] * (1.0 + space.weight_spread * (2.0 * u[:, 4:] - 1.0))
    rows = np.flatnonzero(dropped >= 0)
    w[rows, dropped[rows]] = 0.0
    total = w.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise MethodError("Eine Ziehung hat kein positives Gewicht mehr; prüfen Sie die "
                          "Nenngewichte", code="E-METHOD-004")
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
        raise MethodError("n_draws muss mindestens 1 sein", code="E-METHOD-005")
    space = space or ChoiceSpace()
    rng = np.random.default_rng(seed)
    u = rng.random((n_draws, space.n_unit_columns + len(indicators)))
    return choices_from_unit(u, indicators, space, nominal_weights)


def draw_params(draws: Draws, i: int, dimension_of: pd.Series, space: ChoiceSpace
                ) -> dict[str, dict[str, Any]]:
    """The Coin parameters of draw ``i`` (``{step: {parameter: value}}``).

    Effective weights ``w`` become a dimension weight ``W_d = sum of w in d`` and weights
    ``w / W_d`` within each dimension, so the Coin's two-level mean equals the flat weighted
    mean of the draw (for arithmetic and for geometric means).

    Parameters
    ----------
    draws
        The draws.
    i
        Which draw.
    dimension_of
        Indicator -> dimension of the Coin.
    space
        The choice space (for the clipping quantile).
    """
    w = pd.Series(draws.weights[i], index=list(draws.indicators))
    keep = [c for c in draws.indicators if w[c] > 0]
    dims = dimension_of.reindex(keep)
    dim_w = w[keep].groupby(dims.to_numpy()).sum()
    within = {c: float(w[c] / dim_w[dims[c]]) for c in keep}
    geometric = draws.aggregation[i] == "geometric"
    norm: dict[str, Any] = {"method": str(draws.normalisation[i]), "lower": 0.0, "upper": 100.0}
    if geometric:
        lo, hi = GEOMETRIC_RANGE
        if norm["method"] == "zscore":
            norm["method"] = "minmax"
        norm.update(lower=lo, upper=hi)
    return {
        "select": {"indicators": keep},
        "treat": {"method": str(draws.outlier[i]), "quantile": space.clip_quantile},
        "normalise": norm,
        "weight": {"method": "manual", "weights": within,
                   "dimension_weights": {str(d): float(v) for d, v in dim_w.items()}},
        "aggregate": {"within": str(draws.aggregation[i]),
                      "across": str(draws.aggregation[i])},
    }
