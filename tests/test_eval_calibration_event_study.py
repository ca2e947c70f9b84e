"""Calibration of the event study by event time (split from test_eval_calibration so the
parallel test run can place it on its own worker).

All replications are fitted at once by :func:`event_study_batch` (the same design,
kernel and t(G - 1) intervals as ``event_study(...).details``); the public function
is run on the first replications and must agree (``calibration_sim.run``).
"""

from __future__ import annotations

import numpy as np
import pytest
from calibration_sim import check, log_columns, run, simulate_panels

from sozialanalyse.evaluation import event_study
from sozialanalyse.evaluation.panel_did import event_study_batch


@pytest.mark.slow
def test_event_study_calibration_by_event_time() -> None:
    rng = np.random.default_rng(108)
    starts = [2013.0] * 15 + [np.nan] * 25
    template, counts = simulate_panels(rng, 1000, starts, 6, lambda e, g: -0.1 * (e + 1),
                                       area_sd=0.3, nb_alpha=0.05)
    res = run(template, counts, event_study_batch, event_study)
    assert res.terms == (-3, -2, 0, 1, 2)
    for term, truth in ((-3, 0.0), (0, -0.1), (2, -0.3)):
        check(*log_columns(res, term), truth)
