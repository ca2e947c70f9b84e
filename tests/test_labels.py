"""German labels for parameters and values (sozialanalyse.labels)."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

from sozialanalyse import labels
from sozialanalyse.index import aggregate, imputation, normalise, outliers, weights


@pytest.mark.parametrize(
    "names",
    [
        normalise.NORMALISATIONS,
        aggregate.AGGREGATIONS,
        weights.WEIGHTINGS,
        outliers.TREATMENTS,
        imputation.IMPUTATIONS,
    ],
)
def test_every_index_method_has_a_german_label(names: tuple[str, ...]) -> None:
    for name in names:
        text = labels.label(name)
        assert text != name, f"no German label for {name!r}"
        assert not re.search(r"[a-z]+_[a-z]+", str(text))


def test_warning_classes_of_the_package_are_described() -> None:
    import sozialanalyse.evaluation as ev
    import sozialanalyse.evaluation.guardrails  # noqa: F401

    found = set()
    for module in list(vars(ev).values()) + [ev]:
        for obj in vars(module).values() if hasattr(module, "__dict__") else []:
            if (
                isinstance(obj, type)
                and issubclass(obj, Warning)
                and obj.__module__.startswith("sozialanalyse")
            ):
                found.add(obj)
    assert found, "no warning classes found"
    for cls in found:
        assert labels.warning_text(cls) != cls.__name__, cls.__name__
        assert labels.label(cls) == labels.warning_text(cls)


def test_booleans_none_and_unknown_values() -> None:
    assert labels.label(True) == "ja"
    assert labels.label(False) == "nein"
    assert labels.label(None) == "keine"
    assert labels.label([]) == "keine"
    assert labels.label(["zscore", "rank"]) == "z-Standardisierung, Rangplätze"
    assert labels.label("Pieschen") == "Pieschen"
    assert labels.label(3.5) == 3.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert labels.warning_text(UserWarning("x")) == "UserWarning"


def test_translate_frame() -> None:
    frame = pd.DataFrame(
        {
            "normalise": ["zscore", "minmax"],
            "aggregate": ["arithmetic", "geometric"],
            "treat": [None, "winsorise"],
            "imputed": [True, False],
            "weight": [0.5, 0.5],
        }
    )
    out = labels.translate_frame(frame)
    assert list(out.columns) == [
        "Normierung",
        "Aggregation",
        "Ausreißerbehandlung",
        "ersetzt",
        "Gewicht",
    ]
    assert out["Normierung"].tolist() == ["z-Standardisierung", "Min-Max-Skalierung"]
    assert out["Ausreißerbehandlung"].tolist() == ["keine", "Winsorisierung"]
    assert out["ersetzt"].tolist() == ["ja", "nein"]
    assert out["Gewicht"].tolist() == [0.5, 0.5]  # numbers are left to formatting
    assert frame.columns[0] == "normalise"  # the input is not changed


def test_labels_agree_with_the_evaluation_result_type() -> None:
    from sozialanalyse.evaluation import results

    for key, text in results.INFERENCE_LABELS.items():
        if key == "none":
            continue  # "none" is also a method value ("keine")
        assert labels.label(key) == text
    for key, text in results.COLUMN_LABELS.items():
        assert labels.parameter(key) == text


def test_index_labels_live_in_labels_and_take_precedence_in_index_tables() -> None:
    from sozialanalyse import labels
    from sozialanalyse.index import report

    assert report.INDEX_LABELS is labels.INDEX
    # the index step "weight" is "Gewichtung"; the column "weight" elsewhere is "Gewicht"
    assert labels.index_parameter("weight") == "Gewichtung"
    assert labels.parameter("weight") == "Gewicht"
    assert labels.index_label("sum") == "Summe"
    assert labels.index_label("zscore") == labels.label("zscore")
    assert report.parameter("closed") == "Wert auf der Grenze"


def test_allocation_labels_are_views_of_one_mapping():
    from sozialanalyse.allocation import need, pipeline, rounding, scenarios
    from sozialanalyse.labels import ALLOCATION

    for table in (pipeline.LABELS_DE, scenarios.SCENARIO_LABELS_DE, rounding.METHOD_LABELS_DE,
                  need.RULE_LABELS_DE):
        assert table and all(ALLOCATION[k] == v for k, v in table.items())
    assert set(scenarios.SCENARIO_LABELS_DE) == {"current", *scenarios.SCENARIOS}
    assert set(need.RULE_LABELS_DE) == set(need.RULES)
