"""Apportionment: a total of whole staff units (e.g. 0.25 VK) shared out by weights.

Staff come in units: a Jugendamt moves quarter or half positions, not 0.137 VK. Turning
proportional shares into whole units is the apportionment problem of parliamentary seats
(Balinski and Young 2001; Pukelsheim 2017), with the same methods and the same paradoxes:

* ``"hamilton"`` (largest remainder, Hare-Niemeyer): every area gets the whole part of its
  quota, the units left over go to the largest remainders. Always within quota, but not house
  monotone (Alabama paradox: one more unit in total can cost an area a unit).
* ``"webster"`` (Sainte-Laguë): ``round(w_i / d)`` with a divisor ``d`` so that the units add
  up; house monotone, unbiased between large and small areas, rarely outside quota.
* ``"dhondt"`` (Jefferson): ``floor(w_i / d)``; house monotone, favours large areas and can
  exceed the upper quota.

Floors and caps (in units) enter as bounds: the quotas are the bounded quotas of
:mod:`sozialanalyse.allocation.bounds`, and the divisor methods are their bounded versions
(an area at its cap gets no further unit, an area at its floor gives none up).

:func:`apportion_array` works on many weight vectors at once (Monte Carlo draws): the divisor
methods start from the rounding at an estimated divisor and correct the few missing or
surplus units by the method's own priority order, which is exact. Ties at the margin are
broken in favour of the area listed first; :func:`apportion` reports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialanalyse.allocation.bounds import bounded_quotas
from sozialanalyse.errors import InputDataError, MethodError
from sozialanalyse.labels import allocation_labels

METHODS: tuple[str, ...] = ("hamilton", "webster", "dhondt")
ALIASES: dict[str, str] = {
    "hamilton": "hamilton",
    "largest_remainder": "hamilton",
    "hare-niemeyer": "hamilton",
    "hare_niemeyer": "hamilton",
    "webster": "webster",
    "sainte-lague": "webster",
    "saintelague": "webster",
    "sainte_lague": "webster",
    "dhondt": "dhondt",
    "d'hondt": "dhondt",
    "jefferson": "dhondt",
}
METHOD_LABELS_DE: dict[str, str] = allocation_labels("hamilton", "webster", "dhondt")
"""German labels of the rounding methods (from :data:`sozialanalyse.labels.ALLOCATION`)."""
_SIGNPOST: dict[str, float] = {"webster": 0.5, "dhondt": 1.0}
TIE_RTOL = 1e-9
TIE_ATOL = 1e-9


def method_name(method: str) -> str:
    """The canonical method name for ``method`` (aliases such as ``"sainte-lague"``)."""
    key = str(method).strip().lower()
    if key not in ALIASES:
        raise MethodError(
            f"Unbekanntes Zuteilungsverfahren '{method}'; möglich sind: "
            + ", ".join(METHODS) + "."
        )
    return ALIASES[key]


def units_of(total: float, unit: float) -> int:
    """Number of whole units in ``total`` (it must be a multiple of ``unit``)."""
    if not unit > 0:
        raise MethodError(f"Die Einheit muss positiv sein, nicht {unit}.")
    if not total >= 0:
        raise MethodError(f"Die Summe muss positiv sein, nicht {total}.")
    h = total / unit
    if abs(h - round(h)) > 1e-6:
        from sozialanalyse.formatting import number

        raise MethodError(
            f"Die Summe {number(total, 4).rstrip('0').rstrip(',')} ist kein ganzzahliges "
            f"Vielfaches der Einheit {number(unit, 4).rstrip('0').rstrip(',')}.",
            hint="Summe oder Einheit so wählen, dass die Summe in ganze Einheiten aufgeht",
        )
    return int(round(h))


def _int_bounds(lo: np.ndarray | None, hi: np.ndarray | None, shape: tuple[int, int]):
    lo_i = np.zeros(shape) if lo is None else np.broadcast_to(np.asarray(lo, float), shape)
    hi_i = np.full(shape, np.inf) if hi is None else np.broadcast_to(np.asarray(hi, float), shape)
    if np.any(lo_i != np.floor(lo_i)) or np.any(np.isfinite(hi_i) & (hi_i != np.floor(hi_i))):
        raise MethodError("Unter- und Obergrenzen müssen ganze Einheiten sein.")
    return lo_i, hi_i


def _bounds_or_none(lower, upper, shape):
    if lower is None and upper is None:
        return None, None
    return _int_bounds(lower, upper, shape)


def _kth_largest(r: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The ``k[i]``-th largest value of each row ``r[i]`` (``1 <= k[i] <= n``).

    One :func:`numpy.partition` for all rows instead of a sort: each row is padded with
    ``max(k) - k[i]`` values above and ``k[i] - min(k)`` values below every entry, so that
    the same position holds the wanted value in every row.
    """
    n = r.shape[1]
    k_max, k_min = int(k.max()), int(k.min())
    pad = k_max - k_min
    if pad:
        hi_val = float(r.max()) + 1.0
        lo_val = float(r.min()) - 1.0
        j = np.arange(pad)[None, :]
        fill = np.where(j < (k_max - k)[:, None], hi_val, lo_val)
        r = np.concatenate([r, fill], axis=1)
    pos = n + pad - k_max
    return np.partition(r, pos, axis=1)[:, pos]


