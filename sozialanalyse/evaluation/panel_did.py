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
too narrow (3 of 17 areas, 12 years: 85.8-88.0 % coverage for a nominal 95 % in
the committed calibration run, ``results/coverage_panel.csv``).
With ``inference="auto"`` the design therefore uses, for fewer than
:data:`~sozialanalyse.evaluation.guardrails.MIN_TREATED_CLUSTERS` model areas,
randomization inference over areas (:mod:`sozialanalyse.evaluation.randomization`;
measured coverage with 3 of 17 areas and 12 years: 93.8-95.2 %, see
:mod:`sozialanalyse.evaluation.calibration`), with the wild cluster bootstrap
(:mod:`~sozialanalyse.evaluation.bootstrap`), the cluster-robust and the
model-based (quasi-Poisson) intervals in ``alternatives``. With a single model
area no design-based interval is bounded (smallest attainable p-value 1/17):
the result says so (``coverage_ok=False``, ``coverage_note`` with the measured
numbers). If randomization inference does not apply (staggered starts), the
bootstrap is used; if neither is available, the cluster-robust interval is
shown with ``coverage_ok=False``.

With one common start date (or effects that do not change over time) the single
coefficient is the average effect on the log scale; with staggered starts and
effects that grow or shrink it is biased -- use
:func:`sozialanalyse.evaluation.staggered.staggered_did` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse import formatting as fmt
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

Inference = Literal["auto", "cluster", "model", "bootstrap", "randomization"]


def fixed_effects_matrix(panel: pd.DataFrame) -> np.ndarray:
    """Constant plus area and year dummies (first level dropped) as a float array."""
    area = pd.get_dummies(panel["area"].astype(str), drop_first=True, dtype=float)
    year = pd.get_dummies(panel["year"].astype(int), drop_first=True, dtype=float)
    return np.column_stack([np.ones(len(panel)), area.to_numpy(), year.to_numpy()])


@dataclass(frozen=True)
class BatchEstimates:
    """One design's estimates for a batch of panels that differ only in their counts.

    The batch functions (:func:`panel_did_batch`, :func:`event_study_batch`,
    :func:`~sozialanalyse.evaluation.staggered.staggered_did_batch`,
    :func:`~sozialanalyse.evaluation.did.two_group_did_batch`) compute what the
    public design computes for each panel -- same design matrix, same kernel,
    same covariance and critical value -- with one batched fit; the
    calibration tests use them.

    Attributes
    ----------
    terms
        Names of the estimated effects (``("effect",)``, or the relative years
        of an event study).
    log_irr, se_log
        Shape ``(B, m)``: log IRR and standard error per panel and term.
    ci_low, ci_high
        Shape ``(B, m)``: interval on the IRR scale.
    p_value
        Shape ``(B, m)``: two-sided p-value for IRR = 1.
    fallback
        Shape ``(B,)``: panels whose counts change the design (an area without
        any case is dropped, a cell without cases) and that were therefore
        computed one by one with the public function.
    """

    terms: tuple[Any, ...]
    log_irr: np.ndarray
    se_log: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_value: np.ndarray
    fallback: np.ndarray

    def column(self, term: Any) -> int:
        """Column index of ``term``."""
        return self.terms.index(term)


