"""The ESPQ picture: several series indexed to a common base year (= 100)."""

from __future__ import annotations

import pandas as pd

from sozialanalyse.errors import InputDataError


def index_to_base(
    df: pd.DataFrame,
    base: int,
    *,
    value: str = "value",
    by: str = "area",
    time: str = "year",
    file: str = "<DataFrame>",
) -> pd.DataFrame:
    """Index each series to its value in the base period (base = 100).

    Parameters
    ----------
    df
        Tidy data, one row per series (``by``) and period (``time``).
    base
        Base period; every series needs a positive value there.
    value, by, time
        Column names.
    file
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame
        ``df`` with a column ``index`` (100 * value / value in base period).

    Raises
    ------
    InputDataError
        If a series has no (or a non-positive) value in the base period.
    """
    for col in (value, by, time):
        if col not in df.columns:
            raise InputDataError(f"column '{col}' is missing", file=file, column=col)
    base_vals = df[df[time] == base].set_index(by)[value]
    for name in df[by].unique():
        if name not in base_vals.index or not base_vals.loc[name] > 0:
            raise InputDataError(
                f"series '{name}' has no positive value in the base period {base}",
                file=file, column=value,
                hint="choose a base period that every series covers",
            )
    out = df.copy()
    out["index"] = 100.0 * out[value] / out[by].map(base_vals)
    return out
