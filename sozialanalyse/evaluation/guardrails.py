"""Guardrails for evaluation designs on thin data: warnings, and errors where no answer exists.

Each ``check_*`` function issues :func:`warnings.warn` with a specific subclass
of :class:`EvaluationWarning` (German message), so that callers and tests can
filter or assert on exactly the problem found; the designs store the messages
on their :class:`~sozialanalyse.evaluation.results.EvaluationResult`. The checks
return ``True`` when they warned.

:func:`prepare_panel` is the common entry of the panel designs: it validates the
panel (:func:`~sozialanalyse.evaluation.panel.validate_panel`), applies the
``treated``/``start_year`` arguments and refuses start years without a year
before or from the start. :func:`check_separation` refuses data in which a
count model has no finite estimate (all-zero counts of a group in a period).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from sozialanalyse import formatting as fmt
from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.evaluation.panel import validate_panel


class EvaluationWarning(UserWarning):
    """Base class of all warnings about the reliability of an evaluation."""


class ShortPrePeriodWarning(EvaluationWarning):
    """Too few years (or months) before the start to judge the pre-trend."""


class SmallCountWarning(EvaluationWarning):
    """Counts too small for the large-sample (Wald) approximations."""


class OverdispersionWarning(EvaluationWarning):
    """Counts vary more than Poisson allows but the model ignores it."""


class SmallDonorPoolWarning(EvaluationWarning):
    """Too few comparison (donor) areas for synthetic control or placebo tests."""


class ConvexHullWarning(EvaluationWarning):
    """The treated area lies outside the donors' convex hull (synthetic control)."""


class FewClustersWarning(EvaluationWarning):
    """Too few (treated) clusters for cluster-robust standard errors to be trusted."""


class ZeroCountWarning(EvaluationWarning):
    """A group has no case in a period: only one bound of the interval is informative."""


class CoverageWarning(EvaluationWarning):
    """The interval is not known to reach its nominal coverage in this setting."""


#: Fewest treated clusters for which cluster-robust errors are the default
#: (MacKinnon & Webb 2017: with few treated clusters they are far too small).
MIN_TREATED_CLUSTERS = 10


def check_pre_period(n_pre: int, *, minimum: int = 3, what: str = "Jahre") -> bool:
    """Warn when fewer than ``minimum`` pre-periods are available."""
    if n_pre < minimum:
        warnings.warn(
            f"nur {n_pre} {what} vor dem Beginn (empfohlen: mindestens {minimum}): "
            "der Vortrend stützt sich auf wenige Punkte und lässt sich kaum prüfen",
            ShortPrePeriodWarning,
            stacklevel=3,
        )
        return True
    return False


def check_small_counts(counts: Iterable[float], *, minimum: float = 10.0, what: str = "") -> bool:
    """Warn when any (aggregated) cell count is below ``minimum``.

    Wald intervals on the log scale need cells with more than a handful of cases;
    below that, prefer the exact rate-ratio interval or permutation inference.
    """
    arr = np.asarray(list(counts), dtype=float)
    if arr.size and np.nanmin(arr) < minimum:
        label = f" ({what})" if what else ""
        warnings.warn(
            f"kleinste Zellsumme{label} ist {np.nanmin(arr):g} (< {minimum:g}): "
            "Intervalle aus Näherungen für große Zahlen können unzuverlässig sein; "
            "besser das exakte Ratenverhältnis oder Permutationsinferenz nutzen",
            SmallCountWarning,
            stacklevel=3,
        )
        return True
    return False


def check_overdispersion_ignored(dispersion: float, p_value: float, *, alpha: float = 0.05) -> bool:
    """Warn when a Poisson model with model-based errors is used on overdispersed counts."""
    if np.isfinite(p_value) and p_value < alpha:
        warnings.warn(
            f"die Fallzahlen streuen stärker als nach Poisson (Pearson-Dispersion "
            f"{fmt.number(dispersion, 2)}, Test {fmt.p_value(p_value)}), angefordert war aber ein "
            "Poisson-Modell mit modellbasierten Fehlern: die Intervalle sind zu schmal; "
            "family='auto' oder 'negbin' oder robuste Fehler verwenden",
            OverdispersionWarning,
            stacklevel=3,
        )
        return True
    return False


