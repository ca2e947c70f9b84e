"""Load any resource of ``data/datapackage.json`` as a validated DataFrame."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from sozialanalyse.data.datapackage import published_schema
from sozialanalyse.data.raw import sha256_of
from sozialanalyse.data.registry import data_dir
from sozialanalyse.data.schemas import long_table_checks, pandera_schema
from sozialanalyse.errors import InputDataError


def read_descriptor(root: Path | None = None) -> dict[str, Any]:
    """Read ``data/datapackage.json``."""
    path = (root or data_dir()) / "datapackage.json"
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def list_resources(root: Path | None = None, origin: str | None = None) -> list[str]:
    """Names of the resources in ``data/datapackage.json`` (in package order).

    Parameters
    ----------
    root
        The ``data`` directory (default: the compendium's).
    origin
        Only resources of this layer: ``"raw"``, ``"derived"`` or ``"published"``.
    """
    resources = read_descriptor(root)["resources"]
    return [r["name"] for r in resources if origin is None or r.get("x_origin") == origin]


def _resource(name: str, root: Path | None) -> dict[str, Any]:
    resources = read_descriptor(root)["resources"]
    for res in resources:
        if res["name"] == name:
            return res
    fresh = (root or data_dir()) / "published" / f"{name}.csv"
    if fresh.exists():  # a published table added after datapackage.json was last written
        return {"name": name, "path": f"published/{name}.csv", "x_origin": "published"}
    names = ", ".join(r["name"] for r in resources if not r["name"].startswith("raw_"))
    raise KeyError(f"no resource named {name!r} in data/datapackage.json; available: {names}")


def _read_csv(path: Path, resource: dict[str, Any]) -> pd.DataFrame:
    schema = resource.get("schema", {})
    dialect = resource.get("dialect", {})
    fields = schema.get("fields", [])
    decimal_cols = [f["name"] for f in fields if f.get("decimalChar") == ","]
    frame = pd.read_csv(
        path,
        sep=dialect.get("delimiter", ","),
        dtype=str,
        keep_default_na=False,
        encoding="utf-8",
    )
    frame.columns = [c.strip() for c in frame.columns]
    missing = set(schema.get("missingValues", [""]))
    for field in fields:
        col = field["name"]
        if col not in frame.columns:
            continue
        text = frame[col]
        is_missing = text.isin(missing)
        ftype = field.get("type", "string")
        if ftype == "string":
            frame[col] = text.where(~is_missing, None) if is_missing.any() else text
            continue
        if col in decimal_cols:
            text = text.str.replace(",", ".", regex=False)
        if ftype == "boolean":
            mapped = text.str.lower().map({"true": True, "false": False})
            frame[col] = mapped.astype("boolean") if mapped.isna().any() else mapped.astype(bool)
            continue
        numbers = pd.to_numeric(text.where(~is_missing, None), errors="coerce")
        bad = numbers.isna() & ~is_missing
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 1
            raise InputDataError(
                f"expected a {ftype}, found {frame[col].iloc[row - 1]!r}",
                file=str(path), column=col, row=row,
            )
        if ftype == "integer":
            nullable = numbers.isna().any()
            frame[col] = numbers.astype("Int64" if nullable else "int64")
        else:
            frame[col] = numbers.astype(float)
    return frame


def _validate(frame: pd.DataFrame, resource: dict[str, Any], path: Path) -> pd.DataFrame:
    schema = resource.get("schema")
    if not schema:
        return frame
    checker = pandera_schema(schema, resource["name"])
    try:
        checker.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        first = cases.iloc[0]
        index = first.get("index")
        row = int(index) + 1 if index is not None and pd.notna(index) else None
        column = first.get("column")
        raise InputDataError(
            f"check '{first.get('check')}' failed for value {first.get('failure_case')!r} "
            f"({len(cases)} problem(s) in total)",
            file=str(path),
            column=None if column is None or pd.isna(column) else str(column),
            row=row,
        ) from None
    if {"indicator", "numerator", "denominator", "unit"} <= set(frame.columns):
        problems = long_table_checks(frame)
        if problems:
            raise InputDataError("; ".join(problems), file=str(path))
    return frame


#: Validated tables of this process, keyed by resource and the state of its files.
_CACHE: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def _file_state(path: Path) -> str | None:
    """SHA-256 of a file's bytes (``None`` if it does not exist): the cache key's part."""
    try:
        return sha256_of(path)
    except OSError:
        return None


def clear_cache() -> None:
    """Forget the tables :func:`load` has validated in this process."""
    with _CACHE_LOCK:
        _CACHE.clear()


def load(name: str, root: Path | None = None, check_hash: bool = True) -> pd.DataFrame:
    """Load a resource of ``data/datapackage.json`` by name, validated.

    A table is read, hash-checked and validated once per process; later calls
    return a copy of it as long as the bytes of the file, of ``datapackage.json``
    and of a published table's schema file are unchanged (compared by SHA-256;
    :func:`clear_cache` forgets everything).

    Parameters
    ----------
    name
        Resource name, e.g. ``"dresden_stadtraum_indicators"`` (see
        :func:`list_resources`).
    root
        The ``data`` directory (default: the compendium's).
    check_hash
        Compare the file's SHA-256 with the hash recorded in the package.

    Returns
    -------
    pandas.DataFrame
        Columns typed per the table schema; string codes such as ``"01"`` stay
        strings, German names stay intact. A GeoJSON resource is returned as a
        ``geopandas.GeoDataFrame``.

    Raises
    ------
    KeyError
        If no resource has this name.
    InputDataError
        If a raw or derived file changed since the package was written, or a
        table fails validation. Published tables are checked against their own
        schema in ``data/published/schemas/`` instead of the packaged hash.
    """
    root = Path(root or data_dir()).resolve()
    descriptor = root / "datapackage.json"
    key = (name, str(root), check_hash, _file_state(descriptor),
           _file_state(root / "published" / f"{name}.csv"))
    resource = _resource(name, root)
    path = root / resource["path"]
    schemas = (path.parent / "schemas" / f"{path.stem}.json",
               path.parent / "schemas" / "schema.json", path.parent / "schema.json")
    key += (_file_state(path), *(_file_state(s) for s in schemas))
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
    if hit is not None:
        return hit.copy()
    frame = _load_uncached(resource, path, check_hash)
    with _CACHE_LOCK:
        _CACHE[key] = frame
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return frame.copy()


def _load_uncached(resource: dict[str, Any], path: Path, check_hash: bool) -> pd.DataFrame:
    """Read, hash-check and validate one resource (see :func:`load`)."""
    if resource.get("x_origin") == "published":
        # data/published is maintained by hand: its own schema file is the authority, and
        # test_data_package.py reports a stale datapackage.json in one place.
        resource = {**resource, "schema": published_schema(path)}
        check_hash = False
    if check_hash and "hash" in resource:
        expected = resource["hash"].split(":", 1)[-1]
        if sha256_of(path) != expected:
            raise InputDataError(
                "the file differs from the version described in data/datapackage.json",
                file=str(path),
                hint="if the change is intended, rebuild with "
                "sozialanalyse.data.build_derived() and sozialanalyse.data.write_datapackage()",
            )
    if resource.get("format") == "geojson":
        import geopandas

        return geopandas.read_file(path)
    frame = _read_csv(path, resource)
    return _validate(frame, resource, path)
