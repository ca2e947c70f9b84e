"""Command line for planners' own files: ``index`` and ``evaluate``.

Registered as subcommands of ``python -m sozialanalyse`` by
:func:`add_user_commands`; also runnable alone as ``python -m sozialanalyse.cli_user``::

    python -m sozialanalyse index FILE (--preset NAME | --meta META.csv) [--year Y]
                                       [--population COL --min-population N] [--out OUT.csv]
    python -m sozialanalyse evaluate FILE [--design did|panel|rateratio] [--start-year Y]
                                          [--treated AREA ...] [--out OUT.csv]

A bad file ends with one line ``error: file '…', column '…', row n: …`` on standard error
and exit status 2, never with a traceback. Warnings of the evaluation guardrails are
printed as ``warning: …`` lines.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index import list_presets
from sozialanalyse.workflows import DESIGNS, evaluate_from_file, index_from_file, ranked_table

EXIT_BAD_INPUT = 2
"""Exit status for bad input files or method choices that do not fit the data."""


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn input and method errors into one line on stderr and exit status 2."""

    def wrapper(args: argparse.Namespace) -> int:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                code = run(args)
            for w in caught:
                print(f"warning: {w.message}", file=sys.stderr)
            return code
        except InputDataError as err:
            return _fail(" ".join(str(err).split()))
        except MethodError as err:
            return _fail(f"file '{args.file}': {' '.join(str(err).split())}")
        except OSError as err:
            return _fail(f"cannot write or read a file: {err}")

    wrapper.__doc__ = run.__doc__
    return wrapper


def _write(table: pd.DataFrame, out: str | None, index: bool) -> None:
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=index, encoding="utf-8")
        print(f"wrote {out}")


@_guarded
def cmd_index(args: argparse.Namespace) -> int:
    """``index``: rank the areas of an indicator table."""
    meta = args.preset if args.preset else args.meta
    coin = index_from_file(args.file, meta, year=args.year, sheet=args.sheet,
                           population_variable=args.population,
                           min_population=args.min_population)
    table = ranked_table(coin)
    print(f"{coin.name or 'index'}: {len(table)} areas, status year {coin.year}")
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.max_rows", 500):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    excluded = coin.excluded_areas
    for rec in excluded.itertuples(index=False):
        print(f"excluded: {rec.area} ({rec.reason}, value {rec.value:g})")
    _write(table, args.out, index=False)
    return 0


@_guarded
def cmd_evaluate(args: argparse.Namespace) -> int:
    """``evaluate``: before/after evaluation of a case-count panel."""
    res = evaluate_from_file(args.file, design=args.design, start_year=args.start_year,
                             treated=args.treated, sheet=args.sheet, level=args.level)
    r = res.iloc[0]
    pct = round(100 * r["level"])
    print(f"{r['design']} ({r['model']}), model areas: {r['model_areas']}, "
          f"start {r['start_year']}")
    print(f"IRR {r['irr']:.3f} ({pct}% CI {r['ci_low']:.3f} to {r['ci_high']:.3f}), "
          f"p = {r['p_value']:.3g}")
    print(f"change per 1,000 young residents: {r['abs_change_per_1000']:+.2f}")
    if r["notes"]:
        print(f"notes: {r['notes']}")
    _write(res, args.out, index=False)
    return 0


def add_user_commands(sub: argparse._SubParsersAction) -> None:
    """Add the ``index`` and ``evaluate`` subcommands to a subparsers object."""
    idx = sub.add_parser(
        "index", help="composite index and ranks from your own indicator table",
        description="Rank the areas of your own indicator table (CSV or Excel) with a preset "
        "or your own metadata table.")
    idx.add_argument("file", help="indicator table: area, [year,] one column per indicator")
    how = idx.add_mutually_exclusive_group(required=True)
    how.add_argument("--preset", choices=list_presets(), help="a published method")
    how.add_argument("--meta", help="your metadata table: indicator, dimension, direction, "
                     "[weight]")
    idx.add_argument("--year", type=int, default=None, help="status year (default: latest)")
    idx.add_argument("--population", default=None,
                     help="column with residents per area (default: the preset's)")
    idx.add_argument("--min-population", type=float, default=None, dest="min_population",
                     help="leave out areas with fewer residents")
    idx.add_argument("--sheet", default=None, help="worksheet of an Excel file")
    idx.add_argument("--out", default=None, help="write the ranked table to this CSV file")
    idx.set_defaults(func=cmd_index)

    ev = sub.add_parser(
        "evaluate", help="before/after evaluation of your own case-count panel",
        description="Incidence-rate ratio of a model project from a panel with columns area, "
        "year, cases, population and start_year (empty for comparison areas).")
    ev.add_argument("file", help="case-count panel (CSV or Excel)")
    ev.add_argument("--design", choices=DESIGNS, default="did",
                    help="did: two-group DiD; panel: area and year effects; rateratio: "
                    "model areas before/after only (default: %(default)s)")
    ev.add_argument("--start-year", type=int, default=None, dest="start_year",
                    help="common start year (overrides the file's start_year)")
    ev.add_argument("--treated", nargs="+", default=None, metavar="AREA",
                    help="model areas (instead of a start_year column; needs --start-year)")
    ev.add_argument("--level", type=float, default=0.95, help="confidence level")
    ev.add_argument("--sheet", default=None, help="worksheet of an Excel file")
    ev.add_argument("--out", default=None, help="write the result row to this CSV file")
    ev.set_defaults(func=cmd_evaluate)


def build_parser() -> argparse.ArgumentParser:
    """A parser with only the user commands (for ``python -m sozialanalyse.cli_user``)."""
    parser = argparse.ArgumentParser(prog="python -m sozialanalyse.cli_user",
                                     description="Index and evaluation on your own files.")
    add_user_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one user command; returns the exit status."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
