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
    assert f"Datei '{bad}', Spalte 'sgb2_empfaenger', Zeile 6: " in err
    assert "Dezimalkomma" in err and "--decimal ." in err


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
    assert "Veränderung je 1\u202f000 junge Menschen: \u221246,0" in captured.out
    assert "Warnung" in captured.err or "Hinweise:" in captured.out  # guardrail shown
    assert "Inferenz:" in captured.out and "Warum diese Inferenz:" in captured.out
    assert pd.read_csv(out)["irr"].iloc[0] == pytest.approx(0.64 / 1.1)


def test_evaluate_excel_designs(capsys) -> None:
    for design in ("did", "panel", "rateratio"):
        assert main(["evaluate", str(PANEL), "--design", design]) == 0
    out = capsys.readouterr().out
    assert out.count("IRR ") == 3 and "Vorher-nachher-Ratenverhältnis" in out


def test_missing_start_year_is_exit_2(tmp_path: Path, capsys) -> None:
    panel = tmp_path / "panel.csv"
    panel.write_text("area,year,cases,population\nA,2020,1,10\n", encoding="utf-8")
    assert main(["evaluate", str(panel)]) == EXIT_BAD_INPUT
    assert "Spalte 'start_year'" in capsys.readouterr().err


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
    assert f"Datei '{bad}', Spalte 'population', Zeile 2" in proc.stderr


# --------------------------------------------------------------------------- the rows
# One test per kind of bad file of the issue: exit status 2, one German message with the
# error code and the English class name, no traceback; and the Python path raises the same.
PANEL_HEADER = "area;year;cases;population;start_year\n"


def _panel_csv(tmp_path: Path, rows: list[str], name: str = "panel.csv") -> Path:
    path = tmp_path / name
    path.write_text(PANEL_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _good_rows(model_cases: int = 40, pop: int = 1000) -> list[str]:
    rows = []
    for area, start in (("Nord", "2021"), ("Sued", ""), ("West", "")):
        for year in range(2018, 2024):
            rows.append(f"{area};{year};{model_cases if area == 'Nord' else 50};{pop};{start}")
    return rows


def _fails(argv: list[str], capsys, code: str) -> str:
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("Warnung")]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"Fehler {code} (InputDataError): "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("header", ["area;year;cases;population\n", PANEL_HEADER])
def test_header_only_panel(tmp_path: Path, capsys, header: str) -> None:
    path = tmp_path / "leer.csv"
    path.write_text(header, encoding="utf-8")
    msg = _fails(["evaluate", str(path), "--treated", "A", "--start-year", "2021"], capsys,
                 "E-READ-002")
    assert "nur eine Kopfzeile und keine Datenzeilen" in msg


def test_header_only_indicator_table(tmp_path: Path, capsys) -> None:
    path = tmp_path / "leer.csv"
    path.write_text(INDICATORS.read_text(encoding="utf-8").splitlines()[0] + "\n",
                    encoding="utf-8")
    _fails(["index", str(path), "--preset", "hamburg_sozialmonitoring"], capsys, "E-READ-002")


def test_cases_above_population(tmp_path: Path, capsys) -> None:
    rows = _good_rows()
    rows[7] = "Sued;2019;2281;1000;"
    msg = _fails(["evaluate", str(_panel_csv(tmp_path, rows))], capsys, "E-VAL-007")
    assert "Spalte 'cases', Zeile 9: mehr Fälle (2281) als Einwohner (1000)" in msg


def test_implausible_rate_above_the_stated_bound(tmp_path: Path, capsys) -> None:
    rows = _good_rows()
    rows[7] = "Sued;2019;400;1000;"
    path = _panel_csv(tmp_path, rows)
    msg = _fails(["evaluate", str(path)], capsys, "E-VAL-007")
    assert "400 je 1000, die Grenze ist 250 je 1000" in msg and "--max-rate" in msg
    assert main(["evaluate", str(path), "--max-rate", "0.5"]) == 0  # the remedy works


