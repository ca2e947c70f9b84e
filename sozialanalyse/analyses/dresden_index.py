"""Dresden: a social-burden index of the 17 Stadträume from open data, with its uncertainty.

The chapter ``book/dresden_index.ipynb`` calls these functions. The index is the package's
Dresden-style preset (:mod:`sozialanalyse.presets`, ``dresden_style``: single parents, low
income and SGB II unemployment in three dimensions, z-scores, equal weights, arithmetic means)
computed with the
:class:`~sozialanalyse.index.Coin` for every year in which all its indicators are published
for all 17 Stadträume. Around it: dynamics and the status x dynamics classes, Ward types
compared with the Stadtraumtypen of the 2017 study, a Monte Carlo over method choices (rank
bands, probability of being a priority area), Sobol' sensitivity indices, a rule for the
study's reference areas, and the honest comparison with the two index values and the Gorbitz
HzE rate that were published.

Nothing here reproduces Dresden's own Prekarisierungsindex: its components, weights and sign
convention are not public (``data/published/dresden_stadtraum_2017.csv``, notes).
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sozialanalyse.data import load as _load_dataset
from sozialanalyse.errors import MethodError
from sozialanalyse.index import Coin
from sozialanalyse.index.presets import load_preset, preset_meta
from sozialanalyse.index.priority import (
    REFERENCE_HOW,
    PriorityRule,
    apply_rule,
    best_rules,
    reference_areas,
    rule_probability,
)
from sozialanalyse.index.sensitivity import coin_rank_sensitivity
from sozialanalyse.index.typology import (
    cluster_stability,
    compare_with_reference,
    ward_types,
)
from sozialanalyse.index.uncertainty import ChoiceSpace, MonteCarloResult, coin_inputs

PRESET = "dresden_style"
STUDY_YEAR = 2016
"""Data year closest to the 2017 study (the study's own data date is not stated)."""
GORBITZ_YEAR = 2018
"""Year of the published Gorbitz HzE rate (PR_ASD_GORBITZ_2018)."""
DYNAMICS_K = 4
N_TYPES = 5
"""The study names types A to E."""
PRIORITY_K = 3
"""Priority areas: the top fifth of 17 Stadträume (rounded), our reading."""
CERTAIN = 0.9
"""A Stadtraum counts as a certain priority area if its probability is at least this."""
UNCERTAIN_LOW = 0.1
"""... and as method-dependent if its probability lies between this and ``CERTAIN``."""
STABILITY_SUBSAMPLE = 0.8
STABILITY_NOISE = 0.1
N_DRAWS = 2_000
SEED = 2017
GORBITZ = "SR16"
LABOUR_DIMENSION = "Arbeitsmarkt"
"""Dimension whose only indicator is a Stadtbezirk value assigned to the Stadträume."""
LABOUR_INDICATOR = "arbeitslosenquote_sgb2_stb"
STUDY_PUBLISHED = ("SR04", "SR14")
ROOT = Path(__file__).resolve().parents[2]
FACTOR_LABELS_DE: dict[str, str] = {
    "outlier": "Ausreißerregel",
    "normalisation": "Normierung",
    "aggregation": "Aggregation",
    "indicator_set": "Indikatorenauswahl",
    "weights": "Gewichte",
}
"""German labels of the Monte Carlo factors for the book."""


# ------------------------------------------------------------------------------------ data


@cache
def _dataset(name: str) -> pd.DataFrame:
    return _load_dataset(name)


def load(name: str) -> pd.DataFrame:
    """A dataset of the package, read and validated once per process (a fresh copy)."""
    return _dataset(name).copy()


@lru_cache(maxsize=1)
def stadtraum_data() -> pd.DataFrame:
    """Tidy ``area``, ``year``, ``indicator``, ``value`` for the 17 Stadträume (``SR01``...)."""
    sr = load("dresden_stadtraum_indicators")
    sr = sr.loc[sr["area_level"] == "stadtraum"]
    out = pd.DataFrame(
        {
            "area": "SR" + sr["area_code"].astype(str).str.zfill(2),
            "year": sr["year"].astype(int),
            "indicator": sr["indicator"],
            "value": sr["value"].astype(float),
        }
    )
    return out.reset_index(drop=True)


@lru_cache(maxsize=1)
def stadtraum_names() -> pd.Series:
    """Short display name by area, e.g. ``"SR 16 Gorbitz"`` (parenthesised parts dropped)."""
    sr = load("dresden_stadtraum_indicators")
    sr = sr.loc[sr["area_level"] == "stadtraum", ["area_code", "area_name"]].drop_duplicates()
    code = sr["area_code"].astype(str).str.zfill(2)
    name = sr["area_name"].str.replace(r"\s*\(.*\)", "", regex=True)
    return pd.Series(
        [f"SR {c} {n}" for c, n in zip(code, name, strict=True)], index="SR" + code, name="name"
    ).sort_index()


def index_years() -> list[int]:
    """Years in which every indicator of the preset is published for all 17 Stadträume."""
    return list(_index_years())


@lru_cache(maxsize=1)
def _index_years() -> tuple[int, ...]:
    d = stadtraum_data()
    indicators = list(preset_meta(load_preset(PRESET))["indicator"])
    d = d.loc[d["indicator"].isin(indicators)].dropna(subset=["value"])
    counts = d.groupby("year")["area"].count()
    return tuple(sorted(int(y) for y, n in counts.items() if n == 17 * len(indicators)))


def _coin(year: int, k: int | None = None) -> Coin:
    coin = Coin.from_preset(PRESET, stadtraum_data())
    coin.set("select", year=year)
    coin.set("dynamics", k=k)
    return coin.regenerate()


@lru_cache(maxsize=16)
def coin(year: int, k: int | None = None) -> Coin:
    """The Dresden-style Coin for one status year (and dynamics window ``k`` years)."""
    return _coin(year, k)


def preset_without(dimension: str) -> dict:
    """The preset with every indicator of ``dimension`` removed (sources and steps kept)."""
    preset = load_preset(PRESET)
    kept = [i for i in preset["indicators"] if i["dimension"] != dimension]
    if len(kept) == len(preset["indicators"]):
        raise MethodError(f"the preset '{PRESET}' has no dimension '{dimension}'")
    return {**preset, "indicators": kept}


@lru_cache(maxsize=16)
def coin_without(year: int, dimension: str = LABOUR_DIMENSION) -> Coin:
    """The Coin of ``year`` without one dimension (e.g. the index before Arbeitsmarkt)."""
    c = Coin.from_preset(preset_without(dimension), stadtraum_data())
    c.set("select", year=year)
    return c.regenerate()


def dimension_effect(year: int | None = None, dimension: str = LABOUR_DIMENSION
                     ) -> pd.DataFrame:
    """Index and rank of every Stadtraum with and without ``dimension``.

    Columns ``index``, ``rank`` (full preset), ``index_without``, ``rank_without`` and
    ``rank_change`` (positive = the dimension moves the area up towards rank 1), plus the
    dimension's own score ``dimension_score``.
    """
    year = year or latest_year()
    full, without = coin(year), coin_without(year, dimension)
    out = pd.DataFrame({"index": full.index, "rank": full.ranks})
    out["index_without"] = without.index.reindex(out.index)
    out["rank_without"] = without.ranks.reindex(out.index)
    out["rank_change"] = out["rank_without"] - out["rank"]
    out["dimension_score"] = full.dimensions[dimension].reindex(out.index)
    out.insert(0, "name", out.index.map(stadtraum_names()))
    return out.sort_values("rank")


def stadtbezirke() -> pd.Series:
    """Stadtbezirk(e) of each Stadtraum as text (SR 04 spans two), from the crosswalk."""
    cw = load("dresden_crosswalk")[["stadtraum_code", "stadtbezirk"]].drop_duplicates()
    cw["area"] = "SR" + cw["stadtraum_code"].astype(str).str.zfill(2)
    return cw.groupby("area")["stadtbezirk"].agg(lambda b: " / ".join(sorted(b))).rename(
        "stadtbezirk")


def labour_table(year: int | None = None) -> pd.DataFrame:
    """Per Stadtraum: Stadtbezirk, the assigned SGB II rate and the rank with and without it."""
    year = year or latest_year()
    eff = dimension_effect(year)
    out = eff[["name", "rank_without", "rank"]].copy()
    out.insert(1, "stadtbezirk", out.index.map(stadtbezirke()))
    out.insert(2, "rate", coin(year).matrix("imputed")[LABOUR_INDICATOR].reindex(out.index))
    return out


def labour_move(year: int | None = None) -> dict:
    """The Stadtraum whose rank the Arbeitsmarkt dimension moves most: name, ranks without and
    with it, its Stadtbezirk and the other Stadträume of that Stadtbezirk (display names)."""
    lab = labour_table(year)
    area = (lab["rank_without"] - lab["rank"]).abs().idxmax()
    row = lab.loc[area]
    peers = lab.index[(lab["stadtbezirk"] == row["stadtbezirk"]) & (lab.index != area)]
    return {"area": area, "name": row["name"], "rank_without": int(row["rank_without"]),
            "rank": int(row["rank"]), "stadtbezirk": row["stadtbezirk"],
            "peers": [stadtraum_names()[p] for p in peers]}


def status_dynamics_members(year: int | None = None, k: int = DYNAMICS_K) -> pd.DataFrame:
    """Short Stadtraum labels (``SR 16``) in every status x dynamics cell, highest status
    first (:func:`sozialanalyse.index.dynamics.group_members`)."""
    from sozialanalyse.index.dynamics import group_members

    c = coin(year or latest_year(), k)
    short = stadtraum_names().str.replace(r"^SR (\d+) .*$", r"SR \1", regex=True)
    order = c.ranks.sort_values(kind="stable").index
    members = group_members(c.classes.loc[order], c.dynamics_classes, short)
    return members.iloc[::-1]


def labour_distinct_values(year: int | None = None) -> int:
    """Number of distinct values of the Stadtbezirk unemployment rate among the 17 Stadträume."""
    year = year or latest_year()
    return int(coin(year).matrix("imputed")[LABOUR_INDICATOR].round(9).nunique())


def latest_year() -> int:
    """Latest year with a complete index."""
    return index_years()[-1]


def index_panel() -> pd.DataFrame:
    """Index, rank and status class of every Stadtraum in every index year (tidy)."""
    return _index_panel().copy()


@lru_cache(maxsize=1)
def _index_panel() -> pd.DataFrame:
    rows = []
    for y in index_years():
        t = coin(y).table()
        rows.append(pd.DataFrame({"area": t.index, "year": y, "index": t["index"].to_numpy(),
                                  "rank": t["rank"].to_numpy(),
                                  "status": t["status"].astype(str).to_numpy()}))
    out = pd.concat(rows, ignore_index=True)
    out["name"] = out["area"].map(stadtraum_names())
    return out


def status_dynamics_table(year: int | None = None, k: int = DYNAMICS_K) -> pd.DataFrame:
    """One row per Stadtraum: index, rank, status, dynamics over ``k`` years, group."""
    year = year or latest_year()
    t = coin(year, k).table().copy()
    t.insert(0, "name", t.index.map(stadtraum_names()))
    return t.sort_values("rank")


# ---------------------------------------------------------------------- uncertainty inputs


def mc_inputs(year: int) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Indicator matrix, directions and effective nominal weights of the year's Coin.

    The effective weight of an indicator is its weight within its dimension times the
    dimension's weight, so that the nominal Monte Carlo draw (z-scores, arithmetic mean)
    reproduces the Coin's index exactly.
    """
    return coin_inputs(coin(year))


@lru_cache(maxsize=8)
def monte_carlo(year: int | None = None, n_draws: int = N_DRAWS, seed: int = SEED,
                progress: bool = False) -> MonteCarloResult:
    """Monte Carlo over the Coin's own method choices (default :class:`ChoiceSpace`)."""
    year = year or latest_year()
    return coin(year).uncertainty(n_draws, seed=seed, progress=progress)


def draws_without(mc: MonteCarloResult, dimension: str = LABOUR_DIMENSION) -> np.ndarray:
    """Boolean per draw: the draw leaves out every indicator of ``dimension``.

    The default :class:`ChoiceSpace` keeps all indicators or leaves one out, each equally
    likely; a one-indicator dimension such as Arbeitsmarkt is therefore absent from about
    one draw in (number of indicators + 1).
    """
    meta = preset_meta(load_preset(PRESET)).set_index("indicator")["dimension"]
    members = [i for i, d in meta.items() if d == dimension]
    idx = [mc.draws.indicators.index(i) for i in members]
    w = mc.draws.weights[:, idx]
    return np.all(w == 0.0, axis=1)


def rank_bands_by_dimension(year: int | None = None, dimension: str = LABOUR_DIMENSION
                            ) -> pd.DataFrame:
    """Median rank per Stadtraum in the draws with and without ``dimension``."""
    mc = monte_carlo(year or latest_year())
    without = draws_without(mc, dimension)
    out = pd.DataFrame({"median_rank_with": np.median(mc.ranks[~without], axis=0),
                        "median_rank_without": np.median(mc.ranks[without], axis=0)},
                       index=mc.areas)
    out.insert(0, "name", out.index.map(stadtraum_names()))
    return out


def uncertainty_table(year: int | None = None, n_draws: int = N_DRAWS,
                      seed: int = SEED) -> pd.DataFrame:
    """Rank band and priority probability (top ``PRIORITY_K``) per Stadtraum."""
    mc = monte_carlo(year, n_draws, seed)
    s = mc.summary(k=PRIORITY_K)
    s.insert(0, "name", s.index.map(stadtraum_names()))
    return s


def sensitivity(year: int | None = None, n_base: int = 512, seed: int = SEED) -> pd.DataFrame:
    """Sobol' indices of the mean absolute rank shift with respect to each method choice."""
    return _sensitivity(year or latest_year(), n_base, seed).copy()


@lru_cache(maxsize=4)
def _sensitivity(year: int, n_base: int, seed: int) -> pd.DataFrame:
    return coin_rank_sensitivity(coin(year), n_base=n_base, seed=seed, space=ChoiceSpace())


def priority_rule() -> PriorityRule:
    """Need-only rule: the ``PRIORITY_K`` Stadträume with the highest index.

    Open data give no supply per Stadtraum (facilities or staff), so the supply condition
    the rule module supports cannot be applied to Dresden here.
    """
    return PriorityRule(top_k=PRIORITY_K, name=f"top {PRIORITY_K}")


def priority_table(year: int | None = None) -> pd.DataFrame:
    """The rule applied to the nominal index, with the Monte Carlo probability per area."""
    year = year or latest_year()
    out = apply_rule(coin(year).index, priority_rule())
    out["p_priority"] = rule_probability(monte_carlo(year), priority_rule())
    out.insert(0, "name", out.index.map(stadtraum_names()))
    return out


def uncertain_priority(pri: pd.DataFrame) -> pd.Index:
    """Areas whose priority status depends on the method (``UNCERTAIN_LOW < p < CERTAIN``)."""
    p = pri["p_priority"]
    return pri.index[(p > UNCERTAIN_LOW) & (p < CERTAIN)]


# ------------------------------------------------------------------------ types, reference


def published_types() -> pd.Series:
    """Stadtraumtyp (C, D, E) of the 11 Stadträume the 2017 study lists (seed document)."""
    m = load("dresden_stadtraum_merkmale")
    t = m.loc[m["attribute"] == "stadtraumtyp"].set_index("area_code")["value_text"]
    return t.rename("published_type")


def published_reference_areas() -> list[str]:
    """The study's three reference areas (Bezugsräume)."""
    m = load("dresden_stadtraum_merkmale")
    return sorted(m.loc[m["attribute"] == "bezugsraum_2017", "area_code"])


def types(year: int = STUDY_YEAR, k: int = N_TYPES) -> pd.Series:
    """Ward types on the year's z-scores (type 1 = highest mean index)."""
    c = coin(year)
    return ward_types(c.matrix("normalised"), k, burden=c.index)


def type_comparison(year: int = STUDY_YEAR, k: int = N_TYPES) -> dict:
    """Our Ward types against the study's types C/D/E on the Stadträume both classify."""
    return compare_with_reference(types(year, k), published_types())


@lru_cache(maxsize=4)
def type_stability(year: int = STUDY_YEAR, k: int = N_TYPES, n_replicates: int = 200,
                   seed: int = SEED):
    """Subsampling stability (80 % of Stadträume, noise 0.1 sd) of the Ward types.

    Computed once per process and argument set; treat the result as read-only.
    """
    return cluster_stability(coin(year).matrix("normalised"), k, n_replicates=n_replicates,
                             subsample=STABILITY_SUBSAMPLE, noise_sd=STABILITY_NOISE, seed=seed)


def reference_rule_check(year: int = STUDY_YEAR) -> pd.DataFrame:
    """Which reference-area rule, applied to the study's types, picks the study's areas?

    Returns one row per rule and type with the area the rule picks and whether it is the
    study's reference area.
    """
    chosen = set(published_reference_areas())
    rows = []
    for how in REFERENCE_HOW:
        ref = reference_areas(published_types(), coin(year).index, how=how)
        for typ, r in ref.iterrows():
            rows.append({"rule": how, "type": typ, "area": r["area"],
                         "name": stadtraum_names()[r["area"]],
                         "study_choice": r["area"] in chosen})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ published comparisons


def published_index() -> pd.Series:
    """The two Prekarisierungsindex values printed in the 2017 study (SR 4, SR 14)."""
    p = load("dresden_stadtraum_2017")
    p = p.loc[p["indicator"] == "prekarisierungsindex"]
    return p.set_index("area_code")["value"].astype(float).rename("published")


def sign_convention(year: int = STUDY_YEAR) -> dict:
    """Compare the published values of SR 4 and SR 14 with our index.

    Returns our index values, the published values, and the share of Monte Carlo draws (and
    of index years) in which SR 4 is more burdened than SR 14 in our index. If SR 4 is the
    more burdened area while its published value is the lower one, the published scale runs
    the other way (higher = less burden) or measures something else.
    """
    pub = published_index()
    ours = coin(year).index
    a, b = STUDY_PUBLISHED
    mc = monte_carlo(year)
    ia, ib = mc.areas.get_loc(a), mc.areas.get_loc(b)
    panel = index_panel().pivot(index="year", columns="area", values="index")
    return {
        "ours_a": float(ours[a]), "ours_b": float(ours[b]),
        "pub_a": float(pub[a]), "pub_b": float(pub[b]),
        "p_a_above_b": float((mc.scores[:, ia] > mc.scores[:, ib]).mean()),
        "years_a_above_b": int((panel[a] > panel[b]).sum()), "n_years": len(panel),
        "abs_diff_reversed_a": abs(float(ours[a]) + float(pub[a])),
        "abs_diff_reversed_b": abs(float(ours[b]) + float(pub[b])),
    }


def gorbitz_hze() -> dict:
    """Published HzE rate of Gorbitz and of the city (per 1,000 residents aged 0-20, 2018)."""
    j = load("dresden_jugendhilfe")
    j = j.loc[j["indicator"] == "hze_je_1000_jungeinwohner"]
    g = float(j.loc[j["area_code"] == GORBITZ, "value"].iloc[0])
    city = float(j.loc[j["area_level"] == "city", "value"].iloc[0])
    return {"gorbitz": g, "city": city, "ratio": g / city}


# -------------------------------------------------------------------------------- maps


def stadtteil_year() -> int:
    """The (only) year of the Stadtteil figures in the open data."""
    st = load("dresden_stadtteil_wide")
    return int(st["year"].max())


#: Tolerance (degrees, about 7 m) of the map outlines' simplification: far below one pixel
#: of the book's maps, and shared borders stay shared (coverage simplification).
MAP_SIMPLIFY_TOLERANCE = 1e-4


@lru_cache(maxsize=1)
def _stadtteil_geometry():
    """The 64 Stadtteile (read once), outlines simplified as one coverage for drawing."""
    import geopandas as gpd
    import shapely

    geo = gpd.read_file(ROOT / "data" / "raw" / "dresden-geo" / "stadtteile.geojson")
    geo["geometry"] = shapely.coverage_simplify(geo.geometry.values, MAP_SIMPLIFY_TOLERANCE)
    return geo


def stadtteil_map(year: int | None = None):
    """GeoDataFrame of the 64 Stadtteile with their Stadtraum's index and own foreign share.

    Stadtteile carry the index of the Stadtraum they belong to (76 Strehlen, split between
    SR 11 and SR 12, is drawn with SR 12, where most of its residents live); the foreign
    share (2025) is the Stadtteil's own value and is missing for the three non-residential
    Stadtteile.
    """
    import geopandas as gpd

    from sozialanalyse.data.crosswalk import stadtraum_of_stadtteil

    year = year or latest_year()
    geo = gpd.GeoDataFrame(_stadtteil_geometry().copy())
    cw = load("dresden_crosswalk")
    sr_of = stadtraum_of_stadtteil(cw)
    geo["stadtteil_code"] = geo["blocknr"].astype(str).str.zfill(2)
    geo["area"] = "SR" + geo["stadtteil_code"].map(sr_of).astype(str).str.zfill(2)
    idx = coin(year).index
    geo["index"] = geo["area"].map(idx)
    geo["sr_name"] = geo["area"].map(stadtraum_names())
    tt = types()
    geo["type"] = geo["area"].map(tt).map(lambda t: f"Typ {t}" if pd.notna(t) else None)
    st = load("dresden_stadtteil_wide")
    st = st.loc[(st["area_level"] == "stadtteil") & (st["year"] == stadtteil_year())]
    st = st.set_index("area_code")["auslaender_anteil"]
    geo["auslaender_anteil"] = geo["stadtteil_code"].map(st)
    return geo


# ------------------------------------------------------------------------------ headline


def headline() -> dict[str, float | int | str]:
    """The chapter's headline results, flat and JSON-serialisable.

    Summary figures plus, per Stadtraum (``sr01`` ...), the latest rank, status and dynamics
    class, the Ward type of the study year and the priority probability. Computed once per
    process (the notebook and ``reproduce`` share it); the caller gets a copy.
    """
    return dict(_headline())


@lru_cache(maxsize=1)
def _headline() -> dict[str, float | int | str]:
    years = index_years()
    latest = years[-1]
    t = status_dynamics_table(latest)
    unc = uncertainty_table(latest)
    pri = priority_table(latest)
    si = sensitivity(latest)
    cmp_types = type_comparison()
    stab = type_stability()
    sign = sign_convention()
    hze = gorbitz_hze()
    ref = reference_rule_check()
    ref_hits = ref.groupby("rule")["study_choice"].sum().reindex(list(REFERENCE_HOW))
    ref_best = best_rules(ref_hits)
    gorbitz_rank_hze_year = int(coin(GORBITZ_YEAR).ranks[GORBITZ])
    mc_g = monte_carlo(GORBITZ_YEAR)
    eff = dimension_effect(latest)
    panel = index_panel()
    top2 = panel.loc[panel["rank"] <= 2].groupby("year")["area"].apply(frozenset)
    ward_study = types()
    type1 = ward_study.index[ward_study == 1]
    mc_latest = monte_carlo(latest)
    n_without = int(draws_without(mc_latest).sum())
    out: dict[str, float | int | str] = {
        "n_stadtraeume": int(len(t)),
        "n_indicators": int(len(coin(latest).indicators)),
        "n_dimensions": int(coin(latest).dimension_of.nunique()),
        "labour_distinct_values": labour_distinct_values(latest),
        "labour_max_rank_change": int(eff["rank_change"].abs().max()),
        "labour_max_rank_change_name": str(eff["name"][eff["rank_change"].abs().idxmax()]),
        "labour_spearman": round(float(eff["index"].corr(eff["index_without"],
                                                         method="spearman")), 3),
        "mc_share_without_labour": round(n_without / len(mc_latest.draws), 3),
        "first_year": years[0],
        "latest_year": latest,
        "n_years": len(years),
        "top1_name": str(t["name"].iloc[0]),
        "top1_index": round(float(t["index"].iloc[0]), 3),
        "top2_name": str(t["name"].iloc[1]),
        "top2_index": round(float(t["index"].iloc[1]), 3),
        "bottom_name": str(t["name"].iloc[-1]),
        "bottom_index": round(float(t["index"].iloc[-1]), 3),
        "n_years_same_top2": int((top2 == top2.iloc[-1]).sum()),
        "n_type1_with_published_type": int(type1.isin(published_types().index).sum()),
        "n_status_hoch": int((t["status"].astype(str) == "hoch").sum()),
        "n_dyn_negativ": int((t["dynamics_class"].astype(str) == "negativ").sum()),
        "n_draws": int(N_DRAWS),
        "p_priority_top1": round(float(pri["p_priority"].iloc[0]), 3),
        "n_priority_certain": int((pri["p_priority"] >= CERTAIN).sum()),
        "n_priority_uncertain": int(uncertain_priority(pri).size),
        "max_band_width": int((unc["rank_hi"] - unc["rank_lo"]).max()),
        "max_band_name": str(unc.loc[(unc["rank_hi"] - unc["rank_lo"]).idxmax(), "name"]),
        "sens_top_factor": str(si.index[0]),
        "sens_top_st": round(float(si["ST"].iloc[0]), 3),
        "types_n_common": int(cmp_types["n_common"]),
        "types_ari": round(float(cmp_types["ari"]), 3),
        "types_stability_ari": round(stab.mean_ari, 3),
        "sign_ours_sr04": round(sign["ours_a"], 3),
        "sign_ours_sr14": round(sign["ours_b"], 3),
        "sign_pub_sr04": sign["pub_a"],
        "sign_pub_sr14": sign["pub_b"],
        "sign_p_sr04_above_sr14": round(sign["p_a_above_b"], 3),
        "sign_years_sr04_above_sr14": sign["years_a_above_b"],
        "gorbitz_hze_rate": hze["gorbitz"],
        "city_hze_rate": hze["city"],
        "gorbitz_hze_ratio": round(hze["ratio"], 2),
        "gorbitz_rank_2018": gorbitz_rank_hze_year,
        "gorbitz_p_top3_2018": round(float(mc_g.priority_probability(PRIORITY_K)[GORBITZ]), 3),
        "ref_rules_best": ", ".join(str(r) for r in ref_best),
        "ref_rule_tie": len(ref_best) > 1,
        "ref_rule_best_hits": int(ref_hits.max()),
        "study_year": STUDY_YEAR,
    }
    ward = types()
    for area in sorted(t.index):
        code = area.lower()
        out[f"rank_{code}"] = int(t.loc[area, "rank"])
        out[f"status_{code}"] = str(t.loc[area, "status"])
        out[f"dynamics_{code}"] = str(t.loc[area, "dynamics_class"])
        out[f"type_{code}"] = int(ward[area])
        out[f"p_priority_{code}"] = round(float(pri.loc[area, "p_priority"]), 3)
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in out.items()}
