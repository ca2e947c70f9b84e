"""Stadtraum geometry dissolved from the Stadtteile, and the schema checks of long tables."""

from __future__ import annotations

import math

import pandas as pd
import pandera.pandas as pa
import pytest

from sozialanalyse.data.geo import stadtraeume, stadtteile
from sozialanalyse.data.schemas import frictionless_schema, long_table_checks, pandera_schema


@pytest.fixture(scope="module")
def parts():
    return stadtteile()


def test_stadtraeume_cover_the_city_once(parts):
    sr = stadtraeume(simplify_m=0)
    assert sr["stadtraum_code"].tolist() == [f"{i:02d}" for i in range(1, 18)]
    assert sr.area.sum() == pytest.approx(parts.area.sum(), rel=1e-6)
    # Dresden covers about 328 km² (sanity check of the projection)
    assert 320e6 < parts.area.sum() < 335e6
    overlap = sum(
        a.intersection(b).area
        for i, a in enumerate(sr.geometry)
        for b in sr.geometry[i + 1 :]
    )
    assert overlap < 1.0  # m², shared edges only


def test_split_and_non_residential_flags(parts):
    assert parts.loc[parts["split"], "stadtteil_code"].tolist() == ["76"]
    assert sorted(parts.loc[~parts["residential"].astype(bool), "stadtteil_code"]) == [
        "33", "34", "44"]
    assert parts.loc[parts["stadtteil_code"] == "76", "stadtraum_code"].item() == "12"


def test_long_table_checks_find_hand_made_errors():
    ok = pd.DataFrame({"unit": ["percent", "persons"], "value": [25.0, 4.0],
                       "numerator": [1.0, math.nan], "denominator": [4.0, math.nan]})
    assert long_table_checks(ok) == []
    bad = ok.assign(value=[101.0, 4.0])
    problems = long_table_checks(bad)
    assert "a percentage above 100" in problems
    assert "value differs from 100 × numerator / denominator" in problems


def test_pandera_schema_enforces_key_and_constraints():
    schema = pandera_schema(frictionless_schema("dresden_young_population"), "young")
    good = pd.DataFrame({
        "area_level": ["stadtraum"], "area_code": ["01"], "area_name": ["X"], "year": [2025],
        "age_group": ["0-2"], "age_from": [0], "age_to": [2], "population": [10],
        "source_id": ["S"],
    })
    schema.validate(good)
    with pytest.raises(pa.errors.SchemaError, match="population"):
        schema.validate(good.assign(population=[-1]))
    with pytest.raises(pa.errors.SchemaError):
        schema.validate(pd.concat([good, good], ignore_index=True))  # duplicated primary key
    with pytest.raises(pa.errors.SchemaError, match="area_level"):
        schema.validate(good.assign(area_level=["kreis"]))
