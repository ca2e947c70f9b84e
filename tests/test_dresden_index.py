"""Tests of the Dresden index analysis on the real open data (data/derived, data/published)."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sozialanalyse.analyses import dresden_index as dd  # noqa: E402
from sozialanalyse.errors import MethodError  # noqa: E402
from sozialanalyse.index import plots  # noqa: E402
from sozialanalyse.index.uncertainty import run_monte_carlo  # noqa: E402


def test_index_years_have_all_17_stadtraeume() -> None:
    years = dd.index_years()
    assert len(years) >= 2 and years == sorted(years)
    panel = dd.index_panel()
    counts = panel.groupby("year")["area"].nunique()
    assert (counts == 17).all()
    # every year's index is a mean of z-scores: it averages to 0 over the 17 areas
    np.testing.assert_allclose(panel.groupby("year")["index"].mean(), 0.0, atol=1e-12)


def test_monte_carlo_nominal_equals_coin_index() -> None:
    year = dd.latest_year()
    mc = dd.monte_carlo(year)
    coin_index = dd.coin(year).index.reindex(mc.areas)
    np.testing.assert_allclose(mc.nominal_scores.to_numpy(), coin_index.to_numpy(), atol=1e-12)
    # and the matrix fast path with the Coin's effective weights gives the same nominal index
    x, d, w = dd.mc_inputs(year)
    s = run_monte_carlo(x, d, n_draws=1, nominal_weights=w).nominal_scores
    np.testing.assert_allclose(s.to_numpy(), coin_index.to_numpy(), atol=1e-12)


def test_priority_table_consistent_with_ranks() -> None:
    pri = dd.priority_table()
    assert pri["priority"].sum() == dd.PRIORITY_K
    assert ((pri["p_priority"] >= 0) & (pri["p_priority"] <= 1)).all()
    assert pri["p_priority"].sum() == pytest.approx(dd.PRIORITY_K)


def test_published_inputs_read_from_data_published() -> None:
    raw = pd.read_csv(dd.ROOT / "data" / "published" / "dresden_jugendhilfe.csv")
    row = raw[(raw["area_code"] == "SR16") & (raw["indicator"] == "hze_je_1000_jungeinwohner")]
    hze = dd.gorbitz_hze()
    assert hze["gorbitz"] == float(row["value"].iloc[0])
    assert hze["ratio"] == pytest.approx(hze["gorbitz"] / hze["city"])
    types = dd.published_types()
    assert set(types.unique()) <= {"A", "B", "C", "D", "E"}
    assert set(dd.published_reference_areas()) <= set(types.index)


def test_sign_convention_uses_our_index() -> None:
    s = dd.sign_convention()
    idx = dd.coin(dd.STUDY_YEAR).index
    assert s["ours_a"] == pytest.approx(idx["SR04"])
    assert 0 <= s["p_a_above_b"] <= 1
    assert 0 <= s["years_a_above_b"] <= s["n_years"]


def test_reference_rule_check_one_pick_per_rule_and_type() -> None:
    ref = dd.reference_rule_check()
    assert ref.groupby("rule")["type"].nunique().eq(dd.published_types().nunique()).all()
    # each pick is a member of its type
    types = dd.published_types()
    assert all(types[a] == t for a, t in zip(ref["area"], ref["type"], strict=True))


def test_stadtteil_map_covers_64_stadtteile() -> None:
    geo = dd.stadtteil_map()
    assert len(geo) == 64
    assert geo["index"].notna().all()
    # non-residential Stadtteile have no foreign share of their own
    assert geo["auslaender_anteil"].isna().sum() == 3


def test_headline_is_flat_json_and_plausible() -> None:
    h = dd.headline()
    json.dumps(h)
    assert h["n_stadtraeume"] == 17
    for key in ("p_priority_top1", "sign_p_sr04_above_sr14", "gorbitz_p_top3_2018"):
        assert 0 <= h[key] <= 1
    assert 1 <= h["gorbitz_rank_2018"] <= 17
    assert -1 <= h["types_ari"] <= 1
    ranks = sorted(v for k, v in h.items() if k.startswith("rank_sr"))
    assert ranks == list(range(1, 18))
    p = [v for k, v in h.items() if k.startswith("p_priority_sr")]
    assert sum(p) == pytest.approx(dd.PRIORITY_K, abs=0.01)


def test_plots_return_figures() -> None:
    mc = dd.monte_carlo()
    names = dd.stadtraum_names()
    figs = [
        plots.rank_uncertainty(mc.summary(k=3), names),
        plots.probability_bars(mc.priority_probability(3), names),
        plots.index_trend(dd.index_panel(), ["SR16"], names),
    ]
    t = dd.status_dynamics_table()
    figs.append(plots.class_matrix(t["status"], t["dynamics_class"], names))
    for fig in figs:
        assert fig.axes
        matplotlib.pyplot.close(fig)


def test_labour_dimension_is_a_stadtbezirk_value() -> None:
    c = dd.coin(dd.latest_year())
    assert c.dimension_of[dd.LABOUR_INDICATOR] == dd.LABOUR_DIMENSION
    assert c.dimension_of.nunique() == 3
    rate = c.matrix("imputed")[dd.LABOUR_INDICATOR]
    stb = dd.stadtbezirke()
    # Stadträume of one Stadtbezirk share one value; SR 04 (two Stadtbezirke) has its own
    for _, areas in stb.groupby(stb).groups.items():
        assert rate[list(areas)].nunique() == 1
    assert "/" in stb["SR04"]
    assert dd.labour_distinct_values() == stb.nunique() == 11


def test_index_with_and_without_labour_by_hand() -> None:
    year = dd.latest_year()
    d = dd.stadtraum_data()
    wide = d[d["year"] == year].pivot(index="area", columns="indicator", values="value")
    z = (wide - wide.mean()) / wide.std(ddof=1)
    fam = (z["anteil_alleinerziehende"] + z["anteil_kinder_bei_alleinerziehenden"]) / 2
    inc = (z["kbu_anteil_geringes_einkommen"] - z["kbu_aequivalenzeinkommen"]) / 2
    lab = z[dd.LABOUR_INDICATOR]
    eff = dd.dimension_effect(year)
    np.testing.assert_allclose(eff["index_without"], ((fam + inc) / 2)[eff.index], atol=1e-12)
    np.testing.assert_allclose(eff["index"], ((fam + inc + lab) / 3)[eff.index], atol=1e-12)
    assert (eff["rank_change"] == eff["rank_without"] - eff["rank"]).all()
    with pytest.raises(MethodError, match="no dimension"):
        dd.preset_without("Gesundheit")


def test_monte_carlo_has_draws_with_and_without_the_labour_dimension() -> None:
    mc = dd.monte_carlo(dd.latest_year())
    without = dd.draws_without(mc)
    j = mc.draws.indicators.index(dd.LABOUR_INDICATOR)
    assert (mc.draws.weights[without, j] == 0).all()
    assert (mc.draws.weights[~without, j] > 0).all()
    # all-or-drop-one over 5 indicators: the labour dimension is absent in 1 of 6 draws
    n, p = len(without), 1 / 6
    assert abs(without.mean() - p) < 4 * np.sqrt(p * (1 - p) / n)
    bands = dd.rank_bands_by_dimension(dd.latest_year())
    assert sorted(bands["median_rank_with"].round()) == pytest.approx(list(range(1, 18)), abs=1)


def test_reference_rule_ties_are_reported() -> None:
    h = dd.headline()
    hits = dd.reference_rule_check().groupby("rule")["study_choice"].sum()
    best = h["ref_rules_best"].split(", ")
    assert set(best) == set(hits.index[hits == hits.max()])
    assert h["ref_rule_tie"] == (len(best) > 1)
    assert h["ref_rule_best_hits"] == hits.max()


def test_class_matrix_shows_every_area_once_with_counts() -> None:
    t = dd.status_dynamics_table()
    short = pd.Series({a: f"SR {a[2:]}" for a in t.index})
    fig = plots.class_matrix(t["status"], t["dynamics_class"], short, per_line=3)
    texts = [x.get_text() for x in fig.axes[0].texts]
    labels = [s for x in texts for line in x.split("\n") for s in line.split(", ") if "SR" in s]
    assert sorted(labels) == sorted(short)
    counts = [int(x) for x in texts if x.isdigit()]
    assert sum(counts) == 17
    assert min(x.get_fontsize() for x in fig.axes[0].texts) >= 10
    matplotlib.pyplot.close(fig)


def test_map_labels_each_stadtraum_inside_it() -> None:
    from shapely.geometry import Point

    geo = dd.stadtteil_map()
    fig = plots.choropleth(geo, "index", label_by="area",
                           label_text=pd.Series({a: a[2:] for a in geo["area"].unique()}))
    ann = [a for a in fig.axes[0].texts]
    assert sorted(a.get_text() for a in ann) == sorted(a[2:] for a in geo["area"].unique())
    merged = geo.dissolve(by="area")
    for a in ann:
        assert merged.loc["SR" + a.get_text(), "geometry"].contains(Point(a.xy))
    matplotlib.pyplot.close(fig)


def test_cached_results_are_copies() -> None:
    """headline(), index_panel() and load() are computed once, but callers get copies."""
    h = dd.headline()
    h["n_stadtraeume"] = -1
    assert dd.headline()["n_stadtraeume"] == 17
    panel = dd.index_panel()
    panel["index"] = 0.0
    assert (dd.index_panel()["index"] != 0.0).any()
    years = dd.index_years()
    years.clear()
    assert dd.index_years()


def test_simplified_map_outlines_keep_areas_and_shared_borders() -> None:
    import geopandas as gpd

    raw = gpd.read_file(dd.ROOT / "data" / "raw" / "dresden-geo" / "stadtteile.geojson")
    geo = dd.stadtteil_map()
    assert geo.geometry.is_valid.all()
    a_raw = raw.to_crs(25833).area.to_numpy()
    a_new = geo.to_crs(25833).area.to_numpy()
    # every Stadtteil keeps its area within 1 %, the city within 0.01 %
    assert np.all(np.abs(a_new - a_raw) / a_raw < 0.01)
    assert abs(a_new.sum() - a_raw.sum()) / a_raw.sum() < 1e-4
    # shared borders stay shared: merging by Stadtraum leaves one polygon without holes
    # from slivers for each of the 17 Stadträume (no gaps between simplified neighbours)
    merged = geo.dissolve(by="area")
    assert len(merged) == 17
    gaps = merged.geometry.union_all().area - geo.geometry.union_all().area
    assert abs(gaps) < 1e-12
    holes = sum(len(p.interiors) for g in geo.dissolve().geometry
                for p in getattr(g, "geoms", [g]))
    raw_holes = sum(len(p.interiors) for g in raw.dissolve().geometry
                    for p in getattr(g, "geoms", [g]))
    assert holes <= raw_holes
