"""nbval really compares stored outputs: a changed output value makes it fail.

The test command runs ``pytest --nbval`` on the book's notebooks. This test proves on a small
notebook that calls the package that the comparison is live: the unmodified notebook passes,
the same notebook with one stored output value changed fails.
"""

from __future__ import annotations

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


def _run_nbval(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
         "-p", "no:cacheprovider", "-q", str(path)],
        capture_output=True, text=True, cwd=path.parent, timeout=300,
    )


@pytest.mark.slow
def test_nbval_passes_unchanged_and_fails_on_changed_output(tmp_path: Path) -> None:
    nb_path = tmp_path / "probe.ipynb"
    _make_executed_notebook(nb_path)
    ok = _run_nbval(nb_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    nb = nbformat.read(nb_path, as_version=4)
    out = nb.cells[2].outputs[0]
    assert out["data"]["text/plain"] == "45"
    out["data"]["text/plain"] = "46"
    nbformat.write(nb, nb_path)
    changed = _run_nbval(nb_path)
    assert changed.returncode != 0, "nbval did not notice a changed stored output"
    assert "46" in changed.stdout or "45" in changed.stdout
