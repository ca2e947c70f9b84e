"""Staggered adoption without the two-way fixed-effects bias.

When areas adopt the new practice in different years and the effect changes with
time since adoption, the single coefficient of a two-way fixed-effects model
mixes in "forbidden" comparisons of later adopters with earlier adopters whose
effect is still changing; it can even take the wrong sign (Goodman-Bacon 2021;
de Chaisemartin & D'Haultfoeuille 2020).

**Choice made here.** We estimate one effect per adoption cohort ``g`` and
calendar year ``t >= g`` in a single Poisson model with area and year fixed
effects and a log(population) offset -- the extended two-way fixed-effects
estimator of Wooldridge (2023) for count outcomes. Because each cohort-year cell
has its own coefficient, treated cells never serve as comparisons: cohort ``g``
in year ``t`` is compared with areas that are never treated or not yet treated
in ``t`` (as in Callaway & Sant'Anna 2021), and the estimate is the same as an
imputation estimator on the Poisson scale (Borusyak, Jaravel & Spiess 2024).
Years in which no area is untreated are dropped: no comparison exists for them.
Errors are clustered by area; the cell effects are aggregated on the log scale
with weights equal to the number of treated areas in each cell, and the
aggregate's standard error follows from the cluster-robust covariance (delta
method); intervals use t critical values with G - 1 degrees of freedom.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.errors import MethodError
from sozialanalyse.evaluation.guardrails import (
    MIN_TREATED_CLUSTERS,
    EvaluationWarning,
    check_clusters,
    check_pre_period,
    check_separation,
    prepare_panel,
)
from sozialanalyse.evaluation.panel_did import (
    BATCH_FIELDS,
    BatchEstimates,
    aligned_counts,
    assemble_batch,
    drop_all_zero_areas,
    fixed_effects_matrix,
    regular_panels,
    wald_intervals,
)
from sozialanalyse.evaluation.poisson import fit_poisson_batch
from sozialanalyse.evaluation.results import (
    INFERENCE_LABELS,
    EvaluationResult,
    absolute_change_per_1000,
    alternative_row,
    alternatives_frame,
    attach_warnings,
    collect_warnings,
    wald_interval,
)


def identification_table(panel: pd.DataFrame) -> pd.DataFrame:
    """What the data can identify for each adoption cohort.

    Returns
    -------
    pandas.DataFrame
        One row per cohort (start year): ``cohort, n_areas, years_before,
        years_from_start, identifiable_cells``. A cell (cohort ``g``, year ``t``)
        is identifiable if ``t >= g``, the cohort has a year before ``g`` and some
        area is untreated in ``t``.
    """
    years = np.sort(panel["year"].unique())
    area_start = panel.groupby("area")["start_year"].first()
    rows = []
    for g, areas in area_start.dropna().groupby(area_start.dropna()):
        before = int((years < g).sum())
        after_years = years[years >= g]
        ident = 0
        for t in after_years:
            untreated = area_start.isna() | (area_start > t)
            if untreated.any() and before > 0:
                ident += 1
        rows.append({"cohort": int(g), "n_areas": len(areas), "years_before": before,
                     "years_from_start": len(after_years), "identifiable_cells": ident})
    return pd.DataFrame(rows, columns=["cohort", "n_areas", "years_before",
                                       "years_from_start", "identifiable_cells"])


def _aggregate(b: np.ndarray, V: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    w = w / w.sum()
    return float(w @ b), float(np.sqrt(w @ V @ w))


def _keep_comparable_years(d: pd.DataFrame) -> tuple[pd.DataFrame, list[Any], pd.Series]:
    """Drop the years in which no area is untreated (no comparison exists for them)."""
    years = np.sort(d["year"].unique())
    area_start = d.groupby("area")["start_year"].first()
    keep_years = [t for t in years if (area_start.isna() | (area_start > t)).any()]
    return d[d["year"].isin(keep_years)].reset_index(drop=True), keep_years, area_start


def _cells(d: pd.DataFrame) -> pd.DataFrame:
    """Treated cohort-year cells: ``start_year, year, n_areas, cases``."""
    return (
        d[d["start_year"].notna() & (d["year"] >= d["start_year"])]
        .groupby(["start_year", "year"])
        .agg(n_areas=("area", "nunique"), cases=("cases", "sum"))
        .reset_index()
    )


def _cell_indicators(d: pd.DataFrame, cells: pd.DataFrame) -> np.ndarray:
    """Shape ``(rows, cells)``: one indicator per cohort-year cell."""
    return np.column_stack([
        ((d["start_year"] == g) & (d["year"] == t)).to_numpy(dtype=float)
        for g, t in zip(cells["start_year"], cells["year"], strict=True)
    ])


def _staggered_estimates(
    d: pd.DataFrame, D: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cell effects, their cluster-robust covariance and the weighted average, for counts ``y``.

    Parameters
    ----------
    d
        Prepared panel (comparable years only).
    D
        Cell indicators (:func:`_cell_indicators`).
    y
        Shape ``(B, rows)``: counts in ``d``'s row order.
    w
        Weights of the cells (treated areas per cell).

    Returns
    -------
    (b, V, overall, overall_se)
        Shapes ``(B, k)``, ``(B, k, k)``, ``(B,)``, ``(B,)``; the overall
        effect is the ``w``-weighted mean of the cell effects, its standard
        error by the delta method.
    """
    X = np.column_stack([D, fixed_effects_matrix(d)])
    off = np.log(d["population"].to_numpy(dtype=float))
    fit = fit_poisson_batch(X, y, off, pd.factorize(d["area"])[0])
    k = D.shape[1]
    b = fit.params[:, :k]
    V = fit.cov[:, :k, :k]
    wn = w / w.sum()
    return b, V, b @ wn, np.sqrt(np.einsum("k,bkl,l->b", wn, V, wn))


