"""Tests of sozialanalyse.disclosure: primary and secondary suppression, attacker check,
rates, HTML display. Toy tables are worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sozialanalyse.disclosure import (
    DEFAULT_THRESHOLD,
    SECRECY_SYMBOL,
    TOTAL_LABEL,
    ZERO_SYMBOL,
    case_count_table,
    disclosure_rules,
    protection_intervals,
    suppress,
    suppress_rates,
    suppression_mask,
)
from sozialanalyse.errors import InputDataError

COLS = ["ambulant", "teilstationaer", "stationaer"]


@pytest.fixture
def toy() -> pd.DataFrame:
    # Four Stadträume x three kinds of help. Small cells: (Nord, ambulant) = 1 and
    # (Mitte, stationaer) = 2.
    return pd.DataFrame(
        {
            "ambulant": [1, 5, 7, 0],
            "teilstationaer": [6, 8, 9, 4],
            "stationaer": [12, 2, 30, 5],
        },
        index=pd.Index(["Nord", "Mitte", "Sued", "West"], name="stadtraum"),
    )


def _interior(published: pd.DataFrame, cols=COLS) -> pd.DataFrame:
    return published.drop(index=TOTAL_LABEL)[cols]


def test_toy_table_primary_and_secondary_cells(toy):
    out = suppress(toy)
    hidden = {(r, c) for r in out.index for c in out.columns if pd.isna(out.loc[r, c])}
    # Worked by hand. Rows are visited in label order: Mitte first. Its 2 (stationaer)
    # needs a partner in the row: ambulant (5) lies in a column that already holds a
    # suppression (Nord's 1), teilstationaer (8) would open a new column, so 5 is taken.
    # Row Nord: its 1 needs a partner; stationaer (12) lies in a column that now holds
    # Mitte's 2, teilstationaer (6) would open a new column, so 12 is taken. Every row
    # and column now has 0 or 2 hidden cells.
    assert hidden == {
        ("Nord", "ambulant"),
        ("Nord", "stationaer"),
        ("Mitte", "stationaer"),
        ("Mitte", "ambulant"),
    }


def test_toy_table_totals_are_true_totals(toy):
    out = suppress(toy)
    assert out.loc[TOTAL_LABEL, COLS].tolist() == [13, 27, 49]
    assert out.loc[["Nord", "Mitte", "Sued", "West"], TOTAL_LABEL].tolist() == [19, 15, 46, 9]
    assert out.loc[TOTAL_LABEL, TOTAL_LABEL] == 89
    # published cells equal the raw cells
    inner = _interior(out)
    shown = inner.notna()
    assert (inner[shown].astype(float) == toy[shown].astype(float))[shown].all().all()


def test_no_hidden_cell_recoverable_by_subtraction(toy):
    out = suppress(toy)
    inner = _interior(out)
    for r in inner.index:
        assert inner.loc[r].isna().sum() in (0, 2, 3)
    for c in COLS:
        assert inner[c].isna().sum() in (0, 2, 3, 4)


def test_attacker_intervals_reach_threshold(toy):
    out = suppress(toy)
    iv = protection_intervals(out).set_index(["row", "column"])
    # The hidden 1 could be anything from 0 to 6 for an attacker who knows all totals.
    assert iv.loc[("Nord", "ambulant"), "lower"] == pytest.approx(0.0)
    assert iv.loc[("Nord", "ambulant"), "upper"] == pytest.approx(6.0)
    assert (iv["upper"] - iv["lower"] >= 1 - 1e-9).all()
    assert (iv["upper"] >= DEFAULT_THRESHOLD - 1e-9).all()


def test_subtraction_attack_would_work_without_secondary(toy):
    # The test above can fail: with only primary suppression the row total gives the
    # hidden 1 back.
    primary_only = toy.astype("Int64").mask(toy.isin([1, 2]))
    primary_only[TOTAL_LABEL] = toy.sum(axis=1)
    primary_only.loc[TOTAL_LABEL] = list(toy.sum()) + [int(toy.to_numpy().sum())]
    iv = protection_intervals(primary_only, count_cols=COLS).set_index(["row", "column"])
    assert iv.loc[("Nord", "ambulant"), "upper"] == pytest.approx(1.0)
    assert iv.loc[("Nord", "ambulant"), "lower"] == pytest.approx(1.0)


def test_single_column_table():
    t = pd.DataFrame({"faelle": [1, 40, 12, 7]}, index=list("abcd"))
    out = suppress(t)
    assert out["faelle"].isna().tolist() == [True, False, False, True, False]
    assert out.loc[TOTAL_LABEL, "faelle"] == 60
    assert TOTAL_LABEL not in out.columns


def test_small_total_is_suppressed_itself():
    # Row b has total 2: the total itself is a small count.
    t = pd.DataFrame({"x": [10, 1, 20], "y": [11, 1, 9]}, index=list("abc"))
    out = suppress(t)
    assert pd.isna(out.loc["b", TOTAL_LABEL])
    iv = protection_intervals(out)
    assert (iv["upper"] >= DEFAULT_THRESHOLD - 1e-9).all()


def test_zeros_published_by_default_and_optionally_suppressed():
    t = pd.DataFrame({"x": [0, 10, 20], "y": [5, 9, 7]}, index=list("abc"))
    assert suppress(t).notna().all().all()
    out = suppress(t, suppress_zeros=True)
    assert pd.isna(out.loc["a", "x"])


def test_threshold_parameter():
    t = pd.DataFrame({"x": [3, 10, 20], "y": [5, 9, 7]}, index=list("abc"))
    assert suppress(t).notna().all().all()
    assert pd.isna(suppress(t, threshold=4).loc["a", "x"])


def test_other_columns_carried_through_and_totals_optional(toy):
    t = toy.assign(name=["N", "M", "S", "W"])
    out = suppress(t, count_cols=COLS, totals=False)
    assert list(out.index) == list(toy.index)
    assert out["name"].tolist() == ["N", "M", "S", "W"]
    assert TOTAL_LABEL not in out.columns


def test_mask_matches_suppress(toy):
    mask = suppression_mask(toy)
    out = suppress(toy)
    assert (mask == out[mask.columns].isna()).all().all()


@pytest.mark.parametrize(
    ("table", "column"),
    [
        (pd.DataFrame({"x": [1, -2], "y": [3, 4]}, index=list("ab")), "x"),
        (pd.DataFrame({"x": [1.5, 2], "y": [3, 4]}, index=list("ab")), "x"),
    ],
)
def test_bad_counts_raise_with_location(table, column):
    with pytest.raises(InputDataError) as err:
        suppress(table)
    assert err.value.column == column
    assert err.value.row is not None


def test_duplicate_labels_raise():
    t = pd.DataFrame({"x": [1, 2], "y": [3, 4]}, index=["a", "a"])
    with pytest.raises(InputDataError, match="more than once"):
        suppress(t)


def test_suppress_rates_follows_counts(toy):
    out = suppress(toy, totals=False)
    rates = toy / 100.0
    hidden = suppress_rates(rates, out)
    assert hidden.isna().equals(out.isna())
    assert hidden.loc["Sued", "stationaer"] == pytest.approx(0.30)


def test_case_count_table_html(toy):
    shown = toy[["ambulant"]].assign(rate=[0.5, 2.5, 3.5, 0.0])
    tab = case_count_table(shown, caption="HzE je Stadtraum (simuliert)", rate_cols=["rate"])
    html = tab._repr_html_()
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table", class_="case-counts")
    assert table is not None
    assert table.caption.get_text() == "HzE je Stadtraum (simuliert)"
    rows = {
        tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in table.tbody("tr")
    }
    # ambulant: 1 is primary, 5 (Mitte) is the smallest other non-zero cell.
    assert rows["Nord"] == [SECRECY_SYMBOL, SECRECY_SYMBOL]
    assert rows["Mitte"] == [SECRECY_SYMBOL, SECRECY_SYMBOL]
    assert rows["Sued"] == ["7", "3,5"]
    assert rows["West"] == [ZERO_SYMBOL, "0,0"]
    assert rows[TOTAL_LABEL][0] == "13"


def test_disclosure_rules_table_names_threshold():
    rules = disclosure_rules(4)
    assert "1, 2, 3" in rules.loc[0, "Umsetzung"]


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@st.composite
def count_tables(draw):
    n = draw(st.integers(1, 6))
    k = draw(st.integers(1, 4))
    values = draw(
        st.lists(st.lists(st.integers(0, 25), min_size=k, max_size=k), min_size=n, max_size=n)
    )
    return pd.DataFrame(
        values, index=[f"sr{i:02d}" for i in range(n)], columns=[f"c{j}" for j in range(k)]
    )


PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(count_tables(), st.integers(2, 5))
def test_property_no_small_published_cell(table, threshold):
    out = suppress(table, threshold=threshold)
    values = out.to_numpy(dtype=float, na_value=np.nan)
    published = values[~np.isnan(values)]
    assert not ((published >= 1) & (published < threshold)).any()


@PROPS
@given(count_tables())
def test_property_totals_are_true(table):
    out = suppress(table)
    assert out.loc[TOTAL_LABEL, list(table.columns)].dropna().astype(int).tolist() == [
        int(table[c].sum()) for c in table.columns if pd.notna(out.loc[TOTAL_LABEL, c])
    ]
    inner = out.drop(index=TOTAL_LABEL)[list(table.columns)]
    shown = inner.notna().to_numpy()
    assert (inner.to_numpy(dtype=float, na_value=0)[shown] == table.to_numpy()[shown]).all()


@PROPS
@given(count_tables())
def test_property_no_cell_recoverable(table):
    out = suppress(table)
    iv = protection_intervals(out, count_cols=list(table.columns))
    assert (iv["upper"] - iv["lower"] >= 1 - 1e-6).all()
    primary = [
        (r, c)
        for r in table.index
        for c in table.columns
        if 1 <= table.loc[r, c] < DEFAULT_THRESHOLD
    ]
    ivx = iv.set_index(["row", "column"])
    for cell in primary:
        assert ivx.loc[cell, "upper"] >= DEFAULT_THRESHOLD - 1e-6


@PROPS
@given(count_tables(), st.booleans())
def test_property_idempotent(table, totals):
    once = suppress(table, totals=totals)
    twice = suppress(once, count_cols=list(table.columns), totals=totals)
    pd.testing.assert_frame_equal(once, twice)


@PROPS
@given(count_tables(), st.randoms(use_true_random=False))
def test_property_row_order_invariant(table, rnd):
    order = list(table.index)
    rnd.shuffle(order)
    a = suppress(table)
    b = suppress(table.loc[order])
    pd.testing.assert_frame_equal(a.loc[order + [TOTAL_LABEL]], b.loc[order + [TOTAL_LABEL]])


def test_protection_intervals_mark_primary_cells(toy):
    iv = protection_intervals(suppress(toy), original=toy).set_index(["row", "column"])
    assert iv["primary"].sum() == 2
    assert iv.loc[("Nord", "ambulant"), "primary"]
    assert not iv.loc[("Nord", "stationaer"), "primary"]


def test_count_checks_are_the_package_validator():
    """Disclosure control, readers and panels share one count check (same code and text)."""
    from sozialanalyse.validation import check_counts

    table = pd.DataFrame({"x": [1, -2], "y": [3, 4]}, index=list("ab"))
    with pytest.raises(InputDataError) as via_suppress:
        suppress(table)
    with pytest.raises(InputDataError) as via_validator:
        check_counts([1, -2], file="<DataFrame>", column="x")
    assert via_suppress.value.code == via_validator.value.code == "E-VAL-004"
    assert str(via_suppress.value) == str(via_validator.value)
    assert (via_suppress.value.column, via_suppress.value.row) == ("x", 2)
