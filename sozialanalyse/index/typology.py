"""Area types by hierarchical clustering, their stability, and comparison with a reference.

Areas are grouped by the similarity of their normalised indicator profiles with Ward's
minimum-variance method (:func:`scipy.cluster.hierarchy.linkage`). Cluster numbers carry no
meaning, so types are numbered by their mean burden (type 1 = most burdened). A typology is
only useful if it does not fall apart when the data move a little: :func:`cluster_stability`
re-clusters random subsamples of areas (optionally with added noise) and reports the adjusted
Rand index (Hubert & Arabie 1985) against the full-data types and how often each pair of areas
ends up together (co-assignment rate). :func:`compare_with_reference` sets the types against
a published typology such as the Stadtraumtypen of the Dresden study (2017).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage

from sozialanalyse.errors import InputDataError, MethodError


def adjusted_rand_index(a: np.ndarray | pd.Series, b: np.ndarray | pd.Series) -> float:
    """Adjusted Rand index of two partitions of the same items.

    1 for identical partitions (up to relabelling), about 0 for random agreement, negative
    for less agreement than chance.

    Parameters
    ----------
    a, b
        Cluster labels of the same items in the same order (any hashable labels).

    Returns
    -------
    float
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise MethodError("beide Einteilungen müssen eindimensional und gleich lang sein",
                          code="E-METHOD-005")
    n = a.size
    if n < 2:
        raise MethodError("der bereinigte Rand-Index braucht mindestens zwei Gebiete",
                          code="E-AREA-004")
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    table = np.zeros((ia.max() + 1, ib.max() + 1))
    np.add.at(table, (ia, ib), 1)

    def pairs(v: np.ndarray) -> float:
        return float((v * (v - 1) / 2).sum())

    index = pairs(table)
    sum_a = pairs(table.sum(axis=1))
    sum_b = pairs(table.sum(axis=0))
    total = n * (n - 1) / 2
    expected = sum_a * sum_b / total
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:  # both partitions trivial (all one cluster or all singletons)
        return 1.0
    return (index - expected) / (maximum - expected)


def _check_matrix(z: pd.DataFrame, k: int) -> np.ndarray:
    if not isinstance(z, pd.DataFrame) or z.shape[1] == 0:
        raise InputDataError("die Eingabe der Typisierung muss ein DataFrame mit "
                             "Indikatorspalten sein", code="E-COL-002")
    values = z.to_numpy(dtype=float)
    bad = np.argwhere(~np.isfinite(values))
    if bad.size:
        i, j = bad[0]
        raise InputDataError(
            f"Indikator '{z.columns[j]}': Wert fehlt", column=str(z.columns[j]),
            area=str(z.index[i]), code="E-VAL-001",
            hint="fehlende Werte vor der Typisierung ausdrücklich ergänzen (Imputation)",
        )
    if k < 2:
        raise MethodError(f"eine Typisierung braucht mindestens 2 Typen, nicht k={k}",
                          code="E-METHOD-005")
    if z.shape[0] < k:
        raise MethodError(f"aus nur {z.shape[0]} Gebieten lassen sich keine {k} Typen bilden",
                          code="E-AREA-004")
    return values


def _ward_labels(values: np.ndarray, k: int) -> np.ndarray:
    tree = linkage(values, method="ward", metric="euclidean")
    return fcluster(tree, t=k, criterion="maxclust")


def _order_by_burden(labels: np.ndarray, burden: np.ndarray) -> np.ndarray:
    """Renumber clusters 1..k by decreasing mean burden (ties by first area)."""
    ids = np.unique(labels)
    means = np.array([burden[labels == c].mean() for c in ids])
    order = ids[np.argsort(-means, kind="stable")]
    mapping = {c: i + 1 for i, c in enumerate(order)}
    return np.array([mapping[c] for c in labels])


def ward_types(z: pd.DataFrame, k: int, burden: pd.Series | None = None) -> pd.Series:
    """Area types by Ward clustering of normalised indicators.

    Parameters
    ----------
    z
        Normalised indicators (areas x indicators), oriented so that higher = more burden;
        e.g. z-scores. Clustering uses Euclidean distances, so the columns should share a
        scale.
    k
        Number of types.
    burden
        Score by area used to number the types (type 1 = highest mean burden); default the
        row mean of ``z``.

    Returns
    -------
    pandas.Series
        Type number (1 .. k) by area, named ``"type"``.
    """
    values = _check_matrix(z, k)
    labels = _ward_labels(values, k)
    b = values.mean(axis=1) if burden is None else burden.reindex(z.index).to_numpy(dtype=float)
    return pd.Series(_order_by_burden(labels, b), index=z.index, name="type")