def staggered_did(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: str | Sequence[str] | None = None,
    start_year: int | None = None,
    level: float = 0.95,
    min_pre_years: int = 3,
    file: str = "<DataFrame>",
) -> EvaluationResult:
    """Cohort-by-year effects for staggered adoption (Poisson extended TWFE).

    Parameters
    ----------
    panel
        Tidy panel; ``start_year`` gives each treated area's adoption year.
    area, year, cases, population
        Column names.
    treated, start_year
        Optional: model areas with one common start year (else the panel's
        ``start_year`` column).
    level
        Confidence level.
    min_pre_years
        Fewer years before the earliest adoption trigger a ShortPrePeriodWarning.
    file
        Name of the data source for error messages.

    Returns
    -------
    EvaluationResult
        Overall effect; ``details`` one row per cohort and year (``cohort, year,
        event_time, n_areas, irr, ci_low, ci_high, log_irr, se_log``);
        ``extra["by_event_time"]`` the cell effects averaged by years since
        adoption.
    """
    clean = prepare_panel(panel, area=area, year=year, cases=cases, population=population,
                          treated=treated, start_year=start_year, file=file,
                          require_comparison=False)
    check_separation(clean, what="Gestaffelter Beginn")
    d = drop_all_zero_areas(clean)
    start = d["start_year"]
    if start.notna().sum() == 0:
        raise MethodError("kein Gebiet mit Fällen hat ein Startjahr")
    d, keep_years, area_start = _keep_comparable_years(d)
    n_cl = int(d["area"].nunique())
    n_treated = int(area_start.notna().sum())
    with collect_warnings() as caught:
        check_pre_period(int((np.asarray(keep_years) < start.min()).sum()),
                         minimum=min_pre_years)
        check_clusters(n_treated, n_cl)
        cells = _cells(d)
        lost = sorted(set(start.dropna().astype(int)) - set(cells["start_year"].astype(int)))
        if lost and not cells.empty:
            warnings.warn(
                f"Kohorte(n) {lost} haben in keinem Jahr ab ihrem Beginn ein noch nicht oder "
                "nie umgestelltes Vergleichsgebiet; ihre Effekte werden nicht geschätzt und "
                "fehlen im Mittel",
                EvaluationWarning,
                stacklevel=2,
            )
    if cells.empty:
        raise MethodError(
            "keine Kohorten-Jahr-Zelle hat ein noch nicht umgestelltes Vergleichsgebiet: "
            "mit diesen Daten ist der Effekt nicht identifiziert"
        )
    D = _cell_indicators(d, cells)
    y = d["cases"].to_numpy(dtype=float)
    cell_cases = y @ D
    if (cell_cases == 0).any():
        j = int(np.flatnonzero(cell_cases == 0)[0])
        g, t = int(cells["start_year"].iloc[j]), int(cells["year"].iloc[j])
        raise MethodError(
            f"kein einziger Fall in der Kohorte {g} im Jahr {t}: diese Zelle hat keinen "
            "endlichen Schätzer (Verhältnis 0, Intervall [0; 0])")
    k = len(cells)
    w = cells["n_areas"].to_numpy(dtype=float)
    bb, VV, obb, oseb = _staggered_estimates(d, D, y[None], w)
    b, V, ob, ose = bb[0], VV[0], float(obb[0]), float(oseb[0])
    z = stats.t(n_cl - 1).ppf(0.5 + level / 2)
    se = np.sqrt(np.diag(V))
    cells = cells.drop(columns="cases").rename(columns={"start_year": "cohort"})
    cells["cohort"] = cells["cohort"].astype(int)
    cells["event_time"] = cells["year"] - cells["cohort"]
    cells["log_irr"], cells["se_log"] = b, se
    cells["irr"] = np.exp(b)
    cells["ci_low"], cells["ci_high"] = np.exp(b - z * se), np.exp(b + z * se)
    ev_rows = []
    for e, idx in cells.groupby("event_time").groups.items():
        pos = cells.index.get_indexer(idx)
        eb, ese = _aggregate(b[pos], V[np.ix_(pos, pos)], w[pos])
        ev_rows.append({"event_time": int(e), "log_irr": eb, "se_log": ese})
    ev = pd.DataFrame(ev_rows)
    ev["irr"] = np.exp(ev["log_irr"])
    ev["ci_low"] = np.exp(ev["log_irr"] - z * ev["se_log"])
    ev["ci_high"] = np.exp(ev["log_irr"] + z * ev["se_log"])
    post = d[d["start_year"].notna() & (d["year"] >= d["start_year"])]
    rate = 1000.0 * post["cases"].sum() / post["population"].sum()
    lo, hi, p = wald_interval(ob, ose, level, df=n_cl - 1)
    few = n_treated < MIN_TREATED_CLUSTERS
    cols = ["cohort", "year", "event_time", "n_areas", "irr", "ci_low", "ci_high",
            "log_irr", "se_log"]
    out = EvaluationResult(
        kind="staggered_did",
        design="Gestaffelter Beginn (Poisson, ein Effekt je Kohorte und Jahr)",
        irr=float(np.exp(ob)), ci_low=lo, ci_high=hi, p_value=p, level=level,
        inference=INFERENCE_LABELS["cluster"],
        inference_reason=(f"{n_treated} Modellgebiete unter {n_cl} Gebieten; für den "
                          "gestaffelten Schätzer ist keine andere Inferenz umgesetzt"),
        model="Poisson mit Gebiets- und Jahreseffekten, ein Effekt je Kohorten-Jahr-Zelle",
        log_irr=ob, se_log=ose,
        abs_change_per_1000=absolute_change_per_1000(rate, float(np.exp(ob))),
        n_obs=len(d), n_areas=n_cl, n_treated_areas=n_treated,
        start_year=float(start.min()),
        notes=(f"{k} Kohorten-Jahr-Zellen; Vergleiche: nie und noch nicht umgestellte Gebiete",),
        coverage_ok=not few,
        coverage_note=(f"mit nur {n_treated} Modellgebieten sind cluster-robuste Intervalle "
                       "zu schmal; die nominale Überdeckung wird nicht erreicht") if few else "",
        details=cells[cols].reset_index(drop=True),
        alternatives=alternatives_frame([alternative_row("cluster", np.exp(ob), lo, hi, p,
                                                         default=True)]),
        extra={"by_event_time": ev},
    )
    return attach_warnings(out, caught)


