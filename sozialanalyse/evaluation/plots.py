"""Seaborn figures for evaluations: trends, indexed series, event studies.

Every function returns a :class:`matplotlib.figure.Figure` and never calls
``plt.show``; notebooks glue the figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure


def plot_trends(
    panel: pd.DataFrame,
    *,
    per: float = 1000.0,
    title: str = "",
    ylabel: str = "Fälle je 1.000 junge Menschen",
) -> Figure:
    """Rates per ``per`` young residents by area and year, start years marked."""
    d = panel.assign(rate=per * panel["cases"] / panel["population"])
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(data=d, x="year", y="rate", hue="area", marker="o", ax=ax)
    ax.legend(title="Gebiet")
    for s in d["start_year"].dropna().unique():
        ax.axvline(s - 0.5, color="grey", ls="--", lw=1)
    ax.set(xlabel="Jahr", ylabel=ylabel, title=title)
    fig.tight_layout()
    return fig


def plot_indexed(
    indexed: pd.DataFrame,
    *,
    by: str = "area",
    time: str = "year",
    base: int | None = None,
    title: str = "",
    ylabel: str = "Index (Basisjahr = 100)",
    legend_title: str = "Gebiet",
) -> Figure:
    """Series indexed to a base year (output of :func:`index_to_base`)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(data=indexed, x=time, y="index", hue=by, style=by, markers=True, ax=ax)
    ax.legend(title=legend_title)
    ax.axhline(100, color="grey", lw=0.8)
    if base is not None:
        ax.axvline(base, color="grey", ls=":", lw=1)
    ax.set(xlabel="Jahr", ylabel=ylabel, title=title)
    fig.tight_layout()
    return fig


def plot_event_study(
    es: pd.DataFrame,
    *,
    title: str = "",
    xlabel: str = "Jahre seit Beginn",
    ylabel: str = "Inzidenzratenverhältnis (IRR)",
    truth: pd.Series | None = None,
) -> Figure:
    """Event-study IRRs with intervals on a log axis (output of :func:`event_study`)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.errorbar(es["event_time"], es["irr"],
                yerr=[es["irr"] - es["ci_low"], es["ci_high"] - es["irr"]],
                fmt="o", color=sns.color_palette()[0], capsize=3, label="Schätzung")
    if truth is not None:
        ax.plot(truth.index, truth.to_numpy(), "x--", color="black", label="wahrer Wert")
        ax.legend()
    ax.axhline(1.0, color="grey", lw=0.8)
    ax.axvline(-0.5, color="grey", ls="--", lw=1)
    ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    fig.tight_layout()
    return fig


def plot_its(
    fitted: pd.DataFrame,
    start: float,
    *,
    scale: float = 1.0,
    title: str = "",
    xlabel: str = "Jahr",
    ylabel: str = "Fälle",
) -> Figure:
    """Observed counts, segmented fit and continued pre-trend (``ITSResult.fitted``)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    pal = sns.color_palette()
    ax.plot(fitted["time"], fitted["cases"] / scale, "o", color=pal[0], label="beobachtet")
    before = fitted["time"] < start
    ax.plot(fitted.loc[before, "time"], fitted.loc[before, "fitted"] / scale, "-", color=pal[1],
            label="Modell")
    ax.plot(fitted.loc[~before, "time"], fitted.loc[~before, "fitted"] / scale, "-",
            color=pal[1])
    post = fitted["time"] >= start - 1
    ax.plot(fitted.loc[post, "time"], fitted.loc[post, "counterfactual"] / scale, "--",
            color="grey", label="Vortrend fortgeschrieben")
    ax.axvline(start - 0.5, color="grey", ls=":", lw=1)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend()
    fig.tight_layout()
    return fig
