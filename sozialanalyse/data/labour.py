"""Unemployment per Dresden Stadtbezirk, and its assignment to the Stadträume.

Unemployment is published per Stadtbezirk only; a Stadtraum gets the rates of the
Stadtbezirk parts it consists of, weighted by their residents aged 18–64.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sozialanalyse.data.population import migration_by_sr
from sozialanalyse.data.raw import read_opendata
from sozialanalyse.data.tidy import CITY_CODE, CITY_NAME


def unemp_source(year: int) -> str:
    """Source ids of an unemployment rate (the quarterly table over md105e) of a year."""
    file = "OD_ARBEITSLOSE_2012_2017" if year <= 2017 else "OD_ARBEITSLOSE_2018FF"
    return f"{file}; OD_MIGRATION_SR_{year}"


def unemployment_stb(root: Path | None) -> pd.DataFrame:
    """Unemployed in the 4th quarter by Stadtbezirk (incl. 'unbekannt'), 2012–2025."""
    old = read_opendata("OD_ARBEITSLOSE_2012_2017", root).assign(
        source_id="OD_ARBEITSLOSE_2012_2017"
    )
    new = read_opendata("OD_ARBEITSLOSE_2018FF", root).assign(source_id="OD_ARBEITSLOSE_2018FF")
    table = pd.concat([old, new], ignore_index=True)
    table = table[table["Quartal"] == "4. Quartal"]
    return pd.DataFrame(
        {
            "year": table["Jahr"],
            "stadtbezirk": table["Stadtbezirk mit zugeordneten Ortschaften"],
            "unemployed": table["Insgesamt"],
            "unemployed_sgb2": table["nach SGB II"],
            "unemployed_u25": table["Anzahl unter 25 Jahre"],
            "source_id": table["source_id"],
        }
    ).reset_index(drop=True)


def unemployment_by_stadtbezirk(root: Path | None = None) -> pd.DataFrame:
    """Unemployed (4th quarter) and residents 18–64 per Stadtbezirk and year.

    The population base (residents aged 18–64) exists only for the years of
    the md105e table; other years have an empty denominator.
    """
    unemp = unemployment_stb(root)
    mig = migration_by_sr(root)
    pop = (
        mig[mig["age"] == "18 - 64 Jahre"]
        .groupby(["year", "stadtbezirk"])["count"]
        .sum()
        .rename("pop_18_64")
    )
    return unemp.join(pop, on=["year", "stadtbezirk"])


def sr_unemployment(root: Path | None) -> pd.DataFrame:
    """Stadtbezirk unemployment rates assigned to Stadträume (weighted by 18–64 residents)."""
    stb = unemployment_by_stadtbezirk(root)
    known = stb[stb["stadtbezirk"] != "unbekannt"].dropna(subset=["pop_18_64"])
    rates = known.set_index(["year", "stadtbezirk"])
    mig = migration_by_sr(root)
    parts = (
        mig[mig["age"] == "18 - 64 Jahre"]
        .groupby(["area_code", "area_name", "year", "stadtbezirk"], as_index=False)["count"]
        .sum()
    )
    parts = parts.join(
        rates[["unemployed", "unemployed_sgb2", "pop_18_64"]], on=["year", "stadtbezirk"]
    )
    parts["w_unemp"] = parts["count"] * parts["unemployed"] / parts["pop_18_64"]
    parts["w_sgb2"] = parts["count"] * parts["unemployed_sgb2"] / parts["pop_18_64"]
    keys = ["area_code", "area_name", "year"]
    out = parts.groupby(keys, as_index=False)[["count", "w_unemp", "w_sgb2"]].sum()
    # City: all unemployed incl. 'unbekannt' over all residents 18-64.
    city_unemp = stb.groupby("year")[["unemployed", "unemployed_sgb2"]].sum()
    city_pop = mig[mig["age"] == "18 - 64 Jahre"].groupby("year")["count"].sum()
    city = pd.DataFrame({"count": city_pop}).join(city_unemp, how="left").reset_index()
    city = city.rename(columns={"unemployed": "w_unemp", "unemployed_sgb2": "w_sgb2"})
    city["area_code"] = CITY_CODE
    city["area_name"] = CITY_NAME
    return pd.concat([out, city[keys + ["count", "w_unemp", "w_sgb2"]]], ignore_index=True)
