"""Headline results of the chapter "Methode: Vorher-nachher-Bewertung und Teststärke".

Everything here rests on **simulated** case counts (yearly HzE counts per
Dresden Stadtraum are not public), built by
:mod:`sozialanalyse.evaluation.simulate_dresden` from the real young population per
Stadtraum, real burden indicators per Stadtraum (children with a single
parent, households with low income) that order the rates, and published
Dresden and Saxon HzE figures (Gorbitz/city ratio 75/30 in 2018, city total of
9,232 young people with HzE in 2023, Saxon trend). The example panel and the
power analysis use the same simulated rates:

* a simulated Dresden panel (17 Stadträume, 2014-2025) in which the study's three
  reference areas (Pieschen, Leuben, Plauen) start a model project in 2020 with
  a known effect, analysed with the panel DiD, a synthetic control and placebo
  inference;
* the planning question: with these three model Stadträume and five years before
  and after, how large must the effect be to be detected with 80 % power
  (minimum detectable effect), and how does that change with one model area,
  more overdispersion or a higher baseline rate?
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd

from sozialanalyse.evaluation import event_study, panel_did, validate_panel
from sozialanalyse.evaluation.placebo import placebo_in_space, placebo_in_time
from sozialanalyse.evaluation.power import (
    PowerDesign,
    fit_poisson_twfe,
    minimum_detectable_effect,
    panel_arrays,
    placebo_power_curve,
    power,
    power_curve,
)
from sozialanalyse.evaluation.results import EvaluationResult
from sozialanalyse.evaluation.simulate_dresden import (
    BURDEN_INDICATORS,
    BURDEN_YEAR,
    DRESDEN_MODEL_AREAS,
    DRESDEN_SHORT_NAMES,
    GORBITZ,
    LEVEL_YEAR,
    SIMULATED_LABEL,
    annual_trend,
    calibration_value,
    dresden_area_rates,
    dresden_burden_score,
    dresden_calibration,
    dresden_panel,
    dresden_young_population,
)
from sozialanalyse.evaluation.synth import synthetic_control
from sozialanalyse.formatting import integer, number

#: Seed of every simulation in the chapter.
SEED = 2017
#: True effect in the simulated example panel (simulated, not an estimate).
EXAMPLE_IRR = 0.85
EXAMPLE_START = 2020
#: Planning horizon: five years before and five after the start.
PLAN_YEARS: tuple[int, ...] = tuple(range(2016, 2026))
PLAN_PRE = 5
N_SIMS = 1000
TARGET_POWER = 0.8
ALPHA = 0.05
OVERDISP_ALT = 0.05
CURVE_IRRS: tuple[float, ...] = tuple(np.round(np.arange(1.0, 0.649, -0.025), 3))


# ---------------------------------------------------------------------------
# the simulated example
# ---------------------------------------------------------------------------


def _simulated(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark a table of simulated numbers (``attrs["label"] == "simuliert"``)."""
    frame.attrs["label"] = SIMULATED_LABEL
    return frame


@functools.lru_cache(maxsize=1)
def example_panel() -> pd.DataFrame:
    """The simulated Dresden panel with a true IRR of 0.85 from 2020 (simuliert)."""
    return dresden_panel(irr=EXAMPLE_IRR, start_year=EXAMPLE_START, seed=SEED)


def example_counts_table() -> pd.DataFrame:
    """Simulated case counts per Stadtraum (rows) and year (columns), raw.

    Show only through :func:`sozialanalyse.disclosure.case_count_table`.
    """
    p = example_panel()
    wide = p.pivot(index="area", columns="year", values="cases")
    names = p.drop_duplicates("area").set_index("area")["area_name"]
    wide.index = [f"{a} {names[a]}" for a in wide.index]
    wide.index.name = "Stadtraum"
    wide.columns = [str(c) for c in wide.columns]
    return _simulated(wide)


