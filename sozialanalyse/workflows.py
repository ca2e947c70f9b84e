"""End-to-end paths for a planner's own files: file -> index, file -> evaluation.

Thin wrappers that chain the existing pieces; they add no method of their own:

* :func:`index_from_file` reads an indicator table with
  :func:`sozialanalyse.data.readers.read_indicator_table`, turns it into tidy data and builds a
  :class:`sozialanalyse.index.Coin` from a preset (:func:`sozialanalyse.index.list_presets`) or
  from the planner's own metadata table (:func:`read_meta_table`);
* :func:`evaluate_from_file` reads a case-count panel with
  :func:`sozialanalyse.data.readers.read_case_panel` (plus an optional ``start_year`` column),
  checks it with :func:`sozialanalyse.evaluation.validate_panel` and runs one design
  (``did``, ``panel`` or ``rateratio``), returning :func:`sozialanalyse.evaluation.results_frame`.

Problems with the files raise :class:`~sozialanalyse.errors.InputDataError` naming file,
column and row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sozialanalyse.data.readers import (
    parse_number,
    read_case_panel,
    read_indicator_table,
    read_text_table,
)
from sozialanalyse.errors import InputDataError
from sozialanalyse.evaluation import (
    pre_post_rate_ratio,
    results_frame,
    two_group_did,
    validate_panel,
)
from sozialanalyse.evaluation.panel_did import panel_did
from sozialanalyse.index import Coin, list_presets, load_preset
from sozialanalyse.index.presets import preset_meta

DESIGNS: tuple[str, ...] = ("did", "panel", "rateratio")
"""Evaluation designs offered by :func:`evaluate_from_file`."""

META_REQUIRED: tuple[str, ...] = ("indicator", "dimension", "direction")
"""Required columns of a metadata table (``weight`` is optional)."""

START_COLUMN = "start_year"


# --------------------------------------------------------------------------- helpers
def _columns(path: Path, sheet: str | int | None) -> list[str]:
    """The header of a CSV or Excel file (via the readers' own file parser)."""
    frame, _ = read_text_table(path, sep=None, encoding=None, sheet=sheet)
    return list(frame.columns)


def read_meta_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a planner's indicator metadata (CSV or Excel).

    Parameters
    ----------
    path
        One row per indicator with columns ``indicator``, ``dimension``, ``direction``
        (``1`` = higher value means more burden, ``-1`` = less burden) and optionally
        ``weight`` (within the dimension); German or international number format.
    sheet
        Worksheet of an Excel file.

    Returns
    -------
    pandas.DataFrame
        The Coin's ``meta``: ``indicator``, ``dimension``, ``direction`` (int), ``weight``.

    Raises
    ------
    InputDataError
        Missing column, empty cell, or a direction other than 1 / -1, naming the row.
    """
    path = Path(path)
    label = str(path)
    frame, used = read_text_table(path, sep=None, encoding=None, sheet=sheet)
    lookup = {c.lower(): c for c in frame.columns}
    for col in META_REQUIRED:
        if col not in lookup:
            raise InputDataError(
                f"the metadata column '{col}' is missing (found: {', '.join(frame.columns)})",
                file=label, column=col,
                hint="a metadata table needs the columns indicator, dimension, direction "
                "and optionally weight")
    convention = "international" if used == "," else "de"
    rows = []
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        row: dict[str, object] = {}
        for col in ("indicator", "dimension"):
            text = str(rec[lookup[col]]).strip()
            if not text:
                raise InputDataError("the cell is empty", file=label, column=col, row=i)
            row[col] = text
        try:
            direction = parse_number(rec[lookup["direction"]], convention)
        except ValueError:
            direction = math.nan
        if direction not in (1.0, -1.0):
            raise InputDataError(
                f"the direction {str(rec[lookup['direction']]).strip()!r} is neither 1 nor -1",
                file=label, column="direction", row=i,
                hint="1 = a higher value means more burden, -1 = a higher value means less")
        row["direction"] = int(direction)
        weight = math.nan
        if "weight" in lookup:
            try:
                weight = parse_number(rec[lookup["weight"]], convention)
            except ValueError as err:
                raise InputDataError(f"the weight {str(rec[lookup['weight']]).strip()!r} {err}",
                                     file=label, column="weight", row=i) from None
        row["weight"] = weight
        rows.append(row)
    return pd.DataFrame(rows, columns=["indicator", "dimension", "direction", "weight"])


def tidy_indicators(table: pd.DataFrame) -> pd.DataFrame:
    """Wide table from :func:`read_indicator_table` -> tidy ``area, [year,] indicator, value``."""
    keys = ["area", "year"] if "year" in table.columns else ["area"]
    return table.melt(id_vars=keys, var_name="indicator", value_name="value")


def _check_columns(needed: Sequence[str], present: Sequence[str], label: str,
                   what: str) -> None:
    have = {c.lower() for c in present}
    for name in needed:
        if name.lower() not in have:
            raise InputDataError(
                f"the column '{name}' needed by {what} is missing",
                file=label, column=name,
                hint=f"{what} needs the columns {', '.join(needed)}; rename your columns "
                "or pass your own metadata table")


# --------------------------------------------------------------------------- index
def index_from_file(
    path: str | Path,
    meta: str | Path | pd.DataFrame,
    *,
    year: int | None = None,
    sheet: str | int | None = None,
    suppressed: str = "error",
    population_variable: str | None = None,
    min_population: float | None = None,
    weights: str = "all-or-none",
    **read_options: object,
) -> Coin:
    """Build a composite index from a planner's indicator table.

    Parameters
    ----------
    path
        Indicator table (CSV in German or international convention, or Excel): a column
        ``area``, optionally ``year``, and one numeric column per indicator (and the
        population column a preset screens on, e.g. ``einwohner``).
    meta
        A preset id (one of :func:`sozialanalyse.index.list_presets`), the path of a
        metadata table (see :func:`read_meta_table`) or a metadata DataFrame.
    year
        Status year (default: the latest year in the file).
    sheet
        Worksheet of an Excel file.
    suppressed
        Passed to :func:`read_indicator_table` (``"error"`` or ``"missing"``).
    population_variable
        Column with residents per area (default: the preset's, else none).
    min_population
        Screen out areas with fewer residents (overrides the preset's threshold; needs a
        population column).

    Returns
    -------
    Coin
        A Coin whose ``table()`` gives index, rank and class per area. A preset's dynamics
        step is switched off (and the switch recorded in ``coin.history``) when the file
        does not reach back the preset's window.

    Raises
    ------
    InputDataError
        Bad file, or a column the method needs is missing (naming file and column).
    """
    path = Path(path)
    label = str(path)
    columns = _columns(path, sheet)
    year_col = next((c for c in columns if c.lower() == "year"), None)
    preset = None
    if isinstance(meta, pd.DataFrame):
        meta_frame = meta
    elif isinstance(meta, str) and meta in list_presets():
        preset = load_preset(meta)
        meta_frame = preset_meta(preset)
    elif Path(meta).suffix:
        meta_frame = read_meta_table(meta)
    else:
        raise InputDataError(f"'{meta}' is neither a preset nor a metadata file; presets: "
                             f"{', '.join(list_presets())}", file=str(meta))
    what = f"the preset '{meta}'" if preset is not None else "the metadata"
    _check_columns(list(meta_frame["indicator"]), columns, label, what)
    pop = population_variable or (preset.get("population_variable") if preset else None)
    screens = preset is not None and \
        preset["steps"].get("screen", {}).get("min_population", {}).get("value") is not None
    if min_population is not None and pop is None:
        raise InputDataError("screening by population needs the name of the population "
                             "column", file=label, hint="pass population_variable (--population)")
    if pop is not None and (screens or population_variable is not None
                            or min_population is not None):
        _check_columns([pop], columns, label, f"{what} (population for screening)")
    table = read_indicator_table(path, year_col=year_col, sheet=sheet, suppressed=suppressed)
    data = tidy_indicators(table)
    if preset is not None:
        coin = Coin.from_preset(preset, data, population_variable=pop)
    else:
        coin = Coin(data, meta_frame, population_variable=pop, name=path.stem)
        if meta_frame["weight"].notna().all():
            coin.set("weight", method="manual")
    if min_population is not None:
        coin.set("screen", min_population=min_population)
    if year is not None:
        years = sorted(table["year"].unique()) if "year" in table.columns else []
        if year not in years:
            raise InputDataError(
                f"the year {year} is not in the file (years: "
                f"{', '.join(map(str, years)) or 'none, no year column'})",
                file=label, column=year_col or "year")
        coin.set("select", year=year)
    k = coin.params["dynamics"]["k"]
    if k is not None:
        years = set(table["year"]) if "year" in table.columns else set()
        status = year if year is not None else max(years, default=0)
        if status - k not in years:
            coin.set("dynamics", k=None)
    return coin


def ranked_table(coin: Coin) -> pd.DataFrame:
    """One row per area, most burdened first: ``rank``, ``area``, ``index``, ``class``,
    one ``dimension: NAME`` column per dimension and, if computed, ``dynamics``,
    ``dynamics_class`` and ``group``."""
    parts = [coin.ranks.rename("rank"), coin.index.rename("index"),
             coin.classes.astype(str).rename("class"),
             coin.dimensions.add_prefix("dimension: ")]
    if coin.dynamics is not None:
        parts += [coin.dynamics.rename("dynamics"),
                  coin.dynamics_classes.astype(str).rename("dynamics_class"),
                  coin.groups.astype(str).rename("group")]
    table = pd.concat(parts, axis=1).rename_axis("area").reset_index()
    first = ["rank", "area"]
    table = table[first + [c for c in table.columns if c not in first]]
    return table.sort_values("rank", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- evaluation
def read_panel_with_start(
    path: str | Path,
    *,
    start_year: int | None = None,
    treated: Sequence[str] | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a case-count panel and its start years; return a validated panel.

    Parameters
    ----------
    path
        CSV or Excel with ``area``, ``year``, ``cases``, ``population`` and optionally
        ``start_year`` (first year of the new practice; empty for comparison areas).
    start_year
        Common start year. With ``treated``: the start of these areas. Without: replaces
        the start year of every area that has one in the file.
    treated
        Model areas (overrides the file's ``start_year`` column).
    sheet
        Worksheet of an Excel file.

    Returns
    -------
    pandas.DataFrame
        As :func:`sozialanalyse.evaluation.validate_panel` returns it.

    Raises
    ------
    InputDataError
        Bad file, unknown model area, or no start year anywhere.
    """
    path = Path(path)
    label = str(path)
    panel = read_case_panel(path, sheet=sheet)
    start_col = next((c for c in _columns(path, sheet) if c.lower() == START_COLUMN), None)
    if treated:
        if start_year is None:
            raise InputDataError("model areas were named but no start year was given",
                                 file=label, column=START_COLUMN,
                                 hint="pass the start year (--start-year)")
        known = set(panel["area"])
        for name in treated:
            if name not in known:
                raise InputDataError(f"the model area {name!r} is not in the file",
                                     file=label, column="area",
                                     hint=f"areas in the file: {', '.join(sorted(known))}")
        panel[START_COLUMN] = panel["area"].map(
            lambda a: float(start_year) if a in set(treated) else math.nan)
    elif start_col is not None:
        starts = read_indicator_table(path, year_col="year", indicator_cols=[start_col],
                                      sheet=sheet)
        panel = panel.merge(starts.rename(columns={start_col: START_COLUMN}),
                            on=["area", "year"], how="left")
        if start_year is not None:
            panel[START_COLUMN] = panel[START_COLUMN].where(panel[START_COLUMN].isna(),
                                                            float(start_year))
    else:
        raise InputDataError(
            "no column 'start_year' and no model areas given: nothing to evaluate",
            file=label, column=START_COLUMN,
            hint="add a column start_year (empty for comparison areas) or name the model "
            "areas (--treated) and the start year (--start-year)")
    return validate_panel(panel, file=label, require_start=True)


def evaluate_from_file(
    path: str | Path,
    *,
    design: str = "did",
    start_year: int | None = None,
    treated: Sequence[str] | None = None,
    sheet: str | int | None = None,
    level: float = 0.95,
    family: str = "auto",
    max_rate: float | None = None,
    **read_options: object,
) -> pd.DataFrame:
    """Before/after evaluation of a planner's case-count panel.

    Parameters
    ----------
    path, start_year, treated, sheet
        See :func:`read_panel_with_start`.
    design
        ``"did"`` two-group difference-in-differences (ratio of rate ratios, Poisson or
        negative binomial, :func:`sozialanalyse.evaluation.two_group_did`); ``"panel"``
        area and year effects with cluster-robust errors
        (:func:`sozialanalyse.evaluation.panel_did`); ``"rateratio"`` pre/post rate ratio of
        the model areas alone with an exact interval
        (:func:`sozialanalyse.evaluation.pre_post_rate_ratio`).
    level
        Confidence level.
    family
        Count model of the ``did`` design (``"auto"``, ``"poisson"``, ``"negbin"``,
        ``"robust"``).

    Returns
    -------
    pandas.DataFrame
        One row (:func:`sozialanalyse.evaluation.results_frame`) with ``irr``, ``ci_low``,
        ``ci_high``, ``p_value``, ``abs_change_per_1000`` and the design's notes, plus
        ``file``, ``model_areas`` and ``start_year``.

    Warns
    -----
    EvaluationWarning
        Short pre-period, small counts, few clusters ... (from the designs' guardrails).
    """
    if design not in DESIGNS:
        raise ValueError(f"unknown design {design!r}; choose one of {', '.join(DESIGNS)}")
    panel = read_panel_with_start(path, start_year=start_year, treated=treated, sheet=sheet)
    model_areas = sorted(panel.loc[panel[START_COLUMN].notna(), "area"].unique())
    starts = sorted(int(s) for s in panel[START_COLUMN].dropna().unique())
    if design == "did":
        est, _ = two_group_did(panel, level=level, family=family)
    elif design == "panel":
        est = panel_did(panel, level=level)
    else:
        if len(starts) != 1:
            raise InputDataError(
                f"the pre/post rate ratio needs one common start year (found "
                f"{', '.join(map(str, starts))})", file=str(path), column=START_COLUMN,
                hint="use the panel design for staggered starts")
        est = pre_post_rate_ratio(panel, model_areas, starts[0], level=level)
    out = results_frame([est])
    out.insert(0, "file", str(path))
    out["model_areas"] = ", ".join(model_areas)
    out["start_year"] = ", ".join(map(str, starts))
    return out
