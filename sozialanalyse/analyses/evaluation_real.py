"""Headline results of the chapter "ESPQ und die Bewertung eines Modellgebiets".

Runs the evaluation designs of :mod:`sozialanalyse.evaluation` on the real series
in ``data/published`` (loaded with :func:`sozialanalyse.data.load`):

* Bremen's out-of-home care (§34 stock, Land Bremen) 2007 -> 2012 against
  Hamburg, Berlin and Germany: a two-period difference-in-differences. Only the
  Bremen levels are published; for the comparison arms only percentage changes
  exist, and populations only for 2012. The DiD is therefore a ratio of count
  ratios, which equals the ratio of rate ratios if the young population changed
  by the same factor in both arms; its interval carries Bremen's Poisson
  uncertainty only (exact conditional interval), treating the comparison ratio
  as fixed.
* Germany's HzE cases 2017-2023 with the 2020 break: interrupted time series.
* Graz: the 2009 cross-section by Sozialraum and the staggered office openings
  2007/2010/2013/2017 -- what a staggered design could identify.
* Hamburg's SPFH stock Dec 2010 -> Apr 2012: a naive pre/post rate ratio.

The treated arm of ESPQ itself (model site Walle) has no published counts.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse import formatting as fmt
from sozialanalyse.data import load
from sozialanalyse.evaluation import (
    EvaluationResult,
    exact_rate_ratio,
    identification_table,
    index_to_base,
    interrupted_time_series,
    results_frame,
)
from sozialanalyse.evaluation.results import absolute_change_per_1000

COMPARATORS = ("Hamburg", "Berlin", "DE")


def _value(table: pd.DataFrame, area: str, indicator: str, year: int | None = None) -> float:
    sel = table[(table["area"] == area) & (table["indicator"] == indicator)]
    if year is not None:
        sel = sel[sel["year"] == year]
    if len(sel) != 1:
        raise LookupError(f"expected one row for {area}/{indicator}/{year}, found {len(sel)}")
    return float(sel["value"].iloc[0])


def bremen_series() -> pd.DataFrame:
    """§34 stock 2007 and 2012: Bremen levels, comparators as count ratios.

    Returns
    -------
    pandas.DataFrame
        ``area, count_ratio, index_2012`` (2007 = 100) and ``source_id``.
    """
    hb = load("hze_bremen")
    b07 = _value(hb, "Land Bremen", "heim34_bestand", 2007)
    b12 = _value(hb, "Land Bremen", "heim34_bestand", 2012)
    rows = [{"area": "Land Bremen", "count_2007": b07, "count_2012": b12,
             "count_ratio": b12 / b07, "source_id": "BIAJ_481_2014"}]
    for area in COMPARATORS:
        pct = _value(hb, area, "heim34_bestand_pct_change_2007_2012", 2012)
        rows.append({"area": area, "count_2007": np.nan, "count_2012": np.nan,
                     "count_ratio": 1 + pct / 100, "source_id": "BIAJ_481_2014"})
    out = pd.DataFrame(rows)
    out["index_2012"] = 100 * out["count_ratio"]
    return out


def bremen_indexed() -> pd.DataFrame:
    """The ESPQ picture for §34: each arm indexed to 2007 = 100 (two points per arm)."""
    s = bremen_series()
    long = pd.concat([
        pd.DataFrame({"area": s["area"], "year": 2007, "value": 1.0}),
        pd.DataFrame({"area": s["area"], "year": 2012, "value": s["count_ratio"]}),
    ], ignore_index=True)
    names = {"DE": "Deutschland", "Land Bremen": "Land Bremen"}
    long["area"] = long["area"].map(lambda a: names.get(a, a))
    return index_to_base(long, 2007)


def bremen_did_results() -> list[EvaluationResult]:
    """Ratio of count ratios, Land Bremen against each comparator, as results.

    The interval is the exact conditional (binomial) interval of Bremen's own
    count ratio (444 -> 1,412, equal exposure assumed) divided by the comparator's
    published ratio; the comparators' sampling noise is unknown and ignored.
    """
    s = bremen_series().set_index("area")
    b07, b12 = s.loc["Land Bremen", ["count_2007", "count_2012"]]
    own = exact_rate_ratio(int(b12), 1.0, int(b07), 1.0, design="Bremen 2012/2007")
    hb = load("hze_bremen")
    pop12 = _value(hb, "Land Bremen", "pop_u27", 2012)
    rate12 = 1000 * b12 / pop12
    out = []
    for area in COMPARATORS:
        cr = float(s.loc[area, "count_ratio"])
        irr = own.irr / cr
        p = stats.binomtest(int(b12), int(b12 + b07), cr / (1 + cr)).pvalue
        out.append(EvaluationResult(
            kind="did_2x2",
            design=f"Verhältnis der Verhältnisse, Land Bremen gegen {COMPARATOR_NAMES[area]} "
                   "(§ 34, 2007–2012)",
            irr=irr, ci_low=own.ci_low / cr, ci_high=own.ci_high / cr, p_value=float(p),
            inference="exakt (bedingte Binomialverteilung), nur Bremer Zählungen",
            inference_reason=("nur Bremens Bestände sind veröffentlicht; für die "
                              "Vergleichsgebiete nur Veränderungsraten ohne Streuung"),
            model="Poisson (bedingt auf die Summe)",
            log_irr=float(np.log(irr)),
            abs_change_per_1000=absolute_change_per_1000(rate12, irr),
            n_obs=4, coverage_ok=False,
            coverage_note=("die Zufallsschwankung der Vergleichsgebiete fehlt: das Intervall "
                           "ist eher zu schmal"),
            notes=("Verhältnis der Zählverhältnisse; gleiche Bevölkerungsentwicklung "
                   "angenommen; Faktor des Vergleichsgebiets als fest behandelt; Rate mit der "
                   "Bevölkerung 2012",),
            extra={"comparator": area, "comparator_ratio": cr},
        ))
    return out


COMPARATOR_NAMES = {"Hamburg": "Hamburg", "Berlin": "Berlin", "DE": "Deutschland"}


def bremen_did() -> pd.DataFrame:
    """:func:`bremen_did_results` as a tidy frame with a ``comparator`` column."""
    res = bremen_did_results()
    out = results_frame(res)
    out["comparator"] = [r.comparator for r in res]
    return out


def bremen_did_table() -> pd.DataFrame:
    """Table 1 of the chapter: Bremen against three comparators, German, formatted."""
    res = bremen_did_results()
    return pd.DataFrame({
        "Vergleich": [COMPARATOR_NAMES[r.comparator] for r in res],
        "Faktor Vergleich 2012/2007": [fmt.number(r.comparator_ratio, 3) for r in res],
        "Verhältnis der Verhältnisse": [fmt.number(r.irr, 2) for r in res],
        "95-%-Intervall": [fmt.interval(r.ci_low, r.ci_high, 2) for r in res],
        "p-Wert": [fmt.p_value(r.p_value, prefix=False) for r in res],
        "Mehr je 1 000 unter 27 (2012)": [fmt.number(r.abs_change_per_1000, 1, sign=True)
                                          for r in res],
    })


def national_series() -> pd.DataFrame:
    """Germany's HzE cases (stock at 31.12. plus ended helps, incl. EB), 2017-2023."""
    nat = load("hze_national")
    sel = nat[(nat["area"] == "DE") & (nat["indicator"] == "hze_faelle_total")]
    sel = sel.dropna(subset=["year"]).sort_values("year")
    rate = nat[(nat["area"] == "DE") & (nat["indicator"] == "hze_faelle_per10k_u21")]
    out = pd.DataFrame({"time": sel["year"].astype(int).to_numpy(),
                        "cases": sel["value"].to_numpy(),
                        "source_id": sel["source_id"].to_numpy(),
                        "note": sel["note"].fillna("").to_numpy()})
    out = out.merge(rate[["year", "value"]].rename(columns={"year": "time", "value": "per10k"})
                    .astype({"time": int}), on="time", how="left")
    return out


