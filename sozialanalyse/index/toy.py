"""Simulated toy data for illustrations and tests (labelled "simuliert" wherever shown).

The generative model: each area has a latent burden ``b ~ N(0, 1)``; counts and shares rise
with ``b`` (income falls with it) plus independent noise. All draws come from
``numpy.random.default_rng(seed)``. Nothing here is real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TOY_META = pd.DataFrame(
    {
        "indicator": ["arbeitslose", "transferbezug", "kinderarmut", "alleinerziehende",
                      "einkommen"],
        "dimension": ["Arbeit", "Arbeit", "Familie", "Familie", "Familie"],
        "direction": [1, 1, 1, 1, -1],
        "weight": [0.5, 0.5, 0.4, 0.4, 0.2],
        "unit": ["percent", "percent", "percent", "percent", "EUR per month"],
        "source": ["simuliert"] * 5,
        "denominator": ["einwohner_15_64", "einwohner", "einwohner_u15", None, None],
        "per": [100.0, 100.0, 100.0, None, None],
    }
)
"""Metadata of the toy indicators."""


def toy_data(n_areas: int = 12, years: tuple[int, ...] = (2020, 2021, 2022), seed: int = 1,
             small_area: bool = True, missing_cell: bool = True, outlier: bool = False
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulated tidy indicator data and metadata for a small fictitious city.

    Parameters
    ----------
    n_areas
        Number of areas (named ``"G01"``, ``"G02"``, ...).
    years
        Data years; the latent burden drifts slowly between years.
    seed
        Seed of the random generator.
    small_area
        Give the last area fewer than 300 residents (to show screening).
    missing_cell
        Remove ``alleinerziehende`` of the second area in the last year (to show imputation).
    outlier
        Triple the income of the third area in every year (to show outlier treatment).

    Returns
    -------
    data : pandas.DataFrame
        Tidy ``area``, ``year``, ``indicator``, ``value`` (counts, shares and income).
    meta : pandas.DataFrame
        :data:`TOY_META`.
    """
    rng = np.random.default_rng(seed)
    areas = [f"G{i + 1:02d}" for i in range(n_areas)]
    burden = rng.normal(size=n_areas)
    size = rng.integers(2_000, 12_000, size=n_areas).astype(float)
    if small_area:
        size[-1] = 250.0
    rows = []
    for t, year in enumerate(years):
        b = burden + 0.15 * t * rng.normal(size=n_areas)
        pop = np.round(size * (1 + 0.01 * t))
        pop_15_64 = np.round(pop * rng.uniform(0.6, 0.7, n_areas))
        pop_u15 = np.round(pop * rng.uniform(0.1, 0.18, n_areas))
        unemp = rng.binomial(pop_15_64.astype(int), np.clip(0.06 + 0.025 * b, 0.005, 0.5))
        transfer = rng.binomial(pop.astype(int), np.clip(0.09 + 0.04 * b, 0.005, 0.5))
        child = rng.binomial(pop_u15.astype(int), np.clip(0.15 + 0.07 * b, 0.005, 0.8))
        single = np.round(np.clip(22 + 5 * b + rng.normal(0, 2, n_areas), 3, 80), 1)
        income = np.round(1_900 - 180 * b + rng.normal(0, 60, n_areas), 0)
        if outlier and n_areas > 2:
            income[2] *= 3.0
        values = {"einwohner": pop, "einwohner_15_64": pop_15_64, "einwohner_u15": pop_u15,
                  "arbeitslose": unemp, "transferbezug": transfer, "kinderarmut": child,
                  "alleinerziehende": single, "einkommen": income}
        for name, vec in values.items():
            for area, v in zip(areas, vec, strict=True):
                rows.append({"area": area, "year": year, "indicator": name, "value": float(v)})
    data = pd.DataFrame(rows)
    if missing_cell and n_areas > 1:
        hit = ((data["area"] == areas[1]) & (data["year"] == years[-1])
               & (data["indicator"] == "alleinerziehende"))
        data.loc[hit, "value"] = np.nan
    return data, TOY_META.copy()


