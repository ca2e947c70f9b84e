"""A small result record for before-and-after evaluations of case counts.

Every design in :mod:`sozialanalyse.evaluation` reports its effect as an
incidence-rate ratio (IRR) with a confidence interval and a p-value, and, where
a rate per young resident is known, as an absolute change per 1,000 young
residents.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class EffectEstimate:
    """One estimated effect on the rate scale.

    Parameters
    ----------
    design
        Short name of the design, e.g. ``"pre/post rate ratio"``.
    irr
        Incidence-rate ratio (treated after / counterfactual after).
    ci_low, ci_high
        Bounds of the confidence interval for the IRR.
    p_value
        Two-sided p-value for the null hypothesis IRR = 1.
    log_irr, se_log
        The log IRR and its standard error (``nan`` for exact intervals).
    abs_change_per_1000
        Change in cases per 1,000 young residents in the treated group after the
        start, relative to the counterfactual rate (``nan`` if no rate is known).
    level
        Confidence level of the interval.
    model
        Model or method behind the interval, e.g. ``"poisson"``,
        ``"negative binomial"``, ``"exact conditional binomial"``.
    n_obs
        Number of observations (cells) used.
    notes
        Free-text remarks (assumptions, diagnostics).
    """

    design: str
    irr: float
    ci_low: float
    ci_high: float
    p_value: float
    log_irr: float = float("nan")
    se_log: float = float("nan")
    abs_change_per_1000: float = float("nan")
    level: float = 0.95
    model: str = ""
    n_obs: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def covers(self, irr: float) -> bool:
        """Whether the interval contains ``irr``."""
        return bool(self.ci_low <= irr <= self.ci_high)

    def to_dict(self) -> dict[str, object]:
        """The record as a flat dictionary (notes joined by ``"; "``)."""
        out = asdict(self)
        out["notes"] = "; ".join(self.notes)
        return out

    def to_frame(self) -> pd.DataFrame:
        """The record as a one-row DataFrame."""
        return pd.DataFrame([self.to_dict()])


def results_frame(estimates: list[EffectEstimate]) -> pd.DataFrame:
    """Stack several estimates into one tidy DataFrame (one row each)."""
    return pd.concat([e.to_frame() for e in estimates], ignore_index=True)


def absolute_change_per_1000(rate_after_per_1000: float, irr: float) -> float:
    """Absolute change in cases per 1,000 young residents implied by an IRR.

    The counterfactual rate is the observed rate after the start divided by the
    IRR; the change is observed minus counterfactual.

    Parameters
    ----------
    rate_after_per_1000
        Observed rate in the treated group after the start (cases per 1,000).
    irr
        Incidence-rate ratio.

    Returns
    -------
    float
        ``rate * (1 - 1 / irr)``; negative when cases fell against the
        counterfactual.
    """
    if not np.isfinite(rate_after_per_1000) or not np.isfinite(irr) or irr <= 0:
        return float("nan")
    return float(rate_after_per_1000 * (1.0 - 1.0 / irr))
