"""Compendium helpers: ``reproduce``, ``build-data``, the colophon and git.

These commands check and rebuild the compendium itself (not a planner's files).

``reproduce`` is the reviewer's one command. It

1. rebuilds the derived data from ``data/raw`` into a temporary directory and compares
   every file with the committed ``data/derived`` (bytes first, then CSV values at a
   relative tolerance of 1e-9 so that harmless float-printing differences pass);
2. recomputes the headline results of every module in
   :data:`sozialanalyse.analyses.MODULES` (each offers ``headline() -> dict``);
3. compares them with the committed results file ``results/headline.json``:
   strings, booleans and integers exactly, other numbers at the printed precision of
   four significant digits (they agree when they differ by at most half a unit of
   the fourth significant digit of the larger value);
4. prints every difference and exits with status 1 if there is any.

``reproduce --update`` writes the recomputed results into the results file instead.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib
import json
import math
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "SIGNIFICANT_DIGITS",
    "Difference",
    "compare_derived",
    "compare_results",
    "colophon",
    "compute_headlines",
    "git_commit",
    "numbers_agree",
    "read_results",
    "write_results",
    "register",
    "repo_root",
]

#: Numbers are compared at this many significant digits (the printed precision).
SIGNIFICANT_DIGITS: int = 4
#: Relative tolerance for numeric CSV cells when derived files differ in bytes.
CSV_RTOL: float = 1e-9
RESULTS_SCHEMA: int = 1


@dataclass(frozen=True)
class Difference:
    """One difference found by ``reproduce``."""

    where: str
    key: str
    committed: object
    recomputed: object

    def __str__(self) -> str:
        return (
            f"{self.where}: {self.key}: eingecheckt {self.committed!r}, "
            f"neu gerechnet {self.recomputed!r}"
        )


def repo_root() -> Path:
    """The compendium root (see :func:`sozialanalyse.data.registry.repo_root`)."""
    from sozialanalyse.data.registry import repo_root as _root

    return _root()


# ---------------------------------------------------------------------------
# Comparing numbers and results
# ---------------------------------------------------------------------------


def _to_jsonable(value: object) -> object:
    """Plain JSON types for numpy/pandas scalars; NaN becomes None."""
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"headline value {value!r} of type {type(value).__name__} is not a scalar")


def numbers_agree(a: float, b: float, digits: int = SIGNIFICANT_DIGITS) -> bool:
    """Whether two numbers agree at ``digits`` significant digits.

    They agree when ``|a - b|`` is at most half a unit of the ``digits``-th
    significant digit of the larger magnitude (so 1.2344 and 1.2346 agree at four
    digits, 1.234 and 1.236 do not).

    Examples
    --------
    >>> numbers_agree(0.12344, 0.12346)
    True
    >>> numbers_agree(1234.0, 1236.0)
    False
    """
    if a == b:
        return True
    scale = max(abs(a), abs(b))
    unit = 10.0 ** (math.floor(math.log10(scale)) - (digits - 1))
    return abs(a - b) <= 0.5 * unit * (1 + 1e-12)


def _values_agree(committed: object, recomputed: object) -> bool:
    if isinstance(committed, bool) or isinstance(recomputed, bool):
        return type(committed) is type(recomputed) and committed == recomputed
    if isinstance(committed, int) and isinstance(recomputed, int):
        return committed == recomputed
    if isinstance(committed, int | float) and isinstance(recomputed, int | float):
        return numbers_agree(float(committed), float(recomputed))
    return committed == recomputed


def compare_results(
    committed: Mapping[str, Mapping[str, object]],
    recomputed: Mapping[str, Mapping[str, object]],
) -> list[Difference]:
    """Differences between two ``{module: {key: value}}`` mappings.

    Keys missing on either side are differences.
    """
    diffs: list[Difference] = []
    for module in sorted(set(committed) | set(recomputed)):
        old = committed.get(module)
        new = recomputed.get(module)
        if old is None:
            diffs.append(Difference(module, "*", "<missing>", "<module results>"))
            continue
        if new is None:
            diffs.append(Difference(module, "*", "<module results>", "<missing>"))
            continue
        for key in sorted(set(old) | set(new)):
            if key not in new:
                diffs.append(Difference(module, key, old[key], "<missing>"))
            elif key not in old:
                diffs.append(Difference(module, key, "<missing>", new[key]))
            elif not _values_agree(old[key], new[key]):
                diffs.append(Difference(module, key, old[key], new[key]))
    return diffs


# ---------------------------------------------------------------------------
# Recomputing
# ---------------------------------------------------------------------------


def compute_headlines(modules: Iterable[str] | None = None) -> dict[str, dict[str, object]]:
    """Call ``headline()`` of every analysis module.

    Parameters
    ----------
    modules
        Dotted module names; default :data:`sozialanalyse.analyses.MODULES`.

    Returns
    -------
    dict
        ``{module name: {key: JSON-serialisable value}}``.

    Raises
    ------
    RuntimeError
        If a module cannot be imported or has no ``headline`` function.
    """
    if modules is None:
        modules = importlib.import_module("sozialanalyse.analyses").MODULES
    out: dict[str, dict[str, object]] = {}
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise RuntimeError(f"analysis module {name} cannot be imported: {exc}") from exc
        headline = getattr(module, "headline", None)
        if not callable(headline):
            raise RuntimeError(f"analysis module {name} has no headline() function")
        values = headline()
        out[name] = {str(k): _to_jsonable(v) for k, v in sorted(values.items())}
    return out


def _resolve(module_names: Sequence[str], attr: str) -> Callable:
    for name in module_names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        func = getattr(module, attr, None)
        if callable(func):
            return func
    raise RuntimeError(f"cannot find {attr}() in {', '.join(module_names)}")


def _build_derived() -> Callable:
    return _resolve(["sozialanalyse.data", "sozialanalyse.data.derived"], "build_derived")


def _write_datapackage() -> Callable:
    return _resolve(["sozialanalyse.data", "sozialanalyse.data.datapackage"], "write_datapackage")


def _csv_equal(a: Path, b: Path) -> bool:
    import numpy as np
    import pandas as pd

    try:
        left = pd.read_csv(a, dtype=str, keep_default_na=False)
        right = pd.read_csv(b, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        return False
    if list(left.columns) != list(right.columns) or left.shape != right.shape:
        return False
    for col in left.columns:
        x, y = left[col], right[col]
        if (x == y).all():
            continue
        xn, yn = pd.to_numeric(x, errors="coerce"), pd.to_numeric(y, errors="coerce")
        same_text = x == y
        close = np.isclose(xn, yn, rtol=CSV_RTOL, atol=0.0) & xn.notna() & yn.notna()
        if not (same_text | close).all():
            return False
    return True


def compare_derived(committed_dir: Path, rebuilt_dir: Path) -> list[Difference]:
    """Compare a freshly rebuilt ``data/derived`` with the committed one."""
    def files(d: Path) -> set[str]:
        return {p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file()}

    old, new = files(committed_dir), files(rebuilt_dir)
    diffs: list[Difference] = []
    for name in sorted(old | new):
        if name not in new:
            diffs.append(Difference("data/derived", name, "<file>", "<not rebuilt>"))
        elif name not in old:
            diffs.append(Difference("data/derived", name, "<not committed>", "<file>"))
        else:
            a, b = committed_dir / name, rebuilt_dir / name
            if filecmp.cmp(a, b, shallow=False):
                continue
            if name.endswith(".csv") and _csv_equal(a, b):
                continue
            diffs.append(Difference("data/derived", name, "<committed file>", "<differs>"))
    return diffs


def _results_document(results: Mapping[str, Mapping[str, object]]) -> dict:
    return {
        "description": (
            "Headline results of the book, recomputed by `python -m sozialanalyse "
            "reproduce`; numbers are compared at four significant digits."
        ),
        "schema": RESULTS_SCHEMA,
        "results": {m: dict(sorted(v.items())) for m, v in sorted(results.items())},
    }


def read_results(path: Path) -> dict[str, dict[str, object]]:
    """The ``{module: {key: value}}`` mapping of a results file."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or "results" not in doc:
        raise ValueError(f"{path} has no 'results' object")
    return doc["results"]