def example_groups() -> pd.DataFrame:
    """The simulated panel pooled into model areas and the other 14 Stadträume."""
    p = example_panel()
    g = p.assign(area=np.where(p["treated"], "Modellstadträume (simuliert)",
                               "übrige Stadträume (simuliert)"))
    out = g.groupby(["area", "year"], as_index=False)[["cases", "population"]].sum()
    out["start_year"] = np.where(out["area"].str.startswith("Modell"), float(EXAMPLE_START),
                                 np.nan)
    return _simulated(out)


def example_truth() -> pd.Series:
    """True IRR by year relative to the start in the simulated example."""
    p = example_panel()
    rel = np.arange(p["year"].min(), p["year"].max() + 1) - EXAMPLE_START
    return pd.Series(np.where(rel >= 0, EXAMPLE_IRR, 1.0), index=rel, name="irr")


#: German labels of the calibration numbers for the book.
CALIBRATION_LABELS: dict[str, tuple[str, str]] = {
    "city_rate": ("HzE-Rate Dresden 2018 (Mittel)",
                  "HzE je 1 000 junge Menschen (0-20); genutzt als Verhältnis"),
    "gorbitz_rate": ("HzE-Rate Gorbitz 2018",
                     "HzE je 1 000 junge Menschen (0-20); genutzt als Verhältnis"),
    "gorbitz_young_2018": ("junge Menschen Gorbitz 2018", "Personen (0-20), Probe"),
    "city_hze_persons_2023": ("junge Menschen mit HzE, Dresden 2023",
                              "Personen; Niveau der simulierten Raten"),
    "saxony_hze_young_persons_2017": ("junge Menschen mit HzE, Sachsen 2017", "Personen"),
    "saxony_hze_young_persons_2024": ("junge Menschen mit HzE, Sachsen 2024", "Personen"),
    "year_sd": ("Jahresschwankung", "Standardabweichung, log"),
    "dispersion": ("Überdispersion alpha", "negatives Binomialmodell"),
}


def calibration_table() -> pd.DataFrame:
    """The calibration numbers with sources, German labels, for display."""
    from sozialanalyse.evaluation.simulate_dresden import calibration_frame

    c = calibration_frame()
    return pd.DataFrame(
        {
            "Größe": [CALIBRATION_LABELS[n][0] for n in c["name"]],
            "Wert": c["value"],
            "Einheit": [CALIBRATION_LABELS[n][1] for n in c["name"]],
            "Quelle": c["source_id"].replace({"assumption": "Annahme"}),
        }
    )


#: German labels of the burden indicators for the book.
BURDEN_LABELS: dict[str, str] = {
    "anteil_kinder_bei_alleinerziehenden": "Kinder bei Alleinerziehenden (%)",
    "kbu_anteil_geringes_einkommen": "Haushalte mit geringem Einkommen (%)",
}


def area_rates() -> pd.DataFrame:
    """Burden indicators, simulated rates and expected cases per Stadtraum (raw numbers).

    Columns ``area``, ``area_name``, the indicators of
    :data:`~sozialanalyse.evaluation.simulate.BURDEN_INDICATORS` (real, in
    :data:`~sozialanalyse.evaluation.simulate.BURDEN_YEAR`), ``burden_score``,
    ``population`` (young residents 0-20 in the level year 2023),
    ``rate_sim`` (simulated rate per 1,000 in 2023) and ``expected_sim``
    (expected simulated cases in 2023, without year shock and noise); sorted
    by the burden score, highest first. ``attrs["label"] == "simuliert"``.
    """
    score = dresden_burden_score()
    pop = dresden_young_population((LEVEL_YEAR,)).set_index("area")
    rate = dresden_area_rates(LEVEL_YEAR)
    out = score.reset_index()
    out.insert(1, "area_name", out["area"].map(pop["area_name"]))
    out["population"] = out["area"].map(pop["population"]).astype(int)
    out["rate_sim"] = out["area"].map(rate)
    out["expected_sim"] = out["population"] * out["rate_sim"] / 1000.0
    out = out.sort_values("burden_score", ascending=False, ignore_index=True)
    out.attrs["label"] = SIMULATED_LABEL
    out.attrs["source_id"] = score.attrs["source_id"]
    return out


