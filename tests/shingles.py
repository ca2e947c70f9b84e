"""Word shingles for the book-text test (no copied sentences from the seed documents).

A *shingle* is a run of ``SHINGLE_SIZE`` consecutive words after lower-casing and
stripping punctuation. The book must not share any shingle with a seed document.

Run this file as a script to regenerate ``tests/fixtures/seed_shingles.txt`` from
``../shared/seeds`` (one SHA-1 hex digest per line, sorted). The hashes reveal no text,
so the fixture can be committed while the seeds themselves stay outside the repository::

    .venv/bin/python tests/shingles.py
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

SHINGLE_SIZE = 12
REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO.parent / "shared" / "seeds"
FIXTURE = REPO / "tests" / "fixtures" / "seed_shingles.txt"

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    """Split ``text`` into lower-case words, dropping punctuation and underscores.

    Parameters
    ----------
    text : str
        Any text (prose, Markdown, plain text).

    Returns
    -------
    list of str
        The words in reading order.
    """
    return _WORD.findall(text.casefold())


def shingles(text: str, size: int = SHINGLE_SIZE) -> Iterator[str]:
    """Yield every run of ``size`` consecutive words of ``text``, joined by one space."""
    toks = words(text)
    for i in range(len(toks) - size + 1):
        yield " ".join(toks[i : i + size])


def digest(shingle: str) -> str:
    """SHA-1 hex digest of one shingle (UTF-8)."""
    return hashlib.sha1(shingle.encode("utf-8")).hexdigest()


def digests(texts: Iterable[str], size: int = SHINGLE_SIZE) -> set[str]:
    """Set of shingle digests over several texts."""
    return {digest(s) for t in texts for s in shingles(t, size)}


def seed_texts(seed_dir: Path = SEED_DIR) -> list[str]:
    """Texts of all seed documents in ``seed_dir`` (sorted by file name)."""
    return [p.read_text(encoding="utf-8") for p in sorted(seed_dir.glob("*")) if p.is_file()]


def markdown_of(path: Path) -> str:
    """Prose of a book chapter: the whole ``.md`` file or the markdown cells of an ``.ipynb``."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return "\n\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb.get("cells", [])
            if c.get("cell_type") == "markdown"
        )
    return path.read_text(encoding="utf-8")


def write_fixture(seed_dir: Path = SEED_DIR, fixture: Path = FIXTURE) -> int:
    """Write the sorted seed-shingle digests to ``fixture``; return their number."""
    hashes = sorted(digests(seed_texts(seed_dir)))
    fixture.parent.mkdir(parents=True, exist_ok=True)
    fixture.write_text("\n".join(hashes) + "\n", encoding="utf-8")
    return len(hashes)


if __name__ == "__main__":
    if not SEED_DIR.is_dir():
        sys.exit(f"seed folder not found: {SEED_DIR}")
    print(f"{write_fixture()} shingle digests written to {FIXTURE}")
