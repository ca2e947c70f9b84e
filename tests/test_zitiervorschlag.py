"""_ext/zitiervorschlag.py: the citation suggestion comes from CITATION.cff."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import zitiervorschlag as zv  # noqa: E402


def test_suggestion_from_the_repository_cff() -> None:
    cff = zv.read_cff(ROOT / "CITATION.cff")
    text = zv.suggestion(cff, "Daten und Quellen", "book/daten_und_quellen.ipynb")
    assert text.startswith(f"Beitragende des Projekts sozialanalyse ({cff['date-released'][:4]}): ")
    assert "„Daten und Quellen“" in text and cff["title"] in text
    assert f"Version {cff['version']}" in text and cff["repository-code"] in text
    assert "contributors" not in text


def test_person_authors_and_missing_year() -> None:
    cff = {
        "title": "T",
        "authors": [
            {"family-names": "Muster", "given-names": "Erika"},
            {"family-names": "Beispiel", "given-names": "Max"},
        ],
    }
    expected = "Muster, Erika und Beispiel, Max (o. J.): „K“. In: T."
    assert zv.suggestion(cff, "K", "book/k.md") == expected
