"""Command line for planners' own files (sozialanalyse.cli_user): output, files, exit codes.

Good files print a ranked table / an IRR line and exit 0; bad files print exactly one line
``error: file …, column …, row …`` on stderr, no traceback, and exit 2 (checked in-process via
``main(argv)`` and once through a subprocess).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sozialanalyse.cli import EXIT_USER_ERROR as EXIT_BAD_INPUT
from sozialanalyse.cli import main
from sozialanalyse.workflows import index_from_file, ranked_table

OWN = Path(__file__).parent / "fixtures" / "own"
INDICATORS = OWN / "indikatoren_simuliert.csv"
PANEL = OWN / "fallzahlen_simuliert.xlsx"


def _broken_copy(tmp_path: Path, data_row: int, field: int) -> Path:
    """Copy of the German CSV with one decimal comma turned into a decimal point."""
    lines = INDICATORS.read_text(encoding="utf-8").splitlines()
    cells = lines[data_row].split(";")
    assert "," in cells[field]
    cells[field] = cells[field].replace(",", ".")
    lines[data_row] = ";".join(cells)
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_index_prints_ranked_table_and_writes_csv(tmp_path: Path, capsys) -> None:
    out = tmp_path / "ranks.csv"
    code = main(["index", str(INDICATORS), "--preset", "hamburg_sozialmonitoring",
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    expected = ranked_table(index_from_file(INDICATORS, "hamburg_sozialmonitoring"))
    table = pd.read_csv(out)
    assert table["rank"].tolist() == list(range(1, 12))
    assert table["area"].tolist() == expected["area"].tolist()
    lines = printed.splitlines()
    top = next(i for i, line in enumerate(lines) if expected["area"].iloc[0] in line)
    bottom = next(i for i, line in enumerate(lines) if expected["area"].iloc[-1] in line)
    assert top < bottom
    assert "ausgeschlossen: Gewerbegebiet Ost, Grund: weniger als 300 Einwohner" in printed


def test_index_with_own_meta_and_year(tmp_path: Path, capsys) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text("indicator;dimension;direction\narbeitslose;Arbeit;1\n", encoding="utf-8")
    assert main(["index", str(INDICATORS), "--meta", str(meta), "--year", "2020"]) == 0
    out = capsys.readouterr().out
    assert "Statusjahr 2020" in out
    raw = pd.read_csv(INDICATORS, sep=";", decimal=",", thousands=".")
    top = raw[raw["year"] == 2020].sort_values("arbeitslose").iloc[-1]["area"]
    first_row = out.splitlines()[2]
    assert first_row.split()[0] == "1" and top in first_row


def test_decimal_point_in_german_file_is_one_clear_line(tmp_path: Path, capsys) -> None:
    bad = _broken_copy(tmp_path, data_row=5, field=5)  # sgb2_empfaenger
    code = main(["index", str(bad), "--preset", "hamburg_sozialmonitoring"])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert len(err.strip().splitlines()) == 1
    assert "(InputDataError): " in err
    assert f"Datei '{bad}', Spalte 'sgb2_empfaenger', Zeile 5: " in err
    assert "decimal comma" in err


def test_method_error_names_the_file(tmp_path: Path, capsys) -> None:
    flat = tmp_path / "flat.csv"
    flat.write_text("area,a,b\nA,1,5\nB,2,5\nC,3,5\n", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("indicator,dimension,direction\na,X,1\nb,X,1\n", encoding="utf-8")
    code = main(["index", str(flat), "--meta", str(meta)])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert "(MethodError)" in err and "'b'" in err


def test_evaluate_tiny_panel_prints_irr_and_change(tmp_path: Path, capsys) -> None:
    panel = tmp_path / "panel.csv"
    panel.write_text("area,year,cases,population\nA,2020,100,1000\nA,2021,80,1250\n"
                     "B,2020,200,2000\nB,2021,220,2000\n", encoding="utf-8")
    out = tmp_path / "res.csv"
    code = main(["evaluate", str(panel), "--treated", "A", "--start-year", "2021",
                 "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    # 0.64 / 1.1 = 0.5818...; change 64 * (1 - 1.1 / 0.64) = -46.0 per 1,000
    assert "IRR 0,582 [" in captured.out and "(95-%-Intervall)" in captured.out
    assert "Veränderung je 1000 junge Einwohner: \u221246,00" in captured.out
    assert "Warnung" in captured.err  # one pre-period year: guardrail warning shown
    assert pd.read_csv(out)["irr"].iloc[0] == pytest.approx(0.64 / 1.1)


def test_evaluate_excel_designs(capsys) -> None:
    for design in ("did", "panel", "rateratio"):
        assert main(["evaluate", str(PANEL), "--design", design]) == 0
    out = capsys.readouterr().out
    assert out.count("IRR ") == 3 and "pre/post rate ratio" in out


def test_missing_start_year_is_exit_2(tmp_path: Path, capsys) -> None:
    panel = tmp_path / "panel.csv"
    panel.write_text("area,year,cases,population\nA,2020,1,10\n", encoding="utf-8")
    assert main(["evaluate", str(panel)]) == EXIT_BAD_INPUT
    assert "column 'start_year'" in capsys.readouterr().err


def test_preset_and_meta_are_exclusive(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["index", str(INDICATORS), "--preset", "berlin_mss", "--meta", "m.csv"])
    assert exc.value.code == 2


def test_subprocess_bad_file_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("area;year;cases;population;start_year\nA;2020;12;x;2021\n",
                   encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sozialanalyse", "evaluate", str(bad)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert f"Datei '{bad}', Spalte 'population', Zeile 1" in proc.stderr
