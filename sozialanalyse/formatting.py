"""German number formatting: the one place where numbers become text for readers.

Every number a reader sees (tables, figure ticks, glued values in the book, CLI
output) goes through this module, so that the whole compendium writes numbers the
same way:

* decimal comma (``0,87``);
* thousands grouped by a narrow no-break space (``571 510``), never by a point, so
  that a point in a German number can only be an error;
* the true minus sign ``−`` (U+2212), and no sign on values that round to zero
  (``−0,004`` with two digits is ``0,00``);
* a no-break space before ``%`` (``12,5 %``);
* intervals as ``[0,87; 0,97]`` and p-values as ``p = 0,004`` / ``p < 0,001``.

Examples
--------
>>> number(-1234.567, 1)
'−1\u202f234,6'
>>> number(-0.004, 2)
'0,00'
>>> percent(0.125)
'12,5\u00a0%'
>>> interval(0.8712, 0.9741)
'[0,87; 0,97]'
>>> p_value(0.0042)
'p = 0,004'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real

import numpy as np
import pandas as pd

__all__ = [
    "MINUS",
    "MISSING",
    "NNBSP",
    "NBSP",
    "count",
    "estimate",
    "format_frame",
    "german_axes",
    "integer",
    "interval",
    "number",
    "p_value",
    "percent",
    "tick_formatter",
]

#: The true minus sign.
MINUS: str = "\u2212"
#: Narrow no-break space: the thousands separator.
NNBSP: str = "\u202f"
#: No-break space: between a number and its unit or ``%``.
NBSP: str = "\u00a0"
#: What a missing value is shown as (the statistical offices' "no value" dash).
MISSING: str = "–"


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(np.isnan(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def number(
    value: float | int | None,
    digits: int = 2,
    *,
    sign: bool = False,
    group: bool = True,
) -> str:
    """A number in German notation.

    Parameters
    ----------
    value
        The number; ``None`` or ``nan`` give :data:`MISSING`, infinities ``∞``.
    digits
        Digits after the decimal comma.
    sign
        Show ``+`` for positive values (``−`` is always shown for negative ones).
    group
        Group thousands with a narrow no-break space.

    Returns
    -------
    str
        For example ``"−1 234,57"`` or ``"+0,82"``.
    """
    if _is_missing(value):
        return MISSING
    x = float(value)  # type: ignore[arg-type]
    if math.isinf(x):
        return ("+" if sign else "") + "∞" if x > 0 else MINUS + "∞"
    text = f"{abs(x):,.{digits}f}"
    rounded_zero = float(text.replace(",", "")) == 0.0
    text = text.replace(",", NNBSP if group else "").replace(".", ",")
    if x < 0 and not rounded_zero:
        return MINUS + text
    if sign and not rounded_zero:
        return "+" + text
    return text


def integer(value: float | int | None, *, sign: bool = False) -> str:
    """A whole number with grouped thousands, e.g. ``"9 232"``."""
    return number(value, 0, sign=sign)


def count(value: int, singular: str, plural: str) -> str:
    """A count with the right noun form: ``count(1, "Gebiet", "Gebiete")`` -> ``"1 Gebiet"``.

    The number and the noun are joined by a no-break space.
    """
    noun = singular if int(value) == 1 else plural
    return f"{integer(value)}{NBSP}{noun}"


def percent(
    value: float | None, digits: int = 1, *, share: bool = True, sign: bool = False
) -> str:
    """A percentage with a no-break space before ``%``.

    Parameters
    ----------
    value
        A share (``0.125``) when ``share`` is true, else already in percent (``12.5``).
    digits
        Digits after the decimal comma.
    share
        Whether ``value`` is a share between 0 and 1.
    sign
        Show ``+`` for positive values.
    """
    if _is_missing(value):
        return MISSING
    x = float(value) * (100.0 if share else 1.0)  # type: ignore[arg-type]
    return f"{number(x, digits, sign=sign)}{NBSP}%"


def interval(low: float | None, high: float | None, digits: int = 2) -> str:
    """A confidence interval, e.g. ``"[0,87; 0,97]"``."""
    return f"[{number(low, digits)}; {number(high, digits)}]"


def estimate(value: float, low: float, high: float, digits: int = 2) -> str:
    """An estimate with its interval, e.g. ``"0,92 [0,87; 0,97]"``."""
    return f"{number(value, digits)} {interval(low, high, digits)}"


def p_value(p: float | None, digits: int = 3, *, prefix: bool = True) -> str:
    """A p-value: ``"p = 0,004"``, ``"p < 0,001"`` (or without ``p`` when ``prefix`` is false)."""
    if _is_missing(p):
        return MISSING
    floor = 10.0 ** (-digits)
    if float(p) < floor:  # type: ignore[arg-type]
        body = f"< {number(floor, digits)}"
    else:
        body = f"= {number(p, digits)}"
    if prefix:
        return f"p {body}"
    return body.removeprefix("= ")


def format_frame(
    frame: pd.DataFrame,
    digits: int | Mapping[str, int] = 2,
    *,
    percent_columns: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A copy of ``frame`` with every number turned into German text.

    Integers are grouped whole numbers, except in columns whose name contains "jahr" or
    "year" (calendar years are written ``2025``); floats get ``digits`` decimals (one
    number for all columns, or a mapping column -> digits; unnamed columns keep 2);
    booleans become ``ja``/``nein``; other values are kept as they are.

    Parameters
    ----------
    frame
        The table to show.
    digits
        Decimals for float columns.
    percent_columns
        Columns holding shares (0–1) to be shown as percentages.
    """
    out = frame.copy()
    for col in out.columns:
        d = digits.get(col, 2) if isinstance(digits, Mapping) else digits
        series = out[col]
        if col in percent_columns:
            out[col] = [percent(v, d) for v in series]
        elif pd.api.types.is_bool_dtype(series):
            out[col] = ["ja" if v else "nein" for v in series]
        elif pd.api.types.is_integer_dtype(series) and _is_year_column(col):
            out[col] = [MISSING if _is_missing(v) else str(int(v)) for v in series]
        elif pd.api.types.is_integer_dtype(series):
            out[col] = [integer(v) for v in series]
        elif pd.api.types.is_float_dtype(series):
            out[col] = [number(v, d) for v in series]
        else:
            out[col] = [_cell(v, d) for v in series]
    return out


