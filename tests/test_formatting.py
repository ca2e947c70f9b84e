"""The one German number formatter: hand cases and properties."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sozialanalyse import formatting as f


def test_hand_cases() -> None:
    assert f.number(0.5) == "0,50"
    assert f.number(-1234.567, 1) == "\u22121\u202f234,6"
    assert f.number(-0.004, 2) == "0,00"
    assert f.number(0.004, 2, sign=True) == "0,00"
    assert f.number(0.82, 2, sign=True) == "+0,82"
    assert f.number(571510, 0) == "571\u202f510"
    assert f.number(float("nan")) == f.MISSING
    assert f.number(None) == f.MISSING
    assert f.integer(9232) == "9\u202f232"
    assert f.percent(0.125) == "12,5\u00a0%"
    assert f.percent(12.5, share=False) == "12,5\u00a0%"
    assert f.interval(0.8712, 0.9741) == "[0,87; 0,97]"
    assert f.estimate(0.919, 0.867, 0.974, 3) == "0,919 [0,867; 0,974]"
    assert f.p_value(0.0042) == "p = 0,004"
    assert f.p_value(0.00001) == "p < 0,001"
    assert f.p_value(0.0042, prefix=False) == "0,004"
    assert f.p_value(0.00001, prefix=False) == "< 0,001"


def test_frame() -> None:
    frame = pd.DataFrame(
        {"n": [15, 1068], "x": [-0.5, 1.25], "ok": [True, False], "s": [0.1, 0.2], "t": ["a", "b"]}
    )
    out = f.format_frame(frame, {"x": 1, "s": 1}, percent_columns=("s",))
    assert out["n"].tolist() == ["15", "1\u202f068"]
    assert out["x"].tolist() == ["\u22120,5", "1,2"]
    assert out["ok"].tolist() == ["ja", "nein"]
    assert out["s"].tolist() == ["10,0\u00a0%", "20,0\u00a0%"]
    assert out["t"].tolist() == ["a", "b"]


def test_ticks() -> None:
    fmt = f.tick_formatter()
    assert fmt(-0.5, 0) == "\u22120,5"
    assert fmt(2.0, 0) == "2"
    assert f.tick_formatter(1)(1.5, 0) == "1,5"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
       st.integers(min_value=0, max_value=4))
def test_roundtrip_and_no_point(x: float, digits: int) -> None:
    text = f.number(x, digits)
    assert "." not in text and "-" not in text
    back = float(text.replace(f.NNBSP, "").replace(",", ".").replace(f.MINUS, "-"))
    assert math.isclose(back, round(x, digits), abs_tol=10.0 ** (-digits))
    if back == 0:
        assert not text.startswith(f.MINUS)


def test_count_agrees_with_the_noun() -> None:
    assert f.count(1, "Gebiet", "Gebiete") == "1\u00a0Gebiet"
    assert f.count(0, "Gebiet", "Gebiete") == "0\u00a0Gebiete"
    assert f.count(1500, "Fall", "Fälle") == "1\u202f500\u00a0Fälle"


def test_year_columns_are_not_grouped() -> None:
    frame = pd.DataFrame({"Jahr": [2024, 2025], "year": [1999, 2000], "Fälle": [1068, 9232]})
    out = f.format_frame(frame)
    assert out["Jahr"].tolist() == ["2024", "2025"]
    assert out["year"].tolist() == ["1999", "2000"]
    assert out["Fälle"].tolist() == ["1\u202f068", "9\u202f232"]
