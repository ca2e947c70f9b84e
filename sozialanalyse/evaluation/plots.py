"""All evaluation figures: German labels, German tick numbers.

Every function returns a :class:`matplotlib.figure.Figure` and never calls
``plt.show``; notebooks glue the figure. :func:`plot_result` (and
``EvaluationResult.plot()``) picks the figure that fits the design. Numbers on
the axes go through :func:`sozialanalyse.formatting.german_axes`; year axes show
plain years.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullFormatter

from sozialanalyse.formatting import german_axes, number

if TYPE_CHECKING:
    from sozialanalyse.evaluation.results import EvaluationResult

IRR_LABEL = "Inzidenzratenverhältnis (IRR)"
RATE_LABEL = "Fälle je 1 000 junge Menschen"


def _year_axis(ax: Any) -> None:
    """Whole years without thousands separator on the x axis."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(round(v))}"))


def _log_irr_axis(ax: Any, low: float, high: float) -> None:
    """Log axis for IRRs with German tick labels at round values."""
    ax.set_yscale("log")
    candidates = np.array([0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6, 2.0,
                           2.5, 3.0])
    lo = max(low, 1e-3) if np.isfinite(low) else 0.5
    hi = high if np.isfinite(high) else 2.0
    ticks = candidates[(candidates >= lo * 0.95) & (candidates <= hi * 1.05)]
    if ticks.size < 2:
        ticks = candidates[(candidates >= lo * 0.7) & (candidates <= hi * 1.4)]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, 1)))
    ax.yaxis.set_minor_formatter(NullFormatter())


def plot_trends(
    panel: pd.DataFrame,
    *,
    per: float = 1000.0,
    title: str = "",
    ylabel: str = RATE_LABEL,
) -> Figure:
    """Rates per ``per`` young residents by area and year, start years marked."""
    d = panel.assign(rate=per * panel["cases"] / panel["population"])
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(data=d, x="year", y="rate", hue="area", marker="o", ax=ax)
    ax.legend(title="Gebiet")
    if "start_year" in d.columns:
        for s in d["start_year"].dropna().unique():
            ax.axvline(s - 0.5, color="grey", ls="--", lw=1)
    ax.set(xlabel="Jahr", ylabel=ylabel, title=title)
    german_axes(ax, x=False)
    _year_axis(ax)
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
    german_axes(ax, x=False)
    _year_axis(ax)
    fig.tight_layout()
    return fig


def plot_event_study(
    result: EvaluationResult | pd.DataFrame,
    *,
    title: str = "",
    xlabel: str = "Jahre seit Beginn",
    ylabel: str = IRR_LABEL,
    truth: pd.Series | None = None,
) -> Figure:
    """Event-study IRRs with intervals on a log axis (result of :func:`event_study`)."""
    es = result if isinstance(result, pd.DataFrame) else result.details
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.errorbar(es["event_time"], es["irr"],
                yerr=[es["irr"] - es["ci_low"], es["ci_high"] - es["irr"]],
                fmt="o", color=sns.color_palette()[0], capsize=3, label="Schätzung")
    if truth is not None:
        ax.plot(truth.index, truth.to_numpy(), "x--", color="black", label="wahrer Wert")
        ax.legend()
    ax.axhline(1.0, color="grey", lw=0.8)
    ax.axvline(-0.5, color="grey", ls="--", lw=1)
    _log_irr_axis(ax, float(es["ci_low"].min()), float(es["ci_high"].max()))
    german_axes(ax, y=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    fig.tight_layout()
    return fig


def plot_its(
    result: EvaluationResult,
    *,
    scale: float = 1.0,
    title: str = "",
    xlabel: str = "Jahr",
    ylabel: str = "Fälle",
) -> Figure:
    """Observed counts, segmented fit and continued pre-trend (result of the ITS)."""
    fitted = result.details
    start = float(result.start_year)
    fig, ax = plt.subplots(figsize=(7, 4))
    pal = sns.color_palette()
    t = fitted["year"]
    ax.plot(t, fitted["cases"] / scale, "o", color=pal[0], label="beobachtet")
    before = t < start
    ax.plot(t[before], fitted.loc[before, "fitted"] / scale, "-", color=pal[1], label="Modell")
    ax.plot(t[~before], fitted.loc[~before, "fitted"] / scale, "-", color=pal[1])
    post = t >= start - 1
    ax.plot(t[post], fitted.loc[post, "counterfactual"] / scale, "--",
            color="grey", label="Vortrend fortgeschrieben")
    ax.axvline(start - 0.5, color="grey", ls=":", lw=1)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    german_axes(ax, x=False)
    if xlabel == "Jahr":
        _year_axis(ax)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_synth(result: EvaluationResult, *, title: str = "",
               label: str = "Modellgebiet") -> Figure:
    """Model area vs. synthetic control (top) and their gap (bottom).

    Parameters
    ----------
    result
        A fitted synthetic control (or a placebo result, whose synthetic control
        is shown).
    title
        Figure title (say "simuliert" for simulated data).
    label
        Legend label of the model area.
    """
    pal = sns.color_palette()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 2]})
    p = result.path
    ax1.plot(p["year"], p["treated"], "o-", color=pal[0], label=label)
    ax1.plot(p["year"], p["synthetic"], "s--", color=pal[1], label="synthetische Kontrolle")
    ax1.set(ylabel=RATE_LABEL, title=title)
    ax1.legend()
    ax2.bar(p["year"], p["gap"], color=[pal[3] if x else pal[7] for x in p["post"]])
    ax2.axhline(0, color="grey", lw=0.8)
    ax2.set(xlabel="Jahr", ylabel="Lücke je 1 000")
    for ax in (ax1, ax2):
        ax.axvline(result.start_year - 0.5, color="grey", ls=":", lw=1)
        german_axes(ax, x=False)
    _year_axis(ax2)
    fig.tight_layout()
    return fig


