"""German tables of the index for readers: presets, method log, exclusions, reproductions.

Numbers go through :mod:`sozialanalyse.formatting`, method names through
:mod:`sozialanalyse.labels` (its :data:`~sozialanalyse.labels.INDEX` mapping holds the index's
own step, parameter and value names and is consulted first).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from sozialanalyse import labels
from sozialanalyse.formatting import integer, number, percent

INDEX_LABELS: dict[str, str] = labels.INDEX
"""Alias of :data:`sozialanalyse.labels.INDEX` (the one mapping of German index labels)."""

OUR_READING_DE = "unsere Lesart"
"""German for the preset marker ``"our reading"``."""


def de(value: float, digits: int = 2) -> str:
    """A number in German notation (kept for callers; use :func:`sozialanalyse.formatting.number`).

    Examples
    --------
    >>> de(-0.5)
    '−0,50'
    """
    return number(value, digits)


def label(value: Any) -> str:
    """German label of a method or parameter value (index names first, then
    :func:`sozialanalyse.labels.label`)."""
    return labels.index_label(value)


def parameter(name: str) -> str:
    """German name of a step or parameter."""
    return labels.index_parameter(name)


def value_de(value: Any, name: str = "") -> str:
    """A preset or log value for readers: no ``True``/``None``/JSON, German method names."""
    if name == "ddof" and value in (0, 1):
        return "Grundgesamtheit (n)" if value == 0 else "Stichprobe (n − 1)"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if value is None:
        return "keine"
    if name == "min_availability" and isinstance(value, int | float):
        return percent(float(value), 0)
    if isinstance(value, int | float):
        if float(value).is_integer():
            return number(value, 0)
        return number(value, 2).rstrip("0")
    if isinstance(value, dict):
        if not value:
            return "keine"
        return "; ".join(f"{k}: {value_de(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        return ("; " if numeric else ", ").join(value_de(v) for v in value)
    return label(value)


def preset_title(preset: dict) -> str:
    """Short German title of a preset, e.g. ``"Berlin MSS 2019"``."""
    if preset.get("family") == "berlin_mss":
        return f"Berlin MSS {preset.get('edition')}"
    return {"hamburg_sozialmonitoring": "Hamburg Sozialmonitoring",
            "dresden_style": "Dresden-artig (eigene Lesart)"}.get(preset["id"], preset["id"])


def _source_de(source: str) -> str:
    return OUR_READING_DE if source == "our reading" else source


def preset_elements(preset_id: str) -> pd.DataFrame:
    """German table of one preset: every element with its value and its source.

    Columns: ``Art``, ``Element``, ``Wert``, ``Quelle`` (source id or "unsere Lesart").
    """
    from sozialanalyse.index.presets import load_preset

    p = load_preset(preset_id)
    rows = []
    for ind in p["indicators"]:
        code = f"{ind['code']}: " if ind.get("code") else ""
        rows.append({"Art": "Indikator", "Element": f"{code}{ind['indicator']}",
                     "Wert": ind.get("label") or ind["indicator"],
                     "Quelle": _source_de(ind["source"])})
        rows.append({"Art": "Richtung", "Element": f"{code}{ind['indicator']}",
                     "Wert": "höher = belasteter" if ind["direction"] == 1
                     else "höher = weniger belastet",
                     "Quelle": _source_de(ind.get("direction_source", "our reading"))})
        rows.append({"Art": "Gewicht", "Element": f"{code}{ind['indicator']}",
                     "Wert": value_de(ind.get("weight")),
                     "Quelle": _source_de(ind.get("weight_source", "our reading"))})
    for step, params in p["steps"].items():
        for name, spec in params.items():
            rows.append({"Art": parameter(step), "Element": parameter(name),
                         "Wert": value_de(spec["value"], name),
                         "Quelle": _source_de(str(spec["source"]))})
    return pd.DataFrame(rows, columns=["Art", "Element", "Wert", "Quelle"])


def preset_overview(preset_ids: list[str] | None = None, *,
                    formatted: bool = True) -> pd.DataFrame:
    """One row per preset: indicators, elements, how many cite a source, how many are our
    reading (German headers; numbers formatted unless ``formatted=False``, e.g. for
    :func:`sozialanalyse.book.table`, which formats them itself and writes the raw CSV)."""
    fmt_int = integer if formatted else int
    fmt_share = (lambda v: percent(v, 0)) if formatted else float
    from sozialanalyse.index.presets import list_presets, load_preset, preset_table

    ids = preset_ids or list_presets(aliases=False)
    table = preset_table(ids)
    rows = []
    for pid in ids:
        t = table.loc[table["preset"] == pid]
        p = load_preset(pid)
        codes = [i.get("code") or i["indicator"] for i in p["indicators"]]
        rows.append({"Methode": preset_title(p), "Kennung": pid,
                     "Indikatoren": ", ".join(codes) if all(i.get("code") for i in
                                                         p["indicators"]) else integer(len(codes)),
                     "Elemente": fmt_int(len(t)), "belegt": fmt_int(int(t["sourced"].sum())),
                     "unsere Lesart": fmt_int(int((~t["sourced"]).sum())),
                     "Anteil belegt": fmt_share(float(t["sourced"].mean()))})
    return pd.DataFrame(rows).set_index("Methode")


def method_log(coin: Any) -> pd.DataFrame:
    """German method log of a Coin: one row per step and parameter."""
    rows = []
    for i, step in enumerate(coin.log["step"], start=1):
        params = json.loads(coin.log.loc[coin.log["step"] == step, "parameters"].iloc[0])
        for name, value in params.items():
            rows.append({"Nr.": integer(i), "Schritt": parameter(step),
                         "Parameter": parameter(name), "Wert": value_de(value, name)})
    return pd.DataFrame(rows, columns=["Nr.", "Schritt", "Parameter", "Wert"])


def exclusions(coin: Any) -> pd.DataFrame:
    """Excluded areas with their German reason (``Gebiet``, ``Grund``)."""
    ex = coin.excluded_areas
    return pd.DataFrame({"Gebiet": ex["area"].astype(str), "Grund": ex["grund"]})


def reproduction(rep: Any, *, n: int | None = None, formatted: bool = True) -> pd.DataFrame:
    """German table of a :class:`~sozialanalyse.index.published.Reproduction`: ours next to
    the published classes (first ``n`` rows); numbers stay numeric with ``formatted=False``."""
    t = rep.table
    out = pd.DataFrame(index=t.index)
    if "name" in t.columns:
        out["Name"] = t["name"]
    if formatted:
        out["Einwohner"] = [integer(v) for v in t["population"]]
        out["Statusindex"] = [number(v, 2) for v in t["index"]]
    else:
        out["Einwohner"] = pd.to_numeric(t["population"]).astype("Int64")
        out["Statusindex"] = pd.to_numeric(t["index"]).astype(float)
    names = {"status": "Status", "dynamics": "Dynamik", "group": "Status/Dynamik"}
    for key, head in names.items():
        if key in t.columns:
            out[f"{head} (berechnet)"] = t[key]
        if f"{key}_published" in t.columns:
            out[f"{head} (veröffentlicht)"] = t[f"{key}_published"]
    out["ausgeschlossen"] = t["excluded"]
    out.index.name = "Gebiet"
    return out if n is None else out.head(n)


def reproduction_overview(reps: Any, *, formatted: bool = True) -> pd.DataFrame:
    """German table of several reproductions, one row per edition.

    Parameters
    ----------
    reps
        Mapping of edition label (e.g. the year) to a
        :class:`~sozialanalyse.index.published.Reproduction`.
    formatted
        German number strings (default) or numbers.

    Returns
    -------
    pandas.DataFrame
        ``Planungsräume`` (rows of the published table), ``indexiert`` (areas with a
        published status group), ``Statusgruppe gleich`` and ``Dynamikgruppe gleich`` (as
        "agreeing of compared"), ``größte z-Abweichung`` (largest absolute difference of
        our from the published z-values over all indicators and changes that the table
        carries; empty without z columns) and ``ausgeschlossen`` (count of excluded areas).
    """
    rows = []
    for label, rep in reps.items():
        a = rep.agreement
        row: dict[str, Any] = {"Ausgabe": str(label)}
        n_rows, n_cmp = len(rep.table), int(a.loc["status", "n_compared"])
        z = max(rep.z_max_diff.values()) if rep.z_max_diff else float("nan")
        n_excl = int((rep.table["excluded"] != "").sum())
        if formatted:
            row["Planungsräume"] = integer(n_rows)
            row["indexiert"] = integer(n_cmp)
            for key, head in (("status", "Statusgruppe gleich"),
                              ("dynamics", "Dynamikgruppe gleich")):
                row[head] = (f"{integer(a.loc[key, 'n_agree'])} von "
                             f"{integer(a.loc[key, 'n_compared'])}")
            row["größte z-Abweichung"] = "" if z != z else number(z, 6)
            row["ausgeschlossen"] = integer(n_excl)
        else:
            row.update({"Planungsräume": n_rows, "indexiert": n_cmp,
                        "Statusgruppe gleich": int(a.loc["status", "n_agree"]),
                        "Dynamikgruppe gleich": int(a.loc["dynamics", "n_agree"]),
                        "größte z-Abweichung": z, "ausgeschlossen": n_excl})
        rows.append(row)
    return pd.DataFrame(rows).set_index("Ausgabe")


def comparison(frame: pd.DataFrame, *, n: int | None = None,
               formatted: bool = True) -> pd.DataFrame:
    """German table of a :func:`~sozialanalyse.index.compare.compare_coins` frame (ranks as
    numbers with ``formatted=False``)."""
    out = pd.DataFrame(index=frame.index)
    if formatted:
        out["Rang vorher"] = [integer(v) for v in frame["rank_a"]]
        out["Rang nachher"] = [integer(v) for v in frame["rank_b"]]
        out["Verschiebung"] = [integer(v, sign=True) for v in frame["rank_shift"]]
    else:
        for col, src in (("Rang vorher", "rank_a"), ("Rang nachher", "rank_b"),
                         ("Verschiebung", "rank_shift")):
            out[col] = pd.to_numeric(frame[src]).astype("Int64")
    out["Klasse vorher"] = frame["class_a"]
    out["Klasse nachher"] = frame["class_b"]
    out.index.name = "Gebiet"
    return out if n is None else out.head(n)


def format_frame(frame: pd.DataFrame, digits: int | dict[str, int] = 2) -> pd.DataFrame:
    """German numbers in a frame (:func:`sozialanalyse.formatting.format_frame`)."""
    from sozialanalyse.formatting import format_frame as _format

    return _format(frame, digits)


def compare_summary(frame: pd.DataFrame) -> dict[str, float | int]:
    """Key figures of a Coin comparison (:func:`sozialanalyse.index.compare.compare_summary`)."""
    from sozialanalyse.index.compare import compare_summary as _summary

    return _summary(frame)


UNITS_DE: dict[str, str] = {"percent": "Prozent", "EUR per month": "Euro je Monat"}
"""German names of the units used in indicator metadata."""


def indicator_meta(meta: pd.DataFrame) -> pd.DataFrame:
    """German table of indicator metadata (indicator, dimension, direction, weight, unit,
    denominator)."""
    out = pd.DataFrame({"Indikator": meta["indicator"], "Dimension": meta["dimension"]})
    out["Richtung"] = ["höher = belasteter" if d == 1 else "höher = weniger belastet"
                       for d in meta["direction"]]
    if "weight" in meta.columns:
        out["Gewicht"] = [number(w, 1) for w in meta["weight"]]
    if "unit" in meta.columns:
        out["Einheit"] = [UNITS_DE.get(u, u) if isinstance(u, str) else "–"
                          for u in meta["unit"]]
    if "denominator" in meta.columns:
        out["Nenner"] = [d if isinstance(d, str) and d else "–" for d in meta["denominator"]]
    return out


def preset_parameters(preset_ids: list[str]) -> pd.DataFrame:
    """The method parameters of several presets side by side (German).

    Rows: step and parameter; columns: the presets' short titles; a cell is the value,
    followed by ``" (belegt)"`` when a source states it (otherwise it is our reading);
    ``"–"`` where a preset does not set the parameter.
    """
    from sozialanalyse.index.presets import load_preset

    rows: dict[tuple[str, str], dict[str, str]] = {}
    titles = []
    for pid in preset_ids:
        p = load_preset(pid)
        title = preset_title(p)
        titles.append(title)
        for step, params in p["steps"].items():
            for name, spec in params.items():
                text = value_de(spec["value"], name)
                if spec["source"] != "our reading":
                    text += " (belegt)"
                rows.setdefault((parameter(step), parameter(name)), {})[title] = text
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=titles).fillna("–")
    out.index = pd.MultiIndex.from_tuples(out.index, names=["Schritt", "Parameter"])
    return out
