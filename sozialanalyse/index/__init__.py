"""Composite-indicator pipeline: a small, readable Python "coin" in the style of COINr.

API summary
-----------

Data conventions
    ``data``: tidy DataFrame with columns ``area``, ``indicator`` (variable name), ``value`` and
    optionally ``year``. Raw counts and their denominators may both be variables.
    ``meta``: one row per *index* indicator with columns ``indicator``, ``dimension``,
    ``direction`` (+1 = higher value means more burden, -1 = less burden), ``weight`` (within its
    dimension), and optionally ``unit``, ``source``, ``denominator`` (a variable in ``data``) and
    ``per`` (e.g. 100 for percentages). Wide matrices are DataFrames indexed by area (rows) with
    one column per indicator.

The object (:mod:`sozialanalyse.index.coin`)
    ``Coin(data, meta, population_variable=None, name="")``; dimension weights via
    ``coin.set("weight", dimension_weights={...})``.
    Steps and their parameters: :data:`coin.STEPS`, :data:`coin.DEFAULTS`.
    ``coin.set(step, **params) -> Coin`` change a method choice (recorded in ``coin.history``);
    ``coin.regenerate() -> Coin`` recompute every step in :data:`STEPS` order;
    ``coin.with_params(step, **params) -> Coin`` a regenerated *copy* (what-if runs);
    ``coin.log`` DataFrame (order, step, function, parameters) of the current method;
    ``coin.matrix(stage)`` wide frame after ``"denominated" | "imputed" | "treated" |
    "normalised"`` (or ``"change"``: the dynamics window); ``coin.year`` the status year;
    ``coin.dimensions`` (area x dimension), ``coin.index`` (Series, higher =
    more burden), ``coin.ranks`` (1 = most burdened), ``coin.classes``, ``coin.dynamics``,
    ``coin.groups`` (status x dynamics), ``coin.table()`` one row per area;
    ``coin.imputed_cells``, ``coin.excluded_areas``, ``coin.outlier_report`` reports;
    ``coin.directions``, ``coin.indicator_weights``, ``coin.dimension_weights``,
    ``coin.dimension_of`` (Series indicator -> dimension).
    ``Coin.from_preset(preset, data, meta=None, drop_indicators=())`` build from a preset;
    ``coin.regenerate(from_step=...)`` re-run from one step (COINr's ``Regen``);
    ``coin.compare(other)`` rank and class shifts (:mod:`compare`);
    ``coin.uncertainty(n_draws, space=..., engine="fast"|"regenerate")`` Monte Carlo over
    the Coin's own parameters (:mod:`uncertainty`, choices in :mod:`choices`);
    ``coin.class_codes`` / ``dynamics_class_codes`` / ``group_codes`` published codes
    (Berlin: ``1``-``4``, ``+``, ``+/-``, ``-``, ``2+/-``); ``coin.exclusion_note()``.
    Every parameter value is checked at ``coin.set`` against :data:`methods.CHECKS`.

Method registry (:mod:`methods`)
    The one place where method names live (``NORMALISATIONS``, ``TREATMENTS``,
    ``AGGREGATIONS``, ``SCALES`` ...), shared by the Coin and the Monte Carlo.

Published editions (:mod:`published`, :mod:`presets`)
    ``reproduce_edition(frame, edition)`` recomputes a Berlin-style published table and puts
    our groups next to the published ones; presets per edition (``berlin_mss_2013`` ...
    ``berlin_mss_2023``, alias ``berlin_mss``), ``hamburg_sozialmonitoring``,
    ``dresden_style``; every element with a source id or "our reading".

Vectorised building blocks (numpy; used by the Coin and by the Monte Carlo alike)
    :func:`normalise.normalise_array` ``(x, method, directions=None, area_weights=None, ...)``
        column-wise normalisation of ``x`` with shape ``(..., n_areas, n_indicators)``.
    :func:`aggregate.aggregate_array` ``(x, weights, method)`` weighted arithmetic/geometric
        mean over the last axis; weights may carry leading draw axes.
    :func:`aggregate.two_level_array` ``(x, groups, indicator_weights, dimension_weights,
        within, across)`` indicators -> dimensions -> index on stacked arrays.
    :func:`aggregate.rank_array` the one rank function (1 = highest burden, ties "min").

Pure step functions on DataFrames
    :mod:`screening` (``screen_areas``), :mod:`denomination` (``denominate``),
    :mod:`imputation` (``impute``), :mod:`outliers` (``outlier_table``, ``treat_outliers``),
    :mod:`normalise` (``normalise_frame``), :mod:`weights` (``equal_weights``,
    ``manual_weights``, ``pca_weights``, ``check_weights``), :mod:`aggregate`
    (``aggregate_frame``), :mod:`classes` (``sd_classes``, ``quantile_classes``),
    :mod:`dynamics` (``change_over``, ``status_dynamics_groups``, ``group_matrix``),
    :mod:`diagnostics` (``correlations``, ``cronbach_alpha``, ``pca``, ``contributions``,
    ``validity``), :mod:`presets` (``list_presets``, ``load_preset``, ``preset_table``),
    :mod:`toy` (``toy_data``, ``toy_outcome``, ``berlin_style_table``: simulated
    illustration data), :mod:`report` (German tables for readers).

Errors: method choices that cannot be applied raise :class:`sozialanalyse.errors.MethodError`
whose message names the indicator, dimension or area; malformed inputs raise
:class:`sozialanalyse.errors.InputDataError`.
"""

from __future__ import annotations

from sozialanalyse.index.aggregate import aggregate_array, rank_array, two_level_array
from sozialanalyse.index.coin import STEPS, Coin
from sozialanalyse.index.normalise import NORMALISATIONS, normalise_array
from sozialanalyse.index.presets import list_presets, load_preset

__all__ = [
    "STEPS",
    "Coin",
    "NORMALISATIONS",
    "aggregate_array",
    "list_presets",
    "load_preset",
    "normalise_array",
    "rank_array",
    "two_level_array",
]
