"""Data of the compendium: raw copies, derived Dresden tables, published figures.

Main entry points
-----------------
load(name)
    Any resource of ``data/datapackage.json`` as a validated DataFrame.
list_resources()
    Names of all resources.
build_derived(out_dir=None)
    Rebuild ``data/derived/`` from ``data/raw/`` (byte-identical each time).
write_datapackage()
    Regenerate ``data/datapackage.json`` with hashes and sizes.
verify_raw()
    Check every raw file against ``data/raw/SHA256SUMS``.
read_indicator_table(path, ...), read_case_panel(path, ...)
    Read and validate users' own CSV or Excel files.

The compendium's own data live in the repository (``data/``), not in the installed package:
they are found next to the package in a source checkout, or through ``$SOZIALANALYSE_ROOT``;
otherwise the functions that need them raise :class:`CompendiumDataMissingError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Imported on first use (PEP 562): reading a user's file must not load pandera, matplotlib
# and the data-package machinery that only the compendium's own data need.
_LAZY: dict[str, str] = {
    "write_datapackage": "sozialanalyse.data.datapackage",
    "build_derived": "sozialanalyse.data.derived",
    "list_resources": "sozialanalyse.data.loader",
    "load": "sozialanalyse.data.loader",
    "verify_raw": "sozialanalyse.data.raw",
    "read_case_panel": "sozialanalyse.data.readers",
    "read_indicator_table": "sozialanalyse.data.readers",
    "CompendiumDataMissingError": "sozialanalyse.data.registry",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from sozialanalyse.data.datapackage import write_datapackage
    from sozialanalyse.data.derived import build_derived
    from sozialanalyse.data.loader import list_resources, load
    from sozialanalyse.data.raw import verify_raw
    from sozialanalyse.data.readers import read_case_panel, read_indicator_table
    from sozialanalyse.data.registry import CompendiumDataMissingError


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sozialanalyse.data' has no attribute {name!r}")


__all__ = [
    "CompendiumDataMissingError",
    "build_derived",
    "list_resources",
    "load",
    "read_case_panel",
    "read_indicator_table",
    "verify_raw",
    "write_datapackage",
]
