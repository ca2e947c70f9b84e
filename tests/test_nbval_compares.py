"""nbval really compares stored outputs: a changed output value makes it fail.

The test command runs ``pytest --nbval`` on the book's notebooks. This test proves on a small
notebook that calls the package that the comparison is live: the unmodified notebook passes,
the same notebook with one stored output value changed fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _make_executed_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python"
    }
    nb.cells = [
        nbformat.v4.new_code_cell("from sozialanalyse.errors import InputDataError"),
        nbformat.v4.new_code_cell(
            "str(InputDataError('negative count', file='f.csv', column='cases', row=3))"
        ),
        nbformat.v4.new_code_cell("sum(range(10))"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    nbformat.write(nb, path)


def _run_nbval(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
         # plugins this run does not use cost seconds of start-up
         "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:hypothesispytest",
         "-rA", *(str(p) for p in paths)],
        capture_output=True, text=True, cwd=paths[0].parent, timeout=300,
    )


@pytest.mark.slow
def test_nbval_passes_unchanged_and_fails_on_changed_output(tmp_path: Path) -> None:
    """One nbval run on two copies of an executed notebook: the one whose stored value was
    changed fails, the unchanged one passes."""
    ok_path, changed_path = tmp_path / "probe_ok.ipynb", tmp_path / "probe_changed.ipynb"
    _make_executed_notebook(ok_path)
    nb = nbformat.read(ok_path, as_version=4)
    out = nb.cells[2].outputs[0]
    assert out["data"]["text/plain"] == "45"
    out["data"]["text/plain"] = "46"
    nbformat.write(nb, changed_path)

    run = _run_nbval(ok_path, changed_path)
    report = run.stdout + run.stderr
    summary = set(re.findall(r"^(PASSED|FAILED) (probe_\w+)\.ipynb::Cell (\d)", report, re.M))
    assert summary == {
        ("PASSED", "probe_ok", "0"), ("PASSED", "probe_ok", "1"), ("PASSED", "probe_ok", "2"),
        ("PASSED", "probe_changed", "0"), ("PASSED", "probe_changed", "1"),
        ("FAILED", "probe_changed", "2"),
    }, "nbval did not notice (only) the changed stored output\n" + report
    assert "46" in report and "45" in report
    assert run.returncode != 0
