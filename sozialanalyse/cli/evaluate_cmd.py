"""``evaluate``: before/after evaluation of a planner's own case-count panel."""

from __future__ import annotations

import argparse

from sozialanalyse.cli._common import add_input_options, reader_kwargs, write_table

#: Designs offered on the command line (kept in step with ``workflows.DESIGNS``).
DESIGN_CHOICES: tuple[str, ...] = ("did", "panel", "rateratio")


def run(args: argparse.Namespace) -> int:
    """Evaluate the panel; print the effect and the German summary table."""
    from sozialanalyse.formatting import estimate, number, p_value
    from sozialanalyse.workflows import evaluate_from_file, result_row

    options = reader_kwargs(args)
    if args.max_rate is not None:
        options["max_rate"] = args.max_rate
    res = evaluate_from_file(args.file, design=args.design, start_year=args.start_year,
                             treated=args.treated, level=args.level, **options)
    pct = number(100 * res.level, 0)
    print(f"{res.design}, Modellgebiete: {', '.join(res.extra['model_areas'])}, "
          f"Start {', '.join(map(str, res.extra['start_years']))}")
    print(f"IRR {estimate(res.irr, res.ci_low, res.ci_high, 3)} ({pct}-%-Intervall), "
          f"{p_value(res.p_value)}")
    print()
    summary = res.summary()["Wert"]
    width = max(len(str(k)) for k in summary.index)
    for key, value in summary.items():
        print(f"{str(key) + ':':<{width + 1}} {value}")
    write_table(result_row(res), args.out, show=False)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` subcommand."""
    p = sub.add_parser(
        "evaluate", help="Vorher-nachher-Auswertung eines eigenen Fallzahl-Panels",
        description="Inzidenzratenverhältnis (IRR) eines Modellprojekts aus einem Panel mit "
        "den Spalten area, year, cases, population und start_year (leer bei "
        "Vergleichsgebieten).")
    p.add_argument("file", metavar="DATEI", help="Fallzahl-Panel (CSV oder Excel)")
    p.add_argument("--design", choices=DESIGN_CHOICES, default="did",
                   help="did: Differenz-von-Differenzen zweier Gruppen; panel: Gebiets- und "
                   "Jahreseffekte; rateratio: nur Modellgebiete vorher/nachher "
                   "(Standard: %(default)s)")
    p.add_argument("--start-year", type=int, default=None, dest="start_year", metavar="JAHR",
                   help="gemeinsames Startjahr (ersetzt die Spalte start_year)")
    p.add_argument("--treated", nargs="+", default=None, metavar="GEBIET",
                   help="Modellgebiete (statt einer Spalte start_year; braucht --start-year)")
    p.add_argument("--level", type=float, default=0.95,
                   help="Konfidenzniveau (Standard: %(default)s)")
    p.add_argument("--max-rate", type=float, default=None, dest="max_rate", metavar="R",
                   help="höchste plausible Rate Fälle/Bevölkerung; darüber ist die Zeile ein "
                   "Fehler (Standard: 0.25 = 250 Hilfen je 1000 junge Einwohner; mehr Fälle "
                   "als Einwohner sind immer ein Fehler)")
    p.add_argument("--out", default=None, metavar="DATEI",
                   help="Ergebniszeile in diese CSV-Datei schreiben")
    add_input_options(p, roles=("area", "year", "cases", "population", "start_year"))
    p.set_defaults(run=run)
