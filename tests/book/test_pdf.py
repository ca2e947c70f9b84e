"""The PDF of the whole book (``make pdf``, tools/book_pdf.py) is complete and linked.

It must be newer than the HTML it was printed from, hold every chapter of ``_toc.yml`` as a
bookmark in reading order, contain German text from the first and the last chapter, and be
linked from the start page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.book

PDF_NAME = "sozialanalyse.pdf"  # tools/book_pdf.py writes it next to index.html

MIN_PAGES = 60  # about 170 pages in December 2026; far fewer means chapters are missing


@pytest.fixture(scope="module")
def pdf_path(html_dir: Path) -> Path:
    path = html_dir / PDF_NAME
    assert path.is_file(), f"{path} missing: run `make pdf` after `make book`"
    return path


@pytest.fixture(scope="module")
def reader(pdf_path: Path):
    from pypdf import PdfReader

    return PdfReader(pdf_path)


def _text(page) -> str:
    """Page text with line breaks, soft hyphens and hyphenation at line ends removed."""
    text = page.extract_text().replace("\u00ad", "")
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text)


def test_pdf_is_newer_than_the_html(pdf_path: Path, html_dir: Path) -> None:
    assert pdf_path.stat().st_mtime >= (html_dir / "index.html").stat().st_mtime, (
        "the PDF is older than the HTML book: run `make pdf`"
    )


def test_pdf_has_every_chapter_in_reading_order(reader, toc_html_pages: list[str]) -> None:
    assert len(reader.pages) >= max(MIN_PAGES, len(toc_html_pages))
    outline = [item for item in reader.outline if not isinstance(item, list)]
    assert len(outline) == len(toc_html_pages), [o.title for o in outline]
    starts = [reader.get_destination_page_number(o) for o in outline]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert outline[0].title.startswith("Sozialraumorientierte")


def test_pdf_contains_german_text_of_first_and_last_chapter(reader) -> None:
    first = _text(reader.pages[0])
    assert "Forschungskompendium" in first
    outline = [item for item in reader.outline if not isinstance(item, list)]
    last_start = reader.get_destination_page_number(outline[-1])
    last = " ".join(_text(p) for p in reader.pages[last_start:last_start + 2])
    assert outline[-1].title.split()[0] in last


def test_pdf_links_point_nowhere_local(reader) -> None:
    """The pages were printed from a temporary local server: no link may point there."""
    uris = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            if "/URI" in action:
                uris.append(str(action["/URI"]))
    local = [u for u in uris if "127.0.0.1" in u or u.startswith(("file:", "http://localhost"))]
    assert not local, local[:5]


def test_start_page_links_to_the_pdf(html_dir: Path) -> None:
    from book_pages import parse

    # index.html is only a redirect; the start page is book/index.html (_toc.yml root).
    start = html_dir / "book" / "index.html"
    soup = parse(start)
    targets = {
        (start.parent / a["href"]).resolve()
        for a in soup.find_all("a", href=True)
        if "://" not in a["href"] and not a["href"].startswith("#")
    }
    assert (html_dir / PDF_NAME).resolve() in targets, (
        "book/index.md must link to the PDF next to index.html (href ../sozialanalyse.pdf)"
    )
