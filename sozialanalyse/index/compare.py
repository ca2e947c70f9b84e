"""Compare two Coins: rank and class shifts per area (as COINr's ``compare_coins``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sozialanalyse.errors import MethodError

if TYPE_CHECKING:
    from sozialanalyse.index.coin import Coin

COMPARE_BY: tuple[str, ...] = ("ranks", "scores")
"""What :func:`compare_coins` sorts by."""


def _position(classes: pd.Series) -> pd.Series:
    return pd.Series(classes.cat.codes.to_numpy(), index=classes.index).astype(float)


def compare_coins(a: Coin, b: Coin, *, by: str = "ranks") -> pd.DataFrame:
    """Rank and class shifts from Coin ``a`` to Coin ``b``, one row per area.

    Parameters
    ----------
    a, b
        Two Coins on the same areas (e.g. two method variants, or two years).
    by
        ``"ranks"``: sorted by the absolute rank shift; ``"scores"``: by the absolute index
        difference (the index scales of ``a`` and ``b`` must then be comparable).

    Returns
    -------
    pandas.DataFrame
        Indexed by area (union of both; an area in only one Coin has NaN on the other side):
        ``index_a``, ``index_b``, ``index_diff``, ``rank_a``, ``rank_b``, ``rank_shift``
        (``rank_b - rank_a``; negative = moved towards rank 1), ``abs_rank_shift``,
        ``class_a``, ``class_b``, ``class_shift`` (steps between ordered classes, positive =
        more burdened class in ``b``) and, when both have dynamics, ``dynamics_class_a``,
        ``dynamics_class_b``.
    """
    if by not in COMPARE_BY:
        raise MethodError(f"Unbekannter Vergleich '{by}'; erlaubt: {', '.join(COMPARE_BY)}")
    areas = a.index.index.union(b.index.index)
    out = pd.DataFrame(index=areas)
    out.index.name = "area"
    out["index_a"] = a.index.reindex(areas)
    out["index_b"] = b.index.reindex(areas)
    out["index_diff"] = out["index_b"] - out["index_a"]
    out["rank_a"] = a.ranks.reindex(areas).astype(float)
    out["rank_b"] = b.ranks.reindex(areas).astype(float)
    out["rank_shift"] = out["rank_b"] - out["rank_a"]
    out["abs_rank_shift"] = out["rank_shift"].abs()
    out["class_a"] = a.classes.astype(str).reindex(areas)
    out["class_b"] = b.classes.astype(str).reindex(areas)
    same_classes = list(a.classes.cat.categories) == list(b.classes.cat.categories)
    out["class_shift"] = (_position(b.classes).reindex(areas)
                          - _position(a.classes).reindex(areas)) if same_classes else np.nan
    if a.dynamics_classes is not None and b.dynamics_classes is not None:
        out["dynamics_class_a"] = a.dynamics_classes.astype(str).reindex(areas)
        out["dynamics_class_b"] = b.dynamics_classes.astype(str).reindex(areas)
    key = "abs_rank_shift" if by == "ranks" else "index_diff"
    order = out[key].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order]


def compare_summary(frame: pd.DataFrame) -> dict[str, float | int]:
    """Key figures of a :func:`compare_coins` frame: areas compared, mean and largest absolute
    rank shift, areas whose class changed."""
    both = frame.dropna(subset=["rank_a", "rank_b"])
    changed = (both["class_a"] != both["class_b"])
    return {
        "n_common": int(len(both)),
        "n_only_one": int(len(frame) - len(both)),
        "mean_abs_rank_shift": float(both["abs_rank_shift"].mean()) if len(both) else 0.0,
        "max_abs_rank_shift": int(both["abs_rank_shift"].max()) if len(both) else 0,
        "n_class_changed": int(changed.sum()),
    }
