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

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from sozialanalyse.data import load
from sozialanalyse.evaluation import (
    EffectEstimate,
    exact_rate_ratio,
    identification_table,
    index_to_base,
    interrupted_time_series,
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


def bremen_did() -> pd.DataFrame:
    """Ratio of count ratios, Land Bremen against each comparator, with exact interval.

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
    rows = []
    for area in COMPARATORS:
        cr = float(s.loc[area, "count_ratio"])
        irr = own.irr / cr
        p = stats.binomtest(int(b12), int(b12 + b07), cr / (1 + cr)).pvalue
        rows.append(EffectEstimate(
            design=f"2 x 2 DiD Land Bremen vs {area} (§34, 2007-2012)",
            irr=irr, ci_low=own.ci_low / cr, ci_high=own.ci_high / cr, p_value=float(p),
            log_irr=float(np.log(irr)),
            abs_change_per_1000=absolute_change_per_1000(rate12, irr),
            model="exact conditional binomial (Bremen only)", n_obs=4,
            notes=("ratio of count ratios; equal population change assumed; "
                   "comparison ratio treated as fixed; 2012 population used for the rate",),
        ).to_dict() | {"comparator": area})
    return pd.DataFrame(rows)


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


def national_its(**kwargs: object):
    """Interrupted time series of Germany's HzE cases with the break in 2020.

    Counts without population offset (the under-21 population is not published
    for every year); warns about the short pre-period.
    """
    return interrupted_time_series(national_series(), 2020, population=None, **kwargs)


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


def hamburg_naive() -> EffectEstimate:
    """Hamburg SPFH stock Dec 2010 -> Apr 2012 as a naive pre/post ratio (no comparison)."""
    o = load("hze_other_regions")
    c10 = _value(o, "Hamburg", "spfh31_faelle", 2010)
    c12 = _value(o, "Hamburg", "spfh31_faelle", 2012)
    return exact_rate_ratio(int(c12), 1.0, int(c10), 1.0,
                            design="Hamburg SPFH Apr 2012 vs Dec 2010")


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        its = national_its()
    out["its_n_pre"] = int((ns["time"] < 2020).sum())
    out["its_n_post"] = int((ns["time"] >= 2020).sum())
    out["its_level_irr"] = round(its.level.irr, 4)
    out["its_level_lo"] = round(its.level.ci_low, 4)
    out["its_level_hi"] = round(its.level.ci_high, 4)
    out["its_level_p"] = float(f"{its.level.p_value:.3g}")
    out["its_slope_irr"] = round(its.slope.irr, 4)
    out["its_slope_lo"] = round(its.slope.ci_low, 4)
    out["its_slope_hi"] = round(its.slope.ci_high, 4)
    out["its_pre_trend"] = round(its.pre_trend, 4)
    out["its_maxlags"] = its.maxlags
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


def fmt(value: float, digits: int = 2, *, sign: bool = False) -> str:
    """German number format: decimal comma, dot as thousands separator, true minus sign."""
    text = f"{value:{'+' if sign else ''},.{digits}f}"
    text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text.replace("-", "\u2212")


def fmt_p(p: float) -> str:
    """p-value in German notation (``< 0,001`` for tiny values)."""
    return "< 0,001" if p < 0.001 else fmt(p, 3)
