"""Berlin MSS editions from the official definitions, on small synthetic tables computed by hand.

Definitions (presets ``berlin_mss_<edition>``; what is sourced and what is our reading is in the
preset files): z-standardised index indicators with the population standard deviation
(ddof = 0), status index = sum of the z-values, classes by cut-offs in standard deviations of
the index (-1, +1, +1.5; ddof = 0), groups 1-4 (hoch, mittel, niedrig, sehr niedrig) and
dynamics +, +/-, - from the changes over two years. The numbers below are worked out by hand
in the comments; nothing is copied from a run of the code.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.errors import InputDataError
from sozialanalyse.index import Coin, presets
from sozialanalyse.index.published import normalise_code, reproduce_edition

# five indexed areas; one indicator pattern x = (1, 1, 1, 3, 4):
# mean 2, population variance (1+1+1+1+4)/5 = 1.6, sd0 = sqrt(1.6) = 1.26491
# z0 = (-0.79057, -0.79057, -0.79057, 0.79057, 1.58114)
# (sample sd sqrt(8/4) = 1.41421 would give z1 = 1.41421 for the last area: class 3, not 4)
X = [1.0, 1.0, 1.0, 3.0, 4.0]
Z0 = [-1 / math.sqrt(1.6)] * 3 + [1 / math.sqrt(1.6), 2 / math.sqrt(1.6)]
# changes (0, 0, 0, 1, 1): mean 0.4, sd0 = sqrt(0.24) = 0.48990,
# z0 = (-0.81650 x3, 1.22474 x2): dynamics +/- (stable) for the first three, - for the last two
D = [0.0, 0.0, 0.0, 1.0, 1.0]


def _table(edition_codes: tuple[str, ...] = ("S1", "S3", "S4")) -> pd.DataFrame:
    """A Berlin-style published table: 5 indexed areas, one with 250 residents, one placeholder
    row of a non-indexed area (all zeros), ids as text with leading zeros."""
    rows = {
        "id": ["0101", "0102", "0103", "0104", "0105", "0106", "0107"],
        "name": ["Nord", "Ost", "Süd", "West", "Mitte", "Hafen", "1. Park"],
        "EW": [1000, 2000, 1500, 800, 900, 250, 4000],
    }
    for code in edition_codes:
        rows[code] = X + [5.0, 0.0]
        rows["D" + code[1:]] = D + [1.0, 0.0]
    frame = pd.DataFrame(rows)
    frame["status"] = ["2", "2", "2", "2", "4", "", "0"]
    frame["dynamik"] = ["+/-", "+/-", "+/-", "−", "-", "", ""]
    frame["status_dynamik"] = ["2+/-", "2+/-", "2+/-", "2-", "4-", "", ""]
    return frame


def test_hand_computed_z_sum_and_classes_mss_2019() -> None:
    rep = reproduce_edition(_table(), 2019)
    coin = rep.coin
    indexed = ["0101", "0102", "0103", "0104", "0105"]
    z = coin.matrix("normalised").loc[indexed, "arbeitslosigkeit"].to_numpy()
    np.testing.assert_allclose(z, Z0, atol=1e-12)
    # status index = sum of three identical z-values
    np.testing.assert_allclose(coin.index.loc[indexed].to_numpy(), 3 * np.array(Z0),
                               atol=1e-12)
    assert list(coin.class_codes.loc[indexed]) == ["2", "2", "2", "2", "4"]
    assert list(coin.classes.loc[indexed].astype(str)) == ["mittel"] * 4 + ["sehr niedrig"]
    assert list(coin.dynamics_class_codes.loc[indexed]) == ["+/-"] * 3 + ["-", "-"]
    assert list(coin.group_codes.loc[indexed]) == ["2+/-"] * 3 + ["2-", "4-"]
    assert list(coin.groups.loc[indexed])[-1] == "sehr niedrig / negativ"
    assert rep.exact
    assert rep.agreement.loc["status", "n_agree"] == 5
    assert rep.agreement.loc["group", "share"] == 1.0


def test_exclusions_are_reported_never_zeros() -> None:
    rep = reproduce_edition(_table(), "berlin_mss_2019")
    ex = rep.coin.excluded_areas.set_index("area")
    assert ex.loc["0106", "grund"] == "weniger als 300 Einwohner (250)"
    assert ex.loc["0107", "grund"].startswith("Platzhalterzeile")
    # the named MSS 2019 outlier is recorded although this table does not contain it
    assert ex.loc["10010203", "reason"].startswith("named, not in data")
    assert "0107" not in rep.coin.index.index  # the zero row is not an area with zero burden
    assert rep.table.loc["0107", "excluded"].startswith("Platzhalterzeile")
    assert rep.table.loc["0107", "status"] == ""
    assert "ausgeschlossen: " in rep.notes[0] and "0106 (Grund: weniger als 300" in rep.notes[0]
    log = rep.coin.log.set_index("step").loc["screen", "parameters"]
    assert '"min_population": 300' in log and "10010203" in log
    assert rep.table.loc["0107", "name"] == "1. Park"  # names stay text
    assert rep.table.index[0] == "0101"  # ids stay text with their leading zero


def test_population_sd_matters_for_the_classes() -> None:
    """With the sample SD (ddof = 1) the last area falls to class 3: the preset must use 0."""
    rep = reproduce_edition(_table(), 2019)
    coin = rep.coin.copy().set("normalise", ddof=1).set("classify", ddof=1)
    assert coin.class_codes.loc["0105"] == "3"
    assert rep.coin.class_codes.loc["0105"] == "4"
    p = presets.load_preset("berlin_mss_2019")["steps"]
    assert p["normalise"]["ddof"]["value"] == 0 and p["classify"]["ddof"]["value"] == 0
    assert p["dynamics"]["ddof"]["value"] == 0
    assert p["aggregate"]["scale"]["value"] == "sum"


def test_cut_off_exactly_one_sd_belongs_to_the_upper_class() -> None:
    # x = (0, 0, 0, 1, 1, 1) + 1: mean 1.5, sd0 = 0.5, z0 = -1 / +1 exactly
    frame = pd.DataFrame({"id": [f"{i}" for i in range(6)], "EW": [500] * 6})
    for c in ("S1", "S3", "S4"):
        frame[c] = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    rep = reproduce_edition(frame, 2021, name=None)
    assert list(rep.coin.class_codes) == ["2", "2", "2", "3", "3", "3"]
    assert rep.coin.dynamics is None  # no D columns: no dynamics, said in the notes
    assert "Dynamik nicht berechnet" in rep.notes[-1]


def test_given_changes_equal_changes_computed_from_two_years() -> None:
    rng = np.random.default_rng(3)
    areas = [f"P{i:02d}" for i in range(12)]
    rows = []
    start = {a: rng.uniform(2, 20, 3) for a in areas}
    end = {a: start[a] + rng.normal(0, 1, 3) for a in areas}
    names = ["arbeitslosigkeit", "transferbezug", "kinderarmut"]
    for a in areas:
        rows.append({"area": a, "year": 2016, "indicator": "einwohner", "value": 1000.0})
        rows.append({"area": a, "year": 2018, "indicator": "einwohner", "value": 1000.0})
        for j, n in enumerate(names):
            rows.append({"area": a, "year": 2016, "indicator": n, "value": start[a][j]})
            rows.append({"area": a, "year": 2018, "indicator": n, "value": end[a][j]})
            rows.append({"area": a, "year": 2018, "indicator": f"d_{n}",
                         "value": end[a][j] - start[a][j]})
    data = pd.DataFrame(rows)
    computed = Coin.from_preset("berlin_mss_2019", data).set("screen", exclude_areas=None)
    given = computed.copy().set("dynamics", given={n: f"d_{n}" for n in names})
    pd.testing.assert_frame_equal(computed.matrix("change"), given.matrix("change"),
                                  check_names=False)
    pd.testing.assert_series_equal(computed.dynamics, given.dynamics)
    assert list(computed.group_codes) == list(given.group_codes)


def test_editions_have_their_indicator_sets() -> None:
    codes = {pid: [i["code"] for i in presets.load_preset(pid)["indicators"]]
             for pid in presets.editions("berlin_mss")}
    assert codes["berlin_mss_2013"] == codes["berlin_mss_2015"] == codes["berlin_mss_2017"] \
        == ["S1", "S2", "S3", "S4"]
    assert codes["berlin_mss_2019"] == codes["berlin_mss_2021"] == ["S1", "S3", "S4"]
    assert codes["berlin_mss_2023"] == ["S1", "S2", "S3", "S4"]
    s2 = {pid: presets.load_preset(pid)["indicators"][1]["indicator"]
          for pid in ("berlin_mss_2017", "berlin_mss_2023")}
    assert s2 == {"berlin_mss_2017": "langzeitarbeitslosigkeit",
                  "berlin_mss_2023": "kinder_alleinerziehende"}
    assert presets.load_preset("berlin_mss")["id"] == "berlin_mss_2021"


def test_reproduce_mss_2017_with_four_indicators() -> None:
    frame = _table(("S1", "S2", "S3", "S4"))
    rep = reproduce_edition(frame, 2017)
    assert rep.exact
    assert set(rep.coin.indicators) == {"arbeitslosigkeit", "langzeitarbeitslosigkeit",
                                        "transferbezug", "kinderarmut"}
    # four identical z-values: index = 4 z
    assert rep.coin.index.loc["0105"] == pytest.approx(4 * Z0[-1])


def test_disagreement_is_counted_and_words_are_understood() -> None:
    frame = _table()
    frame["status"] = ["mittel", "mittel", "hoch", "mittel", "sehr niedrig", "", ""]
    rep = reproduce_edition(frame, 2019, published_dynamics="dynamik")
    assert rep.agreement.loc["status", "n_agree"] == 4
    assert rep.agreement.loc["status", "n_compared"] == 5
    assert not rep.exact
    assert not rep.table.loc["0103", "status_agrees"]
    assert rep.table.loc["0104", "status_agrees"]
    assert rep.summary().loc["Statusgruppe", "Anteil"].startswith("80,0")


def test_missing_indicator_column_is_named() -> None:
    frame = _table().drop(columns="S3")
    with pytest.raises(InputDataError, match="S3"):
        reproduce_edition(frame, 2019)


@pytest.mark.parametrize("raw, code", [("2.0", "2"), (2, "2"), ("+/−", "+/-"), (" - ", "-"),
                                       (0, ""), ("", ""), (float("nan"), ""), ("2+/-", "2+/-")])
def test_published_codes_are_normalised(raw, code) -> None:
    assert normalise_code(raw) == code


def test_simulated_berlin_table_is_reproduced_exactly_and_only_with_ddof_0() -> None:
    from sozialanalyse.index.toy import berlin_style_table

    table = berlin_style_table(n_areas=40, seed=2019)
    rep = reproduce_edition(table, 2021)
    assert rep.exact
    assert rep.agreement.loc["group", "n_compared"] == 39
    placeholder = table["id"].iloc[-1]
    assert rep.table.loc[placeholder, "excluded"].startswith("Platzhalterzeile")
    sample_sd = rep.coin.copy().set("normalise", ddof=1).set("classify", ddof=1).set(
        "dynamics", ddof=1)
    differs = (sample_sd.class_codes != rep.coin.class_codes).sum() + \
        (sample_sd.dynamics_class_codes != rep.coin.dynamics_class_codes).sum()
    assert differs >= 1


def test_published_z_values_are_compared_and_headers_matched_loosely() -> None:
    frame = _table()
    frame["z_S1"] = [*Z0, 0.0, 0.0]
    frame["D1_z"] = [-0.8164966, -0.8164966, -0.8164966, 1.2247449, 1.2247449, 0.0, 0.0]
    frame = frame.rename(columns={"status": "Statusindex (Gruppe)",
                                  "dynamik": "Dynamikindex (Gruppe)",
                                  "status_dynamik": "Status/Dynamik-Index (Gruppe)"})
    rep = reproduce_edition(frame, 2019)
    assert rep.exact and rep.agreement.loc["group", "n_agree"] == 5
    assert rep.z_max_diff["S1"] < 1e-12
    assert rep.z_max_diff["D1"] < 1e-6