def plot_placebo(result: EvaluationResult, *, title: str = "") -> Figure:
    """Placebo gaps (left) and the placebo distribution of the test statistic (right).

    Parameters
    ----------
    result
        Result of :func:`~sozialanalyse.evaluation.placebo.placebo_in_space`
        (with gap paths).
    title
        Figure title (say "simuliert" for simulated data).
    """
    pal = sns.color_palette()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 4))
    g = result.gaps
    for _unit, d in g[~g["is_treated"]].groupby("unit"):
        ax1.plot(d["year"], d["gap"], color="lightgrey", lw=0.8, zorder=1)
    t = g[g["is_treated"]]
    ax1.plot(t["year"], t["gap"], "o-", color=pal[3], lw=2, zorder=2, label="Modellgebiet")
    ax1.axhline(0, color="grey", lw=0.8)
    ax1.axvline(result.start_year - 0.5, color="grey", ls=":", lw=1)
    ax1.set(xlabel="Jahr", ylabel="Lücke je 1 000 junge Menschen", title="Placebo-Lücken")
    ax1.legend()
    german_axes(ax1, x=False)
    _year_axis(ax1)
    stat = result.details[result.statistic]
    label = {"rmspe_ratio": "RMSPE nachher / vorher",
             "abs_log_irr": "|log IRR|"}[result.statistic]
    sns.histplot(stat.iloc[1:], ax=ax2, color="lightgrey", bins=20, log_scale=(
        result.statistic == "rmspe_ratio"), label="Placebos")
    ax2.axvline(stat.iloc[0], color=pal[3], lw=2, label="Modellgebiet")
    ax2.set(xlabel=label, ylabel="Anzahl",
            title=f"Rang {result.rank} von {result.n_units}")
    ax2.legend()
    german_axes(ax2)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_effects(result: EvaluationResult, *, title: str = "") -> Figure:
    """The default interval and its alternatives side by side (log IRR axis)."""
    a = result.alternatives
    if a.empty:
        a = pd.DataFrame([{"inference": result.inference or "Schätzung", "irr": result.irr,
                           "ci_low": result.ci_low, "ci_high": result.ci_high,
                           "default": True}])
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(a) + 1.5))
    pos = np.arange(len(a))[::-1]
    pal = sns.color_palette()
    lo = a["ci_low"].clip(lower=1e-3).fillna(a["irr"])
    hi = a["ci_high"].replace(np.inf, np.nan).fillna(a["irr"] * 3)
    for y, (_, r), lo_i, hi_i in zip(pos, a.iterrows(), lo, hi, strict=True):
        color = pal[0] if r["default"] else "grey"
        ax.plot([lo_i, hi_i], [y, y], color=color, lw=2)
        ax.plot([r["irr"]], [y], "o", color=color)
    ax.set_yticks(pos, [str(v) for v in a["inference"]])
    ax.axvline(1.0, color="grey", lw=0.8)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, 2)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set(xlabel=IRR_LABEL, title=title or result.design)
    fig.tight_layout()
    return fig


def plot_result(result: EvaluationResult, **kwargs: Any) -> Figure:
    """The figure that fits the design of ``result``.

    Event study: coefficients by year; ITS: fitted series; synthetic control:
    treated vs synthetic; placebo in space: gaps and distribution; all other
    designs: the default interval and its alternatives.
    """
    kind = result.kind
    if kind == "event_study":
        return plot_event_study(result, **kwargs)
    if kind == "its":
        return plot_its(result, **kwargs)
    if kind in ("synth", "placebo_in_time"):
        return plot_synth(result, **kwargs)
    if kind == "placebo_in_space":
        return plot_placebo(result, **kwargs)
    return plot_effects(result, **kwargs)
