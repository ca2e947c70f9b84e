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

from sozialanalyse.data.datapackage import write_datapackage
from sozialanalyse.data.derived import build_derived
from sozialanalyse.data.loader import list_resources, load
from sozialanalyse.data.raw import verify_raw
from sozialanalyse.data.readers import read_case_panel, read_indicator_table
from sozialanalyse.data.registry import CompendiumDataMissingError

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
