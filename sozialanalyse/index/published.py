"""Reproduce a published edition of an index from its published table (Berlin's MSS style).

Berlin publishes, per Planungsraum, the index indicators (``S1``, ``S3``, ``S4``), their
changes over two years in percentage points (``D1``, ``D3``, ``D4``), the residents (``EW``)
and the status, dynamics and status/dynamics groups. :func:`reproduce_edition` reads such a
table, runs the edition's preset on it (the published changes are passed as given change
values; placeholder rows, small areas and named outliers are excluded and reported) and puts
our classes next to the published ones with agreement counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index.coin import Coin
from sozialanalyse.index.presets import load_preset, preset_meta

STATUS_COLUMNS: tuple[str, ...] = ("status", "statusindex", "statusgruppe", "statusindexgruppe",
                                   "si", "statusclass")
"""Column names recognised as the published status group (compared in lower case without
spaces and punctuation, so ``"Statusindex (Gruppe)"`` matches ``statusindexgruppe``)."""
DYNAMICS_COLUMNS: tuple[str, ...] = ("dynamik", "dynamikindex", "dynamikgruppe",
                                     "dynamikindexgruppe", "di", "dynamics", "dynamicsclass")
"""Column names recognised as the published dynamics group."""
GROUP_COLUMNS: tuple[str, ...] = ("statusdynamik", "statusdynamikindex", "statusdynamikgruppe",
                                  "statusdynamikindexgruppe", "gesamtindex",
                                  "gesamtindexsozialeungleichheit", "sdi", "gruppe", "group",
                                  "groupcode")
"""Column names recognised as the published status/dynamics group."""
POPULATION_COLUMNS: tuple[str, ...] = ("ew", "einwohner", "population")
"""Column names recognised as residents."""


def _key(name: object) -> str:
    import re

    return re.sub(r"[^a-z0-9äöüß]", "", str(name).strip().lower())


def normalise_code(value: Any) -> str:
    """A published class code in one spelling: ``"2.0"`` -> ``"2"``, ``"+/−"`` -> ``"+/-"``.

    Empty cells, NaN and ``0`` (the placeholder of non-indexed areas) give ``""``.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, int | float | np.integer | np.floating):
        return "" if float(value) == 0 else (str(int(value)) if float(value).is_integer()
                                            else str(value))
    text = str(value).strip().replace("\u2212", "-").replace("\u2013", "-").replace(" ", "")
    if text in ("", "0", "-0", "nan", "NaN"):
        return ""
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() and number != 0 else ""


def _find(frame: pd.DataFrame, wanted: str | None, candidates: Sequence[str], what: str,
          *, required: bool) -> str | None:
    lower = {_key(c): c for c in frame.columns}
    if wanted is not None:
        if wanted in frame.columns:
            return wanted
        if _key(wanted) in lower:
            return lower[_key(wanted)]
        raise InputDataError(f"Spalte '{wanted}' ({what}) fehlt in der Tabelle; vorhanden: "
                             f"{', '.join(map(str, frame.columns))}", column=wanted,
                             code="E-COL-001")
    for c in candidates:
        if _key(c) in lower:
            return lower[_key(c)]
    if required:
        raise InputDataError(f"keine Spalte für {what} gefunden; erwartet eine von "
                             f"{', '.join(candidates)}", hint="Spaltennamen angeben",
                             code="E-COL-001")
    return None


def _numbers(col: pd.Series, name: str, convention: str = "auto") -> pd.Series:
    """Numbers from a column; text cells are read in German (``1.234,5``) or international
    (``1,234.5``) convention; ``"auto"`` takes German when a cell has a decimal comma."""
    if col.dtype == object:
        text = col.astype(str).str.strip().str.replace("\u2212", "-", regex=False)
        text = text.str.replace("\u202f", "", regex=False).str.replace(" ", "", regex=False)
        german = convention == "de" or (
            convention == "auto" and text.str.contains(r"^-?[\d.]*,\d+$", regex=True).any())
        if german:
            text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        else:
            text = text.str.replace(",", "", regex=False)
        text = text.replace({"": np.nan, "nan": np.nan, "–": np.nan, "-": np.nan, ".": np.nan})
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() & text.notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise InputDataError(f"Wert {col.iloc[row - 1]!r} ist keine Zahl", column=name,
                                 row=row, code="E-VAL-002")
        return values
    return pd.to_numeric(col, errors="coerce")