def test_all_counts_zero(tmp_path: Path, capsys) -> None:
    rows = []
    for r in _good_rows():
        cells = r.split(";")
        cells[2] = "0"
        rows.append(";".join(cells))
    msg = _fails(["evaluate", str(_panel_csv(tmp_path, rows))], capsys, "E-PANEL-002")
    assert "alle Fallzahlen sind null" in msg


def test_model_area_without_cases_after_start(tmp_path: Path, capsys) -> None:
    rows = [r.replace(";40;", ";0;") if r.startswith("Nord;202") and int(r[5:9]) >= 2021
            else r for r in _good_rows()]
    msg = _fails(["evaluate", str(_panel_csv(tmp_path, rows))], capsys, "E-PANEL-002")
    assert "ab dem Start keinen einzigen Fall" in msg


def test_repeated_column_name(tmp_path: Path, capsys) -> None:
    path = tmp_path / "doppelt.csv"
    path.write_text("area;year;cases;cases;population;start_year\n"
                    "Nord;2020;4;5;100;2021\n", encoding="utf-8")
    msg = _fails(["evaluate", str(path)], capsys, "E-READ-007")
    assert "Spalte 'cases', Zeile 1: der Spaltenname 'cases' kommt zweimal vor" in msg


def test_negative_population_in_indicator_table(tmp_path: Path, capsys) -> None:
    lines = INDICATORS.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(";")
    cells[2] = "-" + cells[2]
    lines[3] = ";".join(cells)
    path = tmp_path / "negativ.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    msg = _fails(["index", str(path), "--preset", "hamburg_sozialmonitoring"], capsys,
                 "E-VAL-004")
    assert "Spalte 'einwohner', Zeile 4: eine Bevölkerung kann nicht negativ sein" in msg


def _excel_with_title(tmp_path: Path, rename: dict[str, str] | None = None) -> Path:
    table = pd.read_csv(INDICATORS, sep=";", decimal=",", thousands=".")
    if rename:
        table = table.rename(columns=rename)
    path = tmp_path / "mit_titel.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["Sozialindikatoren (simuliert)", "Stand: 2023"]]).to_excel(
            writer, index=False, header=False, startrow=0)
        table.to_excel(writer, index=False, startrow=2)
    return path


def test_excel_title_row_above_header_is_found(tmp_path: Path, capsys) -> None:
    path = _excel_with_title(tmp_path)
    assert main(["index", str(path), "--preset", "hamburg_sozialmonitoring"]) == 0
    expected = ranked_table(index_from_file(INDICATORS, "hamburg_sozialmonitoring"))
    out = tmp_path / "r.csv"
    assert main(["index", str(path), "--preset", "hamburg_sozialmonitoring", "--out",
                 str(out)]) == 0
    assert pd.read_csv(out)["area"].tolist() == expected["area"].tolist()


def test_excel_header_row_not_found_asks_and_option_fixes(tmp_path: Path, capsys) -> None:
    path = _excel_with_title(tmp_path, rename={"arbeitslose": "Arbeitslose (%)"})
    meta = tmp_path / "meta.csv"
    meta.write_text("indicator;dimension;direction\nsgb2_empfaenger;A;1\narbeitslose;A;1\n",
                    encoding="utf-8")
    msg = _fails(["index", str(path), "--meta", str(meta)], capsys, "E-READ-006")
    assert "Kopfzeile in Zeile 3?" in msg and "--header-row 3" in msg
    msg = _fails(["index", str(path), "--meta", str(meta), "--header-row", "3"], capsys,
                 "E-COL-001")
    assert "'Arbeitslose (%)'" in msg  # now the real problem: the column's name


