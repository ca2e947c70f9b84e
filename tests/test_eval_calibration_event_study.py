"""Calibration of the event study by event time (split from test_eval_calibration so the
parallel test run can place it on its own worker)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from calibration_sim import check, simulate_panels

from sozialanalyse.evaluation import event_study


@pytest.mark.slow
def test_event_study_calibration_by_event_time() -> None:
    rng = np.random.default_rng(108)
    starts = [2013.0] * 15 + [np.nan] * 25
    template, counts = simulate_panels(rng, 1000, starts, 6, lambda e, g: -0.1 * (e + 1),
                                       area_sd=0.3, nb_alpha=0.05)
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in counts:
            es = event_study(template.assign(cases=c)).details.set_index("event_time")
            rows.append(es.loc[[-3, 0, 2], ["log_irr", "ci_low", "ci_high"]].to_numpy())
    a = np.array(rows)
    for k, truth in enumerate((0.0, -0.1, -0.3)):
        check(a[:, k, 0], np.log(a[:, k, 1]), np.log(a[:, k, 2]), truth)