@functools.lru_cache(maxsize=1)
def national_its() -> EvaluationResult:
    """Interrupted time series of Germany's HzE cases with the break in 2020.

    Counts without population offset (the under-21 population is not published
    for 2019); quasi-Poisson errors with t(3) for interval and p-value (the
    default for fewer than 20 periods), and the interval's coverage measured by
    simulation of this design (three years before the break). Warnings are kept
    on the result (``warnings``, ``warning_categories``), not re-issued.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return interrupted_time_series(national_series(), start_year=2020, year="time",
                                       population=None)


def its_table() -> pd.DataFrame:
    """The national ITS: default inference and alternatives, German, formatted."""
    return national_its().alternatives_table(3)


def graz_baseline() -> pd.DataFrame:
    """Graz 2009 cross-section by Sozialraum with the office opening years."""
    g = load("hze_graz_austria")
    starts = load("reform_starts")
    opened = starts[starts["event"] == "regional_jugendamt_opened"].set_index("area")["year"]
    sr = g[g["area"].str.match(r"Graz SR\d") & (g["year"] == 2009)]
    wide = sr.pivot_table(index="area", columns="indicator", values="value").reset_index()
    wide["start_year"] = wide["area"].map(opened).astype(float)
    wide["year"] = 2009
    return wide


def graz_counts() -> pd.DataFrame:
    """Graz 2009 cases by Sozialraum with German labels (show via case_count_table)."""
    base = graz_baseline().set_index("area")
    counts = base[["ude_unterstuetzung_erziehung", "ve_volle_erziehung",
                   "soziale_dienste"]].astype(int)
    counts.columns = ["Unterstützung der Erziehung", "Volle Erziehung", "Soziale Dienste"]
    counts.index = [
        f"{a.replace('Graz ', '').replace('ue', 'ü')} ({int(base.loc[a, 'start_year'])})"
        for a in counts.index
    ]
    counts.index.name = "Sozialraum (Eröffnung Jugendamt)"
    return counts


def graz_identification_table() -> pd.DataFrame:
    """Table 3 of the chapter: identifiable cohort-year cells, German labels."""
    observed, hypothetical = graz_identification()
    names = {"cohort": "Eröffnungsjahr", "n_areas": "Sozialräume", "years_before": "Jahre davor",
             "years_from_start": "Jahre ab Start", "identifiable_cells": "Zellen schätzbar"}
    return pd.concat({"Daten 2009": observed.rename(columns=names).set_index("Eröffnungsjahr"),
                      "Raster 2004–2018 (gedacht)":
                          hypothetical.rename(columns=names).set_index("Eröffnungsjahr")},
                     names=["Daten", "Eröffnungsjahr"])


def graz_identification() -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a staggered design can identify with the 2009 data, and with a full grid.

    The second table uses a hypothetical yearly grid 2004-2018 (years only, no
    counts) to show which cohort-year cells yearly data would identify.
    """
    base = graz_baseline()
    observed = identification_table(
        base.assign(cases=base["ve_volle_erziehung"], population=1.0)
    )
    grid = pd.DataFrame([(a, y) for a in base["area"] for y in range(2004, 2019)],
                        columns=["area", "year"])
    grid["start_year"] = grid["area"].map(base.set_index("area")["start_year"])
    hypothetical = identification_table(grid)
    return observed, hypothetical


