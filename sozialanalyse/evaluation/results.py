"""One result type for every evaluation design.

Every public design in :mod:`sozialanalyse.evaluation` -- the exact pre/post
rate ratio, the 2 x 2 and two-group difference-in-differences, the panel DiD,
the event study, staggered adoption, the interrupted time series, the synthetic
control and the placebo tests -- returns an :class:`EvaluationResult`:

* the effect as an incidence-rate ratio (``irr``, also ``effect``) with the
  interval ``ci_low``/``ci_high`` at ``level`` and a two-sided ``p_value``;
* ``inference``: a German label of the inference behind the interval and the
  p-value, and ``inference_reason``: why it is the default for these data;
* ``alternatives``: the default and the other inferences side by side (one row
  each, e.g. cluster-robust, model-based, bootstrap, randomization);
* ``coverage_ok`` / ``coverage_note``: ``False`` and a German text when no
  available method is known to reach the nominal coverage in this setting;
* ``warnings`` (German messages) and ``warning_categories`` (class names of the
  :class:`~sozialanalyse.evaluation.guardrails.EvaluationWarning` raised);
* collections as a frame in ``details`` (event-study coefficients, staggered
  cells, placebo distribution, fitted ITS series, synthetic-control weights);
* design-specific numbers in ``extra`` (also readable as attributes, e.g.
  ``result.pre_rmspe``) and further effects in ``components`` (e.g. the ITS
  slope change);
* :meth:`EvaluationResult.summary` (a German table),
  :meth:`EvaluationResult.to_frame` (tidy, raw numbers, English keys) and
  :meth:`EvaluationResult.plot` (the design's figure).
"""

from __future__ import annotations

import warnings as _warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse import formatting as fmt

NAN = float("nan")

#: German labels of the inferences, keyed by the short English names used in code.
INFERENCE_LABELS: dict[str, str] = {
    "exact": "exakt (bedingte Binomialverteilung)",
    "model": "modellbasiert (Poisson)",
    "quasi_poisson": "modellbasiert (Quasi-Poisson)",
    "negbin": "modellbasiert (negatives Binomialmodell)",
    "robust": "robust (Sandwich, Poisson)",
    "cluster": "cluster-robust nach Gebiet, t-Verteilung (G − 1 Freiheitsgrade)",
    "its_t": "Quasi-Poisson, t-Verteilung (T − k Freiheitsgrade)",
    "hac": "Newey–West (HAC) mit Fixed-b-Grenzen",
    "bootstrap": "Wild-Cluster-Bootstrap (WCR, Webb-Gewichte)",
    "randomization": "Randomisierungsinferenz über Gebiete",
    "placebo": "Placebo-Inferenz im Raum (Permutation)",
    "none": "keine (nur Punktschätzung)",
}

#: German labels of the tidy columns of :meth:`EvaluationResult.to_frame`.
COLUMN_LABELS: dict[str, str] = {
    "kind": "Verfahren (Kürzel)",
    "design": "Verfahren",
    "term": "Größe",
    "irr": "Effekt (IRR)",
    "ci_low": "Intervall unten",
    "ci_high": "Intervall oben",
    "p_value": "p-Wert",
    "level": "Niveau",
    "inference": "Inferenz",
    "model": "Modell",
    "abs_change_per_1000": "Veränderung je 1\u202f000 junge Menschen",
    "log_irr": "log IRR",
    "se_log": "Standardfehler (log)",
    "n_obs": "Beobachtungen",
    "n_areas": "Gebiete",
    "n_treated_areas": "Modellgebiete",
    "coverage_ok": "Überdeckung gesichert",
    "notes": "Anmerkungen",
    "warnings": "Hinweise",
}

TERM_LABELS: dict[str, str] = {
    "effect": "Effekt",
    "level": "Niveausprung",
    "slope": "Änderung der Steigung",
}


