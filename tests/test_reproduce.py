"""Tests of `python -m sozialanalyse reproduce` with fake analysis modules and a fake
data build (monkeypatched), so they run in a second and do not depend on the other
chapters' code."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import sozialanalyse
from sozialanalyse import cli
from sozialanalyse.cli import compendium as helpers

FAKE_A = "fake_analysis_a"
FAKE_B = "fake_analysis_b"


def _install_fakes(monkeypatch, values_a: dict, values_b: dict) -> None:
    for name, values in ((FAKE_A, values_a), (FAKE_B, values_b)):
        module = types.ModuleType(name)
        module.headline = lambda values=values: dict(values)
        monkeypatch.setitem(sys.modules, name, module)
    analyses = types.ModuleType("sozialanalyse.analyses")
    analyses.MODULES = (FAKE_A, FAKE_B)
    monkeypatch.setitem(sys.modules, "sozialanalyse.analyses", analyses)


def _install_fake_data(monkeypatch, content: str = "a,b\n1,0.5\n") -> None:
    data = types.ModuleType("sozialanalyse.data")

    def build_derived(out_dir, raw_root=None):
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / "table.csv"
        path.write_text(content, encoding="utf-8")
        return [path]

    def write_datapackage(root=None):
        target = Path(root) / "datapackage.json"
        target.write_text("{}\n", encoding="utf-8")
        return target

    data.build_derived = build_derived
    data.write_datapackage = write_datapackage
    monkeypatch.setitem(sys.modules, "sozialanalyse.data", data)


@pytest.fixture
def compendium(tmp_path, monkeypatch):
    (tmp_path / "data" / "derived").mkdir(parents=True)
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "derived" / "table.csv").write_text("a,b\n1,0.5\n", encoding="utf-8")
    _install_fake_data(monkeypatch)
    _install_fakes(
        monkeypatch,
        {"a_rank": 3, "a_rr": 0.812345, "a_label": "Pieschen", "a_flag": True, "a_nan": None},
        {"b_mde": 12.3456, "b_n": 17},
    )
    return tmp_path


def _run(root: Path, *extra: str) -> int:
    return cli.main(["reproduce", "--root", str(root), *extra])


def _edit(root: Path, module: str, key: str, value) -> None:
    path = root / "results" / "headline.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    if value is KeyError:
        del doc["results"][module][key]
    else:
        doc["results"][module][key] = value
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_update_then_reproduce_passes(compendium, capsys):
    assert _run(compendium, "--update") == 0
    doc = json.loads((compendium / "results" / "headline.json").read_text(encoding="utf-8"))
    assert doc["results"][FAKE_A]["a_label"] == "Pieschen"
    assert doc["results"][FAKE_B]["b_n"] == 17
    assert _run(compendium) == 0
    assert "OK" in capsys.readouterr().out


def test_changed_number_fails_and_names_key(compendium, capsys):
    assert _run(compendium, "--update") == 0
    _edit(compendium, FAKE_A, "a_rr", 0.8130)  # differs in the 4th significant digit
    assert _run(compendium) == 1
    out = capsys.readouterr().out
    assert "a_rr" in out and FAKE_A in out
    assert "a_rank" not in out


def test_change_below_printed_precision_passes(compendium):
    assert _run(compendium, "--update") == 0
    _edit(compendium, FAKE_A, "a_rr", 0.81236)  # same at 4 significant digits
    assert _run(compendium) == 0


@pytest.mark.parametrize(
    ("key", "value"), [("a_label", "Leuben"), ("a_rank", 4), ("a_flag", False), ("a_nan", 1.0)]
)
def test_changed_string_int_bool_or_nan_fails(compendium, capsys, key, value):
    assert _run(compendium, "--update") == 0
    _edit(compendium, FAKE_A, key, value)
    assert _run(compendium) == 1
    assert key in capsys.readouterr().out


def test_missing_committed_key_fails(compendium, capsys):
    assert _run(compendium, "--update") == 0
    _edit(compendium, FAKE_B, "b_mde", KeyError)
    assert _run(compendium) == 1
    assert "b_mde" in capsys.readouterr().out


def test_key_missing_from_recomputation_fails(compendium, monkeypatch, capsys):
    assert _run(compendium, "--update") == 0
    _install_fakes(monkeypatch, {"a_rank": 3}, {"b_mde": 12.3456, "b_n": 17})
    assert _run(compendium) == 1
    out = capsys.readouterr().out
    assert "a_label" in out and "<missing>" in out


def test_missing_module_is_an_error(compendium, monkeypatch, capsys):
    assert _run(compendium, "--update") == 0
    analyses = types.ModuleType("sozialanalyse.analyses")
    analyses.MODULES = (FAKE_A, "sozialanalyse.analyses.does_not_exist")
    monkeypatch.setitem(sys.modules, "sozialanalyse.analyses", analyses)
    assert _run(compendium) != 0
    assert "does_not_exist" in capsys.readouterr().err


def test_changed_derived_data_fails(compendium, capsys):
    assert _run(compendium, "--update") == 0
    (compendium / "data" / "derived" / "table.csv").write_text("a,b\n1,0.6\n", encoding="utf-8")
    assert _run(compendium) == 1
    assert "table.csv" in capsys.readouterr().out


def test_float_printing_noise_in_derived_data_passes(compendium):
    assert _run(compendium, "--update") == 0
    (compendium / "data" / "derived" / "table.csv").write_text(
        "a,b\n1,0.50000000000001\n", encoding="utf-8"
    )
    assert _run(compendium) == 0


def test_missing_results_file_fails(compendium):
    assert _run(compendium) == 1


def test_build_data_command(compendium):
    (compendium / "data" / "derived" / "table.csv").unlink()
    assert cli.main(["build-data", "--root", str(compendium)]) == 0
    assert (compendium / "data" / "derived" / "table.csv").exists()
    assert (compendium / "data" / "datapackage.json").exists()


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        (0.12344, 0.12346, True),
        (0.1234, 0.1236, False),
        (1234.0, 1234.6, False),
        (1234.4, 1234.6, True),  # half a unit apart: tolerated at the rounding edge
        (1234.0, 1234.4, True),
        (-2.5e-7, -2.5004e-7, True),
        (0.0, 1e-300, False),
        (99995.0, 100004.0, True),
    ],
)
def test_numbers_agree(a, b, agree):
    assert helpers.numbers_agree(a, b) is agree


def test_version_from_module_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "sozialanalyse", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.strip() == f"sozialanalyse {sozialanalyse.__version__}"


def test_colophon_lists_python_and_installed_versions():
    import platform

    import pandas as pd

    table = helpers.colophon(["pandas", "surely-not-installed-pkg"]).set_index("Komponente")
    assert table.loc["Python", "Version"] == platform.python_version()
    assert table.loc["pandas", "Version"] == pd.__version__
    assert table.loc["surely-not-installed-pkg", "Version"] == "nicht installiert"


def test_git_commit_outside_a_repository_is_none(tmp_path):
    assert helpers.git_commit(tmp_path) is None