def hamburg_naive() -> EvaluationResult:
    """Hamburg SPFH stock Dec 2010 -> Apr 2012 as a naive pre/post ratio (no comparison)."""
    o = load("hze_other_regions")
    c10 = _value(o, "Hamburg", "spfh31_faelle", 2010)
    c12 = _value(o, "Hamburg", "spfh31_faelle", 2012)
    return exact_rate_ratio(int(c12), 1.0, int(c10), 1.0,
                            design="Hamburg SPFH April 2012 gegen Dezember 2010")


def headline() -> dict[str, float | int | str]:
    """Headline results of the ESPQ chapter (flat, JSON-serialisable)."""
    out: dict[str, float | int | str] = {}
    s = bremen_series().set_index("area")
    out["hb_34_2007"] = int(s.loc["Land Bremen", "count_2007"])
    out["hb_34_2012"] = int(s.loc["Land Bremen", "count_2012"])
    for area, key in (("Land Bremen", "hb"), ("Hamburg", "hh"), ("Berlin", "be"), ("DE", "de")):
        out[f"{key}_34_ratio"] = round(float(s.loc[area, "count_ratio"]), 4)
    hb = load("hze_bremen")
    out["hb_pop_u27_2012"] = int(_value(hb, "Land Bremen", "pop_u27", 2012))
    out["hb_34_rate_2012"] = round(1000 * out["hb_34_2012"] / out["hb_pop_u27_2012"], 3)
    dens = hb[hb["indicator"] == "hze_hilfedichte_per1000_u21"]
    for area, key in (("Stadt Bremen", "hb"), ("Berlin", "be"), ("Hamburg", "hh")):
        out[f"density_2005_{key}"] = _value(dens, area, "hze_hilfedichte_per1000_u21", 2005)
    undated = dens[dens["year"].isna()].set_index("area")["value"]
    out["density_late_hb"] = float(undated["Stadt Bremen"])
    out["density_late_cmp"] = float(undated["14-Grossstaedte-Vergleich"])
    did = bremen_did().set_index("comparator")
    for area, key in (("Hamburg", "hh"), ("Berlin", "be"), ("DE", "de")):
        out[f"did_{key}_irr"] = round(float(did.loc[area, "irr"]), 4)
        out[f"did_{key}_lo"] = round(float(did.loc[area, "ci_low"]), 4)
        out[f"did_{key}_hi"] = round(float(did.loc[area, "ci_high"]), 4)
        out[f"did_{key}_p"] = float(f"{did.loc[area, 'p_value']:.3g}")
        out[f"did_{key}_abs"] = round(float(did.loc[area, "abs_change_per_1000"]), 3)
    ns = national_series()
    out["de_n_years"] = len(ns)
    out["de_first_year"] = int(ns["time"].min())
    out["de_last_year"] = int(ns["time"].max())
    out["de_cases_2019"] = int(ns.loc[ns["time"] == 2019, "cases"].item())
    out["de_cases_2020"] = int(ns.loc[ns["time"] == 2020, "cases"].item())
    out["de_cases_2023"] = int(ns.loc[ns["time"] == 2023, "cases"].item())
    its = national_its()
    slope = its.components["slope"]
    out["its_n_pre"] = int((ns["time"] < 2020).sum())
    out["its_n_post"] = int((ns["time"] >= 2020).sum())
    out["its_level_irr"] = round(its.irr, 4)
    out["its_level_lo"] = round(its.ci_low, 4)
    out["its_level_hi"] = round(its.ci_high, 4)
    out["its_level_p"] = float(f"{its.p_value:.3g}")
    out["its_slope_irr"] = round(slope.irr, 4)
    out["its_slope_lo"] = round(slope.ci_low, 4)
    out["its_slope_hi"] = round(slope.ci_high, 4)
    out["its_pre_trend"] = round(its.pre_trend, 4)
    out["its_df"] = int(its.n_obs - 4)
    out["its_coverage_indep"] = round(its.coverage_measured[0.0], 4)
    out["its_coverage_ar05"] = round(its.coverage_measured[0.5], 4)
    out["its_coverage_ok"] = int(its.coverage_ok)
    hac = its.alternatives.set_index("key").loc["hac"]
    out["its_hac_lo"] = round(float(hac["ci_low"]), 4)
    out["its_hac_hi"] = round(float(hac["ci_high"]), 4)
    out["its_hac_p"] = float(f"{float(hac['p_value']):.3g}")
    graz = graz_baseline()
    out["graz_ve_total"] = int(graz["ve_volle_erziehung"].sum())
    out["graz_n_sr"] = len(graz)
    g = load("hze_graz_austria")
    out["graz_cost_change_pct"] = _value(g, "Graz", "kosten_change_pct_eval")
    obs, hyp = graz_identification()
    out["graz_cells_2009"] = int(obs["identifiable_cells"].sum())
    out["graz_cells_grid"] = int(hyp["identifiable_cells"].sum())
    out["graz_cells_2017_cohort"] = int(
        hyp.loc[hyp["cohort"] == 2017, "identifiable_cells"].sum())
    hh = hamburg_naive()
    out["hh_spfh_irr"] = round(hh.irr, 4)
    out["hh_spfh_lo"] = round(hh.ci_low, 4)
    out["hh_spfh_hi"] = round(hh.ci_high, 4)
    return out