def test_partial_weights_are_an_error_unless_a_rule_is_chosen(tmp_path: Path, capsys) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text("indicator;dimension;direction;weight\narbeitslose;A;1;0,6\n"
                    "sgb2_empfaenger;A;1;\nalleinerziehende;A;1;0,1\n", encoding="utf-8")
    msg = _fails(["index", str(INDICATORS), "--meta", str(meta)], capsys, "E-META-003")
    assert "nur für 2 von 3 Indikatoren" in msg and "--weights" in msg
    assert main(["index", str(INDICATORS), "--meta", str(meta), "--weights", "equal"]) == 0
    assert main(["index", str(INDICATORS), "--meta", str(meta), "--weights", "rest"]) == 0
    coin = index_from_file(INDICATORS, meta, weights="rest")
    assert coin.indicator_weights.to_dict() == pytest.approx(
        {"arbeitslose": 0.6, "sgb2_empfaenger": 0.3, "alleinerziehende": 0.1})


@pytest.mark.parametrize("n_areas", [1, 2])
def test_too_few_areas_for_standardisation(tmp_path: Path, capsys, n_areas: int) -> None:
    lines = INDICATORS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "klein.csv"
    path.write_text("\n".join(lines[: 1 + n_areas]) + "\n", encoding="utf-8")
    msg = _fails(["index", str(path), "--preset", "hamburg_sozialmonitoring"], capsys,
                 "E-AREA-004")
    assert f"mindestens 3 Gebiete, die Daten haben {n_areas}" in msg


def test_unknown_area_given_a_list_of_valid_areas(tmp_path: Path, capsys) -> None:
    areas = tmp_path / "gebiete.csv"
    areas.write_text("area\nAltstadt\nAm Hafen\nBahnhofsviertel\nGartenstadt\nNordviertel\n"
                     "Weststadt\nSüdstadt\nOstend\nNeustadt\nFlussufer\nHochfeld\n",
                     encoding="utf-8")
    msg = _fails(["index", str(INDICATORS), "--preset", "hamburg_sozialmonitoring",
                  "--areas", str(areas)], capsys, "E-AREA-003")
    assert "steht nicht in der Liste gültiger Gebiete" in msg
    all_areas = sorted(pd.read_csv(INDICATORS, sep=";")["area"].unique())
    areas.write_text("\n".join(["area", *all_areas]) + "\n", encoding="utf-8")
    assert main(["index", str(INDICATORS), "--preset", "hamburg_sozialmonitoring",
                 "--areas", str(areas)]) == 0
    msg = _fails(["evaluate", str(PANEL), "--areas", str(areas)], capsys, "E-AREA-003") \
        if set(pd.read_excel(PANEL)["area"]) - set(all_areas) else None
    assert msg is None or "Liste gültiger Gebiete" in msg


# --------------------------------------------------------------------------- options and errors
def test_column_mapping_options(tmp_path: Path, capsys) -> None:
    path = tmp_path / "deutsch.csv"
    text = (PANEL_HEADER.replace("area", "Gebiet").replace("cases", "Faelle")
            .replace("population", "Einwohner_u21").replace("start_year", "Start")
            .replace("year", "Jahr")) + "\n".join(_good_rows()) + "\n"
    path.write_text(text, encoding="utf-8")
    msg = _fails(["evaluate", str(path)], capsys, "E-COL-001")
    assert "--area-column" in msg
    argv = ["evaluate", str(path), "--area-column", "Gebiet", "--year-column", "Jahr",
            "--cases-column", "Faelle", "--population-column", "Einwohner_u21",
            "--start-column", "Start"]
    assert main(argv) == 0


def test_encoding_delimiter_decimal_options(tmp_path: Path, capsys) -> None:
    path = tmp_path / "latin.csv"
    rows = [r.replace("Sued", "Süd").replace(";", "|") for r in _good_rows()]
    path.write_bytes((PANEL_HEADER.replace(";", "|") + "\n".join(rows) + "\n")
                     .encode("latin-1"))
    msg = _fails(["evaluate", str(path)], capsys, "E-READ-003")
    assert "--encoding cp1252" in msg
    assert main(["evaluate", str(path), "--encoding", "cp1252", "--delimiter", "|",
                 "--decimal", ","]) == 0


