"""Placebo inference for synthetic controls: in space and in time.

**Placebo in space** (Abadie, Diamond and Hainmueller 2010): the synthetic
control is refitted with each donor area in turn pretending to be the model
area (with the remaining donors as its pool). If the model area's post/pre
RMSPE ratio is unusually large among all these fits, the effect is unlikely to
be chance. The exact permutation p-value is the model area's rank divided by
the number of units compared (rank 1 = largest ratio). With 17 Stadträume and
one model area the smallest attainable p-value is 1/17 = 0.059: the honest
answer that a single model Stadtraum can never be "significant at 5 %".

When several model areas are pooled, the placebo units are sets of the same
number of donor areas (all sets if there are at most ``max_placebos``,
otherwise a random sample).

The test statistic is Abadie's post/pre RMSPE ratio by default. With few
pre-period years and many donors a placebo can be fitted perfectly before the
start (pre-RMSPE near zero), which inflates its ratio; the alternative
statistic ``"abs_log_irr"`` (the size of the post-period rate ratio against the
synthetic control, ``|log IRR|``) does not divide by the pre-fit. Both give exact
p-values when, without an effect, the model area is exchangeable with the
placebos.

**Placebo in time**: the start is moved to years before the real start, using
only data from before the real start; "effects" found there are what chance and
misfit produce without any intervention.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from math import comb
from typing import Literal

import numpy as np
import pandas as pd

from sozialanalyse import formatting as fmt
from sozialanalyse.errors import MethodError
from sozialanalyse.evaluation.guardrails import check_donor_pool, check_start_year
from sozialanalyse.evaluation.results import (
    INFERENCE_LABELS,
    EvaluationResult,
    attach_warnings,
    collect_warnings,
)
from sozialanalyse.evaluation.synth import (
    CountMatrices,
    count_matrices,
    fit_synth,
    synth_from_matrices,
)

Statistic = Literal["rmspe_ratio", "abs_log_irr"]


def _placebo_sets(
    pool: Sequence[str], size: int, max_placebos: int, rng: np.random.Generator
) -> list[tuple[str, ...]]:
    n_all = comb(len(pool), size)
    if n_all <= max_placebos:
        return list(itertools.combinations(pool, size))
    seen: set[tuple[str, ...]] = set()
    out: list[tuple[str, ...]] = []
    while len(out) < max_placebos:
        pick = tuple(sorted(rng.choice(len(pool), size=size, replace=False)))
        if pick not in seen:
            seen.add(pick)
            out.append(tuple(pool[i] for i in pick))
    return out


def _ratio(gap: np.ndarray, post: np.ndarray, target: np.ndarray) -> tuple[float, float, float]:
    pre_r = float(np.sqrt(np.mean(gap[~post] ** 2)))
    if pre_r < 1e-9 * (1.0 + float(np.mean(np.abs(target[~post])))):
        pre_r = 0.0  # perfect pre-period fit, as in synth._summarise
    post_r = float(np.sqrt(np.mean(gap[post] ** 2)))
    return pre_r, post_r, (post_r / pre_r if pre_r > 0 else float("inf"))


def permutation_p_value(statistic: float, placebo_statistics: np.ndarray) -> tuple[int, float]:
    """Rank and exact permutation p-value of a statistic among placebos.

    Parameters
    ----------
    statistic
        The model unit's statistic (larger = stronger evidence).
    placebo_statistics
        The placebo units' statistics.

    Returns
    -------
    tuple
        ``(rank, p_value)`` with ``rank = 1 + #(placebo >= statistic)`` and
        ``p_value = rank / (1 + number of placebos)``.
    """
    s = np.asarray(placebo_statistics, dtype=float)
    rank = 1 + int(np.sum(s >= statistic))
    return rank, rank / (s.size + 1)


def placebo_from_matrices(
    m: CountMatrices,
    treated: Sequence[str],
    start_year: int,
    *,
    donors: Sequence[str] | None = None,
    placebo_size: int | None = None,
    max_placebos: int = 1000,
    seed: int = 0,
    warn: bool = True,
    keep_paths: bool = True,
    statistic: Statistic = "rmspe_ratio",
    level: float = 0.95,
) -> EvaluationResult:
    """Placebo-in-space inference on :class:`CountMatrices` (see :func:`placebo_in_space`)."""
    treated = tuple(str(a) for a in treated)
    if not warn:
        return _placebo(m, treated, start_year, donors, placebo_size, max_placebos, seed,
                        False, keep_paths, statistic, level)
    with collect_warnings() as caught:
        out = _placebo(m, treated, start_year, donors, placebo_size, max_placebos, seed,
                       True, keep_paths, statistic, level)
    return attach_warnings(out, caught)


def _placebo(
    m: CountMatrices, treated: tuple[str, ...], start_year: int,
    donors: Sequence[str] | None, placebo_size: int | None, max_placebos: int, seed: int,
    warn: bool, keep_paths: bool, statistic: Statistic, level: float,
) -> EvaluationResult:
    if statistic not in ("rmspe_ratio", "abs_log_irr"):
        raise ValueError(f"unknown statistic {statistic!r}")
    res = synth_from_matrices(m, treated, start_year, donors=donors, warn=warn)
    pool = list(res.weights.index)
    size = len(treated) if placebo_size is None else int(placebo_size)
    if size >= len(pool):
        raise MethodError(
            f"Placebo-Einheiten aus {size} Gebieten brauchen mehr als {len(pool)} "
            "Vergleichsgebiete"
        )
    rng = np.random.default_rng(seed)
    sets = _placebo_sets(pool, size, max_placebos, rng)
    if warn:
        check_donor_pool(len(sets), minimum=19)
    rates = m.rates()
    pos = {a: i for i, a in enumerate(m.areas)}
    pre = m.years < start_year
    post = ~pre
    rows = [
        {
            "unit": "+".join(treated),
            "members": treated,
            "is_treated": True,
            "pre_rmspe": res.pre_rmspe,
            "post_rmspe": res.post_rmspe,
            "rmspe_ratio": res.rmspe_ratio,
            "irr": res.irr,
        }
    ]
    gaps = [res.path["gap"].to_numpy()]
    for s in sets:
        rest = [a for a in pool if a not in s]
        target = m.pooled_rate(s) if size > 1 else rates[pos[s[0]]]
        _, synthetic = fit_synth(target, rates[[pos[a] for a in rest]], pre)
        gap = target - synthetic
        pre_r, post_r, ratio = _ratio(gap, post, target)
        rows.append(
            {
                "unit": "+".join(s),
                "members": s,
                "is_treated": False,
                "pre_rmspe": pre_r,
                "post_rmspe": post_r,
                "rmspe_ratio": ratio,
                "irr": float(target[post].sum() / synthetic[post].sum()),
            }
        )
        if keep_paths:
            gaps.append(gap)
    table = pd.DataFrame(rows)
    table["abs_log_irr"] = np.abs(np.log(table["irr"]))
    stat = table[statistic].to_numpy()
    rank, p = permutation_p_value(stat[0], stat[1:])
    table["rank"] = table[statistic].rank(ascending=False, method="min").astype(int)
    table.loc[0, "rank"] = rank
    if keep_paths:
        long = pd.DataFrame(
            {
                "unit": np.repeat(table["unit"].to_numpy()[: len(gaps)], m.years.size),
                "year": np.tile(m.years, len(gaps)),
                "gap": np.concatenate(gaps),
                "is_treated": np.repeat(table["is_treated"].to_numpy()[: len(gaps)],
                                        m.years.size),
            }
        )
    else:
        long = pd.DataFrame(columns=["unit", "year", "gap", "is_treated"])
    n = len(table)
    min_p = 1.0 / n
    label = {"rmspe_ratio": "RMSPE nachher/vorher", "abs_log_irr": "|log IRR| nachher"}
    note = ""
    if min_p > 1 - level:
        note = (f"mit {n} Einheiten ist der kleinste erreichbare p-Wert "
                f"1/{n} = {fmt.number(min_p, 3)}"
                + f": ein Effekt kann auf dem {fmt.number(100 * (1 - level), 0)}-%-Niveau nicht "
                "nachgewiesen werden")
    return res.with_updates(
        kind="placebo_in_space",
        design="Placebo-Test im Raum (synthetische Kontrolle)",
        p_value=float(p), level=level,
        inference=f"{INFERENCE_LABELS['placebo']}, Statistik {label[statistic]}",
        inference_reason=(f"exakter Permutationstest über {n} Einheiten: gilt bei wenigen "
                          "Gebieten, wenn das Modellgebiet ohne Effekt mit den Placebos "
                          "austauschbar ist"),
        n_obs=n, coverage_ok=not note, coverage_note=note,
        details=table,
        extra={**res.extra, "result": res, "gaps": long, "rank": rank, "n_units": n,
               "min_p_value": min_p, "statistic": statistic},
    )


def placebo_in_space(
    panel: pd.DataFrame,
    treated: str | Sequence[str],
    start_year: int,
    *,
    donors: Sequence[str] | None = None,
    placebo_size: int | None = None,
    max_placebos: int = 1000,
    seed: int = 0,
    file: str = "<DataFrame>",
    warn: bool = True,
    statistic: Statistic = "rmspe_ratio",
) -> EvaluationResult:
    """Permutation inference: refit the synthetic control with each donor as placebo.

    Parameters
    ----------
    panel
        Tidy panel with ``area``, ``year``, ``cases``, ``population``.
    treated
        Model area(s); several are pooled into one unit.
    start_year
        First year under the new practice.
    donors
        Comparison areas; default all other areas.
    placebo_size
        Areas per placebo unit; default the number of model areas.
    max_placebos
        Upper limit on the number of placebo units (random sample beyond it).
    seed
        Seed for sampling placebo sets (only used beyond ``max_placebos``).
    file
        Name of the data source for error messages.
    warn
        Issue guardrail warnings.
    statistic
        ``"rmspe_ratio"`` (post/pre RMSPE, default) or ``"abs_log_irr"``.

    Returns
    -------
    EvaluationResult
        ``irr`` of the synthetic control, ``p_value`` the exact permutation
        p-value; ``details`` the placebo distribution, one row per unit (the
        model unit first): ``unit, members, is_treated, pre_rmspe, post_rmspe,
        rmspe_ratio, irr, abs_log_irr, rank``; ``extra``: ``result`` (the
        synthetic control), ``gaps`` (``unit, year, gap, is_treated``),
        ``rank``, ``n_units``, ``min_p_value``, ``statistic``.
    """
    areas = [treated] if isinstance(treated, str) else list(treated)
    return placebo_from_matrices(
        count_matrices(panel, file=file),
        areas,
        start_year,
        donors=donors,
        placebo_size=placebo_size,
        max_placebos=max_placebos,
        seed=seed,
        warn=warn,
        statistic=statistic,
    )


def placebo_in_time(
    panel: pd.DataFrame,
    treated: str | Sequence[str],
    start_year: int,
    *,
    donors: Sequence[str] | None = None,
    min_pre_years: int = 3,
    file: str = "<DataFrame>",
) -> EvaluationResult:
    """Move the start to earlier years (data before the real start only).

    Parameters
    ----------
    panel
        Tidy panel with ``area``, ``year``, ``cases``, ``population``.
    treated
        Model area(s).
    start_year
        The real start year.
    donors
        Comparison areas; default all other areas.
    min_pre_years
        Fewest years before a fake start.
    file
        Name of the data source for error messages.

    Returns
    -------
    EvaluationResult
        The real start's synthetic control as headline; ``details`` one row per
        start year: ``start_year``, ``fake`` (False for the real start, fitted
        on all years), ``pre_rmspe``, ``post_rmspe``, ``rmspe_ratio``, ``irr``,
        ``abs_change_per_1000``.
    """
    areas = [treated] if isinstance(treated, str) else list(treated)
    m = count_matrices(panel, file=file)
    check_start_year(float(start_year), m.years)
    keep = m.years < start_year
    before = CountMatrices(m.areas, m.years[keep], m.cases[:, keep], m.population[:, keep])
    fakes = [int(y) for y in before.years if (before.years < y).sum() >= min_pre_years]
    if not fakes:
        raise MethodError(
            f"für einen Placebo-Test in der Zeit braucht es mindestens {min_pre_years + 1} "
            f"Jahre vor {start_year}"
        )

    def row(r: EvaluationResult, y: int, fake: bool) -> dict[str, object]:
        return {"start_year": y, "fake": fake, "pre_rmspe": r.pre_rmspe,
                "post_rmspe": r.post_rmspe, "rmspe_ratio": r.rmspe_ratio, "irr": r.irr,
                "abs_change_per_1000": r.abs_change_per_1000}

    rows = [row(synth_from_matrices(before, areas, y, donors=donors, warn=False), y, True)
            for y in fakes]
    with collect_warnings() as caught:
        real = synth_from_matrices(m, areas, start_year, donors=donors)
    rows.append(row(real, start_year, False))
    out = real.with_updates(
        kind="placebo_in_time", design="Placebo-Test in der Zeit (vorgezogene Startjahre)",
        inference=INFERENCE_LABELS["none"],
        inference_reason="vorgezogene Startjahre zeigen, welche Scheineffekte Zufall und "
                         "schlechte Anpassung ohne Maßnahme erzeugen",
        details=pd.DataFrame(rows), extra={**real.extra, "result": real},
    )
    return attach_warnings(out, caught)
