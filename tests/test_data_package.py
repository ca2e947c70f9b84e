"""data/datapackage.json: Frictionless validation, completeness, hashes, raw-file checks."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from frictionless import validate

import sozialanalyse.data as sd
from sozialanalyse.data.datapackage import build_descriptor, published_schema
from sozialanalyse.data.raw import verify_raw, write_sha256sums
from sozialanalyse.data.registry import RAW_FILES, data_dir
from sozialanalyse.errors import InputDataError

DATA = data_dir()


def test_frictionless_validates_whole_package():
    report = validate(str(DATA / "datapackage.json"))
    problems = [
        (task.name, [e.message for e in task.errors][:2]) for task in report.tasks if not task.valid
    ]
    assert report.valid, (report.errors, problems)


def test_datapackage_is_up_to_date():
    committed = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    assert committed == build_descriptor(DATA), (
        "data/datapackage.json is stale: run sozialanalyse.data.write_datapackage()"
    )


def test_every_file_is_a_resource():
    names = set(sd.list_resources())
    paths = {r["path"] for r in json.loads((DATA / "datapackage.json").read_text())["resources"]}
    for path in (DATA / "derived").glob("*.csv"):
        assert path.stem in names
    for path in (DATA / "published").glob("*.csv"):
        assert f"published/{path.name}" in paths, f"{path.name} missing from datapackage.json"
    for raw in RAW_FILES:
        assert f"raw/{raw.path}" in paths


def test_every_published_csv_has_a_schema():
    # A published table without its Frictionless schema must fail loudly, never be guessed.
    for path in sorted((DATA / "published").glob("*.csv")):
        schema = published_schema(path)
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert [f["name"] for f in schema["fields"]] == header, path.name


def test_missing_published_schema_is_an_error(tmp_path):
    (tmp_path / "published").mkdir()
    csv_path = tmp_path / "published" / "orphan.csv"
    csv_path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="no Frictionless table schema"):
        published_schema(csv_path)


def test_every_resource_loads_with_german_names_intact():
    for name in sd.list_resources():
        frame = sd.load(name)
        assert len(frame) > 0, name
    cw = sd.load("dresden_crosswalk")
    assert "Äußere Neustadt (Antonstadt)" in set(cw["stadtteil_name"])
    sr = sd.load("dresden_stadtraum_indicators")
    assert sr["area_code"].dtype == object and "01" in set(sr["area_code"])


def test_unknown_resource_lists_available_names():
    with pytest.raises(KeyError, match="dresden_stadtraum_indicators"):
        sd.load("dresden_stadtraum")


def test_raw_files_match_sha256sums():
    checked = verify_raw()
    assert len(checked) == len(RAW_FILES) == 39


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA / "raw", target / "raw")
    shutil.copytree(DATA / "derived", target / "derived")
    shutil.copy(DATA / "datapackage.json", target / "datapackage.json")
    return target


def test_changed_raw_file_is_named(tmp_path):
    data = _copy_data(tmp_path)
    victim = data / "raw" / RAW_FILES[5].path
    victim.write_bytes(victim.read_bytes().replace(b"\r\n", b"\n"))  # re-saved with LF
    with pytest.raises(InputDataError) as err:
        verify_raw(data / "raw")
    assert RAW_FILES[5].path in str(err.value)
    assert "changed" in str(err.value)


def test_missing_raw_file_and_missing_hash_are_reported(tmp_path):
    data = _copy_data(tmp_path)
    (data / "raw" / RAW_FILES[0].path).unlink()
    with pytest.raises(InputDataError, match="missing"):
        verify_raw(data / "raw")
    shutil.copy(DATA / "raw" / RAW_FILES[0].path, data / "raw" / RAW_FILES[0].path)
    sums = data / "raw" / "SHA256SUMS"
    lines = [ln for ln in sums.read_text().splitlines() if RAW_FILES[0].path not in ln]
    sums.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputDataError, match="no entry in SHA256SUMS"):
        verify_raw(data / "raw")
    write_sha256sums(data / "raw")
    assert len(verify_raw(data / "raw")) == 39


def test_load_refuses_file_changed_after_packaging(tmp_path):
    data = _copy_data(tmp_path)
    target = data / "derived" / "dresden_crosswalk.csv"
    target.write_text(target.read_text(encoding="utf-8").replace("3560", "3561"), encoding="utf-8")
    with pytest.raises(InputDataError, match="differs from the version described"):
        sd.load("dresden_crosswalk", root=data)
    # without the hash check, the schema still catches a negative count
    text = target.read_text(encoding="utf-8").replace(",3561,", ",-5,")
    target.write_text(text, encoding="utf-8")
    with pytest.raises(InputDataError, match="population"):
        sd.load("dresden_crosswalk", root=data, check_hash=False)


def test_load_cache_returns_independent_copies_and_sees_same_size_edits(tmp_path):
    data = _copy_data(tmp_path)
    first = sd.load("dresden_crosswalk", root=data)
    first.iloc[0, 0] = "verändert"
    again = sd.load("dresden_crosswalk", root=data)
    assert again.iloc[0, 0] != "verändert"  # a copy, not the cached frame itself
    target = data / "derived" / "dresden_crosswalk.csv"
    text = target.read_text(encoding="utf-8")
    # same size, written within the file system's timestamp granularity: still detected
    target.write_text(text.replace("3560", "3561"), encoding="utf-8")
    with pytest.raises(InputDataError, match="differs from the version described"):
        sd.load("dresden_crosswalk", root=data)
    target.write_text(text, encoding="utf-8")
    pd.testing.assert_frame_equal(sd.load("dresden_crosswalk", root=data), again)


def test_frictionless_detects_changed_hash(tmp_path):
    data = _copy_data(tmp_path)
    descriptor = json.loads((data / "datapackage.json").read_text())
    descriptor["resources"] = [
        r for r in descriptor["resources"] if r["name"] == "dresden_crosswalk"
    ]
    (data / "datapackage.json").write_text(json.dumps(descriptor))
    target = data / "derived" / "dresden_crosswalk.csv"
    target.write_text(target.read_text(encoding="utf-8").replace("3560", "3561"), encoding="utf-8")
    assert not validate(str(data / "datapackage.json")).valid


def _bib_keys() -> dict[str, list[str]]:
    import re

    keys: dict[str, list[str]] = {}
    for bib in sorted((DATA.parent / "book" / "references").glob("*.bib")):
        for key in re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(encoding="utf-8"), re.M):
            keys.setdefault(key, []).append(bib.name)
    return keys


def test_every_source_id_of_derived_tables_has_a_bib_entry():
    keys = _bib_keys()
    assert all(len(files) == 1 for key, files in keys.items() if key.startswith(("OD_", "GEO_")))
    used = set()
    for name in sd.list_resources():
        if name.startswith("dresden_") and not name.endswith("_wide"):
            for cell in sd.load(name)["source_id"]:
                used.update(s.strip() for s in cell.split(";"))
    used |= {raw.source_id for raw in RAW_FILES}
    missing = sorted(used - set(keys))
    assert not missing, f"source_ids without a bib entry: {missing}"


def test_published_table_is_checked_against_its_own_schema(tmp_path):
    data = _copy_data(tmp_path)
    shutil.copytree(DATA / "published", data / "published")
    first = sorted((data / "published").glob("hze_*.csv"))[0]
    before = sd.load(first.stem, root=data)
    # an edit after datapackage.json was written does not block loading ...
    with open(first, "a", encoding="utf-8") as handle:
        handle.write("")
    assert len(sd.load(first.stem, root=data)) == len(before)
    # ... but a value that breaks the published schema is reported with the file
    schema = published_schema(first)
    number_fields = [f["name"] for f in schema["fields"] if f.get("type") == "number"]
    with open(first, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index(number_fields[0])] = "not-a-number"
    with open(first, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(InputDataError) as err:
        sd.load(first.stem, root=data)
    assert first.name in str(err.value)
