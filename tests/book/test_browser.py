"""The built book in a real browser: Debian's headless Chromium driven by Playwright.

The book is served from a local ``http.server`` on 127.0.0.1. Requests to any other
host are blocked (the tests must pass offline), so the checks ignore exactly the
console errors that blocked external requests cause; see ``IGNORED_CONSOLE``.

Checks: every page of ``_toc.yml`` loads (HTTP 200) without console errors or
uncaught JavaScript exceptions; every figure image has loaded (``naturalWidth > 0``);
the search page finds "Prekarisierungsindex"; screenshots of the start page and one
chapter are saved to ``_build/test-artifacts/`` (or ``$SOZIALANALYSE_ARTIFACT_DIR``).

Rerun: ``make book`` then ``.venv/bin/pytest -m book tests/book``.
"""

from __future__ import annotations

import re
import warnings
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.book]

SEARCH_TERM = "Prekarisierungsindex"

#: Console errors we ignore, each caused only by a blocked external request:
#: * "Failed to load resource: net::ERR_FAILED" / "net::ERR_BLOCKED_BY_CLIENT" for a
#:   resource on another host (CDN fonts, MathJax from jsdelivr, badges), identified by
#:   the message's source URL not being the local server;
#: * MathJax's own report that its CDN script could not be fetched.
IGNORED_CONSOLE = (
    re.compile(r"Failed to load resource: net::ERR_(FAILED|BLOCKED_BY_CLIENT)"),
    re.compile(r"mathjax", re.IGNORECASE),
)

#: Known defects of the pinned theme stack (jupyter-book 1.0.4.post1, sphinx-thebe 0.3.1,
#: pydata-sphinx-theme 0.17.1), harmless for readers. They are tolerated but reported
#: (pytest prints them as warnings); when the stack or _config.yml fixes them, delete
#: the entry and the test becomes stricter.
#: * sphinx-thebe adds its inline config script twice to every page (its
#:   ``env-before-read-docs`` hook runs twice), so the second ``const THEBE_JS_URL``
#:   raises a SyntaxError; thebe is disabled in _config.yml anyway.
#: * pydata-sphinx-theme logs "Got invalid theme mode: ." on a reader's first visit
#:   (empty localStorage, no default mode) and falls back to "auto".
KNOWN_UPSTREAM: tuple[re.Pattern[str], ...] = ()


def _is_local(url: str, base: str) -> bool:
    return urlsplit(url).netloc in ("", urlsplit(base).netloc)


@pytest.fixture(scope="module")
def page_factory(browser_context, book_server):
    """Open pages with external requests blocked; collect errors per page."""
    blocked: list[str] = []
    upstream: set[str] = set()

    def route(r):
        if _is_local(r.request.url, book_server) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    browser_context.route("**/*", route)

    def open_page(path: str):
        page = browser_context.new_page()
        errors: list[str] = []
        ignored: list[str] = []

        def on_console(msg):
            if msg.type != "error":
                return
            source = (msg.location or {}).get("url", "")
            external_source = bool(source) and not _is_local(source, book_server)
            known = blocked and any(p.search(msg.text) for p in IGNORED_CONSOLE)
            if external_source or known:
                ignored.append(f"{msg.text} [{source}]")
            elif any(p.search(msg.text) for p in KNOWN_UPSTREAM):
                upstream.add(msg.text)
            else:
                errors.append(f"console: {msg.text} [{source}]")

        def on_pageerror(exc):
            if any(p.search(str(exc)) for p in KNOWN_UPSTREAM):
                upstream.add(str(exc))
            else:
                errors.append(f"uncaught exception: {exc}")

        page.on("console", on_console)
        page.on("pageerror", on_pageerror)
        page.on(
            "requestfailed",
            lambda req: None
            if not _is_local(req.url, book_server)
            else errors.append(f"request failed: {req.url} ({req.failure})"),
        )
        response = page.goto(book_server + path, wait_until="load")
        status = response.status if response else None
        return page, status, errors, ignored

    yield open_page
    browser_context.unroute("**/*")
    for text in sorted(upstream):
        warnings.warn(f"known upstream console error tolerated: {text}", stacklevel=1)
    for url in sorted(set(blocked)):
        warnings.warn(f"external request blocked (offline test): {url}", stacklevel=1)


def test_toc_pages_load_without_errors(page_factory, toc_html_pages):
    problems = []
    for path in toc_html_pages:
        page, status, errors, _ = page_factory(path)
        page.wait_for_timeout(200)  # let late scripts report
        if status != 200:
            problems.append(f"{path}: HTTP {status}")
        problems += [f"{path}: {e}" for e in errors]
        page.close()
    assert not problems, "\n".join(problems)


def test_figure_images_load(page_factory, toc_html_pages):
    broken, n_images = [], 0
    for path in toc_html_pages:
        page, _, _, _ = page_factory(path)
        images = page.evaluate(
            """() => Array.from(document.querySelectorAll('article img, main img'))
                 .map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0}))"""
        )
        for img in images:
            if not _is_local(img["src"], page.url):
                continue  # external images are blocked offline
            n_images += 1
            if not img["ok"]:
                broken.append(f"{path}: {img['src']}")
        page.close()
    assert not broken, "images that did not load:\n" + "\n".join(broken)
    assert n_images >= 1, "no figure images found in the book"


def test_search_finds_german_term(page_factory):
    page, status, errors, _ = page_factory(f"search.html?q={SEARCH_TERM}")
    assert status == 200
    page.wait_for_selector("#search-results ul.search li", timeout=30_000)
    hits = page.locator("#search-results ul.search li").count()
    page.close()
    assert hits >= 1, f"search for {SEARCH_TERM!r} found nothing"
    assert not errors, errors


def test_screenshots(page_factory, toc_html_pages, artifact_dir):
    out = artifact_dir
    start, chapter = toc_html_pages[0], toc_html_pages[1]
    shots = {"startseite.png": start, "kapitel.png": chapter}
    for name, path in shots.items():
        page, status, _, _ = page_factory(path)
        assert status == 200
        page.screenshot(path=str(out / name), full_page=False)
        page.close()
        assert (out / name).stat().st_size > 10_000, f"screenshot {name} looks empty"
