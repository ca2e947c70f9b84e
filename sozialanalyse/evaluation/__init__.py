"""Before-and-after evaluation of case counts (ESPQ-style designs).

All designs work on counts of help cases with the number of young residents as
denominator and report incidence-rate ratios (IRR) with intervals, p-values and
the absolute change per 1,000 young residents (:class:`EffectEstimate`).

Public API (stable; other modules import from here)
---------------------------------------------------
Panels
    :func:`validate_panel` -- check an ``area, year, cases, population[, start_year]``
    panel; raises :class:`~sozialanalyse.errors.InputDataError` naming file,
    column and row. :func:`add_treatment` adds ``treated, post, event_time``.
Designs
    :func:`exact_rate_ratio`, :func:`pre_post_rate_ratio`,
    :func:`exact_rate_ratio_ci` (vectorised) -- pre/post rate ratio, exact interval.
    :func:`did_2x2`, :func:`did_2x2_arrays` (vectorised), :func:`two_group_did`,
    :func:`dispersion_test` -- two-group DiD (ratio of rate ratios), Poisson or
    negative binomial.
    :func:`panel_did`, :func:`event_study`, :func:`fixed_effects_matrix` -- area
    and year fixed effects, cluster-robust errors; :func:`fit_poisson` -- the lean
    IRLS Poisson fit behind them (same results as statsmodels' GLM).
    :func:`staggered_did`, :func:`identification_table` -- staggered adoption
    (Poisson extended TWFE, never/not-yet-treated comparisons).
    :func:`interrupted_time_series` -- level and slope change, HAC errors.
    :func:`index_to_base` -- series indexed to a base year.
Guardrails
    :class:`EvaluationWarning` and its subclasses; ``check_*`` functions.
Results and plots
    :class:`EffectEstimate`, :func:`results_frame`, :func:`absolute_change_per_1000`;
    :func:`plot_trends`, :func:`plot_indexed`, :func:`plot_event_study`,
    :func:`plot_its`.

Synthetic control, placebo inference, power and simulated panels live in
``synth``, ``placebo``, ``power`` and ``simulate`` (imported from there).
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
    EvaluationWarning,
    FewClustersWarning,
    OverdispersionWarning,
    ShortPrePeriodWarning,
    SmallCountWarning,
    SmallDonorPoolWarning,
    check_clusters,
    check_convex_hull,
    check_donor_pool,
    check_overdispersion_ignored,
    check_pre_period,
    check_small_counts,
)
from sozialanalyse.evaluation.indexed import index_to_base
from sozialanalyse.evaluation.its import (
    ITSResult,
    default_maxlags,
    fixed_b_critical_value,
    interrupted_time_series,
)
from sozialanalyse.evaluation.panel import add_treatment, validate_panel
from sozialanalyse.evaluation.panel_did import event_study, fixed_effects_matrix, panel_did
from sozialanalyse.evaluation.plots import (
    plot_event_study,
    plot_indexed,
    plot_its,
    plot_trends,
)
from sozialanalyse.evaluation.poisson import PoissonFit, fit_poisson
from sozialanalyse.evaluation.rateratio import (
    exact_rate_ratio,
    exact_rate_ratio_ci,
    pre_post_rate_ratio,
)
from sozialanalyse.evaluation.results import (
    EffectEstimate,
    absolute_change_per_1000,
    results_frame,
)
from sozialanalyse.evaluation.staggered import (
    StaggeredResult,
    identification_table,
    staggered_did,
)

__all__ = [
    "ConvexHullWarning",
    "DispersionTest",
    "EffectEstimate",
    "EvaluationWarning",
    "FewClustersWarning",
    "ITSResult",
    "OverdispersionWarning",
    "PoissonFit",
    "ShortPrePeriodWarning",
    "SmallCountWarning",
    "SmallDonorPoolWarning",
    "StaggeredResult",
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
    "fixed_b_critical_value",
    "fit_poisson",
    "fixed_effects_matrix",
    "identification_table",
    "index_to_base",
    "interrupted_time_series",
    "panel_did",
    "plot_event_study",
    "plot_indexed",
    "plot_its",
    "plot_trends",
    "pre_post_rate_ratio",
    "results_frame",
    "staggered_did",
    "two_group_did",
    "validate_panel",
]