@dataclass
class Reproduction:
    """Our classes next to the published ones.

    Attributes
    ----------
    table
        One row per area of the input (``area``, ``name``, ``population``, ``index``,
        ``status``/``status_published``/``status_agrees``, the same for ``dynamics`` and
        ``group``, and ``excluded`` = German reason or empty).
    agreement
        One row per compared quantity (``status``, ``dynamics``, ``group``): ``n_compared``,
        ``n_agree``, ``share``, ``only_ours`` (indexed by us, not published) and
        ``only_published``.
    coin
        The regenerated :class:`~sozialanalyse.index.Coin`.
    preset
        The preset id used.
    """

    table: pd.DataFrame
    agreement: pd.DataFrame
    coin: Coin
    preset: str
    notes: list[str] = field(default_factory=list)
    z_max_diff: dict[str, float] = field(default_factory=dict)
    """Largest absolute difference between our and the published z-values per indicator
    code (only when the table has z columns such as ``z_S1``)."""

    def summary(self) -> pd.DataFrame:
        """German table of the agreement (numbers formatted for readers)."""
        from sozialanalyse.formatting import integer, percent

        names = {"status": "Statusgruppe", "dynamics": "Dynamikgruppe",
                 "group": "Status/Dynamik-Gruppe"}
        rows = []
        for key, r in self.agreement.iterrows():
            rows.append({"Größe": names.get(str(key), str(key)),
                         "verglichen": integer(r["n_compared"]),
                         "übereinstimmend": integer(r["n_agree"]),
                         "Anteil": percent(r["share"], 1) if r["n_compared"] else "–",
                         "nur bei uns indexiert": integer(r["only_ours"]),
                         "nur veröffentlicht": integer(r["only_published"])})
        return pd.DataFrame(rows).set_index("Größe")

    @property
    def exact(self) -> bool:
        """Whether every compared class agrees and both sides index the same areas."""
        a = self.agreement
        return bool(((a["n_agree"] == a["n_compared"]) & (a["only_ours"] == 0)
                     & (a["only_published"] == 0)).all())


def _preset_id(edition: str | int) -> str:
    if isinstance(edition, int) or str(edition).isdigit():
        return f"berlin_mss_{int(edition)}"
    return str(edition)


def edition_coin(frame: pd.DataFrame, edition: str | int, *, area: str = "id",
                 population: str | None = None, exclude_areas: Mapping[str, str] | None = None,
                 dynamics: bool = True, convention: str = "auto") -> Coin:
    """The edition's Coin on a published table (indicators by their published codes).

    Parameters
    ----------
    frame
        Published table: one row per area with the area column, the residents and the
        indicator columns named by the preset's codes (``S1`` ...) and, for the dynamics,
        the change columns (``D1`` ...).
    edition
        A preset id (``"berlin_mss_2019"``) or a Berlin MSS edition year (``2019``).
    area
        Area id column (Berlin: ``id``); read as text.
    population
        Residents column (default: ``EW``, ``einwohner`` or ``population``).
    exclude_areas
        Further areas to leave out (id -> reason), added to the preset's named exclusions.
    dynamics
        Use the published change columns as given change values.
    convention
        Number convention of text cells: ``"de"`` (``1.234,5``), ``"international"``
        (``1,234.5``) or ``"auto"`` (German where a column has decimal commas).

    Returns
    -------
    Coin
    """
    pid = _preset_id(edition)
    preset = load_preset(pid)
    meta = preset_meta(preset)
    if "code" not in meta.columns or meta["code"].isna().any():
        raise MethodError(f"Das Preset '{pid}' nennt keine veröffentlichten Spaltencodes "
                          "(code) seiner Indikatoren; es kann keine veröffentlichte Tabelle "
                          "lesen")
    area_col = _find(frame, area, (), "Gebietskennung", required=True)
    pop_col = _find(frame, population, POPULATION_COLUMNS, "Einwohner", required=True)
    ids = frame[area_col].astype(str).str.strip()
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise InputDataError(f"Gebiet '{dup}' steht zweimal in der Tabelle", column=area_col,
                             code="E-AREA-002")
    year = int(preset.get("edition") or 0)
    pop_var = preset.get("population_variable") or "einwohner"
    parts = [pd.DataFrame({"area": ids, "indicator": pop_var,
                           "value": _numbers(frame[pop_col], str(pop_col), convention)})]
    given = {}
    for row in meta.itertuples(index=False):
        col = _find(frame, str(row.code), (), f"Indikator {row.indicator}", required=True)
        parts.append(pd.DataFrame({"area": ids, "indicator": row.indicator,
                                   "value": _numbers(frame[col], str(col), convention)}))
        if dynamics:
            change = getattr(row, "change_code", None)
            ccol = _find(frame, str(change), (), f"Veränderung von {row.indicator}",
                         required=True)
            var = f"{row.indicator}__veraenderung"
            parts.append(pd.DataFrame({"area": ids, "indicator": var,
                                       "value": _numbers(frame[ccol], str(ccol), convention)}))
            given[row.indicator] = var
    data = pd.concat(parts, ignore_index=True).assign(year=year)
    coin = Coin.from_preset(preset, data)
    if dynamics:
        coin.set("dynamics", given=given)
    else:
        coin.set("dynamics", k=None)
    if exclude_areas:
        named = dict(coin.params["screen"].get("exclude_areas") or {})
        named.update({str(k): str(v) for k, v in exclude_areas.items()})
        coin.set("screen", exclude_areas=named)
    return coin


