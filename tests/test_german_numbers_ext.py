"""_ext/german_numbers.py: glued values and notebook table cells in German notation."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))

import german_numbers as gn  # noqa: E402


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.873", "0,873"),
        ("-1234.5", "\u22121\u202f234,5"),
        ("+0.82", "+0,82"),
        ("12,345", "12\u202f345"),
        ("571510", "571\u202f510"),
        ("12.5%", "12,5\u00a0%"),
        (" 0.5 ", " 0,5 "),
        ("2025", None),
        ("17", None),
        ("p = 0.004", None),
        ("1.0.4", None),
        ("SR 04", None),
    ],
)
def test_germanize(text: str, expected: str | None) -> None:
    assert gn.germanize(text) == expected


def test_html_cells() -> None:
    html = (
        '<table><tr><th>2019</th><td class="data">0.873000</td><td>Pieschen</td>'
        "<td>1,068</td><td>17</td><td>3.11.7</td></tr></table>"
    )
    out = gn.germanize_html_cells(html)
    assert '<td class="data">0,873000</td>' in out
    assert "<td>1\u202f068</td>" in out
    assert "<th>2019</th>" in out and "<td>17</td>" in out and "<td>3.11.7</td>" in out


def test_doctree_rewrite() -> None:
    from docutils import nodes

    doc = nodes.document(None, None)
    para = nodes.paragraph()
    para += nodes.Text("Der Wert ist ")
    para += nodes.inline("", "0.87", classes=["pasted-text"])
    para += nodes.Text(" (Version 1.5).")
    doc += para
    doc += nodes.raw("", "<td>0.5</td>", format="html", classes=["output", "text_html"])
    gn._rewrite(None, doc, "x")
    assert para.astext() == "Der Wert ist 0,87 (Version 1.5)."
    assert doc.children[1].astext() == "<td>0,5</td>"
