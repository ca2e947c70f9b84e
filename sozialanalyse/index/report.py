"""Small formatting helpers for the German book chapters on the index."""

from __future__ import annotations


def de(value: float, digits: int = 2) -> str:
    """Format a number the German way: decimal comma, thin grouping by dots.

    Examples
    --------
    >>> de(1234.567, 1)
    '1.234,6'
    >>> de(-0.5)
    '−0,50'
    """
    text = f"{abs(value):,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return ("−" if value < 0 and float(text.replace(".", "").replace(",", ".")) != 0 else "") \
        + text
