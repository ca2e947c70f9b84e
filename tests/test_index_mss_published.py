"""Berlin MSS editions reproduced from their complete published tables.

Each fixture ``tests/fixtures/berlin_mss_<year>`` (source, commits and checks in its README) is
a published table of an edition: indicators, changes, residents and the published status and
dynamics groups of every indexed Planungsraum, plus the published z-values (Tabelle 3).
Since each table is complete, the city-wide standardisation is Berlin's own, so the edition's
preset must give the published groups. The expected agreement per edition is the measured one
(see the README); a preset change that loses a single group fails here.

MSS 2019 has its own module (``test_index_mss2019_published.py``, cited by the book).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.index.published import reproduce_edition

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Edition:
    """What the published table of one edition holds and what we measured on it."""

    year: int
    rows: int
    indexed: int
    status_agree: int
    dynamics_agree: int
    status_codes: frozenset[str] = frozenset({"1", "2", "3", "4"})

    @property
    def table(self) -> Path:
        return FIXTURES / f"berlin_mss_{self.year}" / f"mss{self.year}_planungsraeume.csv"

    @property
    def zvalues(self) -> Path:
        return self.table.with_name(f"mss{self.year}_zwerte.csv")


EDITIONS = [
    Edition(year=2021, rows=536, indexed=536, status_agree=536, dynamics_agree=536),
    Edition(year=2017, rows=447, indexed=436, status_agree=436, dynamics_agree=436),
    Edition(year=2015, rows=447, indexed=435, status_agree=435, dynamics_agree=435),
    Edition(year=2013, rows=447, indexed=434, status_agree=434, dynamics_agree=434),
]


@pytest.fixture(scope="module", params=EDITIONS, ids=lambda e: str(e.year))
def edition(request) -> Edition:
    return request.param


@pytest.fixture(scope="module")
def table(edition) -> pd.DataFrame:
    return pd.read_csv(edition.table, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def reproduction(table, edition):
    return reproduce_edition(table, edition.year, name=None)


def _published(table: pd.DataFrame, column: str) -> pd.Series:
    s = table.set_index("id")[column]
    return s[s != ""]


def test_fixture_is_the_complete_table(table, edition) -> None:
    assert len(table) == edition.rows and table["id"].is_unique
    assert table["id"].str.fullmatch(r"\d{8}").all()
    assert (table["status"] != "").sum() == edition.indexed
    assert set(table["status"]) - {""} == edition.status_codes
    assert set(table["dynamik"]) - {""} == {"+", "+/-", "-"}
    # every indexed row has every number
    indexed = table[table["status"] != ""]
    numbers = indexed.drop(columns=["id", "status", "dynamik"])
    assert (numbers != "").all().all()
    assert np.isfinite(numbers.astype(float).to_numpy()).all()


def test_published_groups_are_reproduced(reproduction, edition) -> None:
    agree = reproduction.agreement
    for quantity, expected in (("status", edition.status_agree),
                               ("dynamics", edition.dynamics_agree)):
        row = agree.loc[quantity]
        assert row["n_compared"] == edition.indexed
        assert row["n_agree"] == expected
        assert row["only_ours"] == 0 and row["only_published"] == 0
    full = edition.status_agree == edition.dynamics_agree == edition.indexed
    assert reproduction.exact == full


def test_non_indexed_areas_are_excluded_with_a_reason(reproduction, table) -> None:
    """Exactly the areas without a published group are left out, each with its reason."""
    t = reproduction.table
    not_indexed = set(table.loc[table["status"] == "", "id"])
    assert set(t.index[t["excluded"] != ""]) == not_indexed
    assert t["index"].reindex(sorted(not_indexed)).isna().all()
    reasons = t.loc[sorted(not_indexed), "excluded"]
    assert reasons.str.contains("300 Einwohner|Platzhalterzeile|Ausreißer").all()


def test_a_wrong_cutoff_would_change_groups(table, edition) -> None:
    """The test can fail: moving one class boundary changes published groups."""
    published = _published(table, "status").astype(int)
    coin = reproduce_edition(table, edition.year, name=None).coin
    agree = int((coin.class_codes.reindex(published.index).astype(int) == published).sum())
    assert agree == edition.status_agree
    coin.set("classify", cutoffs=[-1.0, 1.0, 1.4])
    moved = int((coin.class_codes.reindex(published.index).astype(int) == published).sum())
    assert moved < agree
    dyn = _published(table, "dynamik")
    coin.set("dynamics", cutoffs=[-1.1, 1.0])
    moved_dyn = int((coin.dynamics_class_codes.reindex(dyn.index) == dyn).sum())
    assert moved_dyn < edition.dynamics_agree


def test_published_z_values_are_reproduced(reproduction, edition) -> None:
    """z(S…), their sum and z(D1) as published (Tabelle 3), within the publisher's rounding."""
    z = pd.read_csv(edition.zvalues, dtype={"id": str}).set_index("id")
    assert len(z) == edition.indexed
    coin = reproduction.coin
    ours = coin.matrix("normalised").reindex(z.index)
    codes = [c for c in z.columns if c.startswith("z_S")]
    assert len(codes) == ours.shape[1]
    for column, published in zip(ours.columns, codes, strict=True):
        np.testing.assert_allclose(ours[column], z[published], atol=1e-4, rtol=0)
    np.testing.assert_allclose(coin.index.reindex(z.index), z["statusindex"], atol=1e-4, rtol=0)
    if "statusindex_z" in z.columns:  # MSS 2017 also publishes the standardised index
        index = coin.index.reindex(z.index)
        standardised = (index - index.mean()) / index.std(ddof=0)
        np.testing.assert_allclose(standardised, z["statusindex_z"], atol=1e-4, rtol=0)
    change = coin.matrix("change_normalised").reindex(z.index)
    np.testing.assert_allclose(change.iloc[:, 0], z["z_D1"], atol=1e-4, rtol=0)
    # the sample SD (ddof = 1) would miss the published values by more than the rounding
    sample = coin.copy().set("normalise", ddof=1)
    diff = (sample.matrix("normalised").reindex(z.index).iloc[:, 0] - z[codes[0]]).abs().max()
    assert diff > 1e-3


