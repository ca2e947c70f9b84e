"""Before-and-after evaluation of case counts (ESPQ-style designs).

All designs work on counts of help cases with the number of young residents as
denominator, and every design returns one result type,
:class:`EvaluationResult`: the incidence-rate ratio (IRR) with interval and
p-value, the inference used and why it is the default for these data, the
alternatives side by side, warnings, a flag and note when the interval is not
known to reach its nominal coverage, ``summary()`` (German table),
``to_frame()`` and ``plot()``.

Common parameters of the panel designs: ``area``, ``year``, ``cases``,
``population`` (column names), ``treated`` (model areas) and ``start_year``.

Public API (stable; other modules import from here)
---------------------------------------------------
Panels
    :func:`validate_panel`, :func:`add_treatment`, :func:`prepare_panel`.
Designs
    :func:`exact_rate_ratio`, :func:`pre_post_rate_ratio`,
    :func:`exact_rate_ratio_ci` (vectorised) -- pre/post rate ratio, exact interval.
    :func:`did_2x2`, :func:`did_2x2_arrays` (vectorised), :func:`two_group_did`,
    :func:`dispersion_test` -- two-group DiD (ratio of rate ratios).
    :func:`panel_did`, :func:`event_study`, :func:`fixed_effects_matrix` -- area
    and year fixed effects; honest default inference for few model areas.
    :func:`staggered_did`, :func:`identification_table` -- staggered adoption.
    :func:`interrupted_time_series`, :func:`its_coverage_table` -- level and
    slope change; measured coverage for short yearly series.
    :func:`synthetic_control`, :func:`placebo_in_space`, :func:`placebo_in_time`.
    :func:`index_to_base` -- series indexed to a base year.
Guardrails
    :class:`EvaluationWarning` and its subclasses; ``check_*`` functions.
Results and plots
    :class:`EvaluationResult`, :func:`results_frame`,
    :func:`absolute_change_per_1000`; :func:`plot_result` and the figures in
    :mod:`sozialanalyse.evaluation.plots`.

Power and simulated panels live in ``power`` and ``simulate``.
"""

from sozialanalyse.evaluation.did import (
    DispersionTest,
    did_2x2,
    did_2x2_arrays,
    dispersion_test,
    two_group_did,
)
from sozialanalyse.evaluation.guardrails import (
    ConvexHullWarning,
    CoverageWarning,
    EvaluationWarning,
    FewClustersWarning,
    OverdispersionWarning,
    ShortPrePeriodWarning,
    SmallCountWarning,
    SmallDonorPoolWarning,
    ZeroCountWarning,
    check_clusters,
    check_convex_hull,
    check_donor_pool,
    check_overdispersion_ignored,
    check_pre_period,
    check_small_counts,
    prepare_panel,
)
from sozialanalyse.evaluation.indexed import index_to_base
from sozialanalyse.evaluation.its import (
    default_maxlags,
    fixed_b_critical_value,
    interrupted_time_series,
    its_coverage_table,
)
from sozialanalyse.evaluation.panel import add_treatment, validate_panel
from sozialanalyse.evaluation.panel_did import event_study, fixed_effects_matrix, panel_did
from sozialanalyse.evaluation.placebo import placebo_in_space, placebo_in_time
from sozialanalyse.evaluation.plots import (
    plot_event_study,
    plot_indexed,
    plot_its,
    plot_placebo,
    plot_result,
    plot_synth,
    plot_trends,
)
from sozialanalyse.evaluation.poisson import PoissonFit, fit_poisson
from sozialanalyse.evaluation.rateratio import (
    exact_rate_ratio,
    exact_rate_ratio_ci,
    pre_post_rate_ratio,
)
from sozialanalyse.evaluation.results import (
    EvaluationResult,
    absolute_change_per_1000,
    results_frame,
)
from sozialanalyse.evaluation.staggered import identification_table, staggered_did
from sozialanalyse.evaluation.synth import synthetic_control

__all__ = [
    "ConvexHullWarning",
    "CoverageWarning",
    "DispersionTest",
    "EvaluationResult",
    "EvaluationWarning",
    "FewClustersWarning",
    "OverdispersionWarning",
    "PoissonFit",
    "ShortPrePeriodWarning",
    "SmallCountWarning",
    "SmallDonorPoolWarning",
    "ZeroCountWarning",
    "absolute_change_per_1000",
    "add_treatment",
    "check_clusters",
    "check_convex_hull",
    "check_donor_pool",
    "check_overdispersion_ignored",
    "check_pre_period",
    "check_small_counts",
    "default_maxlags",
    "did_2x2",
    "did_2x2_arrays",
    "dispersion_test",
    "event_study",
    "exact_rate_ratio",
    "exact_rate_ratio_ci",
    "fit_poisson",
    "fixed_b_critical_value",
    "fixed_effects_matrix",
    "identification_table",
    "index_to_base",
    "interrupted_time_series",
    "its_coverage_table",
    "panel_did",
    "placebo_in_space",
    "placebo_in_time",
    "plot_event_study",
    "plot_indexed",
    "plot_its",
    "plot_placebo",
    "plot_result",
    "plot_synth",
    "plot_trends",
    "pre_post_rate_ratio",
    "prepare_panel",
    "results_frame",
    "staggered_did",
    "synthetic_control",
    "two_group_did",
    "validate_panel",
]
