"""Maps: diverging scales centred on the reference value, grey Stadtteile without own data,
colour-blind-safe categories, German numbers on the colour bar."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from sozialanalyse.data import geo as geo_mod  # noqa: E402
from sozialanalyse.index import plots  # noqa: E402


@pytest.fixture(scope="module")
def stadtteile():
    parts = geo_mod.stadtteile()
    rng = np.random.default_rng(1)
    parts["value"] = rng.normal(0.4, 0.8, len(parts))
    parts["kind"] = [f"Typ {i % 3 + 1}" for i in range(len(parts))]
    return parts


def _colourbar_norm(fig):
    mappables = [c for ax in fig.axes for c in ax.collections if c.get_array() is not None]
    return mappables[0].norm


def test_reported_with_neighbour_from_crosswalk() -> None:
    assert geo_mod.reported_with_neighbour().to_dict() == {"33": "31", "34": "31", "44": "42"}


def test_diverging_scale_is_centred_on_zero_by_default(stadtteile) -> None:
    fig = plots.choropleth(stadtteile, "value", legend_label="Index")
    norm = _colourbar_norm(fig)
    assert norm.vmin == pytest.approx(-norm.vmax)
    plt.close(fig)


def test_diverging_scale_centred_on_city_value(stadtteile) -> None:
    fig = plots.choropleth(stadtteile, "value", center=0.4, legend_label="Index")
    norm = _colourbar_norm(fig)
    assert (norm.vmin + norm.vmax) / 2 == pytest.approx(0.4)
    plt.close(fig)


def test_colour_bar_writes_german_numbers(stadtteile) -> None:
    fig = plots.choropleth(stadtteile, "value", legend_label="Index")
    fig.canvas.draw()
    cax = fig.axes[-1]
    labels = [t.get_text() for t in cax.get_xticklabels() if t.get_text()]
    assert labels
    assert not any("." in x or "-" in x for x in labels), labels
    plt.close(fig)


@pytest.mark.parametrize("categorical", [False, True])
def test_stadtteile_without_own_data_are_grey(stadtteile, categorical) -> None:
    column = "kind" if categorical else "value"
    fig = plots.choropleth(stadtteile, column, categorical=categorical, legend_label="x")
    ax = fig.axes[0]
    grey = to_hex(plots.NO_OWN_DATA_GREY)
    faces = {to_hex(c) for coll in ax.collections for c in np.atleast_2d(coll.get_facecolor())
             if len(c)}
    assert grey in faces
    legend_texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert geo_mod.NO_OWN_DATA_LABEL in legend_texts
    assert not any("unbewohnt" in t for t in legend_texts)
    plt.close(fig)


def test_categorical_maps_use_okabe_ito(stadtteile) -> None:
    fig = plots.choropleth(stadtteile, "kind", categorical=True, cmap="Set2")
    ax = fig.axes[0]
    handles = ax.get_legend().legend_handles
    colours = {to_hex(h.get_facecolor()) for h in handles}
    okabe = {c.lower() for c in plots.OKABE_ITO}
    assert len(colours & okabe) == 3
    plt.close(fig)


def test_index_trend_has_axis_labels() -> None:
    panel = pd.DataFrame({"area": ["A"] * 3 + ["B"] * 3, "year": [2020, 2021, 2022] * 2,
                          "index": [0.1, -0.2, 0.3, 1.0, 1.2, 0.9]})
    fig = plots.index_trend(panel, ["A"])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Jahr" and ax.get_ylabel()
    plt.close(fig)
