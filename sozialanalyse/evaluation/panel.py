"""Case-count panels for the evaluation designs.

The panel is checked by the package's one validator,
:func:`sozialanalyse.validation.validate_panel` (re-exported here and from
:mod:`sozialanalyse.evaluation`); this module adds the treatment indicators the designs
use.
"""

from __future__ import annotations

import pandas as pd

from sozialanalyse.validation import REQUIRED, START, validate_panel

__all__ = ["REQUIRED", "START", "add_treatment", "validate_panel"]


def add_treatment(panel: pd.DataFrame) -> pd.DataFrame:
    """Add ``treated`` (area ever adopts), ``post`` and ``event_time`` columns.

    ``post`` is 1 from the start year on in treated areas, else 0;
    ``event_time`` is ``year - start_year`` (NaN for never-treated areas).
    """
    out = panel.copy()
    out["treated"] = out[START].notna().astype(int)
    out["post"] = ((out["year"] >= out[START]) & out[START].notna()).astype(int)
    out["event_time"] = out["year"] - out[START]
    return out