def check_donor_pool(n_donors: int, *, minimum: int = 10) -> bool:
    """Warn when fewer than ``minimum`` donor areas are available.

    With ``n`` donors a placebo-in-space test cannot give a p-value below
    ``1 / (n + 1)``.
    """
    if n_donors < minimum:
        warnings.warn(
            f"nur {n_donors} Vergleichsgebiete (empfohlen: mindestens {minimum}): der "
            f"kleinste erreichbare Placebo-p-Wert ist 1/{n_donors + 1} = "
            f"{fmt.number(1 / (n_donors + 1), 3)}",
            SmallDonorPoolWarning,
            stacklevel=3,
        )
        return True
    return False


def check_convex_hull(treated: np.ndarray, donors: np.ndarray) -> bool:
    """Warn when the treated pre-period series lies outside the donors' range.

    A synthetic control is a convex combination of donors, so it cannot match a
    treated series that is above (or below) every donor in some pre-period.

    Parameters
    ----------
    treated
        Shape ``(T,)``: the treated area's pre-period rates.
    donors
        Shape ``(T, J)``: the donors' pre-period rates.
    """
    t = np.asarray(treated, dtype=float)
    d = np.asarray(donors, dtype=float)
    outside = (t > d.max(axis=1)) | (t < d.min(axis=1))
    if outside.any():
        warnings.warn(
            f"das Modellgebiet liegt in {int(outside.sum())} von {t.size} Jahren vor dem "
            "Beginn außerhalb der Spanne der Vergleichsgebiete: keine gewichtete Mischung "
            "der Vergleichsgebiete kann es nachbilden",
            ConvexHullWarning,
            stacklevel=3,
        )
        return True
    return False


def check_clusters(
    n_treated: int, n_clusters: int | None = None, *, minimum: int = MIN_TREATED_CLUSTERS
) -> bool:
    """Warn when cluster-robust errors rest on fewer than ``minimum`` treated clusters.

    Parameters
    ----------
    n_treated
        Number of treated clusters (model areas): what decides whether
        cluster-robust errors can be trusted.
    n_clusters
        All clusters (for the message only).
    minimum
        Fewest treated clusters without a warning.
    """
    if n_treated < minimum:
        total = f" von {n_clusters}" if n_clusters is not None else ""
        warnings.warn(
            f"cluster-robuste Fehler mit nur {n_treated}{total} Gebieten als Modellgebiete "
            f"(empfohlen: mindestens {minimum} Modellgebiete) sind zu klein; das Intervall "
            "erreicht seine nominale Überdeckung nicht",
            FewClustersWarning,
            stacklevel=3,
        )
        return True
    return False


def _as_list(treated: str | Sequence[str] | None) -> list[str] | None:
    if treated is None:
        return None
    return [str(treated)] if isinstance(treated, str) else [str(a) for a in treated]


def check_start_year(start_year: float, years: Iterable[int], *, what: str = "Jahr") -> None:
    """Refuse a start year without a period before it or none from it on."""
    ys = np.asarray(sorted(set(int(y) for y in years)))
    lo, hi = int(ys.min()), int(ys.max())
    if start_year > hi:
        raise InputDataError(
            f"das Startjahr {start_year:g} liegt nach dem letzten {what} der Daten ({hi}): "
            "ohne Daten ab dem Start gibt es nichts zu bewerten",
            column="start_year",
            hint=f"ein Startjahr zwischen {lo + 1} und {hi} wählen",
        )
    if start_year <= lo:
        raise InputDataError(
            f"vor dem Startjahr {start_year:g} gibt es kein {what} in den Daten (erstes: {lo}): "
            "ohne Vorher-Zeitraum ist kein Vorher-nachher-Vergleich möglich",
            column="start_year",
            hint=f"ein Startjahr zwischen {lo + 1} und {hi} wählen",
        )


