"""Berlin MSS 2019 reproduced from its complete published table (all 447 Planungsräume).

The fixture (``tests/fixtures/berlin_mss_2019``, source in its README) is the published
table: indicators S1, S3, S4, changes D1, D3, D4, residents and the published status and
dynamics groups. Since it has every area, the city-wide standardisation is Berlin's own, so
the preset ``berlin_mss_2019`` must give every published group.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sozialanalyse.index.published import reproduce_edition

TABLE = Path(__file__).parent / "fixtures" / "berlin_mss_2019" / "mss2019_planungsraeume.csv"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(TABLE, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def reproduction(table):
    return reproduce_edition(table, 2019, name=None)


def test_fixture_is_the_complete_table(table) -> None:
    assert len(table) == 447 and table["id"].is_unique
    assert (table["status"] != "").sum() == 436
    assert set(table["status"]) == {"", "1", "2", "3", "4"}
    assert set(table["dynamik"]) == {"", "+", "+/-", "-"}


def test_every_published_status_and_dynamics_group_is_reproduced(reproduction) -> None:
    agree = reproduction.agreement
    for quantity in ("status", "dynamics"):
        row = agree.loc[quantity]
        assert row["n_compared"] == 436
        assert row["n_agree"] == 436
        assert row["only_ours"] == 0 and row["only_published"] == 0
    assert reproduction.exact


def test_non_indexed_areas_are_excluded_with_their_reason(reproduction, table) -> None:
    t = reproduction.table
    not_indexed = set(table.loc[table["status"] == "", "id"])
    assert set(t.index[t["excluded"] != ""]) == not_indexed
    assert t["index"].reindex(sorted(not_indexed)).isna().all()
    assert "Ausreißer" in t.loc["10010203", "excluded"]
    assert "Platzhalterzeile" in t.loc["04041239", "excluded"]  # 353 residents, all zeros
    assert "300 Einwohner" in t.loc["01011102", "excluded"]


def test_sample_standard_deviation_would_not_reproduce_berlin(table) -> None:
    """The test can fail: with the sample SD (ddof = 1) in the classes, groups change."""
    rep = reproduce_edition(table, 2019, name=None)
    coin = rep.coin
    published = table.set_index("id")["status"].loc[lambda s: s != ""].astype(int)
    ours = coin.class_codes.reindex(published.index).astype(int)
    assert (ours == published).all()
    coin.set("normalise", ddof=1).set("classify", ddof=1)
    changed = coin.class_codes.reindex(published.index).astype(int)
    assert (changed != published).sum() >= 1


def test_published_z_values_and_status_index_are_reproduced(reproduction) -> None:
    """z(S1), z(S3), z(S4), their sum and z(D1) as published (MSS 2019, Tabelle 3)."""
    z = pd.read_csv(TABLE.with_name("mss2019_zwerte.csv"), dtype={"id": str}).set_index("id")
    assert len(z) == 436
    coin = reproduction.coin
    ours = coin.matrix("normalised").reindex(z.index)
    for column, published in zip(ours.columns, ("z_S1", "z_S3", "z_S4"), strict=True):
        np.testing.assert_allclose(ours[column], z[published], atol=1e-4, rtol=0)
    np.testing.assert_allclose(coin.index.reindex(z.index), z["statusindex"], atol=1e-4, rtol=0)
    change = coin.matrix("change_normalised").reindex(z.index)
    np.testing.assert_allclose(change.iloc[:, 0], z["z_D1"], atol=1e-4, rtol=0)
    # the sample SD (ddof = 1) would miss the published values by more than the rounding
    sample = coin.copy().set("normalise", ddof=1)
    diff = (sample.matrix("normalised").reindex(z.index).iloc[:, 0] - z["z_S1"]).abs().max()
    assert diff > 1e-3


def test_one_command_reproduces_the_published_table(tmp_path, capsys) -> None:
    """``reproduce-published --strict`` exits 0 only if every published group is met."""
    from sozialanalyse.cli import main

    out = tmp_path / "mss2019.csv"
    assert main(["reproduce-published", str(TABLE), "--edition", "2019", "--strict",
                 "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "Statusgruppe" in shown and "Dynamikgruppe" in shown and "100,0" in shown
    written = pd.read_csv(out, dtype={"area": str})
    indexed = written.dropna(subset=["status_published"])
    assert len(indexed) == 436 and indexed["status_agrees"].all()
    assert indexed["dynamics_agrees"].all()
    # an explicitly named name column that is not there is still an error
    assert main(["reproduce-published", str(TABLE), "--edition", "2019",
                 "--name-column", "Gebietsname"]) == 2