@dataclass(frozen=True, eq=False)
class EvaluationResult:
    """The result of one evaluation design.

    Parameters
    ----------
    kind
        Machine key of the design, e.g. ``"panel_did"``, ``"its"``.
    design
        German name of the design shown to readers.
    irr
        Incidence-rate ratio (treated after / counterfactual after).
    ci_low, ci_high
        Interval for the IRR at ``level`` (``nan`` if the design has none).
    p_value
        Two-sided p-value for IRR = 1 (``nan`` if none).
    level
        Confidence level.
    inference
        German label of the inference behind interval and p-value.
    inference_reason
        German sentence: why this inference is the default for these data.
    model
        German label of the count model (e.g. ``"Poisson"``).
    log_irr, se_log
        Log IRR and its standard error (``nan`` where not defined).
    abs_change_per_1000
        Change in cases per 1,000 young residents against the counterfactual.
    n_obs, n_areas, n_treated_areas
        Observations used; areas and model areas where meaningful.
    start_year
        Start year of the new practice (first one if staggered).
    warnings, warning_categories
        German warning messages and the names of their warning classes.
    notes
        German remarks on assumptions.
    coverage_ok, coverage_note
        ``False`` and a German explanation when the interval is not known to
        reach its nominal coverage in this setting.
    details
        The design's collection (see module docstring).
    alternatives
        One row per inference: ``key, inference, irr, ci_low, ci_high,
        p_value, default, note``.
    components
        Further effects of the same fit (e.g. ``{"slope": ...}`` for the ITS).
    extra
        Design-specific values; also readable as attributes.
    """

    kind: str
    design: str
    irr: float
    ci_low: float = NAN
    ci_high: float = NAN
    p_value: float = NAN
    level: float = 0.95
    inference: str = ""
    inference_reason: str = ""
    model: str = ""
    log_irr: float = NAN
    se_log: float = NAN
    abs_change_per_1000: float = NAN
    n_obs: int = 0
    n_areas: int | None = None
    n_treated_areas: int | None = None
    start_year: float | None = None
    warnings: tuple[str, ...] = ()
    warning_categories: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    coverage_ok: bool = True
    coverage_note: str = ""
    details: pd.DataFrame = field(default_factory=pd.DataFrame)
    alternatives: pd.DataFrame = field(default_factory=pd.DataFrame)
    components: Mapping[str, EvaluationResult] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        """Design-specific values in ``extra`` are readable as attributes."""
        if name.startswith("__") or name == "extra":
            raise AttributeError(name)
        try:
            extra = object.__getattribute__(self, "extra")
        except AttributeError:
            raise AttributeError(name) from None
        if name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__} of '{self.kind}' has no attribute {name!r}")

    @property
    def effect(self) -> float:
        """The effect as an incidence-rate ratio (same as ``irr``)."""
        return self.irr

    def covers(self, irr: float) -> bool:
        """Whether the interval contains ``irr`` (False if there is no interval)."""
        return bool(self.ci_low <= irr <= self.ci_high)

    def with_updates(self, **changes: Any) -> EvaluationResult:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ tables
    def _row(self, term: str) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "design": self.design,
            "term": term,
            "irr": self.irr,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "level": self.level,
            "inference": self.inference,
            "model": self.model,
            "abs_change_per_1000": self.abs_change_per_1000,
            "log_irr": self.log_irr,
            "se_log": self.se_log,
            "n_obs": self.n_obs,
            "n_areas": self.n_areas,
            "n_treated_areas": self.n_treated_areas,
            "coverage_ok": self.coverage_ok,
            "notes": "; ".join(self.notes),
            "warnings": "; ".join(self.warnings),
        }

    def to_dict(self) -> dict[str, Any]:
        """The headline as a flat dictionary of raw values (English keys)."""
        return self._row("effect")

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame with raw numbers: one row for the effect, one per component."""
        rows = [self._row("level" if self.kind == "its" else "effect")]
        rows += [c._row(name) for name, c in self.components.items()]
        return pd.DataFrame(rows)

    def summary(self, digits: int = 2) -> pd.DataFrame:
        """German table of the headline (numbers formatted for readers).

        Returns
        -------
        pandas.DataFrame
            Index ``Kennzahl``, one column ``Wert`` (text).
        """
        pct = f"{fmt.number(100 * self.level, 0)}-%"
        rows: list[tuple[str, str]] = [
            ("Verfahren", self.design),
            ("Effekt (IRR)", fmt.number(self.irr, digits)),
            (f"{pct}-Intervall", fmt.interval(self.ci_low, self.ci_high, digits)),
            ("p-Wert", fmt.p_value(self.p_value, prefix=False)),
            ("Veränderung je 1\u202f000 junge Menschen",
             fmt.number(self.abs_change_per_1000, 1, sign=True)),
        ]
        for name, comp in self.components.items():
            label = TERM_LABELS.get(name, name)
            rows.append((f"{label} (IRR)",
                         fmt.estimate(comp.irr, comp.ci_low, comp.ci_high, digits)))
        rows += [
            ("Inferenz", self.inference or fmt.MISSING),
            ("Warum diese Inferenz", self.inference_reason or fmt.MISSING),
            ("Modell", self.model or fmt.MISSING),
            ("Beobachtungen", fmt.integer(self.n_obs)),
        ]
        if self.n_areas is not None:
            rows.append(("Gebiete", fmt.integer(self.n_areas)))
        if self.n_treated_areas is not None:
            rows.append(("Modellgebiete", fmt.integer(self.n_treated_areas)))
        if self.start_year is not None and np.isfinite(self.start_year):
            rows.append(("Beginn", str(int(self.start_year))))
        rows.append(("Überdeckung des Intervalls",
                     "gesichert" if self.coverage_ok else self.coverage_note or "nicht gesichert"))
        if self.warnings:
            rows.append(("Hinweise", " | ".join(self.warnings)))
        if self.notes:
            rows.append(("Anmerkungen", " | ".join(self.notes)))
        out = pd.DataFrame(rows, columns=["Kennzahl", "Wert"]).set_index("Kennzahl")
        return out

    def alternatives_table(self, digits: int = 2) -> pd.DataFrame:
        """German table: the default inference and its alternatives side by side."""
        if self.alternatives.empty:
            return pd.DataFrame(columns=["Inferenz", "IRR", "Intervall", "p-Wert", "Standard",
                                         "Anmerkung"])
        a = self.alternatives
        return pd.DataFrame({
            "Inferenz": a["inference"],
            "IRR": [fmt.number(v, digits) for v in a["irr"]],
            "Intervall": [fmt.interval(lo, hi, digits)
                          for lo, hi in zip(a["ci_low"], a["ci_high"], strict=True)],
            "p-Wert": [fmt.p_value(p, prefix=False) for p in a["p_value"]],
            "Standard": ["ja" if d else "nein" for d in a["default"]],
            "Anmerkung": a["note"].fillna(""),
        })

    def details_table(self, digits: int = 2) -> pd.DataFrame:
        """``details`` with German column labels and German numbers."""
        d = self.details.rename(columns={**COLUMN_LABELS, **DETAIL_LABELS})
        return fmt.format_frame(d, digits)

    # ------------------------------------------------------------------ plots
    def plot(self, **kwargs: Any):  # noqa: ANN201 - matplotlib Figure
        """The design's figure (see :mod:`sozialanalyse.evaluation.plots`)."""
        from sozialanalyse.evaluation.plots import plot_result

        return plot_result(self, **kwargs)


