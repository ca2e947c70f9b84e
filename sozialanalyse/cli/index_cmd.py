"""``index`` and ``reproduce-published``: index and ranks from a planner's own table, and a
published edition (Berlin's MSS) recomputed from its published table."""

from __future__ import annotations

import argparse
import re
from importlib import resources

from sozialanalyse.cli._common import add_input_options, reader_kwargs, write_table


def _preset_files() -> list[str]:
    """Preset ids from the package's preset files (without importing the index code)."""
    folder = resources.files("sozialanalyse") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def _preset_names() -> list[str]:
    """Preset ids and the families of edition presets (``berlin_mss`` for
    ``berlin_mss_2019`` ...), which take ``--edition``."""
    ids = _preset_files()
    families = {m.group(1) for i in ids if (m := re.fullmatch(r"(.+)_(\d{4})", i))}
    return sorted(set(ids) | families)


def _families() -> list[str]:
    return sorted({m.group(1) for i in _preset_files() if (m := re.fullmatch(r"(.+)_(\d{4})", i))})


def _editions(family: str) -> list[str]:
    return [i[len(family) + 1:] for i in _preset_files()
            if re.fullmatch(rf"{re.escape(family)}_\d{{4}}", i)]


def _pair(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"erwartet NAME=WERT, nicht {text!r}")
    key, value = text.split("=", 1)
    if not key.strip():
        raise argparse.ArgumentTypeError(f"erwartet NAME=WERT, nicht {text!r}")
    return key.strip(), value.strip()


def _resolve_preset(args: argparse.Namespace) -> str | None:
    """The preset id from ``--preset`` and ``--edition`` (None with ``--meta``)."""
    from sozialanalyse.errors import InputDataError

    preset = getattr(args, "preset", None)
    edition = getattr(args, "edition", None)
    if edition is None:
        return preset
    if preset is None:
        raise InputDataError("--edition gehört zu einer Methode mit Ausgaben, z. B. "
                             "--preset berlin_mss --edition 2019")
    family = re.sub(r"_\d{4}$", "", preset)
    editions = _editions(family)
    if not editions:
        raise InputDataError(f"die Methode '{preset}' hat keine Ausgaben; --edition passt "
                             "nicht dazu")
    if str(edition) not in editions:
        raise InputDataError(f"Ausgabe {edition} von '{family}' gibt es nicht; vorhanden: "
                             f"{', '.join(editions)}")
    return f"{family}_{edition}"


def _exclusions(pairs: list[tuple[str, str]] | None) -> dict[str, str]:
    return {area: reason or "vom Nutzer ausgeschlossen" for area, reason in (pairs or [])}


def _print_exclusions(coin) -> None:  # noqa: ANN001 - Coin, imported lazily
    for rec in coin.excluded_areas.itertuples(index=False):
        print(f"ausgeschlossen: {rec.area}, Grund: {rec.grund}")


def _coded_table(args: argparse.Namespace, preset_id: str):  # noqa: ANN202 - (frame, str)
    """The file as a published table whose columns carry the preset's codes (``S1`` …,
    Berlin's MSS) instead of its indicator names, or None when that does not apply."""
    from sozialanalyse.index.presets import load_preset, preset_meta

    meta = preset_meta(load_preset(preset_id))
    if "code" not in meta.columns or meta["code"].isna().any():
        return None
    from sozialanalyse.index.published import read_published_table

    try:
        frame, convention = read_published_table(args.file, encoding=args.encoding,
                                                  sep=args.delimiter, sheet=args.sheet)
    except Exception:  # noqa: BLE001 - the usual reader reports the problem below
        return None
    columns = {str(c).strip() for c in frame.columns}
    if set(meta["indicator"]) & columns or not set(meta["code"]) <= columns:
        return None
    return frame, convention, meta


