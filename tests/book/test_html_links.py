"""Every internal link and anchor of the built book resolves.

Checks ``a[href]``, ``link[href]``, ``img[src]`` and ``script[src]`` in every built page:
the target file must exist in the build, and a ``#fragment`` must name an element id
(or ``<a name=...>``) on the target page. External links (with a scheme such as
``https:``, or ``//host``) are left to the scheduled link check
(``.github/workflows/linkcheck.yml``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from book_pages import parse

pytestmark = pytest.mark.book

LINK_ATTRS = (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"))


@cache
def _anchors(path: Path) -> frozenset[str]:
    soup = parse(path)
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    names = {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return frozenset(ids | names)


def internal_link_problems(page: Path, html_dir: Path) -> list[str]:
    """Broken internal links and anchors of one page, as readable messages."""
    problems = []
    soup = parse(page)
    rel_page = page.relative_to(html_dir).as_posix()
    for tag_name, attr in LINK_ATTRS:
        for tag in soup.find_all(tag_name, attrs={attr: True}):
            url = tag[attr].strip()
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:")):
                continue
            if not parts.path and not parts.fragment:
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if html_dir.resolve() not in (target.resolve(), *target.resolve().parents):
                problems.append(f"{rel_page}: {url} points outside the book")
                continue
            if not target.exists():
                problems.append(f"{rel_page}: {url} -> missing file")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in _anchors(target):
                problems.append(f"{rel_page}: {url} -> no anchor #{fragment}")
    return problems


def test_all_toc_pages_built(html_dir, toc_html_pages):
    missing = [p for p in toc_html_pages if not (html_dir / p).exists()]
    assert not missing, f"pages of _toc.yml not in the build: {missing}"


def test_internal_links_and_anchors_resolve(html_dir, html_pages):
    assert html_pages, "no HTML pages found"
    problems = [msg for page in html_pages for msg in internal_link_problems(page, html_dir)]
    assert not problems, f"{len(problems)} broken internal link(s):\n" + "\n".join(problems)


def test_checker_detects_broken_links(tmp_path):
    """The checker itself can fail: a page with a missing file and a missing anchor."""
    (tmp_path / "index.html").write_text(
        '<html><body><h1 id="top">x</h1><a href="#top">ok</a><a href="#nowhere">bad</a>'
        '<a href="missing.html">bad</a><a href="https://example.org/">external</a>'
        '<a href="other.html#sec">ok</a><a href="other.html#gone">bad</a></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "other.html").write_text('<p id="sec">y</p>', encoding="utf-8")
    problems = internal_link_problems(tmp_path / "index.html", tmp_path)
    assert len(problems) == 3
    assert any("#nowhere" in p for p in problems)
    assert any("missing.html" in p for p in problems)
    assert any("#gone" in p for p in problems)