def _is_year_column(name: object) -> bool:
    """Whether a column holds calendar years (never grouped: ``2025``, not ``2 025``)."""
    text = str(name).lower()
    return any(word in text for word in ("jahr", "year"))


def _cell(value: object, digits: int) -> object:
    if isinstance(value, bool | np.bool_):
        return "ja" if value else "nein"
    if isinstance(value, int | np.integer):
        return integer(int(value))
    if isinstance(value, Real) and not isinstance(value, bool):
        return number(float(value), digits)
    if _is_missing(value):
        return MISSING
    return value


def tick_formatter(digits: int | None = None):  # noqa: ANN201 - matplotlib type
    """A matplotlib tick formatter writing German numbers.

    Parameters
    ----------
    digits
        Fixed decimals; ``None`` uses as few as the tick values need (up to 4).
    """
    from matplotlib.ticker import FuncFormatter

    def _fmt(x: float, _pos: int | None = None) -> str:
        if digits is not None:
            return number(x, digits)
        for d in range(5):
            if abs(round(x, d) - x) < 1e-9 * max(1.0, abs(x)):
                return number(x, d)
        return number(x, 4)

    return FuncFormatter(_fmt)


def german_axes(ax, *, x: bool = True, y: bool = True, digits: int | None = None):  # noqa: ANN001, ANN201
    """Set German tick labels on a matplotlib axis (numeric axes only); returns ``ax``."""
    if x:
        ax.xaxis.set_major_formatter(tick_formatter(digits))
    if y:
        ax.yaxis.set_major_formatter(tick_formatter(digits))
    return ax
