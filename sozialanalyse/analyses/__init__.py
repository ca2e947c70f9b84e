"""Analyses behind the book's chapters.

Each module computes one chapter's results from the package's data and methods and
offers ``headline() -> dict[str, float | int | str]``: the chapter's headline results,
flat and JSON-serialisable. The notebooks glue these values into the prose, and
``python -m sozialanalyse reproduce`` recomputes them and compares them with
``results/headline.json``.
"""

MODULES: tuple[str, ...] = (
    "sozialanalyse.analyses.daten",
    "sozialanalyse.analyses.dresden_index",
    "sozialanalyse.analyses.evaluation_real",
    "sozialanalyse.analyses.evaluation_power",
    "sozialanalyse.analyses.ressourcen",
)