def glue_values() -> dict[str, str | int]:
    """Every number the chapter glues, formatted for readers (keys without prefix)."""
    h = headline()
    out: dict[str, str | int] = {}
    for key in ("hb_34_2007", "hb_34_2012", "hb_pop_u27_2012", "de_cases_2019",
                "de_cases_2020", "de_cases_2023"):
        out[key] = fmt.integer(h[key])
    for key in ("de_n_years", "de_first_year", "de_last_year", "its_n_pre", "its_n_post",
                "graz_ve_total", "graz_n_sr", "graz_cells_2009", "graz_cells_grid",
                "graz_cells_2017_cohort", "its_df"):
        out[key] = int(h[key])
    for key in ("hb", "hh", "be", "de"):
        out[f"{key}_34_pct"] = fmt.number(100 * (h[f"{key}_34_ratio"] - 1), 1, sign=True)
    out["hb_34_ratio"] = fmt.number(h["hb_34_ratio"], 2)
    out["hb_34_rate_2012"] = fmt.number(h["hb_34_rate_2012"], 1)
    for key in ("hh", "be", "de"):
        for part in ("irr", "lo", "hi"):
            out[f"did_{key}_{part}"] = fmt.number(h[f"did_{key}_{part}"], 2)
        out[f"did_{key}_p"] = fmt.p_value(h[f"did_{key}_p"], prefix=False)
        out[f"did_{key}_abs"] = fmt.number(h[f"did_{key}_abs"], 1, sign=True)
    for key in ("its_level_irr", "its_level_lo", "its_level_hi", "its_slope_irr",
                "its_slope_lo", "its_slope_hi", "hh_spfh_irr", "hh_spfh_lo", "hh_spfh_hi",
                "its_hac_lo", "its_hac_hi"):
        out[key] = fmt.number(h[key], 3)
    out["its_level_pct"] = fmt.number(100 * (h["its_level_irr"] - 1), 1, sign=True)
    out["its_pre_trend_pct"] = fmt.number(100 * (h["its_pre_trend"] - 1), 1, sign=True)
    out["its_level_p"] = fmt.p_value(h["its_level_p"], prefix=False)
    out["its_hac_p"] = fmt.p_value(h["its_hac_p"], prefix=False)
    out["its_coverage_indep"] = fmt.percent(h["its_coverage_indep"])
    out["its_coverage_ar05"] = fmt.percent(h["its_coverage_ar05"])
    its = national_its()
    from sozialanalyse.labels import warning_text

    out["its_warning"] = ", ".join(warning_text(c) for c in its.warning_categories) or "keine"
    out["its_coverage_note"] = its.coverage_note or "gesichert"
    for key in ("density_2005_hb", "density_2005_be", "density_2005_hh", "density_late_hb",
                "density_late_cmp"):
        out[key] = fmt.number(h[key], 1)
    for area, start in graz_baseline().set_index("area")["start_year"].items():
        out[f"open_{area.split()[1]}"] = int(start)
    out["graz_cost_pct"] = fmt.number(h["graz_cost_change_pct"], 1)
    out["hh_spfh_pct"] = fmt.number(100 * (h["hh_spfh_irr"] - 1), 1, sign=True)
    return out


