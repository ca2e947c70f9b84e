"""End-to-end paths for a planner's own files: file -> index, file -> evaluation.

Thin wrappers that chain the existing pieces; they add no method of their own. Each
reads its file once (:func:`sozialanalyse.data.readers.read_text_table` /
:func:`~sozialanalyse.data.readers.parse_case_panel`) and checks it with the package's
one validator (:mod:`sozialanalyse.validation`):

* :func:`index_from_file` reads an indicator table, turns it into tidy data and builds a
  :class:`sozialanalyse.index.Coin` from a preset (:func:`sozialanalyse.index.list_presets`)
  or from the planner's own metadata table (:func:`read_meta_table`);
* :func:`evaluate_from_file` reads a case-count panel (with its ``start_year`` column or
  model areas named by the caller), validates it once and runs one design (``did``,
  ``panel`` or ``rateratio``), returning :func:`sozialanalyse.evaluation.results_frame`.

Every file option of the command line is a keyword argument here (``encoding``,
``sep``, ``convention``, ``sheet``, ``header_row``, column names ``area_col`` …,
``valid_areas``). Problems with the files raise
:class:`~sozialanalyse.errors.InputDataError` naming file, column and line; a method
that does not fit the data raises :class:`~sozialanalyse.errors.MethodError` naming the
file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from sozialanalyse.data.readers import (
    find_column,
    parse_case_panel,
    parse_number,
    read_area_list,
    read_indicator_table,
    read_text_table,
)
from sozialanalyse.errors import InputDataError, SozialanalyseError
from sozialanalyse.validation import DEFAULT_MAX_RATE, check_min_areas, validate_panel

DESIGNS: tuple[str, ...] = ("did", "panel", "rateratio")
"""Evaluation designs offered by :func:`evaluate_from_file`."""

META_REQUIRED: tuple[str, ...] = ("indicator", "dimension", "direction")
"""Required columns of a metadata table (``weight`` is optional)."""

WEIGHT_RULES: tuple[str, ...] = ("all-or-none", "equal", "rest")
"""How a metadata table's weights are used (see :func:`meta_weights`)."""

START_COLUMN = "start_year"


# --------------------------------------------------------------------------- helpers
@contextmanager
def _located(label: str) -> Iterator[None]:
    """Errors raised inside name the file if they do not already."""
    try:
        yield
    except SozialanalyseError as err:
        if err.file is None:
            err.file = label
            err.args = (err.render(),)
        raise


def _valid_areas(valid_areas: str | Path | Iterable[str] | None) -> list[str] | None:
    if valid_areas is None:
        return None
    if isinstance(valid_areas, str | Path):
        return read_area_list(valid_areas)
    return [str(a) for a in valid_areas]


