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
from collections.abc import Mapping, Sequence
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
    methods,
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
    "screen": {"min_population": None, "min_availability": 0.0, "exclude_areas": None,
               "drop_placeholders": True},
    "denominate": {},
    "impute": {"method": "none"},
    "treat": {"method": "none", "skew_max": 2.0, "kurt_max": 3.5, "max_points": 5,
              "quantile": 0.05},
    "normalise": {"method": "zscore", "ddof": 1, "lower": 0.0, "upper": 100.0,
                  "population_weighted": False},
    "weight": {"method": "equal", "weights": None, "dimension_weights": None},
    "aggregate": {"within": "arithmetic", "across": "arithmetic", "scale": "mean"},
    "classify": {"method": "sd", "cutoffs": (-1.0, 1.0, 1.5), "q": 4, "labels": None,
                 "codes": None, "ddof": 1, "closed": "left"},
    "dynamics": {"k": None, "method": "zscore", "cutoffs": (-1.0, 1.0), "labels": None,
                 "codes": None, "ddof": 1, "closed": "left", "given": None},
}
"""Default parameters per step (the method of a new Coin). The allowed values of every
parameter are in :data:`sozialanalyse.index.methods.CHECKS`."""

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
    "dynamics": "dynamics.change_over (or given change values) + normalise + aggregate + "
                "classes.sd_classes",
}
"""The function(s) each step calls, for the method log."""

META_COLUMNS = ("indicator", "dimension", "direction")


def _where(r: pd.Series) -> str:
    """The cell as a user sees it: indicator and year (the area goes to ``area=``)."""
    year = "" if r["year"] == 0 else f", Jahr {r['year']}"
    return f"Indikator '{r['indicator']}'{year}"


def _check_data(data: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("area", "indicator", "value") if c not in data.columns]
    if missing:
        raise InputDataError("die Indikatordaten brauchen die Spalten area (Gebiet), "
                             "indicator (Indikator) und value (Wert)", file="<data>",
                             column=missing[0], code="E-COL-001",
                             hint="die Spalten umbenennen oder beim Einlesen zuordnen")
    out = data.copy()
    if "year" not in out.columns:
        out["year"] = 0
    values = pd.to_numeric(out["value"], errors="coerce")
    bad = values.isna() & out["value"].notna()
    if bad.any():
        r = out.loc[bad].iloc[0]
        raise InputDataError(f"{_where(r)}: der Wert {r['value']!r} ist keine Zahl",
                             file="<data>", column="value", area=str(r["area"]),
                             code="E-VAL-002",
                             hint="eine Zahl eintragen (Dezimalzeichen prüfen) oder die Zelle "
                             "leer lassen")
    out["value"] = values.astype(float)
    dup = out.duplicated(["area", "indicator", "year"])
    if dup.any():
        r = out.loc[dup].iloc[0]
        raise InputDataError(f"{_where(r)} kommt für dieses Gebiet zweimal vor",
                             file="<data>", column="area", area=str(r["area"]),
                             code="E-AREA-002", hint="die doppelte Zeile löschen")
    return out[["area", "year", "indicator", "value"]]


def _check_counts(data: pd.DataFrame, variables: Sequence[str], what: str) -> None:
    """Residents and denominators are counts: whole numbers >= 0 (missing allowed).

    Uses the package's one count validator, :func:`sozialanalyse.validation.check_counts`,
    and names the area, indicator and year of a bad value (not an internal row number).
    """
    from sozialanalyse.validation import check_counts

    for var in variables:
        part = data.loc[data["indicator"] == var]
        if part.empty:
            continue
        try:
            check_counts(part["value"].tolist(), column="value", missing="allow", what=what,
                         rows=list(range(len(part))))
        except InputDataError as err:
            r = part.iloc[int(err.row)] if err.row is not None else part.iloc[0]
            raise InputDataError(f"{_where(r)}: {err.message}", file="<data>",
                                 column="value", area=str(r["area"]), code=err.code,
                                 hint=err.hint) from err


