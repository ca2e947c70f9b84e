"""Benchmark: the Coin's vectorised Monte Carlo against its own per-draw regenerate loop.

Synthetic data (simulated with a fixed seed): 542 areas x 8 indicators in two dimensions,
log-normal values. 10,000 draws over outlier treatment, normalisation, aggregation,
indicator set and weights are evaluated with ``coin.uncertainty(engine="fast")`` (scores and
ranks of every area in every draw).

Baseline, measured in the same run: ``coin.uncertainty(engine="regenerate")``, which sets the
draw's parameters on the Coin and regenerates it, draw by draw (COINr's ``get_sensitivity``
over ``Regen()``). It is timed on a subset of draws and extrapolated per draw to 10,000
draws; its scores are checked against the fast path on those draws.

Run: ``.venv/bin/python benchmarks/bench_index_uncertainty.py``
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from sozialanalyse.index import Coin

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

    print(f"data: {N_AREAS} areas x {N_IND} indicators, simulated (seed {SEED})")
    print(f"fast path, {N_DRAWS} draws (scores + ranks): best of {N_REPEAT} runs "
          f"{fast:.3f} s (all: {', '.join(f'{t:.3f}' for t in times)} s)")
    print(f"Coin set + regenerate per draw: {per_draw * 1e3:.2f} ms/draw measured on "
          f"{N_LOOP} draws -> {per_draw * N_DRAWS:.1f} s extrapolated to {N_DRAWS} draws; "
          f"max |score difference| on those draws = {max_diff:.2e}")
    print(f"index Monte Carlo {N_DRAWS} draws x {N_AREAS} areas x {N_IND} indicators: "
          f"{fast:.2f} s, {per_draw * N_DRAWS / fast:.1f}x per-draw Coin regenerate loop")


if __name__ == "__main__":
    main()
