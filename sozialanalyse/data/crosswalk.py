"""Stadtteil → Stadtraum crosswalk for Dresden, built from the raw tables.

The 2025 age table by Stadtteil (``OD_EW_STT_ALTER_2025``) names Stadtteil,
Stadtbezirk and Stadtraum in every row, so it is its own crosswalk. Two
special cases are kept visible:

* Stadtteil 76 Strehlen is split below Stadtteil level between SR 11 and
  SR 12: it gets one row per Stadtraum with the residents of each part and the
  part's share of the Stadtteil.
* Stadtteile 33, 34 and 44 have no residents in the statistics; the city
  reports them with 31 and 42 (source ``DIZ_2018_III``). They appear with
  ``residential = false`` and ``reported_with``, so that the 64 polygons of the
  geometry can still be assigned to a Stadtraum.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sozialanalyse.data.raw import read_opendata, split_label
from sozialanalyse.data.registry import raw_path

#: Non-residential Stadtteile and the Stadtteil they are reported with (DIZ_2018_III).
NON_RESIDENTIAL: dict[str, str] = {"33": "31", "34": "31", "44": "42"}

CROSSWALK_COLUMNS = [
    "stadtteil_code",
    "stadtteil_name",
    "stadtteil_name_geo",
    "stadtbezirk",
    "stadtraum_code",
    "stadtraum_name",
    "residential",
    "reported_with",
    "population",
    "population_share",
    "year",
    "source_id",
]


def stadtteil_names_geo(root: Path | None = None) -> dict[str, str]:
    """Map Stadtteil code (``blocknr``) to its name in the GeoJSON."""
    with open(raw_path("GEO_COLOURING_DD", root), encoding="utf-8") as handle:
        data = json.load(handle)
    return {f["properties"]["blocknr"]: f["properties"]["name"] for f in data["features"]}


def build_crosswalk(root: Path | None = None) -> pd.DataFrame:
    """Build the crosswalk table (one row per Stadtteil × Stadtraum part).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CROSSWALK_COLUMNS`, sorted by Stadtteil and Stadtraum code.
    """
    table = read_opendata("OD_EW_STT_ALTER_2025", root)
    parts = table.assign(
        stadtteil_code=table["Stadtteil zus."].map(lambda s: split_label(s)[0]),
        stadtteil_name=table["Stadtteil zus."].map(lambda s: split_label(s)[1]),
        stadtraum_code=table["Stadtraum"].map(lambda s: split_label(s)[0]),
        stadtraum_name=table["Stadtraum"].map(lambda s: split_label(s)[1]),
        stadtbezirk=table["Stadtbezirk mit zugeordneten Ortschaften"],
    )
    keys = ["stadtteil_code", "stadtteil_name", "stadtbezirk", "stadtraum_code", "stadtraum_name"]
    out = parts.groupby(keys, as_index=False)["Anzahl Einwohner"].sum()
    out = out.rename(columns={"Anzahl Einwohner": "population"})
    totals = out.groupby("stadtteil_code")["population"].transform("sum")
    out["population_share"] = out["population"] / totals
    out["residential"] = True
    out["reported_with"] = ""
    out["year"] = int(table["Jahr"].iloc[0])
    out["source_id"] = "OD_EW_STT_ALTER_2025"
    geo = stadtteil_names_geo(root)
    out["stadtteil_name_geo"] = out["stadtteil_code"].map(geo).fillna("")
    extra = []
    for code, host in sorted(NON_RESIDENTIAL.items()):
        host_row = out[out["stadtteil_code"] == host].iloc[0]
        extra.append(
            {
                "stadtteil_code": code,
                "stadtteil_name": geo.get(code, ""),
                "stadtteil_name_geo": geo.get(code, ""),
                "stadtbezirk": host_row["stadtbezirk"],
                "stadtraum_code": host_row["stadtraum_code"],
                "stadtraum_name": host_row["stadtraum_name"],
                "residential": False,
                "reported_with": host,
                "population": 0,
                "population_share": 1.0,
                "year": host_row["year"],
                "source_id": "GEO_COLOURING_DD; DIZ_2018_III",
            }
        )
    out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True)
    out = out.sort_values(["stadtteil_code", "stadtraum_code"]).reset_index(drop=True)
    return out[CROSSWALK_COLUMNS]


def stadtraum_of_stadtteil(crosswalk: pd.DataFrame) -> dict[str, str]:
    """Map each Stadtteil to one Stadtraum: the part with most residents.

    For the split Stadtteil 76 Strehlen this is SR 12; use it only for maps and
    say so (the SR 11/12 line runs through Strehlen).
    """
    ordered = crosswalk.sort_values(
        ["stadtteil_code", "population", "stadtraum_code"], ascending=[True, False, True]
    )
    first = ordered.drop_duplicates("stadtteil_code")
    return dict(zip(first["stadtteil_code"], first["stadtraum_code"], strict=True))
