"""``allocate``: share a total of staff (VK) or budget out to areas by need, in whole units."""

from __future__ import annotations

import argparse

from sozialanalyse.cli._common import add_input_options, reader_kwargs, write_table

_READER_KEYS = ("sep", "convention", "encoding", "sheet", "header_row")


def _number(text: str) -> float:
    """A number given on the command line: ``12,5`` (German) or ``12.5``."""
    from sozialanalyse.data.readers import parse_number

    try:
        value = parse_number(text, "de" if "," in text else "international")
    except ValueError:
        value = float("nan")
    if value != value:  # NaN: empty, suppressed mark or not a number
        raise argparse.ArgumentTypeError(f"keine Zahl: {text!r}")
    return value


def _positive(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"muss größer als null sein, nicht {text!r}")
    return value


def _non_negative(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"darf nicht negativ sein, nicht {text!r}")
    return value


def _share(text: str) -> float:
    value = _positive(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"muss zwischen 0 und 1 liegen, nicht {text!r}")
    return value


def _read_current(path: str, area_col: str, column: str, kwargs: dict):  # noqa: ANN202
    from sozialanalyse.data.readers import read_indicator_table
    from sozialanalyse.errors import InputDataError

    table = read_indicator_table(path, area_col=area_col, **kwargs)
    cols = [c for c in table.columns if c != "area"]
    if column in cols:
        col = column
    elif len(cols) == 1:
        col = cols[0]
    else:
        raise InputDataError(
            f"die Datei der heutigen Zuteilung braucht eine Spalte '{column}'", file=path,
            hint="Spaltennamen mit --current-column angeben", code="E-COL-001")
    return table.set_index("area")[col].astype(float)


