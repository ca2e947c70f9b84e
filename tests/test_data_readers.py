"""Readers for users' own files: formats that must work, and bad input that must be named.

Each bad-input case of the issue has a test: wrong separator, wrong encoding (latin-1 umlauts),
decimal comma / point in the wrong convention, thousands separators, suppressed cells, missing,
duplicated and unknown area codes, negative and non-integer counts, zero or missing population,
a year outside the data. Every error names the file, the column and the line of the file
(line 1 = header), and carries a stable code.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialanalyse.data import read_case_panel, read_indicator_table
from sozialanalyse.data.readers import parse_number
from sozialanalyse.errors import InputDataError

FIX = Path(__file__).parent / "fixtures" / "data"


def _write(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _panel_text(sep: str = ",", rows: list[str] | None = None) -> str:
    rows = rows or ["A,2020,3,100", "A,2021,4,110", "B,2020,0,50", "B,2021,1,55"]
    return "\n".join(["area,year,cases,population", *rows]).replace(",", sep) + "\n"


# ----------------------------------------------------------------------------- good input
def test_german_csv_with_decimal_comma_and_thousands():
    table = read_indicator_table(FIX / "indicators_de.csv", area_col="Gebiet", year_col="Jahr",
                                 count_cols=["Einwohner", "Alleinerziehende"])
    assert table["area"].tolist() == ["01", "02", "03"]  # leading zeros kept
    assert table["Einwohner"].tolist() == [12345.0, 1234567.0, 987.0]
    assert table["Arbeitslosenquote"].tolist() == [7.5, 10.25, 0.5]
    assert table["Alleinerziehende"].tolist() == [312.0, 1001.0, 0.0]
    assert table["year"].tolist() == [2024] * 3


def test_international_csv_case_panel():
    panel = read_case_panel(FIX / "case_panel_international.csv", known_areas=["Mitte", "Nord"])
    assert panel.to_dict("list") == {
        "area": ["Mitte", "Mitte", "Nord", "Nord"],
        "year": [2019, 2020, 2019, 2020],
        "cases": [12, 9, 30, 28],
        "population": [3400, 3420, 5100, 5150],
    }


def test_excel_panel_matches_csv(tmp_path):
    frame = pd.DataFrame({"Area": ["A", "A", "B", "B"], "Year": [2020, 2021, 2020, 2021],
                          "Cases": [3, 4, 0, 1], "Population": [100, 110, 50, 55]})
    xlsx = tmp_path / "panel.xlsx"
    frame.to_excel(xlsx, index=False)
    from_excel = read_case_panel(xlsx)
    from_csv = read_case_panel(_write(tmp_path, _panel_text()))
    pd.testing.assert_frame_equal(from_excel, from_csv)


def test_utf8_bom_and_umlauts_are_read(tmp_path):
    text = "\ufeffarea;Anteil\nLöbtau-Süd;3,5\nÄußere Neustadt;4\n"
    table = read_indicator_table(_write(tmp_path, text))
    assert table["area"].tolist() == ["Löbtau-Süd", "Äußere Neustadt"]
    assert table["Anteil"].tolist() == [3.5, 4.0]


def test_latin1_file_can_be_read_when_declared(tmp_path):
    path = _write(tmp_path, "area;x\nLöbtau;1\n", encoding="latin-1")
    assert read_indicator_table(path, encoding="latin-1")["area"].tolist() == ["Löbtau"]


def test_suppressed_cells_as_missing_when_asked(tmp_path):
    path = _write(tmp_path, "area;x\nA;.\nB;x\nC;-\nD;2\n")
    table = read_indicator_table(path, suppressed="missing")
    assert table["x"].isna().tolist() == [True, True, True, False]


# ----------------------------------------------------------------------------- bad input
def _error(func, *args, **kwargs) -> InputDataError:
    with pytest.raises(InputDataError) as info:
        func(*args, **kwargs)
    return info.value


def test_latin1_umlauts_without_declaration(tmp_path):
    path = _write(tmp_path, "area;x\nA;1\nLöbtau;2\n", encoding="latin-1")
    err = _error(read_indicator_table, path)
    assert err.file == str(path) and err.row == 3 and err.code == "E-READ-003"
    assert "nicht UTF-8" in str(err) and "'ö'" in str(err) and "--encoding cp1252" in str(err)


def test_wrong_separator_given(tmp_path):
    path = _write(tmp_path, _panel_text(sep=";"))
    err = _error(read_case_panel, path, sep=",")
    assert "Trennzeichen passt nicht" in str(err) and err.column == "area"
    assert "--delimiter" in str(err)


def test_decimal_comma_in_comma_separated_file(tmp_path):
    path = _write(tmp_path, "area,rate\nA,1,5\nB,2\n")
    err = _error(read_indicator_table, path)
    assert "Dezimalkomma" in str(err) and err.file == str(path) and err.row == 2
    assert err.code == "E-READ-004"


def test_decimal_comma_in_quoted_international_cell(tmp_path):
    path = _write(tmp_path, 'area,rate\nA,"1,5"\n')
    err = _error(read_indicator_table, path)
    assert (err.column, err.row) == ("rate", 2) and "Dezimalkomma" in str(err)


def test_decimal_point_in_german_file(tmp_path):
    path = _write(tmp_path, "area;rate\nA;2,5\nB;1.5\n")
    err = _error(read_indicator_table, path)
    assert (err.column, err.row) == ("rate", 3)
    assert "trennt '.' Tausender" in str(err) and "--decimal ." in str(err)


def test_thousands_separator_in_international_file(tmp_path):
    path = _write(tmp_path, 'area,population\nA,"12,345"\nB,"1,234,567.5"\n')
    table = read_indicator_table(path)
    assert table["population"].tolist() == [12345.0, 1234567.5]


@pytest.mark.parametrize("token", [".", "-", "x"])
def test_suppressed_cell_is_named(tmp_path, token):
    path = _write(tmp_path, _panel_text(rows=["A,2020,3,100", f"A,2021,{token},110"]))
    err = _error(read_case_panel, path)
    assert (err.column, err.row, err.code) == ("cases", 3, "E-VAL-003")
    assert "gesperrten" in str(err) and repr(token) in str(err)


def test_missing_area_code(tmp_path):
    path = _write(tmp_path, _panel_text(rows=["A,2020,3,100", ",2020,4,110"]))
    err = _error(read_case_panel, path, balanced=False)
    assert (err.column, err.row) == ("area", 3) and "Gebietsname fehlt" in str(err)


def test_duplicated_area_code(tmp_path):
    path = _write(tmp_path, "area;x\n01;1\n02;2\n01;3\n")
    err = _error(read_indicator_table, path)
    assert err.row == 4 and "'01' kommt mehrfach vor" in str(err) and "2, 4" in str(err)


def test_duplicated_area_year_in_panel(tmp_path):
    path = _write(tmp_path, _panel_text(rows=["A,2020,3,100", "A,2020,4,110"]))
    err = _error(read_case_panel, path)
    assert "das Jahr 2020 zweimal" in str(err) and err.row == 3 and err.code == "E-AREA-002"


def test_unknown_area_code(tmp_path):
    path = _write(tmp_path, "area;x\n01;1\n1;2\n")
    err = _error(read_indicator_table, path, known_areas=["01", "02"])
    assert (err.column, err.row) == ("area", 3) and "'1' steht nicht in der Liste" in str(err)
    assert "'01'" in str(err) and "führende Nullen" in str(err) and err.code == "E-AREA-003"


def test_negative_count(tmp_path):
    path = _write(tmp_path, _panel_text(rows=["A,2020,-3,100"]))
    err = _error(read_case_panel, path)
    assert (err.column, err.row) == ("cases", 2) and "nicht negativ" in str(err)


def test_non_integer_count(tmp_path):
    path = _write(tmp_path, _panel_text(rows=["A,2020,3.5,100"]))
    err = _error(read_case_panel, path)
    assert (err.column, err.row) == ("cases", 2) and "ganze Zahl" in str(err)


def test_non_integer_count_in_indicator_table(tmp_path):
    path = _write(tmp_path, "area;n\nA;2,5\n")
    err = _error(read_indicator_table, path, count_cols=["n"])
    assert (err.column, err.row) == ("n", 2)


@pytest.mark.parametrize("pop", ["0", ""])
def test_zero_or_missing_population(tmp_path, pop):
    path = _write(tmp_path, _panel_text(rows=["A,2020,3,100", f"B,2020,1,{pop}"]))
    err = _error(read_case_panel, path)
    assert (err.column, err.row) == ("population", 3)
    assert ("größer als null" in str(err)) or ("leer" in str(err))


def test_year_outside_the_data(tmp_path):
    path = _write(tmp_path, _panel_text(rows=["A,2020,3,100", "A,2031,3,100"]))
    err = _error(read_case_panel, path, years=range(2014, 2026))
    assert (err.column, err.row) == ("year", 3) and "2031 liegt außerhalb" in str(err)


def test_unbalanced_panel(tmp_path):
    path = _write(tmp_path, _panel_text(rows=["A,2020,3,100", "A,2021,3,100", "B,2020,1,50"]))
    err = _error(read_case_panel, path)
    assert "für das Gebiet 'B' fehlt die Zeile des Jahres 2021" in str(err)


def test_missing_column_lists_found_columns(tmp_path):
    path = _write(tmp_path, "Gebiet,Jahr,Faelle,Einwohner\nA,2020,1,10\n")
    err = _error(read_case_panel, path)
    assert err.column == "area" and "'Gebiet'" in str(err)


def test_missing_file(tmp_path):
    err = _error(read_case_panel, tmp_path / "nope.csv")
    assert "gibt es nicht" in str(err) and err.code == "E-READ-001"


# ----------------------------------------------------------------------------- properties
@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_german_and_international_formats_agree(whole, cents):
    value = whole + (cents / 100 if whole >= 0 else -cents / 100)
    sign = "-" if value < 0 else ""
    grouped = f"{abs(whole):,}"
    de = f"{sign}{grouped.replace(',', '.')},{cents:02d}"
    intl = f"{sign}{grouped}.{cents:02d}"
    assert parse_number(de, "de") == pytest.approx(value)
    assert parse_number(intl, "international") == pytest.approx(value)
    assert parse_number(f"{sign}{abs(whole)}", "de") == abs(whole) * (-1 if sign else 1)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 10**7)), min_size=1, max_size=8))
def test_panel_round_trip(tmp_path_factory, rows):
    rows = [(min(c, p // 4), p) for c, p in rows]  # plausible rates (at most 250 per 1000)
    if sum(c for c, _ in rows) == 0:
        rows[0] = (1, max(rows[0][1], 4))
    lines = [f"A{i:02d};2020;{c};{p}" for i, (c, p) in enumerate(rows)]
    text = "area;year;cases;population\n" + "\n".join(lines) + "\n"
    path = tmp_path_factory.mktemp("rt") / "p.csv"
    path.write_text(text, encoding="utf-8")
    panel = read_case_panel(path)
    assert panel["cases"].tolist() == [c for c, _ in rows]
    assert panel["population"].tolist() == [p for _, p in rows]


def test_parse_number_edge_cases():
    assert math.isnan(parse_number("", "de"))
    assert parse_number(" 1 234 ", "international") == 1234
    assert parse_number(7, "de") == 7.0
    with pytest.raises(ValueError, match="keine Zahl"):
        parse_number("abc", "de")


# ----------------------------------------------------------------------------- more corpus kinds
def test_total_row_is_not_an_area(tmp_path):
    path = _write(tmp_path, "area;x\nNord;1\nSüd;2\nStadt insgesamt;3\n")
    err = _error(read_indicator_table, path)
    assert (err.code, err.row, err.column) == ("E-AREA-006", 4, "area")
    assert "Summenzeile" in str(err) and "--areas" in str(err)
    table = read_indicator_table(path, known_areas=["Nord", "Süd", "Stadt insgesamt"])
    assert len(table) == 3  # declared valid: then it is an area


def test_total_row_in_a_panel(tmp_path):
    path = _write(tmp_path, _panel_text(rows=["A,2020,3,100", "Gesamt,2020,4,110"]))
    assert _error(read_case_panel, path).code == "E-AREA-006"


@pytest.mark.parametrize(("cell", "code", "text"), [
    ("12 %", "E-VAL-002", "Prozentzeichen"),
    ("k.A.", "E-VAL-003", "gesperrten"),
    ("n/a", "E-VAL-003", "gesperrten"),
])
def test_percent_signs_and_not_available_marks(tmp_path, cell, code, text):
    path = _write(tmp_path, f"area;x\nNord;1\nSüd;{cell}\n")
    err = _error(read_indicator_table, path)
    assert (err.code, err.row) == (code, 3) and text in str(err)


def test_footnote_row_without_values(tmp_path):
    path = _write(tmp_path, "area;x;y\nNord;1;2\nQuelle: Statistikamt;;\n")
    err = _error(read_indicator_table, path)
    assert (err.code, err.row) == ("E-VAL-001", 3) and "Fußnoten" in str(err)


def test_title_rows_in_a_csv_are_skipped_with_a_warning(tmp_path):
    path = _write(tmp_path, "Sozialindikatoren 2023;;\n;;\narea;x;y\nNord;1;2\nSüd;3;4\n")
    with pytest.warns(UserWarning, match="Kopfzeile in Zeile 3 erkannt"):
        table = read_indicator_table(path)
    assert table["x"].tolist() == [1.0, 3.0]
    assert read_indicator_table(path, header_row=3)["y"].tolist() == [2.0, 4.0]


def test_utf16_file_with_bom_is_read(tmp_path):
    path = _write(tmp_path, "area\tx\nNord\t1,5\n", encoding="utf-16")
    assert read_indicator_table(path)["x"].tolist() == [1.5]


def test_excel_file_with_csv_suffix_is_named(tmp_path):
    xlsx = tmp_path / "echt.xlsx"
    pd.DataFrame({"area": ["A"], "x": [1]}).to_excel(xlsx, index=False)
    fake = tmp_path / "falsch.csv"
    fake.write_bytes(xlsx.read_bytes())
    err = _error(read_indicator_table, fake)
    assert err.code in ("E-READ-003", "E-READ-008")


def test_wide_table_with_years_as_columns_is_explained(tmp_path):
    path = _write(tmp_path, "area;2019;2020;2021\nNord;10;12;9\nSüd;20;18;22\n")
    err = _error(read_case_panel, path)
    assert err.code == "E-COL-001" and "Jahre stehen als Spalten" in str(err)
    assert "eine Zeile je Gebiet und Jahr" in str(err)
