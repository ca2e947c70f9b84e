"""German tables of the index for readers: no raw code values reach a reader."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sozialanalyse.index import Coin, presets, report
from sozialanalyse.index.published import reproduce_edition
from sozialanalyse.index.toy import berlin_style_table, toy_data

RAW = re.compile(r"\b(True|False|None|null|nan|our reading|arithmetic|geometric|zscore|"
                 r"minmax|percentile|sum|left|right)\b|[\[\]{}]")


def _cells(frame) -> list[str]:
    return [str(v) for v in frame.to_numpy().ravel()] + [str(c) for c in frame.columns]


@pytest.mark.parametrize("pid", presets.list_presets(aliases=False))
def test_preset_elements_are_german(pid: str) -> None:
    table = report.preset_elements(pid)
    assert list(table.columns) == ["Art", "Element", "Wert", "Quelle"]
    raw = [c for c in _cells(table[["Art", "Wert"]]) if RAW.search(c)]
    assert not raw, raw[:5]
    sourced = presets.preset_table([pid])
    assert (table["Quelle"] == "unsere Lesart").sum() == (~sourced["sourced"]).sum()


def test_preset_overview_counts() -> None:
    overview = report.preset_overview()
    assert "Berlin MSS 2019" in overview.index
    assert overview.loc["Berlin MSS 2019", "Indikatoren"] == "S1, S3, S4"
    assert overview.loc["Berlin MSS 2013", "Indikatoren"] == "S1, S2, S3, S4"


def test_method_log_and_exclusions_are_german() -> None:
    data, meta = toy_data(n_areas=10, seed=3)
    coin = Coin(data, meta, population_variable="einwohner").set(
        "screen", min_population=300).set("impute", method="median").set(
        "aggregate", scale="sum").set("classify", ddof=0)
    log = report.method_log(coin)
    raw = [c for c in _cells(log) if RAW.search(c)]
    assert not raw, raw[:5]
    assert "Summe" in set(log["Wert"]) and "Grundgesamtheit (n)" in set(log["Wert"])
    ex = report.exclusions(coin)
    assert list(ex.columns) == ["Gebiet", "Grund"]
    assert ex["Grund"].str.startswith("weniger als 300 Einwohner").all()


def test_value_de() -> None:
    assert report.value_de([-1.0, 1.0, 1.5]) == "−1; 1; 1,5"
    assert report.value_de(["hoch", "mittel"]) == "hoch, mittel"
    assert report.value_de(True) == "ja" and report.value_de(None) == "keine"
    assert report.value_de(1.0, "min_availability").startswith("100")
    assert report.value_de(0, "ddof") == "Grundgesamtheit (n)"


def test_reproduction_table_is_german() -> None:
    rep = reproduce_edition(berlin_style_table(n_areas=20, seed=5), 2021)
    table = report.reproduction(rep)
    assert "Status (veröffentlicht)" in table.columns
    assert table["Einwohner"].iloc[0].replace("\u202f", "").isdigit()
    summary = rep.summary()
    assert summary.loc["Statusgruppe", "Anteil"].startswith("100,0")


def test_group_members_match_group_matrix() -> None:
    from sozialanalyse.index.dynamics import group_members

    data, meta = toy_data(n_areas=14, seed=5)
    coin = Coin(data, meta).set("impute", method="median").set("dynamics", k=2)
    counts = coin.group_matrix()
    members = group_members(coin.classes, coin.dynamics_classes, empty="–")
    assert members.shape == counts.shape
    for s in counts.index:
        for d in counts.columns:
            cell = members.loc[s, d]
            n = 0 if cell == "–" else len(cell.split(", "))
            assert n == counts.loc[s, d]
    table = report.comparison(coin.compare(coin.with_params("normalise", method="rank")))
    assert list(table.columns) == ["Rang vorher", "Rang nachher", "Verschiebung",
                                   "Klasse vorher", "Klasse nachher"]


def test_unformatted_tables_keep_numbers_for_csv() -> None:
    """``formatted=False`` leaves numbers numeric (book.table formats them, the CSV is raw)."""
    import pandas as pd

    from sozialanalyse.index import report

    overview = report.preset_overview(formatted=False)
    assert pd.api.types.is_integer_dtype(overview["Elemente"])
    assert overview["Anteil belegt"].between(0, 1).all()
    shown = report.preset_overview()
    assert shown["Anteil belegt"].str.endswith("%").all()
    rep = reproduce_edition(berlin_style_table(n_areas=20, seed=5), 2021)
    raw = report.reproduction(rep, formatted=False)
    assert pd.api.types.is_float_dtype(raw["Statusindex"])
    assert pd.api.types.is_integer_dtype(raw["Einwohner"])
    data, meta = toy_data(n_areas=14, seed=5)
    coin = Coin(data, meta).set("impute", method="median")
    cmp = report.comparison(coin.compare(coin.with_params("normalise", method="rank")),
                            formatted=False)
    assert pd.api.types.is_integer_dtype(cmp["Verschiebung"])


def test_reproduction_overview_counts_and_german_numbers() -> None:
    folder = Path(__file__).parent / "fixtures" / "berlin_mss_2019"
    table = pd.read_csv(folder / "mss2019_planungsraeume.csv", dtype=str, keep_default_na=False)
    zvalues = pd.read_csv(folder / "mss2019_zwerte.csv", dtype=str, keep_default_na=False)
    with_z = reproduce_edition(table.merge(zvalues, on="id", how="left").fillna(""), 2019,
                               name=None)
    without_z = reproduce_edition(table, 2019, name=None)
    numbers = report.reproduction_overview({2019: with_z, "ohne z": without_z},
                                           formatted=False)
    assert numbers.loc["2019", ["Planungsräume", "indexiert", "Statusgruppe gleich",
                                "Dynamikgruppe gleich", "ausgeschlossen"]].tolist() == [
        447, 436, 436, 436, 11]
    assert 0 < numbers.loc["2019", "größte z-Abweichung"] < 1e-5  # five-decimal rounding
    assert numbers.loc["ohne z", "größte z-Abweichung"] != numbers.loc[
        "ohne z", "größte z-Abweichung"]  # NaN: the table has no z columns
    text = report.reproduction_overview({2019: with_z, "ohne z": without_z})
    assert text.loc["2019", "Statusgruppe gleich"] == "436 von 436"
    assert text.loc["2019", "größte z-Abweichung"].startswith("0,0000")
    assert text.loc["ohne z", "größte z-Abweichung"] == ""
    assert not [c for c in _cells(text) if RAW.search(c)]
