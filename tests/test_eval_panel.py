"""Bad-panel errors of the one panel validator: each names file, column, row and code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialanalyse.errors import InputDataError
from sozialanalyse.evaluation import add_treatment, validate_panel
from sozialanalyse.validation import DEFAULT_MAX_RATE


def good_panel() -> pd.DataFrame:
    rows = []
    for area, start in (("Walle", 2009), ("Rest", np.nan)):
        for year in range(2006, 2012):
            rows.append({"area": area, "year": year, "cases": 10 + year - 2006,
                         "population": 1000.0, "start_year": start})
    return pd.DataFrame(rows)


def test_good_panel_passes_and_is_sorted() -> None:
    p = validate_panel(good_panel().sample(frac=1.0, random_state=1), file="x.csv")
    assert list(p.columns) == ["area", "year", "cases", "population", "start_year"]
    assert p["area"].tolist()[:6] == ["Rest"] * 6
    assert p["year"].is_monotonic_increasing is False  # sorted within area, not globally
    assert p.groupby("area")["year"].apply(lambda s: s.is_monotonic_increasing).all()
    assert p["cases"].dtype == np.int64
    t = add_treatment(p)
    walle = t[t["area"] == "Walle"]
    assert walle["post"].tolist() == [0, 0, 0, 1, 1, 1]
    assert walle["event_time"].tolist() == [-3, -2, -1, 0, 1, 2]
    assert t.loc[t["area"] == "Rest", "post"].sum() == 0


def test_renamed_columns() -> None:
    df = good_panel().rename(columns={"cases": "faelle", "population": "einwohner_u21"})
    p = validate_panel(df, columns={"cases": "faelle", "population": "einwohner_u21"})
    assert p["cases"].sum() == df["faelle"].sum()


def raises(df: pd.DataFrame, column: str, row: int | None, text: str, code: str,
           **kwargs: object) -> InputDataError:
    with pytest.raises(InputDataError) as info:
        validate_panel(df, file="panel.csv", **kwargs)
    err = info.value
    assert err.file == "panel.csv"
    assert err.column == column
    assert err.row == row
    assert err.code == code
    assert text in str(err)
    assert str(err).startswith(f"Fehler {code} (InputDataError): Datei 'panel.csv'")
    return err


def test_missing_column() -> None:
    raises(good_panel().drop(columns="population"), "population", None, "fehlt", "E-COL-001")


def test_missing_year() -> None:
    df = good_panel().drop(index=3)  # Walle 2009
    err = raises(df, "year", None, "fehlt die Zeile des Jahres 2009", "E-PANEL-001")
    assert err.area == "Walle"


def test_duplicated_area_year() -> None:
    df = pd.concat([good_panel(), good_panel().iloc[[2]]], ignore_index=True)
    raises(df, "year", 13, "zweimal (auch in Zeile 3)", "E-AREA-002")


def test_negative_count() -> None:
    df = good_panel()
    df.loc[4, "cases"] = -1
    raises(df, "cases", 5, "negativ", "E-VAL-004")


def test_non_integer_count() -> None:
    df = good_panel()
    df["cases"] = df["cases"].astype(float)
    df.loc[7, "cases"] = 3.5
    raises(df, "cases", 8, "ganze Zahl", "E-VAL-004")


def test_zero_population() -> None:
    df = good_panel()
    df.loc[9, "population"] = 0
    raises(df, "population", 10, "größer als null", "E-VAL-005")


def test_empty_count() -> None:
    df = good_panel()
    df["cases"] = df["cases"].astype(float)
    df.loc[1, "cases"] = np.nan
    raises(df, "cases", 2, "leer", "E-VAL-001")


def test_non_integer_year() -> None:
    df = good_panel()
    df["year"] = df["year"].astype(float)
    df.loc[0, "year"] = 2006.5
    raises(df, "year", 1, "keine gültige Jahreszahl", "E-VAL-006")


@pytest.mark.parametrize("start", [2006, 2005, 2012])
def test_start_year_outside_data(start: int) -> None:
    df = good_panel()
    df.loc[df["area"] == "Walle", "start_year"] = start
    raises(df, "start_year", 1, "außerhalb der Daten", "E-PANEL-005")


def test_start_year_varies_within_area() -> None:
    df = good_panel()
    df.loc[5, "start_year"] = 2010
    raises(df, "start_year", 1, "mehr als ein Startjahr", "E-PANEL-005")


def test_require_start() -> None:
    df = good_panel().drop(columns="start_year")
    with pytest.raises(InputDataError, match="Startjahr"):
        validate_panel(df, require_start=True)
    df["start_year"] = np.nan
    with pytest.raises(InputDataError, match="kein Gebiet hat ein Startjahr"):
        validate_panel(df, require_start=True)


@settings(max_examples=40, deadline=None)
@given(
    n_areas=st.integers(1, 5),
    n_years=st.integers(2, 8),
    counts=st.lists(st.integers(0, 120), min_size=40, max_size=40),
    drop=st.integers(0, 39),
)
def test_property_valid_panels_pass_and_a_dropped_row_fails(
    n_areas: int, n_years: int, counts: list[int], drop: int
) -> None:
    counts = [max(1, counts[0]), *counts[1:]]  # not all zero (that is an error)
    rows = [
        {"area": f"A{a}", "year": 2000 + y, "cases": counts[(a * n_years + y) % 40],
         "population": 500.0 + a}
        for a in range(n_areas) for y in range(n_years)
    ]
    df = pd.DataFrame(rows)
    p = validate_panel(df)
    assert len(p) == len(df)
    assert p["cases"].sum() == df["cases"].sum()
    # removing an inner year of one area always breaks the balanced panel
    k = drop % len(df)
    if n_areas > 1 or 0 < df.loc[k, "year"] - 2000 < n_years - 1:
        with pytest.raises(InputDataError):
            validate_panel(df.drop(index=k))


def test_more_cases_than_population() -> None:
    df = good_panel()
    df.loc[4, "cases"] = 1500
    assert validate_panel(df)["cases"].max() == 1500  # no plausibility check by default
    err = raises(df, "cases", 5, "mehr Fälle (1500) als Einwohner (1000)", "E-VAL-007",
                 max_rate=DEFAULT_MAX_RATE)
    assert "--population-column" in str(err)


def test_implausible_rate_above_the_stated_bound() -> None:
    df = good_panel()
    df.loc[4, "cases"] = 300  # 300 per 1000 > 250 per 1000
    raises(df, "cases", 5, "300 je 1000, die Grenze ist 250 je 1000", "E-VAL-007",
           max_rate=DEFAULT_MAX_RATE)
    assert validate_panel(df, max_rate=0.5)["cases"].max() == 300
    assert validate_panel(df, max_rate=None)["cases"].max() == 300


def test_all_counts_zero() -> None:
    df = good_panel()
    df["cases"] = 0
    raises(df, "cases", None, "alle Fallzahlen sind null", "E-PANEL-002")


def test_model_area_without_cases_before_start() -> None:
    df = good_panel()
    df.loc[(df["area"] == "Walle") & (df["year"] < 2009), "cases"] = 0
    raises(df, "cases", None, "vor dem Start keinen einzigen Fall", "E-PANEL-002",
           require_cases=True)
    assert len(validate_panel(df)) == 12


def test_empty_panel() -> None:
    raises(good_panel().iloc[0:0], None, None, "keine Datenzeilen", "E-READ-002")


def test_unknown_area_given_a_list_of_valid_areas() -> None:
    err = raises(good_panel(), "area", 7, "'Rest' steht nicht in der Liste", "E-AREA-003",
                 valid_areas=["Walle", "Mitte"])
    assert "--areas" in str(err)
    assert len(validate_panel(good_panel(), valid_areas=["Walle", "Rest"])) == 12


def test_rows_are_the_given_line_numbers() -> None:
    df = good_panel()
    df.loc[4, "cases"] = -3
    with pytest.raises(InputDataError) as info:
        validate_panel(df, rows=list(range(10, 22)))
    assert info.value.row == 14
