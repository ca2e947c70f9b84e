"""Command line of the index: reproduce-published and the index options of issue 10."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sozialanalyse.cli import main
from sozialanalyse.index.toy import berlin_style_table


def _german_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table as a German CSV: ';', decimal comma, thousands dots in EW."""
    out = frame.copy()
    for col in ("S1", "S3", "S4", "D1", "D3", "D4"):
        out[col] = [f"{v:.2f}".replace(".", ",") for v in out[col]]
    out["EW"] = [f"{int(v):,}".replace(",", ".") for v in out["EW"]]
    out.to_csv(path, sep=";", index=False, encoding="utf-8")
    return path


def test_reproduce_published_from_a_german_csv(tmp_path: Path, capsys) -> None:
    table = berlin_style_table(n_areas=30, seed=7)
    path = _german_csv(table, tmp_path / "mss_simuliert.csv")
    out = tmp_path / "nachgerechnet.csv"
    code = main(["reproduce-published", str(path), "--edition", "2021", "--out", str(out),
                 "--strict"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "berlin_mss_2021" in printed and "100,0" in printed
    assert "Grund: Platzhalterzeile" in printed
    result = pd.read_csv(out, dtype={"area": str})
    assert result["area"].iloc[0] == table["id"].iloc[0]  # leading zeros kept
    assert result["name"].iloc[0] == table["name"].iloc[0]  # "1. Planungsraum" stays text
    assert result.loc[result["area"] == table["id"].iloc[3], "population"].iloc[0] == \
        table["EW"].iloc[3]  # "12.345" read as twelve thousand, not 12.3
    assert (result["status_agrees"].dropna() == True).all()  # noqa: E712


def test_reproduce_published_strict_fails_on_disagreement(tmp_path: Path, capsys) -> None:
    table = berlin_style_table(n_areas=30, seed=7)
    table.loc[0, "status"] = "4" if table.loc[0, "status"] != "4" else "1"
    path = _german_csv(table, tmp_path / "falsch.csv")
    assert main(["reproduce-published", str(path), "--edition", "2021", "--strict"]) == 1
    assert main(["reproduce-published", str(path), "--edition", "2021"]) == 0
    assert main(["reproduce-published", str(path), "--edition", "1999"]) == 2
    assert "1999" in capsys.readouterr().err


def _berlin_indicator_file(path: Path) -> Path:
    table = berlin_style_table(n_areas=25, seed=3)
    frame = pd.DataFrame({
        "area": table["id"], "einwohner": table["EW"],
        "arbeitslosigkeit": table["S1"], "transferbezug": table["S3"],
        "kinderarmut": table["S4"], "d1": table["D1"], "d3": table["D3"], "d4": table["D4"],
    }).iloc[:-1]  # without the placeholder row
    frame.to_csv(path, index=False)
    return path


def test_index_options_edition_exclude_and_given_changes(tmp_path: Path, capsys) -> None:
    path = _berlin_indicator_file(tmp_path / "berlin.csv")
    out = tmp_path / "raenge.csv"
    code = main(["index", str(path), "--preset", "berlin_mss", "--edition", "2019",
                 "--exclude", "00001003=Sonderfall laut Bezirk",
                 "--change", "arbeitslosigkeit=d1", "--change", "transferbezug=d3",
                 "--change", "kinderarmut=d4", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "ohne Jahresspalte" in printed and "Statusjahr 0" not in printed
    assert "ausgeschlossen: 00001003, Grund: Sonderfall laut Bezirk" in printed
    assert "ausgeschlossen: 00001024, Grund: weniger als 300 Einwohner (180)" in printed
    ranks = pd.read_csv(out, dtype={"area": str})
    assert "00001003" not in set(ranks["area"])
    assert ranks["dynamics_class"].notna().all()


def test_index_without_changes_says_dynamics_are_off(tmp_path: Path, capsys) -> None:
    path = _berlin_indicator_file(tmp_path / "berlin.csv")
    assert main(["index", str(path), "--preset", "berlin_mss_2019"]) == 0
    assert "Dynamik abgeschaltet" in capsys.readouterr().out
    assert main(["index", str(path), "--preset", "berlin_mss", "--edition", "2020"]) == 2
    assert "vorhanden: 2013, 2015" in capsys.readouterr().err


def test_index_help_documents_the_new_options(capsys) -> None:
    try:
        main(["index", "--help"])
    except SystemExit:
        pass
    text = capsys.readouterr().out
    for option in ("--edition", "--exclude", "--change", "--area-column", "--encoding",
                   "--delimiter"):
        assert option in text