#: German labels of columns that appear in ``details`` frames.
DETAIL_LABELS: dict[str, str] = {
    "event_time": "Jahre seit Beginn",
    "cohort": "Kohorte (Beginn)",
    "year": "Jahr",
    "time": "Zeit",
    "cases": "Fälle",
    "population": "junge Menschen",
    "fitted": "Modell",
    "counterfactual": "Vortrend fortgeschrieben",
    "area": "Gebiet",
    "weight": "Gewicht",
    "unit": "Einheit",
    "is_treated": "Modellgebiet",
    "pre_rmspe": "RMSPE vorher",
    "post_rmspe": "RMSPE nachher",
    "rmspe_ratio": "RMSPE-Verhältnis",
    "abs_log_irr": "|log IRR|",
    "rank": "Rang",
    "start_year": "Startjahr",
    "fake": "vorgezogen",
    "inference": "Inferenz",
}


# ---------------------------------------------------------------------- helpers


def wald_interval(
    log_irr: float, se: float, level: float, df: float | None = None
) -> tuple[float, float, float]:
    """Interval and two-sided p-value from one reference distribution.

    Normal if ``df`` is None, else Student t with ``df`` degrees of freedom.

    Returns
    -------
    (ci_low, ci_high, p_value)
        On the IRR scale; ``nan`` if ``se`` is not positive and finite.
    """
    if not (np.isfinite(se) and se > 0 and np.isfinite(log_irr)):
        return NAN, NAN, NAN
    dist = stats.norm if df is None else stats.t(df)
    q = float(dist.ppf(0.5 + level / 2))
    p = float(2 * dist.sf(abs(log_irr / se)))
    return float(np.exp(log_irr - q * se)), float(np.exp(log_irr + q * se)), p


