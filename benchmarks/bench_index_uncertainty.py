"""Benchmark: the Coin's vectorised Monte Carlo against its own per-draw regenerate loop.

Synthetic data (simulated with a fixed seed): 542 areas x 8 indicators in two dimensions,
log-normal values. 10,000 draws over outlier treatment, normalisation, aggregation,
indicator set and weights are evaluated with ``coin.uncertainty(engine="fast")`` (scores and
ranks of every area in every draw).

Baseline, measured in the same run: ``coin.uncertainty(engine="regenerate")``, which sets the
draw's parameters on the Coin and regenerates it, draw by draw (COINr's ``get_sensitivity``
over ``Regen()``), and a lean numpy loop of the same kernel that computes only the draw's
own variant (treat, normalise, weighted sum) per draw. Both are timed on a subset of draws
and extrapolated per draw to 10,000 draws, and their scores are checked against the fast
path on those draws. The reported ratio is against the faster (stronger) of the two.

Run: ``.venv/bin/python benchmarks/bench_index_uncertainty.py``
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from sozialanalyse.index import Coin
from sozialanalyse.index.choices import GEOMETRIC_RANGE, Draws
from sozialanalyse.index.normalise import normalise_array
from sozialanalyse.index.outliers import clip_array
from sozialanalyse.index.uncertainty import coin_inputs

N_AREAS, N_IND, N_DRAWS, N_LOOP, N_REPEAT, SEED = 542, 8, 10_000, 100, 3, 20_171_115


def synthetic() -> Coin:
    """A Coin on simulated data (fixed seed); two indicators with direction -1."""
    rng = np.random.default_rng(SEED)
    values = rng.lognormal(mean=2.0, sigma=0.5, size=(N_AREAS, N_IND))
    areas = [f"area{i:03d}" for i in range(N_AREAS)]
    names = [f"ind{j}" for j in range(N_IND)]
    tidy = pd.DataFrame(values, index=areas, columns=names).stack().rename("value")
    tidy = tidy.rename_axis(["area", "indicator"]).reset_index()
    meta = pd.DataFrame({"indicator": names, "dimension": ["A"] * 4 + ["B"] * 4,
                         "direction": [1, 1, 1, -1, 1, 1, -1, 1]})
    return Coin(tidy, meta, name="simuliert")


def lean_loop(coin: Coin, draws: Draws) -> np.ndarray:
    """Scores draw by draw, computing only that draw's variant (the strongest loop)."""
    x, d, _ = coin_inputs(coin)
    values = x.to_numpy(dtype=float)
    names = [str(c) for c in x.columns]
    ddof = int(coin.params["normalise"]["ddof"])
    clip_q = coin_space_clip_quantile()
    lo, hi = GEOMETRIC_RANGE
    out = np.empty((len(draws), values.shape[0]))
    for i in range(len(draws)):
        treated = values if draws.outlier[i] == "none" else clip_array(values, clip_q)
        norm = str(draws.normalisation[i])
        if draws.aggregation[i] == "arithmetic":
            m = normalise_array(treated, norm, directions=d, ddof=ddof, names=names)
            out[i] = m @ draws.weights[i]
        else:
            method = "minmax" if norm == "zscore" else norm
            m = np.log(normalise_array(treated, method, directions=d, lower=lo, upper=hi,
                                       names=names))
            out[i] = np.exp(m @ draws.weights[i])
    return out


def coin_space_clip_quantile() -> float:
    """The clipping quantile of the default choice space (as the fast path uses)."""
    from sozialanalyse.index.choices import ChoiceSpace

    return ChoiceSpace().clip_quantile


def main() -> None:
    coin = synthetic().regenerate()
    coin.uncertainty(200, seed=SEED)  # warm-up
    times = []
    for _ in range(N_REPEAT):  # best of N_REPEAT (the machine is shared; as timeit does)
        start = time.perf_counter()
        mc = coin.uncertainty(N_DRAWS, seed=SEED)
        times.append(time.perf_counter() - start)
    fast = min(times)

    subset = mc.draws.subset(slice(0, N_LOOP))
    start = time.perf_counter()
    slow = coin.uncertainty(draws=subset, engine="regenerate")
    per_draw = (time.perf_counter() - start) / N_LOOP
    max_diff = float(np.abs(slow.scores - mc.scores[:N_LOOP]).max())
    start = time.perf_counter()
    lean = lean_loop(coin, subset)
    lean_per_draw = (time.perf_counter() - start) / N_LOOP
    lean_diff = float(np.abs(lean - mc.scores[:N_LOOP]).max())
    baseline, base_per_draw = min(
        ("per-draw Coin regenerate loop", per_draw),
        ("per-draw loop of the same numpy kernel", lean_per_draw), key=lambda item: item[1])

    print(f"data: {N_AREAS} areas x {N_IND} indicators, simulated (seed {SEED})")
    print(f"fast path, {N_DRAWS} draws (scores + ranks): best of {N_REPEAT} runs "
          f"{fast:.3f} s (all: {', '.join(f'{t:.3f}' for t in times)} s)")
    print(f"Coin set + regenerate per draw: {per_draw * 1e3:.2f} ms/draw measured on "
          f"{N_LOOP} draws -> {per_draw * N_DRAWS:.1f} s extrapolated to {N_DRAWS} draws; "
          f"max |score difference| on those draws = {max_diff:.2e}")
    print(f"lean kernel per draw: {lean_per_draw * 1e3:.3f} ms/draw measured on {N_LOOP} "
          f"draws -> {lean_per_draw * N_DRAWS:.2f} s extrapolated; max |score difference| "
          f"= {lean_diff:.2e}")
    print(f"index Monte Carlo {N_DRAWS} draws x {N_AREAS} areas x {N_IND} indicators: "
          f"{fast:.2f} s, {base_per_draw * N_DRAWS / fast:.1f}x {baseline}")


if __name__ == "__main__":
    main()
