"""Parsed pages of the built book, shared by the HTML test modules of one pytest process.

Parsing a page with ``html.parser`` costs far more than any check on it, so every page is
parsed once per process (``parse``) and the checks walk the same tree; none of them
modifies it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup


@cache
def parse(path: Path) -> BeautifulSoup:
    """The page at ``path``, parsed once per process; callers must not modify the tree."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def soup_of(html: str | BeautifulSoup) -> BeautifulSoup:
    """``html`` parsed, or ``html`` itself when it is parsed already."""
    return html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "html.parser")
