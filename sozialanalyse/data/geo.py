"""Geometry of Dresden's Stadtteile and Stadträume for maps.

Stadträume are formed by dissolving the 64 Stadtteil polygons with the
crosswalk. The boundary between SR 11 and SR 12 runs through Stadtteil 76
Strehlen below Stadtteil level; the dissolved map assigns Strehlen to the
Stadtraum with most of its residents (SR 12) and returns the Strehlen polygon
separately so that a map can mark it as shared.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from sozialanalyse.data.crosswalk import stadtraum_of_stadtteil
from sozialanalyse.data.loader import load
from sozialanalyse.data.registry import raw_path

#: Projected CRS for area and distance computations (ETRS89 / UTM zone 33N).
UTM33 = "EPSG:25833"

#: Legend text for the Stadtteile 33, 34 and 44: the statistics do not report them on their
#: own (for confidentiality they are counted with 31 Klotzsche and 42 Bühlau/Weißer Hirsch,
#: source DIZ_2018_III); they are sparsely populated, not uninhabited.
NO_OWN_DATA_LABEL = "dünn besiedelt, mit Nachbarstadtteil ausgewiesen (33, 34, 44)"


def reported_with_neighbour() -> pd.Series:
    """Stadtteile without own figures: code -> code of the Stadtteil they are counted with.

    Read from the crosswalk (column ``reported_with``): ``{"33": "31", "34": "31", "44": "42"}``.
    """
    crosswalk = load("dresden_crosswalk").drop_duplicates("stadtteil_code")
    with_ = crosswalk.dropna(subset=["reported_with"])
    codes = with_["stadtteil_code"].astype(str).str.zfill(2)
    partners = with_["reported_with"].astype(str).str.replace(r"\.0$", "", regex=True).str.zfill(2)
    return pd.Series(partners.to_numpy(), index=codes.to_numpy(), name="reported_with")


def stadtteile(root: Path | None = None) -> gpd.GeoDataFrame:
    """The 64 Stadtteil polygons with their Stadtraum (majority assignment), in UTM 33N."""
    geo = gpd.read_file(raw_path("GEO_COLOURING_DD", root))
    crosswalk = load("dresden_crosswalk")
    assign = stadtraum_of_stadtteil(crosswalk)
    split = crosswalk.groupby("stadtteil_code")["stadtraum_code"].nunique()
    geo = geo.rename(columns={"blocknr": "stadtteil_code"})
    geo["stadtraum_code"] = geo["stadtteil_code"].map(assign)
    geo["split"] = geo["stadtteil_code"].map(split).fillna(1) > 1
    residential = crosswalk.drop_duplicates("stadtteil_code").set_index("stadtteil_code")
    geo["residential"] = geo["stadtteil_code"].map(residential["residential"])
    geo = geo[["stadtteil_code", "name", "stadtraum_code", "split", "residential", "geometry"]]
    return geo.to_crs(UTM33).sort_values("stadtteil_code").reset_index(drop=True)


def stadtraeume(root: Path | None = None, simplify_m: float = 20.0) -> gpd.GeoDataFrame:
    """The 17 Stadträume dissolved from the Stadtteile (UTM 33N, simplified for maps).

    Parameters
    ----------
    root
        The ``data/raw`` directory (default: the compendium's).
    simplify_m
        Tolerance in metres for simplifying the outlines (0 = keep full detail).
    """
    parts = stadtteile(root)
    names = load("dresden_crosswalk").drop_duplicates("stadtraum_code")
    names = names.set_index("stadtraum_code")["stadtraum_name"]
    dissolved = parts.dissolve(by="stadtraum_code", as_index=False)[["stadtraum_code", "geometry"]]
    dissolved["stadtraum_name"] = dissolved["stadtraum_code"].map(names)
    if simplify_m > 0:
        dissolved["geometry"] = dissolved.geometry.simplify(simplify_m)
    return gpd.GeoDataFrame(
        pd.DataFrame(dissolved[["stadtraum_code", "stadtraum_name", "geometry"]]),
        geometry="geometry",
        crs=parts.crs,
    ).sort_values("stadtraum_code").reset_index(drop=True)


def map_stadtraeume(
    values: pd.Series | None = None,
    *,
    label: str = "",
    title: str = "",
    cmap: str = "Blues",
    center: float | None = None,
    figsize: tuple[float, float] = (7.5, 6.5),
):
    """Draw the 17 Stadträume, optionally coloured by a value per Stadtraum code.

    Stadtteil outlines are drawn thin, the Stadtteile without own figures (33, 34, 44,
    :func:`reported_with_neighbour`) in grey and the split Stadtteil 76 Strehlen hatched
    (its SR 11/12 line is not in the geometry). The colour bar writes German numbers.

    Parameters
    ----------
    values
        Values indexed by Stadtraum code (``"01"`` … ``"17"``); ``None`` draws outlines only.
    label
        Legend label of the colour scale.
    title
        Figure title.
    cmap
        Matplotlib colour map (sequential; pass a diverging one such as ``"RdBu_r"``
        together with ``center``).
    center
        Reference value of a diverging scale (e.g. the city value); the scale is made
        symmetric around it.
    figsize
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import Normalize
    from matplotlib.patches import Patch

    from sozialanalyse.formatting import tick_formatter

    sr = stadtraeume()
    parts = stadtteile()
    fig, ax = plt.subplots(figsize=figsize)
    if values is not None:
        sr = sr.assign(value=sr["stadtraum_code"].map(values))
        norm = None
        if center is not None:
            half = float(np.nanmax(np.abs(sr["value"].to_numpy(dtype=float) - center))) or 1.0
            norm = Normalize(vmin=center - half, vmax=center + half)
        sr.plot(column="value", cmap=cmap, norm=norm, ax=ax, legend=True, edgecolor="none",
                legend_kwds={"label": label, "shrink": 0.7, "format": tick_formatter()})
    else:
        sr.plot(ax=ax, color="#f2f2f2", edgecolor="none")
    no_own = parts["stadtteil_code"].astype(str).str.zfill(2).isin(reported_with_neighbour().index)
    parts[no_own].plot(ax=ax, color="#bdbdbd", edgecolor="none")
    parts.boundary.plot(ax=ax, color="white", linewidth=0.4)
    parts[parts["split"]].plot(ax=ax, facecolor="none", edgecolor="#444444", hatch="///",
                               linewidth=0.6)
    sr.boundary.plot(ax=ax, color="#222222", linewidth=1.1)
    for row in sr.itertuples():
        point = row.geometry.representative_point()
        ax.annotate(row.stadtraum_code, (point.x, point.y), ha="center", va="center",
                    fontsize=8, fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.8})
    ax.legend(
        handles=[
            Patch(facecolor="#bdbdbd", label=NO_OWN_DATA_LABEL),
            Patch(facecolor="none", edgecolor="#444444", hatch="///",
                  label="Strehlen (76): geteilt auf SR 11/12"),
        ],
        loc="lower left",
        fontsize=7,
        frameon=False,
    )
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