def test_one_command_reproduces_the_published_table(tmp_path, capsys, edition) -> None:
    """``reproduce-published --strict`` writes our groups next to the published ones and
    exits 0 only if every published group is met."""
    from sozialanalyse.cli import main

    out = tmp_path / f"mss{edition.year}.csv"
    full = edition.status_agree == edition.dynamics_agree == edition.indexed
    assert main(["reproduce-published", str(edition.table), "--edition", str(edition.year),
                 "--strict", "--out", str(out)]) == (0 if full else 1)
    shown = capsys.readouterr().out
    assert "Statusgruppe" in shown and "Dynamikgruppe" in shown
    written = pd.read_csv(out, dtype={"area": str})
    indexed = written.dropna(subset=["status_published"])
    assert len(indexed) == edition.indexed
    assert int(indexed["status_agrees"].sum()) == edition.status_agree
    assert int(indexed["dynamics_agrees"].sum()) == edition.dynamics_agree


def test_plain_index_command_reads_the_column_codes(tmp_path, capsys, edition, table) -> None:
    """``index --preset berlin_mss --edition`` maps S1 … / D1 … to the preset's indicators
    and gives the published groups (the ranks table carries the German class words)."""
    from sozialanalyse.cli import main

    out = tmp_path / "rang.csv"
    assert main(["index", str(edition.table), "--preset", "berlin_mss", "--edition",
                 str(edition.year), "--out", str(out)]) == 0
    assert "Spalten nach den Codes der Methode gelesen: S1 → arbeitslosigkeit" in (
        capsys.readouterr().out)
    ranks = pd.read_csv(out, dtype={"area": str}).set_index("area")
    words = {"hoch": "1", "mittel": "2", "niedrig": "3", "sehr niedrig": "4"}
    dyn = {"positiv": "+", "stabil": "+/-", "negativ": "-"}
    published = table.set_index("id").loc[lambda t: t["status"] != ""]
    assert len(ranks) == edition.indexed and set(ranks.index) == set(published.index)
    ours = ranks["class"].map(words).reindex(published.index)
    assert int((ours == published["status"]).sum()) == edition.status_agree
    ours_dyn = ranks["dynamics_class"].map(dyn).reindex(published.index)
    assert int((ours_dyn == published["dynamik"]).sum()) == edition.dynamics_agree
