"""The real-data results of the ESPQ chapter, checked against hand computations."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from sozialanalyse.analyses import evaluation_real as er


def test_bremen_did_is_ratio_of_count_ratios_with_exact_interval() -> None:
    did = er.bremen_did().set_index("comparator")
    own = 1412 / 444
    assert did.loc["DE", "irr"] == pytest.approx(own / 1.264)
    assert did.loc["Hamburg", "irr"] == pytest.approx(own / 1.854)
    assert did.loc["Berlin", "irr"] == pytest.approx(own / 1.046)
    # exact conditional interval of Bremen's ratio, divided by the comparator's factor
    p_lo = stats.beta.ppf(0.025, 1412, 445)
    p_hi = stats.beta.ppf(0.975, 1413, 444)
    assert did.loc["DE", "ci_low"] == pytest.approx(p_lo / (1 - p_lo) / 1.264)
    assert did.loc["DE", "ci_high"] == pytest.approx(p_hi / (1 - p_hi) / 1.264)
    # per 1,000 under 27: 2012 rate times (1 - 1/IRR)
    rate = 1000 * 1412 / 176029
    assert did.loc["DE", "abs_change_per_1000"] == pytest.approx(rate * (1 - 1.264 / own))


def test_bremen_indexed_starts_at_100() -> None:
    idx = er.bremen_indexed()
    assert (idx.loc[idx["year"] == 2007, "index"] == 100).all()
    hb = idx[(idx["area"] == "Land Bremen") & (idx["year"] == 2012)]["index"].item()
    assert hb == pytest.approx(100 * 1412 / 444)


def test_national_its_uses_published_years_and_warns_on_short_pre_period() -> None:
    s = er.national_series()
    assert s["time"].tolist() == list(range(2017, 2024))
    assert s["cases"].is_unique
    its = er.national_its()
    assert "ShortPrePeriodWarning" in its.warning_categories
    # the 2020 level sits below the continued 2017-2019 trend
    assert its.irr < 1
    cf_2020 = its.details.set_index("year").loc[2020, "counterfactual"]
    assert cf_2020 > s.set_index("time").loc[2019, "cases"]


def test_graz_design_is_not_identified_by_one_year() -> None:
    observed, hypothetical = er.graz_identification()
    assert observed["cohort"].tolist() == [2007, 2010, 2013, 2017]
    assert observed["identifiable_cells"].sum() == 0
    # yearly grid 2004-2018: cohort g has cells g..2016 (in 2017+ nobody is untreated)
    expected = {2007: 10, 2010: 7, 2013: 4, 2017: 0}
    assert dict(zip(hypothetical["cohort"], hypothetical["identifiable_cells"],
                    strict=True)) == expected


def test_headline_is_flat_and_consistent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = er.headline()
    assert all(isinstance(v, int | float | str) for v in h.values())
    assert h["graz_ve_total"] == 100 + 164 + 183 + 228
    assert h["graz_cost_change_pct"] == -18.7
    assert h["hh_spfh_irr"] == pytest.approx(2326 / 2679, abs=1e-4)
    assert h["did_de_lo"] < h["did_de_irr"] < h["did_de_hi"]
    assert np.isfinite(h["its_level_lo"]) and h["its_level_lo"] < h["its_level_hi"]


def test_national_its_default_inference_and_measured_coverage() -> None:
    its = er.national_its()
    # short yearly series: quasi-Poisson with t(T - k), interval and p-value agree
    assert "Quasi-Poisson" in its.inference
    assert (its.p_value < 0.05) == (its.ci_high < 1 or its.ci_low > 1)
    measured = its.coverage_measured
    assert set(measured) == {0.0, 0.5}
    assert its.coverage_ok == (min(measured.values()) >= 0.93)
    assert "Simulationen" in its.coverage_note
    hac = its.alternatives.set_index("key").loc["hac"]
    assert hac["ci_high"] - hac["ci_low"] < its.ci_high - its.ci_low


def test_glue_values_are_german_text() -> None:
    g = er.glue_values()
    assert g["hb_34_2007"] == "444"
    assert g["de_cases_2019"] == "1\u202f017\u202f000"
    assert "," in g["its_level_irr"] and "." not in g["its_level_irr"]
    assert er.bremen_did_table().columns[0] == "Vergleich"
    assert not any(c in {"True", "False"} for c in er.coverage_table().to_numpy().ravel())