def _coin_from_codes(args: argparse.Namespace, preset_id: str, frame, convention: str,
                     meta):  # noqa: ANN001, ANN202 - pandas objects and a Coin, lazy imports
    """The preset's Coin on a table with column codes (``S1`` → the preset's indicator)."""
    from sozialanalyse.errors import InputDataError
    from sozialanalyse.index.presets import load_preset
    from sozialanalyse.index.published import edition_coin

    edition = load_preset(preset_id).get("edition")
    if args.year is not None and edition is not None and int(args.year) != int(edition):
        raise InputDataError(f"die Tabelle nennt ihre Spalten mit den Codes der Ausgabe "
                             f"{edition} und hat keine Jahresspalte; --year {args.year} passt "
                             "nicht dazu", hint="--year weglassen oder --edition anpassen")
    if args.change:
        raise InputDataError("die Veränderungsspalten (D1 …) werden bei Spalten mit den Codes "
                             "der Methode selbst gelesen; --change passt nicht dazu",
                             hint="--change weglassen")
    if args.decimal:
        convention = "de" if args.decimal == "," else "international"
    area = args.area_col or ("id" if "id" in frame.columns else "area")
    changes = [str(c) for c in meta.get("change_code", []) if isinstance(c, str)]
    dynamics = bool(changes) and set(changes) <= {str(c).strip() for c in frame.columns}
    coin = edition_coin(frame, preset_id, area=area, population=args.population,
                        dynamics=dynamics, convention=convention)
    if args.min_population is not None:
        coin.set("screen", min_population=args.min_population)
    pairs = [f"{code} → {ind}" for code, ind in zip(meta["code"], meta["indicator"], strict=True)]
    if dynamics:
        pairs += [f"{code} → Veränderung {ind}"
                  for code, ind in zip(meta["change_code"], meta["indicator"], strict=True)]
    print("Spalten nach den Codes der Methode gelesen: " + ", ".join(pairs))
    return coin


def run(args: argparse.Namespace) -> int:
    """Rank the areas of an indicator table and show the table."""
    from sozialanalyse.formatting import integer
    from sozialanalyse.workflows import index_from_file, ranked_table

    preset_id = _resolve_preset(args)
    coded = _coded_table(args, preset_id) if preset_id else None
    if coded is not None:
        coin = _coin_from_codes(args, preset_id, *coded)
    else:
        coin = index_from_file(args.file, preset_id or args.meta, year=args.year,
                               suppressed="missing" if args.suppressed_as_missing else "error",
                               population_variable=args.population,
                               min_population=args.min_population,
                               weights=args.weights, **reader_kwargs(args))
    switched_off = any(h == {"step": "dynamics", "params": {"k": None}} for h in coin.history)
    if args.exclude:
        named = dict(coin.params["screen"].get("exclude_areas") or {})
        named.update(_exclusions(args.exclude))
        coin.set("screen", exclude_areas=named)
    if args.change:
        coin.set("dynamics", given=dict(args.change))
    table = ranked_table(coin)
    year = f"Statusjahr {coin.year}" if coin.has_years else "ohne Jahresspalte"
    print(f"{coin.name or 'Index'}: {integer(len(table))} Gebiete, {year}")
    if switched_off and not args.change:
        print("Hinweis: Dynamik abgeschaltet, weil die Datei nicht so viele Jahre zurückreicht, "
              "wie die Methode verlangt; veröffentlichte Veränderungswerte lassen sich mit "
              "--change INDIKATOR=SPALTE angeben.")
    german = {c: f"Dimension: {c.split(': ', 1)[1]}" for c in table.columns
              if c.startswith("dimension: ")}
    german.update({"dynamics_class": "Dynamikklasse", "group": "Gruppe"})
    write_table(table, None, digits=3, labels=german)
    _print_exclusions(coin)
    write_table(table, args.out, show=False)
    return 0


