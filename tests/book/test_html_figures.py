"""Figures in the built book are real images with a caption and alt text.

A glued matplotlib figure that was stored without its image shows up in the HTML as the
text ``<Figure size ...>``; a ``{glue:figure}`` without ``:alt:`` leaves readers of screen
readers with nothing. Both are caught here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from book_pages import parse

pytestmark = pytest.mark.book

RAW_REPRS = ("<Figure size", "<Axes:", "<matplotlib.", "<AxesSubplot")


def figure_problems(page: Path) -> list[str]:
    """Problems with the figures of one built page, as readable messages."""
    soup = parse(page)
    problems = []
    text = soup.get_text()
    for raw in RAW_REPRS:
        if raw in text:
            problems.append(f"{page.name}: shows the text {raw!r} instead of an image")
    for number, figure in enumerate(soup.find_all("figure"), start=1):
        images = figure.find_all(["img", "svg"])
        if not images:
            problems.append(f"{page.name}: figure {number} has no image")
        if figure.find("figcaption") is None:
            problems.append(f"{page.name}: figure {number} has no caption")
        for img in figure.find_all("img"):
            alt = (img.get("alt") or "").strip()
            if len(alt) < 20:
                problems.append(f"{page.name}: figure {number} has no meaningful alt text")
    return problems


def test_every_figure_has_image_caption_and_alt_text(html_pages: list[Path]) -> None:
    pages = html_pages
    assert pages, "the build has no pages"
    problems = [p for page in pages for p in figure_problems(page)]
    assert not problems, "\n".join(problems)
    n_figures = sum(len(parse(p).find_all("figure")) for p in pages)
    assert n_figures >= 5, f"expected the analysis chapters' figures, found {n_figures}"


def test_checker_catches_a_figure_stored_without_image(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<html><body><figure><p>&lt;Figure size 640x480 with 1 Axes&gt;</p></figure>"
        "<figure><img src='a.png' alt=''></figure></body></html>",
        encoding="utf-8",
    )
    problems = figure_problems(page)
    assert any("instead of an image" in p for p in problems)
    assert any("figure 1 has no image" in p for p in problems)
    assert any("alt text" in p for p in problems)
    assert any("no caption" in p for p in problems)
