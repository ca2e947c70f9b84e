"""Tests for data/published: tables of figures quoted from public documents.

Checks run on every clone: each table validates against its Frictionless Table Schema, every
``source_id`` resolves in ``sources.csv``, keys are unique, units are present, period and
missing-year rows are explained. When the source collection ``../shared/sources`` is present
(the project's working copy), further tests compare every row with the source files, so that no
value exists here that is not in a source and no caveat was lost.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pytest
from frictionless import Resource, Schema

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "published"
SCHEMAS = PUBLISHED / "schemas"
SHARED = ROOT.parent / "shared"
SHARED_SOURCES = SHARED / "sources"
SEEDS = SHARED / "seeds"

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason="seed documents ../shared/seeds not present (fresh clone): "
    "comparison with the seeds skipped",
)
needs_shared = pytest.mark.skipif(
    not SHARED_SOURCES.is_dir(),
    reason="source collection ../shared/sources not present (fresh clone): "
    "comparison with the original source files skipped",
)

FACT_KEY = ("area", "indicator", "breakdown", "year")
# words by which the source collection marks a doubtful reading
FLAG_WORDS = ("DOUBTFUL", "FLAG", "INCONSISTENT", "UNKNOWN", "garble")

# source file in ../shared/sources/before_after -> published table
BEFORE_AFTER = {
    "bremen.csv": "hze_bremen",
    "de_national.csv": "hze_national",
    "sachsen_dresden_leipzig.csv": "hze_sachsen",
    "graz_austria.csv": "hze_graz_austria",
    "other_regions.csv": "hze_other_regions",
}


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file as a list of string dictionaries (no type conversion)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def table_names() -> list[str]:
    """Names of all published tables (CSV files in data/published)."""
    return sorted(p.stem for p in PUBLISHED.glob("*.csv"))


def schema_fields(name: str) -> list[str]:
    """Field names of a table's schema."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return [f["name"] for f in schema["fields"]]


def fact_tables() -> list[str]:
    """Tables in the area x indicator x breakdown x year layout."""
    return [n for n in table_names() if "indicator" in schema_fields(n)]


def tables_with_source_id() -> list[str]:
    return [n for n in table_names() if n != "sources" and "source_id" in schema_fields(n)]


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    return {r["source_id"] for r in read_csv(PUBLISHED / "sources.csv")}


# --------------------------------------------------------------------------- every clone


def test_every_table_has_a_schema_and_every_schema_a_table() -> None:
    tables = set(table_names())
    schemas = {p.stem for p in SCHEMAS.glob("*.json")}
    assert tables, "no tables in data/published"
    assert tables == schemas


