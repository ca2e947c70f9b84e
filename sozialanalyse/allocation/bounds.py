"""Proportional shares of a total under per-area floors and caps ("water-filling").

Given weights ``w``, a total ``H`` and bounds ``lo <= hi`` per area, the bounded quotas are

.. math:: q_i = \\min(\\max(\\lambda w_i, lo_i), hi_i), \\qquad \\sum_i q_i = H,

with one multiplier :math:`\\lambda \\ge 0` per row. Areas whose proportional share falls
below their floor get the floor, areas above their cap get the cap, and what they free or
need is redistributed among the others in proportion to their weights. This is the
"floors first, caps by redistribution" rule of the staffing models in the source notes, in
closed form: :math:`\\sum_i q_i(\\lambda)` is piecewise linear and non-decreasing in
:math:`\\lambda`, so sorting its ``2n`` breakpoints per row gives :math:`\\lambda` exactly,
for many rows (Monte Carlo draws) at once.

The same function serves the damped transition (bounds on the yearly change) and the NHS
"pace of change" (a minimum uplift as floor), see :mod:`sozialanalyse.allocation.transition`.
"""

from __future__ import annotations

import numpy as np

from sozialanalyse.errors import MethodError

TOL = 1e-9


def _compact(a: np.ndarray | float | None, shape: tuple[int, int], fill: float) -> np.ndarray:
    """Bounds as ``(n_areas,)`` when they are the same for every row, else ``(n_rows, n)``."""
    if a is None:
        return np.full(shape[1], fill)
    arr = np.asarray(a, dtype=float)
    if arr.ndim <= 1:
        return np.broadcast_to(arr, (shape[1],)).copy()
    return np.broadcast_to(arr, shape)