def reproduce_edition(frame: pd.DataFrame, edition: str | int, *, area: str = "id",
                      name: str | None = "name", population: str | None = None,
                      published_status: str | None = None,
                      published_dynamics: str | None = None,
                      published_group: str | None = None,
                      exclude_areas: Mapping[str, str] | None = None,
                      convention: str = "auto") -> Reproduction:
    """Reproduce a published edition from its published table and compare the classes.

    Parameters
    ----------
    frame
        The published table (see :func:`edition_coin`), plus the published status, dynamics
        and status/dynamics groups (columns found by name, e.g. ``status``, ``dynamik``,
        ``status_dynamik``; or given explicitly). Codes (``2``, ``+/-``, ``2+/-``) or the
        preset's words (``mittel``) are both understood.
    edition
        A preset id or a Berlin MSS edition year.
    area, name, population
        Area id column (text), optional area name column (text, never parsed as a number;
        the default ``"name"`` may be absent, another given name must exist), residents
        column.
    published_status, published_dynamics, published_group
        Column names of the published groups (default: found by name; missing ones are
        not compared).
    exclude_areas
        Further areas to exclude (id -> reason).
    convention
        Number convention of text cells (see :func:`edition_coin`).

    Returns
    -------
    Reproduction
    """
    has_dyn = _find(frame, published_dynamics, DYNAMICS_COLUMNS, "Dynamikgruppe",
                    required=False)
    pid = _preset_id(edition)
    meta = preset_meta(load_preset(pid))
    change_present = all(
        _find(frame, None, (str(c).lower(),), "", required=False) is not None
        for c in meta.get("change_code", pd.Series(dtype=object)).dropna())
    coin = edition_coin(frame, pid, area=area, population=population,
                        exclude_areas=exclude_areas, dynamics=change_present,
                        convention=convention)
    coin.regenerate()
    ids = frame[_find(frame, area, (), "Gebietskennung", required=True)].astype(str).str.strip()
    out = pd.DataFrame({"area": ids.to_numpy()})
    # the default "name" is optional (tables without names); another given name must exist
    name_col = (None if not name else
                _find(frame, None, (name,), "Gebietsname", required=False) if name == "name"
                else _find(frame, name, (), "Gebietsname", required=False))
    if name_col is not None:
        out["name"] = frame[name_col].astype(str).to_numpy()
    pop_col = _find(frame, population, POPULATION_COLUMNS, "Einwohner", required=True)
    out["population"] = _numbers(frame[pop_col], str(pop_col), convention).to_numpy()
    out = out.set_index("area")
    out["index"] = coin.index.reindex(out.index)
    p = coin.params
    words = {"status": dict(zip(p["classify"]["labels"] or [], p["classify"]["codes"] or [],
                                strict=False)),
             "dynamics": dict(zip(p["dynamics"]["labels"] or [], p["dynamics"]["codes"] or [],
                                  strict=False))}
    ours = {"status": coin.class_codes, "dynamics": coin.dynamics_class_codes,
            "group": coin.group_codes}
    cols = {"status": _find(frame, published_status, STATUS_COLUMNS, "Statusgruppe",
                            required=False),
            "dynamics": has_dyn,
            "group": _find(frame, published_group, GROUP_COLUMNS, "Status/Dynamik-Gruppe",
                           required=False)}
    rows = []
    for key in ("status", "dynamics", "group"):
        mine = ours[key]
        out[key] = (mine.reindex(out.index).fillna("") if mine is not None else "")
        if cols[key] is None:
            continue
        pub = frame[cols[key]].to_numpy()
        lookup = words.get(key, {})
        pub_codes = [lookup.get(str(v).strip(), normalise_code(v)) for v in pub]
        if key == "group":
            both = {f"{s} / {d}": f"{c}{e}" for s, c in words["status"].items()
                    for d, e in words["dynamics"].items()}
            pub_codes = [both.get(str(v).strip(), c) for v, c in zip(pub, pub_codes,
                                                                       strict=True)]
        out[f"{key}_published"] = pub_codes
        a = out[key].astype(str)
        b = out[f"{key}_published"].astype(str)
        compared = (a != "") & (b != "")
        out[f"{key}_agrees"] = np.where(compared, a == b, pd.NA)
        n_cmp = int(compared.sum())
        n_ok = int(((a == b) & compared).sum())
        rows.append({"quantity": key, "n_compared": n_cmp, "n_agree": n_ok,
                     "share": n_ok / n_cmp if n_cmp else float("nan"),
                     "only_ours": int(((a != "") & (b == "")).sum()),
                     "only_published": int(((a == "") & (b != "")).sum())})
    ex = coin.excluded_areas.assign(area=lambda d: d["area"].astype(str)).set_index("area")
    out["excluded"] = ex["grund"].reindex(out.index).fillna("")
    agreement = pd.DataFrame(rows, columns=["quantity", "n_compared", "n_agree", "share",
                                            "only_ours", "only_published"]
                             ).set_index("quantity")
    notes = [coin.exclusion_note()]
    if not change_present:
        notes.append("keine Veränderungsspalten (D…): Dynamik nicht berechnet")
    z_diff = _z_differences(frame, ids, coin, meta, convention)
    return Reproduction(table=out, agreement=agreement, coin=coin, preset=pid, notes=notes,
                        z_max_diff=z_diff)


