"""The package works when installed from its wheel, away from the repository.

The wheel is built from a copy of the sources (nothing is written into the checkout) and
installed into a fresh virtual environment outside the repository. That environment sees the
third-party packages of the running interpreter through a ``.pth`` line (so nothing is
downloaded) but not the repository or its editable install. A script there runs an index
and an evaluation on two small files in a temporary directory, applies disclosure control,
and checks that the compendium's own data functions fail with the German message.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import json
    import sys
    import warnings
    from pathlib import Path

    import pandas as pd

    import sozialanalyse
    from sozialanalyse import disclosure
    from sozialanalyse.data.registry import CompendiumDataMissingError
    from sozialanalyse.index import list_presets
    from sozialanalyse.workflows import evaluate_from_file, index_from_file, ranked_table

    result = {"package": sozialanalyse.__file__, "presets": list(list_presets())}
    coin = index_from_file("indikatoren.csv", "metadaten.csv")
    table = ranked_table(coin)
    result["index_top"] = str(table["area"].iloc[0])
    result["index_n"] = int(len(table))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluation = evaluate_from_file("fallzahlen.csv", design="rateratio")
    result["irr"] = float(evaluation.irr)
    result["summary_rows"] = int(len(evaluation.summary()))
    counts = pd.DataFrame({"faelle": [1, 5, 7, 9]}, index=["A", "B", "C", "D"])
    shown = disclosure.suppress(counts, totals=True)
    result["suppressed"] = int(shown["faelle"].isna().sum())
    try:
        from sozialanalyse.data import load

        load("dresden_stadtraum_indicators")
    except CompendiumDataMissingError as err:
        result["data_error"] = str(err)
    json.dump(result, sys.stdout)
    """
)


def _write_inputs(folder: Path) -> None:
    """A made-up indicator table (German CSV convention) and a made-up case panel."""
    areas = ["Nord", "Ost", "Süd", "West", "Mitte", "Hafen"]
    lines = ["area;year;arbeitslose;alleinerziehende;sgb2"]
    for i, area in enumerate(areas):
        lines.append(f"{area};2024;{3 + i},5;{12 + 2 * i},0;{5 + 3 * i},25")
    (folder / "indikatoren.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "metadaten.csv").write_text(
        "indicator;dimension;direction\narbeitslose;Arbeit;1\nsgb2;Arbeit;1\n"
        "alleinerziehende;Familie;1\n",
        encoding="utf-8",
    )
    rows = ["area,year,cases,population,start_year"]
    for year in range(2016, 2024):
        after = year >= 2020
        rows.append(f"Modell,{year},{60 if after else 80},4000,2020")
        rows.append(f"Vergleich,{year},{78 + year % 3},4100,")
    (folder / "fallzahlen.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "sozialanalyse", src / "sozialanalyse",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    dist = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "--disable-pip-version-check", "-w", str(dist), str(src)],
        check=True, capture_output=True, text=True, timeout=300, cwd=tmp,
    )
    (wheel,) = dist.glob("sozialanalyse-*.whl")
    return wheel


def _venv_with_wheel(tmp: Path, wheel: Path) -> Path:
    """A new venv whose site-packages holds the wheel and points at our third-party packages."""
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--disable-pip-version-check", "--target", str(site), str(wheel)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    # Third-party packages of the test environment; a plain path line, so the editable
    # install's own .pth (which would import the repository) is not processed.
    (site / "zz_test_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.mark.slow
def test_wheel_runs_index_and_evaluation_outside_the_repository(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("sozialanalyse/presets/") and n.endswith(".json") for n in names)
    assert not any(n.startswith(("tests/", "book/", "data/")) for n in names)

    python = _venv_with_wheel(tmp_path, wheel)
    work = tmp_path / "arbeit"
    work.mkdir()
    _write_inputs(work)
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "SOZIALANALYSE_ROOT", "PYTHONHOME"}}
    run = subprocess.run([str(python), "-c", SCRIPT], cwd=work, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)

    package = Path(result["package"]).resolve()
    assert tmp_path.resolve() in package.parents, f"imported from {package}, not the wheel"
    assert ROOT not in package.parents
    assert len(result["presets"]) >= 3, "preset JSON files missing from the wheel"
    assert result["index_n"] == 6
    assert result["index_top"] == "Hafen"  # the largest value on every indicator
    assert 0.6 < result["irr"] < 0.9  # 60 cases after vs 80 before in the model area
    assert result["summary_rows"] >= 1
    assert result["suppressed"] >= 2  # the 1 and a second cell that would reveal it
    assert "SOZIALANALYSE_ROOT" in result.get("data_error", ""), result
    assert "Repositorium" in result["data_error"]

    cli = subprocess.run([str(python), "-m", "sozialanalyse", "--help"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr


def test_repository_data_error_is_german_and_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sozialanalyse.data.registry import CompendiumDataMissingError, repo_root

    monkeypatch.setenv("SOZIALANALYSE_ROOT", str(tmp_path))
    with pytest.raises(CompendiumDataMissingError, match="SOZIALANALYSE_ROOT.*Repositoriums"):
        repo_root()
    (tmp_path / "data").mkdir()
    assert repo_root() == tmp_path.resolve()
    monkeypatch.delenv("SOZIALANALYSE_ROOT")
    assert (repo_root() / "data" / "datapackage.json").is_file()
