"""The built book in a real browser: Debian's headless Chromium driven by Playwright.

The book is served from a local ``http.server`` on 127.0.0.1. Requests to any other
host are blocked (the tests must pass offline), so the checks ignore exactly the
console errors that blocked external requests cause; see ``IGNORED_CONSOLE`` in
``browser_survey.py``.

Checks: every page of ``_toc.yml`` loads (HTTP 200) without console errors or
uncaught JavaScript exceptions; every figure image has loaded (``naturalWidth > 0``);
the search page finds "Prekarisierungsindex"; screenshots of the start page and one
chapter are saved to ``_build/test-artifacts/`` (or ``$SOZIALANALYSE_ARTIFACT_DIR``).

Every page is opened once at 1280 px (``desktop`` below, all pages at a time in a few
tabs); the tests assert on what was recorded there, one test per page.

Rerun: ``make book`` then ``.venv/bin/pytest -m book tests/book``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_survey import Survey, Visit, is_local

pytestmark = [pytest.mark.book]

SEARCH_TERM = "Prekarisierungsindex"
SEARCH_PATH = f"search.html?q={SEARCH_TERM}"
DESKTOP = {"width": 1280, "height": 900}

#: JavaScript: every image of the text, with whether it has loaded.
IMAGES_JS = """() => Array.from(document.querySelectorAll('article img, main img'))
  .map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0}))"""

#: Screenshot file name -> page (start page and the first chapter of _toc.yml).
SCREENSHOTS = {"startseite.png": 0, "kapitel.png": 1}


def _screenshot(path: Path):
    async def action(page) -> dict:
        await page.screenshot(path=str(path), full_page=False)
        return {"screenshot": str(path)}

    return action


async def _search_hits(page) -> dict:
    selector = "#search-results ul.search li"
    await page.wait_for_selector(selector, timeout=30_000)
    return {"hits": await page.locator(selector).count()}


@pytest.fixture(scope="module")
def desktop(survey_pages, toc_html_pages, artifact_dir) -> Survey:
    """Every page of ``_toc.yml`` and the search page, opened once at 1280 px."""
    shots = {toc_html_pages[i]: artifact_dir / name for name, i in SCREENSHOTS.items()}
    visits = [
        Visit(path, DESKTOP, IMAGES_JS, _screenshot(shots[path]) if path in shots else None)
        for path in toc_html_pages
    ]
    visits.append(Visit(SEARCH_PATH, DESKTOP, action=_search_hits))
    survey = survey_pages(visits)
    yield survey
    survey.report()


def test_toc_page_loads_without_errors(desktop: Survey, toc_page: str) -> None:
    problems = desktop[toc_page, DESKTOP["width"]].load_problems()
    assert not problems, f"{toc_page}:\n" + "\n".join(problems)


def test_figure_images_load(desktop: Survey, toc_page: str, book_server: str) -> None:
    images = desktop[toc_page, DESKTOP["width"]].measured()
    broken = [
        img["src"]
        for img in images
        if is_local(img["src"], book_server) and not img["ok"]  # external: blocked offline
    ]
    assert not broken, f"{toc_page}: images that did not load:\n" + "\n".join(broken)


def test_book_has_figure_images(desktop: Survey, toc_html_pages, book_server: str) -> None:
    n_images = sum(
        is_local(img["src"], book_server)
        for path in toc_html_pages
        for img in desktop[path, DESKTOP["width"]].data or ()
    )
    assert n_images >= 1, "no figure images found in the book"


def test_search_finds_german_term(desktop: Survey) -> None:
    record = desktop[SEARCH_PATH, DESKTOP["width"]]
    assert record.status == 200
    assert record.failure is None, f"search for {SEARCH_TERM!r} found nothing: {record.failure}"
    assert record.extra["hits"] >= 1, f"search for {SEARCH_TERM!r} found nothing"
    assert not record.errors, record.errors


def test_screenshots(desktop: Survey, toc_html_pages, artifact_dir) -> None:
    for name, i in SCREENSHOTS.items():
        record = desktop[toc_html_pages[i], DESKTOP["width"]]
        assert record.status == 200, f"{record.path}: HTTP {record.status}"
        record.done()
        assert (artifact_dir / name).stat().st_size > 10_000, f"screenshot {name} looks empty"
