"""Figure of power curves (output of :func:`sozialanalyse.evaluation.power.power_curve`).

Kept apart from the computation so that the power module does not import
matplotlib. German labels and German tick numbers
(:func:`sozialanalyse.formatting.german_axes`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sozialanalyse.formatting import german_axes


def plot_power_curve(
    curves: pd.DataFrame,
    *,
    by: str = "design",
    target_power: float = 0.8,
    title: str = "",
) -> Figure:
    """Power against the true IRR, one line per design.

    Parameters
    ----------
    curves
        Columns ``irr``, ``power`` and ``by`` (optionally ``alpha``), e.g. the
        output of :func:`~sozialanalyse.evaluation.power.power_curve` with a
        column naming the design.
    by
        Column distinguishing the lines.
    target_power
        Horizontal reference line (dashed).
    title
        Figure title (say "simuliert" for simulated data).

    Returns
    -------
    matplotlib.figure.Figure
        The significance level is drawn as a dotted line.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(data=curves, x="irr", y="power", hue=by, style=by, markers=True, ax=ax)
    ax.axhline(target_power, color="grey", ls="--", lw=1)
    level = float(curves["alpha"].iloc[0]) if "alpha" in curves else 0.05
    ax.axhline(level, color="grey", ls=":", lw=1)
    ax.set(xlabel="wahres Inzidenzratenverhältnis (IRR)", ylabel="Teststärke", title=title,
           ylim=(0, 1.02))
    ax.invert_xaxis()
    ax.legend(title="")
    german_axes(ax)
    fig.tight_layout()
    return fig