def test_unexpected_error_is_one_line_and_debug_shows_traceback(monkeypatch, capsys) -> None:
    import sozialanalyse.workflows as wf

    def boom(*args, **kwargs):
        raise ValueError("kaputt")

    monkeypatch.setattr(wf, "evaluate_from_file", boom)
    assert main(["evaluate", str(PANEL)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Unerwarteter Fehler (ValueError): kaputt.")
    assert "Traceback (most recent" not in err
    assert main(["--debug", "evaluate", str(PANEL)]) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_debug_shows_traceback_of_a_user_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "leer.csv"
    path.write_text("area;year;cases;population\n", encoding="utf-8")
    assert main(["evaluate", str(path), "--debug"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "E-READ-002" in err


def test_every_option_a_message_names_exists() -> None:
    """Remedies in messages name options; each must exist on the index or evaluate parser."""
    import re

    from sozialanalyse.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    options = {"--debug"}
    for name in ("index", "evaluate"):
        for action in sub.choices[name]._actions:
            options.update(action.option_strings)
    root = Path(__file__).parents[1] / "sozialanalyse"
    named: set[str] = set()
    for module in ("errors.py", "validation.py", "workflows.py", "data/readers.py"):
        named |= set(re.findall(r"(--[a-z][a-z-]+)", (root / module).read_text("utf-8")))
    assert named, "the messages name no options at all?"
    assert named <= options, named - options


def test_sheet_option_by_name_and_number(tmp_path: Path, capsys) -> None:
    book = tmp_path / "mappe.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"Hinweis": ["Deckblatt"]}).to_excel(writer, sheet_name="Info",
                                                          index=False)
        pd.read_excel(PANEL).to_excel(writer, sheet_name="Fallzahlen", index=False)
    msg = _fails(["evaluate", str(book), "--design", "rateratio"], capsys, "E-COL-001")
    assert "--area-column" in msg
    assert main(["evaluate", str(book), "--design", "rateratio", "--sheet", "Fallzahlen"]) == 0
    assert main(["evaluate", str(book), "--design", "rateratio", "--sheet", "2"]) == 0
    msg = _fails(["evaluate", str(book), "--sheet", "Daten"], capsys, "E-READ-005")
    assert "Blätter: Info, Fallzahlen" in msg


def test_areas_option_in_evaluate(tmp_path: Path, capsys) -> None:
    areas = tmp_path / "gebiete.txt"
    known = sorted(pd.read_excel(PANEL)["area"].unique())
    areas.write_text("\n".join(known[1:]) + "\n", encoding="utf-8")  # one area missing
    msg = _fails(["evaluate", str(PANEL), "--areas", str(areas)], capsys, "E-AREA-003")
    assert f"'{known[0]}' steht nicht in der Liste" in msg
    areas.write_text("\n".join(known) + "\n", encoding="utf-8")
    assert main(["evaluate", str(PANEL), "--design", "rateratio", "--areas", str(areas)]) == 0


def test_only_the_package_warnings_are_shown(monkeypatch, capsys) -> None:
    import warnings

    import sozialanalyse.workflows as wf
    from sozialanalyse.errors import InputDataWarning

    def noisy(*args, **kwargs):
        warnings.warn("library noise", DeprecationWarning, stacklevel=1)
        warnings.warn(InputDataWarning("Kopfzeile in Zeile 3 erkannt"), stacklevel=1)
        raise ValueError("stop")

    monkeypatch.setattr(wf, "evaluate_from_file", noisy)
    main(["evaluate", str(PANEL)])
    err = capsys.readouterr().err
    assert "Warnung (InputDataWarning): Kopfzeile in Zeile 3 erkannt" in err
    assert "library noise" not in err
    main(["--debug", "evaluate", str(PANEL)])
    assert "library noise" in capsys.readouterr().err