def _check_weights(w: np.ndarray) -> np.ndarray:
    """Row sums of ``w`` after checking that the weights can be shared out (no bounds)."""
    s = w.sum(axis=1)
    if w.min() < 0 or not np.all(np.isfinite(s)):
        raise MethodError("Bedarfsgewichte müssen endliche, nicht negative Zahlen sein.")
    if np.any(s <= 0):
        raise MethodError("Alle Bedarfsgewichte sind null; nichts zu verteilen.")
    return s


def _into(out: np.ndarray | None, values: np.ndarray) -> np.ndarray:
    """``values`` as int64, written into ``out`` if given (one cast, no extra copy)."""
    if out is None:
        return values.astype(np.int64)
    out[...] = values
    return out


def _cut_and_next(buf: np.ndarray, n: int, k: np.ndarray, k_max: int) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """The ``k[i]``-th and ``(k[i] + 1)``-th largest of the first ``n`` entries of each row.

    ``buf`` has ``n + k_max - min(k)`` columns; the last ones are padding, filled here with
    ``+inf`` (``k_max - k[i]`` of them) and ``-inf``, so that one :func:`numpy.partition` at
    a fixed position gives the wanted value of every row (``1 <= k[i] < n``); the next one
    is the largest value below that position.
    """
    pad = buf.shape[1] - n
    if pad:
        j = np.arange(pad)[None, :]
        buf[:, n:] = np.where(j < (k_max - k)[:, None], np.inf, -np.inf)
    pos = n + pad - k_max
    # one kth: numpy's partition at several positions is several times slower than at one
    part = np.partition(buf, pos, axis=1)
    return part[:, pos], part[:, :pos].max(axis=1)


#: Relative spacing of float32 numbers: remainders and claims are ranked in float32 (half
#: the memory of float64); a ranking is used only when the gap at the cut-off exceeds two
#: such spacings, where float32 and float64 rank alike.
_EPS32 = float(np.finfo(np.float32).eps)


def _hamilton_unbounded(w: np.ndarray, h: np.ndarray, s: np.ndarray,
                        out: np.ndarray | None = None) -> np.ndarray:
    """Largest remainders without bounds: one float32 partition for all rows.

    The ``left``-th largest remainder of each row is the cut-off; the units go to the
    remainders at or above it. The remainders (in ``[0, 1)``) are ranked in float32, which
    orders them as float64 does when the gap between the ``left``-th and the next one is
    larger than two float32 spacings plus ``TIE_ATOL``. Rows with a smaller gap (a tie, or
    nearly one) are redone by :func:`_hamilton_general`, which breaks ties in favour of the
    first area; the others give exactly its result.
    """
    n_rows, n = w.shape
    q = w * (h / s)[:, None]
    base = q + 1e-9
    np.floor(base, out=base)
    left = (h - base.sum(axis=1).astype(np.int64)).clip(0, n)
    k = np.maximum(left, 1)
    k_max, k_min = int(k.max()), int(k.min())
    if k_max >= n:
        return _into(out, _hamilton_general(w, h, None, None))
    buf = np.empty((n_rows, n + k_max - k_min), dtype=np.float32)
    rem = np.subtract(q, base, out=buf[:, :n], casting="same_kind")
    cut, nxt = _cut_and_next(buf, n, k, k_max)
    cut[left == 0] = np.inf
    base += rem >= cut[:, None]
    out = _into(out, base)
    redo = np.flatnonzero((left > 0) & (cut - nxt <= 2 * _EPS32 + TIE_ATOL))
    if redo.size:
        out[redo] = _hamilton_general(w[redo], h[redo], None, None)
    return out