#: Measured coverage counts as nominal between these shares (95 % intervals).
NOMINAL_BAND = (0.93, 0.97)


def panel_coverage_records() -> pd.DataFrame:
    """The committed full calibration runs of the panel DiD (``results/coverage_panel*.csv``).

    Simulated 17 areas x 12 years with one, two, three or five model areas, NB2
    overdispersion alpha 0.01/0.05, with and without AR(1) area shocks (see
    :mod:`sozialanalyse.evaluation.calibration`, which writes and reads the files).
    """
    from sozialanalyse.evaluation.calibration import committed_records

    rec = committed_records()
    if rec is None:
        raise FileNotFoundError(
            "results/coverage_panel.csv fehlt: die Abdeckungstabelle der Panel-Verfahren gehört "
            "zum Repositorium (neu erzeugen mit python -m sozialanalyse.evaluation.calibration)")
    return rec


def coverage_table() -> pd.DataFrame:
    """"Wie verlässlich sind die Intervalle?": measured coverage, German, one row per method.

    One row per method and setting: the panel DiD with one, two, three or five model areas
    (range over overdispersion 0.01/0.05 and, where simulated, AR(1) area shocks
    rho 0/0.5, from
    :func:`panel_coverage_records`) and the interrupted time series with 3 + 4
    and 6 + 6 yearly points (range over rho 0/0.5, from
    :func:`sozialanalyse.evaluation.its_coverage_table`). "Standard" marks the
    inference the package chooses by itself for these data.
    """
    from sozialanalyse.evaluation import its_coverage_table
    from sozialanalyse.evaluation.calibration import LABELS_DE
    from sozialanalyse.evaluation.panel_did import auto_inference

    def band(values: pd.Series) -> str:
        lo, hi = float(values.min()), float(values.max())
        return fmt.percent(lo) if fmt.percent(lo) == fmt.percent(hi) else (
            f"{fmt.number(100 * lo, 1)}–{fmt.percent(hi)}")

    def ok(values: pd.Series) -> str:
        inside = values.between(*NOMINAL_BAND)
        return "ja" if inside.all() else "teilweise" if inside.any() else "nein"

    rows = []
    rec = panel_coverage_records()
    default_key = {"randomization": "randomization", "bootstrap": "wild_webb",
                   "cluster": "cluster_t"}
    for (method, n_treated), g in rec.groupby(["method", "n_treated"], sort=False):
        bounded = float(g["bounded"].min())
        rows.append({
            "Verfahren": "Differenz von Differenzen (Panel)",
            "Situation": f"{n_treated} von 17 Gebieten, 12 Jahre",
            "Inferenz": LABELS_DE.get(method, method),
            "Standard": "ja" if default_key[auto_inference(int(n_treated))] == method
            else "nein",
            "Überdeckung": band(g["coverage"]),
            "Intervall begrenzt": band(g["bounded"]) if bounded < 1 else "immer",
            "93–97 % erreicht": ok(g["coverage"]) if bounded >= 0.5 else "nein (unbegrenzt)",
            "Wiederholungen": fmt.integer(int(g["replications"].min())),
        })
    its = its_coverage_table()
    for (_key, n_pre, n_post), g in its.groupby(["method", "n_pre", "n_post"], sort=False):
        rows.append({
            "Verfahren": "Unterbrochene Zeitreihe",
            "Situation": f"{n_pre} + {n_post} Jahre",
            "Inferenz": str(g["inference"].iloc[0]),
            "Standard": "ja" if bool(g["default"].iloc[0]) else "nein",
            "Überdeckung": band(g["coverage_level"]),
            "Intervall begrenzt": "immer",
            "93–97 % erreicht": ok(g["coverage_level"]),
            "Wiederholungen": fmt.integer(int(g["reps"].min())),
        })
    return pd.DataFrame(rows)