def area_rates_table() -> pd.DataFrame:
    """:func:`area_rates` with German headers for display (simulated columns say so)."""
    r = area_rates()
    out = pd.DataFrame({"Stadtraum": [f"{a} {n}" for a, n in zip(r["area"], r["area_name"],
                                                                 strict=True)]})
    for ind in BURDEN_INDICATORS:
        out[f"{BURDEN_LABELS[ind]} {BURDEN_YEAR}"] = r[ind].to_numpy()
    out["Belastungswert"] = r["burden_score"].to_numpy()
    out[f"junge Menschen {LEVEL_YEAR}"] = r["population"].to_numpy()
    out[f"HzE je 1 000 {LEVEL_YEAR} ({SIMULATED_LABEL})"] = r["rate_sim"].to_numpy()
    out[f"erwartete Fälle {LEVEL_YEAR} ({SIMULATED_LABEL})"] = r["expected_sim"].to_numpy()
    out.attrs["label"] = SIMULATED_LABEL
    return out


def synth_weights_table() -> pd.DataFrame:
    """Donor weights of the example's synthetic control (non-zero only)."""
    sc = example_synth()
    names = example_panel().drop_duplicates("area").set_index("area")["area_name"]
    w = sc.weights[sc.weights > 1e-6].sort_values(ascending=False)
    table = pd.DataFrame({"Stadtraum": [f"{a} {names[a]}" for a in w.index],
                          "Gewicht": w.to_numpy()})
    return _simulated(table)


@functools.lru_cache(maxsize=1)
def example_synth() -> EvaluationResult:
    """Synthetic control of the three pooled model areas in the simulated panel."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return synthetic_control(example_panel(), list(DRESDEN_MODEL_AREAS), EXAMPLE_START)


@functools.lru_cache(maxsize=4)
def example_placebo(statistic: str = "rmspe_ratio", single: str | None = None) -> EvaluationResult:
    """Placebo-in-space inference for the simulated example.

    Parameters
    ----------
    statistic
        ``"rmspe_ratio"`` or ``"abs_log_irr"``.
    single
        If given, one model area alone (e.g. ``"04"``) instead of the three pooled.
    """
    treated = [single] if single else list(DRESDEN_MODEL_AREAS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return placebo_in_space(example_panel(), treated, EXAMPLE_START, statistic=statistic)


def pieschen_outside_years() -> int:
    """Pre-period years in which simulated Pieschen lies outside all other areas' rates."""
    p = example_panel()
    pre = p[p["year"] < EXAMPLE_START]
    rate = (1000 * pre["cases"] / pre["population"]).to_numpy()
    wide = pd.DataFrame({"area": pre["area"], "year": pre["year"], "rate": rate}).pivot(
        index="year", columns="area", values="rate")
    donors = wide.drop(columns=list(DRESDEN_MODEL_AREAS))
    own = wide["04"]
    return int(((own > donors.max(axis=1)) | (own < donors.min(axis=1))).sum())


def example_placebo_in_time() -> pd.DataFrame:
    """Fake start years before 2020 in the simulated example."""
    return placebo_in_time(example_panel(), list(DRESDEN_MODEL_AREAS), EXAMPLE_START).details


