"""Session-wide reporting: the run time of every notebook under nbval.

``make test`` runs nbval on the book's notebooks in the same pytest(-xdist) session as the
unit tests. At the end of the session this plugin prints, per notebook, the seconds its
cells took (setup, call and teardown of every cell, i.e. kernel start included), and marks
notebooks over the 30-second budget of a chapter (README, "Ein Kapitel selbst ausführen").
Under heavy load on a shared machine the times are longer than on an idle one.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

NOTEBOOK_BUDGET_S = 30.0

_notebook_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not _notebook_seconds or hasattr(config, "workerinput"):
        return
    terminalreporter.section("Laufzeit je Notebook (nbval)")
    for path, seconds in sorted(_notebook_seconds.items(), key=lambda kv: -kv[1]):
        flag = f"  über {NOTEBOOK_BUDGET_S:.0f} s" if seconds > NOTEBOOK_BUDGET_S else ""
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}{flag}")
