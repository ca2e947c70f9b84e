"""Need weights: from an index (or sub-indices) to a weight per area.

A need weight says how much more staff one young resident of an area should count than one
of the least burdened area. Every rule below first maps the index to a **need score**
``s`` in ``[0, 1]`` (0 = least need, 1 = most), then

.. math:: w_i = \\text{base} + \\text{uplift} \\cdot s_i .

With ``base = 1`` and ``uplift = 0.5`` a young resident of the most burdened area counts
1.5 times one of the least burdened; Hamburg gives schools with the lowest Sozialindex up to
50 % more staff (source notes, 3c), which is where the default comes from. With ``base = 0``
and ``uplift = 1`` the weight *is* the score, as in Hamburg's Jugendeinwohnerwert (young
population x standard points 0-100, source notes, 3a), where the least burdened area counts
nothing.

Rules (the index must be oriented so that higher = more burden):

* ``"linear"``: ``s = (I - min I) / (max I - min I)``, linear in the index and independent of
  its scale (z-scores, min-max or rank normalisation give comparable scores);
* ``"rank"``: Hamburg's standard points, ``s = (n - rank) / (n - 1)`` with rank 1 = most
  burdened (equal index values share the better rank);
* ``"class"``: the index is standardised and cut at ``cutoffs`` (default -1, 1, 1.5 standard
  deviations, as the Coin's status classes), ``s = class / number of cut-offs``.

All functions work on a Series (one index) or on an array of many Monte Carlo draws
``(n_draws, n_areas)`` at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.labels import allocation_labels

RULES: tuple[str, ...] = ("linear", "rank", "class")
RULE_LABELS_DE: dict[str, str] = allocation_labels(*RULES)
"""German labels of the need rules (from :data:`sozialanalyse.labels.ALLOCATION`)."""
DEFAULT_CUTOFFS: tuple[float, ...] = (-1.0, 1.0, 1.5)
DEFAULT_BASE = 1.0
DEFAULT_UPLIFT = 0.5


def _check_rule(rule: str) -> str:
    if rule not in RULES:
        raise MethodError(
            f"Unbekannte Bedarfsregel '{rule}'; möglich sind: {', '.join(RULES)}."
        )
    return rule


def _ranks_desc(s: np.ndarray) -> np.ndarray:
    """Rank 1 = highest value along the last axis; ties share the best rank."""
    order = np.argsort(-s, axis=-1, kind="stable")
    sorted_s = np.take_along_axis(s, order, axis=-1)
    n = s.shape[-1]
    pos = np.broadcast_to(np.arange(n), s.shape)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = sorted_s[..., 1:] != sorted_s[..., :-1]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    ranks = np.empty(s.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, first + 1, axis=-1)
    return ranks


def need_score_array(
    index: np.ndarray, rule: str = "linear", cutoffs: Sequence[float] = DEFAULT_CUTOFFS
) -> np.ndarray:
    """Need scores in ``[0, 1]`` along the last axis of ``index`` (areas).

    Parameters
    ----------
    index
        ``(n_areas,)`` or ``(n_draws, n_areas)``; higher = more burden.
    rule
        ``"linear"``, ``"rank"`` or ``"class"``.
    cutoffs
        Standard-deviation cut-offs of the ``"class"`` rule (increasing).

    Returns
    -------
    numpy.ndarray
        Same shape as ``index``. If all areas have the same index, every score is 0 (no
        area has more need than another).
    """
    _check_rule(rule)
    x = np.asarray(index, dtype=float)
    if not np.isfinite(x.sum()) and not np.all(np.isfinite(x)):
        raise InputDataError("Der Index enthält fehlende oder unendliche Werte.")
    n = x.shape[-1]
    if n < 2:
        raise MethodError("Für Bedarfsgewichte braucht es mindestens zwei Gebiete.")
    if rule == "linear":
        lo = x.min(axis=-1, keepdims=True)
        span = x.max(axis=-1, keepdims=True) - lo
        out = x - lo
        out *= 1.0 / np.where(span > 0, span, np.inf)
        return out
    if rule == "rank":
        return (n - _ranks_desc(x)) / (n - 1.0)
    cut = np.asarray(cutoffs, dtype=float)
    if cut.size == 0 or np.any(np.diff(cut) <= 0):
        raise MethodError("Die Klassengrenzen müssen aufsteigend sein.")
    sd = x.std(axis=-1, ddof=1, keepdims=True)
    z = np.where(sd > 0, (x - x.mean(axis=-1, keepdims=True)) / np.where(sd > 0, sd, 1.0), 0.0)
    level = np.searchsorted(cut, z, side="right")
    score = level / cut.size
    return np.where(sd > 0, score, 0.0)


def weights_from_scores(
    scores: np.ndarray, base: float = DEFAULT_BASE, uplift: float | np.ndarray = DEFAULT_UPLIFT
) -> np.ndarray:
    """``base + uplift * scores`` (``uplift`` may vary per draw: shape ``(n_draws, 1)``)."""
    if base < 0 or np.any(np.asarray(uplift) < 0):
        raise MethodError("Grundgewicht und Bedarfszuschlag dürfen nicht negativ sein.")
    if base == 0 and np.all(np.asarray(uplift) == 0):
        raise MethodError("Grundgewicht und Bedarfszuschlag sind beide null.")
    out = np.multiply(scores, uplift)
    out += base
    return out


def need_weights(
    index: pd.Series,
    rule: str = "linear",
    *,
    base: float = DEFAULT_BASE,
    uplift: float = DEFAULT_UPLIFT,
    cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
) -> pd.Series:
    """Need weight per area from an index (higher = more burden).

    Parameters
    ----------
    index
        Index value by area.
    rule, cutoffs
        See :func:`need_score_array`.
    base, uplift
        The weight is ``base + uplift * score``.

    Returns
    -------
    pandas.Series
        Weight by area, named ``need_weight``.
    """
    s = need_score_array(index.to_numpy(dtype=float), rule, cutoffs)
    return pd.Series(weights_from_scores(s, base, uplift), index=index.index, name="need_weight")


def need_weights_from_coin(coin, rule: str = "linear", **kwargs) -> pd.Series:  # noqa: ANN001
    """Need weights from a :class:`~sozialanalyse.index.Coin` (its index, higher = burden)."""
    return need_weights(coin.index, rule, **kwargs)


def subindex_scores(
    subindices: pd.DataFrame,
    shares: Mapping[str, float] | None = None,
    rule: str = "rank",
    cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
) -> pd.Series:
    """Need score from several sub-indices, each scored by ``rule`` and mixed by ``shares``.

    Hamburg-Nord's Jugendeinwohnerwert: four sub-indices (under-18s, foreign under-18s,
    under-18s of single parents, under-18s on welfare), each as rank points 0-100, at 25 %
    each (source notes, 3a).

    Parameters
    ----------
    subindices
        One column per sub-index, one row per area; higher = more need.
    shares
        Share per column (must sum to one); default equal shares.
    rule, cutoffs
        How each sub-index becomes a score (see :func:`need_score_array`).

    Returns
    -------
    pandas.Series
        Mixed score in ``[0, 1]`` by area.
    """
    cols = list(subindices.columns)
    if not cols:
        raise InputDataError("Keine Teilindizes angegeben.")
    if shares is None:
        shares = {c: 1.0 / len(cols) for c in cols}
    missing = [c for c in cols if c not in shares]
    extra = [c for c in shares if c not in cols]
    if missing or extra:
        raise InputDataError(
            f"Anteile passen nicht zu den Teilindizes (fehlend: {missing}, überzählig: {extra})."
        )
    a = np.array([float(shares[c]) for c in cols])
    if np.any(a < 0) or not np.isclose(a.sum(), 1.0):
        raise MethodError("Die Anteile der Teilindizes müssen nicht negativ sein und 1 ergeben.")
    s = np.column_stack(
        [need_score_array(subindices[c].to_numpy(dtype=float), rule, cutoffs) for c in cols]
    )
    return pd.Series(s @ a, index=subindices.index, name="need_score")


def subindex_weights(
    subindices: pd.DataFrame,
    shares: Mapping[str, float] | None = None,
    rule: str = "rank",
    *,
    base: float = DEFAULT_BASE,
    uplift: float = DEFAULT_UPLIFT,
    cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
) -> pd.Series:
    """Need weights ``base + uplift * score`` from sub-indices (see :func:`subindex_scores`)."""
    s = subindex_scores(subindices, shares, rule, cutoffs)
    return pd.Series(weights_from_scores(s.to_numpy(), base, uplift), index=s.index,
                     name="need_weight")
