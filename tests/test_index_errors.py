"""Errors of the index pipeline: each names the indicator, dimension, area or years."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index import Coin
from sozialanalyse.index.aggregate import aggregate_array
from sozialanalyse.index.normalise import normalise_array
from sozialanalyse.index.presets import check_preset, load_preset
from sozialanalyse.index.toy import toy_data
from sozialanalyse.index.weights import dimension_weights, manual_weights


def _data(values_b=(4.0, 3.0, 2.0, 1.0), years=None):
    rows = []
    for year in years or [None]:
        for area, a, b in zip("wxyz", (1.0, 2.0, 3.0, 5.0), values_b, strict=True):
            for ind, v in (("alpha", a), ("beta", b)):
                row = {"area": area, "indicator": ind, "value": v}
                if year is not None:
                    row["year"] = year
                rows.append(row)
    return pd.DataFrame(rows)


META = pd.DataFrame({"indicator": ["alpha", "beta"], "dimension": ["D", "D"],
                     "direction": [1, -1]})


def test_zero_variance_indicator_is_named():
    coin = Coin(_data(values_b=(2.0, 2.0, 2.0, 2.0)), META)
    with pytest.raises(MethodError, match="E-METHOD-001.*Indikator 'beta': keine Streuung"):
        coin.regenerate()
    with pytest.raises(MethodError, match="'col_b'"):
        normalise_array(np.array([[1.0, 3.0], [2.0, 3.0]]), "rank", names=["col_a", "col_b"])


def test_all_missing_column_is_named():
    data = _data(values_b=(np.nan,) * 4)
    coin = Coin(data, META).set("impute", method="mean")
    with pytest.raises(MethodError, match="E-METHOD-003.*'beta': alle Werte fehlen"):
        coin.regenerate()
    with pytest.raises(MethodError, match="'second': alle Werte fehlen"):
        normalise_array(np.array([[1.0, np.nan], [2.0, np.nan]]), names=["first", "second"])


def test_missing_cell_without_imputation_names_area_and_indicator():
    coin = Coin(_data(values_b=(4.0, np.nan, 2.0, 1.0)), META)
    with pytest.raises(MethodError, match="Gebiet 'x': Indikator 'beta': Wert fehlt"):
        coin.regenerate()


def test_weights_not_summing_to_one_name_the_dimension():
    dim_of = pd.Series({"alpha": "Arbeit", "beta": "Arbeit"})
    with pytest.raises(MethodError, match="Dimension 'Arbeit'.*alpha, beta ergeben 0,9, nicht 1"):
        manual_weights(dim_of, {"alpha": 0.5, "beta": 0.4})
    with pytest.raises(MethodError, match="E-META-003.*Indikator 'beta': kein Gewicht"):
        manual_weights(dim_of, {"alpha": 1.0})
    with pytest.raises(MethodError, match="Dimensionsgewichte.*ergeben 1,2, nicht 1"):
        dimension_weights(["A", "B"], {"A": 0.6, "B": 0.6})
    coin = Coin(_data(), META).set("weight", method="manual", weights={"alpha": 0.7, "beta": 0.7})
    with pytest.raises(MethodError, match="Dimension 'D'"):
        coin.regenerate()


def test_negative_weight_is_named():
    with pytest.raises(MethodError, match="E-METHOD-004.*'beta'.*nicht negativ"):
        manual_weights(pd.Series({"alpha": "D", "beta": "D"}), {"alpha": 1.5, "beta": -0.5})


def test_unknown_direction_names_the_indicator():
    meta = META.assign(direction=[1, "up"])
    with pytest.raises(MethodError, match="E-META-002.*Indikator 'beta': unbekannte Richtung 'up'"):
        Coin(_data(), meta)
    with pytest.raises(MethodError, match="'c2': unbekannte Richtung 0"):
        normalise_array(np.eye(3)[:, :2], directions=[1, 0], names=["c1", "c2"])


def test_dynamics_window_longer_than_data_names_the_years():
    coin = Coin(_data(years=[2020, 2021, 2022]), META).set("dynamics", k=5)
    with pytest.raises(MethodError, match=r"5 Jahren \(2017–2022\).*2020–2022 abdecken.*k ≤ 2"):
        coin.regenerate()


def test_unknown_method_names_and_parameters_stop_at_set():
    coin = Coin(_data(), META)
    with pytest.raises(MethodError, match="Unbekannter Schritt 'normalize'; erlaubt: select"):
        coin.set("normalize", method="zscore")
    with pytest.raises(MethodError, match="Schritt 'normalise' hat keinen Parameter 'kind'; "
                                          "Parameter: method, ddof"):
        coin.set("normalise", kind="zscore")
    # an unknown value fails at set(), not later, and names the allowed values
    with pytest.raises(MethodError, match="Wert 'foo' ist nicht möglich; erlaubt: 'zscore', "
                                          "'minmax', 'rank', 'percentile', 'distance'"):
        coin.set("normalise", method="foo")
    with pytest.raises(MethodError, match="'ddof'.*erlaubt: 0, 1"):
        coin.set("classify", ddof=2)
    with pytest.raises(MethodError, match="streng aufsteigende"):
        coin.set("classify", cutoffs=(1.0, -1.0))
    with pytest.raises(MethodError, match="'scale'.*erlaubt: 'mean', 'sum'"):
        coin.set("aggregate", scale="total")
    with pytest.raises(MethodError, match="'k'.*ganze Zahl ≥ 1"):
        coin.set("dynamics", k=0)
    assert coin.history == []  # refused changes are not recorded
    assert coin.params["normalise"]["method"] == "zscore"


def test_geometric_mean_refuses_non_positive_values():
    with pytest.raises(MethodError, match="'neg'.*größer als null"):
        aggregate_array(np.array([[1.0, -1.0]]), [0.5, 0.5], "geometric", names=["pos", "neg"])
    coin = Coin(_data(), META).set("aggregate", within="geometric")
    with pytest.raises(MethodError, match="geometrische Mittel braucht Werte größer als null"):
        coin.regenerate()  # z-scores are negative for some areas


def test_screening_without_population_variable():
    coin = Coin(_data(), META).set("screen", min_population=300)
    with pytest.raises(MethodError, match="population_variable"):
        coin.regenerate()


def test_input_errors_name_column_and_row():
    data = _data()
    with pytest.raises(InputDataError, match="Spalte 'value'"):
        Coin(data.drop(columns="value"), META)
    bad = data.copy()
    bad["value"] = bad["value"].astype(object)
    bad.loc[2, "value"] = "n/a"
    with pytest.raises(InputDataError, match="E-VAL-002.*Spalte 'value', Gebiet 'x': "
                                             "Indikator 'alpha': der Wert 'n/a' ist keine "
                                             "Zahl") as err:
        Coin(bad, META)
    assert "Zeile" not in str(err.value)  # no internal row number of the tidy table
    dup = pd.concat([data, data.iloc[[5]]], ignore_index=True)
    with pytest.raises(InputDataError, match="E-AREA-002.*Gebiet 'y': Indikator 'beta'.* zweimal"):
        Coin(dup, META)
    with pytest.raises(InputDataError, match="E-META-007.*Indikator 'gamma' hat keine Werte"):
        Coin(data, pd.concat([META, pd.DataFrame({"indicator": ["gamma"], "dimension": ["D"],
                                                   "direction": [1]})]))


def test_missing_denominator_is_named():
    data, meta = toy_data()
    data = data[data["indicator"] != "einwohner_u15"]
    with pytest.raises(InputDataError, match="E-COL-001.*Nenner 'einwohner_u15' des "
                                             "Indikators 'kinderarmut'"):
        Coin(data, meta).regenerate()


def test_preset_elements_without_source_are_rejected():
    preset = load_preset("berlin_mss_2019")
    preset["steps"]["screen"]["min_population"]["source"] = "nobody2020"
    with pytest.raises(InputDataError, match="min_population.*'nobody2020'"):
        check_preset(preset)
    preset = load_preset("berlin_mss_2017")
    preset["indicators"][1]["direction_source"] = "unknown"
    with pytest.raises(InputDataError, match="'langzeitarbeitslosigkeit'.*direction_source"):
        check_preset(preset)
    with pytest.raises(InputDataError, match=r"E-META-005.*Unbekannte Vorgabe \(Preset\) 'paris'"):
        load_preset("paris")


def test_status_year_without_indicator_values_is_named():
    data = _data(years=[2020, 2021])
    extra = pd.DataFrame({"area": list("wxyz"), "year": 2023, "indicator": "pop",
                          "value": [500.0] * 4})
    coin = Coin(pd.concat([data, extra], ignore_index=True), META).set("select", year=2023)
    with pytest.raises(MethodError, match="Keine Indikatorwerte im Statusjahr 2023"):
        coin.regenerate()
    with pytest.raises(MethodError, match="Jahr 2019 ist nicht in den Daten"):
        coin.set("select", year=2019).regenerate()


def test_population_counts_go_through_the_one_count_validator():
    """Residents are counts: negative or fractional values are refused, naming the area."""
    pop = pd.DataFrame({"area": list("wxyz"), "indicator": "pop", "value": [500.0, -3, 400, 800]})
    with pytest.raises(InputDataError, match="E-VAL-004.*Gebiet 'x': Indikator 'pop': eine "
                                             "Einwohnerzahl kann nicht negativ sein"):
        Coin(pd.concat([_data(), pop], ignore_index=True), META, population_variable="pop")
    pop["value"] = [500.0, 2.5, 400, 800]
    with pytest.raises(InputDataError, match="E-VAL-004.*Gebiet 'x'.*ganze Zahl"):
        Coin(pd.concat([_data(), pop], ignore_index=True), META, population_variable="pop")
    pop["value"] = [500.0, np.nan, 0, 800]  # missing and zero (placeholder rows) are allowed
    Coin(pd.concat([_data(), pop], ignore_index=True), META, population_variable="pop")
