"""The one registry of index methods: names and the allowed parameter values.

Every method name the index knows is defined here once. The step modules
(:mod:`~sozialanalyse.index.normalise`, :mod:`~sozialanalyse.index.outliers`, ...), the
:class:`~sozialanalyse.index.Coin` and the vectorised Monte Carlo
(:mod:`~sozialanalyse.index.uncertainty`) import their names from here, so a method called
``"rank"`` or ``"winsorise"`` means the same thing everywhere.

:func:`check_parameter` is what :meth:`Coin.set <sozialanalyse.index.Coin.set>` calls: an
unknown step, parameter or value stops at once with a German message that names the allowed
values. German labels of the names are in :mod:`sozialanalyse.labels` (with the index's
own parameter names in :mod:`sozialanalyse.index.report`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sozialanalyse.errors import MethodError

NORMALISATIONS: tuple[str, ...] = ("zscore", "minmax", "rank", "percentile", "distance")
"""Normalisations (:func:`sozialanalyse.index.normalise.normalise_array`)."""

TREATMENTS: tuple[str, ...] = ("none", "winsorise", "clip", "log", "auto")
"""Outlier treatments: ``winsorise`` is COINr's point-by-point rule, ``clip`` cuts each
indicator at a lower and upper quantile (:mod:`sozialanalyse.index.outliers`)."""

IMPUTATIONS: tuple[str, ...] = ("none", "mean", "median", "previous")
"""Imputations (:func:`sozialanalyse.index.imputation.impute`)."""

WEIGHTINGS: tuple[str, ...] = ("equal", "manual", "pca")
"""Weightings (:mod:`sozialanalyse.index.weights`)."""

AGGREGATIONS: tuple[str, ...] = ("arithmetic", "geometric")
"""Aggregations (:func:`sozialanalyse.index.aggregate.aggregate_array`)."""

SCALES: tuple[str, ...] = ("mean", "sum")
"""How the index is reported: the weighted mean of the dimension scores, or that mean times
the number of indicators (with equal weights: the plain sum, as Berlin's MSS)."""

CLASSIFICATIONS: tuple[str, ...] = ("sd", "quantile")
"""Class methods (:mod:`sozialanalyse.index.classes`)."""

CLOSED: tuple[str, ...] = ("left", "right")
"""Which class a value exactly on a cut-off belongs to."""

DDOFS: tuple[int, ...] = (0, 1)
"""Delta degrees of freedom of a standard deviation: 0 population, 1 sample."""

def _choice(options: Sequence[Any]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value in options:
            return None
        return "erlaubt: " + ", ".join(repr(o) for o in options)
    return check


def _optional_choice(options: Sequence[Any]) -> Callable[[Any], str | None]:
    inner = _choice(options)

    def check(value: Any) -> str | None:
        return None if value is None else inner(value)
    return check


def _number(low: float | None = None, high: float | None = None, *, optional: bool = False,
            integer: bool = False) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value is None and optional:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and integer:
            ok = float(value) == int(value)
        if ok and low is not None:
            ok = value >= low
        if ok and high is not None:
            ok = value <= high
        if ok:
            return None
        kind = "eine ganze Zahl" if integer else "eine Zahl"
        bounds = []
        if low is not None:
            bounds.append(f"≥ {low:g}")
        if high is not None:
            bounds.append(f"≤ {high:g}")
        text = f"erlaubt: {kind}" + (f" {' und '.join(bounds)}" if bounds else "")
        return text + (" oder None" if optional else "")
    return check


def _cutoffs(value: Any) -> str | None:
    try:
        c = [float(v) for v in value]
    except (TypeError, ValueError):
        return "erlaubt: eine aufsteigende Folge von Zahlen, z. B. (-1, 1, 1.5)"
    if not c or any(b <= a for a, b in zip(c, c[1:], strict=False)):
        return "erlaubt: eine streng aufsteigende Folge von Zahlen, z. B. (-1, 1, 1.5)"
    return None


def _labels(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        return "erlaubt: None oder eine Liste von Texten (eine je Klasse)"
    return None


def _names(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        return "erlaubt: None oder eine Liste von Indikatornamen"
    return None


def _mapping(what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value is None or isinstance(value, Mapping):
            return None
        return f"erlaubt: None oder ein Wörterbuch {what}"
    return check


def _quantile(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 0.5:
        return None
    return "erlaubt: eine Zahl zwischen 0 und 0,5 (ausschließlich)"


def _q(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 2:
        return None
    if _cutoffs(value) is None:
        return None
    return "erlaubt: eine ganze Zahl ≥ 2 oder aufsteigende Wahrscheinlichkeiten von 0 bis 1"


CHECKS: dict[str, dict[str, Callable[[Any], str | None]]] = {
    "select": {"year": _number(optional=True, integer=True), "indicators": _names},
    "screen": {
        "min_population": _number(0, optional=True),
        "min_availability": _number(0, 1),
        "exclude_areas": _mapping("Gebiet → Grund"),
        "drop_placeholders": _choice((True, False)),
    },
    "denominate": {},
    "impute": {"method": _choice(IMPUTATIONS)},
    "treat": {"method": _choice(TREATMENTS), "skew_max": _number(0), "kurt_max": _number(),
              "max_points": _number(0, integer=True), "quantile": _quantile},
    "normalise": {"method": _choice(NORMALISATIONS), "ddof": _choice(DDOFS),
                  "lower": _number(), "upper": _number(),
                  "population_weighted": _choice((True, False))},
    "weight": {"method": _choice(WEIGHTINGS), "weights": _mapping("Indikator → Gewicht"),
               "dimension_weights": _mapping("Dimension → Gewicht")},
    "aggregate": {"within": _choice(AGGREGATIONS), "across": _choice(AGGREGATIONS),
                  "scale": _choice(SCALES)},
    "classify": {"method": _choice(CLASSIFICATIONS), "cutoffs": _cutoffs, "q": _q,
                 "labels": _labels, "codes": _labels, "ddof": _choice(DDOFS),
                 "closed": _choice(CLOSED)},
    "dynamics": {"k": _number(1, optional=True, integer=True),
                 "method": _choice(NORMALISATIONS), "cutoffs": _cutoffs, "labels": _labels,
                 "codes": _labels, "ddof": _choice(DDOFS), "closed": _choice(CLOSED),
                 "given": _mapping("Indikator → Variable mit veröffentlichten Veränderungen")},
}
"""Per step and parameter: a check returning ``None`` or the German text of allowed values."""


def check_parameter(step: str, name: str, value: Any) -> None:
    """Check one parameter value of one step.

    Raises
    ------
    MethodError
        Unknown step, unknown parameter or a value outside the allowed ones; the German
        message names what is allowed.
    """
    if step not in CHECKS:
        raise MethodError(f"Unbekannter Schritt '{step}'; erlaubt: {', '.join(CHECKS)}")
    if name not in CHECKS[step]:
        allowed = ", ".join(CHECKS[step]) or "keine"
        raise MethodError(f"Schritt '{step}' hat keinen Parameter '{name}'; "
                          f"Parameter: {allowed}")
    problem = CHECKS[step][name](value)
    if problem is not None:
        raise MethodError(f"Schritt '{step}', Parameter '{name}': Wert {value!r} ist nicht "
                          f"möglich; {problem}")