def hamilton_array(
    weights: np.ndarray,
    seats: int | np.ndarray,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Largest-remainder apportionment of ``seats`` units for each row of ``weights``.

    Ties between equal remainders go to the area listed first. ``out`` (integer, the shape
    of ``weights`` as 2-d) receives the result if given.
    """
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    n_rows, n = w.shape
    h = np.broadcast_to(np.asarray(seats), (n_rows,)).astype(np.int64)
    lo, hi = _bounds_or_none(lower, upper, w.shape)
    if lo is None and n >= 2:
        return _hamilton_unbounded(w, h, _check_weights(w), out)
    return _into(out, _hamilton_general(w, h, lo, hi))


def _hamilton_general(w: np.ndarray, h: np.ndarray, lo: np.ndarray | None,
                      hi: np.ndarray | None) -> np.ndarray:
    """Largest remainders with bounds (bounded quotas), ties to the first area."""
    n_rows, n = w.shape
    q, _ = bounded_quotas(w, h, lo, hi)
    base = q + 1e-9
    np.floor(base, out=base)
    rem = np.subtract(q, base, out=q)  # q is not needed any more
    if hi is not None:
        rem[base >= hi] = -1.0
    left = (h - base.sum(axis=1).astype(np.int64)).clip(0, n)
    rows = np.flatnonzero(left > 0)
    if rows.size:
        r = rem if rows.size == n_rows else rem[rows]
        cut = _kth_largest(r, left[rows])[:, None]
        # equal remainders in exact arithmetic may differ in the last bits: a remainder
        # within TIE_ATOL of the cut-off counts as tied, and ties go to the first area
        above = r > cut + TIE_ATOL
        at = r >= cut - TIE_ATOL
        at &= ~above
        need = left[rows] - above.sum(axis=1)
        n_at = at.sum(axis=1)
        hard = np.flatnonzero(n_at != need)
        if hard.size:
            at[hard] &= np.cumsum(at[hard], axis=1) <= need[hard][:, None]
        above |= at
        if rows.size == n_rows:
            base += above
        else:
            base[rows] += above
    return base.astype(np.int64)


def _first_k(mask: np.ndarray, k: np.ndarray, from_end: bool = False) -> np.ndarray:
    """The first ``k`` True entries of each row of ``mask`` (the last ones if ``from_end``)."""
    if from_end:
        return _first_k(mask[:, ::-1], k)[:, ::-1]
    return mask & (np.cumsum(mask, axis=1) <= k[:, None])


def _claims(w: np.ndarray, a: np.ndarray, c: float, lo, hi) -> tuple[np.ndarray, np.ndarray]:
    """Priority of the next unit (``w / (a + c)``) and of the last held unit, per area."""
    with np.errstate(divide="ignore", invalid="ignore"):
        claim = w / (a + c)
        held = w / (a - 1.0 + c)
    if hi is not None:
        claim[a >= hi] = -np.inf
    held[a <= (0.0 if lo is None else lo)] = np.inf
    return claim, held


def _bulk_correction(w: np.ndarray, a: np.ndarray, k: np.ndarray, c: float, lo, hi) -> None:
    """Add (remove) the ``k`` strongest claims (weakest units) per row at once, in place.

    Exact whenever no area needs two of the moved units; rows where the result is not a
    divisor apportionment (some claim beats a held unit) are restored and left to the
    single-unit loop. ``k`` is set to 0 for the rows that are done.
    """
    n = w.shape[1]
    for sign in (1, -1):
        rows = np.flatnonzero(k * sign > 0)
        if not rows.size:
            continue
        kr = np.abs(k[rows])
        m = int(kr.max())
        if m >= n:
            continue
        a_r = a[rows]
        claim, held = _claims(w[rows], a_r, c, None if lo is None else lo[rows],
                              None if hi is None else hi[rows])
        p = claim if sign > 0 else -held
        top = np.partition(p, n - m, axis=1)[:, n - m:]
        top.sort(axis=1)
        thr = top[np.arange(rows.size), m - kr][:, None]
        move = p > thr
        at = p == thr
        need = kr - move.sum(axis=1)
        move |= _first_k(at, need, from_end=sign < 0)
        new = a_r + sign * move
        claim, held = _claims(w[rows], new, c, None if lo is None else lo[rows],
                              None if hi is None else hi[rows])
        ok = (claim.max(axis=1) <= held.min(axis=1)) & np.isfinite(thr[:, 0])
        a[rows[ok]] = new[ok]
        k[rows[ok]] = 0


def divisor_array(
    weights: np.ndarray,
    seats: int | np.ndarray,
    method: str = "webster",
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    newton_steps: int = 0,
    bulk: bool = True,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Divisor-method apportionment (Webster or D'Hondt) for each row of ``weights``.

    Starts from ``clip(R(w / d), lower, upper)`` at an estimated divisor ``d`` (``R`` is the
    method's rounding), optionally refines ``d`` by ``newton_steps`` secant steps, moves the
    missing or surplus units in one step where that is exact, and otherwise adds or removes
    single units by the method's priority ``w_i / (a_i + c)`` (``c = 0.5`` Webster, ``1``
    D'Hondt) until the units add up (``bulk=False``: only the single-unit steps, the
    textbook highest-averages procedure). Every intermediate state is a bounded divisor
    apportionment of its own sum, so the result is exact. Ties go to the area listed first.
    """
    c = _SIGNPOST[method_name(method)]
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    n_rows, n = w.shape
    h = np.broadcast_to(np.asarray(seats), (n_rows,)).astype(np.int64)
    lo, hi = _bounds_or_none(lower, upper, w.shape)
    if lo is None and bulk and newton_steps == 0:
        s = w.sum(axis=1)
        if w.min() >= 0 and np.all(np.isfinite(s)) and np.all(s > 0):
            return _divisor_unbounded(w, h, c, s, out)
    return _into(out, _divisor_general(w, h, c, lo, hi, newton_steps, bulk))


#: Units by which the fast divisor start undershoots, per square root of the areas.
_UNDERSHOOT = 4.0 / np.sqrt(12.0)


def _divisor_unbounded(w: np.ndarray, h: np.ndarray, c: float, s: np.ndarray,
                       out: np.ndarray | None = None) -> np.ndarray:
    """Divisor method without bounds: start below the total, add the strongest claims at once.

    The start ``floor(lam * w + 1 - c)`` uses a divisor chosen so that (almost) every row
    has ``k`` units too few, ``1 <= k < n``; the ``k`` strongest claims ``w / (a + c)`` of
    each row are found with one partition for all rows and get one unit each. That is the
    textbook highest-averages result whenever no area needs two of the added units and
    the ``k``-th and ``(k + 1)``-th claims differ; both are checked, and rows that fail
    (ties included) are redone by :func:`_divisor_general` from the usual start.
    """
    n_rows, n = w.shape
    d = int(np.ceil(_UNDERSHOOT * np.sqrt(n))) + 2
    if n < 8 or h.min() < 4 * d:
        return _into(out, _divisor_general(w, h, c, None, None, 0, True))
    free = (w > 0).sum(axis=1) if c != 0.5 else n
    lam = h / s * (1.0 + (c - 0.5) * free / h) * (1.0 - d / h)
    a = lam[:, None] * w
    a += 1.0 - c
    np.floor(a, out=a)
    left = h - a.sum(axis=1).astype(np.int64)
    ok = (left >= 1) & (left < n)
    k = np.where(ok, left, 1)
    k_max, k_min = int(k.max()), int(k.min())
    # claims ranked in float32 (exact where the gap at the cut-off exceeds two spacings)
    buf = np.empty((n_rows, n + k_max - k_min), dtype=np.float32)
    claims = np.divide(w, a + c, out=buf[:, :n], casting="same_kind")
    thr, nxt = _cut_and_next(buf, n, k, k_max)
    a_max = a.max(axis=1)
    move = claims >= thr[:, None]
    a += move
    # checks: the k-th claim is clearly stronger than the next, the start is a divisor
    # apportionment with room (thr < 1 / lam), and no area has a claim left >= thr
    thr = thr.astype(float)
    ok &= (thr - nxt > 4 * _EPS32 * thr) & (thr * (1 + 2 * _EPS32) * lam < 1.0 - 1e-9)
    # every claim of the start is below 1 / lam, so an area that got a unit now claims less
    # than (a + c) / (a + 1 + c) / lam, which grows with a: a bound from the largest a of the
    # row settles most rows; the others are checked area by area
    bound = (a_max + c) / (a_max + 1.0 + c) < thr * lam * (1 - 2 * _EPS32)
    rows = np.flatnonzero(ok & ~bound)
    if rows.size:
        r_idx, c_idx = np.nonzero(move[rows])
        again = w[rows][r_idx, c_idx] / (a[rows][r_idx, c_idx] + c) >= (
            thr[rows][r_idx] * (1 - 2 * _EPS32))
        ok[rows[r_idx[again]]] = False
    out = _into(out, a)
    redo = np.flatnonzero(~ok)
    if redo.size:
        out[redo] = _divisor_general(w[redo], h[redo], c, None, None, 0, True)
    return out


def _divisor_general(w: np.ndarray, h: np.ndarray, c: float, lo: np.ndarray | None,
                     hi: np.ndarray | None, newton_steps: int, bulk: bool) -> np.ndarray:
    """Divisor method from the estimated divisor, with bounds (see :func:`divisor_array`)."""
    n_rows, n = w.shape
    if lo is None:
        s = w.sum(axis=1)
        if w.min() < 0 or not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise MethodError("Bedarfsgewichte müssen endlich und nicht negativ sein und "
                              "dürfen nicht alle null sein.")
        lam = h / s
    else:
        _, lam = bounded_quotas(w, h, lo, hi)
    free = (w > 0).sum(axis=1)
    lam = lam * (1.0 + (c - 0.5) * free / np.maximum(h, 1))

    def rounded(rows: np.ndarray | slice, lam_rows: np.ndarray) -> np.ndarray:
        a = np.floor(lam_rows[:, None] * w[rows] + (1.0 - c))
        if lo is not None:
            np.clip(a, lo[rows], hi[rows], out=a)
        return a

    a = rounded(slice(None), lam)
    k = h - a.sum(axis=1).astype(np.int64)
    for _ in range(newton_steps):
        rows = np.flatnonzero(np.abs(k) > 1)
        if not rows.size:
            break
        a_r = a[rows]
        w_r = w[rows]
        if lo is None:
            slope = w_r.sum(axis=1)
        else:
            slope = np.where((a_r > lo[rows]) & (a_r < hi[rows]), w_r, 0.0).sum(axis=1)
        ok = slope > 0
        rows, a_r, slope = rows[ok], a_r[ok], slope[ok]
        lam_new = lam[rows] + k[rows] / slope
        a_new = rounded(rows, lam_new)
        k_new = h[rows] - a_new.sum(axis=1).astype(np.int64)
        better = np.abs(k_new) < np.abs(k[rows])
        rb = rows[better]
        a[rb], k[rb], lam[rb] = a_new[better], k_new[better], lam_new[better]
    if bulk and np.any(k != 0):
        _bulk_correction(w, a, k, c, lo, hi)
    active = np.flatnonzero(k != 0)
    while active.size:
        add = k[active] > 0
        if add.any():
            r = active[add]
            ar = a[r]
            prio = w[r] / (ar + c)
            if hi is not None:
                prio[ar >= hi[r]] = -np.inf
            j = np.argmax(prio, axis=1)
            if np.any(~np.isfinite(prio[np.arange(r.size), j])):
                raise MethodError("Die Obergrenzen lassen keine weitere Einheit zu.")
            a[r, j] += 1
            k[r] -= 1
        if not add.all():
            r = active[~add]
            ar = a[r]
            with np.errstate(divide="ignore", invalid="ignore"):
                prio = w[r] / (ar - 1.0 + c)
            prio[ar <= (0.0 if lo is None else lo[r])] = np.inf
            # the last of several equally weak units is given up: ties favour the first area
            j = n - 1 - np.argmin(prio[:, ::-1], axis=1)
            if np.any(~np.isfinite(prio[np.arange(r.size), j])):
                raise MethodError("Die Untergrenzen lassen keine Einheit weniger zu.")
            a[r, j] -= 1
            k[r] += 1
        active = active[k[active] != 0]
    return a.astype(np.int64)


def apportion_array(
    weights: np.ndarray,
    seats: int | np.ndarray,
    method: str = "hamilton",
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    *,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Apportion ``seats`` whole units by ``method`` for every row of ``weights``.

    Parameters
    ----------
    weights
        ``(n_rows, n_areas)`` or ``(n_areas,)``, non-negative.
    seats
        Units per row (scalar or ``(n_rows,)``).
    method
        ``"hamilton"``, ``"webster"`` or ``"dhondt"`` (or an alias).
    lower, upper
        Whole-unit floors and caps per area (broadcastable).
    out
        Optional integer array ``(n_rows, n_areas)`` that receives the result.

    Returns
    -------
    numpy.ndarray
        Integer units with the shape of ``weights``; each row sums to ``seats``.
    """
    m = method_name(method)
    one = np.asarray(weights).ndim == 1
    if m == "hamilton":
        res = hamilton_array(weights, seats, lower, upper, out=out)
    else:
        res = divisor_array(weights, seats, m, lower, upper, out=out)
    return res[0] if one else res


# ------------------------------------------------------------------------- ties and quota


def _ties(w: np.ndarray, units: np.ndarray, q: np.ndarray, method: str,
          lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Boolean per area: tied at the margin (the last unit could have gone either way)."""
    if method == "hamilton":
        base = np.floor(q + 1e-9)
        rem = np.round(q - base, 9)
        got = (units > base) & (base < hi)
        missed = (units == base) & (base < hi) & (rem > 1e-12)
        if not got.any() or not missed.any():
            return np.zeros(w.shape, bool)
        last_in, first_out = rem[got].min(), rem[missed].max()
        if abs(last_in - first_out) > TIE_RTOL:
            return np.zeros(w.shape, bool)
        cut = last_in
        return (np.abs(rem - cut) <= TIE_RTOL) & (got | missed)
    c = _SIGNPOST[method]
    with np.errstate(divide="ignore"):
        held = np.where((units > lo) & (units > 0), w / (units - 1.0 + c), np.inf)
        claim = np.where(units < hi, w / (units + c), -np.inf)
    weakest, strongest = held.min(), claim.max()
    if not (np.isfinite(weakest) and np.isfinite(strongest)):
        return np.zeros(w.shape, bool)
    if abs(weakest - strongest) > TIE_RTOL * max(abs(weakest), 1e-300):
        return np.zeros(w.shape, bool)
    tol = TIE_RTOL * abs(weakest)
    return (np.abs(held - weakest) <= tol) | (np.abs(claim - weakest) <= tol)


@dataclass
class Apportionment:
    """Result of :func:`apportion`.

    Attributes
    ----------
    table
        One row per area: ``weight``, ``quota`` (bounded quota in units), ``floor``,
        ``cap`` (units), ``units``, ``amount`` (units x unit), ``tie`` (tied at the margin),
        ``within_quota`` (units equal the quota rounded down or up).
    method, unit, total
        The method, the unit and the total amount.
    """

    table: pd.DataFrame
    method: str
    unit: float
    total: float
    meta: dict = field(default_factory=dict)

    @property
    def amounts(self) -> pd.Series:
        """Allocated amount (e.g. VK) per area."""
        return self.table["amount"]

    @property
    def units(self) -> pd.Series:
        """Allocated whole units per area."""
        return self.table["units"]

    @property
    def ties(self) -> pd.DataFrame:
        """Areas tied at the margin (empty if the result is unique)."""
        return self.table.loc[self.table["tie"], ["quota", "units"]]

    @property
    def quota_violations(self) -> pd.DataFrame:
        """Areas whose units are not their quota rounded down or up."""
        return self.table.loc[~self.table["within_quota"], ["quota", "units"]]

    def summary(self) -> pd.DataFrame:
        """German table for readers (numbers formatted)."""
        from sozialanalyse.formatting import format_frame

        t = pd.DataFrame(
            {
                "Quote (Einheiten)": self.table["quota"],
                "Einheiten": self.table["units"],
                "Zuteilung": self.table["amount"],
                "Gleichstand": self.table["tie"],
                "innerhalb der Quote": self.table["within_quota"],
            }
        )
        return format_frame(t, {"Quote (Einheiten)": 2, "Zuteilung": 2})


def _per_area(value: float | pd.Series | np.ndarray | None, index: pd.Index,
              name: str) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, pd.Series):
        missing = index.difference(value.index)
        if len(missing):
            raise InputDataError(
                f"Für die Gebiete {list(missing)[:5]} fehlt ein Wert '{name}'.", column=name
            )
        arr = value.reindex(index).to_numpy(dtype=float)
    elif np.ndim(value) == 1:
        arr = np.asarray(value, dtype=float)
        if arr.shape != (len(index),):
            raise InputDataError(f"'{name}' hat {arr.size} Werte für {len(index)} Gebiete.")
    else:
        arr = np.full(len(index), float(value))
    if np.any(np.isnan(arr)):
        raise InputDataError(f"'{name}' enthält fehlende Werte.", column=name)
    return arr


def apportion(
    weights: pd.Series,
    total: float,
    unit: float = 0.25,
    method: str = "hamilton",
    *,
    floor: float | pd.Series | None = None,
    cap: float | pd.Series | None = None,
) -> Apportionment:
    """Share out ``total`` (e.g. VK) in whole ``unit`` s in proportion to ``weights``.

    Parameters
    ----------
    weights
        Non-negative weight by area (e.g. need-weighted population, or a continuous target
        allocation).
    total
        Amount to share out; a whole multiple of ``unit``.
    unit
        Smallest amount that is moved (e.g. 0.25 VK).
    method
        ``"hamilton"``, ``"webster"`` or ``"dhondt"``.
    floor, cap
        Minimum and maximum amount per area (scalar or Series by area); a floor is rounded
        up, a cap down to whole units.

    Returns
    -------
    Apportionment
    """
    m = method_name(method)
    if not isinstance(weights, pd.Series):
        weights = pd.Series(weights)
    index = weights.index
    w = weights.to_numpy(dtype=float)
    h = units_of(total, unit)
    lo_amt = _per_area(floor, index, "floor")
    hi_amt = _per_area(cap, index, "cap")
    lo = None if lo_amt is None else np.ceil(lo_amt / unit - 1e-9)
    hi = None if hi_amt is None else np.floor(hi_amt / unit + 1e-9)
    units = apportion_array(w, h, m, lo, hi)
    q, _ = bounded_quotas(w, h, lo, hi)
    lo_a = np.zeros(len(w)) if lo is None else lo
    hi_a = np.full(len(w), np.inf) if hi is None else hi
    tie = _ties(w, units, q, m, lo_a, hi_a)
    within = (units >= np.floor(q + 1e-9)) & (units <= np.ceil(q - 1e-9))
    table = pd.DataFrame(
        {
            "weight": w,
            "quota": q,
            "floor": lo_a,
            "cap": hi_a,
            "units": units,
            "amount": units * unit,
            "tie": tie,
            "within_quota": within,
        },
        index=index,
    )
    return Apportionment(table=table, method=m, unit=float(unit), total=float(total))