def write_results(path: Path, results: Mapping[str, Mapping[str, object]]) -> None:
    """Write the results file (sorted keys, UTF-8, trailing newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_results_document(results), ensure_ascii=False, indent=2, sort_keys=False)
    path.write_bytes((text + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------
# Colophon
# ---------------------------------------------------------------------------

#: Distributions listed in the book's colophon.
COLOPHON_PACKAGES: tuple[str, ...] = (
    "sozialanalyse",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "geopandas",
    "pandera",
    "frictionless",
    "SALib",
    "jupyter-book",
    "myst-nb",
    "sphinx",
    "sphinx-book-theme",
    "nbval",
    "pytest",
    "hypothesis",
    "playwright",
)


def git_commit(root: Path | None = None) -> str | None:
    """The current git commit of the compendium, or None (no git, no commits)."""
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root or repo_root(),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = proc.stdout.strip()
    return commit if proc.returncode == 0 and commit else None


def colophon(packages: Sequence[str] = COLOPHON_PACKAGES) -> pd.DataFrame:
    """Versions of Python and the main packages, for the book's colophon.

    Returns
    -------
    pandas.DataFrame
        Columns ``Komponente`` and ``Version``; missing packages show
        ``nicht installiert``.
    """
    import platform
    from importlib import metadata

    import pandas as pd

    rows = [("Python", platform.python_version())]
    for name in packages:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "nicht installiert"))
    return pd.DataFrame(rows, columns=["Komponente", "Version"])


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def cmd_reproduce(args: argparse.Namespace) -> int:
    root = Path(args.root) if args.root else repo_root()
    results_path = Path(args.results)
    if not results_path.is_absolute():
        results_path = root / results_path
    diffs: list[Difference] = []

    if not args.skip_data:
        print("1/2 Baue data/derived aus data/raw in einem temporären Ordner neu …")
        with tempfile.TemporaryDirectory(prefix="sozialanalyse-derived-") as tmp:
            build = _build_derived()
            build(Path(tmp), raw_root=root / "data" / "raw")
            data_diffs = compare_derived(root / "data" / "derived", Path(tmp))
        if data_diffs and args.update:
            print("    data/derived weicht ab; `python -m sozialanalyse build-data` ausführen")
        elif not args.update:
            diffs.extend(data_diffs)
        print(f"    {len(data_diffs)} Datei(en) weichen ab" if data_diffs else "    identisch")

    print("2/2 Rechne die Kernergebnisse neu …")
    try:
        recomputed = compute_headlines(args.modules)
    except RuntimeError as exc:
        print(f"FEHLER: {exc}", file=sys.stderr)
        return 2
    n_values = sum(len(v) for v in recomputed.values())
    print(f"    {n_values} Werte aus {len(recomputed)} Modulen")

    if args.update:
        write_results(results_path, recomputed)
        print(f"Geschrieben: {results_path}")
        return 0

    if not results_path.exists():
        print(f"FEHLER: keine eingecheckte Ergebnisdatei {results_path}", file=sys.stderr)
        print("Mit `python -m sozialanalyse reproduce --update` anlegen.", file=sys.stderr)
        return 1
    committed = read_results(results_path)
    diffs.extend(compare_results(committed, recomputed))

    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", prefix="headline-recomputed-", delete=False
    ) as fh:
        fh.write(json.dumps(_results_document(recomputed), ensure_ascii=False, indent=2) + "\n")
        print(f"Neu gerechnete Ergebnisse: {fh.name}")

    if diffs:
        print(f"\nFEHLGESCHLAGEN: {len(diffs)} Abweichung(en):")
        for d in diffs:
            print(f"  {d}")
        return 1
    print(f"\nOK: abgeleitete Daten und {n_values} Kernergebnisse stimmen mit "
          f"{results_path.name} überein.")
    return 0


def cmd_build_data(args: argparse.Namespace) -> int:
    root = Path(args.root) if args.root else repo_root()
    written = _build_derived()(root / "data" / "derived", raw_root=root / "data" / "raw")
    for path in written or []:
        print(f"geschrieben: {path}")
    target = _write_datapackage()(root / "data")
    print(f"geschrieben: {target}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``reproduce`` and ``build-data`` subcommands."""
    rep = sub.add_parser(
        "reproduce",
        help="abgeleitete Daten neu bauen, Kernergebnisse neu rechnen und mit den "
        "eingecheckten vergleichen",
        description="Prüft das Kompendium: baut data/derived neu, rechnet die Kernergebnisse "
        "des Buchs neu und vergleicht sie mit results/headline.json (auf vier "
        "signifikante Stellen).",
    )
    rep.add_argument(
        "--results",
        default="results/headline.json",
        metavar="DATEI",
        help="Ergebnisdatei, relativ zum Kompendium (Standard: %(default)s)",
    )
    rep.add_argument(
        "--update", action="store_true",
        help="die neu gerechneten Ergebnisse in die Datei schreiben",
    )
    rep.add_argument("--root", default=None, metavar="ORDNER",
                     help="Wurzel des Kompendiums (Standard: automatisch)")
    rep.add_argument(
        "--skip-data", action="store_true",
        help="data/derived nicht neu bauen und vergleichen",
    )
    rep.set_defaults(run=cmd_reproduce, modules=None)

    bd = sub.add_parser("build-data",
                        help="data/derived und data/datapackage.json neu bauen")
    bd.add_argument("--root", default=None, metavar="ORDNER",
                    help="Wurzel des Kompendiums (Standard: automatisch)")
    bd.set_defaults(run=cmd_build_data)
