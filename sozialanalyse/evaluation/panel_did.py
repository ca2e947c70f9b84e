"""Panel difference-in-differences with area and year fixed effects.

Poisson pseudo-maximum likelihood with area and year fixed effects and a
log(population) offset, with standard errors clustered by area (robust to
overdispersion and to serial correlation within an area; Wooldridge 1999,
Cameron & Miller 2015) and t critical values with G - 1 degrees of freedom for
G areas. The event-study view replaces the single treatment
indicator by one indicator per year relative to the start, with the year before
the start as reference.

**Default inference.** Cluster-robust errors need many *treated* clusters
(MacKinnon & Webb 2017); with one to nine model areas their intervals are far
too narrow (3 of 17 areas, 12 years: about 88 % coverage for a nominal 95 %).
With ``inference="auto"`` the design therefore uses, for fewer than
:data:`~sozialanalyse.evaluation.guardrails.MIN_TREATED_CLUSTERS` model areas,
randomization inference over areas for a single model area and the wild cluster
(score) bootstrap for two to nine (both from
:mod:`sozialanalyse.evaluation.randomization` / ``bootstrap``); the cluster-robust
and the model-based (quasi-Poisson) intervals stay in ``alternatives``. If those
modules are not available, the cluster-robust interval is shown with
``coverage_ok=False`` and a German note.

With one common start date (or effects that do not change over time) the single
coefficient is the average effect on the log scale; with staggered starts and
effects that grow or shrink it is biased -- use
:func:`sozialanalyse.evaluation.staggered.staggered_did` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.errors import MethodError
from sozialanalyse.evaluation.guardrails import (
    MIN_TREATED_CLUSTERS,
    check_clusters,
    check_pre_period,
    check_separation,
    check_small_counts,
    prepare_panel,
)
from sozialanalyse.evaluation.panel import add_treatment
from sozialanalyse.evaluation.poisson import PoissonFit, fit_poisson
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

Inference = Literal["auto", "cluster", "model", "bootstrap", "randomization"]


def fixed_effects_matrix(panel: pd.DataFrame) -> np.ndarray:
    """Constant plus area and year dummies (first level dropped) as a float array."""
    area = pd.get_dummies(panel["area"].astype(str), drop_first=True, dtype=float)
    year = pd.get_dummies(panel["year"].astype(int), drop_first=True, dtype=float)
    return np.column_stack([np.ones(len(panel)), area.to_numpy(), year.to_numpy()])


def _fit(panel: pd.DataFrame, treat: np.ndarray, cluster: bool) -> PoissonFit:
    X = np.column_stack([treat, fixed_effects_matrix(panel)])
    y = panel["cases"].to_numpy(dtype=float)
    off = np.log(panel["population"].to_numpy(dtype=float))
    groups = pd.factorize(panel["area"])[0] if cluster else None
    return fit_poisson(X, y, off, groups)


def drop_all_zero_areas(panel: pd.DataFrame) -> pd.DataFrame:
    """Drop areas without any case: with area effects they carry no information."""
    keep = panel.groupby("area")["cases"].transform("sum") > 0
    return panel[keep].reset_index(drop=True)


def auto_inference(n_treated: int) -> str:
    """The default inference for ``n_treated`` model areas (see module docstring)."""
    if n_treated >= MIN_TREATED_CLUSTERS:
        return "cluster"
    return "randomization" if n_treated == 1 else "bootstrap"


def _external(method: str, d: pd.DataFrame, *, level: float, draws: int,
              seed: int) -> Any | None:
    """Call the bootstrap / randomization module; ``None`` if it is not available."""
    treated = sorted(d.loc[d["start_year"].notna(), "area"].astype(str).unique())
    starts = d["start_year"].dropna().unique()
    start: int | str = int(starts[0]) if len(starts) == 1 else "start_year"
    kw = {"area": "area", "year": "year", "cases": "cases", "population": "population",
          "treated": treated, "start_year": start, "level": level}
    try:
        if method == "bootstrap":
            from sozialanalyse.evaluation.bootstrap import wild_cluster_bootstrap
            return wild_cluster_bootstrap(d, draws=draws, seed=seed, **kw)
        from sozialanalyse.evaluation.randomization import randomization_inference
        return randomization_inference(d, **kw)
    except ImportError:
        return None


def _reason(key: str, n_treated: int, n_areas: int, requested: str) -> str:
    if requested != "auto":
        return f"vom Aufruf gewählt (inference='{requested}')"
    few = (f"nur {n_treated} von {n_areas} Gebieten sind Modellgebiete: cluster-robuste "
           f"Fehler brauchen mindestens {MIN_TREATED_CLUSTERS} Modellgebiete")
    if key == "cluster":
        return (f"{n_treated} Modellgebiete unter {n_areas} Gebieten: genug für "
                "cluster-robuste Fehler")
    if key == "bootstrap":
        return few + "; der Wild-Cluster-Bootstrap hält das Niveau mit wenigen Modellgebieten"
    return few + ("; bei einem Modellgebiet bleibt nur der Vergleich mit allen möglichen "
                  "Zuordnungen (Randomisierungsinferenz)")


def panel_did(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: str | Sequence[str] | None = None,
    start_year: int | None = None,
    inference: Inference = "auto",
    level: float = 0.95,
    min_pre_years: int = 3,
    draws: int = 9999,
    seed: int = 0,
    file: str = "<DataFrame>",
) -> EvaluationResult:
    """Two-way fixed-effects Poisson DiD with the honest default inference.

    Parameters
    ----------
    panel
        Tidy panel, one row per area and year.
    area, year, cases, population
        Column names.
    treated
        Model area(s); default the areas with a start year in the panel.
    start_year
        Common start year; default the panel's ``start_year`` column
        (staggered starts allowed, see the module docstring for the caveat).
    inference
        ``"auto"`` (see module docstring), ``"cluster"`` (cluster-robust, t with
        G - 1 df), ``"model"`` (quasi-Poisson, ignores within-area correlation),
        ``"bootstrap"`` or ``"randomization"``.
    level
        Confidence level.
    min_pre_years
        Fewer pre-period years of the earliest start trigger a ShortPrePeriodWarning.
    draws, seed
        Bootstrap draws and seed.
    file
        Name of the data source for error messages.

    Returns
    -------
    EvaluationResult
        ``alternatives`` holds the default and the other inferences.

    Raises
    ------
    InputDataError
        Invalid panel, or a start year without a year before or from it.
    MethodError
        Separation (no case of a group in a period).
    """
    if inference not in ("auto", "cluster", "model", "bootstrap", "randomization"):
        raise MethodError(f"unbekannte Inferenz '{inference}'")
    clean = prepare_panel(panel, area=area, year=year, cases=cases, population=population,
                          treated=treated, start_year=start_year, file=file)
    check_separation(clean, what="Differenz von Differenzen (Panel)")
    d = add_treatment(drop_all_zero_areas(clean))
    n_areas = int(d["area"].nunique())
    n_treated = int(d.loc[d["treated"] == 1, "area"].nunique())
    key = auto_inference(n_treated) if inference == "auto" else inference
    with collect_warnings() as caught:
        first = d["start_year"].min()
        check_pre_period(int((d["year"].unique() < first).sum()), minimum=min_pre_years)
        check_small_counts(
            d.groupby(["treated", "post"])["cases"].sum().to_numpy(),
            what="Modell-/Vergleichsgebiete vorher/nachher",
        )
        treat = d["post"].to_numpy(dtype=float)
        cl = _fit(d, treat, True)
        qp = _fit(d, treat, False)
        b = float(cl.params[0])
        rows = [
            alternative_row("cluster", np.exp(b),
                            *wald_interval(b, float(cl.bse[0]), level, df=n_areas - 1)),
            alternative_row("model", np.exp(b), *wald_interval(b, float(qp.bse[0]), level),
                            label=INFERENCE_LABELS["quasi_poisson"],
                            note="ignoriert die Korrelation innerhalb eines Gebiets"),
        ]
        ext_rows: dict[str, dict[str, Any]] = {}
        coverage_ok, coverage_note = True, ""
        if key in ("bootstrap", "randomization"):
            try:
                ext = _external(key, d, level=level, draws=draws, seed=seed)
                why = "ist in dieser Installation nicht verfügbar"
            except MethodError as exc:  # e.g. staggered starts for randomization inference
                ext, why = None, f"ist hier nicht anwendbar ({exc})"
            if ext is None:
                coverage_ok = False
                coverage_note = (
                    f"{INFERENCE_LABELS[key]} {why}; "
                    f"gezeigt wird das cluster-robuste Intervall, das mit nur {n_treated} "
                    "Modellgebieten seine nominale Überdeckung nicht erreicht (zu schmal)")
                key = "cluster"
            else:
                note = str(getattr(ext, "note", "") or "")
                min_p = getattr(ext, "min_attainable_p", None)
                if min_p is not None and np.isfinite(min_p) and min_p > 1 - level:
                    coverage_note = (
                        f"der kleinste erreichbare p-Wert ist {min_p:.3f}".replace(".", ",")
                        + f": mit {n_treated} Modellgebiet(en) unter {n_areas} Gebieten kann "
                        "kein Effekt auf diesem Niveau nachgewiesen werden; das Intervall ist "
                        "deshalb nicht begrenzt")
                    note = coverage_note
                ext_rows[key] = alternative_row(key, np.exp(b), float(ext.ci_low),
                                                float(ext.ci_high), float(ext.p_value),
                                                note=note)
        if key == "cluster":
            check_clusters(n_treated, n_areas)
            if n_treated < MIN_TREATED_CLUSTERS and inference != "auto":
                coverage_ok = False
                coverage_note = coverage_note or (
                    f"cluster-robuste Fehler mit nur {n_treated} Modellgebieten sind zu klein: "
                    "das Intervall erreicht seine nominale Überdeckung nicht")
    rows += list(ext_rows.values())
    for r in rows:
        r["default"] = r["key"] == key
    alt = alternatives_frame(rows)
    main = alt.iloc[0]
    post = d[d["post"] == 1]
    rate = 1000.0 * post["cases"].sum() / post["population"].sum()
    se = float(cl.bse[0]) if key == "cluster" else float(qp.bse[0]) if key == "model" else \
        float("nan")
    res = EvaluationResult(
        kind="panel_did",
        design="Differenz von Differenzen (Panel mit Gebiets- und Jahreseffekten)",
        irr=float(np.exp(b)), ci_low=float(main["ci_low"]), ci_high=float(main["ci_high"]),
        p_value=float(main["p_value"]), level=level,
        inference=str(main["inference"]),
        inference_reason=_reason(key, n_treated, n_areas, inference),
        model="Poisson mit Gebiets- und Jahreseffekten", log_irr=b, se_log=se,
        abs_change_per_1000=absolute_change_per_1000(rate, float(np.exp(b))),
        n_obs=len(d), n_areas=n_areas, n_treated_areas=n_treated,
        start_year=float(first), coverage_ok=coverage_ok, coverage_note=coverage_note,
        alternatives=alt,
        extra={"inference_key": key},
    )
    return attach_warnings(res, caught)


def event_study(
    panel: pd.DataFrame,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: str | Sequence[str] | None = None,
    start_year: int | None = None,
    window: tuple[int, int] | None = None,
    reference: int = -1,
    inference: Inference = "auto",
    level: float = 0.95,
    draws: int = 9999,
    seed: int = 0,
    file: str = "<DataFrame>",
) -> EvaluationResult:
    """Effects by year relative to the start (event study), as IRRs.

    The headline effect is the pooled panel DiD (:func:`panel_did`, same
    default inference); the effects by year relative to the start are in
    ``details`` with cluster-robust intervals (t with G - 1 df).

    Parameters
    ----------
    panel, area, year, cases, population, treated, start_year
        As in :func:`panel_did`.
    window
        ``(lowest, highest)`` relative year; times outside are binned into the
        end points. Default: all relative years in the data.
    reference
        Relative year used as reference (IRR = 1 by construction).
    inference, level, draws, seed, file
        As in :func:`panel_did` (``inference`` applies to the headline).

    Returns
    -------
    EvaluationResult
        ``details``: ``event_time, irr, ci_low, ci_high, p_value, log_irr,
        se_log, inference`` including the reference row.
    """
    head = panel_did(panel, area=area, year=year, cases=cases, population=population,
                     treated=treated, start_year=start_year, inference=inference,
                     level=level, draws=draws, seed=seed, file=file)
    clean = prepare_panel(panel, area=area, year=year, cases=cases, population=population,
                          treated=treated, start_year=start_year, file=file)
    d = add_treatment(drop_all_zero_areas(clean))
    et = d["event_time"]
    lo, hi = (int(et.min()), int(et.max())) if window is None else window
    binned = et.clip(lower=lo, upper=hi)
    if reference not in set(binned.dropna().astype(int)):
        raise MethodError(f"das Referenzjahr {reference} (relativ zum Beginn) liegt nicht in "
                          "den Daten")
    times = [t for t in range(lo, hi + 1) if t != reference and (binned == t).any()]
    zero = [t for t in times if d.loc[binned == t, "cases"].sum() == 0]
    if zero:
        raise MethodError(
            f"kein einziger Fall der Modellgebiete im Jahr {zero[0]:+d} relativ zum Beginn: "
            "dieser Effekt hat keinen endlichen Schätzer; window=... enger wählen oder Jahre "
            "zusammenfassen")
    D = np.column_stack([(binned == t).to_numpy(dtype=float) for t in times])
    X = np.column_stack([D, fixed_effects_matrix(d)])
    y = d["cases"].to_numpy(dtype=float)
    off = np.log(d["population"].to_numpy(dtype=float))
    res = fit_poisson(X, y, off, pd.factorize(d["area"])[0])
    n_cl = d["area"].nunique()
    dist = stats.t(n_cl - 1)
    z = dist.ppf(0.5 + level / 2)
    b = np.asarray(res.params[: len(times)])
    se = np.asarray(res.bse[: len(times)])
    out = pd.DataFrame({"event_time": times, "log_irr": b, "se_log": se})
    ref = pd.DataFrame({"event_time": [reference], "log_irr": [0.0], "se_log": [0.0]})
    out = pd.concat([out, ref], ignore_index=True).sort_values("event_time", ignore_index=True)
    out["irr"] = np.exp(out["log_irr"])
    out["ci_low"] = np.exp(out["log_irr"] - z * out["se_log"])
    out["ci_high"] = np.exp(out["log_irr"] + z * out["se_log"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["p_value"] = np.where(out["se_log"] > 0,
                                  2 * dist.sf(np.abs(out["log_irr"] / out["se_log"])),
                                  np.nan)
    out["event_time"] = out["event_time"].astype(int)
    out["inference"] = INFERENCE_LABELS["cluster"]
    details = out[["event_time", "irr", "ci_low", "ci_high", "p_value", "log_irr", "se_log",
                   "inference"]]
    note = head.coverage_note
    ok = head.coverage_ok
    n_treated = head.n_treated_areas or 0
    if n_treated < MIN_TREATED_CLUSTERS:
        ok = False
        extra_note = (f"die Effekte je Jahr (Tabelle) nutzen cluster-robuste Fehler; mit nur "
                      f"{n_treated} Modellgebieten sind diese Intervalle zu schmal")
        note = f"{note}; {extra_note}" if note else extra_note
    return head.with_updates(
        kind="event_study",
        design="Ereignisstudie (Effekte je Jahr seit Beginn)",
        details=details, coverage_ok=ok, coverage_note=note,
        extra={**head.extra, "reference": reference},
    )
