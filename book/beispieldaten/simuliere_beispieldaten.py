"""Write the SIMULATED example files for the chapter "Mit eigenen Daten rechnen".

Nothing in these files is real data: a fictitious city with twelve areas, made with
``numpy.random.default_rng(SEED)``. Run from the repository root::

    .venv/bin/python book/beispieldaten/simuliere_beispieldaten.py

It writes the same files into ``book/beispieldaten/`` and ``tests/fixtures/own/``:

``indikatoren_simuliert.csv``
    German CSV convention (``;`` separator, decimal comma, ``.`` between thousands):
    ``area;year;einwohner`` and the five indicators of the Hamburg preset (percent),
    2020-2023. One area has fewer than 300 residents (screened out by the preset).
``fallzahlen_simuliert.xlsx``
    Excel case-count panel ``area, year, cases, population, start_year``, 2014-2023;
    three model areas start in 2019, the true incidence-rate ratio is :data:`TRUE_IRR`.
``metadaten_beispiel.csv``
    An example metadata table (no data, a method choice): the five indicators in three
    dimensions with directions and weights, German CSV convention.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261121
TRUE_IRR = 0.85
START = 2019
AREAS = ["Altstadt", "Am Hafen", "Bahnhofsviertel", "Gartenstadt", "Heide", "Mühlberg",
         "Neustadt", "Nordviertel", "Schlossberg", "Südstadt", "Weststadt", "Gewerbegebiet Ost"]
MODEL_AREAS = ("Bahnhofsviertel", "Nordviertel", "Weststadt")
INDICATORS = {  # name: (city mean in percent, change per unit of latent burden)
    "kinder_migrationshintergrund": (35.0, 12.0),
    "alleinerziehende": (22.0, 5.0),
    "sgb2_empfaenger": (9.0, 4.5),
    "arbeitslose": (5.5, 2.0),
    "schulentlassene_ohne_abschluss": (6.0, 3.0),
}
INDICATOR_YEARS = (2020, 2021, 2022, 2023)
PANEL_YEARS = tuple(range(2014, 2024))
HERE = Path(__file__).resolve().parent
TARGETS = (HERE, HERE.parents[1] / "tests" / "fixtures" / "own")


def _de(value: float, digits: int) -> str:
    """German number format: decimal comma, '.' between thousands."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def simulate(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The simulated indicator table (wide) and case-count panel (tidy)."""
    rng = np.random.default_rng(seed)
    n = len(AREAS)
    burden = rng.normal(size=n)
    residents = rng.integers(3_000, 18_000, size=n).astype(float)
    residents[-1] = 180.0  # a commercial area with very few residents
    rows = []
    for k, year in enumerate(INDICATOR_YEARS):
        drift = burden + 0.15 * k * rng.normal(size=n)
        row = {"area": AREAS, "year": year,
               "einwohner": np.round(residents * (1 + 0.01 * k)).astype(int)}
        for name, (mean, slope) in INDICATORS.items():
            value = mean + slope * drift + rng.normal(scale=0.4 * slope, size=n)
            row[name] = np.round(np.clip(value, 0.5, 95.0), 1)
        rows.append(pd.DataFrame(row))
    indicators = pd.concat(rows, ignore_index=True)

    young = np.round(residents * rng.uniform(0.17, 0.22, size=n))
    base_rate = 25.0 * np.exp(0.25 * burden)  # cases per 1,000 young residents
    year_effect = np.cumsum(rng.normal(0.02, 0.03, size=len(PANEL_YEARS)))
    panel_rows = []
    for i, area in enumerate(AREAS[:-1]):  # the commercial area has no young residents
        for t, year in enumerate(PANEL_YEARS):
            pop = young[i] * (1 + 0.01 * t)
            effect = TRUE_IRR if area in MODEL_AREAS and year >= START else 1.0
            mu = pop / 1000 * base_rate[i] * np.exp(year_effect[t]) * effect
            panel_rows.append({"area": area, "year": year, "cases": int(rng.poisson(mu)),
                               "population": int(round(pop)),
                               "start_year": START if area in MODEL_AREAS else None})
    return indicators, pd.DataFrame(panel_rows)


def write_indicators_de(table: pd.DataFrame, path: Path) -> None:
    """Write the indicator table in German CSV convention (UTF-8)."""
    lines = [";".join(table.columns)]
    for rec in table.itertuples(index=False):
        cells = [rec.area, str(rec.year), _de(rec.einwohner, 0)]
        cells += [_de(getattr(rec, name), 1) for name in INDICATORS]
        lines.append(";".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_panel_excel(panel: pd.DataFrame, path: Path) -> None:
    """Write the case-count panel as an Excel workbook (one sheet ``Fallzahlen``)."""
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        panel.to_excel(xl, sheet_name="Fallzahlen", index=False)


META = [  # indicator, dimension, direction, weight within the dimension
    ("alleinerziehende", "Familie", 1, "0,5"),
    ("kinder_migrationshintergrund", "Familie", 1, "0,5"),
    ("sgb2_empfaenger", "Arbeit", 1, "0,6"),
    ("arbeitslose", "Arbeit", 1, "0,4"),
    ("schulentlassene_ohne_abschluss", "Bildung", 1, "1"),
]


def write_meta(path: Path) -> None:
    """Write the example metadata table (German CSV convention)."""
    lines = ["indicator;dimension;direction;weight"]
    lines += [";".join(str(x) for x in row) for row in META]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    indicators, panel = simulate()
    for folder in TARGETS:
        folder.mkdir(parents=True, exist_ok=True)
        write_indicators_de(indicators, folder / "indikatoren_simuliert.csv")
        write_panel_excel(panel, folder / "fallzahlen_simuliert.xlsx")
        write_meta(folder / "metadaten_beispiel.csv")
        print(f"wrote {folder}/indikatoren_simuliert.csv and fallzahlen_simuliert.xlsx")


if __name__ == "__main__":
    main()
