"""German labels for the parameters and values a reader sees.

The code speaks English (``"zscore"``, ``"arithmetic"``, ``True``, ``None``,
``ShortPrePeriodWarning``); tables, legends and prose in the book speak German.
This module is the one mapping between the two, used by tables and plots:

>>> label("zscore")
'z-Standardisierung'
>>> label(True), label(None)
('ja', 'keine')
>>> parameter("normalise")
'Normierung'
>>> warning_text("ShortPrePeriodWarning")
'kurzer Vorzeitraum'

Unknown values come back unchanged (as text), so a new method name shows up as
itself rather than disappearing; ``tests/test_labels.py`` checks that every method
name the package accepts has a German label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "ALLOCATION",
    "DESIGNS",
    "INDEX",
    "INFERENCE",
    "METHODS",
    "PARAMETERS",
    "WARNINGS",
    "allocation_labels",
    "index_label",
    "index_parameter",
    "label",
    "parameter",
    "translate_frame",
    "warning_text",
]

#: Method choices of the index pipeline (normalisation, outliers, weights,
#: aggregation, classes, imputation, direction).
METHODS: dict[str, str] = {
    # normalisation
    "zscore": "z-Standardisierung",
    "z-score": "z-Standardisierung",
    "minmax": "Min-Max-Skalierung",
    "min-max": "Min-Max-Skalierung",
    "rank": "Rangplätze",
    "percentile": "Perzentile",
    "distance": "Abstand zum Stadtwert",
    "distance_to_city": "Abstand zum Stadtwert",
    "none": "keine",
    # outlier treatment
    "winsorise": "Winsorisierung",
    "winsorize": "Winsorisierung",
    "winsorised": "winsorisiert",
    "winsorized": "winsorisiert",
    "log": "Logarithmus",
    "clip": "Kappung",
    "auto": "automatisch (nach Schiefe und Wölbung)",
    # weights
    "equal": "gleiche Gewichte",
    "manual": "vorgegebene Gewichte",
    "pca": "Hauptkomponentenanalyse",
    # aggregation
    "arithmetic": "arithmetisches Mittel",
    "geometric": "geometrisches Mittel",
    "harmonic": "harmonisches Mittel",
    "median": "Median",
    "mean": "Mittelwert",
    # classes
    "sd": "Standardabweichungsgrenzen",
    "quantile": "Quantile",
    "quantiles": "Quantile",
    "jenks": "natürliche Brüche",
    "kmeans": "k-Means",
    "ward": "Ward-Clusterung",
    # imputation
    "mean_impute": "Mittelwert-Ersetzung",
    "median_impute": "Median-Ersetzung",
    "previous_year": "Vorjahreswert",
    "previous": "Vorjahreswert",
    "drop": "Gebiet ausschließen",
    # direction
    "higher_is_worse": "höher = belasteter",
    "higher_is_better": "höher = weniger belastet",
    # class labels used by presets
    "high": "hoch",
    "medium": "mittel",
    "low": "niedrig",
    "very low": "sehr niedrig",
    "very_low": "sehr niedrig",
    "very high": "sehr hoch",
    "very_high": "sehr hoch",
    "positive": "positiv",
    "stable": "stabil",
    "negative": "negativ",
}

#: Evaluation designs.
DESIGNS: dict[str, str] = {
    "did": "Differenz-von-Differenzen",
    "two_group_did": (
        "Differenz-von-Differenzen mit zwei Gruppen (Verhältnis der Ratenverhältnisse)"
    ),
    "did_2x2": "Differenz-von-Differenzen (2 × 2)",
    "panel_did": "Differenz-von-Differenzen im Gebietspanel",
    "staggered": "gestaffelter Beginn",
    "staggered_did": "Differenz-von-Differenzen mit gestaffeltem Beginn",
    "event_study": "Ereignisstudie",
    "its": "unterbrochene Zeitreihe",
    "interrupted_time_series": "unterbrochene Zeitreihe",
    "synthetic": "synthetische Kontrollgruppe",
    "synthetic_control": "synthetische Kontrollgruppe",
    "rate_ratio": "Ratenverhältnis",
    "rateratio": "Ratenverhältnis",
    "before_after": "Vorher-nachher-Vergleich",
    "indexed": "indexierter Vergleich",
    "placebo_test": "Placebo-Test",
}

#: Inference methods and count models.
INFERENCE: dict[str, str] = {
    "poisson": "Poisson-Regression",
    "negbin": "negativ-binomiale Regression",
    "negative_binomial": "negativ-binomiale Regression",
    "quasipoisson": "Quasi-Poisson-Regression",
    "cluster": "clusterrobuste Standardfehler",
    "cluster_robust": "clusterrobuste Standardfehler",
    "sandwich": "robuste (Sandwich-)Standardfehler",
    "robust": "robuste Standardfehler",
    "hac": "HAC-Standardfehler (Newey-West)",
    "newey_west": "HAC-Standardfehler (Newey-West)",
    "wild": "Wild-Cluster-Bootstrap",
    "wild_bootstrap": "Wild-Cluster-Bootstrap",
    "wild_cluster_bootstrap": "Wild-Cluster-Bootstrap",
    "bootstrap": "Bootstrap",
    "randomization": "Randomisierungsinferenz",
    "randomisation": "Randomisierungsinferenz",
    "permutation": "Permutationstest",
    "placebo_in_space": "Placebo-Test über Gebiete",
    "placebo_in_time": "Placebo-Test über Zeitpunkte",
    "exact": "exakter Test",
    "model": "modellbasierte Standardfehler",
    "nominal": "nominell",
    "simulated": "simuliert",
    "analytic": "analytisch",
}

#: Warning classes of the evaluation and index code, as a short German description.
WARNINGS: dict[str, str] = {
    "EvaluationWarning": "Hinweis zur Auswertung",
    "ShortPrePeriodWarning": "kurzer Vorzeitraum",
    "SmallCountWarning": "kleine Fallzahlen",
    "FewClustersWarning": "wenige Gebiete für clusterrobuste Fehler",
    "OverdispersionWarning": "Überdispersion der Fallzahlen",
    "SmallDonorPoolWarning": "kleiner Spenderpool der synthetischen Kontrolle",
    "ConvexHullWarning": "Modellgebiet außerhalb der Spannweite der Spendergebiete",
    "ZeroCountWarning": "keine Fälle in einer Gruppe und Periode",
    "CoverageWarning": "Überdeckung des Intervalls nicht gesichert",
}

#: Names of parameters and of table columns used in the code.
PARAMETERS: dict[str, str] = {
    "area": "Gebiet",
    "year": "Jahr",
    "cases": "Fälle",
    "population": "Bevölkerung",
    "treated": "Modellgebiet",
    "start_year": "Startjahr",
    "indicator": "Indikator",
    "dimension": "Dimension",
    "direction": "Richtung",
    "weight": "Gewicht",
    "weights": "Gewichte",
    "value": "Wert",
    "method": "Verfahren",
    "screen": "Auswahl der Gebiete",
    "min_population": "Mindesteinwohnerzahl",
    "denominate": "Bezugsgröße",
    "impute": "Ersetzung fehlender Werte",
    "treat": "Ausreißerbehandlung",
    "outliers": "Ausreißerbehandlung",
    "normalise": "Normierung",
    "normalize": "Normierung",
    "aggregate": "Aggregation",
    "classify": "Klassenbildung",
    "classes": "Klassen",
    "cutoffs": "Klassengrenzen",
    "dynamics": "Dynamik",
    "dynamics_classes": "Dynamikklassen",
    "k": "Zahl der Jahre",
    "ddof": "Freiheitsgrade-Korrektur",
    "index": "Index",
    "rank": "Rang",
    "class": "Klasse",
    "design": "Design",
    "inference": "Inferenz",
    "irr": "Ratenverhältnis (IRR)",
    "ci_low": "untere Grenze",
    "ci_high": "obere Grenze",
    "p_value": "p-Wert",
    "n_areas": "Zahl der Gebiete",
    "n_years": "Zahl der Jahre",
    "warnings": "Hinweise",
    "seed": "Startwert des Zufallsgenerators",
    "power": "Teststärke",
    "alpha": "Signifikanzniveau",
    "effect": "Effekt",
    "imputed": "ersetzt",
    "winsorised": "winsorisiert",
}


#: Step, parameter and value names of the index pipeline (:class:`sozialanalyse.index.Coin`,
#: presets, method log). In index tables they take precedence over :data:`PARAMETERS` and
#: :data:`METHODS` (e.g. ``weight`` is the step "Gewichtung" there, the column "Gewicht"
#: elsewhere); see :func:`index_label` and :func:`index_parameter`.
INDEX: dict[str, str] = {
    # steps and parameters
    "select": "Auswahl",
    "indicators": "Indikatoren",
    "screen": "Auswahl der Gebiete",
    "min_availability": "Mindestanteil vorhandener Werte",
    "exclude_areas": "benannte ausgeschlossene Gebiete",
    "drop_placeholders": "Platzhalterzeilen ausschließen",
    "skew_max": "Schiefe-Grenze",
    "kurt_max": "Wölbungs-Grenze",
    "max_points": "höchstens ersetzte Werte",
    "quantile": "Quantil",
    "lower": "Untergrenze",
    "upper": "Obergrenze",
    "population_weighted": "einwohnergewichtet",
    "dimension_weights": "Dimensionsgewichte",
    "within": "innerhalb der Dimensionen",
    "across": "über die Dimensionen",
    "scale": "Indexform",
    "labels": "Klassennamen",
    "codes": "Klassencodes",
    "closed": "Wert auf der Grenze",
    "given": "veröffentlichte Veränderungswerte",
    "q": "Zahl der Quantilklassen",
    "ddof": "Standardabweichung",
    "weight": "Gewichtung",
    # values
    "sum": "Summe",
    "left": "zur oberen Klasse",
    "right": "zur unteren Klasse",
}


#: Column, scenario, rule and rounding-method names of the allocation module
#: (:mod:`sozialanalyse.allocation`). One flat mapping: the module's
#: ``LABELS_DE``, ``SCENARIO_LABELS_DE``, ``RULE_LABELS_DE`` and ``METHOD_LABELS_DE``
#: are views of it (same keys as before), so a label is written once.
ALLOCATION: dict[str, str] = {
    # columns of Allocation.summary (allocation.pipeline.LABELS_DE)
    "population": "Bevölkerung",
    "population_share": "Bevölkerungsanteil",
    "need_weight": "Bedarfsgewicht",
    "per_capita": "nach Köpfen",
    "need_uplift": "Bedarfszuschlag",
    "floor_cap_effect": "Wirkung Unter-/Obergrenze",
    "damping_effect": "Wirkung Dämpfung",
    "rounding_effect": "Wirkung Rundung",
    "amount": "Zuteilung",
    "units": "Einheiten",
    "current": "heute",
    "change": "Änderung",
    # scenarios (allocation.scenarios.SCENARIO_LABELS_DE; also "current", "per_capita")
    "needs": "nach Bedarf",
    "bounded": "nach Bedarf mit Unter-/Obergrenze",
    "damped": "gedämpfter Übergang (1. Jahr)",
    # need rules (allocation.need.RULE_LABELS_DE)
    "linear": "linear im Index",
    "rank": "Rangpunkte 0–100 (Hamburg)",
    "class": "Klassen (Standardabweichungen)",
    # rounding methods (allocation.rounding.METHOD_LABELS_DE)
    "hamilton": "Hamilton (größte Reste)",
    "webster": "Webster/Sainte-Laguë",
    "dhondt": "D'Hondt",
}


def allocation_labels(*keys: str) -> dict[str, str]:
    """The German labels of ``keys`` from :data:`ALLOCATION` (a view for one table)."""
    return {k: ALLOCATION[k] for k in keys}


_MERGED = False


def _merge_evaluation_labels() -> None:
    """Adopt the evaluation result type's labels, so that both never disagree.

    :mod:`sozialanalyse.evaluation.results` (evalcore) keeps its own German labels of the
    inferences and result columns; they take precedence over the defaults above.
    """
    global _MERGED
    if _MERGED:
        return
    _MERGED = True
    try:
        from sozialanalyse.evaluation import results
    except ImportError:  # pragma: no cover - partial installations
        return
    INFERENCE.update(getattr(results, "INFERENCE_LABELS", {}))
    PARAMETERS.update(getattr(results, "COLUMN_LABELS", {}))


def _lookup(text: str) -> str | None:
    _merge_evaluation_labels()
    for table in (METHODS, DESIGNS, INFERENCE, WARNINGS):
        if text in table:
            return table[text]
    lowered = text.lower()
    for table in (METHODS, DESIGNS, INFERENCE):
        if lowered in table:
            return table[lowered]
    return None


def label(value: object) -> object:
    """The German label of a parameter value.

    ``True``/``False`` become ``"ja"``/``"nein"``, ``None`` becomes ``"keine"``,
    known method, design, inference and warning names their German label; lists
    and tuples are labelled element-wise and joined with ", ". Numbers and unknown
    values are returned unchanged (numbers are formatted by
    :mod:`sozialanalyse.formatting`).
    """
    if value is None:
        return "keine"
    if isinstance(value, bool | np.bool_):
        return "ja" if value else "nein"
    if isinstance(value, type) and issubclass(value, Warning):
        return warning_text(value)
    if isinstance(value, str):
        found = _lookup(value.strip())
        return value if found is None else found
    if isinstance(value, list | tuple):
        if not value:
            return "keine"
        return ", ".join(str(label(v)) for v in value)
    return value


def parameter(name: str) -> str:
    """The German name of a parameter or column (unknown names unchanged)."""
    _merge_evaluation_labels()
    return PARAMETERS.get(name, PARAMETERS.get(name.lower(), name))


def index_label(value: object) -> object:
    """German label of an index method or parameter value (:data:`INDEX` first, then
    :func:`label`)."""
    if isinstance(value, str) and value in INDEX:
        return INDEX[value]
    return label(value)


def index_parameter(name: str) -> str:
    """German name of an index step or parameter (:data:`INDEX` first, then
    :func:`parameter`)."""
    if name in INDEX:
        return INDEX[name]
    return parameter(name)


def warning_text(warning: type | Warning | str) -> str:
    """A short German description of a warning class (or instance, or class name)."""
    if isinstance(warning, Warning):
        name = type(warning).__name__
    elif isinstance(warning, type):
        name = warning.__name__
    else:
        name = str(warning)
    return WARNINGS.get(name, name)


def translate_frame(
    frame: pd.DataFrame,
    *,
    columns: bool = True,
    values: bool = True,
    only: Iterable[str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` with German column names and German parameter values.

    Parameters
    ----------
    frame
        The table.
    columns
        Translate column names through :data:`PARAMETERS` (and ``extra``).
    values
        Translate values of text, boolean and object columns through :func:`label`
        (numeric columns are left for :func:`sozialanalyse.formatting.format_frame`).
    only
        Restrict value translation to these columns.
    extra
        Additional column-name translations, taking precedence.

    Returns
    -------
    pandas.DataFrame
        The translated copy; the index is translated like a column when it is a
        text index and ``values`` is true.
    """
    out = frame.copy()
    wanted = set(only) if only is not None else None
    if values:
        for col in out.columns:
            if wanted is not None and col not in wanted:
                continue
            series = out[col]
            if pd.api.types.is_bool_dtype(series) or series.dtype == object:
                out[col] = [label(v) if not _is_nan(v) else v for v in series]
        if out.index.dtype == object and wanted is None:
            out.index = pd.Index([label(v) for v in out.index], name=out.index.name)
    if columns:
        names = dict(extra or {})
        out = out.rename(columns=lambda c: names.get(c, parameter(c)) if isinstance(c, str) else c)
        if isinstance(out.index.name, str):
            out.index.name = names.get(out.index.name, parameter(out.index.name))
    return out


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and np.isnan(value)