def read_meta_table(path: str | Path, *, sheet: str | int | None = None,
                    encoding: str | None = None, sep: str | None = None) -> pd.DataFrame:
    """Read a planner's indicator metadata (CSV or Excel).

    Parameters
    ----------
    path
        One row per indicator with columns ``indicator``, ``dimension``, ``direction``
        (``1`` = higher value means more burden, ``-1`` = less burden) and optionally
        ``weight`` (within the dimension); German or international number format.
    sheet, encoding, sep
        Worksheet of an Excel file, text encoding and separator of a CSV file.

    Returns
    -------
    pandas.DataFrame
        The Coin's ``meta``: ``indicator``, ``dimension``, ``direction`` (int), ``weight``
        (NaN where none is given).

    Raises
    ------
    InputDataError
        Missing column, empty cell, a direction other than 1 / -1 or a weight that is not
        a number, naming the line.
    """
    path = Path(path)
    label = str(path)
    frame, used = read_text_table(path, sep=sep, encoding=encoding, sheet=sheet,
                                  expected=META_REQUIRED)
    lookup = {c.lower(): c for c in frame.columns}
    for col in META_REQUIRED:
        if col not in lookup:
            raise InputDataError(
                f"die Spalte '{col}' der Metadaten fehlt (gefunden: "
                f"{', '.join(frame.columns)})", file=label, column=col, code="E-META-001",
                hint="eine Metadatentabelle braucht die Spalten indicator, dimension, "
                "direction und optional weight")
    convention = "international" if used == "," else "de"
    rows = []
    for line, rec in zip(frame.index, frame.to_dict("records"), strict=True):
        row: dict[str, object] = {}
        for col in ("indicator", "dimension"):
            text = str(rec[lookup[col]]).strip()
            if not text:
                raise InputDataError("die Zelle ist leer", file=label, column=col,
                                     row=int(line), code="E-VAL-001")
            row[col] = text
        try:
            direction = parse_number(rec[lookup["direction"]], convention)
        except ValueError:
            direction = math.nan
        if direction not in (1.0, -1.0):
            raise InputDataError(
                f"die Richtung {str(rec[lookup['direction']]).strip()!r} ist weder 1 noch -1",
                file=label, column="direction", row=int(line), code="E-META-002",
                hint="1 = ein höherer Wert bedeutet mehr Belastung, -1 = weniger Belastung")
        row["direction"] = int(direction)
        weight = math.nan
        if "weight" in lookup:
            try:
                weight = parse_number(rec[lookup["weight"]], convention)
            except ValueError as err:
                raise InputDataError(f"das Gewicht {str(rec[lookup['weight']]).strip()!r} "
                                     f"{err}", file=label, column="weight", row=int(line),
                                     code="E-META-004") from None
            if not math.isnan(weight) and weight < 0:
                raise InputDataError(f"ein Gewicht kann nicht negativ sein, gefunden "
                                     f"{weight:g}", file=label, column="weight",
                                     row=int(line), code="E-META-004")
        row["weight"] = weight
        seen = [r["indicator"] for r in rows]
        if row["indicator"] in seen:
            raise InputDataError(
                f"der Indikator '{row['indicator']}' steht zweimal in den Metadaten",
                file=label, column="indicator", row=int(line), code="E-META-006",
                hint="jeden Indikator nur einmal aufführen")
        rows.append(row)
    return pd.DataFrame(rows, columns=["indicator", "dimension", "direction", "weight"])


def meta_weights(meta: pd.DataFrame, rule: str = "all-or-none", *,
                 file: str | None = None) -> pd.DataFrame:
    """Apply a rule for the metadata's weights; return the metadata with final weights.

    Parameters
    ----------
    meta
        Metadata with a ``weight`` column (NaN = not given).
    rule
        ``"all-or-none"`` (default): either every indicator has a weight or none has
        (equal weights); some but not all is an error, never silently replaced.
        ``"equal"``: ignore the given weights, equal weights within each dimension.
        ``"rest"``: within a dimension, indicators without a weight share equally what
        the given weights leave to 1 (the given weights stay as they are); a dimension
        without any given weight gets equal weights.

    Returns
    -------
    pandas.DataFrame
        ``meta`` with ``weight`` all NaN (equal weights) or all given, summing to 1
        within each dimension.

    Raises
    ------
    InputDataError
        ``E-META-003``: partial weights under ``"all-or-none"``, or given weights of a
        dimension that leave nothing (or a negative share) for the rest.
    """
    if rule not in WEIGHT_RULES:
        raise InputDataError(f"unbekannte Gewichtsregel '{rule}'", code="E-META-003",
                             hint=f"eine von {', '.join(WEIGHT_RULES)} wählen (--weights)")
    out = meta.copy()
    given = out["weight"].notna()
    if rule == "equal" or not given.any():
        out["weight"] = math.nan
        return out
    if given.all():
        _check_weight_sums(out, file)
        return out
    if rule == "all-or-none":
        missing = out.loc[~given, "indicator"].tolist()
        raise InputDataError(
            f"Gewichte sind nur für {int(given.sum())} von {len(out)} Indikatoren angegeben "
            f"(es fehlen: {', '.join(missing)}); sie werden nicht stillschweigend durch "
            "gleiche Gewichte ersetzt",
            file=file, column="weight", code="E-META-003",
            hint="für alle oder keinen Indikator ein Gewicht eintragen, oder eine Regel "
            "wählen: --weights equal (alle gleich) oder --weights rest (fehlende teilen "
            "sich den Rest zu 1 je Dimension)")
    for dim, grp in out.groupby("dimension", sort=False):
        have = grp["weight"].notna()
        if have.all():
            continue
        if not have.any():
            out.loc[grp.index, "weight"] = 1.0 / len(grp)
            continue
        rest = 1.0 - float(grp.loc[have, "weight"].sum())
        if rest <= 0:
            raise InputDataError(
                f"in der Dimension '{dim}' summieren die angegebenen Gewichte schon auf "
                f"{1 - rest:g}: für die Indikatoren ohne Gewicht bleibt nichts",
                file=file, column="weight", code="E-META-003",
                hint="Gewichte der Dimension so wählen, dass sie unter 1 bleiben, oder "
                "--weights equal")
        out.loc[grp.index[~have.to_numpy()], "weight"] = rest / int((~have).sum())
    _check_weight_sums(out, file)
    return out


