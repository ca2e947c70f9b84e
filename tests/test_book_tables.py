"""sozialanalyse.book: numbered MyST tables with German numbers and a CSV download."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sozialanalyse import book, disclosure


@pytest.fixture()
def table_dir(tmp_path, monkeypatch):
    (tmp_path / "_static").mkdir()
    monkeypatch.setattr(book, "TABLE_DIR", tmp_path / "_static" / "tabellen")
    return book.TABLE_DIR


def test_table_is_a_named_myst_table_with_german_numbers(table_dir) -> None:
    frame = pd.DataFrame(
        {"normalise": ["zscore", "rank"], "weight": [0.512, -1234.5], "Fälle": [3, 1500]},
        index=pd.Index(["Nord|Ost", "Süd*"], name="Gebiet"),
    )
    t = book.table(frame, "tab-test-gewichte", "Gewichte (simuliert)")
    md = t._repr_markdown_()
    assert md.startswith("````{table} Gewichte (simuliert)\n:name: tab-test-gewichte\n")
    assert "| Gebiet | Normierung | Gewicht | Fälle |" in md
    assert "| Nord\\|Ost | z-Standardisierung | 0,51 | 3 |" in md
    assert "−1\u202f234,50" in md and "1\u202f500" in md
    assert "0.51" not in md
    assert "{download}`Tabelle als CSV-Datei <_static/tabellen/tab-test-gewichte.csv>`" in md
    csv = (table_dir / "tab-test-gewichte.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0] == "Gebiet,Normierung,Gewicht,Fälle"
    assert "Nord|Ost,z-Standardisierung,0.512,3" in csv  # machine-readable
    assert repr(t).startswith("<Tabelle tab-test-gewichte")


def test_case_count_table_keeps_suppression_and_class(table_dir) -> None:
    rng = np.random.default_rng(3)
    raw = pd.DataFrame(
        rng.poisson(3, (6, 2)),
        index=pd.Index(list("ABCDEF"), name="Gebiet"),
        columns=["ambulant", "stationär"],
    )
    protected = disclosure.case_count_table(raw, caption="Fälle (simuliert)")
    md = book.table(protected, "tab-test-faelle", protected.caption).markdown
    assert ":class: sa-table case-counts" in md
    body = [line for line in md.splitlines() if line.startswith("| ") and "Gebiet" not in line]
    for line in body:
        for cell in line.strip("| ").split(" | ")[1:]:
            if cell.isdigit():
                assert int(cell) == 0 or int(cell) >= protected.threshold, line
    assert "Geheimhaltung" in md  # the note on the symbols


def test_names_and_captions_are_checked(table_dir) -> None:
    frame = pd.DataFrame({"x": [1]})
    with pytest.raises(ValueError, match="tab-"):
        book.table(frame, "Tabelle1", "x")
    with pytest.raises(ValueError, match="hand-typed"):
        book.table(frame, "tab-test-x", "Tabelle 3: Fälle")


def test_no_csv_outside_the_repository(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(book, "TABLE_DIR", tmp_path / "missing" / "tabellen")
    t = book.table(pd.DataFrame({"x": [1.5]}), "tab-test-y", "Test", csv=True)
    assert t.csv is None and "download" not in t.markdown


def test_headline_sources_cover_every_module() -> None:
    from sozialanalyse.analyses import MODULES

    results = {m: {"jahr_max": 2025, "wert": 0.1234, "start": 2020, "n": 1500} for m in MODULES}
    table = book.headline_sources(results)
    assert len(table) == 4 * len(MODULES)
    assert set(table["Funktion"]) == {f"{m}.headline()" for m in MODULES}
    values = dict(zip(table["Schlüssel"], table["Wert"], strict=False))
    assert values["jahr_max"] == "2025" and values["start"] == "2020"
    assert values["wert"] == "0,1234" and values["n"] == "1\u202f500"
    assert (table["Kapitel"] != "").all(), "every module is imported by a chapter notebook"


def test_headline_sources_without_recorded_values() -> None:
    from sozialanalyse.analyses import MODULES

    # the last module not yet recorded; a recorded module no longer in the list
    results = {m: {"n": 3} for m in MODULES[:-1]}
    results["sozialanalyse.analyses.entfernt"] = {"n": 1}
    table = book.headline_sources(results)
    assert len(table) == len(MODULES)
    last = table.iloc[-1]
    assert last["Funktion"] == f"{MODULES[-1]}.headline()"
    assert last["Wert"] == book.NOT_RECORDED and last["Schlüssel"] == "–"
    assert "entfernt" not in " ".join(table["Funktion"])
    assert book.headline_counts(results) == (len(MODULES) - 1, len(MODULES) - 1)
    assert book.headline_counts({}) == (0, 0)
    assert len(book.headline_sources({}, modules=MODULES[:2])) == 2


def test_caption_with_inline_code_gets_a_tilde_fence() -> None:
    """A backtick in the caption must not end up in a backtick fence's info string."""
    frame = pd.DataFrame({"a": [1, 2]})
    md = book.table(frame, "tab-test-code", "Protokoll aus `coin.log`", csv=False).markdown
    assert md.startswith("~~~~{table} Protokoll aus `coin.log`\n")
    assert "\n~~~~\n" in md

