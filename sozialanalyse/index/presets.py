"""Presets: published index methods stored as data (``sozialanalyse/presets/*.json``).

Each preset file holds

* ``id``, ``name``, ``description``, ``population_variable``;
* ``sources``: source id -> citation (bib key in ``book/references/index.bib``);
* ``indicators``: one entry per indicator with ``indicator``, ``label``, ``dimension``,
  ``direction``, ``weight``, ``unit`` and ``source`` (a source id or ``"our reading"``);
* ``steps``: step -> parameter -> ``{"value": ..., "source": ...}``.

A preset claims a city's method only as far as its sources state it; every other detail is
marked ``"our reading"``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pandas as pd

from sozialanalyse.errors import InputDataError

OUR_READING = "our reading"
"""Marker for a detail the sources do not state."""


def list_presets() -> list[str]:
    """Ids of all presets shipped with the package."""
    folder = resources.files("sozialanalyse") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


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
        raise InputDataError(f"unknown preset '{preset_id}'; available: {list_presets()}",
                             file="sozialanalyse/presets")
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
                raise InputDataError(f"indicator entry lacks '{key}'", file=file,
                                     column="indicators", row=i + 1)
        for field in ("source", "direction_source", "weight_source"):
            for src in str(ind.get(field, OUR_READING)).split("; "):
                if src not in known:
                    raise InputDataError(f"indicator '{ind['indicator']}': {field} '{src}' is "
                                         "not listed under 'sources'", file=file,
                                         column="indicators", row=i + 1)
    for step, params in preset.get("steps", {}).items():
        for name, spec in params.items():
            if not isinstance(spec, dict) or "value" not in spec or "source" not in spec:
                raise InputDataError(f"step '{step}', parameter '{name}': needs 'value' and "
                                     "'source'", file=file, column="steps")
            for src in str(spec["source"]).split("; "):
                if src not in known:
                    raise InputDataError(f"step '{step}', parameter '{name}': source '{src}' "
                                         "is not listed under 'sources'", file=file,
                                         column="steps")


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
    """One row per preset element: preset, kind, element, value, source.

    ``kind`` is ``indicator``, ``direction``, ``weight`` or ``step``.

    Parameters
    ----------
    preset_ids
        Presets to include (default: all).

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for pid in preset_ids or list_presets():
        p = load_preset(pid)
        for ind in p["indicators"]:
            rows.append({"preset": pid, "kind": "indicator", "element": ind["indicator"],
                         "value": f"dimension {ind['dimension']}", "source": ind["source"]})
            rows.append({"preset": pid, "kind": "direction", "element": ind["indicator"],
                         "value": f"{ind['direction']:+d}",
                         "source": ind.get("direction_source", OUR_READING)})
            rows.append({"preset": pid, "kind": "weight", "element": ind["indicator"],
                         "value": str(ind.get("weight")),
                         "source": ind.get("weight_source", OUR_READING)})
        for step, params in p["steps"].items():
            for name, spec in params.items():
                rows.append({"preset": pid, "kind": "step", "element": f"{step}.{name}",
                             "value": json.dumps(spec["value"], ensure_ascii=False),
                             "source": spec["source"]})
    return pd.DataFrame(rows, columns=["preset", "kind", "element", "value", "source"])
