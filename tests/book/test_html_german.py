"""German typography in the built book: numbers with a decimal comma, a clean reference list.

* No number outside code is written with a decimal point (``0.87``, ``1.068``): German
  numbers have a decimal comma and group thousands with a narrow space. Skipped are code
  (``pre``, ``code``, ``kbd``, highlighted blocks, math), Sphinx's own numbering of
  sections, tables and figures ("Tab. 7.3", "2.1 Titel"), links, the reference list (titles
  and versions of cited works), and dotted sequences with two or more points (dates
  "31.12.2025", versions "1.0.4").
* The reference list shows no English working notes of the source collection and none of
  pybtex's English defaults ("and", "n.d.", "edition").
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import pytest
from book_pages import parse, soup_of
from bs4 import BeautifulSoup

pytestmark = pytest.mark.book

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_bibliography import _TITLE_PHRASES as TITLE_SAFE_NOTES  # noqa: E402

#: A number with exactly one decimal point between digits, not part of a longer dotted
#: sequence (dates, versions, section numbers such as 7.3.1).
DECIMAL_POINT = re.compile(r"(?<![\d.])[−-]?\d+\.\d+(?![\d.]|\w)")
#: Contexts in which a point between digits is not a decimal point.
ALLOWED_CONTEXT = re.compile(
    r"(Python|Version|version|Namensnennung|Tab\.|Abb\.|Abbildung|Tabelle|Kap\.|Kapitel|"
    r"Abschnitt|§|Nr\.|Drs\.|Drucksache|Art\.|S\.|v)\s*$"
)
SKIP_TAGS = ("pre", "code", "kbd", "samp", "script", "style", "math", "a", "mjx-container")
SKIP_CLASSES = (
    "highlight",
    "caption-number",
    "section-number",
    "citation",
    "citation-list",
    "math",
    "toctree-wrapper",
    "std-numref",
)


def _visible_text_nodes(soup: BeautifulSoup):
    article = soup.find("article") or soup.find("main") or soup
    for text in article.find_all(string=True):
        parent = text.parent
        skip = False
        while parent is not None and parent is not article:
            classes = parent.get("class") or []
            if parent.name in SKIP_TAGS or any(c in SKIP_CLASSES for c in classes):
                skip = True
                break
            parent = parent.parent
        if not skip:
            yield str(text)


def decimal_points(html: str | BeautifulSoup) -> list[str]:
    """Numbers with a decimal point in the reader-visible text of one page."""
    soup = soup_of(html)
    found = []
    for text in _visible_text_nodes(soup):
        for m in DECIMAL_POINT.finditer(text):
            before = text[max(0, m.start() - 20) : m.start()]
            if ALLOWED_CONTEXT.search(before):
                continue
            found.append(f"…{text[max(0, m.start() - 30) : m.end() + 10].strip()}…")
    return found


def test_decimal_point_finder() -> None:
    page = (
        "<article><p>Der Index liegt bei 0.87 und bei 1,2.</p>"
        "<p>Stand 31.12.2025, Version 1.0.4, Python 3.11, Tab. 7.3</p>"
        "<pre>x = 0.5</pre><code>2.5</code>"
        '<span class="caption-number">Tab. 2.1 </span></article>'
    )
    assert decimal_points(page) == ["…Der Index liegt bei 0.87 und bei 1…"]


#: Pages of other owners that still write "je 1.000" (a point as thousands separator; the
#: compendium groups thousands with a narrow no-break space: "je 1 000"). Their hits are
#: reported as warnings; once a page is clean its entry must go (the test then fails on
#: the stale entry, so the list cannot silently outlive the problem).
PENDING: dict[str, str] = {}


def test_no_decimal_points_in_german_numbers(html_dir, html_pages):
    problems, pending, stale = [], [], []
    for page in html_pages:
        if page.name in ("search.html", "genindex.html"):
            continue
        rel = page.relative_to(html_dir).as_posix()
        hits = [f"{rel}: {hit}" for hit in decimal_points(parse(page))]
        if rel in PENDING:
            (pending.extend(hits) if hits else stale.append(rel))
        else:
            problems += hits
    for hit in pending:
        warnings.warn(f"pending German number fix: {hit}", stacklevel=1)
    assert not problems, "numbers with a decimal point:\n" + "\n".join(problems)
    assert not stale, f"remove from PENDING, these pages are clean now: {stale}"


def test_reference_list_has_no_working_notes(html_dir):
    page = html_dir / "book" / "literatur.html"
    if not page.exists():
        pytest.skip("no reference list page")
    entries = parse(page).select("div.citation")
    assert len(entries) >= 20, "the reference list looks empty"
    problems = []
    for entry in entries:
        text = entry.get_text(" ", strip=True)
        hit = TITLE_SAFE_NOTES.search(text)  # titles of English works may say "edition"
        if hit:
            problems.append(f"{hit.group(0)!r} in {text[:100]!r}")
        authors = re.split(r"\((?:\d{4}[a-z]?|o\. J\.(?: [a-z])?)\)", text, maxsplit=1)[0]
        if " and " in authors:
            problems.append(f"'and' between authors in {text[:100]!r}")
        for english in ("n.d.", "visited on"):
            if english in text:
                problems.append(f"{english!r} in {text[:100]!r}")
        if re.search(r"\b\d+ edition\b", text):
            problems.append(f"English edition in {text[:100]!r}")
    assert not problems, "English in the reference list:\n" + "\n".join(problems)


def test_citations_are_german(html_dir, html_pages):
    """In-text citations: "und", "o. J.", never "and"/"n.d."."""
    problems = []
    for page in html_pages:
        for ref in parse(page).select("a.reference.internal[href*='literatur.html#id']"):
            text = ref.get_text(" ", strip=True)
            if " and " in text or "n.d." in text:
                problems.append(f"{page.name}: {text}")
    assert not problems, "\n".join(problems)
