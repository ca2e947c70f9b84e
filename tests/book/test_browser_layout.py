"""Phone layout of the built book in a real browser (Debian Chromium via Playwright).

* At 390 px (a phone) every page of ``_toc.yml`` loads (HTTP 200) without console errors,
  uncaught JavaScript exceptions or failed local requests.
* At 390 px no page of ``_toc.yml`` is wider than the window: long German
  compounds and URLs wrap, wide tables scroll inside their own container.
* At 390 px no table is clipped: a table wider than the column must sit in a container
  that scrolls (``overflow-x: auto``), never in one that hides the overflow.
* At 1280 px no entry of the reference list is wider than the text column.
* Screenshots at 390 px of the start page, the Dresden map and one reference-list entry go
  to ``_build/test-artifacts/`` (or ``$SOZIALANALYSE_ARTIFACT_DIR``).

Every page is opened once at 390 px (``layout`` below, a few tabs at a time; the reference
list once more at 1280 px) and the tests assert on what was recorded, one test per page.

Rerun: ``make book`` then ``.venv/bin/pytest -m book tests/book/test_browser_layout.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_survey import Survey, Visit

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


REFERENCES_JS = """() => {
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

#: JavaScript for every page at 390 px: both checks in one call.
PHONE_JS = f"() => ({{overflow: ({OVERFLOW_JS})(), clipped: ({CLIPPED_TABLES_JS})()}})"

START, MAP_PAGE, REFERENCES = "book/index.html", "book/dresden_index.html", "book/literatur.html"
MAP_ID = "#fig-dd-map"
ENTRY_TEXT = "Haushalte nach Kinderanzahl"


def _screenshot(path: Path):
    async def action(page) -> dict:
        await page.screenshot(path=str(path))
        return {"shots": [path.name]}

    return action


def _map_screenshot(path: Path):
    async def action(page) -> dict:
        figure = page.locator(MAP_ID)
        if not await figure.count():
            return {"shots": []}
        await figure.first.scroll_into_view_if_needed()
        await figure.first.screenshot(path=str(path))
        return {"shots": [path.name]}

    return action


def _entry_screenshot(path: Path):
    async def action(page) -> dict:
        entries = page.locator("div.citation", has_text=ENTRY_TEXT)
        entry = entries.first if await entries.count() else page.locator("div.citation").first
        await entry.scroll_into_view_if_needed()
        await entry.screenshot(path=str(path))
        return {"shots": [path.name]}

    return action


@pytest.fixture(scope="module")
def layout(survey_pages, toc_html_pages, artifact_dir) -> Survey:
    """Every page of ``_toc.yml`` opened once at 390 px, the reference list also at 1280 px."""
    actions = {
        START: _screenshot(artifact_dir / "390_startseite.png"),
        MAP_PAGE: _map_screenshot(artifact_dir / "390_dresden_karte.png"),
        REFERENCES: _entry_screenshot(artifact_dir / "390_literatur_eintrag.png"),
    }
    visits = [Visit(path, PHONE, PHONE_JS, actions.get(path)) for path in toc_html_pages]
    for path in set(actions) - set(toc_html_pages):  # pages that left _toc.yml: still shot
        visits.append(Visit(path, PHONE, None, actions[path]))
    visits.append(
        Visit(REFERENCES, DESKTOP, REFERENCES_JS,
              _entry_screenshot(artifact_dir / "1280_literatur_eintrag.png"))
    )
    survey = survey_pages(visits)
    yield survey
    survey.report()


def test_toc_page_loads_on_a_phone(layout: Survey, toc_page: str) -> None:
    problems = layout[toc_page, PHONE["width"]].load_problems()
    assert not problems, f"{toc_page} at {PHONE['width']} px:\n" + "\n".join(problems)


def test_no_page_wider_than_a_phone(layout: Survey, toc_page: str) -> None:
    result = layout[toc_page, PHONE["width"]].measured()["overflow"]
    assert result["width"] <= result["viewport"] + 1, (
        f"{toc_page}: {result['width']} px wide at {result['viewport']} px; "
        + "; ".join(result["offenders"])
    )


def test_no_table_is_clipped_on_a_phone(layout: Survey, toc_page: str) -> None:
    clipped = layout[toc_page, PHONE["width"]].measured()["clipped"]
    assert not clipped, f"{toc_page}: tables cut off on a phone:\n" + "\n".join(clipped)


def test_reference_entries_fit_the_column(layout: Survey) -> None:
    record = layout[REFERENCES, DESKTOP["width"]]
    assert record.status == 200, record.status
    result = record.measured()
    assert result["n"] >= 20
    assert not result["wide"], "reference entries wider than the column:\n" + "\n".join(
        result["wide"][:10]
    )
    assert result["page"] <= result["vw"] + 1


def test_phone_screenshots(layout: Survey, artifact_dir: Path) -> None:
    shots = [
        name
        for key in ((START, 390), (MAP_PAGE, 390), (REFERENCES, 390), (REFERENCES, 1280))
        for name in layout[key].done()["shots"]
    ]
    for name in shots:
        assert (artifact_dir / name).stat().st_size > 2_000, f"screenshot {name} looks empty"
    assert "390_dresden_karte.png" in shots, f"the Dresden map ({MAP_ID}) was not found"
    assert len(shots) == 4, shots