def run(args: argparse.Namespace) -> int:
    """Read the file, allocate, show and write the per-area breakdown."""
    from sozialanalyse.allocation import allocate, need_weights
    from sozialanalyse.allocation.need import RULE_LABELS_DE
    from sozialanalyse.allocation.pipeline import LABELS_DE
    from sozialanalyse.allocation.rounding import METHOD_LABELS_DE
    from sozialanalyse.data.readers import read_indicator_table
    from sozialanalyse.errors import InputDataError
    from sozialanalyse.formatting import integer, number

    kw = {k: v for k, v in reader_kwargs(args).items() if k in _READER_KEYS}
    area_col = getattr(args, "area_col", None) or "area"
    pop_col = getattr(args, "population_col", None) or "population"
    cols = [pop_col] if args.per_capita else [pop_col, args.need_column]
    table = read_indicator_table(args.file, area_col=area_col, indicator_cols=cols,
                                 population_cols=[pop_col], **kw)
    table = table.set_index("area")
    if table[cols].isna().any().any():
        col = next(c for c in cols if table[c].isna().any())
        area = table.index[table[col].isna()][0]
        raise InputDataError("leere Zelle", file=args.file, column=col, area=str(area),
                             code="E-VAL-001")
    population = table[pop_col]
    weight = None
    if not args.per_capita:
        weight = need_weights(table[args.need_column], args.rule, base=args.base,
                              uplift=args.uplift)
    current = None
    if args.current:
        current = _read_current(args.current, area_col, args.current_column, kw)
        missing = population.index.difference(current.index)
        if len(missing):
            raise InputDataError("für dieses Gebiet fehlt die heutige Zuteilung",
                                 file=args.current, area=str(missing[0]), code="E-AREA-003")
    if args.damping is not None and current is None:
        raise InputDataError("--damping braucht die heutige Zuteilung (--current DATEI)",
                             code="E-INPUT-000")
    res = allocate(population, args.total, need_weight=weight, unit=args.unit,
                   method=args.method, floor=args.floor, cap=args.cap, current=current,
                   damping=args.damping, max_change=args.max_change)
    how = ("nach Köpfen" if args.per_capita else
           f"nach Bedarf ({RULE_LABELS_DE[args.rule]}, Zuschlag {number(args.uplift, 2)})")
    print(f"Zuteilung von {number(res.params['total'], 2)} in Einheiten von "
          f"{number(args.unit, 2)} auf {integer(len(population))} Gebiete, {how}, "
          f"Rundung: {METHOD_LABELS_DE[res.params['method']]}")
    out = res.to_frame().drop(columns=["units"]).rename(columns=LABELS_DE)
    out.insert(0, "Gebiet", out.index.astype(str))
    digits = {c: 2 for c in out.columns}
    digits.update({LABELS_DE["population"]: 0, LABELS_DE["population_share"]: 3,
                   LABELS_DE["need_weight"]: 3})
    write_table(out, None, digits=digits)
    ties = res.ties
    if len(ties):
        print("Gleichstand bei der letzten Einheit zwischen: " + ", ".join(map(str, ties.index))
              + " (vergeben an das zuerst genannte Gebiet; bitte selbst entscheiden)")
    viol = res.apportionment.quota_violations
    if len(viol):
        print("Außerhalb der Quote (Quote ab- oder aufgerundet nicht getroffen): "
              + ", ".join(map(str, viol.index)))
    write_table(out, args.out, show=False)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``allocate`` subcommand."""
    p = sub.add_parser(
        "allocate",
        help="Fachkräfte (VK) oder Budget nach Bedarf auf Gebiete verteilen",
        description="Verteilt eine Summe (z. B. Vollzeitstellen) in ganzen Einheiten auf "
        "die Gebiete einer Datei: nach Köpfen oder nach Bedarf (Bevölkerung x Bedarfsgewicht "
        "aus einer Indexspalte), mit Unter- und Obergrenzen und auf Wunsch gedämpft von der "
        "heutigen Zuteilung aus. Ausgabe: je Gebiet Anteil nach Köpfen, Bedarfszuschlag, "
        "Wirkung der Grenzen, der Dämpfung und der Rundung.")
    p.add_argument("file", metavar="DATEI",
                   help="Tabelle mit area, population und einer Indexspalte (höher = mehr "
                   "Bedarf)")
    p.add_argument("--total", type=_positive, required=True, metavar="SUMME",
                   help="zu verteilende Summe, z. B. 100 (VK); ein Vielfaches von --unit")
    p.add_argument("--unit", type=_positive, default=0.25, metavar="EINHEIT",
                   help="kleinste verteilte Einheit (Standard: %(default)s VK)")
    p.add_argument("--method", default="hamilton",
                   choices=["hamilton", "webster", "sainte-lague", "dhondt"],
                   help="Rundungsverfahren: hamilton = größte Reste (Hare-Niemeyer), webster "
                   "= Sainte-Laguë, dhondt = D'Hondt (begünstigt große Gebiete); Standard: "
                   "%(default)s")
    p.add_argument("--need-column", default="index", metavar="SPALTE", dest="need_column",
                   help="Spalte mit dem Index (höher = mehr Bedarf; Standard: %(default)s)")
    p.add_argument("--per-capita", action="store_true", dest="per_capita",
                   help="ohne Bedarfsgewicht nur nach Köpfen verteilen")
    p.add_argument("--rule", choices=["linear", "rank", "class"], default="linear",
                   help="vom Index zum Bedarfsgewicht: linear, rank = Rangpunkte 0–100 "
                   "(Hamburg), class = Klassen nach Standardabweichungen (Standard: "
                   "%(default)s)")
    p.add_argument("--base", type=_non_negative, default=1.0, metavar="G",
                   help="Grundgewicht je Kopf (Standard: %(default)s)")
    p.add_argument("--uplift", type=_non_negative, default=0.5, metavar="Z",
                   help="Bedarfszuschlag: Gewicht = Grundgewicht + Z x Bedarfspunkte 0..1 "
                   "(Standard: %(default)s, d. h. bis +50 %%)")
    p.add_argument("--floor", type=_non_negative, default=None, metavar="MIN",
                   help="Untergrenze je Gebiet (z. B. 2 VK); wird auf ganze Einheiten "
                   "aufgerundet")
    p.add_argument("--cap", type=_positive, default=None, metavar="MAX",
                   help="Obergrenze je Gebiet; wird auf ganze Einheiten abgerundet")
    p.add_argument("--current", default=None, metavar="DATEI",
                   help="heutige Zuteilung je Gebiet (Spalten area und current)")
    p.add_argument("--current-column", default="current", metavar="SPALTE",
                   dest="current_column",
                   help="Spalte der heutigen Zuteilung in --current (Standard: %(default)s)")
    p.add_argument("--damping", type=_share, default=None, metavar="LAMBDA",
                   help="gedämpfter Übergang: nur diesen Anteil (0..1) des Wegs von heute "
                   "zum Ziel gehen")
    p.add_argument("--max-change", type=_non_negative, default=None, metavar="ANTEIL",
                   dest="max_change",
                   help="höchstens diese relative Änderung je Gebiet und Jahr (z. B. 0,1 = "
                   "10 %%; nur mit --damping)")
    p.add_argument("--out", default=None, metavar="DATEI",
                   help="Tabelle je Gebiet in diese CSV-Datei schreiben")
    add_input_options(p, roles=("area", "population"), areas=False)
    p.set_defaults(run=run)