def alternative_row(
    key: str,
    irr: float,
    ci_low: float,
    ci_high: float,
    p_value: float,
    *,
    default: bool = False,
    note: str = "",
    label: str | None = None,
) -> dict[str, Any]:
    """One row of ``EvaluationResult.alternatives``."""
    return {"key": key, "inference": label or INFERENCE_LABELS.get(key, key),
            "irr": float(irr), "ci_low": float(ci_low), "ci_high": float(ci_high),
            "p_value": float(p_value), "default": bool(default), "note": note}


def alternatives_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Stack alternative rows (default first)."""
    cols = ["key", "inference", "irr", "ci_low", "ci_high", "p_value", "default", "note"]
    df = pd.DataFrame(list(rows), columns=cols)
    return df.sort_values("default", ascending=False, kind="stable", ignore_index=True)


@contextmanager
def collect_warnings() -> Iterator[list[_warnings.WarningMessage]]:
    """Record warnings raised inside the block and re-issue them afterwards.

    The caller stores the evaluation warnings on the result with
    :func:`attach_warnings`; users still see every warning once.
    """
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        yield caught
    for w in caught:
        _warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def attach_warnings(
    result: EvaluationResult, caught: Sequence[_warnings.WarningMessage]
) -> EvaluationResult:
    """Store the evaluation warnings recorded by :func:`collect_warnings` on ``result``."""
    from sozialanalyse.evaluation.guardrails import EvaluationWarning

    msgs, cats = list(result.warnings), list(result.warning_categories)
    for w in caught:
        if issubclass(w.category, EvaluationWarning):
            text = str(w.message)
            if text not in msgs:
                msgs.append(text)
                cats.append(w.category.__name__)
    return replace(result, warnings=tuple(msgs), warning_categories=tuple(cats))


def results_frame(results: Sequence[EvaluationResult]) -> pd.DataFrame:
    """Stack several results into one tidy DataFrame (one row per effect)."""
    return pd.concat([r.to_frame() for r in results], ignore_index=True)


def absolute_change_per_1000(rate_after_per_1000: float, irr: float) -> float:
    """Absolute change in cases per 1,000 young residents implied by an IRR.

    The counterfactual rate is the observed rate after the start divided by the
    IRR; the change is observed minus counterfactual.

    Parameters
    ----------
    rate_after_per_1000
        Observed rate in the treated group after the start (cases per 1,000).
    irr
        Incidence-rate ratio.

    Returns
    -------
    float
        ``rate * (1 - 1 / irr)``; negative when cases fell against the
        counterfactual; ``nan`` when the IRR is not positive and finite.
    """
    if not np.isfinite(rate_after_per_1000) or not np.isfinite(irr) or irr <= 0:
        return NAN
    return float(rate_after_per_1000 * (1.0 - 1.0 / irr))
