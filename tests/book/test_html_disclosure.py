"""No unsuppressed small case count in the built book.

Every table of case counts per area is made by
``sozialanalyse.disclosure.case_count_table`` and carries the CSS class
``case-counts``. In such tables no count cell may show a value from 1 to
``threshold - 1`` (the table's ``data-threshold``, at least the package default).
Cells marked ``class="count"`` are checked when present, else every ``td``.
"""

from __future__ import annotations

import re

import pytest
from book_pages import parse, soup_of
from bs4 import BeautifulSoup

from sozialanalyse.disclosure import DEFAULT_THRESHOLD, SECRECY_SYMBOL, case_count_table

pytestmark = pytest.mark.book

# whole numbers, optionally with German thousands separators (., thin or normal space)
INTEGER = re.compile(r"^\d{1,3}(?:[.\u202f\u00a0 ]\d{3})*$|^\d+$")


def small_count_cells(html: str | BeautifulSoup, page: str = "<html>") -> tuple[int, list[str]]:
    """Number of case-count tables and the messages for small published counts."""
    soup = soup_of(html)
    tables = soup.find_all("table", class_="case-counts")
    problems = []
    for i, table in enumerate(tables, start=1):
        try:
            threshold = max(DEFAULT_THRESHOLD, int(table.get("data-threshold", DEFAULT_THRESHOLD)))
        except ValueError:
            threshold = DEFAULT_THRESHOLD
        cells = table.find_all("td", class_="count") or table.find_all("td")
        for cell in cells:
            text = cell.get_text(strip=True)
            if not INTEGER.match(text):
                continue
            value = int(re.sub(r"\D", "", text))
            if 1 <= value < threshold:
                row = cell.find_parent("tr")
                label = row.th.get_text(strip=True) if row and row.th else "?"
                problems.append(f"{page}: case-count table {i}, row {label!r}: {text}")
    return len(tables), problems


def test_no_small_counts_in_case_count_tables(html_dir, html_pages):
    n_tables, problems = 0, []
    for page in html_pages:
        n, found = small_count_cells(parse(page), page.relative_to(html_dir).as_posix())
        n_tables += n
        problems += found
    assert not problems, "unsuppressed small counts:\n" + "\n".join(problems)
    # the book shows at least one case-count table (the example in Reproduzierbarkeit),
    # so this scan is not vacuous
    assert n_tables >= 1, "no table with class 'case-counts' found in the built book"


def test_scan_flags_unsuppressed_table():
    html = (
        '<table class="case-counts"><tbody><tr><th>Nord</th><td class="count">2</td>'
        '<td class="count">1.204</td></tr><tr><th>Süd</th><td class="count">.</td>'
        '<td class="count">–</td></tr></tbody></table>'
    )
    n, problems = small_count_cells(html)
    assert n == 1
    assert len(problems) == 1 and "'Nord'" in problems[0]


def test_scan_passes_package_output():
    import pandas as pd

    raw = pd.DataFrame({"a": [1, 2, 9, 14], "b": [7, 8, 1, 30]}, index=list("wxyz"))
    html = case_count_table(raw, caption="Test")._repr_html_()
    n, problems = small_count_cells(html)
    assert n == 1 and not problems
    assert SECRECY_SYMBOL in html
