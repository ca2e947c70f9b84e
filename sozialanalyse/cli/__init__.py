"""Command line of the compendium: ``python -m sozialanalyse BEFEHL …``.

User commands (on a planner's own files) and compendium helpers live in separate
modules; each exposes ``register(subparsers)``, which adds its parser and sets
``run(args) -> int`` as default. The modules are registered from
:data:`COMMAND_MODULES`; a module that is not installed (an optional command) is
skipped. Their top level imports only the standard library and
:mod:`sozialanalyse.cli._common`, so ``--help`` and ``--version`` start fast; numpy,
pandas and statsmodels are imported inside ``run``.

User errors (:class:`~sozialanalyse.errors.InputDataError`,
:class:`~sozialanalyse.errors.MethodError`, unreadable files) end with exit status 2 and
a German message on standard error, never with a traceback; ``--debug`` shows the
traceback as well.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
from collections.abc import Sequence

import sozialanalyse
from sozialanalyse.cli._common import EXIT_USER_ERROR, GermanParser, run_guarded

__all__ = ["COMMAND_MODULES", "EXIT_USER_ERROR", "build_parser", "main"]

#: Subcommand modules in the order their commands appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "sozialanalyse.cli.index_cmd",
    "sozialanalyse.cli.evaluate_cmd",
    "sozialanalyse.cli.allocate_cmd",
    "sozialanalyse.cli.compendium",
)


def _available(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def build_parser() -> argparse.ArgumentParser:
    """The parser with every available subcommand registered."""
    parser = GermanParser(
        prog="python -m sozialanalyse",
        description=(
            "Sozialraumanalyse: Belastungsindex (index) und Vorher-nachher-Auswertung "
            "von Fallzahlen (evaluate) mit eigenen Dateien; Werkzeuge des Kompendiums "
            "(reproduce, build-data)."
        ),
        epilog="Hilfe zu einem Befehl: python -m sozialanalyse BEFEHL --help",
    )
    parser.add_argument(
        "--version", action="version", version=f"sozialanalyse {sozialanalyse.__version__}",
        help="Version anzeigen und beenden",
    )
    parser.add_argument(
        "--debug", action="store_true",
        help="bei einem Fehler zusätzlich den vollständigen Python-Traceback zeigen",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL",
                                title="Befehle")
    for name in COMMAND_MODULES:
        if not _available(name):
            continue
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m sozialanalyse`` and the ``sozialanalyse`` script.

    Returns the exit status: 0 success, 1 a failed check (``reproduce``), 2 a user
    error (bad file, option or method choice), 130 interrupted.
    """
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    if debug:
        argv = [a for a in argv if a != "--debug"]
    args = build_parser().parse_args(argv)
    args.debug = debug
    return run_guarded(args.run, args)