def _check_meta(meta: pd.DataFrame, data: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in META_COLUMNS if c not in meta.columns]
    if missing:
        raise InputDataError("die Metadaten brauchen die Spalten indicator (Indikator), "
                             "dimension und direction (Richtung)", file="<meta>",
                             column=missing[0], code="E-META-001")
    out = meta.copy().reset_index(drop=True)
    dup = out["indicator"].duplicated()
    if dup.any():
        name = out.loc[dup, "indicator"].iloc[0]
        raise InputDataError(f"Indikator '{name}' steht zweimal in den Metadaten",
                             file="<meta>", column="indicator", code="E-META-006",
                             hint="eine der beiden Zeilen löschen")
    out["direction"] = normalise.check_directions(out["direction"].to_numpy(),
                                                  names=list(out["indicator"]))
    if "weight" not in out.columns:
        out["weight"] = np.nan
    present = set(data["indicator"])
    for name in out["indicator"]:
        if name not in present:
            raise InputDataError(f"Indikator '{name}' hat keine Werte in den Daten",
                                 file="<meta>", column="indicator", code="E-META-007",
                                 hint="den Indikator aus den Metadaten streichen oder "
                                 "abwählen (coin.set('select', indicators=[...])), oder seine "
                                 "Werte ergänzen")
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
        counts = [population_variable] if population_variable is not None else []
        _check_counts(self.data, counts, "Einwohnerzahl")
        if "denominator" in self.meta.columns:
            dens = [d for d in self.meta["denominator"].dropna().unique() if d != ""]
            _check_counts(self.data, [d for d in dens if d not in counts], "Nennerzahl")
        self.population_variable = population_variable
        self.name = name
        self.params: dict[str, dict[str, Any]] = copy.deepcopy(DEFAULTS)
        self.history: list[dict[str, Any]] = []
        self._outputs: dict[str, dict[str, Any]] = {}
        self._stale = 0

    # ------------------------------------------------------------------ method choices
    def set(self, step: str, **params: Any) -> Coin:
        """Change parameters of one step; results are recomputed when next read.

        Every value is checked at once against
        :data:`sozialanalyse.index.methods.CHECKS`; later steps are marked stale and
        recomputed from this step on.

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
            Unknown step, parameter or value; the German message names the allowed ones.
        """
        if step not in STEPS:
            raise MethodError(f"Unbekannter Schritt '{step}'; erlaubt: {', '.join(STEPS)}")
        for name, value in params.items():
            methods.check_parameter(step, name, value)
        self.params[step].update(copy.deepcopy(params))
        self.history.append({"step": step, "params": copy.deepcopy(params)})
        self._stale = min(self._stale, STEPS.index(step))
        return self

    def copy(self) -> Coin:
        """A copy with its own method and history (data shared, results kept until changed)."""
        new = copy.copy(self)
        new.params = copy.deepcopy(self.params)
        new.history = copy.deepcopy(self.history)
        new.meta = self.meta.copy()
        new._outputs = dict(self._outputs)
        return new

    def with_params(self, step: str, **params: Any) -> Coin:
        """A regenerated copy with changed parameters (the original stays as it is)."""
        new = self.copy().set(step, **params)
        return new.regenerate(from_step=STEPS[new._stale])

    @property
    def log(self) -> pd.DataFrame:
        """The current method: one row per step with its function and parameters."""
        rows = [{"order": i + 1, "step": s, "function": FUNCTIONS[s],
                 "parameters": json.dumps(self.params[s], ensure_ascii=False, default=str)}
                for i, s in enumerate(STEPS)]
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ regeneration
    def regenerate(self, from_step: str | None = None) -> Coin:
        """Run the steps in :data:`STEPS` order with the current parameters.

        Parameters
        ----------
        from_step
            Re-run from this step on and keep the results of the earlier steps (as COINr's
            ``Regen(coin, from = ...)``). ``None`` runs every step. If the earlier steps have
            no results yet, they run too.

        Returns
        -------
        Coin
            ``self``.

        Raises
        ------
        MethodError
            Unknown step name, or a step that cannot be applied to the data.
        """
        if from_step is None:
            start = 0
        elif from_step in STEPS:
            start = STEPS.index(from_step)
        else:
            raise MethodError(f"Unbekannter Schritt '{from_step}'; erlaubt: {', '.join(STEPS)}")
        have = 0
        while have < len(STEPS) and STEPS[have] in self._outputs:
            have += 1
        start = min(start, have, self._stale)
        outputs = {s: self._outputs[s] for s in STEPS[:start]}
        r: dict[str, Any] = {}
        for s in STEPS[:start]:
            r.update(outputs[s])
        for s in STEPS[start:]:
            out = getattr(self, f"_step_{s}")(r)
            outputs[s] = out
            r.update(out)
        self._outputs = outputs
        self._stale = len(STEPS)
        return self

    def _step_select(self, r: dict) -> dict:
        p = self.params["select"]
        meta = self.meta
        if p["indicators"] is not None:
            chosen = list(p["indicators"])
            unknown = [i for i in chosen if i not in set(meta["indicator"])]
            if unknown:
                raise MethodError(f"Indikator '{unknown[0]}' ist nicht in den Metadaten; "
                                  f"erlaubt: {', '.join(meta['indicator'])}")
            meta = meta.loc[meta["indicator"].isin(chosen)].reset_index(drop=True)
        years = sorted(pd.unique(self.data["year"]))
        year = p["year"] if p["year"] is not None else years[-1]
        if year not in years:
            raise MethodError(f"Das Jahr {year} ist nicht in den Daten (Jahre {years[0]}–"
                              f"{years[-1]}); wählen Sie ein vorhandenes Jahr mit "
                              "coin.set('select', year=...)", code="E-VAL-006")
        return {"year": year, "meta": meta}

    def _step_screen(self, r: dict) -> dict:
        p = self.params["screen"]
        meta, year = r["meta"], r["year"]
        variables = list(meta["indicator"])
        if "denominator" in meta.columns:
            variables += [d for d in meta["denominator"].dropna().unique() if d != ""]
        this_year = self.data.loc[self.data["year"] == year]
        if p["min_population"] is not None and self.population_variable is not None \
                and not (this_year["indicator"] == self.population_variable).any():
            raise MethodError(f"Die Einwohnervariable '{self.population_variable}' hat keine "
                              f"Werte im Statusjahr {year}; wählen Sie ein anderes Jahr oder "
                              "setzen Sie min_population=None", code="E-COL-001")
        in_index = this_year["indicator"].isin(list(meta["indicator"]))
        if not this_year.loc[in_index, "value"].notna().any():
            raise MethodError(f"Keine Indikatorwerte im Statusjahr {year}; wählen Sie ein "
                              "anderes Jahr mit coin.set('select', year=...)",
                              code="E-VAL-006")
        _, excluded = screening.screen_areas(
            this_year, variables, population_variable=self.population_variable,
            placeholder_indicators=list(meta["indicator"]), **p)
        n_areas = this_year["area"].nunique()
        n_out = int(excluded["area"].isin(this_year["area"]).sum())
        if n_areas and n_out >= n_areas:
            present = excluded.loc[excluded["area"].isin(this_year["area"])]
            counts = present["grund"].str.replace(r"\s*\(.*\)$", "", regex=True)
            reasons = "; ".join(f"{n} × {g}" for g, n in counts.value_counts().items())
            pop = (f" und die Einwohnervariable '{self.population_variable}'"
                   if p["min_population"] is not None else "")
            raise MethodError(
                f"Nach dem Ausschluss bleibt kein Gebiet übrig: alle {n_areas} Gebiete des "
                f"Jahres {year} sind ausgeschlossen ({reasons}). Prüfen Sie min_population, "
                f"exclude_areas, drop_placeholders{pop} (coin.set('screen', ...)).",
                code="E-AREA-004")
        return {"excluded_areas": excluded}

    def _step_denominate(self, r: dict) -> dict:
        meta, year = r["meta"], r["year"]
        data = self.data.loc[~self.data["area"].isin(r["excluded_areas"]["area"])]
        values, den_report = denomination.denominate(data, meta)
        cols = list(meta["indicator"])
        stacked = values.drop_duplicates(["year", "area", "indicator"]).set_index(
            ["year", "area", "indicator"])["value"].unstack("indicator")
        wide_by_year = {y: g.droplevel("year").reindex(columns=cols)
                        for y, g in stacked.groupby(level="year")}
        areas = pd.Index(sorted(pd.unique(data.loc[data["year"] == year, "area"])), name="area")
        if year not in wide_by_year:
            raise MethodError(f"Keine Indikatorwerte im Statusjahr {year}; wählen Sie ein "
                              "anderes Jahr mit coin.set('select', year=...)",
                              code="E-VAL-006")
        return {"values": values, "denomination_report": den_report,
                "wide_by_year": wide_by_year, "areas": areas,
                "denominated": wide_by_year[year].reindex(areas)}

    def _step_impute(self, r: dict) -> dict:
        imputed, cells = self._impute(r["denominated"], r["wide_by_year"], r["year"])
        return {"imputed": imputed, "imputed_cells": cells}

    def _step_treat(self, r: dict) -> dict:
        treated, report = outliers.treat_outliers(r["imputed"], **self.params["treat"])
        return {"treated": treated, "outlier_report": report}

    def _step_normalise(self, r: dict) -> dict:
        p = self.params["normalise"]
        directions = r["meta"].set_index("indicator")["direction"]
        pop = self._population(r["year"], r["areas"]) if p["population_weighted"] else None
        kw = {k: v for k, v in p.items() if k != "population_weighted"}
        return {"normalised": normalise.normalise_frame(r["treated"], directions=directions,
                                                        area_weights=pop, **kw)}

    def _step_weight(self, r: dict) -> dict:
        ind, dims = self._weights(r["normalised"], r["meta"])
        return {"indicator_weights": ind, "dimension_weights": dims}

    def _step_aggregate(self, r: dict) -> dict:
        dim_of = r["meta"].set_index("indicator")["dimension"]
        dims, index = aggregate.aggregate_frame(
            r["normalised"], dim_of, r["indicator_weights"], r["dimension_weights"],
            **self.params["aggregate"])
        ranks = pd.Series(aggregate.rank_array(index.to_numpy()), index=index.index,
                          name="rank")
        return {"dimensions": dims, "index": index, "ranks": ranks}

    def _step_classify(self, r: dict) -> dict:
        c = self.params["classify"]
        if c["method"] == "sd":
            status = classes.sd_classes(r["index"], c["cutoffs"], labels=c["labels"],
                                        ddof=c["ddof"], closed=c["closed"], name="status")
        else:
            status = classes.quantile_classes(r["index"], c["q"], labels=c["labels"],
                                              name="status")
        return {"classes": status,
                "class_codes": classes.class_codes(status, c["codes"], name="status_code")}

    def _step_dynamics(self, r: dict) -> dict:
        d = self.params["dynamics"]
        out: dict[str, Any] = {"dynamics": None, "dynamics_classes": None, "groups": None,
                               "group_codes": None, "change": None,
                               "dynamics_class_codes": None}
        if d["k"] is None and d["given"] is None:
            return out
        meta = r["meta"]
        areas = r["index"].index
        cols = list(meta["indicator"])
        if d["given"] is not None:
            change = self._given_change(d["given"], r["year"], areas, cols)
        else:
            if not self.has_years:
                raise MethodError("Die Dynamik braucht Daten mehrerer Jahre: die Daten haben keine "
                                  "Spalte 'year' (Jahr); oder übergeben Sie veröffentlichte "
                                  "Veränderungswerte mit coin.set('dynamics', "
                                  "given={Indikator: Variable})", code="E-COL-001")
            # checks the window against the data years (raises a MethodError naming them)
            dynamics.change_over(r["values"], r["year"], d["k"])
            start = r["year"] - d["k"]
            earlier, cells = self._impute(
                r["wide_by_year"][start].reindex(index=areas, columns=cols),
                r["wide_by_year"], start)
            out["imputed_cells_start"] = cells.assign(year=start)
            change = (r["imputed"] - earlier).reindex(index=areas, columns=cols)
        out["change"] = change
        directions = meta.set_index("indicator")["direction"]
        dim_of = meta.set_index("indicator")["dimension"]
        norm = normalise.normalise_frame(change, d["method"], directions=directions,
                                         ddof=d["ddof"])
        out["change_normalised"] = norm
        _, dyn = aggregate.aggregate_frame(norm, dim_of, r["indicator_weights"],
                                           r["dimension_weights"],
                                           scale=self.params["aggregate"]["scale"])
        out["dynamics"] = dyn.rename("dynamics")
        dyn_classes = classes.sd_classes(dyn, d["cutoffs"], labels=d["labels"], ddof=d["ddof"],
                                         closed=d["closed"], name="dynamics_class")
        out["dynamics_classes"] = dyn_classes
        out["groups"] = dynamics.status_dynamics_groups(r["classes"], dyn_classes)
        out["dynamics_class_codes"] = classes.class_codes(dyn_classes, d["codes"],
                                                          name="dynamics_code")
        if r["class_codes"] is not None and out["dynamics_class_codes"] is not None:
            out["group_codes"] = (r["class_codes"].astype(str)
                                  + out["dynamics_class_codes"].reindex(areas).astype(str)
                                  ).rename("group_code")
        return out

    def _given_change(self, given: Mapping[str, str], year: int, areas: pd.Index,
                      cols: list[str]) -> pd.DataFrame:
        unknown = [i for i in given if i not in cols]
        if unknown:
            raise MethodError(f"Veränderungswerte für '{unknown[0]}' angegeben, aber der Index "
                              f"enthält diesen Indikator nicht; Indikatoren: {', '.join(cols)}")
        missing = [i for i in cols if i not in given]
        if missing:
            raise MethodError(f"Für den Indikator '{missing[0]}' fehlt die Variable mit den "
                              "veröffentlichten Veränderungswerten; geben Sie given={...} für "
                              f"alle Indikatoren an: {', '.join(cols)}")
        d = self.data.loc[self.data["year"] == year]
        present = set(d["indicator"])
        out = {}
        for ind in cols:
            var = given[ind]
            if var not in present:
                raise InputDataError(f"Variable '{var}' mit den veröffentlichten Veränderungen "
                                     f"von '{ind}' fehlt in den Daten des Jahres {year}",
                                     file="<data>", column=str(var), code="E-COL-001")
            out[ind] = d.loc[d["indicator"] == var].set_index("area")["value"].reindex(areas)
        return pd.DataFrame(out, index=areas)[cols]

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
            raise MethodError("Einwohnergewichtete Stadtwerte brauchen die Einwohnervariable: "
                              "Coin(..., population_variable=...)")
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
        else:
            ind = weights.pca_weights(normalised, dim_of)
        dims = list(pd.unique(dim_of))
        return ind, weights.dimension_weights(dims, w["dimension_weights"])

    # ------------------------------------------------------------------ results
    def _get(self, key: str) -> Any:
        if self._stale < len(STEPS):
            self.regenerate(from_step=STEPS[self._stale])
        for out in self._outputs.values():
            if key in out:
                return out[key]
        raise KeyError(key)

    def matrix(self, stage: str = "normalised") -> pd.DataFrame:
        """Areas x indicators at a stage.

        ``denominated``, ``imputed``, ``treated``, ``normalised``; with dynamics also
        ``change`` (the change values over the window, computed or given) and
        ``change_normalised``.

        Raises
        ------
        MethodError
            Unknown stage, or a dynamics stage without dynamics.
        """
        stages = ("denominated", "imputed", "treated", "normalised", "change",
                  "change_normalised")
        if stage not in stages:
            raise MethodError(f"Unbekannte Stufe '{stage}'; erlaubt: {', '.join(stages)}")
        if stage.startswith("change") and self._get("change") is None:
            raise MethodError("Keine Dynamik berechnet, daher keine Veränderungsmatrix: "
                              "setzen Sie coin.set('dynamics', k=...) (Veränderung aus zwei "
                              "Jahren) oder coin.set('dynamics', given={...}) (veröffentlichte "
                              "Veränderungswerte)")
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
    def class_codes(self) -> pd.Series | None:
        """Published status class code per area (e.g. Berlin's 1-4), None without codes."""
        return self._get("class_codes")

    @property
    def dynamics(self) -> pd.Series | None:
        """Dynamics index per area (None unless ``dynamics.k`` or ``dynamics.given`` is set)."""
        return self._get("dynamics")

    @property
    def dynamics_classes(self) -> pd.Series | None:
        """Dynamics class per area (None without dynamics)."""
        return self._get("dynamics_classes")

    @property
    def dynamics_class_codes(self) -> pd.Series | None:
        """Published dynamics class code per area (e.g. ``+``, ``+/-``, ``-``), or None."""
        return self._get("dynamics_class_codes")

    @property
    def groups(self) -> pd.Series | None:
        """Status / dynamics group per area in words (None without dynamics)."""
        return self._get("groups")

    @property
    def group_codes(self) -> pd.Series | None:
        """Status / dynamics group code per area as published (e.g. ``"2+/-"``), or None."""
        return self._get("group_codes")

    def group_matrix(self) -> pd.DataFrame:
        """Counts of areas per status class x dynamics class."""
        if self.dynamics_classes is None:
            raise MethodError("Keine Dynamik berechnet: setzen Sie zuerst "
                              "coin.set('dynamics', k=...) oder given={...}")
        return dynamics.group_matrix(self.classes, self.dynamics_classes)

    @property
    def imputed_cells(self) -> pd.DataFrame:
        """Every imputed (or left-missing) cell with method and value."""
        return self._get("imputed_cells").copy()

    @property
    def excluded_areas(self) -> pd.DataFrame:
        """Areas removed by screening: ``area``, ``reason``, ``value``, ``grund`` (German)."""
        return self._get("excluded_areas").copy()

    def exclusion_note(self) -> str:
        """German note on excluded areas, ``"ausgeschlossen: A (Grund: ...); ..."``."""
        return screening.exclusion_note(self._get("excluded_areas"))

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

    @property
    def effective_weights(self) -> pd.Series:
        """Indicator -> weight in the index (weight within the dimension x dimension weight)."""
        dims = self.dimension_of
        w = self.indicator_weights.reindex(dims.index) * dims.map(self.dimension_weights)
        return w.astype(float).rename("weight")

    def table(self, *, include_excluded: bool = False) -> pd.DataFrame:
        """One row per area: index, rank, status class, dimension scores and dynamics.

        Parameters
        ----------
        include_excluded
            Append the excluded areas (empty results, their German reason in ``grund``).
        """
        parts = [self.index, self.ranks, self.classes]
        if self.class_codes is not None:
            parts.append(self.class_codes)
        parts.append(self.dimensions)
        if self.dynamics is not None:
            parts += [self.dynamics, self.dynamics_classes]
            if self.dynamics_class_codes is not None:
                parts.append(self.dynamics_class_codes)
            parts.append(self.groups)
            if self.group_codes is not None:
                parts.append(self.group_codes)
        out = pd.concat(parts, axis=1).sort_values("rank")
        if include_excluded:
            ex = self.excluded_areas.set_index("area")[["grund"]]
            out = pd.concat([out.assign(grund=""), ex])
            out.index.name = "area"
        return out

    def compare(self, other: Coin, *, by: str = "ranks") -> pd.DataFrame:
        """Rank and class shifts from this Coin to ``other`` (as COINr's ``compare_coins``).

        See :func:`sozialanalyse.index.compare.compare_coins`.
        """
        from sozialanalyse.index.compare import compare_coins

        return compare_coins(self, other, by=by)

    def uncertainty(self, n_draws: int = 1_000, *, space: Any = None, seed: int = 0,
                    engine: str = "fast", draws: Any = None, progress: bool = False) -> Any:
        """Monte Carlo over this Coin's own method parameters (COINr's ``get_sensitivity``).

        See :func:`sozialanalyse.index.uncertainty.coin_monte_carlo`.
        """
        from sozialanalyse.index.uncertainty import coin_monte_carlo

        return coin_monte_carlo(self, n_draws=n_draws, space=space, seed=seed, engine=engine,
                                draws=draws, progress=progress)

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
                    population_variable: str | None = None,
                    drop_indicators: Sequence[str] = ()) -> Coin:
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
        drop_indicators
            Preset indicators to leave out (e.g. one the data lack); recorded in
            ``coin.history``.

        Returns
        -------
        Coin

        Raises
        ------
        InputDataError
            A preset indicator is missing from the data and not in ``drop_indicators`` (the
            message names it and how to deselect it).
        MethodError
            ``drop_indicators`` names an indicator the preset does not have.
        """
        from sozialanalyse.index import presets

        p = presets.load_preset(preset) if isinstance(preset, str) else preset
        if meta is None:
            meta = presets.preset_meta(p)
        names = list(meta["indicator"])
        unknown = [i for i in drop_indicators if i not in names]
        if unknown:
            raise MethodError(f"Indikator '{unknown[0]}' gehört nicht zum Preset "
                              f"'{p.get('id', '')}'; Indikatoren: {', '.join(names)}")
        meta = meta.loc[~meta["indicator"].isin(list(drop_indicators))].reset_index(drop=True)
        present = set(data["indicator"]) if "indicator" in data.columns else set()
        lacking = [i for i in meta["indicator"] if i not in present]
        if lacking:
            raise InputDataError(
                f"Die Daten enthalten den Indikator '{lacking[0]}' des Presets "
                f"'{p.get('id', '')}' nicht",
                file="<data>", column=str(lacking[0]), code="E-COL-001",
                hint=f"liefern Sie die Werte oder wählen Sie ihn ab: "
                     f"Coin.from_preset(..., drop_indicators={lacking!r})")
        pop = population_variable or p.get("population_variable")
        coin = cls(data, meta, population_variable=pop, name=p.get("name", ""))
        for step, params in presets.preset_params(p).items():
            coin.set(step, **params)
        if drop_indicators:
            coin.history.append({"step": "from_preset",
                                 "params": {"drop_indicators": list(drop_indicators)}})
        return coin
