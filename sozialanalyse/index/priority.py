"""Priority areas ("Schwerpunkträume") and reference areas by explicit, documented rules.

A priority area is chosen by a rule a planning committee can read and check, not by a
judgement hidden in a spreadsheet. A :class:`PriorityRule` combines

* **need**: the area is among the ``top_k`` most burdened areas, or its index is at or above
  a quantile of all areas (``need_quantile``) or a fixed value (``need_min``);
* **supply** (optional): the area's supply (e.g. facilities or staff per 1,000 young
  residents) is at or below a quantile of all areas (``supply_quantile``).

An area is a priority area if it meets every condition the rule states. :func:`apply_rule`
returns the verdict per area with the reason in words; :func:`rule_probability` gives the
share of Monte Carlo draws in which an area is a priority area.

The Dresden study (2017) chose one reference area ("Bezugsraum") per Stadtraum type;
:func:`reference_areas` states such a choice as a rule ("within each type, the area whose
index is closest to the type's median", or the most / least burdened one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index.aggregate import rank_array
from sozialanalyse.index.uncertainty import MonteCarloResult


@dataclass(frozen=True)
class PriorityRule:
    """An explicit rule for priority areas.

    Parameters
    ----------
    top_k
        Need condition: rank (1 = most burdened) at most ``top_k``.
    need_quantile
        Need condition: index at or above this quantile of all areas (e.g. 0.75).
    need_min
        Need condition: index at or above this value.
    supply_quantile
        Supply condition: supply at or below this quantile of all areas (e.g. 0.5 = at most
        the median supply). Needs a supply column.
    name
        Short label used in tables.
    """

    top_k: int | None = None
    need_quantile: float | None = None
    need_min: float | None = None
    supply_quantile: float | None = None
    name: str = "rule"

    def __post_init__(self) -> None:
        given = [v is not None for v in (self.top_k, self.need_quantile, self.need_min)]
        if sum(given) != 1:
            raise MethodError(
                "Eine Vorrangregel braucht genau eine Bedarfsbedingung: top_k, need_quantile "
                "oder need_min", code="E-METHOD-005")
        if self.top_k is not None and self.top_k < 1:
            raise MethodError("top_k muss mindestens 1 sein", code="E-METHOD-005")
        for label, q in (("need_quantile", self.need_quantile),
                         ("supply_quantile", self.supply_quantile)):
            if q is not None and not 0 <= q <= 1:
                raise MethodError(f"{label} muss zwischen 0 und 1 liegen", code="E-METHOD-005")

    def describe(self) -> str:
        """The rule in one sentence (English)."""
        if self.top_k is not None:
            need = f"among the {self.top_k} areas with the highest index"
        elif self.need_quantile is not None:
            need = f"index at or above the {self.need_quantile:.0%} quantile of all areas"
        else:
            need = f"index at or above {self.need_min:g}"
        if self.supply_quantile is None:
            return f"Priority area if {need}."
        return (
            f"Priority area if {need} and supply at or below the "
            f"{self.supply_quantile:.0%} quantile of all areas."
        )


def _need_ok(need: np.ndarray, rule: PriorityRule) -> np.ndarray:
    """Need condition for scores of shape (..., n_areas)."""
    if rule.top_k is not None:
        return rank_array(need) <= rule.top_k
    if rule.need_quantile is not None:
        cut = np.quantile(need, rule.need_quantile, axis=-1, keepdims=True)
        return need >= cut
    return need >= rule.need_min


def _supply_ok(supply: pd.Series | None, areas: pd.Index, rule: PriorityRule) -> np.ndarray:
    if rule.supply_quantile is None:
        return np.ones(len(areas), dtype=bool)
    if supply is None:
        raise InputDataError(
            "die Regel hat eine Angebotsbedingung, aber es sind keine Angebotswerte (supply) "
            "angegeben", column="supply", code="E-COL-001",
            hint="das Angebot je Gebiet übergeben oder supply_quantile aus der Regel nehmen",
        )
    s = supply.reindex(areas)
    if s.isna().any():
        missing = s.index[s.isna()][0]
        raise InputDataError(
            "kein Angebotswert für dieses Gebiet", column="supply", area=str(missing),
            code="E-VAL-001",
        )
    v = s.to_numpy(dtype=float)
    return v <= np.quantile(v, rule.supply_quantile)


def apply_rule(
    need: pd.Series, rule: PriorityRule, supply: pd.Series | None = None
) -> pd.DataFrame:
    """Apply a priority rule to one index.

    Parameters
    ----------
    need
        Index by area, higher = more burden.
    rule
        The rule.
    supply
        Supply by area (higher = better supplied), needed if the rule has a supply condition.

    Returns
    -------
    pandas.DataFrame
        One row per area (sorted by rank): ``need``, ``rank``, ``supply`` (if given),
        ``need_ok``, ``supply_ok``, ``priority`` and ``reason``.
    """
    if need.isna().any():
        bad = need.index[need.isna()][0]
        raise InputDataError("kein Indexwert für dieses Gebiet", column="need",
                             area=str(bad), code="E-VAL-001")
    v = need.to_numpy(dtype=float)
    out = pd.DataFrame({"need": v, "rank": rank_array(v)}, index=need.index)
    if supply is not None:
        out["supply"] = supply.reindex(need.index).to_numpy(dtype=float)
    out["need_ok"] = _need_ok(v, rule)
    out["supply_ok"] = _supply_ok(supply, need.index, rule)
    out["priority"] = out["need_ok"] & out["supply_ok"]
    reasons = np.where(
        out["priority"],
        "meets all conditions",
        np.where(~out["need_ok"], "need below the threshold", "supply above the threshold"),
    )
    out["reason"] = reasons
    return out.sort_values("rank")


def rule_probability(
    mc: MonteCarloResult, rule: PriorityRule, supply: pd.Series | None = None
) -> pd.Series:
    """Share of Monte Carlo draws in which each area is a priority area under ``rule``.

    The need condition is evaluated on every draw's scores; the supply condition is fixed.
    """
    if rule.top_k is not None and rule.top_k > len(mc.areas):
        raise MethodError(f"top_k={rule.top_k} ist größer als die Zahl der Gebiete "
                          f"({len(mc.areas)})", code="E-METHOD-005")
    if rule.top_k is not None:
        need = mc.ranks <= rule.top_k
    elif rule.need_min is not None:
        raise MethodError(
            "need_min vergleicht Rohwerte, die zwischen Normierungen nicht vergleichbar "
            "sind; nutzen Sie top_k oder need_quantile für Monte-Carlo-Wahrscheinlichkeiten",
            code="E-METHOD-005")
    else:
        need = _need_ok(mc.scores, rule)
    ok = need & _supply_ok(supply, mc.areas, rule)[None, :]
    return pd.Series(ok.mean(axis=0), index=mc.areas, name="p_priority")


REFERENCE_HOW: tuple[str, ...] = ("median", "max", "min")


def reference_areas(
    types: pd.Series, need: pd.Series, how: str = "median", types_to_use: list | None = None
) -> pd.DataFrame:
    """One reference area per type, chosen by an explicit rule.

    Parameters
    ----------
    types
        Type by area (areas without a type may be NaN and are ignored).
    need
        Index by area, higher = more burden.
    how
        ``"median"``: the area whose index is closest to the median index of its type (the
        most typical member; ties go to the lower index); ``"max"``: the most burdened
        member; ``"min"``: the least burdened member.
    types_to_use
        Restrict to these types (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per type with ``area``, ``need`` and ``n_areas`` (members of the type).
    """
    if how not in REFERENCE_HOW:
        raise MethodError(f"Unbekannte Regel how='{how}'; erlaubt: "
                          f"{', '.join(REFERENCE_HOW)}", code="E-METHOD-005")
    t = types.dropna()
    missing = [a for a in t.index if a not in need.index or pd.isna(need[a])]
    if missing:
        raise InputDataError("kein Indexwert für dieses Gebiet", column="need",
                             area=str(missing[0]), code="E-VAL-001")
    rows = []
    for typ, members in t.groupby(t).groups.items():
        if types_to_use is not None and typ not in types_to_use:
            continue
        v = need.reindex(members).astype(float).sort_values()
        if how == "max":
            area = v.index[-1]
        elif how == "min":
            area = v.index[0]
        else:
            dist = (v - v.median()).abs()
            area = dist.index[int(np.argmin(dist.to_numpy()))]
        rows.append({"type": typ, "area": area, "need": float(v[area]), "n_areas": len(v)})
    return pd.DataFrame(rows).set_index("type")


def best_rules(hits: pd.Series) -> list:
    """All rules with the highest number of hits, in the order of ``hits``.

    A plain ``idxmax`` would silently return only the first of several equally good rules;
    this function returns every tied rule so that a report can say that the choice between
    them is open.

    Parameters
    ----------
    hits
        Number of hits (e.g. study reference areas reproduced) by rule.

    Returns
    -------
    list
        The labels of all rules whose hits equal the maximum (one label if there is no tie).
    """
    if hits.empty:
        raise MethodError("keine Regeln zu vergleichen: die Treffertabelle ist leer",
                          code="E-METHOD-005")
    if hits.isna().any():
        raise InputDataError(f"keine Trefferzahl für die Regel '{hits.index[hits.isna()][0]}'",
                             column="hits", code="E-VAL-001")
    return list(hits.index[hits == hits.max()])