def _take(a: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return a if a.ndim == 1 else a[rows]


def _exact_lambda(w: np.ndarray, h: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Multiplier per row from the sorted breakpoints of ``sum(clip(lam * w, lo, hi))``."""
    n_rows = w.shape[0]
    pos = w > 0
    safe = np.where(pos, w, 1.0)
    b = np.concatenate([np.where(pos, lo / safe, 0.0), np.where(pos, hi / safe, 0.0)], axis=1)
    delta = np.concatenate([np.where(pos, w, 0.0), np.where(pos, -w, 0.0)], axis=1)
    order = np.argsort(b, axis=1, kind="stable")
    b = np.take_along_axis(b, order, axis=1)
    slope = np.cumsum(np.take_along_axis(delta, order, axis=1), axis=1)
    gaps = np.diff(b, axis=1)
    f = np.concatenate(
        [np.zeros((n_rows, 1)), np.cumsum(slope[:, :-1] * gaps, axis=1)], axis=1
    ) + lo.sum(axis=1, keepdims=True)
    k = (f < h[:, None] - TOL * np.maximum(1.0, h[:, None])).sum(axis=1)
    j = np.maximum(k - 1, 0)
    rows = np.arange(n_rows)
    s_j = slope[rows, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(s_j > 0, (h - f[rows, j]) / s_j, 0.0)
    return np.where(k == 0, b[:, 0], b[rows, j] + np.maximum(step, 0.0))


def bounded_quotas(
    weights: np.ndarray,
    total: np.ndarray | float,
    lower: np.ndarray | float | None = None,
    upper: np.ndarray | float | None = None,
    *,
    max_iter: int = 20,
) -> tuple[np.ndarray, np.ndarray]:
    """Shares of ``total`` proportional to ``weights`` within ``[lower, upper]``, per row.

    The multiplier is found by the usual fixing iteration (areas outside their bounds are
    fixed there and the rest shares what is left); rows where that has not settled after
    ``max_iter`` rounds are solved exactly from the sorted breakpoints.

    Parameters
    ----------
    weights
        Array ``(n_rows, n_areas)`` (or ``(n_areas,)``) of non-negative weights.
    total
        Total per row (scalar or ``(n_rows,)``).
    lower, upper
        Floors and caps, broadcastable to ``weights`` (default 0 and no cap).
    max_iter
        Rounds of the fixing iteration before the exact fallback.

    Returns
    -------
    quotas, lam
        ``quotas`` with the shape of ``weights`` (rows sum to ``total``) and the multiplier
        ``lam`` per row (``quotas = clip(lam * weights, lower, upper)``).

    Raises
    ------
    MethodError
        If a weight is negative, a floor exceeds its cap, or the floors add up to more
        (the caps to less) than the total.
    """
    w = np.asarray(weights, dtype=float)
    one = w.ndim == 1
    w = np.atleast_2d(w)
    n_rows, n = w.shape
    h = np.broadcast_to(np.asarray(total, dtype=float), (n_rows,))
    if w.min() < 0 or not np.isfinite(w.sum()):
        raise MethodError("Bedarfsgewichte müssen endliche, nicht negative Zahlen sein.")
    if lower is None and upper is None:
        s = w.sum(axis=1)
        if np.any(s <= 0):
            raise MethodError("Alle Bedarfsgewichte sind null; nichts zu verteilen.")
        lam = h / s
        q = w * lam[:, None]
        return (q[0], lam) if one else (q, lam)
    lo = _compact(lower, (n_rows, n), 0.0)
    hi = _compact(upper, (n_rows, n), np.inf)
    if np.any(lo < 0):
        raise MethodError("Untergrenzen dürfen nicht negativ sein.")
    if np.any(lo > hi + TOL):
        raise MethodError("Eine Untergrenze liegt über der Obergrenze desselben Gebiets.")
    if hi.ndim == 1 and np.all(np.isfinite(hi)) and h.min() == h.max():
        hi = np.minimum(hi, np.maximum(h[0], lo))
    else:
        hi = np.minimum(np.atleast_2d(hi), np.maximum(h[:, None], lo))
    lo_sum = np.broadcast_to(lo.sum(axis=-1), (n_rows,))
    hi_sum = np.broadcast_to(hi.sum(axis=-1), (n_rows,))
    if np.any(lo_sum > h * (1 + TOL) + TOL):
        raise MethodError("Die Untergrenzen zusammen übersteigen die zu verteilende Summe.")
    if np.any(hi_sum < h * (1 - TOL) - TOL):
        raise MethodError("Die Obergrenzen zusammen erreichen die zu verteilende Summe nicht.")
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = h / w.sum(axis=1)
    lam = np.where(np.isfinite(lam), lam, 0.0)
    todo = np.arange(n_rows)
    for _ in range(max_iter):
        if not todo.size:
            break
        wt, lt, ht = w[todo], _take(lo, todo), _take(hi, todo)
        x = wt * lam[todo][:, None]
        at_lo, at_hi = x <= lt, x >= ht
        fixed = (at_lo * lt).sum(axis=1) + np.where(at_hi, ht, 0.0).sum(axis=1)
        free_w = (wt * ~(at_lo | at_hi)).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = (h[todo] - fixed) / free_w
        ok = np.isfinite(new) & (new >= 0)
        lam[todo[ok]] = new[ok]
        np.multiply(wt, lam[todo][:, None], out=x)
        q_sum = np.clip(x, lt, ht, out=x).sum(axis=1)
        settled = np.abs(q_sum - h[todo]) <= 1e-9 * np.maximum(1.0, h[todo])
        todo = todo[~settled]
    if todo.size:
        lam[todo] = _exact_lambda(w[todo], h[todo],
                                  np.broadcast_to(_take(lo, todo), (todo.size, n)),
                                  np.broadcast_to(_take(hi, todo), (todo.size, n)))
    q = np.clip(lam[:, None] * w, lo, hi)
    if np.any(np.abs(q.sum(axis=1) - h) > 1e-6 * np.maximum(1.0, h)):
        raise MethodError(
            "Die Summe lässt sich mit diesen Gewichten und Grenzen nicht verteilen "
            "(alle Gebiete mit positivem Gewicht liegen an ihrer Grenze)."
        )
    return (q[0], lam) if one else (q, lam)