def _z_differences(frame: pd.DataFrame, ids: pd.Series, coin: Coin, meta: pd.DataFrame,
                   convention: str) -> dict[str, float]:
    """Max |our z - published z| per code, for z columns named ``z_S1``, ``S1_z`` or ``zS1``
    (status from the normalised matrix, dynamics from the normalised changes)."""
    out: dict[str, float] = {}
    stages = {"code": "normalised", "change_code": "change_normalised"}
    for kind, stage in stages.items():
        if kind not in meta.columns or (stage.startswith("change") and coin.dynamics is None):
            continue
        ours = coin.matrix(stage)
        for row in meta.itertuples(index=False):
            code = getattr(row, kind)
            col = _find(frame, None, (f"z_{code}", f"{code}_z", f"z{code}"), "", required=False)
            if col is None:
                continue
            pub = pd.Series(_numbers(frame[col], str(col), convention).to_numpy(),
                            index=ids.to_numpy())
            mine = ours[row.indicator]
            diff = (mine - pub.reindex(mine.index)).abs()
            out[str(code)] = float(diff.max())
    return out


def read_published_table(path: str, *, encoding: str | None = None, sep: str | None = None,
                         sheet: str | int | None = None) -> tuple[pd.DataFrame, str]:
    """Read a published table (CSV or Excel) with every cell as text.

    Returns the frame and the number convention to use: ``"de"`` for ``;``-separated CSV,
    ``"international"`` for ``,``-separated CSV, ``"auto"`` for Excel. Ids and names stay
    text (a name such as ``"1. Park"`` is never parsed as a number).
    """
    from pathlib import Path

    from sozialanalyse.data.readers import read_text_table

    frame, used = read_text_table(Path(path), sep=sep, encoding=encoding, sheet=sheet)
    convention = {";": "de", ",": "international"}.get(used, "auto")
    return frame, convention
