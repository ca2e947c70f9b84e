"""Classes of an index: standard-deviation cut-offs (as parameters) and quantile classes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sozialanalyse.errors import MethodError


def standardise(score: pd.Series, ddof: int = 1) -> pd.Series:
    """Express an index in standard deviations from its mean: ``(s - mean) / sd``.

    Raises
    ------
    MethodError
        If the index has zero variance.
    """
    sd = float(score.std(ddof=ddof))
    if not sd > 0:
        raise MethodError("Der Index hat keine Streuung (alle Gebiete gleich), daher sind "
                          "Klassen nach Standardabweichungen nicht definiert",
                          code="E-METHOD-001")
    return (score - score.mean()) / sd


def _labelled(codes: np.ndarray, index: pd.Index, labels: Sequence[str] | None, k: int,
              name: str) -> pd.Series:
    if labels is None:
        labels = [str(i + 1) for i in range(k)]
    if len(labels) != k:
        raise MethodError(f"{len(labels)} Klassennamen für {k} Klassen angegeben; geben Sie "
                          "einen Namen je Klasse an", code="E-METHOD-005")
    cat = pd.Categorical.from_codes(codes, categories=list(labels), ordered=True)
    return pd.Series(cat, index=index, name=name)


def sd_classes(
    score: pd.Series,
    cutoffs: Sequence[float] = (-1.0, 1.0, 1.5),
    *,
    labels: Sequence[str] | None = None,
    ddof: int = 1,
    closed: str = "left",
    name: str = "class",
) -> pd.Series:
    """Classes by standard-deviation cut-offs of the index.

    The index is standardised (:func:`standardise`) and cut at ``cutoffs`` (in standard
    deviations), giving ``len(cutoffs) + 1`` classes ordered from low to high index values.

    Parameters
    ----------
    score
        Index per area (higher = more burden).
    cutoffs
        Increasing cut-offs in standard deviations, e.g. ``(-1, 1, 1.5)`` for four classes.
    labels
        Class labels from lowest to highest index values.
    ddof
        Delta degrees of freedom of the standard deviation.
    closed
        ``"left"``: a value exactly on a cut-off belongs to the upper class; ``"right"``: to the
        lower class.
    name
        Name of the returned Series.

    Returns
    -------
    pandas.Series
        Ordered categorical per area.
    """
    c = np.asarray(cutoffs, dtype=float)
    if c.size == 0 or np.any(np.diff(c) <= 0):
        raise MethodError(f"Die Grenzen müssen streng aufsteigend sein, nicht {list(cutoffs)}",
                          code="E-METHOD-005")
    if closed not in ("left", "right"):
        raise MethodError(f"closed muss 'left' oder 'right' sein, nicht {closed!r}",
                          code="E-METHOD-005")
    z = standardise(score, ddof).to_numpy()
    codes = np.searchsorted(c, z, side="right" if closed == "left" else "left")
    return _labelled(codes, score.index, labels, c.size + 1, name)


def quantile_classes(
    score: pd.Series,
    q: int | Sequence[float] = 4,
    *,
    labels: Sequence[str] | None = None,
    name: str = "class",
) -> pd.Series:
    """Quantile classes (e.g. quartiles) from lowest to highest index values.

    Parameters
    ----------
    score
        Index per area.
    q
        Number of equal-frequency classes or increasing probabilities including 0 and 1.
    labels
        Class labels from lowest to highest.
    name
        Name of the returned Series.

    Returns
    -------
    pandas.Series
        Ordered categorical per area.
    """
    try:
        codes = pd.qcut(score, q, labels=False)
    except ValueError as err:
        raise MethodError(f"Quantilklassen nicht möglich (zu wenige verschiedene Werte?): {err}",
                          code="E-METHOD-001") from err
    k = int(q) if isinstance(q, int) else len(q) - 1
    return _labelled(np.asarray(codes, dtype=int), score.index, labels, k, name)


def class_codes(classes_: pd.Series, codes: Sequence[str] | None, *, name: str = "code"
                ) -> pd.Series | None:
    """Published codes of ordered classes (e.g. Berlin's ``1``-``4`` or ``+``, ``+/-``, ``-``).

    Parameters
    ----------
    classes_
        Ordered categorical per area.
    codes
        One code per class, in the order of the categories (lowest index first); ``None``
        gives ``None``.
    name
        Name of the returned Series.

    Returns
    -------
    pandas.Series or None
        Code per area (text).
    """
    if codes is None:
        return None
    cats = list(classes_.cat.categories)
    if len(codes) != len(cats):
        raise MethodError(f"{len(codes)} Klassencodes für {len(cats)} Klassen angegeben; "
                          "geben Sie einen Code je Klasse an")
    mapping = dict(zip(cats, codes, strict=True))
    return classes_.map(mapping).astype(str).rename(name)