def prepare_panel(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: str | Sequence[str] | None = None,
    start_year: int | None = None,
    file: str = "<DataFrame>",
    balanced: bool = False,
    require_comparison: bool = True,
) -> pd.DataFrame:
    """Validate a panel and set the model areas and their start year.

    Parameters
    ----------
    panel
        Tidy panel, one row per area and year.
    area, year, cases, population
        Column names in ``panel``.
    treated
        Model area(s). Default: the areas with a value in the ``start_year``
        column.
    start_year
        Common start year of the model areas. Default: the ``start_year`` column.
    file
        Name of the data source for error messages.
    balanced
        Require every area to have every year.
    require_comparison
        Require at least one area without start year.

    Returns
    -------
    pandas.DataFrame
        ``area, year, cases, population, start_year`` (float, NaN for
        comparison areas).

    Raises
    ------
    InputDataError
        Invalid panel, unknown model areas, no model area, or a start year
        without a year before it or none from it on.
    """
    cols = {"area": area, "year": year, "cases": cases, "population": population}
    base = panel
    if treated is not None or start_year is not None:
        base = panel.drop(columns=[c for c in ("start_year",) if c in panel.columns
                                   and c not in cols.values()])
    clean = validate_panel(base, file=file, columns=cols, balanced=balanced)
    if treated is not None or start_year is not None:
        old = (panel.assign(_a=panel[area].to_numpy())
               .groupby("_a")["start_year"].first() if "start_year" in panel.columns
               else pd.Series(dtype=float))
        names = _as_list(treated)
        if names is None:
            names = [str(a) for a in old.dropna().index]
            if not names:
                raise InputDataError(
                    "keine Modellgebiete angegeben und keine Spalte 'start_year' mit Werten",
                    file=file, column="start_year",
                    hint="treated=[...] mit den Modellgebieten angeben")
        known = set(clean["area"].astype(str))
        unknown = [a for a in names if a not in known]
        if unknown:
            raise InputDataError(f"Modellgebiete nicht in den Daten: {', '.join(unknown)}",
                                 file=file, column=area)
        if start_year is None:
            starts = old.reindex(names)
            if starts.isna().any():
                raise InputDataError(
                    "für die Modellgebiete fehlt das Startjahr", file=file,
                    column="start_year", hint="start_year=... angeben")
            mapping = {str(k): float(v) for k, v in starts.items()}
        else:
            mapping = dict.fromkeys(names, float(start_year))
        for s in set(mapping.values()):
            check_start_year(s, clean["year"])
        clean["start_year"] = clean["area"].astype(str).map(mapping).astype(float)
    if clean["start_year"].isna().all():
        raise InputDataError("kein Gebiet hat ein Startjahr: es gibt nichts zu bewerten",
                             file=file, column="start_year",
                             hint="treated=[...] und start_year=... angeben")
    if require_comparison and clean["start_year"].notna().all():
        raise InputDataError(
            "alle Gebiete haben ein Startjahr: es fehlt ein Vergleichsgebiet ohne Beginn",
            file=file, column="start_year")
    for s in clean["start_year"].dropna().unique():
        check_start_year(float(s), clean["year"])
    return clean


def check_separation(panel: pd.DataFrame, *, what: str = "") -> None:
    """Refuse panels in which a group has no case before or after the start.

    With all-zero counts of the model areas after the start (or before it, or in
    the comparison areas) the Poisson likelihood has no finite maximum: the
    estimate would be an IRR of 0 (or infinity) with an interval [0; 0].

    Parameters
    ----------
    panel
        Prepared panel (:func:`prepare_panel`).
    what
        Name of the design for the message.
    """
    treated = panel["start_year"].notna()
    post = treated & (panel["year"] >= panel["start_year"])
    cells: dict[str, float] = {
        "in den Modellgebieten nach dem Beginn": panel.loc[post, "cases"].sum(),
        "in den Modellgebieten vor dem Beginn": panel.loc[treated & ~post, "cases"].sum(),
    }
    if (~treated).any():
        cells["in den Vergleichsgebieten"] = panel.loc[~treated, "cases"].sum()
    for label, total in cells.items():
        if total == 0:
            prefix = f"{what}: " if what else ""
            raise MethodError(
                f"{prefix}kein einziger Fall {label}: das Zählmodell hat keinen endlichen "
                "Schätzer (das Verhältnis wäre 0 oder unendlich, das Intervall [0; 0]). "
                "Für eine obere Grenze den exakten Vorher-nachher-Vergleich "
                "(pre_post_rate_ratio) verwenden oder mehr Jahre abwarten"
            )