def _check_weight_sums(meta: pd.DataFrame, file: str | None) -> None:
    """Given weights must sum to 1 within each dimension (no silent rescaling)."""
    for dim, grp in meta.groupby("dimension", sort=False):
        total = float(grp["weight"].sum())
        if abs(total - 1.0) > 1e-6:
            raise InputDataError(
                f"die Gewichte der Dimension '{dim}' ({', '.join(grp['indicator'])}) "
                f"summieren sich zu {total:g}, nicht zu 1",
                file=file, column="weight", code="E-META-004",
                hint="die Gewichte je Dimension so wählen, dass ihre Summe 1 ist "
                "(sie werden nicht stillschweigend umskaliert), oder --weights equal")


def tidy_indicators(table: pd.DataFrame) -> pd.DataFrame:
    """Wide table from :func:`read_indicator_table` -> tidy ``area, [year,] indicator, value``."""
    keys = ["area", "year"] if "year" in table.columns else ["area"]
    return table.melt(id_vars=keys, var_name="indicator", value_name="value")


# --------------------------------------------------------------------------- index
def _meta_frame(meta: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, dict | None]:
    from sozialanalyse.index import list_presets, load_preset
    from sozialanalyse.index.presets import preset_meta

    if isinstance(meta, pd.DataFrame):
        frame = meta.copy()
        if "weight" not in frame.columns:
            frame["weight"] = math.nan
        return frame, None
    if isinstance(meta, str) and meta in list_presets():
        preset = load_preset(meta)
        return preset_meta(preset), preset
    if Path(meta).suffix:
        return read_meta_table(meta), None
    raise InputDataError(f"'{meta}' ist weder eine Vorgabe (Preset) noch eine "
                         "Metadatendatei", file=str(meta), code="E-META-005",
                         hint=f"Vorgaben: {', '.join(list_presets())}; eine Metadatendatei "
                         "braucht eine Endung wie .csv oder .xlsx")