def example_panel_did() -> dict[str, float]:
    """Panel DiD on the simulated example: cluster-robust and NB2-sandwich errors."""
    p = example_panel()
    clean = validate_panel(p[["area", "year", "cases", "population", "start_year"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = panel_did(clean)
    y, n, d = panel_arrays(p)
    fit = fit_poisson_twfe(y, n, d, scale="nb2")
    ci = np.exp(fit.conf_int(use_t=True)[0])
    return {
        "irr": est.irr,
        "ci_low": est.ci_low,
        "ci_high": est.ci_high,
        "p_value": est.p_value,
        "abs_change_per_1000": est.abs_change_per_1000,
        "nb2_irr": float(np.exp(fit.beta[0])),
        "nb2_ci_low": float(ci[0]),
        "nb2_ci_high": float(ci[1]),
        "nb2_p_value": float(fit.p_values(use_t=True)[0]),
        "nb2_dispersion": float(fit.dispersion[0]),
    }


def example_event_study() -> EvaluationResult:
    """Event-study IRRs on the simulated example (cluster-robust)."""
    p = example_panel()
    clean = validate_panel(p[["area", "year", "cases", "population", "start_year"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return event_study(clean)


# ---------------------------------------------------------------------------
# the planning question
# ---------------------------------------------------------------------------


def plan_design(
    treated: tuple[str, ...] = DRESDEN_MODEL_AREAS,
    *,
    dispersion: float | None = None,
    treated_rate: float | None = None,
    population_factor: float = 1.0,
) -> PowerDesign:
    """The Dresden planning design: 17 Stadträume, 2016-2025, start 2021.

    Populations are the real young residents (0-20) per Stadtraum and year;
    baseline rates are the simulated Stadtraum rates of the example panel
    (:func:`~sozialanalyse.evaluation.simulate.dresden_area_rates`, ordered by
    the real burden indicators, calibrated to the Gorbitz/city ratio and the
    2023 city total) in the first planning year; trend, year shocks and
    overdispersion as in the calibration.

    Parameters
    ----------
    treated
        Stadtraum codes of the model areas.
    dispersion
        NB2 overdispersion; default the calibration's assumption.
    treated_rate
        Baseline rate of the model areas (per 1,000) in the first planning
        year; default their simulated rates.
    population_factor
        Multiply all populations (e.g. to pool several Stadträume).
    """
    cal = dresden_calibration()
    pop = dresden_young_population(PLAN_YEARS)
    grid = pop.pivot(index="area", columns="year", values="population")
    areas = tuple(grid.index)
    rate = dresden_area_rates(PLAN_YEARS[0], calibration=cal).reindex(list(areas)).copy()
    if treated_rate is not None:
        rate[list(treated)] = treated_rate
    return PowerDesign(
        population=grid.to_numpy(dtype=float) * population_factor,
        baseline_rate=rate.to_numpy(),
        n_pre=PLAN_PRE,
        n_post=len(PLAN_YEARS) - PLAN_PRE,
        treated=tuple(areas.index(a) for a in treated),
        dispersion=calibration_value("dispersion", cal) if dispersion is None else dispersion,
        trend=annual_trend(cal),
        year_sd=calibration_value("year_sd", cal),
        areas=areas,
    )


def plan_rate(area: str = GORBITZ) -> float:
    """Simulated rate of one Stadtraum (per 1,000) in the first planning year."""
    return float(dresden_area_rates(PLAN_YEARS[0])[area])


def _scenarios() -> dict[str, tuple[str, PowerDesign]]:
    one = ("04",)
    return {
        "drei": ("3 Modellstadträume (Pieschen, Leuben, Plauen)", plan_design()),
        "pieschen": ("nur Pieschen", plan_design(one)),
        "poisson": ("3 Modellstadträume, ohne Überdispersion", plan_design(dispersion=0.0)),
        "overdisp": (
            "3 Modellstadträume, Überdispersion 0,05",
            plan_design(dispersion=OVERDISP_ALT),
        ),
        "gorbitzrate": (
            f"3 Modellstadträume mit der Rate von Gorbitz ({integer(plan_rate())} je 1 000, "
            f"{SIMULATED_LABEL})",
            plan_design(treated_rate=plan_rate()),
        ),
    }


@functools.lru_cache(maxsize=1)
def power_curves() -> pd.DataFrame:
    """Power against the true IRR for three model areas and for Pieschen alone."""
    sc = _scenarios()
    frames = []
    for key in ("drei", "pieschen"):
        label, des = sc[key]
        c = power_curve(des, CURVE_IRRS, n_sims=N_SIMS, alpha=ALPHA, seed=SEED)
        frames.append(c.assign(design=label, key=key))
    return _simulated(pd.concat(frames, ignore_index=True))


@functools.lru_cache(maxsize=1)
def mde_table() -> pd.DataFrame:
    """Minimum detectable IRR (80 % power, 5 % level) per planning scenario."""
    rows = []
    for key, (label, des) in _scenarios().items():
        mde = minimum_detectable_effect(
            des, target_power=TARGET_POWER, alpha=ALPHA, n_sims=N_SIMS, seed=SEED, tol=2e-3
        )
        treated = list(des.treated)
        pop = des.population_grid()[treated][:, des.n_pre :].sum()
        rate = float(np.average(des.rate_vector()[treated],
                                weights=des.population_grid()[treated].sum(axis=1)))
        cases = rate / 1000 * pop / des.n_post
        rows.append(
            {
                "key": key,
                "Szenario": label,
                "junge Menschen (Modellgebiet, Mittel)": float(
                    des.population_grid()[treated].sum(axis=0).mean()),
                "Fälle je Jahr ohne Effekt (Modellgebiet)": cases,
                "MDE (IRR)": mde,
                "Rückgang in %": 100 * (1 - mde),
                "Fälle je 1 000 weniger": rate * (1 - mde),
            }
        )
    return _simulated(pd.DataFrame(rows))


PLACEBO_IRRS: tuple[float, ...] = (1.0, 0.85, 0.7)
PLACEBO_SIMS = 100
PLACEBO_SETS = 200


@functools.lru_cache(maxsize=1)
def placebo_power_table() -> pd.DataFrame:
    """Power of synthetic control + placebo test for the three-area plan (few panels)."""
    des = plan_design()
    rows = []
    # same simulated panels for every IRR: the placebo distributions are fitted once
    placebo = placebo_power_curve(des, PLACEBO_IRRS, n_sims=PLACEBO_SIMS, alpha=ALPHA,
                                  seed=SEED, max_placebos=PLACEBO_SETS)
    for irr, r in zip(PLACEBO_IRRS, placebo, strict=True):
        d = power(des, irr, n_sims=N_SIMS, alpha=ALPHA, seed=SEED)
        rows.append({"irr": irr, "placebo_power": r.power, "placebo_mc_se": r.mc_se,
                     "did_power": d.power})
    return _simulated(pd.DataFrame(rows))


def _contains(low: float, high: float, value: float) -> bool:
    return bool(low <= value <= high)


def verdicts(h: dict[str, float | int | str] | None = None) -> dict[str, str]:
    """German sentences of the chapter whose claims depend on the simulated numbers.

    Each sentence is computed from :func:`headline`, so that the text cannot
    contradict the numbers when the simulation changes.

    Parameters
    ----------
    h
        Headline values; default :func:`headline`.

    Returns
    -------
    dict
        Glue key (``ev_txt_*``) to sentence.
    """
    h = headline() if h is None else h
    true = float(h["ev_ex_irr_true"])
    cr = _contains(float(h["ev_ex_did_ci_low"]), float(h["ev_ex_did_ci_high"]), true)
    nb = _contains(float(h["ev_ex_did_nb2_ci_low"]), float(h["ev_ex_did_nb2_ci_high"]), true)
    t = number(true, 2)
    if cr and nb:
        did = f"Beide Intervalle enthalten den wahren Wert {t}."
    elif cr or nb:
        which = "Das erste" if cr else "Das zweite"
        did = (f"{which} Intervall enthält den wahren Wert {t}, das andere nicht: Auch ein "
               "verlässliches Intervall verfehlt den wahren Wert in einem von 20 Fällen.")
    else:
        did = (f"Keines der beiden Intervalle enthält den wahren Wert {t}; auch verlässliche "
               "Intervalle verfehlen ihn in einem von 20 Fällen.")
    p1, pmin = float(h["ev_pl1_p"]), float(h["ev_pl1_min_p"])
    if p1 <= pmin + 1e-9:
        single = (f"Im Beispiel erreicht Pieschen allein genau diesen kleinsten Wert "
                  f"({number(p1, 3)}, Prüfgröße Betrag des logarithmierten Verhältnisses).")
    else:
        n1 = int(h["ev_pl1_n_units"])
        single = (f"Im Beispiel erreicht Pieschen allein p = {number(p1, 3)} (Rang "
                  f"{integer(round(p1 * n1))} von {integer(n1)}, Prüfgröße Betrag des "
                  "logarithmierten Verhältnisses), nicht den kleinsten Wert, obwohl die "
                  f"Simulation dort denselben Rückgang um {number(100 * (1 - true), 0)} % "
                  "festlegt wie in Leuben und Plauen.")
    n_out, n_pre = int(h["ev_pl1_outside"]), int(h["ev_ex_n_pre"])
    if n_out == 0:
        outside = (f"Im simulierten Panel liegt Pieschens Rate in keinem der {n_pre} Vorjahre "
                   "außerhalb der Spanne aller Vergleichsstadträume; eine Mischung der "
                   "Vergleichsgebiete kann es also grundsätzlich nachbilden. Liegt ein "
                   "Modellgebiet dagegen über oder unter allen anderen, warnt das Paket "
                   "(`ConvexHullWarning`), und ein Teil der Lücke ist schlechte Passung und "
                   "nicht Wirkung.")
    else:
        years = "allen" if n_out == n_pre else f"{n_out} von"
        outside = (f"Dabei ist Vorsicht geboten: Im simulierten Panel hat Pieschen in {years} "
                   f"{n_pre} Vorjahren eine Rate außerhalb der Spanne aller "
                   "Vergleichsstadträume, kein Zwilling kann es also genau nachbilden, und "
                   "das Paket warnt (`ConvexHullWarning`). Ein Teil der Lücke ist dann "
                   "schlechte Passung und nicht Wirkung.")
    size, alpha = float(h["ev_pp_power_100"]), float(h["ev_alpha_pct"]) / 100
    # Monte Carlo standard error of a rejection share at the nominal level
    mc = float(np.sqrt(alpha * (1 - alpha) / int(h["ev_pp_sims"])))
    share = f"{number(100 * size, 0)} %"
    if size + 2 * mc < alpha:
        pp = (f"Ohne Effekt lehnt der Placebo-Test in {share} der Panels ab, hält sein Niveau "
              f"von {integer(int(h['ev_alpha_pct']))} % also mit Reserve.")
    elif size - 2 * mc > alpha:
        pp = (f"Ohne Effekt lehnt der Placebo-Test in {share} der Panels ab, also häufiger, "
              f"als sein Niveau von {integer(int(h['ev_alpha_pct']))} % erlaubt.")
    else:
        pp = (f"Ohne Effekt lehnt der Placebo-Test in {share} der Panels ab; das ist im "
              f"Rahmen des Simulationsfehlers sein Niveau von "
              f"{integer(int(h['ev_alpha_pct']))} %.")
    n_exact = int(h["ev_pit_n_exact"])
    if n_exact == 0:
        pit = ("Bei keinem der vorgezogenen Starts trifft der Zwilling die wenigen Vorjahre "
               "exakt; je früher der Start, desto weniger Vorjahre hat er aber zur Anpassung.")
    else:
        which = ("Beim frühesten vorgezogenen Start" if n_exact == 1
                 else f"Bei den {integer(n_exact)} frühesten vorgezogenen Starts")
        pit = (f"{which} bleiben so wenige Vorjahre, dass der Zwilling sie exakt trifft "
               "(RMSPE vorher null); das ist Überanpassung, keine gute Passung.")
    return {"ev_txt_pit_exact": pit, "ev_txt_did_contains": did, "ev_txt_pl1": single,
            "ev_txt_pl1_outside": outside, "ev_txt_pp_size": pp}


def headline() -> dict[str, float | int | str]:
    """Headline results of the chapter (flat, JSON-serialisable, keys = glue keys)."""
    out: dict[str, float | int | str] = {}
    cal = dresden_calibration()
    out["ev_city_rate"] = calibration_value("city_rate", cal)
    out["ev_gorbitz_rate"] = calibration_value("gorbitz_rate", cal)
    out["ev_trend_pct"] = round(100 * (np.exp(annual_trend(cal)) - 1), 2)
    out["ev_dispersion"] = calibration_value("dispersion", cal)
    out["ev_year_sd_pct"] = round(100 * calibration_value("year_sd", cal), 1)
    pop = dresden_young_population()
    g18 = int(pop[(pop["area"] == GORBITZ) & (pop["year"] == 2018)]["population"].iloc[0])
    out["ev_gorbitz_pop_sim"] = g18
    out["ev_gorbitz_pop_pub"] = int(calibration_value("gorbitz_young_2018", cal))
    out["ev_gorbitz_pop_dev_pct"] = round(100 * (g18 / out["ev_gorbitz_pop_pub"] - 1), 1)
    # the simulated Stadtraum rates (ordered by the real burden indicators)
    rates = area_rates().set_index("area")
    out["ev_burden_year"] = BURDEN_YEAR
    out["ev_level_year"] = LEVEL_YEAR
    out["ev_hze_total_pub"] = int(calibration_value("city_hze_persons_2023", cal))
    out["ev_hze_total_expected"] = round(float(rates["expected_sim"].sum()), 1)
    out["ev_rate_city_level"] = round(
        1000 * float(rates["expected_sim"].sum() / rates["population"].sum()), 1)
    out["ev_rate_spread"] = round(float(dresden_area_rates().attrs["spread"]), 3)
    out["ev_rate_ratio_pub"] = round(out["ev_gorbitz_rate"] / out["ev_city_rate"], 2)
    # the 2023 level per 1,000 young residents against the published 2018 city rate
    out["ev_rate_level_factor"] = round(out["ev_rate_city_level"] / out["ev_city_rate"], 1)
    for code, name in (("16", "gorbitz"), ("11", "prohlis"), ("07", "loschwitz")):
        out[f"ev_rate_{name}"] = round(float(rates.loc[code, "rate_sim"]), 1)
        out[f"ev_expected_{name}"] = int(round(float(rates.loc[code, "expected_sim"])))
    for code in DRESDEN_MODEL_AREAS:
        name = DRESDEN_SHORT_NAMES[code].lower()
        v = pop[(pop["area"] == code) & (pop["year"] == 2025)]["population"].iloc[0]
        out[f"ev_pop_{name}_2025"] = int(v)

    panel = example_panel()
    out["ev_ex_irr_true"] = EXAMPLE_IRR
    out["ev_ex_start"] = EXAMPLE_START
    out["ev_ex_first_year"] = int(panel["year"].min())
    out["ev_ex_last_year"] = int(panel["year"].max())
    out["ev_ex_n_areas"] = int(panel["area"].nunique())
    lvl = panel[panel["year"] == LEVEL_YEAR]
    out["ev_hze_total_sim"] = int(lvl["cases"].sum())
    out["ev_hze_total_dev_pct"] = round(100 * (out["ev_hze_total_sim"] / out["ev_hze_total_pub"]
                                               - 1), 1)
    mod = panel[panel["treated"]]
    out["ev_ex_cases_model_min"] = int(mod["cases"].min())
    out["ev_ex_cases_model_max"] = int(mod["cases"].max())
    did = example_panel_did()
    for k in ("irr", "ci_low", "ci_high", "nb2_irr", "nb2_ci_low", "nb2_ci_high"):
        out[f"ev_ex_did_{k}"] = round(did[k], 3)
    out["ev_ex_did_p"] = float(f"{did['p_value']:.2g}")
    out["ev_ex_did_nb2_p"] = float(f"{did['nb2_p_value']:.2g}")
    out["ev_ex_did_abs"] = round(did["abs_change_per_1000"], 2)
    sc = example_synth()
    out["ev_sc_irr"] = round(sc.irr, 3)
    out["ev_sc_abs"] = round(sc.abs_change_per_1000, 2)
    out["ev_sc_pre_rmspe"] = round(sc.pre_rmspe, 2)
    out["ev_sc_ratio"] = round(sc.rmspe_ratio, 2)
    out["ev_sc_n_donors_used"] = int((sc.weights > 1e-6).sum())
    top = sc.weights.sort_values(ascending=False)
    names = panel.drop_duplicates("area").set_index("area")["area_name"]
    out["ev_sc_top_donor"] = f"{top.index[0]} {names[top.index[0]]}"
    out["ev_sc_top_weight"] = round(float(top.iloc[0]), 2)
    pr = example_placebo("rmspe_ratio")
    pl = example_placebo("abs_log_irr")
    out["ev_pl_n_units"] = pr.n_units
    out["ev_pl_rank_ratio"] = pr.rank
    out["ev_pl_p_ratio"] = round(pr.p_value, 3)
    out["ev_pl_rank_irr"] = pl.rank
    out["ev_pl_p_irr"] = round(pl.p_value, 3)
    single = example_placebo("abs_log_irr", single="04")
    out["ev_pl1_n_units"] = single.n_units
    out["ev_pl1_min_p"] = round(single.min_p_value, 3)
    out["ev_pl1_p"] = round(single.p_value, 3)
    out["ev_pl1_outside"] = pieschen_outside_years()
    pit = example_placebo_in_time()
    fake = pit[pit["fake"]]
    out["ev_pit_n"] = len(fake)
    out["ev_pit_irr_min"] = round(float(fake["irr"].min()), 3)
    out["ev_pit_irr_max"] = round(float(fake["irr"].max()), 3)
    out["ev_pit_n_exact"] = int((fake["pre_rmspe"] < 1e-9).sum())

    out["ev_target_power_pct"] = int(round(100 * TARGET_POWER))
    out["ev_alpha_pct"] = int(round(100 * ALPHA))
    out["ev_overdisp_alt"] = OVERDISP_ALT
    out["ev_n_donors"] = int(panel["area"].nunique() - len(DRESDEN_MODEL_AREAS))
    out["ev_ex_n_pre"] = int((np.unique(panel["year"]) < EXAMPLE_START).sum())
    out["ev_plan_n_pre"] = PLAN_PRE
    out["ev_plan_n_post"] = len(PLAN_YEARS) - PLAN_PRE
    out["ev_plan_first_year"] = PLAN_YEARS[0]
    out["ev_plan_start"] = PLAN_YEARS[PLAN_PRE]
    out["ev_n_sims"] = N_SIMS
    curves = power_curves()
    three = curves[curves["key"] == "drei"].set_index("irr")
    one = curves[curves["key"] == "pieschen"].set_index("irr")
    out["ev_size_three"] = round(float(three.loc[1.0, "power"]), 3)
    for irr in (0.9, 0.85, 0.8):
        tag = f"{int(round(irr * 100))}"
        out[f"ev_power_three_{tag}"] = round(float(three.loc[irr, "power"]), 3)
        out[f"ev_power_one_{tag}"] = round(float(one.loc[irr, "power"]), 3)
    out["ev_coverage_three_85"] = round(float(three.loc[0.85, "coverage"]), 3)
    mde = mde_table().set_index("key")
    for key in mde.index:
        out[f"ev_mde_{key}"] = round(float(mde.loc[key, "MDE (IRR)"]), 3)
        out[f"ev_mde_{key}_pct"] = round(float(mde.loc[key, "Rückgang in %"]), 1)
        out[f"ev_mde_{key}_abs"] = round(float(mde.loc[key, "Fälle je 1 000 weniger"]), 1)
    pp = placebo_power_table().set_index("irr")
    out["ev_pp_sims"] = PLACEBO_SIMS
    out["ev_pp_sets"] = PLACEBO_SETS
    for irr in PLACEBO_IRRS:
        tag = f"{int(round(irr * 100))}"
        out[f"ev_pp_power_{tag}"] = round(float(pp.loc[irr, "placebo_power"]), 3)
        out[f"ev_pp_did_{tag}"] = round(float(pp.loc[irr, "did_power"]), 3)
    out["ev_pp_mc_se_max"] = round(float(pp["placebo_mc_se"].max()), 3)
    cases_col = "Fälle je Jahr ohne Effekt (Modellgebiet)"
    out["ev_cases_three_year"] = int(round(float(mde.loc["drei", cases_col])))
    out["ev_cases_one_year"] = int(round(float(mde.loc["pieschen", cases_col])))
    return out

