"""Guardrails: warnings (never silence) for evaluation designs on thin data.

Each check issues :func:`warnings.warn` with a specific subclass of
:class:`EvaluationWarning`, so that callers and tests can filter or assert on
exactly the problem found. The checks return ``True`` when they warned.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np


class EvaluationWarning(UserWarning):
    """Base class of all warnings about the reliability of an evaluation."""


class ShortPrePeriodWarning(EvaluationWarning):
    """Too few years (or months) before the start to judge the pre-trend."""


class SmallCountWarning(EvaluationWarning):
    """Counts too small for the large-sample (Wald) approximations."""


class OverdispersionWarning(EvaluationWarning):
    """Counts vary more than Poisson allows but the model ignores it."""


class SmallDonorPoolWarning(EvaluationWarning):
    """Too few comparison (donor) areas for synthetic control or placebo tests."""


class ConvexHullWarning(EvaluationWarning):
    """The treated area lies outside the donors' convex hull (synthetic control)."""


class FewClustersWarning(EvaluationWarning):
    """Too few clusters for cluster-robust standard errors to be trusted."""


def check_pre_period(n_pre: int, *, minimum: int = 3, what: str = "years") -> bool:
    """Warn when fewer than ``minimum`` pre-periods are available."""
    if n_pre < minimum:
        warnings.warn(
            f"only {n_pre} {what} before the start (at least {minimum} recommended): "
            "the pre-trend rests on few points and cannot be checked reliably",
            ShortPrePeriodWarning,
            stacklevel=3,
        )
        return True
    return False


def check_small_counts(counts: Iterable[float], *, minimum: float = 10.0, what: str = "") -> bool:
    """Warn when any (aggregated) cell count is below ``minimum``.

    Wald intervals on the log scale need cells with more than a handful of cases;
    below that, prefer the exact rate-ratio interval or permutation inference.
    """
    arr = np.asarray(list(counts), dtype=float)
    if arr.size and np.nanmin(arr) < minimum:
        label = f" in {what}" if what else ""
        warnings.warn(
            f"smallest cell count{label} is {np.nanmin(arr):g} (< {minimum:g}): "
            "large-sample intervals may be unreliable; use the exact rate-ratio "
            "interval or permutation inference",
            SmallCountWarning,
            stacklevel=3,
        )
        return True
    return False


def check_overdispersion_ignored(dispersion: float, p_value: float, *, alpha: float = 0.05) -> bool:
    """Warn when a Poisson model with model-based errors is used on overdispersed counts."""
    if np.isfinite(p_value) and p_value < alpha:
        warnings.warn(
            f"counts are overdispersed (Pearson dispersion {dispersion:.2f}, test p = "
            f"{p_value:.3g}) but a Poisson model with model-based errors was requested: "
            "intervals are too narrow; use family='auto' or 'negbin', or robust errors",
            OverdispersionWarning,
            stacklevel=3,
        )
        return True
    return False


def check_donor_pool(n_donors: int, *, minimum: int = 10) -> bool:
    """Warn when fewer than ``minimum`` donor areas are available.

    With ``n`` donors a placebo-in-space test cannot give a p-value below
    ``1 / (n + 1)``.
    """
    if n_donors < minimum:
        warnings.warn(
            f"only {n_donors} donor areas (at least {minimum} recommended): the smallest "
            f"attainable placebo p-value is 1/{n_donors + 1} = {1 / (n_donors + 1):.3f}",
            SmallDonorPoolWarning,
            stacklevel=3,
        )
        return True
    return False


def check_convex_hull(treated: np.ndarray, donors: np.ndarray) -> bool:
    """Warn when the treated pre-period series lies outside the donors' range.

    A synthetic control is a convex combination of donors, so it cannot match a
    treated series that is above (or below) every donor in some pre-period.

    Parameters
    ----------
    treated
        Shape ``(T,)``: the treated area's pre-period rates.
    donors
        Shape ``(T, J)``: the donors' pre-period rates.
    """
    t = np.asarray(treated, dtype=float)
    d = np.asarray(donors, dtype=float)
    outside = (t > d.max(axis=1)) | (t < d.min(axis=1))
    if outside.any():
        warnings.warn(
            f"treated area lies outside the donors' range in {int(outside.sum())} of "
            f"{t.size} pre-periods: no convex combination of donors can reproduce it",
            ConvexHullWarning,
            stacklevel=3,
        )
        return True
    return False


def check_clusters(n_clusters: int, *, minimum: int = 20) -> bool:
    """Warn when cluster-robust errors rest on fewer than ``minimum`` clusters."""
    if n_clusters < minimum:
        warnings.warn(
            f"cluster-robust errors with only {n_clusters} clusters (at least {minimum} "
            "recommended) are too small; prefer placebo-in-space inference",
            FewClustersWarning,
            stacklevel=3,
        )
        return True
    return False