def type_profiles(z: pd.DataFrame, types: pd.Series) -> pd.DataFrame:
    """Mean normalised indicator value per type, with the number of areas (column ``n``)."""
    prof = z.groupby(types.reindex(z.index)).mean()
    prof.insert(0, "n", types.value_counts().reindex(prof.index).to_numpy())
    prof.index.name = "type"
    return prof


@dataclass
class StabilityResult:
    """Result of :func:`cluster_stability`.

    Attributes
    ----------
    ari
        Adjusted Rand index of each replicate against the full-data types (on the areas in
        the replicate).
    coassignment
        Share of replicates (containing both areas) in which two areas share a type.
    area_stability
        Per area: mean co-assignment with the other members of its full-data type (1 = always
        together with them); NaN for areas alone in their type.
    """

    ari: np.ndarray
    coassignment: pd.DataFrame
    area_stability: pd.Series

    @property
    def mean_ari(self) -> float:
        """Mean adjusted Rand index over the replicates."""
        return float(np.mean(self.ari))


def cluster_stability(
    z: pd.DataFrame,
    k: int,
    *,
    n_replicates: int = 200,
    subsample: float = 0.8,
    noise_sd: float = 0.0,
    seed: int = 0,
) -> StabilityResult:
    """Stability of Ward types under subsampling of areas and perturbation of values.

    Each replicate keeps a random ``subsample`` share of the areas (without replacement),
    adds Gaussian noise with standard deviation ``noise_sd`` (in units of ``z``) and
    re-clusters into ``k`` types.

    Parameters
    ----------
    z, k
        As in :func:`ward_types`.
    n_replicates
        Number of replicates.
    subsample
        Share of areas kept per replicate (1.0 = all areas, then use ``noise_sd > 0``).
    noise_sd
        Standard deviation of the added noise.
    seed
        Seed for :func:`numpy.random.default_rng`.
    """
    values = _check_matrix(z, k)
    if not 0 < subsample <= 1:
        raise MethodError("subsample muss in (0, 1] liegen", code="E-METHOD-005")
    if subsample == 1 and noise_sd == 0:
        raise MethodError("mit subsample=1 und noise_sd=0 sind alle Wiederholungen gleich; "
                          "wählen Sie subsample < 1 oder noise_sd > 0", code="E-METHOD-005")
    n = values.shape[0]
    m = max(k, int(round(subsample * n)))
    reference = _ward_labels(values, k)
    rng = np.random.default_rng(seed)
    together = np.zeros((n, n))
    both = np.zeros((n, n))
    ari = np.empty(n_replicates)
    for r in range(n_replicates):
        idx = np.sort(rng.choice(n, size=m, replace=False))
        v = values[idx] + (rng.normal(0.0, noise_sd, size=(m, values.shape[1])) if noise_sd else 0)
        lab = _ward_labels(v, k)
        ari[r] = adjusted_rand_index(reference[idx], lab)
        same = lab[:, None] == lab[None, :]
        together[np.ix_(idx, idx)] += same
        both[np.ix_(idx, idx)] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        co = np.where(both > 0, together / both, np.nan)
    co_frame = pd.DataFrame(co, index=z.index, columns=z.index)
    mates = reference[:, None] == reference[None, :]
    np.fill_diagonal(mates, False)
    with np.errstate(invalid="ignore"):
        stab = np.array(
            [np.nanmean(co[i, mates[i]]) if mates[i].any() else np.nan for i in range(n)]
        )
    return StabilityResult(ari, co_frame, pd.Series(stab, index=z.index, name="stability"))


def compare_with_reference(types: pd.Series, reference: pd.Series) -> dict:
    """Agreement of computed types with a published typology on the areas both classify.

    Parameters
    ----------
    types
        Computed type by area.
    reference
        Published type by area; areas without a published type may be missing or NaN.

    Returns
    -------
    dict
        ``n_common`` (areas in both), ``ari`` (adjusted Rand index on them) and ``table``
        (cross-tabulation, computed types in rows, published types in columns).
    """
    ref = reference.dropna()
    common = [a for a in ref.index if a in types.index]
    if len(common) < 2:
        raise MethodError("weniger als zwei Gebiete haben einen berechneten und einen "
                          "veröffentlichten Typ", code="E-AREA-004")
    t = types.reindex(common)
    r = ref.reindex(common)
    table = pd.crosstab(t.rename("computed"), r.rename("published"))
    return {"n_common": len(common), "ari": adjusted_rand_index(t, r), "table": table}
