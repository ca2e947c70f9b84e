"""Phone layout of the built book in a real browser (Debian Chromium via Playwright).

* At 390 px (a phone) no page of ``_toc.yml`` is wider than the window: long German
  compounds and URLs wrap, wide tables scroll inside their own container.
* At 390 px no table is clipped: a table wider than the column must sit in a container
  that scrolls (``overflow-x: auto``), never in one that hides the overflow.
* At 1280 px no entry of the reference list is wider than the text column.
* Screenshots at 390 px of the start page, the Dresden map and one reference-list entry go
  to ``_build/test-artifacts/`` (or ``$SOZIALANALYSE_ARTIFACT_DIR``).

Rerun: ``make book`` then ``.venv/bin/pytest -m book tests/book/test_browser_layout.py``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.book]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

#: JavaScript: the page's width and the widest offending elements (tag, class, width).
OVERFLOW_JS = """() => {
  const vw = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) continue;
    // report only the outermost offender
    let p = el.parentElement, inner = false;
    while (p) { if (p.getBoundingClientRect().right > vw + 1 && p !== document.body
                    && p !== document.documentElement) { inner = true; break; }
                p = p.parentElement; }
    if (!inner) out.push(`${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80)
                         + ` (${Math.round(r.right)} px)`);
    if (out.length >= 5) break;
  }
  return {width: document.documentElement.scrollWidth, viewport: vw, offenders: out};
}"""


@pytest.fixture(scope="module")
def open_page(browser_context, book_server):
    """Open a page at a given viewport with all non-local requests blocked."""
    netloc = urlsplit(book_server).netloc
    pages = []

    def route(r):
        if urlsplit(r.request.url).netloc in ("", netloc) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            r.abort()

    def _open(path: str, viewport: dict):
        page = browser_context.new_page()
        page.set_viewport_size(viewport)
        page.route("**/*", route)
        response = page.goto(book_server + path, wait_until="load")
        assert response is not None and response.status == 200, path
        page.wait_for_timeout(150)
        pages.append(page)
        return page

    yield _open
    for page in pages:
        if not page.is_closed():
            page.close()


def test_no_page_wider_than_a_phone(open_page, toc_html_pages):
    problems = []
    for path in toc_html_pages:
        page = open_page(path, PHONE)
        result = page.evaluate(OVERFLOW_JS)
        if result["width"] > result["viewport"] + 1:
            problems.append(
                f"{path}: {result['width']} px wide at {result['viewport']} px; "
                + "; ".join(result["offenders"])
            )
        page.close()
    assert not problems, "pages wider than the phone screen:\n" + "\n".join(problems)


#: JavaScript: tables wider than their clipping ancestor that cannot be scrolled to.
CLIPPED_TABLES_JS = """() => {
  const out = [];
  for (const table of document.querySelectorAll('article table')) {
    let p = table.parentElement;
    while (p && p !== document.body) {
      const ox = getComputedStyle(p).overflowX;
      if (ox !== 'visible') {
        if ((ox === 'hidden' || ox === 'clip') && table.scrollWidth > p.clientWidth + 1)
          out.push(((table.querySelector('caption') || {}).textContent || table.className)
                   .trim().slice(0, 60) + ` (${table.scrollWidth} > ${p.clientWidth} px)`);
        break;
      }
      p = p.parentElement;
    }
  }
  return out;
}"""


def test_no_table_is_clipped_on_a_phone(open_page, toc_html_pages):
    problems = []
    for path in toc_html_pages:
        page = open_page(path, PHONE)
        problems += [f"{path}: {t}" for t in page.evaluate(CLIPPED_TABLES_JS)]
        page.close()
    assert not problems, "tables cut off on a phone:\n" + "\n".join(problems)


def test_reference_entries_fit_the_column(open_page):
    page = open_page("book/literatur.html", DESKTOP)
    result = page.evaluate(
        """() => {
          const col = document.querySelector('.bd-article') || document.body;
          const limit = col.getBoundingClientRect().right + 1;
          const wide = [];
          for (const c of document.querySelectorAll('div.citation')) {
            const r = c.getBoundingClientRect();
            if (r.right > limit || c.scrollWidth > c.clientWidth + 1)
              wide.push(c.textContent.trim().slice(0, 60) + ` (${Math.round(r.width)} px)`);
          }
          return {n: document.querySelectorAll('div.citation').length, wide: wide,
                  page: document.documentElement.scrollWidth, vw: window.innerWidth};
        }"""
    )
    page.close()
    assert result["n"] >= 20
    assert not result["wide"], "reference entries wider than the column:\n" + "\n".join(
        result["wide"][:10]
    )
    assert result["page"] <= result["vw"] + 1


def test_phone_screenshots(open_page, artifact_dir):
    shots = []
    page = open_page("book/index.html", PHONE)
    page.screenshot(path=str(artifact_dir / "390_startseite.png"))
    shots.append("390_startseite.png")
    page.close()

    page = open_page("book/dresden_index.html", PHONE)
    figure = page.locator("#fig-dd-map")
    if figure.count():
        figure.first.scroll_into_view_if_needed()
        figure.first.screenshot(path=str(artifact_dir / "390_dresden_karte.png"))
        shots.append("390_dresden_karte.png")
    page.close()

    for viewport, name in ((PHONE, "390_literatur_eintrag.png"),
                           (DESKTOP, "1280_literatur_eintrag.png")):
        page = open_page("book/literatur.html", viewport)
        entries = page.locator("div.citation", has_text="Haushalte nach Kinderanzahl")
        entry = entries.first if entries.count() else page.locator("div.citation").first
        entry.scroll_into_view_if_needed()
        entry.screenshot(path=str(artifact_dir / name))
        shots.append(name)
        page.close()
    for name in shots:
        assert (artifact_dir / name).stat().st_size > 2_000, f"screenshot {name} looks empty"
    assert "390_dresden_karte.png" in shots, "the Dresden map (#fig-dd-map) was not found"
