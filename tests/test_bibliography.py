"""The German bibliography: bib files without working notes, the pybtex style, a/b suffixes.

The built reference list is checked in ``tests/book/test_html_bibliography.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pybtex.backends.plaintext import Backend
from pybtex.database import BibliographyData, Entry, Person, parse_file

ROOT = Path(__file__).resolve().parents[1]
BIB_FILES = sorted((ROOT / "book" / "references").glob("*.bib"))
sys.path.insert(0, str(ROOT / "_ext"))

import german_bib  # noqa: E402

#: Phrases of the source collection's English working notes (and pybtex's English
#: defaults) that must not reach a reader. Matched case-sensitively as words.
WORKING_NOTE_PHRASES = (
    r"My figure",
    r"Verlässlichkeit",
    r"Datum:",
    r"undated",
    r"Table of contents",
    r"\bTOC\b",
    r"Gelesen in einer archivierten Kopie",
    r"source\\?_id",
    r"\[(OK|SECONDARY|CHECK|REJECT)\]",
    r"\bfull text\b",
    r"\bwhole (file|text)\b",
    r"\bparagraphs?\b",
    r"\bcrawled\b",
    r"\bsecond-hand\b",
    r"\bn\.d\.",
    r"\bedition\b",
    r"\bvisited on\b",
    r"\bMP's\b",
    r"\breprint\b",
    r"\bvia\b",
    r"\bdpa on\b",
)
_PHRASES = re.compile("|".join(WORKING_NOTE_PHRASES))


def _entries() -> dict[str, tuple[Path, Entry]]:
    out = {}
    for path in BIB_FILES:
        for key, entry in parse_file(path).entries.items():
            out[key] = (path, entry)
    return out


def test_bib_files_exist() -> None:
    names = {p.name for p in BIB_FILES}
    assert {"quellen.bib", "daten.bib", "index.bib", "evaluation.bib"} <= names


#: Phrases that betray a working note even in a title (titles of English-language works
#: may legitimately contain "edition", "via" and the like).
_TITLE_PHRASES = re.compile("|".join(WORKING_NOTE_PHRASES[:9] + (r"\bcrawled\b", r"\bMP's\b")))


def test_no_english_working_notes_in_bib_files() -> None:
    problems = []
    for key, (path, entry) in _entries().items():
        for field in ("note", "title", "howpublished"):
            text = entry.fields.get(field, "")
            pattern = _TITLE_PHRASES if field == "title" else _PHRASES
            hit = pattern.search(text)
            if hit:
                problems.append(f"{path.name}:{key}.{field}: {hit.group(0)!r} in {text[:80]!r}")
    assert not problems, "working notes in the bibliography:\n" + "\n".join(problems)


#: English function words: a note (or howpublished) that contains one is an English sentence,
#: which the German reference list must not show (titles of English works are allowed).
_ENGLISH_WORDS = re.compile(
    r"\b(the|of|and|with|from|is|are|not|only|each|who|where|which|that|this|these|copy|"
    r"between|per|times|since|yearly|applies|source)\b"
)


def test_notes_are_german() -> None:
    problems = []
    for key, (path, entry) in _entries().items():
        for field in ("note", "howpublished"):
            text = entry.fields.get(field, "")
            words = sorted(set(_ENGLISH_WORDS.findall(text)))
            if words:
                problems.append(f"{path.name}:{key}.{field}: {words} in {text[:80]!r}")
    assert not problems, "English notes in the bibliography:\n" + "\n".join(problems)


def test_english_word_check_can_fail() -> None:
    assert _ENGLISH_WORDS.search("Archived copy. Calculation model in use since 2013")
    assert _ENGLISH_WORDS.search("3 % of the district funds")
    assert not _ENGLISH_WORDS.search(
        "Stelle: Abschnitt 2; Sekundärquelle. Datenlizenz Deutschland (dl-de/by-2-0)"
    )


def test_phrase_list_catches_the_old_notes() -> None:
    old = (
        "Datum: undated. Stelle: Table of contents. Verlässlichkeit: [OK]. "
        "Gelesen in einer archivierten Kopie; source\\_id X (Ordner dresden)"
    )
    assert _PHRASES.search(old)
    assert _PHRASES.search("My figure of 3,513 children")
    assert not _PHRASES.search("Stelle: Absätze 1–3; Sekundärquelle")


def _render(entries: dict[str, Entry]) -> dict[str, str]:
    style = german_bib.GermanStyle()
    data = BibliographyData(entries)
    return {fe.key: fe.text.render(Backend()) for fe in style.format_entries(data.entries.values())}


def test_german_style_words() -> None:
    book = Entry(
        "book",
        fields={
            "title": "Regression Analysis of Count Data",
            "year": "2013",
            "edition": "2",
            "publisher": "Cambridge University Press",
            "address": "Cambridge",
        },
        persons={"author": [Person("Cameron, A. Colin"), Person("Trivedi, Pravin K.")]},
    )
    edited = Entry(
        "book",
        fields={"title": "Sammelband", "year": "2020"},
        persons={"editor": [Person("Muster, Erika")]},
    )
    undated = Entry(
        "misc",
        fields={"title": "Statistische Daten", "url": "https://example.org/a_b"},
        persons={"author": [Person("{Landeshauptstadt Dresden}")]},
    )
    three = Entry(
        "article",
        fields={
            "title": "Ein Aufsatz",
            "year": "2021",
            "journal": "Zeitschrift",
            "volume": "5",
            "number": "2",
            "pages": "10-20",
        },
        persons={"author": [Person("A, Anna"), Person("B, Bert"), Person("C, Carl")]},
    )
    text = _render({"book": book, "edited": edited, "undated": undated, "three": three})
    assert "Cameron, A. Colin und Trivedi, Pravin K. (2013):" in text["book"]
    assert "2. Aufl." in text["book"]
    assert "Cambridge: Cambridge University Press" in text["book"]
    assert "Muster, Erika (Hrsg.) (2020):" in text["edited"]
    assert "(o. J.)" in text["undated"]
    assert "A, Anna; B, Bert und C, Carl (2021)" in text["three"]
    assert re.search(r"S\. 10\S20", text["three"])  # plain-text backend renders the ndash as "-"
    for rendered in text.values():
        assert " and " not in rendered and "n.d." not in rendered and "edition" not in rendered


def test_year_suffixes_for_same_author_and_year() -> None:
    dd = [Person("{Landeshauptstadt Dresden}")]
    entries = {
        "B": Entry(
            "misc", fields={"title": "Zweiter Bericht", "year": "2016"}, persons={"author": dd}
        ),
        "A": Entry(
            "misc", fields={"title": "Erster Bericht", "year": "2016"}, persons={"author": dd}
        ),
        "C": Entry(
            "misc", fields={"title": "Anderes Jahr", "year": "2017"}, persons={"author": dd}
        ),
        "D": Entry("misc", fields={"title": "Ohne Jahr"}, persons={"author": dd}),
    }
    years = german_bib.year_suffixes(entries)
    assert years == {"A": "2016a", "B": "2016b", "C": "2017", "D": "o. J."}


@pytest.mark.slow
def test_sphinx_build_uses_german_citations(tmp_path: Path) -> None:
    """A tiny Sphinx project with the extension: a/b suffixes and "o. J." in the text."""
    pytest.importorskip("sphinxcontrib.bibtex")
    from sphinx.cmd.build import build_main

    src = tmp_path / "src"
    src.mkdir()
    (src / "refs.bib").write_text(
        "@misc{X1, author={{Landeshauptstadt Dresden}}, title={Erster Bericht}, year={2016}}\n"
        "@misc{X2, author={{Landeshauptstadt Dresden}}, title={Zweiter Bericht}, year={2016}}\n"
        "@misc{X3, author={Muster, Erika and Beispiel, Max}, title={Ohne Jahr}}\n",
        encoding="utf-8",
    )
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['sphinxcontrib.bibtex', 'german_bib']\n"
        "bibtex_bibfiles = ['refs.bib']\n"
        "bibtex_default_style = 'german'\n"
        "bibtex_reference_style = 'author_year_de'\n"
        "language = 'de'\n",
        encoding="utf-8",
    )
    (src / "index.rst").write_text(
        "Test\n====\n\n:cite:p:`X1` :cite:p:`X2` :cite:t:`X3`\n\n.. bibliography::\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert build_main(["-q", "-b", "html", str(src), str(out)]) == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert "Landeshauptstadt Dresden, 2016a" in text
    assert "Landeshauptstadt Dresden, 2016b" in text
    assert "Muster und Beispiel" in text
    assert "o. J." in text
    assert "n.d." not in text
