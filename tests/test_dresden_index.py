"""Tests of the Dresden index analysis on the real open data (data/derived, data/published)."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sozialanalyse.analyses import dresden_index as dd  # noqa: E402
from sozialanalyse.index import plots  # noqa: E402
from sozialanalyse.index.uncertainty import scores_for_choice  # noqa: E402


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
    # and the pandas per-draw pipeline gives the same nominal index
    x, d, w = dd.mc_inputs(year)
    s = scores_for_choice(x, d, outlier="none", normalisation="zscore",
                          aggregation="arithmetic", weights=w)
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