@pytest.mark.parametrize("name", table_names())
def test_table_matches_its_schema(name: str) -> None:
    descriptor = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    schema = Schema.from_descriptor(descriptor)
    report = Resource(path=f"{name}.csv", basepath=str(PUBLISHED), schema=schema).validate()
    errors = report.flatten(["rowNumber", "fieldName", "message"])
    assert report.valid, errors[:5]
    # header order equals schema order (frictionless matches by position)
    with open(PUBLISHED / f"{name}.csv", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == schema_fields(name)


@pytest.mark.parametrize("name", table_names())
def test_schema_fields_are_documented(name: str) -> None:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    for field in schema["fields"]:
        assert field.get("type"), field["name"]
        assert "Unit:" in field.get("description", ""), f"{name}.{field['name']} lacks a unit"


def test_sources_registry_ids_unique_and_complete() -> None:
    rows = read_csv(PUBLISHED / "sources.csv")
    ids = [r["source_id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        for col in ("title", "publisher", "date", "url_or_document", "reliability"):
            assert r[col].strip(), (r["source_id"], col)
    for seed in (
        "SEED_DRESDEN_2017",
        "SEED_LEIPZIG_STUDIENREISE",
        "SEED_LEIPZIG_PM",
        "SEED_VOGELSBERG",
        "SEED_GRAZ_BLOG",
    ):
        assert seed in ids


@pytest.mark.parametrize("name", tables_with_source_id())
def test_every_source_id_resolves(name: str, source_ids: set[str]) -> None:
    used = {r["source_id"] for r in read_csv(PUBLISHED / f"{name}.csv")}
    assert used, name
    assert used <= source_ids, sorted(used - source_ids)


@pytest.mark.parametrize("name", fact_tables())
def test_fact_keys_unique(name: str) -> None:
    rows = read_csv(PUBLISHED / f"{name}.csv")
    keys = [tuple(r[k] for k in FACT_KEY) for r in rows]
    dupes = {k for k in keys if keys.count(k) > 1}
    assert not dupes, sorted(dupes)[:5]


@pytest.mark.parametrize("name", fact_tables())
def test_units_present_and_values_finite(name: str) -> None:
    for i, r in enumerate(read_csv(PUBLISHED / f"{name}.csv"), start=1):
        assert r["unit"].strip(), f"{name} row {i}: no unit"
        assert math.isfinite(float(r["value"])), f"{name} row {i}"
        assert "," not in r["value"], f"{name} row {i}: decimal comma or thousands separator"


@pytest.mark.parametrize("name", fact_tables())
def test_periods_and_missing_years_are_explained(name: str) -> None:
    for i, r in enumerate(read_csv(PUBLISHED / f"{name}.csv"), start=1):
        if r["year"] and r["year_from"]:
            assert int(r["year_from"]) < int(r["year"]), f"{name} row {i}"
        if not r["year"]:
            assert r["note"].strip(), f"{name} row {i}: no year and no note saying why"


@pytest.mark.parametrize("name", tables_with_source_id())
def test_rows_from_doubtful_sources_carry_a_note(name: str) -> None:
    """A source graded D (doubtful) in the registry must not be quoted without its caveat."""
    doubtful = {
        r["source_id"]
        for r in read_csv(PUBLISHED / "sources.csv")
        if re.match(r"^(\*\*)?(C/)?D\b", r["reliability"])
    }
    for i, r in enumerate(read_csv(PUBLISHED / f"{name}.csv"), start=1):
        if r["source_id"] in doubtful:
            assert r["note"].strip(), f"{name} row {i} quotes doubtful {r['source_id']} bare"


def categorical_tables() -> list[str]:
    """Tables of text-valued facts (area x attribute)."""
    return [n for n in table_names() if "attribute" in schema_fields(n)]


@pytest.mark.parametrize("name", categorical_tables())
def test_categorical_keys_unique(name: str) -> None:
    rows = read_csv(PUBLISHED / f"{name}.csv")
    keys = [(r["area"], r["area_code"], r["attribute"], r["source_id"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert all(r["value_text"].strip() for r in rows)


def test_stadtraum_codes_valid() -> None:
    checked = 0
    for name in table_names():
        if "area_level" not in schema_fields(name):
            continue
        for i, r in enumerate(read_csv(PUBLISHED / f"{name}.csv"), start=1):
            if r["area_level"] == "stadtraum":
                assert re.fullmatch(r"SR(0[1-9]|1[0-7])", r["area_code"]), f"{name} row {i}"
                checked += 1
    assert checked > 0


def test_stadtraum_types_are_consistent() -> None:
    """Each Stadtraum has one type letter, and a letter always carries the same label."""
    rows = read_csv(PUBLISHED / "dresden_stadtraum_merkmale.csv")
    letter = {r["area_code"]: r["value_text"] for r in rows if r["attribute"] == "stadtraumtyp"}
    label = {
        r["area_code"]: r["value_text"]
        for r in rows
        if r["attribute"] == "stadtraumtyp_bezeichnung"
    }
    assert letter and set(letter) == set(label)
    pairs = {(letter[c], label[c]) for c in letter}
    assert len(pairs) == len({p[0] for p in pairs})
    # the three reference areas of the study are one per type
    ref = [r["area_code"] for r in rows if r["attribute"] == "bezugsraum_2017"]
    assert sorted(letter[c] for c in ref) == sorted(set(letter.values()))


def test_open_data_figures_not_duplicated_here() -> None:
    """Dresden open-data tables are derived by code into data/derived, not quoted here."""
    for name in tables_with_source_id():
        used = {r["source_id"] for r in read_csv(PUBLISHED / f"{name}.csv")}
        assert not any(s.startswith("OD_") for s in used), name


def test_reform_starts_unique_events() -> None:
    rows = read_csv(PUBLISHED / "reform_starts.csv")
    keys = [(r["area"], r["event"]) for r in rows]
    assert len(keys) == len(set(keys))


# ------------------------------------------------------- comparison with the source collection


def _num(text: str) -> float:
    return float(text)


@needs_shared
@pytest.mark.parametrize("source_file", sorted(BEFORE_AFTER))
def test_before_after_rows_equal_source(source_file: str) -> None:
    """Every source row is in the table with the same value, unit, source and caveat; and the
    table has no row that the source file lacks."""
    src = read_csv(SHARED_SOURCES / "before_after" / source_file)
    pub = read_csv(PUBLISHED / f"{BEFORE_AFTER[source_file]}.csv")
    by_key: dict[tuple[str, str, str, str], list[dict[str, str]]] = {}
    for r in pub:
        by_key.setdefault((r["area"], r["indicator"], r["year"], r["source_id"]), []).append(r)
    used: set[int] = set()
    for s in src:
        hits = [
            r
            for r in by_key.get((s["area"], s["series"], s["year"], s["source_id"]), [])
            if _num(r["value"]) == _num(s["value"])
        ]
        if hits:
            assert len(hits) == 1, s
            r = hits[0]
            assert r["unit"] == s["unit"], s
            assert s["note"] in r["note"], s
            used.add(id(r))
            continue
        # merged duplicate: the same fact from a second source, named in the primary row's note
        merged = [
            r
            for r in pub
            if (r["area"], r["indicator"], r["year"]) == (s["area"], s["series"], s["year"])
            and s["source_id"] in r["note"]
        ]
        assert len(merged) == 1, f"source row missing from published table: {s}"
        assert math.isclose(_num(merged[0]["value"]), _num(s["value"]), rel_tol=1e-3), s
    extra = [r for r in pub if id(r) not in used]
    assert not extra, f"rows without a source row: {extra[:3]}"


@needs_shared
def test_reform_starts_equal_source() -> None:
    src = read_csv(SHARED_SOURCES / "before_after" / "interventions.csv")
    pub = read_csv(PUBLISHED / "reform_starts.csv")
    want = {(s["area"], s["series"], s["year"], s["source_id"], s["note"]) for s in src}
    got = {(r["area"], r["event"], r["year"], r["source_id"], r["note"]) for r in pub}
    assert all(s["value"] == "1" for s in src)
    assert got == want


@needs_shared
def test_doubtful_flags_preserved() -> None:
    """Every caveat word marking a doubtful reading in the source files survives verbatim."""
    checked = 0
    for source_file, table in BEFORE_AFTER.items():
        pub_notes = [r["note"] for r in read_csv(PUBLISHED / f"{table}.csv")]
        for s in read_csv(SHARED_SOURCES / "before_after" / source_file):
            if any(w in s["note"] for w in FLAG_WORDS):
                assert any(s["note"] in n for n in pub_notes), s
                checked += 1
    assert checked >= 5


@needs_shared
def test_registry_has_every_id_of_the_source_collection(source_ids: set[str]) -> None:
    """All ids of the SOURCES.md files appear unchanged in sources.csv."""
    cell = re.compile(r"^\|\s*([A-Z][A-Z0-9_]*(?:\s*/\s*_\d{4})*)\s*\|")
    found: set[str] = set()
    for md in SHARED_SOURCES.glob("*/SOURCES.md"):
        for line in md.read_text(encoding="utf-8").splitlines():
            m = cell.match(line)
            if not m:
                continue
            parts = [p.strip() for p in m.group(1).split("/")]
            stem = parts[0].rsplit("_", 1)[0]
            found.add(parts[0])
            found.update(stem + p for p in parts[1:])
    assert len(found) > 150
    assert found <= source_ids, sorted(found - source_ids)


# ----------------------------------------------------------------- comparison with the seeds


def _seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


NUMBER_WORDS = {"1": "ein", "2": "zwei", "3": "drei", "4": "vier"}


def _german(value: str) -> str:
    """Format a '.'-decimal value as printed in a German document ('0.002' -> '0,002')."""
    return value.replace(".", ",")


def _printed_in(value: str, text: str) -> bool:
    """Whether a value occurs in a German text as a number token or as a number word."""
    number = re.escape(_german(value))
    if re.search(rf"(?<![\d,]){number}(?![\d,])", text):
        return True
    word = NUMBER_WORDS.get(value)
    return word is not None and re.search(rf"\b{word}\w*\b", text, re.IGNORECASE) is not None


def seed_rows(source_id: str) -> list[dict[str, str]]:
    rows = []
    for name in fact_tables():
        rows += [r for r in read_csv(PUBLISHED / f"{name}.csv") if r["source_id"] == source_id]
    return rows


SEED_PREFIX = {
    "SEED_DRESDEN_2017": "004",
    "SEED_LEIPZIG_STUDIENREISE": "000",
    "SEED_LEIPZIG_PM": "001",
    "SEED_VOGELSBERG": "002",
    "SEED_GRAZ_BLOG": "003",
}


@needs_seeds
@pytest.mark.parametrize("source_id", sorted(SEED_PREFIX))
def test_seed_values_and_quotes_occur_in_seed(source_id: str) -> None:
    """Every figure taken from a seed occurs there (German number format), and every text the
    note quotes as printed ("printed '...'", "slide '...'") is found in the seed."""
    text = _squash(_seed_text(SEED_PREFIX[source_id]))
    rows = seed_rows(source_id)
    cats = []
    for name in categorical_tables():
        cats += [r for r in read_csv(PUBLISHED / f"{name}.csv") if r["source_id"] == source_id]
    assert rows or cats, f"nothing taken from {source_id}"
    for r in rows:
        assert _printed_in(r["value"], text), r
    for r in cats:
        if r["value_text"] in ("ja", "yes"):  # a flag set by us: the area itself must be named
            assert any(w.strip() in text for w in r["area"].split("/")), r
        else:  # words, since converted slides may break a label over two cells
            assert all(w in text for w in r["value_text"].split()), r
    for r in rows + cats:
        for quote in re.findall(r"(?:printed|prints|slide|headed) '([^']+)'", r["note"]):
            assert _squash(quote) in text, (r.get("indicator") or r["attribute"], quote)


@needs_seeds
def test_stadtraum_type_lists_equal_seed() -> None:
    """Re-read the three-column type list of the seed slide and compare with the table."""
    lines = _seed_text("004").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Zum Auswahlprozess"))
    stop = next(i for i in range(start, len(lines)) if lines[i].startswith("zusammengefasste"))
    block = [ln.split("\t") for ln in lines[start + 1 : stop] if ln.strip()]
    head1, head2, body = block[0], block[1], block[2:]
    letters = [re.search(r"Stadtraumtyp ([A-E])", c).group(1) for c in head1 if c.strip()]
    labels = [
        (re.sub(r"Stadtraumtyp [A-E]\s*", "", a) + " " + b).replace('"', "").strip()
        for a, b in zip(head1[: len(letters)], head2[: len(letters)], strict=True)
    ]
    want_type: dict[str, str] = {}
    for col, letter in enumerate(letters):
        for row in body:
            cell = row[col].strip() if col < len(row) else ""
            m = re.fullmatch(r"SR (\d+)", cell)
            if m:
                want_type[f"SR{int(m.group(1)):02d}"] = letter
    rows = read_csv(PUBLISHED / "dresden_stadtraum_merkmale.csv")
    got_type = {r["area_code"]: r["value_text"] for r in rows if r["attribute"] == "stadtraumtyp"}
    got_label = {r["value_text"] for r in rows if r["attribute"] == "stadtraumtyp_bezeichnung"}
    assert len(want_type) == 11
    assert got_type == want_type
    assert got_label == set(labels)


@needs_shared
def test_stadtraum_names_agree_with_reference() -> None:
    """The names under which the seed lists a Stadtraum fit the SR number in the reference list,
    and the Teilfachplan names equal the source collection."""
    ref = {
        f"SR{int(r['sr_nr']):02d}": r
        for r in read_csv(SHARED_SOURCES / "dresden" / "stadtraum_reference.csv")
    }
    rows = read_csv(PUBLISHED / "dresden_stadtraum_merkmale.csv")
    for r in rows:
        known = ref[r["area_code"]]
        if r["attribute"] == "stadtraumtyp":
            words = [w.strip() for w in r["area"].split("/")]
            names = " ".join(
                (known["sr_name_teilfachplan_2013_2016"], known["sr_name_opendata_statistik"])
            )
            assert any(w in names for w in words), (r["area_code"], r["area"])
        if r["attribute"] == "name_teilfachplan_2013_2016":
            assert r["value_text"] == known["sr_name_teilfachplan_2013_2016"]
    assert sum(r["attribute"] == "name_teilfachplan_2013_2016" for r in rows) == 17


@needs_shared
def test_dresden_document_rows_equal_source() -> None:
    """The non-open-data rows of dresden/indicators_long.csv, one to one."""
    src = [
        r
        for r in read_csv(SHARED_SOURCES / "dresden" / "indicators_long.csv")
        if not r["source_id"].startswith("OD_")
    ]
    pub = read_csv(PUBLISHED / "dresden_jugendhilfe.csv")
    assert len(src) == len(pub)
    for s, r in zip(src, pub, strict=True):
        assert (r["indicator"], r["breakdown"], r["year"], r["unit"], r["source_id"]) == (
            s["indicator"],
            s["breakdown"],
            s["year"],
            s["unit"],
            s["source_id"],
        )
        assert _num(r["value"]) == _num(s["value"])
        assert s["note"] in r["note"] and s["stichtag"] in r["note"]


# ------------------------------------------------ cross-checks between tables (every clone)


def _facts(name: str) -> dict[tuple[str, str, str, str], float]:
    return {
        (r["area"], r["indicator"], r["breakdown"], r["year"]): float(r["value"])
        for r in read_csv(PUBLISHED / f"{name}.csv")
    }


GRAZ_2009_NAMES = {
    "Soziale_Dienste_cases": "soziale_dienste",
    "Unterstuetzung_der_Erziehung_cases": "ude_unterstuetzung_erziehung",
    "Volle_Erziehung_cases": "ve_volle_erziehung",
    "total_support_cases": "jwf_total",
}
GRAZ_AREAS = ["Graz SR1 Nordost", "Graz SR2 Suedost", "Graz SR3 Suedwest", "Graz SR4 Nordwest"]


def test_graz_2009_table_same_in_both_collections_and_adds_up() -> None:
    """The 2009 Graz table was transcribed twice (ids G04 and MRB_GRAZ_2009); both copies agree,
    and the Sozialräume add up to the city total and the help types to the row total."""
    a, b = _facts("graz_kennzahlen"), _facts("hze_graz_austria")
    for area in [*GRAZ_AREAS, "Graz gesamt"]:
        for mine, theirs in GRAZ_2009_NAMES.items():
            assert a[(area, mine, "", "2009")] == b[(area, theirs, "", "2009")], (area, mine)
        parts = sum(a[(area, m, "", "2009")] for m in list(GRAZ_2009_NAMES)[:3])
        assert parts == a[(area, "total_support_cases", "", "2009")], area
    for mine in GRAZ_2009_NAMES:
        total = sum(a[(area, mine, "", "2009")] for area in GRAZ_AREAS)
        assert total == a[("Graz gesamt", mine, "", "2009")], mine


def test_graz_districts_per_sozialraum() -> None:
    """The district counts equal the district lists, and the four Sozialräume cover 17 districts."""
    facts = _facts("graz_kennzahlen")
    lists = {
        r["area"]: r["value_text"].split(";")
        for r in read_csv(PUBLISHED / "leipzig_graz_merkmale.csv")
        if r["attribute"] == "bezirke"
    }
    assert set(lists) == set(GRAZ_AREAS)
    for area, districts in lists.items():
        assert facts[(area, "n_bezirke", "", "")] == len(districts)
    assert sum(len(d) for d in lists.values()) == 17


def test_leipzig_cases_same_in_both_collections() -> None:
    """Leipzig's HzE case series appears in the before/after and in the Leipzig collection."""
    a, b = _facts("leipzig_hze"), _facts("hze_sachsen")
    pairs = [("HzE_cases", "hze_faelle", y) for y in ("2010", "2014", "2016")]
    pairs += [("HzE_cases_avg", "hze_faelle_avg", y) for y in ("2019", "2020")]
    for mine, theirs, year in pairs:
        assert a[("Leipzig (Stadt)", mine, "", year)] == b[("Leipzig", theirs, "", year)], year


def test_leipzig_ortsteile_codes() -> None:
    rows = read_csv(PUBLISHED / "leipzig_ortsteile.csv")
    assert len(rows) == 63
    assert len({r["stadtbezirk"] for r in rows}) == 10
    for r in rows:
        assert r["ortsteil_code"][0] == r["stadtbezirk_code"], r


def test_leipzig_seed_figures_agree_with_press_release_copy() -> None:
    """The seed (back-translated release) and its German original L02 give the same counts."""
    seed, lg = _facts("seed_kennzahlen"), _facts("leipzig_gebiete")
    for ind in (
        "Kinder_und_Familienzentren",
        "KiFaZ_with_Kita_Sozialarbeit",
        "Grundschulen_with_Schulsozialarbeit",
        "Grundschulen_total",
    ):
        key = ("Leipzig (Stadt)", ind, "", "2021")
        assert seed[key] == lg[key]


# ------------------------------------------- comparison with the Leipzig/Graz source collection

LEIPZIG_GRAZ = {
    "leipzig_hze_city.csv": "leipzig_hze",
    "leipzig_areas.csv": "leipzig_gebiete",
    "graz_indicators.csv": "graz_kennzahlen",
}
GRAZ_SR_NAMES = dict(
    zip(["SR1", "SR2", "SR3", "SR4", "Graz total"], [*GRAZ_AREAS, "Graz gesamt"], strict=True)
)


def _numbers(cell: str) -> list[float] | None:
    """Numbers in a value cell of the source collection; None for text values."""
    cell = cell.strip()
    m = re.fullmatch(r"(\d+)-(\d+)", cell)
    if m:
        return [float(m.group(1)), float(m.group(2))]
    try:
        return [float(cell.lstrip("<>+"))]
    except ValueError:
        return None


@needs_shared
@pytest.mark.parametrize("source_file", sorted(LEIPZIG_GRAZ))
def test_leipzig_graz_rows_equal_source(source_file: str) -> None:
    src = read_csv(SHARED_SOURCES / "leipzig_graz" / source_file)
    pub = read_csv(PUBLISHED / f"{LEIPZIG_GRAZ[source_file]}.csv")
    cats = read_csv(PUBLISHED / "leipzig_graz_merkmale.csv")
    used: set[int] = set()
    for s in src:
        area = GRAZ_SR_NAMES.get(s["area"], s["area"])
        sid = s["source_id"].split(";")[0]
        numbers = _numbers(s["value"])
        if numbers is None:
            hits = [
                c
                for c in cats
                if (c["area"], c["attribute"], c["source_id"], c["value_text"])
                == (area, s["indicator"], sid, s["value"])
            ]
            assert len(hits) == 1, s
            continue
        hits = [
            r
            for r in pub
            if (r["area"], r["indicator"], r["source_id"]) == (area, s["indicator"], sid)
            and s["note"] in r["note"]
        ]
        year_hits = [
            r
            for r in hits
            if r["year"] == s["year"]
            or f"'{s['year']}'" in r["note"]
            or f"{r['year_from']}-{r['year']}" == s["year"]
        ]
        if not year_hits:  # merged duplicate: named in the primary row's note
            merged = [
                r
                for r in pub
                if (r["area"], r["indicator"], r["year"]) == (area, s["indicator"], s["year"])
                and sid in r["note"]
                and s["value"] in r["note"]
            ]
            assert len(merged) == 1, f"source row missing: {s}"
            continue
        assert sorted(float(r["value"]) for r in year_hits) == numbers, s
        assert all(r["unit"] == s["unit"] for r in year_hits), s
        used.update(id(r) for r in year_hits)
    extra = [r for r in pub if id(r) not in used and r["indicator"] != "n_bezirke"]
    assert not extra, extra[:3]


@needs_shared
def test_graz_sozialraeume_equal_source() -> None:
    src = read_csv(SHARED_SOURCES / "leipzig_graz" / "graz_sozialraeume.csv")
    cats = read_csv(PUBLISHED / "leipzig_graz_merkmale.csv")
    facts = _facts("graz_kennzahlen")
    for s in src:
        area = GRAZ_SR_NAMES[s["sozialraum"]]
        for col in ("jugendamt", "bezirke", "regional_office_opened", "private_traeger_since_2015"):
            got = [c["value_text"] for c in cats if (c["area"], c["attribute"]) == (area, col)]
            assert got == ([] if s[col] == "not found" else [s[col]]), (area, col)
        assert facts[(area, "n_bezirke", "", "")] == float(s["n_bezirke"])


@needs_shared
def test_leipzig_ortsteile_equal_source() -> None:
    src = read_csv(SHARED_SOURCES / "leipzig_graz" / "leipzig_ortsteile.csv")
    pub = read_csv(PUBLISHED / "leipzig_ortsteile.csv")
    cols = ("ortsteil_code", "ortsteil", "stadtbezirk_code", "stadtbezirk")
    assert [tuple(r[c] for c in cols) for r in pub] == [tuple(s[c] for c in cols) for s in src]
    for r, s in zip(pub, src, strict=True):
        assert r["source_id"] == s["source_id"].split(";")[0]
