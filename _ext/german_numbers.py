"""Sphinx extension: German notation for numbers that notebooks hand over unformatted.

Numbers should be formatted in the notebooks with :mod:`sozialanalyse.formatting`. Two
places still receive Python's notation from code, and this extension rewrites them with
the same formatter, so that a reader never sees a decimal point:

* glued values (``{glue:text}`key:.2f```): the text of every ``pasted-text`` node that
  is a plain number (``0.873``, ``-1.5``, ``12,345.6``, ``571510``, ``12.5%``);
* notebook HTML outputs (pandas tables): table cells whose whole content is such a number.

Whole numbers below 10 000 without separators stay as they are (years, counts such as
``2025`` or ``17``). Anything that is not exactly a number (``p = 0.004``, ``v1.2``) is left
alone; ``tests/book/test_html_german.py`` reports what remains.
"""

from __future__ import annotations

import re

from docutils import nodes

NUMBER = re.compile(
    r"^(?P<sign>[-−+]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?P<pct>\s*%)?$"
)
CELL = re.compile(r"(<t[dh]\b[^>]*>)(\s*)([-−+]?[\d,]*\d(?:\.\d+)?\s*%?)(\s*)(</t[dh]>)")


def germanize(text: str) -> str | None:
    """The German form of ``text`` if it is a plain number in Python notation, else ``None``.

    >>> germanize("0.873"), germanize("-1234.5"), germanize("12,345"), germanize("2025")
    ('0,873', '−1\u202f234,5', '12\u202f345', None)
    """
    from sozialanalyse.formatting import NBSP, number

    stripped = text.strip()
    m = NUMBER.match(stripped)
    if not m:
        return None
    digits_int = m["int"].replace(",", "")
    frac = m["frac"] or ""
    if not frac and "," not in m["int"] and len(digits_int) < 5 and not m["pct"]:
        return None
    value = float(f"{digits_int}.{frac}" if frac else digits_int)
    if m["sign"] in ("-", "−"):
        value = -value
    out = number(value, len(frac), sign=m["sign"] == "+")
    if m["pct"]:
        out += f"{NBSP}%"
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{out}{trail}"


def germanize_html_cells(html: str) -> str:
    """Rewrite table cells of an HTML fragment whose whole content is a plain number."""

    def repl(m: re.Match[str]) -> str:
        new = germanize(m.group(3))
        if new is None:
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{new}{m.group(4)}{m.group(5)}"

    return CELL.sub(repl, html)


def _rewrite(app, doctree, docname) -> None:  # noqa: ANN001
    for node in list(doctree.findall(nodes.inline)):
        if "pasted-text" not in node.get("classes", []):
            continue
        for text in list(node.findall(nodes.Text)):
            new = germanize(str(text))
            if new is not None:
                text.parent.replace(text, nodes.Text(new))
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "") or "output" not in node.get("classes", []):
            continue
        old = node.astext()
        new = germanize_html_cells(old)
        if new != old:
            node.children = []
            node += nodes.Text(new)


def setup(app):  # noqa: ANN001, ANN201
    app.connect("doctree-resolved", _rewrite)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