def wald_intervals(
    log_irr: np.ndarray, se: np.ndarray, level: float, df: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised :func:`~sozialanalyse.evaluation.results.wald_interval`.

    Normal reference distribution if ``df`` is None, else Student t with ``df``
    degrees of freedom; ``nan`` where ``se`` is not positive and finite.

    Returns
    -------
    (ci_low, ci_high, p_value)
        On the IRR scale.
    """
    b = np.asarray(log_irr, dtype=float)
    s = np.asarray(se, dtype=float)
    dist = stats.norm if df is None else stats.t(df)
    q = float(dist.ppf(0.5 + level / 2))
    ok = np.isfinite(s) & (s > 0) & np.isfinite(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(ok, 2 * dist.sf(np.abs(b / s)), np.nan)
        lo = np.where(ok, np.exp(b - q * s), np.nan)
        hi = np.where(ok, np.exp(b + q * s), np.nan)
    return lo, hi, p


def aligned_counts(
    panel: pd.DataFrame, counts: np.ndarray, prepared: pd.DataFrame, area: str, year: str
) -> np.ndarray:
    """Reorder counts given in ``panel``'s row order to the rows of ``prepared``.

    Parameters
    ----------
    panel
        The caller's panel (column names ``area`` and ``year``).
    counts
        Shape ``(B, len(panel))``.
    prepared
        The prepared panel (standard column names, sorted by area and year).
    area, year
        Column names of ``panel``.
    """
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    if counts.shape[1] != len(panel):
        raise ValueError(f"counts must have shape (B, {len(panel)}), got {counts.shape}")
    key = pd.MultiIndex.from_arrays([panel[area].astype(str).to_numpy(),
                                     panel[year].astype(int).to_numpy()])
    pos = key.get_indexer(pd.MultiIndex.from_arrays([prepared["area"].astype(str).to_numpy(),
                                                     prepared["year"].astype(int).to_numpy()]))
    if (pos < 0).any():
        raise ValueError("panel rows do not match the prepared panel")
    return counts[:, pos]


def regular_panels(y: np.ndarray, d: pd.DataFrame) -> np.ndarray:
    """Shape ``(B,)``: panels whose counts keep the design of ``d`` unchanged.

    ``y`` (shape ``(B, len(d))``) in ``d``'s row order; a panel is regular if
    every area has a case (:func:`drop_all_zero_areas` drops none) and the
    separation check passes (cases among the model areas before and from the
    start, and among the comparison areas).
    """
    codes = pd.factorize(d["area"])[0]
    member = np.zeros((codes.max() + 1, len(d)))
    member[codes, np.arange(len(d))] = 1.0
    ok = ((y @ member.T) > 0).all(axis=1)
    treated = d["start_year"].notna().to_numpy()
    post = treated & (d["year"] >= d["start_year"]).to_numpy()
    for cell in (post, treated & ~post, ~treated):
        if cell.any():
            ok &= y[:, cell].sum(axis=1) > 0
    return ok


def _did_design(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, offset, groups)`` of the panel DiD: treatment first, then the fixed effects."""
    X = np.column_stack([d["post"].to_numpy(dtype=float), fixed_effects_matrix(d)])
    off = np.log(d["population"].to_numpy(dtype=float))
    return X, off, pd.factorize(d["area"])[0]


def _did_estimates(
    X: np.ndarray, y: np.ndarray, off: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log IRR, cluster-robust and quasi-Poisson standard errors for counts ``y`` (B, N).

    The quasi-Poisson error is the model covariance of the same fit scaled by
    the Pearson dispersion ``X2 / (N - K)``.
    """
    fit = fit_poisson_batch(X, y, off, groups)
    n, k = X.shape
    scale = np.sum((y - fit.mu) ** 2 / fit.mu, axis=1) / max(n - k, 1)
    return fit.params[:, 0], fit.bse[:, 0], np.sqrt(fit.bread[:, 0, 0] * scale)


def drop_all_zero_areas(panel: pd.DataFrame) -> pd.DataFrame:
    """Drop areas without any case: with area effects they carry no information."""
    keep = panel.groupby("area")["cases"].transform("sum") > 0
    return panel[keep].reset_index(drop=True)


def auto_inference(n_treated: int) -> str:
    """The default inference for ``n_treated`` model areas (see module docstring)."""
    if n_treated >= MIN_TREATED_CLUSTERS:
        return "cluster"
    return "randomization"


def _measured(method: str, n_treated: int) -> str:
    """German text with the coverage measured by the calibration module, if any."""
    try:
        from sozialanalyse.evaluation.bootstrap import coverage_range
    except ImportError:
        return ""
    text = coverage_range(method, n_treated)
    return (f" (in Simulationen mit {n_treated} von 17 Gebieten und 12 Jahren gemessen: "
            f"{text})") if text else ""


def _one_area_note(n_treated: int) -> str:
    if n_treated != 1:
        return ""
    try:
        from sozialanalyse.evaluation.bootstrap import one_area_note
    except ImportError:
        return ""
    return one_area_note()


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
    verb = "ist ein Modellgebiet" if n_treated == 1 else f"sind {n_treated} Modellgebiete"
    few = (f"von {n_areas} Gebieten {verb}: cluster-robuste Fehler brauchen mindestens "
           f"{MIN_TREATED_CLUSTERS} Modellgebiete")
    if key == "cluster":
        return (f"{n_treated} Modellgebiete unter {n_areas} Gebieten: genug für "
                "cluster-robuste Fehler")
    if key == "bootstrap":
        return few + ("; der Wild-Cluster-Bootstrap hält das Niveau mit wenigen Modellgebieten"
                      + _measured("wild_webb", n_treated))
    return few + ("; die Randomisierungsinferenz vergleicht mit allen möglichen Zuordnungen "
                  "der Modellgebiete und gilt, wenn die Gebiete ohne Effekt austauschbar sind"
                  + (_measured("randomization", n_treated) if n_treated > 1 else ""))


def _prepare_did(panel: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """:func:`prepare_panel` for the panel DiD: some area must start later or never."""
    clean = prepare_panel(panel, require_comparison=False, **kwargs)
    if clean["start_year"].notna().all() and clean["start_year"].nunique() == 1:
        raise MethodError("alle Gebiete beginnen im selben Jahr: ohne Vergleichsgebiet ist der "
                          "Effekt nicht vom gemeinsamen Jahresverlauf zu trennen")
    return clean


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
    alternatives: bool = True,
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
    alternatives
        With few model areas, also compute the design-based inferences that are
        not the default (randomization and bootstrap) for ``alternatives``.
    file
        Name of the data source for error messages.

    Returns
    -------
    EvaluationResult
        ``alternatives`` holds the default and the other inferences;
        ``se_log`` is the cluster-robust standard error (for reference);
        ``extra``: ``inference_key`` and, for randomization inference,
        ``min_attainable_p`` and ``n_assignments``.

    Raises
    ------
    InputDataError
        Invalid panel, or a start year without a year before or from it.
    MethodError
        Separation (no case of a group in a period).
    """
    if inference not in ("auto", "cluster", "model", "bootstrap", "randomization"):
        raise MethodError(f"unbekannte Inferenz '{inference}'")
    clean = _prepare_did(panel, area=area, year=year, cases=cases, population=population,
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
        X, off, groups = _did_design(d)
        b_arr, cl_arr, qp_arr = _did_estimates(X, d["cases"].to_numpy(dtype=float)[None], off,
                                               groups)
        b, se_cl, qp_se = float(b_arr[0]), float(cl_arr[0]), float(qp_arr[0])
        extra_info: dict[str, Any] = {}
        rows = [
            alternative_row("cluster", np.exp(b),
                            *wald_interval(b, se_cl, level, df=n_areas - 1)),
            alternative_row("model", np.exp(b), *wald_interval(b, qp_se, level),
                            label=INFERENCE_LABELS["quasi_poisson"],
                            note="ignoriert die Korrelation innerhalb eines Gebiets"),
        ]
        coverage_ok, coverage_note = True, ""
        few = n_treated < MIN_TREATED_CLUSTERS
        wanted = [key] if key in ("bootstrap", "randomization") else []
        if few and alternatives:
            wanted += [k for k in ("randomization", "bootstrap") if k not in wanted]
        failed: dict[str, str] = {}
        for k in wanted:
            try:
                ext = _external(k, d, level=level, draws=draws, seed=seed)
                why = "ist in dieser Installation nicht verfügbar"
            except MethodError as exc:  # e.g. staggered starts for randomization inference
                ext, why = None, f"ist hier nicht anwendbar ({exc})"
            if ext is None:
                failed[k] = why
                continue
            note = str(getattr(ext, "note", "") or "")
            rows.append(alternative_row(k, np.exp(b), float(ext.ci_low), float(ext.ci_high),
                                        float(ext.p_value), note=note))
            if k == "randomization":
                extra_info["min_attainable_p"] = float(ext.min_attainable_p)
                extra_info["n_assignments"] = int(ext.n_assignments)
        available = {r["key"] for r in rows}
        if key not in available:
            # requested (or automatic) design-based inference failed: next honest choice
            fallback = next((k for k in ("randomization", "bootstrap") if k in available),
                            "cluster")
            coverage_note = (f"{INFERENCE_LABELS[key]} {failed.get(key, '')}; gezeigt wird "
                             f"{INFERENCE_LABELS[fallback]}")
            key = fallback
        if key == "cluster":
            check_clusters(n_treated, n_areas)
            if few:
                coverage_ok = False
                coverage_note = "; ".join(x for x in (coverage_note, (
                    f"cluster-robuste Fehler mit nur {n_treated} Modellgebieten sind zu klein: "
                    "das Intervall erreicht seine nominale Überdeckung nicht"
                    + _measured("cluster_t", n_treated))) if x)
        if key == "randomization" and extra_info.get("min_attainable_p", 0.0) > 1 - level:
            coverage_ok = False
            coverage_note = "; ".join(x for x in (coverage_note, (
                f"mit {n_treated} Modellgebiet(en) unter {n_areas} Gebieten ist der kleinste "
                f"erreichbare p-Wert {fmt.number(extra_info['min_attainable_p'], 3)}: kein "
                f"Verfahren liefert hier ein begrenztes {fmt.number(100 * level, 0)}-%-Intervall, "
                "das Intervall schließt keinen Wert aus"), _one_area_note(n_treated)) if x)
    for r in rows:
        r["default"] = r["key"] == key
    alt = alternatives_frame(rows)
    main = alt.iloc[0]
    post = d[d["post"] == 1]
    rate = 1000.0 * post["cases"].sum() / post["population"].sum()
    extra_info["inference_key"] = key
    res = EvaluationResult(
        kind="panel_did",
        design="Differenz von Differenzen (Panel mit Gebiets- und Jahreseffekten)",
        irr=float(np.exp(b)), ci_low=float(main["ci_low"]), ci_high=float(main["ci_high"]),
        p_value=float(main["p_value"]), level=level,
        inference=str(main["inference"]),
        inference_reason=_reason(key, n_treated, n_areas, inference),
        model="Poisson mit Gebiets- und Jahreseffekten", log_irr=b, se_log=se_cl,
        abs_change_per_1000=absolute_change_per_1000(rate, float(np.exp(b))),
        n_obs=len(d), n_areas=n_areas, n_treated_areas=n_treated,
        start_year=float(first), coverage_ok=coverage_ok, coverage_note=coverage_note,
        alternatives=alt,
        extra=extra_info,
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
    details_inference: Literal["cluster", "bootstrap"] = "cluster",
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
    details_inference
        Intervals of the effects by year: ``"cluster"`` (cluster-robust, t with
        G - 1 df; fast, too narrow with few model areas, then flagged) or
        ``"bootstrap"`` (wild cluster bootstrap per coefficient,
        :func:`~sozialanalyse.evaluation.bootstrap.event_study_bootstrap`; slow).

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
                          treated=treated, start_year=start_year, file=file,
                          require_comparison=False)
    d = add_treatment(drop_all_zero_areas(clean))
    lo, hi, times, D = _event_design(d, window, reference)
    y = d["cases"].to_numpy(dtype=float)[None]
    zero = [t for t, z in zip(times, (y @ D)[0] == 0, strict=True) if z]
    if zero:
        raise MethodError(
            f"kein einziger Fall der Modellgebiete im Jahr {zero[0]:+d} relativ zum Beginn: "
            "dieser Effekt hat keinen endlichen Schätzer; window=... enger wählen oder Jahre "
            "zusammenfassen")
    b, se = (v[0] for v in _event_estimates(d, D, y))
    ci_low, ci_high, p = wald_intervals(b, se, level, df=d["area"].nunique() - 1)
    out = pd.DataFrame({"event_time": times, "log_irr": b, "se_log": se, "irr": np.exp(b),
                        "ci_low": ci_low, "ci_high": ci_high, "p_value": p})
    ref = pd.DataFrame({"event_time": [reference], "log_irr": [0.0], "se_log": [0.0],
                        "irr": [1.0], "ci_low": [1.0], "ci_high": [1.0], "p_value": [np.nan]})
    out = pd.concat([out, ref], ignore_index=True).sort_values("event_time", ignore_index=True)
    out["event_time"] = out["event_time"].astype(int)
    out["inference"] = INFERENCE_LABELS["cluster"]
    if details_inference == "bootstrap":
        from sozialanalyse.evaluation.bootstrap import event_study_bootstrap

        boot = event_study_bootstrap(d, treated=sorted(d.loc[d["treated"] == 1, "area"]
                                                       .astype(str).unique()),
                                     window=(lo, hi), reference=reference, draws=draws,
                                     seed=seed, level=level)
        out = boot.assign(inference=INFERENCE_LABELS["bootstrap"])
    details = out[["event_time", "irr", "ci_low", "ci_high", "p_value", "log_irr", "se_log",
                   "inference"]]
    note = head.coverage_note
    ok = head.coverage_ok
    n_treated = head.n_treated_areas or 0
    if n_treated < MIN_TREATED_CLUSTERS and details_inference == "cluster":
        ok = False
        extra_note = (f"die Effekte je Jahr (details) nutzen cluster-robuste Fehler; mit nur "
                      f"{n_treated} Modellgebieten sind diese Intervalle zu schmal "
                      "(details_inference='bootstrap' für Bootstrap-Intervalle)")
        note = f"{note}; {extra_note}" if note else extra_note
    return head.with_updates(
        kind="event_study",
        design="Ereignisstudie (Effekte je Jahr seit Beginn)",
        details=details, coverage_ok=ok, coverage_note=note,
        extra={**head.extra, "reference": reference},
    )


def _event_design(
    d: pd.DataFrame, window: tuple[int, int] | None, reference: int
) -> tuple[int, int, list[int], np.ndarray]:
    """``(lo, hi, times, D)``: window, relative years and their indicators (reference left out)."""
    et = d["event_time"]
    lo, hi = (int(et.min()), int(et.max())) if window is None else window
    binned = et.clip(lower=lo, upper=hi)
    if reference not in set(binned.dropna().astype(int)):
        raise MethodError(f"das Referenzjahr {reference} (relativ zum Beginn) liegt nicht in "
                          "den Daten")
    times = [t for t in range(lo, hi + 1) if t != reference and (binned == t).any()]
    D = np.column_stack([(binned == t).to_numpy(dtype=float) for t in times])
    return lo, hi, times, D


def _event_estimates(
    d: pd.DataFrame, D: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Shape ``(B, m)`` log IRRs and cluster-robust errors of the event study for counts ``y``."""
    X = np.column_stack([D, fixed_effects_matrix(d)])
    off = np.log(d["population"].to_numpy(dtype=float))
    fit = fit_poisson_batch(X, y, off, pd.factorize(d["area"])[0])
    m = D.shape[1]
    return fit.params[:, :m], fit.bse[:, :m]


#: The fields of :class:`BatchEstimates` filled per panel, in this order.
BATCH_FIELDS = ("log_irr", "se_log", "ci_low", "ci_high", "p_value")


def assemble_batch(
    terms: Sequence[Any],
    regular: np.ndarray,
    values: Sequence[np.ndarray],
    one: Callable[[int], Mapping[str, Any]],
) -> BatchEstimates:
    """Put the batched values of the regular panels and the one-by-one fallback together.

    Parameters
    ----------
    terms
        Names of the terms.
    regular
        Shape ``(B,)``: panels computed by the batched fit.
    values
        The :data:`BATCH_FIELDS` of the regular panels, each of shape
        ``(n_regular,)`` or ``(n_regular, len(terms))``.
    one
        ``one(i)`` computes panel ``i`` with the public function and returns
        the :data:`BATCH_FIELDS` (scalars or arrays over the terms).
    """
    shape = (len(regular), len(terms))
    est = {k: np.full(shape, np.nan) for k in BATCH_FIELDS}
    for name, v in zip(BATCH_FIELDS, values, strict=True):
        est[name][regular] = np.reshape(v, (-1, len(terms)))
    fallback = ~np.asarray(regular, dtype=bool)
    for i in np.flatnonzero(fallback):
        got = one(int(i))
        for name in BATCH_FIELDS:
            est[name][i] = got[name]
    return BatchEstimates(tuple(terms), fallback=fallback, **est)


def panel_did_batch(
    panel: pd.DataFrame,
    counts: np.ndarray,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: str | Sequence[str] | None = None,
    start_year: int | None = None,
    inference: Literal["auto", "cluster", "model"] = "auto",
    level: float = 0.95,
) -> BatchEstimates:
    """:func:`panel_did` for many count vectors on one panel structure, in one batched fit.

    Gives, for each row of ``counts``, the ``log_irr``, ``se_log``, ``ci_low``,
    ``ci_high`` and ``p_value`` that ``panel_did(panel.assign(cases=row),
    ...)`` returns (same design matrix, kernel, small-sample factor and
    t(G - 1) critical value); the batched fits issue no warnings. Only the
    cluster-robust and the model-based (quasi-Poisson) inference are batched:
    with ``inference="auto"`` the panel needs at least
    :data:`~sozialanalyse.evaluation.guardrails.MIN_TREATED_CLUSTERS` model
    areas.

    Parameters
    ----------
    panel
        Tidy panel that fixes areas, years, population and start years (its
        own cases are ignored).
    counts
        Shape ``(B, len(panel))``: case counts, in ``panel``'s row order.
    area, year, cases, population, treated, start_year, inference, level
        As in :func:`panel_did`.

    Returns
    -------
    BatchEstimates
        One term, ``"effect"``.

    Raises
    ------
    MethodError
        If the inference is not batched, or a panel has no finite estimate.
    """
    cols = {"area": area, "year": year, "cases": cases, "population": population,
            "treated": treated, "start_year": start_year}
    clean = _prepare_did(panel.assign(**{cases: 1}), **cols)
    y = aligned_counts(panel, counts, clean, area, year)
    d = add_treatment(clean)
    n_areas = int(d["area"].nunique())
    n_treated = int(d.loc[d["treated"] == 1, "area"].nunique())
    key = auto_inference(n_treated) if inference == "auto" else inference
    if key not in ("cluster", "model"):
        raise MethodError(f"die Inferenz '{key}' ist nicht gebündelt berechenbar "
                          "(nur 'cluster' und 'model')")
    regular = regular_panels(y, d)
    X, off, groups = _did_design(d)
    b, se_cl, se_qp = _did_estimates(X, y[regular], off, groups)
    lo, hi, p = wald_intervals(b, se_cl if key == "cluster" else se_qp, level,
                               df=n_areas - 1 if key == "cluster" else None)

    def one(i: int) -> dict[str, float]:
        r = panel_did(panel.assign(**{cases: counts[i]}), inference=key, level=level,
                      alternatives=False, **cols)
        return {k: getattr(r, k) for k in BATCH_FIELDS}

    return assemble_batch(("effect",), regular, (b, se_cl, lo, hi, p), one)


def event_study_batch(
    panel: pd.DataFrame,
    counts: np.ndarray,
    *,
    area: str = "area",
    year: str = "year",
    cases: str = "cases",
    population: str = "population",
    treated: str | Sequence[str] | None = None,
    start_year: int | None = None,
    window: tuple[int, int] | None = None,
    reference: int = -1,
    level: float = 0.95,
) -> BatchEstimates:
    """The effects by relative year of :func:`event_study` for many count vectors, batched.

    For each row of ``counts`` the terms are the rows of
    ``event_study(panel.assign(cases=row), ...).details`` without the
    reference year, with the default cluster-robust intervals
    (``details_inference="cluster"``, t(G - 1)); same design matrix and
    kernel as :func:`event_study`. The headline (pooled) effect is
    :func:`panel_did_batch`.

    Parameters
    ----------
    panel, counts
        As in :func:`panel_did_batch`.
    area, year, cases, population, treated, start_year, window, reference, level
        As in :func:`event_study`.

    Returns
    -------
    BatchEstimates
        Terms: the relative years (reference left out).
    """
    cols = {"area": area, "year": year, "cases": cases, "population": population,
            "treated": treated, "start_year": start_year}
    clean = _prepare_did(panel.assign(**{cases: 1}), **cols)
    y = aligned_counts(panel, counts, clean, area, year)
    d = add_treatment(clean)
    _, _, times, D = _event_design(d, window, reference)
    regular = regular_panels(y, d) & ((y @ D) > 0).all(axis=1)
    b, se = _event_estimates(d, D, y[regular])
    lo, hi, p = wald_intervals(b, se, level, df=d["area"].nunique() - 1)

    def one(i: int) -> dict[str, np.ndarray]:
        det = event_study(panel.assign(**{cases: counts[i]}), inference="model", window=window,
                          reference=reference, level=level, **cols).details
        det = det.set_index("event_time").loc[times]
        return {k: det[k].to_numpy() for k in BATCH_FIELDS}

    return assemble_batch(times, regular, (b, se, lo, hi, p), one)
