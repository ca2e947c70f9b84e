"""Presets: published index methods stored as data (``sozialanalyse/presets/*.json``).

Each preset file holds

* ``id``, ``name``, ``description``, ``population_variable``;
* ``sources``: source id -> citation (bib key in ``book/references/index.bib``);
* ``indicators``: one entry per indicator with ``indicator``, ``label``, ``dimension``,
  ``direction``, ``weight``, ``unit`` and ``source`` (a source id or ``"our reading"``);
* ``steps``: step -> parameter -> ``{"value": ..., "source": ...}``;
* optionally ``family`` and ``edition`` (Berlin's MSS has one preset per edition), per
  indicator ``code`` / ``change_code`` (the published column names, e.g. ``S1`` / ``D1``) and
  per element a ``note``.

A preset claims a city's method only as far as its sources state it; every other detail is
marked ``"our reading"``. :data:`ALIASES` maps short ids to an edition (``berlin_mss`` is the
latest edition whose method the sources cover).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pandas as pd

from sozialanalyse.errors import InputDataError

OUR_READING = "our reading"
"""Marker for a detail the sources do not state."""

ALIASES: dict[str, str] = {"berlin_mss": "berlin_mss_2021"}
"""Short preset ids and the edition they stand for."""


def list_presets(*, aliases: bool = True) -> list[str]:
    """Ids of all presets shipped with the package (with the :data:`ALIASES` by default)."""
    folder = resources.files("sozialanalyse") / "presets"
    ids = sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))
    return sorted(ids + list(ALIASES)) if aliases else ids


def editions(family: str) -> list[str]:
    """Preset ids of one family, e.g. ``editions("berlin_mss")`` -> ``berlin_mss_2013`` ..."""
    return [pid for pid in list_presets(aliases=False)
            if load_preset(pid).get("family") == family]


def load_preset(preset_id: str) -> dict[str, Any]:
    """Load and check one preset.

    Parameters
    ----------
    preset_id
        One of :func:`list_presets`.

    Returns
    -------
    dict
        The preset.

    Raises
    ------
    InputDataError
        Unknown preset or an element without ``source``.
    """
    if preset_id not in list_presets():
        raise InputDataError(f"Unbekannte Vorgabe (Preset) '{preset_id}'; vorhanden: "
                             f"{', '.join(list_presets())}", file="sozialanalyse/presets",
                             code="E-META-005")
    preset_id = ALIASES.get(preset_id, preset_id)
    path = resources.files("sozialanalyse") / "presets" / f"{preset_id}.json"
    preset = json.loads(path.read_text(encoding="utf-8"))
    check_preset(preset, file=f"sozialanalyse/presets/{preset_id}.json")
    return preset


def check_preset(preset: dict[str, Any], file: str = "<preset>") -> None:
    """Check that every indicator and every step parameter carries a known source.

    Raises
    ------
    InputDataError
        Naming the element whose source is missing or not listed in ``sources``.
    """
    known = set(preset.get("sources", {})) | {OUR_READING}
    for i, ind in enumerate(preset.get("indicators", [])):
        for key in ("indicator", "dimension", "direction", "source"):
            if key not in ind:
                raise InputDataError(f"dem {i + 1}. Indikatoreintrag fehlt '{key}'", file=file,
                                     column="indicators", code="E-META-001")
        for field in ("source", "direction_source", "weight_source"):
            for src in str(ind.get(field, OUR_READING)).split("; "):
                if src not in known:
                    raise InputDataError(f"Indikator '{ind['indicator']}': {field} '{src}' steht "
                                         "nicht unter 'sources'", file=file,
                                         column="indicators", code="E-META-001")
    for step, params in preset.get("steps", {}).items():
        for name, spec in params.items():
            if not isinstance(spec, dict) or "value" not in spec or "source" not in spec:
                raise InputDataError(f"Schritt '{step}', Parameter '{name}': braucht 'value' und "
                                     "'source'", file=file, column="steps", code="E-META-001")
            for src in str(spec["source"]).split("; "):
                if src not in known:
                    raise InputDataError(f"Schritt '{step}', Parameter '{name}': Quelle '{src}' "
                                         "steht nicht unter 'sources'", file=file,
                                         column="steps", code="E-META-001")


def preset_meta(preset: dict[str, Any]) -> pd.DataFrame:
    """Indicator metadata of a preset as a DataFrame (the Coin's ``meta``)."""
    meta = pd.DataFrame(preset["indicators"])
    for col in ("weight", "unit", "label"):
        if col not in meta.columns:
            meta[col] = None
    return meta


def preset_params(preset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Step parameters of a preset without their sources (for :meth:`Coin.set`)."""
    out: dict[str, dict[str, Any]] = {}
    for step, params in preset.get("steps", {}).items():
        out[step] = {}
        for name, spec in params.items():
            value = spec["value"]
            out[step][name] = tuple(value) if isinstance(value, list) and name == "cutoffs" \
                else value
    return out


def preset_table(preset_ids: list[str] | None = None) -> pd.DataFrame:
    """One row per preset element: preset, kind, element, value, source, note, sourced.

    ``kind`` is ``indicator``, ``direction``, ``weight`` or ``step``; ``sourced`` is True
    when the element cites a source rather than ``"our reading"``.

    Parameters
    ----------
    preset_ids
        Presets to include (default: all, without aliases).

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for pid in preset_ids or list_presets(aliases=False):
        p = load_preset(pid)
        for ind in p["indicators"]:
            code = f" ({ind['code']})" if ind.get("code") else ""
            rows.append({"preset": pid, "kind": "indicator", "element": ind["indicator"],
                         "value": f"{ind.get('label') or ind['indicator']}{code}",
                         "source": ind["source"], "note": ind.get("note", "")})
            rows.append({"preset": pid, "kind": "direction", "element": ind["indicator"],
                         "value": f"{ind['direction']:+d}",
                         "source": ind.get("direction_source", OUR_READING), "note": ""})
            rows.append({"preset": pid, "kind": "weight", "element": ind["indicator"],
                         "value": str(ind.get("weight")),
                         "source": ind.get("weight_source", OUR_READING), "note": ""})
        for step, params in p["steps"].items():
            for name, spec in params.items():
                rows.append({"preset": pid, "kind": "step", "element": f"{step}.{name}",
                             "value": json.dumps(spec["value"], ensure_ascii=False),
                             "source": spec["source"], "note": spec.get("note", "")})
    out = pd.DataFrame(rows, columns=["preset", "kind", "element", "value", "source", "note"])
    out["sourced"] = out["source"] != OUR_READING
    return out
