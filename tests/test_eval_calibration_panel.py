"""Calibration of the panel DiD inference with few model areas (the book's setting)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from calibration_sim import HIGH, LOW

# --- panel DiD with few model areas (evaluation.calibration; owner: evalinf) ---
#
# The book's planning setting: 1 or 3 model areas among 17 areas, 12 years,
# NB2 noise alpha in {0.01, 0.05}. 1,000 replications per setting, 199
# bootstrap draws (p-value (1 + hits) / 200). Coverage of the inverted
# intervals (bootstrap, randomization) is the share of replications in which
# the test of the true value does not reject.

COVERAGE_CSV = Path(__file__).resolve().parents[1] / "results" / "coverage_panel.csv"


@pytest.fixture(scope="module")
def panel_coverage() -> pd.DataFrame:
    from sozialanalyse.evaluation.calibration import coverage_records

    return coverage_records(1000, seed=7, draws=199).set_index(["method", "n_treated", "alpha"])


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_panel_randomization_inference_covers_with_three_model_areas(
    panel_coverage: pd.DataFrame, alpha: float
) -> None:
    row = panel_coverage.loc[("randomization", 3, alpha)]
    assert LOW <= row["coverage"] <= HIGH, row["coverage"]
    assert row["bounded"] == 1.0


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_panel_wild_bootstrap_holds_level_with_three_model_areas(
    panel_coverage: pd.DataFrame, alpha: float
) -> None:
    row = panel_coverage.loc[("wild_webb", 3, alpha)]
    # conservative with three treated clusters (measured 96-97 %), never liberal
    assert LOW <= row["coverage"] <= 0.985, row["coverage"]
    assert row["bounded"] >= 0.99


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_panel_cluster_robust_t_undercovers_with_few_model_areas(
    panel_coverage: pd.DataFrame, alpha: float
) -> None:
    assert panel_coverage.loc[("cluster_t", 3, alpha), "coverage"] < 0.92
    assert panel_coverage.loc[("cluster_t", 1, alpha), "coverage"] < 0.6


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_panel_one_model_area_gives_no_usable_design_based_interval(
    panel_coverage: pd.DataFrame, alpha: float
) -> None:
    assert panel_coverage.loc[("randomization", 1, alpha), "bounded"] == 0.0
    assert panel_coverage.loc[("wild_webb", 1, alpha), "bounded"] < 0.2
    assert panel_coverage.loc[("model", 1, alpha), "coverage"] >= 0.92


@pytest.mark.slow
def test_panel_coverage_agrees_with_committed_full_run(panel_coverage: pd.DataFrame) -> None:
    full = pd.read_csv(COVERAGE_CSV)
    full = full[full["rho"] == 0].set_index(["method", "n_treated", "alpha"])
    assert set(panel_coverage.index) <= set(full.index)
    for key, row in panel_coverage.iterrows():
        ref = full.loc[key]
        tol = 4 * np.hypot(row["mc_error"], ref["mc_error"]) + 0.004
        assert abs(row["coverage"] - ref["coverage"]) <= tol, (key, row["coverage"],
                                                               ref["coverage"])
        b_err = np.hypot(*(np.sqrt(x * (1 - x) / n) for x, n in (
            (row["bounded"], row["replications"]), (ref["bounded"], ref["replications"]))))
        assert abs(row["bounded"] - ref["bounded"]) <= 4 * b_err + 0.01, key


def test_measured_coverage_in_notes_matches_committed_full_run() -> None:
    from sozialanalyse.evaluation.bootstrap import MEASURED_COVERAGE

    full = pd.concat([pd.read_csv(COVERAGE_CSV),
                      pd.read_csv(COVERAGE_CSV.with_name("coverage_panel_more.csv"))])
    assert {(m, k) for m, k in zip(full["method"], full["n_treated"], strict=True)
            if m != "wild_score"} == set(MEASURED_COVERAGE)
    for (method, n_treated), values in MEASURED_COVERAGE.items():
        sub = full[(full["method"] == method) & (full["n_treated"] == n_treated)]
        expected = (sub["coverage"].min(), sub["coverage"].max(), sub["bounded"].min(),
                    sub["bounded"].max())
        np.testing.assert_allclose(values, expected, atol=1e-9, err_msg=str((method, n_treated)))


def test_coverage_table_labels_for_the_book() -> None:
    from sozialanalyse.evaluation.calibration import LABELS_DE, METHODS, coverage_table

    table = coverage_table(records=pd.read_csv(COVERAGE_CSV))
    assert list(table.columns) == ["Verfahren", "Modellgebiete", "Streuung α",
                                   "Autokorrelation ρ", "Replikationen", "Abdeckung",
                                   "MC-Fehler", "Endliches Intervall"]
    assert set(table["Verfahren"]) == {LABELS_DE[m] for m in METHODS}
    assert len(table) == len(METHODS) * 2 * 2 * 2


def test_book_coverage_rows_mark_the_default_and_the_target_band() -> None:
    from sozialanalyse.evaluation.calibration import LABELS_DE, book_coverage_rows

    full = pd.read_csv(COVERAGE_CSV)
    rows = book_coverage_rows(full, defaults={1: "randomization", 3: "bootstrap"})
    assert len(rows) == len(full)
    default = rows[rows["Standard"] == "ja"]
    assert set(default["Inferenz"]) == {LABELS_DE["randomization"], LABELS_DE["wild_webb"]}
    reached = rows["93–97 % erreicht"] == "ja"
    assert list(reached) == [0.93 <= c <= 0.97 for c in full["coverage"]]
    assert rows["Überdeckung"].str.endswith("%").all()
