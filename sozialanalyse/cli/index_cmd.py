"""``index``: composite index and ranks from a planner's own indicator table."""

from __future__ import annotations

import argparse
from importlib import resources

from sozialanalyse.cli._common import add_input_options, reader_kwargs, write_table


def _preset_names() -> list[str]:
    """Preset ids from the package's preset files (without importing the index code)."""
    folder = resources.files("sozialanalyse") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def run(args: argparse.Namespace) -> int:
    """Rank the areas of an indicator table and show the table."""
    from sozialanalyse.formatting import integer, number
    from sozialanalyse.workflows import index_from_file, ranked_table

    meta = args.preset if args.preset else args.meta
    coin = index_from_file(args.file, meta, year=args.year,
                           suppressed="missing" if args.suppressed_as_missing else "error",
                           population_variable=args.population,
                           min_population=args.min_population,
                           weights=args.weights, **reader_kwargs(args))
    table = ranked_table(coin)
    print(f"{coin.name or 'Index'}: {integer(len(table))} Gebiete, Statusjahr {coin.year}")
    german = {c: f"Dimension: {c.split(': ', 1)[1]}" for c in table.columns
              if c.startswith("dimension: ")}
    german.update({"dynamics_class": "Dynamikklasse", "group": "Gruppe"})
    write_table(table, None, digits=3, labels=german)
    for rec in coin.excluded_areas.itertuples(index=False):
        print(f"ausgeschlossen: {rec.area} ({rec.reason}, Wert {number(rec.value, 0)})")
    write_table(table, args.out, show=False)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``index`` subcommand."""
    p = sub.add_parser(
        "index", help="Belastungsindex und Rangfolge aus einer eigenen Indikatortabelle",
        description="Rangfolge der Gebiete einer eigenen Indikatortabelle (CSV oder Excel) "
        "mit einer mitgelieferten Methode (--preset) oder eigenen Metadaten (--meta).")
    p.add_argument("file", metavar="DATEI",
                   help="Indikatortabelle: area, [year,] eine Spalte je Indikator")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--preset", choices=_preset_names(), help="eine veröffentlichte Methode")
    how.add_argument("--meta", metavar="DATEI",
                     help="eigene Metadaten: indicator, dimension, direction, [weight]")
    p.add_argument("--weights", choices=["all-or-none", "equal", "rest"],
                   default="all-or-none",
                   help="Regel für die Gewichte in --meta: all-or-none = für alle oder keinen "
                   "Indikator (teilweise angegebene Gewichte sind ein Fehler); equal = "
                   "angegebene Gewichte ignorieren, gleiche Gewichte; rest = Indikatoren ohne "
                   "Gewicht teilen sich gleich, was die angegebenen je Dimension bis 1 übrig "
                   "lassen (Standard: %(default)s)")
    p.add_argument("--year", type=int, default=None, help="Statusjahr (Standard: das letzte)")
    p.add_argument("--population", default=None, metavar="SPALTE",
                   help="Spalte mit den Einwohnern je Gebiet (Standard: die der Methode)")
    p.add_argument("--min-population", type=float, default=None, dest="min_population",
                   metavar="N", help="Gebiete mit weniger Einwohnern auslassen")
    p.add_argument("--suppressed-as-missing", action="store_true",
                   dest="suppressed_as_missing",
                   help="gesperrte oder fehlende Zellen ('.', 'x', '-', 'k.A.' …) als fehlende "
                   "Werte lesen; der Index ersetzt sie dann nach seiner Methode (Standard: "
                   "solche Zellen sind ein Fehler)")
    p.add_argument("--out", default=None, metavar="DATEI",
                   help="Rangtabelle in diese CSV-Datei schreiben")
    add_input_options(p, roles=("area", "year"))
    p.set_defaults(run=run)
