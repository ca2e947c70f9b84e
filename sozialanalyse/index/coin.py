"""The Coin: indicator data, metadata and a method log that regenerates itself.

A small Python counterpart of the "coin" of the R package COINr (Becker et al. 2022). The
Coin holds

* ``data``: tidy ``area``, ``indicator``, ``value`` (and optionally ``year``);
* ``meta``: one row per index indicator with ``indicator``, ``dimension``, ``direction``
  (+1 higher = more burden, -1 higher = less burden), ``weight`` and optionally ``unit``,
  ``source``, ``denominator``, ``per``;
* the method: one parameter set per step in :data:`STEPS`.

Each step is a pure function from another module; :meth:`Coin.regenerate` runs them in order
and stores the results. :meth:`Coin.set` changes a parameter, records the change in
:attr:`Coin.history` and marks the results stale; results are recomputed when next read.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.index import (
    aggregate,
    classes,
    denomination,
    dynamics,
    imputation,
    normalise,
    outliers,
    screening,
    weights,
)

STEPS: tuple[str, ...] = (
    "select",
    "screen",
    "denominate",
    "impute",
    "treat",
    "normalise",
    "weight",
    "aggregate",
    "classify",
    "dynamics",
)
"""The pipeline steps in the order they run."""

DEFAULTS: dict[str, dict[str, Any]] = {
    "select": {"year": None, "indicators": None},
    "screen": {"min_population": None, "min_availability": 0.0},
    "denominate": {},
    "impute": {"method": "none"},
    "treat": {"method": "none", "skew_max": 2.0, "kurt_max": 3.5, "max_points": 5},
    "normalise": {"method": "zscore", "ddof": 1, "lower": 0.0, "upper": 100.0,
                  "population_weighted": False},
    "weight": {"method": "equal", "weights": None, "dimension_weights": None},
    "aggregate": {"within": "arithmetic", "across": "arithmetic"},
    "classify": {"method": "sd", "cutoffs": (-1.0, 1.0, 1.5), "q": 4, "labels": None,
                 "ddof": 1, "closed": "left"},
    "dynamics": {"k": None, "method": "zscore", "cutoffs": (-1.0, 1.0), "labels": None,
                 "ddof": 1, "closed": "left"},
}
"""Default parameters per step (the method of a new Coin)."""

FUNCTIONS: dict[str, str] = {
    "select": "Coin.regenerate (status year, indicator subset)",
    "screen": "screening.screen_areas",
    "denominate": "denomination.denominate",
    "impute": "imputation.impute",
    "treat": "outliers.treat_outliers",
    "normalise": "normalise.normalise_frame",
    "weight": "weights.equal_weights | manual_weights | pca_weights",
    "aggregate": "aggregate.aggregate_frame",
    "classify": "classes.sd_classes | quantile_classes",
    "dynamics": "dynamics.change_over + normalise + aggregate + classes.sd_classes",
}
"""The function(s) each step calls, for the method log."""

META_COLUMNS = ("indicator", "dimension", "direction")


def _check_data(data: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("area", "indicator", "value") if c not in data.columns]
    if missing:
        raise InputDataError("indicator data need the columns area, indicator, value",
                             file="<data>", column=missing[0])
    out = data.copy()
    if "year" not in out.columns:
        out["year"] = 0
    values = pd.to_numeric(out["value"], errors="coerce")
    bad = values.isna() & out["value"].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputDataError(f"value {out['value'].iloc[row - 1]!r} is not a number",
                             file="<data>", column="value", row=row)
    out["value"] = values.astype(float)
    dup = out.duplicated(["area", "indicator", "year"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        r = out.iloc[row - 1]
        raise InputDataError(f"area '{r['area']}', indicator '{r['indicator']}', year "
                             f"{r['year']} appears twice", file="<data>", column="area", row=row)
    return out[["area", "year", "indicator", "value"]]


def _check_meta(meta: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in META_COLUMNS if c not in meta.columns]
    if missing:
        raise InputDataError("indicator metadata need the columns indicator, dimension, "
                             "direction", file="<meta>", column=missing[0])
    out = meta.copy().reset_index(drop=True)
    dup = out["indicator"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise InputDataError(f"indicator '{out['indicator'].iloc[row - 1]}' listed twice",
                             file="<meta>", column="indicator", row=row)
    out["direction"] = normalise.check_directions(out["direction"].to_numpy(),
                                                  names=list(out["indicator"]))
    if "weight" not in out.columns:
        out["weight"] = np.nan
    present = set(data["indicator"])
    for i, name in enumerate(out["indicator"]):
        if name not in present:
            raise InputDataError(f"indicator '{name}' has no values in the data",
                                 file="<meta>", column="indicator", row=i + 1)
    return out


class Coin:
    """A composite indicator with its data, metadata and method log.

    Parameters
    ----------
    data
        Tidy indicator data (``area``, ``indicator``, ``value``, optional ``year``).
    meta
        Indicator metadata (see module docstring).
    population_variable
        Variable in ``data`` with residents per area (for screening and population-weighted
        city values).
    name
        A label for tables and plots.

    Examples
    --------
    >>> from sozialanalyse.index.toy import toy_data
    >>> data, meta = toy_data()
    >>> coin = Coin(data, meta, population_variable="einwohner")
    >>> coin.set("normalise", method="minmax").index.round(1).head(2)  # doctest: +SKIP
    """

    def __init__(self, data: pd.DataFrame, meta: pd.DataFrame, *,
                 population_variable: str | None = None, name: str = "") -> None:
        self.has_years = "year" in data.columns
        self.data = _check_data(data)
        self.meta = _check_meta(meta, self.data)
        self.population_variable = population_variable
        self.name = name
        self.params: dict[str, dict[str, Any]] = copy.deepcopy(DEFAULTS)
        self.history: list[dict[str, Any]] = []
        self._results: dict[str, Any] | None = None

    # ------------------------------------------------------------------ method choices
    def set(self, step: str, **params: Any) -> Coin:
        """Change parameters of one step; results are recomputed when next read.

        Parameters
        ----------
        step
            One of :data:`STEPS`.
        **params
            Parameter names of that step (see :data:`DEFAULTS`).

        Returns
        -------
        Coin
            ``self``, so calls can be chained.

        Raises
        ------
        MethodError
            Unknown step or parameter.
        """
        if step not in STEPS:
            raise MethodError(f"unknown step '{step}'; steps are {STEPS}")
        unknown = [p for p in params if p not in DEFAULTS[step]]
        if unknown:
            raise MethodError(f"step '{step}' has no parameter '{unknown[0]}'; parameters are "
                              f"{tuple(DEFAULTS[step])}")
        self.params[step].update(copy.deepcopy(params))
        self.history.append({"step": step, "params": copy.deepcopy(params)})
        self._results = None
        return self

    def copy(self) -> Coin:
        """A deep copy (data, metadata, method, history; results are recomputed)."""
        new = copy.copy(self)
        new.params = copy.deepcopy(self.params)
        new.history = copy.deepcopy(self.history)
        new.meta = self.meta.copy()
        new._results = None
        return new

    def with_params(self, step: str, **params: Any) -> Coin:
        """A regenerated copy with changed parameters (the original stays as it is)."""
        return self.copy().set(step, **params).regenerate()

    @property
    def log(self) -> pd.DataFrame:
        """The current method: one row per step with its function and parameters."""
        rows = [{"order": i + 1, "step": s, "function": FUNCTIONS[s],
                 "parameters": json.dumps(self.params[s], ensure_ascii=False, default=str)}
                for i, s in enumerate(STEPS)]
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ regeneration
    def regenerate(self) -> Coin:
        """Run every step in :data:`STEPS` order with the current parameters.

        Returns
        -------
        Coin
            ``self``.
        """
        p = self.params
        r: dict[str, Any] = {}
        # select
        meta = self.meta
        if p["select"]["indicators"] is not None:
            chosen = list(p["select"]["indicators"])
            unknown = [i for i in chosen if i not in set(meta["indicator"])]
            if unknown:
                raise MethodError(f"indicator '{unknown[0]}' is not in the metadata")
            meta = meta.loc[meta["indicator"].isin(chosen)].reset_index(drop=True)
        years = sorted(pd.unique(self.data["year"]))
        year = p["select"]["year"] if p["select"]["year"] is not None else years[-1]
        if year not in years:
            raise MethodError(f"year {year} not in the data ({years[0]}-{years[-1]})")
        r["year"], r["meta"] = year, meta
        dim_of = meta.set_index("indicator")["dimension"]
        # screen (on the status year)
        variables = list(meta["indicator"])
        if "denominator" in meta.columns:
            variables += [d for d in meta["denominator"].dropna().unique() if d != ""]
        this_year = self.data.loc[self.data["year"] == year]
        if p["screen"]["min_population"] is not None and self.population_variable is not None \
                and not (this_year["indicator"] == self.population_variable).any():
            raise MethodError(f"population variable '{self.population_variable}' has no values "
                              f"for the status year {year}; choose another year or set "
                              "min_population=None")
        _, excluded = screening.screen_areas(
            this_year, variables, population_variable=self.population_variable,
            **p["screen"])
        data = self.data.loc[~self.data["area"].isin(excluded["area"])]
        r["excluded_areas"] = excluded
        # denominate (all years: dynamics need them)
        values, den_report = denomination.denominate(data, meta)
        r["values"], r["denomination_report"] = values, den_report
        wide_by_year = {
            y: g.pivot_table(index="area", columns="indicator", values="value", aggfunc="first",
                             dropna=False).reindex(columns=list(meta["indicator"]))
            for y, g in values.groupby("year")}
        areas = pd.Index(sorted(pd.unique(data.loc[data["year"] == year, "area"])), name="area")
        if year not in wide_by_year:
            raise MethodError(f"no indicator values for the status year {year}; choose "
                              "another year with coin.set('select', year=...)")
        wide = wide_by_year[year].reindex(areas)
        r["denominated"] = wide
        # impute
        r["imputed"], r["imputed_cells"] = self._impute(wide, wide_by_year, year)
        # treat
        r["treated"], r["outlier_report"] = outliers.treat_outliers(r["imputed"], **p["treat"])
        # normalise
        directions = meta.set_index("indicator")["direction"]
        pop = self._population(year, areas) if p["normalise"]["population_weighted"] else None
        norm_kw = {k: v for k, v in p["normalise"].items() if k != "population_weighted"}
        r["normalised"] = normalise.normalise_frame(r["treated"], directions=directions,
                                                    area_weights=pop, **norm_kw)
        # weight
        r["indicator_weights"], r["dimension_weights"] = self._weights(r["normalised"], meta)
        # aggregate
        r["dimensions"], r["index"] = aggregate.aggregate_frame(
            r["normalised"], dim_of, r["indicator_weights"], r["dimension_weights"],
            **p["aggregate"])
        r["ranks"] = pd.Series(aggregate.rank_array(r["index"].to_numpy()).astype(int),
                               index=areas, name="rank")
        # classify
        c = p["classify"]
        if c["method"] == "sd":
            r["classes"] = classes.sd_classes(r["index"], c["cutoffs"], labels=c["labels"],
                                              ddof=c["ddof"], closed=c["closed"], name="status")
        elif c["method"] == "quantile":
            r["classes"] = classes.quantile_classes(r["index"], c["q"], labels=c["labels"],
                                                    name="status")
        else:
            raise MethodError(f"unknown class method '{c['method']}'; use 'sd' or 'quantile'")
        # dynamics
        r["dynamics"] = r["dynamics_classes"] = r["groups"] = None
        d = p["dynamics"]
        if d["k"] is not None:
            self._dynamics(r, d, wide_by_year, meta, dim_of, directions)
        self._results = r
        return self

    def _impute(self, wide: pd.DataFrame, wide_by_year: dict, year: int
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
        method = self.params["impute"]["method"]
        previous = None
        if method == "previous":
            earlier = [y for y in sorted(wide_by_year) if y < year]
            if earlier:
                previous = pd.concat([wide_by_year[y].reindex(wide.index) for y in earlier],
                                     keys=earlier).groupby(level=1).last()
        return imputation.impute(wide, method, previous=previous)

    def _population(self, year: int, areas: pd.Index) -> pd.Series:
        if self.population_variable is None:
            raise MethodError("population-weighted city values need population_variable")
        d = self.data
        pop = d.loc[(d["year"] == year) & (d["indicator"] == self.population_variable)]
        return pop.set_index("area")["value"].reindex(areas)

    def _weights(self, normalised: pd.DataFrame, meta: pd.DataFrame
                 ) -> tuple[pd.Series, pd.Series]:
        w = self.params["weight"]
        dim_of = meta.set_index("indicator")["dimension"]
        if w["method"] == "equal":
            ind = weights.equal_weights(dim_of)
        elif w["method"] == "manual":
            given = w["weights"] if w["weights"] is not None else \
                meta.set_index("indicator")["weight"]
            ind = weights.manual_weights(dim_of, given)
        elif w["method"] == "pca":
            ind = weights.pca_weights(normalised, dim_of)
        else:
            raise MethodError(f"unknown weighting '{w['method']}'; choose one of "
                              f"{weights.WEIGHTINGS}")
        dims = list(pd.unique(dim_of))
        return ind, weights.dimension_weights(dims, w["dimension_weights"])

    def _dynamics(self, r: dict, d: dict, wide_by_year: dict, meta: pd.DataFrame,
                  dim_of: pd.Series, directions: pd.Series) -> None:
        if not self.has_years:
            raise MethodError("dynamics need data for several years: the data have no 'year' "
                              "column")
        areas = r["index"].index
        cols = list(meta["indicator"])
        # checks the window against the data years (raises a MethodError naming them)
        dynamics.change_over(r["values"], r["year"], d["k"])
        start = r["year"] - d["k"]
        earlier, cells = self._impute(wide_by_year[start].reindex(index=areas, columns=cols),
                                      wide_by_year, start)
        r["imputed_cells_start"] = cells.assign(year=start)
        change = (r["imputed"] - earlier).reindex(index=areas, columns=cols)
        r["change"] = change
        norm = normalise.normalise_frame(change, d["method"], directions=directions,
                                         ddof=d["ddof"])
        _, dyn = aggregate.aggregate_frame(norm, dim_of, r["indicator_weights"],
                                           r["dimension_weights"])
        r["dynamics"] = dyn.rename("dynamics")
        r["dynamics_classes"] = classes.sd_classes(dyn, d["cutoffs"], labels=d["labels"],
                                                   ddof=d["ddof"], closed=d["closed"],
                                                   name="dynamics_class")
        r["groups"] = dynamics.status_dynamics_groups(r["classes"], r["dynamics_classes"])

    # ------------------------------------------------------------------ results
    def _get(self, key: str) -> Any:
        if self._results is None:
            self.regenerate()
        assert self._results is not None
        return self._results[key]

    def matrix(self, stage: str = "normalised") -> pd.DataFrame:
        """Areas x indicators at a stage: ``denominated``, ``imputed``, ``treated``,
        ``normalised`` (or ``change`` for the dynamics window)."""
        if stage not in ("denominated", "imputed", "treated", "normalised", "change"):
            raise MethodError(f"unknown stage '{stage}'")
        return self._get(stage).copy()

    @property
    def year(self) -> int:
        """The status year."""
        return self._get("year")

    @property
    def dimensions(self) -> pd.DataFrame:
        """Dimension scores, areas x dimensions."""
        return self._get("dimensions").copy()

    @property
    def index(self) -> pd.Series:
        """The composite index per area (higher = more burden)."""
        return self._get("index").copy()

    @property
    def ranks(self) -> pd.Series:
        """Rank per area, 1 = most burdened."""
        return self._get("ranks").copy()

    @property
    def classes(self) -> pd.Series:
        """Status class per area (ordered from least to most burdened)."""
        return self._get("classes").copy()

    @property
    def dynamics(self) -> pd.Series | None:
        """Dynamics index per area (None unless ``dynamics.k`` is set)."""
        return self._get("dynamics")

    @property
    def dynamics_classes(self) -> pd.Series | None:
        """Dynamics class per area (None unless ``dynamics.k`` is set)."""
        return self._get("dynamics_classes")

    @property
    def groups(self) -> pd.Series | None:
        """Status / dynamics group per area (None unless ``dynamics.k`` is set)."""
        return self._get("groups")

    def group_matrix(self) -> pd.DataFrame:
        """Counts of areas per status class x dynamics class."""
        if self.dynamics_classes is None:
            raise MethodError("no dynamics: set coin.set('dynamics', k=...) first")
        return dynamics.group_matrix(self.classes, self.dynamics_classes)

    @property
    def imputed_cells(self) -> pd.DataFrame:
        """Every imputed (or left-missing) cell with method and value."""
        return self._get("imputed_cells").copy()

    @property
    def excluded_areas(self) -> pd.DataFrame:
        """Areas removed by screening, with reason."""
        return self._get("excluded_areas").copy()

    @property
    def outlier_report(self) -> pd.DataFrame:
        """Skewness, kurtosis, flag and treatment per indicator."""
        return self._get("outlier_report").copy()

    @property
    def indicators(self) -> list[str]:
        """The indicators in the current index."""
        return list(self._get("meta")["indicator"])

    @property
    def directions(self) -> pd.Series:
        """Indicator -> direction (+1 / -1)."""
        return self._get("meta").set_index("indicator")["direction"]

    @property
    def dimension_of(self) -> pd.Series:
        """Indicator -> dimension."""
        return self._get("meta").set_index("indicator")["dimension"]

    @property
    def indicator_weights(self) -> pd.Series:
        """Indicator -> weight within its dimension."""
        return self._get("indicator_weights").copy()

    @property
    def dimension_weights(self) -> pd.Series:
        """Dimension -> weight."""
        return self._get("dimension_weights").copy()

    def table(self) -> pd.DataFrame:
        """One row per area: index, rank, status class, dimension scores and dynamics."""
        out = pd.concat([self.index, self.ranks, self.classes, self.dimensions], axis=1)
        if self.dynamics is not None:
            out = pd.concat([out, self.dynamics, self.dynamics_classes, self.groups], axis=1)
        return out.sort_values("rank")

    def __repr__(self) -> str:
        n_areas = self.data["area"].nunique()
        return (f"Coin({self.name!r}: {n_areas} areas, {len(self.meta)} indicators, "
                f"normalise={self.params['normalise']['method']}, "
                f"aggregate={self.params['aggregate']['within']}/"
                f"{self.params['aggregate']['across']})")

    # ------------------------------------------------------------------ presets
    @classmethod
    def from_preset(cls, preset: str | Mapping[str, Any], data: pd.DataFrame,
                    meta: pd.DataFrame | None = None, *,
                    population_variable: str | None = None) -> Coin:
        """Build a Coin whose method (and, unless ``meta`` is given, indicators) come from a
        preset.

        Parameters
        ----------
        preset
            A preset id (see :func:`sozialanalyse.index.presets.list_presets`) or a loaded
            preset dict.
        data
            Tidy indicator data whose variable names match the preset's indicators (or
            ``meta``).
        meta
            Optional own metadata replacing the preset's indicator list.
        population_variable
            Overrides the preset's population variable.

        Returns
        -------
        Coin
        """
        from sozialanalyse.index import presets

        p = presets.load_preset(preset) if isinstance(preset, str) else preset
        if meta is None:
            meta = presets.preset_meta(p)
        pop = population_variable or p.get("population_variable")
        coin = cls(data, meta, population_variable=pop, name=p.get("name", ""))
        for step, params in presets.preset_params(p).items():
            coin.set(step, **params)
        return coin
