"""Presets run end to end: the Dresden-style preset on the real open data, Hamburg on
simulated data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialanalyse.index import Coin, presets


def _dresden_stadtraeume() -> pd.DataFrame:
    from sozialanalyse.data import load

    sr = load("dresden_stadtraum_indicators")
    sr = sr[sr["area_level"] == "stadtraum"].rename(columns={"area_code": "area"})
    return sr[["area", "year", "indicator", "value"]]


def test_dresden_style_preset_matches_the_derived_data():
    data = _dresden_stadtraeume()
    wanted = {i["indicator"] for i in presets.load_preset("dresden_style")["indicators"]}
    assert wanted <= set(data["indicator"])
    coin = Coin.from_preset("dresden_style", data).set("select", year=2024)
    assert len(coin.index) == 17
    assert coin.ranks.min() == 1 and coin.ranks.max() == 17
    # z-scores with equal weights: the index of the 17 Stadträume averages to zero
    assert abs(coin.index.mean()) < 1e-12


def test_hamburg_preset_on_simulated_data():
    rng = np.random.default_rng(21)
    p = presets.load_preset("hamburg_sozialmonitoring")
    names = [i["indicator"] for i in p["indicators"]]
    rows = []
    for year in (2019, 2020, 2021, 2022):
        for a in range(30):
            rows.append({"area": f"S{a:02d}", "year": year, "indicator": "einwohner",
                         "value": float(200 + 100 * a)})
            rows += [{"area": f"S{a:02d}", "year": year, "indicator": n,
                      "value": float(rng.uniform(1, 40))} for n in names]
    coin = Coin.from_preset(p, pd.DataFrame(rows))
    assert set(coin.excluded_areas["area"]) == {"S00"}  # 200 residents < 300
    assert coin.group_matrix().shape == (4, 3)
    assert coin.params["dynamics"]["k"] == 3
    assert coin.log.set_index("step").loc["normalise", "parameters"].startswith(
        '{"method": "zscore"')


def test_dresden_style_labour_dimension_cites_the_derived_sources():
    from sozialanalyse.data import load

    p = presets.load_preset("dresden_style")
    ind = {i["indicator"]: i for i in p["indicators"]}
    lab = ind["arbeitslosenquote_sgb2_stb"]
    assert lab["dimension"] == "Arbeitsmarkt" and lab["direction"] == 1
    assert lab["direction_source"] == presets.OUR_READING
    assert "Stadtbezirk" in p["description"] and "Stadtbezirk" in lab["label"]
    # the source ids the derived table gives for 2016 are the ones the preset cites
    sr = load("dresden_stadtraum_indicators")
    row = sr[(sr["indicator"] == "arbeitslosenquote_sgb2_stb") & (sr["year"] == 2016)]
    derived_ids = set(row["source_id"].iloc[0].split("; "))
    assert derived_ids <= set(lab["source"].split("; ")) <= set(p["sources"])
    # no origin-based burden indicator
    assert not any(i.startswith(("auslaender", "migrationshintergrund")) for i in ind)
    assert {i["dimension"] for i in p["indicators"]} == {"Familie", "Einkommen", "Arbeitsmarkt"}
