"""Benchmark: vectorised Monte Carlo over index method choices vs. a per-draw regenerate loop.

Synthetic data (simulated with a fixed seed): 542 areas x 8 indicators, log-normal values.
10,000 draws over outlier rule, normalisation, aggregation, indicator set and weights are
evaluated with :func:`sozialanalyse.index.uncertainty.run_monte_carlo` (scores and ranks of
every area in every draw).

Baseline, measured in the same run: a straightforward loop that, for each draw, sets the
method choices on the index object (:class:`sozialanalyse.index.Coin`) and regenerates it
(falls back to the plain pandas per-draw pipeline if the Coin cannot be imported). The loop is
timed on a subset of draws and extrapolated per draw to 10,000 draws. A second baseline (the
plain pandas per-draw pipeline, :func:`~sozialanalyse.index.uncertainty.scores_per_draw_loop`)
is also timed and its scores are checked against the vectorised result.

Run: ``.venv/bin/python benchmarks/bench_index_uncertainty.py``
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from sozialanalyse.index.uncertainty import (
    draw_choices,
    run_monte_carlo,
    scores_per_draw_loop,
)

N_AREAS, N_IND, N_DRAWS, N_LOOP, N_REPEAT, SEED = 542, 8, 10_000, 100, 3, 20_171_115


def synthetic() -> tuple[pd.DataFrame, pd.Series]:
    """Simulated indicator matrix (fixed seed) and directions (two 'less is burden')."""
    rng = np.random.default_rng(SEED)
    x = pd.DataFrame(
        rng.lognormal(mean=2.0, sigma=0.5, size=(N_AREAS, N_IND)),
        index=pd.Index([f"area{i:03d}" for i in range(N_AREAS)], name="area"),
        columns=[f"ind{j}" for j in range(N_IND)],
    )
    directions = pd.Series([1, 1, 1, -1, 1, 1, -1, 1], index=x.columns, dtype=float)
    return x, directions


def coin_loop(x: pd.DataFrame, directions: pd.Series, draws) -> float | None:
    """Seconds per draw for set-and-regenerate on the Coin; None if the Coin is unavailable."""
    try:
        from sozialanalyse.index import Coin
    except ImportError:
        return None
    tidy = x.stack().rename("value").reset_index()
    tidy.columns = ["area", "indicator", "value"]
    meta = pd.DataFrame({"indicator": list(x.columns), "dimension": "burden",
                         "direction": directions.to_numpy(), "weight": 1.0 / N_IND})
    coin = Coin(tidy, meta)
    start = time.perf_counter()
    for i in range(len(draws)):
        keep = [c for c, w in zip(x.columns, draws.weights[i], strict=True) if w > 0]
        geometric = draws.aggregation[i] == "geometric"
        norm = str(draws.normalisation[i])
        # the Coin's geometric mean needs positive values: min-max onto 1..100 for those draws
        norm_kw = ({"method": "minmax", "lower": 1.0, "upper": 100.0} if geometric
                   else {"method": norm if norm != "rank" else "percentile"})
        coin.set("select", indicators=keep)
        coin.set("treat", method=str(draws.outlier[i]))
        coin.set("normalise", **norm_kw)
        coin.set("weight", method="manual",
                 weights=dict(zip(keep, draws.weights[i][draws.weights[i] > 0], strict=True)))
        coin.set("aggregate", within=str(draws.aggregation[i]))
        coin.regenerate()
        _ = coin.ranks
    return (time.perf_counter() - start) / len(draws)


def main() -> None:
    x, directions = synthetic()
    indicators = list(x.columns)
    draws = draw_choices(N_DRAWS, indicators, seed=SEED)

    run_monte_carlo(x, directions, draws=draws.subset(slice(0, 200)))  # warm-up
    times = []
    for _ in range(N_REPEAT):  # best of N_REPEAT (the machine is shared; as timeit does)
        start = time.perf_counter()
        mc = run_monte_carlo(x, directions, draws=draws)
        times.append(time.perf_counter() - start)
    fast = min(times)

    subset = draws.subset(slice(0, N_LOOP))
    start = time.perf_counter()
    slow_scores = scores_per_draw_loop(x, subset, directions)
    pandas_per_draw = (time.perf_counter() - start) / N_LOOP
    max_diff = float(np.abs(slow_scores - mc.scores[:N_LOOP]).max())

    coin_per_draw = coin_loop(x, directions, subset)

    print(f"data: {N_AREAS} areas x {N_IND} indicators, simulated (seed {SEED})")
    print(f"vectorised Monte Carlo, {N_DRAWS} draws (scores + ranks): best of {N_REPEAT} runs "
          f"{fast:.3f} s (all: {', '.join(f'{t:.3f}' for t in times)} s)")
    print(f"pandas per-draw pipeline: {pandas_per_draw * 1e3:.2f} ms/draw measured on "
          f"{N_LOOP} draws -> {pandas_per_draw * N_DRAWS:.1f} s extrapolated to {N_DRAWS} "
          f"draws ({pandas_per_draw * N_DRAWS / fast:.1f}x); max |score difference| on "
          f"those draws = {max_diff:.2e}")
    if coin_per_draw is not None:
        baseline, per_draw = "per-draw Coin regenerate loop", coin_per_draw
        print("Coin baseline: per draw set select/treat/normalise/weight/aggregate and "
              "regenerate (geometric draws use the Coin's min-max 1..100 normalisation)")
        print(f"Coin set + regenerate per draw: {coin_per_draw * 1e3:.2f} ms/draw measured on "
              f"{N_LOOP} draws -> {coin_per_draw * N_DRAWS:.1f} s extrapolated to {N_DRAWS} "
              "draws")
    else:
        baseline, per_draw = "per-draw pandas regenerate loop", pandas_per_draw
        print("Coin not importable: baseline is the pandas per-draw pipeline")
    ratio = per_draw * N_DRAWS / fast
    print(f"(baseline timed on {N_LOOP} draws and extrapolated per draw to {N_DRAWS} draws)")
    print(f"index Monte Carlo {N_DRAWS} draws x {N_AREAS} areas x {N_IND} indicators: "
          f"{fast:.2f} s, {ratio:.1f}x {baseline}")

if __name__ == "__main__":
    main()
