"""Figures for the index chapters: rank uncertainty, priority probabilities, trends, maps.

Every function returns a :class:`matplotlib.figure.Figure` and never calls ``plt.show()``, so
notebooks can glue the figure. Labels are passed in by the caller (the book is German); every
numeric axis and colour bar writes German numbers (:mod:`sozialanalyse.formatting`).

Maps (:func:`choropleth`) follow three rules: a diverging colour scale is centred on the
reference value (``center``, 0 for an index of z-values, or the city value) and symmetric
around it, so that the neutral colour means "average"; the sparsely populated Stadtteile that
the statistics report together with a neighbour (33, 34, 44, see
:func:`sozialanalyse.data.geo.reported_with_neighbour`) are grey on every map; palettes are
colour-blind safe (ColorBrewer ``RdBu`` for diverging scales, Okabe–Ito for categories).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sozialanalyse.formatting import german_axes, tick_formatter

#: Okabe–Ito palette (Okabe & Ito 2008), distinguishable with the common colour-vision
#: deficiencies; used for every categorical map.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
)
#: Colour-blind-safe diverging map (ColorBrewer RdBu, red = high burden).
DIVERGING_CMAP = "RdBu_r"
#: Grey of the Stadtteile without own figures.
NO_OWN_DATA_GREY = "#bdbdbd"
#: Diverging colour maps: ``choropleth`` centres these on ``center``.
DIVERGING = frozenset(
    {"RdBu", "RdBu_r", "RdYlBu", "RdYlBu_r", "PuOr", "PuOr_r", "BrBG", "BrBG_r", "PiYG",
     "PiYG_r", "PRGn", "PRGn_r", "coolwarm", "bwr", "seismic", "RdGy", "RdGy_r"}
)


def rank_uncertainty(
    summary: pd.DataFrame,
    labels: pd.Series | None = None,
    *,
    title: str = "",
    xlabel: str = "Rang (1 = höchste Belastung)",
    band_label: str = "5–95 %",
    median_label: str = "Median",
    nominal_label: str = "Rang mit der Grundeinstellung",
) -> Figure:
    """Median rank with its 5–95 % band per area (areas sorted by median rank).

    Parameters
    ----------
    summary
        Output of :meth:`sozialanalyse.index.uncertainty.MonteCarloResult.summary`
        (columns ``median_rank``, ``rank_lo``, ``rank_hi``, ``nominal_rank``).
    labels
        Display name by area (default: the index).
    """
    s = summary.sort_values(["median_rank", "nominal_rank"])
    names = [str(labels.get(a, a)) if labels is not None else str(a) for a in s.index]
    y = np.arange(len(s))
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(s) + 1.2))
    ax.hlines(y, s["rank_lo"], s["rank_hi"], color="0.6", lw=4, label=band_label)
    ax.plot(s["median_rank"], y, "o", color="C0", label=median_label)
    ax.plot(s["nominal_rank"], y, "x", color="C3", label=nominal_label)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_xlim(0.5, len(s) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="x", alpha=0.3)
    german_axes(ax, y=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def probability_bars(
    p: pd.Series,
    labels: pd.Series | None = None,
    *,
    title: str = "",
    xlabel: str = "Wahrscheinlichkeit",
) -> Figure:
    """Horizontal bars of a probability per area (e.g. of being a priority area)."""
    p = p.sort_values(ascending=False)
    names = [str(labels.get(a, a)) if labels is not None else str(a) for a in p.index]
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(p) + 1.2))
    ax.barh(np.arange(len(p)), p.to_numpy(), color="C0")
    ax.set_yticks(np.arange(len(p)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    german_axes(ax, y=False)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def index_trend(
    panel: pd.DataFrame,
    highlight: list | None = None,
    labels: pd.Series | None = None,
    *,
    value: str = "index",
    title: str = "",
    ylabel: str = "Index",
    xlabel: str = "Jahr",
) -> Figure:
    """Index over time per area; ``highlight`` areas in colour, the others grey.

    Parameters
    ----------
    panel
        Columns ``area``, ``year`` and ``value``.
    """
    fig, ax = plt.subplots(figsize=(7, 5))
    highlight = list(highlight or [])
    for area, g in panel.groupby("area"):
        g = g.sort_values("year")
        if area in highlight:
            name = str(labels.get(area, area)) if labels is not None else str(area)
            ax.plot(g["year"], g[value], marker="o", lw=2, label=name)
        else:
            ax.plot(g["year"], g[value], color="0.75", lw=1)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.set_xticks(sorted(panel["year"].unique()))
    german_axes(ax, x=False)
    if highlight:
        ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2,
                  frameon=False)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def class_matrix(
    status: pd.Series,
    dynamics: pd.Series,
    labels: pd.Series | None = None,
    *,
    status_order: list | None = None,
    dynamics_order: list | None = None,
    title: str = "",
    xlabel: str = "Dynamik",
    ylabel: str = "Status",
    per_line: int = 4,
    fontsize: float = 12,
) -> Figure:
    """Status x dynamics matrix: number of areas per cell (large) and their short labels.

    Parameters
    ----------
    status, dynamics
        Class by area.
    labels
        Short display label by area (e.g. ``"04"`` for a Stadtraum number); long names do not
        fit into the cells, give them in a separate table.
    per_line
        Labels per text line inside a cell.
    fontsize
        Font size of the labels; the count is drawn larger and bold.
    """
    st = status.astype(str)
    dy = dynamics.reindex(status.index).astype(str)
    rows = status_order or sorted(st.unique())
    cols = dynamics_order or sorted(dy.unique())
    counts = pd.crosstab(st, dy).reindex(index=rows, columns=cols, fill_value=0)
    fig, ax = plt.subplots(figsize=(2.2 * len(cols) + 1.6, 1.45 * len(rows) + 1.2))
    sns.heatmap(counts, annot=False, cmap="Blues", cbar=False, linewidths=2, linecolor="white",
                ax=ax, vmin=0, vmax=max(1, int(counts.to_numpy().max())) * 1.6)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            members = sorted(st.index[(st == r) & (dy == c)],
                             key=lambda a: str(labels.get(a, a)) if labels is not None else str(a))
            names = [str(labels.get(a, a)) if labels is not None else str(a) for a in members]
            lines = [", ".join(names[k:k + per_line]) for k in range(0, len(names), per_line)]
            ax.text(j + 0.5, i + (0.27 if lines else 0.5), str(len(members)), ha="center",
                    va="center", fontsize=fontsize + 6, fontweight="bold", color="black")
            if lines:
                ax.text(j + 0.5, i + 0.45, "\n".join(lines), ha="center", va="top",
                        fontsize=fontsize, color="black", linespacing=1.15)
    ax.set_xlabel(xlabel, fontsize=fontsize)
    ax.set_ylabel(ylabel, fontsize=fontsize)
    ax.tick_params(labelsize=fontsize, length=0)
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    if title:
        ax.set_title(title, fontsize=fontsize + 1)
    fig.tight_layout()
    return fig


def sensitivity_bars(
    si: pd.DataFrame,
    labels: dict | None = None,
    *,
    title: str = "",
    xlabel: str = "Sobol-Index (Anteil an der Varianz der Ränge)",
) -> Figure:
    """First-order and total Sobol' indices per factor (output of the sensitivity module)."""
    names = [labels.get(f, f) if labels else f for f in si.index]
    y = np.arange(len(si))
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(si) + 1.2))
    ax.barh(y - 0.2, si["S1"].clip(lower=0), height=0.4, label="erste Ordnung (S1)")
    ax.barh(y + 0.2, si["ST"].clip(lower=0), height=0.4, label="gesamt (ST)")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, max(1.0, float(si["ST"].max()) * 1.05))
    ax.set_xlabel(xlabel)
    german_axes(ax, y=False)
    ax.legend(fontsize="small", loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def coassignment_heatmap(co: pd.DataFrame, labels: pd.Series | None = None, *,
                         title: str = "") -> Figure:
    """Heatmap of co-assignment rates (share of replicates in which two areas share a type)."""
    names = [str(labels.get(a, a)) if labels is not None else str(a) for a in co.index]
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    sns.heatmap(pd.DataFrame(co.to_numpy(), index=names, columns=names), vmin=0, vmax=1,
                cmap="viridis", square=True, ax=ax,
                cbar_kws={"label": "Anteil", "format": tick_formatter()})
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def choropleth(
    gdf,
    column: str,
    *,
    title: str = "",
    cmap: str | None = None,
    legend_label: str = "",
    categorical: bool = False,
    center: float | None = None,
    ax=None,
    label_by: str | None = None,
    label_text: pd.Series | None = None,
    fontsize: float = 11,
    figsize: tuple[float, float] = (7, 6),
    no_own_data: pd.Series | None = None,
    no_own_data_label: str | None = None,
) -> Figure:
    """Map of one column of a GeoDataFrame (e.g. Stadtteile coloured by their index).

    Parameters
    ----------
    gdf
        GeoDataFrame.
    column
        Column to colour by.
    cmap
        Colour map of a numeric column. Default: the colour-blind-safe diverging
        :data:`DIVERGING_CMAP`; pass a sequential map (e.g. ``"Purples"``) for shares.
        Categorical maps always use the Okabe–Ito palette (:data:`OKABE_ITO`); ``cmap`` is
        ignored there.
    center
        Reference value of a diverging scale (0 for z-values, or the city value). The scale
        is symmetric around it, so the neutral middle colour marks exactly this value. With a
        diverging ``cmap`` and ``center=None``, 0 is used; sequential maps ignore it unless
        it is given.
    label_by
        If given, the polygons are merged by this column (e.g. the Stadtraum of each
        Stadtteil) and each merged area is labelled at a representative point
        (:meth:`geopandas.GeoSeries.representative_point`, always inside the area) with
        ``label_text[value]`` (default: the value itself); the merged outlines are drawn.
    label_text
        Text by value of ``label_by``.
    fontsize
        Font size of labels and legend.
    no_own_data
        Boolean mask (aligned with ``gdf``) of polygons without own figures, drawn grey.
        Default: when ``gdf`` has a ``stadtteil_code`` column, the Stadtteile that the
        statistics report together with a neighbour
        (:func:`sozialanalyse.data.geo.reported_with_neighbour`: 33, 34, 44).
    no_own_data_label
        Legend text for the grey polygons.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch

    from sozialanalyse.data.geo import NO_OWN_DATA_LABEL, reported_with_neighbour

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    gdf = gdf.copy()
    if no_own_data is None and "stadtteil_code" in gdf.columns:
        codes = set(reported_with_neighbour().index)
        no_own_data = gdf["stadtteil_code"].astype(str).str.zfill(2).isin(codes)
    if no_own_data is not None:
        no_own_data = pd.Series(no_own_data, index=gdf.index).fillna(False).astype(bool)
        gdf.loc[no_own_data, column] = None
    other_missing = gdf[column].isna()
    if no_own_data is not None:
        other_missing &= ~no_own_data
    kw: dict = {"edgecolor": "white", "linewidth": 0.4}
    if other_missing.any():
        kw["missing_kwds"] = {"color": "0.93", "label": "keine Angabe"}
    if categorical:
        cats = sorted(gdf[column].dropna().unique(), key=str)
        colours = ListedColormap(list(OKABE_ITO[: max(1, len(cats))]))
        gdf.plot(column=column, categorical=True, cmap=colours, ax=ax, legend=True,
                 categories=cats,
                 legend_kwds={"fontsize": fontsize, "loc": "upper center",
                              "bbox_to_anchor": (0.5, 0.0), "ncol": 3, "frameon": False,
                              "title": legend_label or None, "title_fontsize": fontsize},
                 **kw)
    else:
        values = pd.to_numeric(gdf[column], errors="coerce")
        if cmap is None:
            cmap = DIVERGING_CMAP
        if center is None and cmap in DIVERGING:
            center = 0.0
        norm = None
        if center is not None and values.notna().any():
            half = float(np.nanmax(np.abs(values.to_numpy(dtype=float) - center)))
            half = half if half > 0 else 1.0
            norm = Normalize(vmin=center - half, vmax=center + half)
        gdf.plot(column=column, cmap=cmap, norm=norm, ax=ax, legend=True,
                 legend_kwds={"label": legend_label, "shrink": 0.6, "pad": 0.01,
                              "orientation": "horizontal", "format": tick_formatter()},
                 **kw)
        cax = fig.axes[-1]
        if cax is not ax:
            cax.tick_params(labelsize=fontsize)
            cax.xaxis.label.set_size(fontsize)
    if no_own_data is not None and no_own_data.any():
        gdf[no_own_data].plot(ax=ax, color=NO_OWN_DATA_GREY, edgecolor="white", linewidth=0.4)
    if label_by is not None:
        merged = gdf[[label_by, "geometry"]].dissolve(by=label_by)
        merged.boundary.plot(ax=ax, color="0.15", linewidth=1.0)
        for key, point in merged.geometry.representative_point().items():
            text = str(label_text.get(key, key)) if label_text is not None else str(key)
            ax.annotate(text, (point.x, point.y), ha="center", va="center", fontsize=fontsize,
                        fontweight="bold", color="black",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.75})
    if no_own_data is not None and no_own_data.any() and not categorical:
        ax.legend(handles=[Patch(facecolor=NO_OWN_DATA_GREY,
                                 label=no_own_data_label or NO_OWN_DATA_LABEL)],
                  loc="lower left", fontsize=fontsize * 0.8, frameon=False)
    elif no_own_data is not None and no_own_data.any() and ax.get_legend() is not None:
        legend = ax.get_legend()
        handles = list(legend.legend_handles)
        texts = [t.get_text() for t in legend.get_texts()]
        handles.append(Patch(facecolor=NO_OWN_DATA_GREY))
        texts.append(no_own_data_label or NO_OWN_DATA_LABEL)
        ax.legend(handles, texts, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                  ncol=3, fontsize=fontsize * 0.8, title=legend_label or None,
                  title_fontsize=fontsize * 0.8, frameon=False)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=fontsize + 1)
    fig.tight_layout()
    return fig