def run_published(args: argparse.Namespace) -> int:
    """Recompute a published edition from its table; our groups next to the published."""
    from sozialanalyse.index.published import read_published_table, reproduce_edition

    frame, convention = read_published_table(args.file, encoding=args.encoding,
                                             sep=args.delimiter, sheet=args.sheet)
    if args.decimal:
        convention = "de" if args.decimal == "," else "international"
    edition = args.edition if args.preset is None else _resolve_preset(args)
    rep = reproduce_edition(
        frame, edition, area=args.area_col,
        name=args.name_column, population=args.population,
        published_status=args.status_column, published_dynamics=args.dynamics_column,
        published_group=args.group_column, exclude_areas=_exclusions(args.exclude),
        convention=convention)
    print(f"{rep.preset}: {len(rep.table)} Gebiete in der Tabelle")
    write_table(rep.summary().reset_index(), None)
    for note in rep.notes:
        print(note)
    if rep.z_max_diff:
        from sozialanalyse.formatting import number

        diffs = ", ".join(f"{code} {number(v, 6)}" for code, v in rep.z_max_diff.items())
        print(f"größte Abweichung von den veröffentlichten z-Werten: {diffs}")
    out = rep.table.reset_index()
    write_table(out, args.out, show=False)
    return 0 if rep.exact or not args.strict else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``index`` and ``reproduce-published`` subcommands."""
    p = sub.add_parser(
        "index", help="Belastungsindex und Rangfolge aus einer eigenen Indikatortabelle",
        description="Rangfolge der Gebiete einer eigenen Indikatortabelle (CSV oder Excel) "
        "mit einer mitgelieferten Methode (--preset, bei Berlin mit --edition) oder eigenen "
        "Metadaten (--meta).")
    p.add_argument("file", metavar="DATEI",
                   help="Indikatortabelle: area, [year,] eine Spalte je Indikator; bei einer "
                   "Methode mit Spaltencodes (Berlin: S1 …, D1 …, EW, id) auch eine "
                   "veröffentlichte Tabelle mit diesen Codes")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--preset", choices=_preset_names(), help="eine veröffentlichte Methode")
    how.add_argument("--meta", metavar="DATEI",
                     help="eigene Metadaten: indicator, dimension, direction, [weight]")
    p.add_argument("--edition", default=None, metavar="JAHR",
                   help="Ausgabe der Methode, z. B. --preset berlin_mss --edition 2019 "
                   "(Standard: die neueste belegte)")
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
    p.add_argument("--exclude", type=_pair, action="append", default=None,
                   metavar="GEBIET=GRUND",
                   help="ein Gebiet mit Grund ausschließen (mehrfach möglich); steht im "
                   "Methodenprotokoll und in der Ausgabe")
    p.add_argument("--change", type=_pair, action="append", default=None,
                   metavar="INDIKATOR=SPALTE",
                   help="veröffentlichte Veränderungswerte (Prozentpunkte über k Jahre) für "
                   "die Dynamik, je Indikator eine Spalte (mehrfach; dann für alle "
                   "Indikatoren angeben)")
    p.add_argument("--out", default=None, metavar="DATEI",
                   help="Rangtabelle in diese CSV-Datei schreiben")
    add_input_options(p, roles=("area", "year"))
    p.set_defaults(run=run)

    q = sub.add_parser(
        "reproduce-published",
        help="eine veröffentlichte Ausgabe (Berlin MSS) aus ihrer Tabelle nachrechnen",
        description="Liest eine veröffentlichte Tabelle im Aufbau des Berliner Monitorings "
        "Soziale Stadtentwicklung (Spalten id, name, EW, S1 …, D1 … und die veröffentlichten "
        "Gruppen), rechnet sie mit der Voreinstellung der Ausgabe nach und schreibt die "
        "berechneten Gruppen neben die veröffentlichten, mit Übereinstimmung.")
    q.add_argument("file", metavar="DATEI", help="veröffentlichte Tabelle (CSV oder Excel)")
    q.add_argument("--edition", required=True, metavar="JAHR",
                   help="Ausgabe, z. B. 2019 (Berlin MSS) oder eine Kennung wie "
                   "berlin_mss_2021")
    q.add_argument("--preset", choices=_families(), default=None,
                   help="Methode mit Ausgaben (Standard: berlin_mss)")
    q.add_argument("--name-column", default="name", dest="name_column", metavar="NAME",
                   help="Spalte mit dem Gebietsnamen, bleibt Text (Standard: name)")
    q.add_argument("--population", default=None, metavar="SPALTE",
                   help="Spalte mit den Einwohnern (Standard: EW, einwohner, population)")
    q.add_argument("--status-column", default=None, dest="status_column", metavar="NAME",
                   help="Spalte mit der veröffentlichten Statusgruppe (Standard: erkannt)")
    q.add_argument("--dynamics-column", default=None, dest="dynamics_column", metavar="NAME",
                   help="Spalte mit der veröffentlichten Dynamikgruppe (Standard: erkannt)")
    q.add_argument("--group-column", default=None, dest="group_column", metavar="NAME",
                   help="Spalte mit der veröffentlichten Status/Dynamik-Gruppe (Standard: "
                   "erkannt)")
    q.add_argument("--exclude", type=_pair, action="append", default=None,
                   metavar="GEBIET=GRUND",
                   help="ein weiteres Gebiet mit Grund ausschließen (mehrfach möglich)")
    q.add_argument("--strict", action="store_true",
                   help="Rückgabewert 1, wenn nicht alle Gruppen übereinstimmen")
    q.add_argument("--out", default=None, metavar="DATEI",
                   help="Tabelle (berechnet neben veröffentlicht) in diese CSV-Datei schreiben")
    q.add_argument("--area-column", default="id", dest="area_col", metavar="NAME",
                   help="Spalte mit der Gebietskennung, bleibt Text (Standard: id)")
    add_input_options(q, roles=(), areas=False)
    q.set_defaults(run=run_published)