def index_from_file(
    path: str | Path,
    meta: str | Path | pd.DataFrame,
    *,
    year: int | None = None,
    suppressed: str = "error",
    population_variable: str | None = None,
    min_population: float | None = None,
    weights: str = "all-or-none",
    area_col: str = "area",
    year_col: str | None = None,
    valid_areas: str | Path | Iterable[str] | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    convention: str = "auto",
    header_row: int | None = None,
):  # noqa: ANN201 - returns a Coin (imported lazily)
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
    suppressed
        Passed to :func:`read_indicator_table` (``"error"`` or ``"missing"``).
    population_variable
        Column with residents per area (default: the preset's, else none); checked to
        hold whole numbers ≥ 0.
    min_population
        Screen out areas with fewer residents (overrides the preset's threshold; needs a
        population column).
    weights
        Rule for the weights of a metadata table (:func:`meta_weights`): ``"all-or-none"``,
        ``"equal"`` or ``"rest"``.
    area_col, year_col
        Names of the area and year columns in the file (default ``area`` and, if present,
        ``year``).
    valid_areas
        A file (see :func:`sozialanalyse.data.readers.read_area_list`) or a list of valid
        areas; other areas are an error.
    sheet, encoding, sep, convention, header_row
        File options (see :func:`sozialanalyse.data.readers.read_text_table`).

    Returns
    -------
    Coin
        A Coin whose ``table()`` gives index, rank and class per area. A preset's dynamics
        step is switched off (and the switch recorded in ``coin.history``) when the file
        does not reach back the preset's window.

    Raises
    ------
    InputDataError
        Bad file, a column the method needs is missing, partial weights, too few areas.
    MethodError
        A method step that does not fit the data (naming the file).
    """
    from sozialanalyse.index import Coin

    path = Path(path)
    label = str(path)
    meta_frame, preset = _meta_frame(meta)
    if preset is None:
        meta_frame = meta_weights(meta_frame, weights,
                                  file=None if isinstance(meta, pd.DataFrame) else str(meta))
    what = f"die Vorgabe '{meta}'" if preset is not None else "die Metadaten"
    pop = population_variable or (preset.get("population_variable") if preset else None)
    screens = preset is not None and \
        preset["steps"].get("screen", {}).get("min_population", {}).get("value") is not None
    if min_population is not None and pop is None:
        raise InputDataError("für den Ausschluss kleiner Gebiete fehlt der Name der "
                             "Bevölkerungsspalte", file=label, code="E-COL-001",
                             hint="die Spalte angeben (--population, in Python "
                             "population_variable=)")
    need_pop = pop is not None and (screens or population_variable is not None
                                    or min_population is not None)
    indicators = list(meta_frame["indicator"])
    denominators = [str(d) for d in meta_frame.get("denominator", pd.Series(dtype=object))
                    .dropna().unique() if str(d).strip()]
    expected = [area_col, *indicators] + ([pop] if need_pop else [])
    frame = read_text_table(path, sep=sep, encoding=encoding, sheet=sheet,
                            header_row=header_row, expected=expected)
    table_cells = frame[0]
    if year_col is None:
        year_col = next((c for c in table_cells.columns if c.lower() == "year"), None)
    for name in indicators:
        find_column(table_cells, name, label, f"den Indikator '{name}' ({what})",
                    hint="die Spalte in der Tabelle oder den Indikator in den Metadaten so "
                    "umbenennen, dass beide gleich heißen")
    if need_pop:
        find_column(table_cells, pop, label, f"die Bevölkerung ({what})", "--population")
    table = read_indicator_table(
        path, frame=frame, area_col=area_col, year_col=year_col, suppressed=suppressed,
        population_cols=[pop] if pop is not None and pop.lower() in
        {c.lower() for c in table_cells.columns} else [],
        known_areas=_valid_areas(valid_areas), convention=convention,
        needed=[*indicators, *denominators, *([pop] if pop else [])])
    if year is not None:
        years = sorted(table["year"].unique()) if "year" in table.columns else []
        if year not in years:
            raise InputDataError(
                f"das Jahr {year} ist nicht in der Datei (Jahre: "
                f"{', '.join(map(str, years)) or 'keine, es gibt keine Jahresspalte'})",
                file=label, column=year_col or "year", code="E-VAL-006")
    status = year if year is not None else (int(table["year"].max()) if "year" in table
                                            else None)
    in_status = table if status is None else table[table["year"] == status]
    check_min_areas(in_status["area"].nunique(), file=label, what="ein Index")
    lookup = {c.lower(): c for c in table.columns}
    for name in indicators:
        column = lookup[name.lower()]
        if in_status[column].isna().all():
            when = f" im Statusjahr {status}" if status is not None else ""
            raise InputDataError(
                f"die Spalte des Indikators '{name}' hat{when} keinen einzigen Wert",
                file=label, column=column, code="E-VAL-001",
                hint="Werte eintragen, ein anderes Statusjahr wählen (--year) oder den "
                "Indikator aus den Metadaten nehmen")
    data = tidy_indicators(table)
    with _located(label):
        if preset is not None:
            coin = Coin.from_preset(preset, data, population_variable=pop)
        else:
            coin = Coin(data, meta_frame, population_variable=pop, name=path.stem)
            if meta_frame["weight"].notna().all():
                coin.set("weight", method="manual")
        if min_population is not None:
            coin.set("screen", min_population=min_population)
        if year is not None:
            coin.set("select", year=year)
        k = coin.params["dynamics"]["k"]
        if k is not None:
            years_in = set(table["year"]) if "year" in table.columns else set()
            if status is None or status - k not in years_in:
                coin.set("dynamics", k=None)
        coin.regenerate()  # method errors now, naming the file
    return coin


def ranked_table(coin) -> pd.DataFrame:  # noqa: ANN001 - a Coin
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
    max_rate: float | None = DEFAULT_MAX_RATE,
    valid_areas: str | Path | Iterable[str] | None = None,
    area_col: str = "area",
    year_col: str = "year",
    cases_col: str = "cases",
    population_col: str = "population",
    start_col: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    convention: str = "auto",
    header_row: int | None = None,
) -> pd.DataFrame:
    """Read a case-count panel and its start years once; return the validated panel.

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
    max_rate
        Plausibility bound of cases per resident (see
        :func:`sozialanalyse.validation.validate_panel`).
    valid_areas
        A file or a list of valid areas.
    area_col, year_col, cases_col, population_col, start_col
        Column names in the file.
    sheet, encoding, sep, convention, header_row
        File options (see :func:`sozialanalyse.data.readers.read_text_table`).

    Returns
    -------
    pandas.DataFrame
        As :func:`sozialanalyse.validation.validate_panel` returns it.

    Raises
    ------
    InputDataError
        Bad file, unknown model area, no start year anywhere, model or comparison areas
        without cases.
    """
    path = Path(path)
    label = str(path)
    valid = _valid_areas(valid_areas)
    raw, columns = parse_case_panel(
        path, area_col=area_col, year_col=year_col, cases_col=cases_col,
        population_col=population_col, start_col=start_col, sheet=sheet,
        encoding=encoding, sep=sep, convention=convention, header_row=header_row,
        known_areas=valid)
    start_name = columns.get(START_COLUMN, start_col or START_COLUMN)
    if treated:
        if start_year is None:
            raise InputDataError("Modellgebiete sind genannt, aber kein Startjahr",
                                 file=label, column=START_COLUMN, code="E-PANEL-003",
                                 hint="das Startjahr angeben (--start-year)")
        known = set(raw["area"])
        for name in treated:
            if name not in known:
                raise InputDataError(f"das Modellgebiet {name!r} ist nicht in der Datei",
                                     file=label, column=columns["area"], code="E-AREA-005",
                                     hint=f"Gebiete in der Datei: {', '.join(sorted(known))}")
        chosen = set(treated)
        raw[START_COLUMN] = [float(start_year) if a in chosen else math.nan
                             for a in raw["area"]]
    elif START_COLUMN in raw.columns:
        if start_year is not None:
            raw[START_COLUMN] = raw[START_COLUMN].where(raw[START_COLUMN].isna(),
                                                        float(start_year))
    else:
        raise InputDataError(
            f"keine Spalte '{start_name}' und keine Modellgebiete angegeben: nichts "
            "auszuwerten", file=label, column=start_name, code="E-PANEL-003",
            hint="eine Spalte start_year ergänzen (leer bei Vergleichsgebieten; anders "
            "benannt: --start-column) oder die Modellgebiete (--treated) und das Startjahr "
            "(--start-year) angeben")
    columns[START_COLUMN] = start_name
    renamed = raw.rename(columns=columns)
    return validate_panel(renamed, file=label, columns=columns, require_start=True,
                          max_rate=max_rate, valid_areas=valid,
                          rows=[int(n) for n in raw.index], require_cases=True)


def evaluate_from_file(
    path: str | Path,
    *,
    design: str = "did",
    start_year: int | None = None,
    treated: Sequence[str] | None = None,
    level: float = 0.95,
    family: str = "auto",
    **options: object,
):  # noqa: ANN201 - EvaluationResult (imported lazily)
    """Before/after evaluation of a planner's case-count panel.

    Parameters
    ----------
    path, start_year, treated
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
    **options
        File options and checks of :func:`read_panel_with_start` (``max_rate``,
        ``valid_areas``, column names, ``sheet``, ``encoding``, ``sep``, ``convention``,
        ``header_row``).

    Returns
    -------
    EvaluationResult
        The design's result (:class:`sozialanalyse.evaluation.results.EvaluationResult`:
        ``irr``, interval, p-value, inference, ``summary()`` …) with ``file``,
        ``model_areas`` and ``start_years`` in ``extra``; :func:`result_row` gives one
        tidy row for a CSV file.

    Warns
    -----
    EvaluationWarning
        Short pre-period, small counts, few clusters ... (from the designs' guardrails).
    """
    from sozialanalyse.evaluation import pre_post_rate_ratio, two_group_did
    from sozialanalyse.evaluation.panel_did import panel_did

    if design not in DESIGNS:
        raise InputDataError(f"unbekanntes Design '{design}'", code="E-INPUT-000",
                             hint=f"eines von {', '.join(DESIGNS)} wählen (--design)")
    label = str(path)
    panel = read_panel_with_start(path, start_year=start_year, treated=treated,
                                  **options)  # type: ignore[arg-type]
    model_areas = sorted(panel.loc[panel[START_COLUMN].notna(), "area"].unique())
    starts = sorted(int(s) for s in panel[START_COLUMN].dropna().unique())
    if design in ("did", "panel") and panel[START_COLUMN].isna().sum() == 0:
        raise InputDataError(
            "alle Gebiete sind Modellgebiete: für einen Vergleich fehlen Vergleichsgebiete",
            file=label, column=START_COLUMN, code="E-PANEL-004",
            hint="Gebiete ohne neue Praxis mit leerem start_year aufnehmen, oder das Design "
            "rateratio wählen (--design rateratio)")
    with _located(label):
        if design == "did":
            est = two_group_did(panel, level=level, family=family)
        elif design == "panel":
            est = panel_did(panel, level=level)
        else:
            if len(starts) != 1:
                raise InputDataError(
                    f"das Vorher-nachher-Verhältnis braucht ein gemeinsames Startjahr "
                    f"(gefunden: {', '.join(map(str, starts))})", file=label,
                    column=START_COLUMN, code="E-PANEL-005",
                    hint="für gestaffelte Starts das Design panel wählen (--design panel)")
            est = pre_post_rate_ratio(panel, treated=model_areas, start_year=starts[0],
                                          level=level)
    return est.with_updates(extra={**est.extra, "file": label,
                                   "model_areas": tuple(model_areas),
                                   "start_years": tuple(starts)})


def result_row(result) -> pd.DataFrame:  # noqa: ANN001 - EvaluationResult
    """One tidy row of an :func:`evaluate_from_file` result, for a CSV file.

    The result's :meth:`~sozialanalyse.evaluation.results.EvaluationResult.to_frame`
    headline with ``file``, ``model_areas`` and ``start_year`` (text) added.
    """
    out = result.to_frame().iloc[[0]].reset_index(drop=True)
    out.insert(0, "file", result.extra.get("file", ""))
    out["model_areas"] = ", ".join(result.extra.get("model_areas", ()))
    out["start_year"] = ", ".join(map(str, result.extra.get("start_years", ())))
    return out