def staggered_did_batch(
    panel: pd.DataFrame,
    counts: np.ndarray,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: str | Sequence[str] | None = None,
    start_year: int | None = None,
    level: float = 0.95,
) -> BatchEstimates:
    """The overall effect of :func:`staggered_did` for many count vectors, in one batched fit.

    For each row of ``counts`` the ``log_irr``, ``se_log``, ``ci_low``,
    ``ci_high`` and ``p_value`` of ``staggered_did(panel.assign(cases=row),
    ...)``: same cells, design matrix, kernel, delta-method aggregation and
    t(G - 1) critical value; the batched fits issue no warnings. Panels whose counts
    change the design (an area or a cell without cases) are computed with
    :func:`staggered_did` itself.

    Parameters
    ----------
    panel, counts
        As in :func:`~sozialanalyse.evaluation.panel_did.panel_did_batch`.
    area, year, cases, population, treated, start_year, level
        As in :func:`staggered_did`.

    Returns
    -------
    BatchEstimates
        One term, ``"effect"``.
    """
    cols = {"area": area, "year": year, "cases": cases, "population": population,
            "treated": treated, "start_year": start_year}
    clean = prepare_panel(panel.assign(**{cases: 1}), require_comparison=False, **cols)
    if clean["start_year"].notna().sum() == 0:
        raise MethodError("kein Gebiet mit Fällen hat ein Startjahr")
    y_all = aligned_counts(panel, counts, clean, area, year)
    regular = regular_panels(y_all, clean)
    d, _, _ = _keep_comparable_years(clean)
    y = aligned_counts(clean, y_all, d, "area", "year")
    cells = _cells(d)
    if cells.empty:
        raise MethodError(
            "keine Kohorten-Jahr-Zelle hat ein noch nicht umgestelltes Vergleichsgebiet: "
            "mit diesen Daten ist der Effekt nicht identifiziert"
        )
    D = _cell_indicators(d, cells)
    regular &= ((y @ D) > 0).all(axis=1)
    w = cells["n_areas"].to_numpy(dtype=float)
    _, _, ob, ose = _staggered_estimates(d, D, y[regular], w)
    lo, hi, p = wald_intervals(ob, ose, level, df=d["area"].nunique() - 1)

    def one(i: int) -> dict[str, float]:
        r = staggered_did(panel.assign(**{cases: counts[i]}), level=level, **cols)
        return {k: getattr(r, k) for k in BATCH_FIELDS}

    return assemble_batch(("effect",), regular, (ob, ose, lo, hi, p), one)
