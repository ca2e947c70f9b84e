"""Raw files: hash check and parsing of the Dresden open-data tables.

The raw files in ``data/raw/`` are byte-exact copies of public files and are
never edited. ``data/raw/SHA256SUMS`` records one SHA-256 per file (format of
``sha256sum``); :func:`verify_raw` checks every file against it.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pandas as pd

from sozialanalyse.data.registry import RAW_FILES, raw_dir, raw_path
from sozialanalyse.errors import InputDataError

SUMS_NAME = "SHA256SUMS"


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_sha256sums(root: Path | None = None) -> Path:
    """Write ``SHA256SUMS`` for every registered raw file (sorted by path)."""
    root = root or raw_dir()
    lines = [f"{sha256_of(root / f.path)}  {f.path}\n" for f in sorted(RAW_FILES, key=_by_path)]
    target = root / SUMS_NAME
    target.write_text("".join(lines), encoding="utf-8", newline="\n")
    return target


def _by_path(f) -> str:
    return f.path


def read_sha256sums(root: Path | None = None) -> dict[str, str]:
    """Read ``SHA256SUMS`` into a mapping path -> hex digest."""
    root = root or raw_dir()
    sums: dict[str, str] = {}
    text = (root / SUMS_NAME).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or len(parts[0]) != 64:
            raise InputDataError(
                "this line is not '<sha256>  <path>'",
                file=str(root / SUMS_NAME),
                row=number,
            )
        sums[parts[1].strip().lstrip("*")] = parts[0].lower()
    return sums


def verify_raw(root: Path | None = None) -> list[Path]:
    """Check every raw file against ``SHA256SUMS``.

    Parameters
    ----------
    root
        The ``data/raw`` directory (default: the compendium's).

    Returns
    -------
    list of Path
        The checked files.

    Raises
    ------
    InputDataError
        Naming the first file that is missing, unlisted or whose hash differs.
    """
    root = root or raw_dir()
    sums = read_sha256sums(root)
    checked = []
    for f in sorted(RAW_FILES, key=_by_path):
        path = root / f.path
        if f.path not in sums:
            raise InputDataError(
                "the raw file has no entry in SHA256SUMS",
                file=f.path,
                hint="add its hash with sozialanalyse.data.raw.write_sha256sums() "
                "only if the file is a new, unmodified download",
            )
        if not path.exists():
            raise InputDataError(
                "the raw file is missing", file=f.path, hint="restore it from version control"
            )
        actual = sha256_of(path)
        if actual != sums[f.path]:
            raise InputDataError(
                f"the file's content has changed: SHA-256 is {actual[:12]}…, "
                f"SHA256SUMS expects {sums[f.path][:12]}…",
                file=f.path,
                hint="raw files are never edited; restore the original copy "
                "(an editor or a spreadsheet program may have re-saved it)",
            )
        checked.append(path)
    return checked


def _integer_columns(frame: pd.DataFrame, columns: list[str], label: str) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        values = pd.to_numeric(out[col], errors="coerce")
        bad = values.isna() | (values % 1 != 0)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 1
            raise InputDataError(
                f"expected a whole number, found {out[col].iloc[row - 1]!r}",
                file=label,
                column=col,
                row=row,
            )
        out[col] = values.astype("int64")
    return out


def read_opendata(source_id: str, root: Path | None = None) -> pd.DataFrame:
    """Read one Dresden open-data table as strings plus checked integer counts.

    The tables are ``;``-separated UTF-8 with CRLF line ends. Columns whose
    name starts with ``Anzahl``, ``Insgesamt`` or one of the unemployment
    breakdowns are parsed as integers; the KBU survey table keeps its decimal
    commas as strings (see :func:`read_kbu`).

    Raises
    ------
    InputDataError
        If a count cell is not a whole number.
    """
    path = raw_path(source_id, root)
    text = path.read_bytes().decode("utf-8")
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    if source_id.startswith("OD_ARBEITSLOSE"):
        counts = list(frame.columns[3:])
    elif source_id == "OD_KBU_EINKOMMEN":
        counts = []
    else:
        counts = [
            c for c in frame.columns if c.startswith(("Anzahl", "Kinderanzahl im Haushalt (sum)"))
        ]
    frame = _integer_columns(frame, counts, path.name)
    for col in ("Jahr", "Jahr-Prognose"):
        if col in frame.columns:
            frame = _integer_columns(frame, [col], path.name)
    return frame


def read_kbu(root: Path | None = None) -> pd.DataFrame:
    """Read the KBU income table with decimal commas converted to floats."""
    frame = read_opendata("OD_KBU_EINKOMMEN", root)
    path = raw_path("OD_KBU_EINKOMMEN", root)
    for col in frame.columns[2:]:
        values = pd.to_numeric(frame[col].str.replace(",", ".", regex=False), errors="coerce")
        if values.isna().any():
            row = int(values.isna().to_numpy().nonzero()[0][0]) + 1
            raise InputDataError(
                "expected a number with decimal comma", file=path.name, column=col, row=row
            )
        frame[col] = values
    return frame


def split_label(label: str) -> tuple[str, str]:
    """Split ``"01 Innere Altstadt"`` into ``("01", "Innere Altstadt")``."""
    code, _, name = label.strip().partition(" ")
    return code, name