def toy_outcome(n_areas: int = 12, seed: int = 1) -> pd.Series:
    """A simulated external outcome per area (e.g. an HzE rate per 1,000 young residents).

    It reuses the latent burden of :func:`toy_data` with the same ``n_areas`` and ``seed``
    (the first draw of the generator): ``rate = 25 + 8 b + N(0, 4)``, floored at 1. Used to
    illustrate a validity check; nothing here is real data.

    Returns
    -------
    pandas.Series
        Area -> simulated rate, named ``"hze_rate_simuliert"``.
    """
    rng = np.random.default_rng(seed)
    burden = rng.normal(size=n_areas)
    noise = np.random.default_rng(seed + 10_000).normal(0.0, 4.0, size=n_areas)
    rate = np.maximum(25.0 + 8.0 * burden + noise, 1.0)
    areas = [f"G{i + 1:02d}" for i in range(n_areas)]
    return pd.Series(np.round(rate, 1), index=pd.Index(areas, name="area"),
                     name="hze_rate_simuliert")


def berlin_style_table(n_areas: int = 40, seed: int = 2019) -> pd.DataFrame:
    """A simulated table in the layout of Berlin's published MSS 2019/2021 tables.

    Columns ``id`` (text with leading zeros), ``name`` (text, some starting with digits),
    ``EW`` (residents), ``S1``, ``S3``, ``S4`` (shares in percent), ``D1``, ``D3``, ``D4``
    (changes in percentage points over two years) and the "published" groups ``status``
    (1-4), ``dynamik`` (``+``, ``+/-``, ``-``) and ``status_dynamik`` (e.g. ``2+/-``). One
    area has fewer than 300 residents and one is a placeholder row (all zeros, no groups), as
    in the published tables.

    The groups are computed here **independently of the Coin**, in plain numpy from the
    definitions (z-values with the population standard deviation, status index = sum,
    cut-offs -1, +1, +1.5 standard deviations of the index; dynamics likewise with -1, +1),
    so that a reproduction with the preset is a check, not a tautology. Everything is
    simulated ("simuliert").
    """
    rng = np.random.default_rng(seed)
    n = n_areas
    burden = rng.normal(0.0, 1.0, n)
    s = np.column_stack([
        np.clip(6 + 3 * burden + rng.normal(0, 1.0, n), 0.5, None),
        np.clip(12 + 6 * burden + rng.normal(0, 2.0, n), 0.5, None),
        np.clip(25 + 14 * burden + rng.normal(0, 4.0, n), 0.5, None),
    ]).round(2)
    d = (rng.normal(0, 1, (n, 3)) * np.array([0.8, 1.2, 3.0]) - 0.3).round(2)
    ew = rng.integers(800, 25_000, n).astype(float)
    ew[n - 2] = 180.0  # too few residents

    def groups(values: np.ndarray, cuts: list[float]) -> np.ndarray:
        z = (values - values.mean(axis=0)) / values.std(axis=0, ddof=0)
        idx = z.sum(axis=1)
        zi = (idx - idx.mean()) / idx.std(ddof=0)
        return np.searchsorted(np.array(cuts), zi, side="right")

    keep = np.arange(n) != n - 2
    status = np.full(n, "", dtype=object)
    dyn = np.full(n, "", dtype=object)
    status[keep] = [str(c + 1) for c in groups(s[keep], [-1.0, 1.0, 1.5])]
    dyn[keep] = [("+", "+/-", "-")[c] for c in groups(d[keep], [-1.0, 1.0])]
    frame = pd.DataFrame({
        "id": [f"{1001 + i:08d}" for i in range(n)],
        "name": [f"{i + 1}. Planungsraum (simuliert)" if i % 7 == 0 else f"Gebiet {i + 1}"
                 for i in range(n)],
        "EW": ew,
        "S1": s[:, 0], "S3": s[:, 1], "S4": s[:, 2],
        "D1": d[:, 0], "D3": d[:, 1], "D4": d[:, 2],
        "status": status, "dynamik": dyn,
        "status_dynamik": [f"{a}{b}" if a else "" for a, b in zip(status, dyn, strict=True)],
    })
    placeholder = pd.DataFrame([{"id": f"{1001 + n:08d}", "name": "Forst (simuliert)",
                                 "EW": 1500.0, "S1": 0.0, "S3": 0.0, "S4": 0.0, "D1": 0.0,
                                 "D3": 0.0, "D4": 0.0, "status": "", "dynamik": "",
                                 "status_dynamik": ""}])
    return pd.concat([frame, placeholder], ignore_index=True)
