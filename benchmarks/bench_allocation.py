"""Benchmark: allocation over 10,000 index draws x 542 areas, vectorised vs per-draw loop.

Simulated data (fixed seed): 542 areas (the number of Berlin's LOR Planungsräume), young
population per area, index scores per draw. Each draw: need scores (linear rule), weights
``1 + 0.5 * score``, weighted population, apportionment of 1,000 VK in units of 0.25 VK
(4,000 units). The vectorised kernel :func:`allocate_draws_array` handles all draws at once;
the baseline is the same kernel called once per draw (:func:`allocate_per_draw_loop`),
timed on ``N_LOOP`` draws (best of ``N_REPEAT`` runs, as the vectorised call) and
extrapolated. Both give identical units on those draws. Wall-clock and process CPU times
are both reported (the machine may be shared).

Run: ``PYTHONPATH=. python benchmarks/bench_allocation.py``. The last line is
``<what>: <seconds> s, <ratio>x <baseline>``.
"""

from __future__ import annotations

import os
import time

import numpy as np

from sozialanalyse.allocation.uncertainty import allocate_draws_array, allocate_per_draw_loop

N_DRAWS = 10_000
N_AREAS = 542
TOTAL_VK = 1_000.0
UNIT = 0.25
N_LOOP = 1_000
N_REPEAT = 3
SEED = 2024
METHODS = ("hamilton", "webster", "dhondt")


def simulated_inputs() -> tuple[np.ndarray, np.ndarray]:
    """Index draws (nominal index plus method noise) and population, simulated."""
    rng = np.random.default_rng(SEED)
    nominal = rng.normal(size=N_AREAS)
    draws = nominal[None, :] + 0.3 * rng.normal(size=(N_DRAWS, N_AREAS))
    population = rng.integers(300, 8_000, N_AREAS).astype(float)
    return draws, population


def best_of(fn, repeat: int = N_REPEAT) -> tuple[float, float, object]:  # noqa: ANN001
    """Fastest of ``repeat`` runs in wall-clock and in process CPU time, and the result.

    The machine is shared: the fastest run is the least disturbed one (as ``timeit`` does);
    the CPU time leaves out the time spent waiting for a processor.
    """
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu), out


def main() -> None:
    draws, pop = simulated_inputs()
    seats = int(round(TOTAL_VK / UNIT))
    allocate_draws_array(draws[:100], pop, seats)  # warm-up
    print(f"data: {N_DRAWS} index draws x {N_AREAS} areas, simulated (seed {SEED}); "
          f"{TOTAL_VK:.0f} VK in units of {UNIT} VK ({seats} units), linear need rule")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    results = {}
    for method in METHODS:
        fast, fast_cpu, units = best_of(
            lambda m=method: allocate_draws_array(draws, pop, seats, method=m))
        assert np.all(units.sum(axis=1) == seats)
        # baseline: the same kernel called once per draw, on the first N_LOOP draws, best of
        # N_REPEAT runs like the vectorised call, extrapolated to N_DRAWS
        slow, slow_cpu, loop = best_of(
            lambda m=method: allocate_per_draw_loop(draws[:N_LOOP], pop, seats, method=m))
        same = bool(np.array_equal(loop, units[:N_LOOP]))
        per_draw = slow / N_LOOP
        ratio = per_draw * N_DRAWS / fast
        ratio_cpu = slow_cpu / N_LOOP * N_DRAWS / fast_cpu
        results[method] = (fast, ratio)
        print(f"{method}: vectorised {fast:.3f} s (CPU {fast_cpu:.3f} s); per-draw loop "
              f"{per_draw * 1e3:.2f} ms/draw on {N_LOOP} draws -> {per_draw * N_DRAWS:.1f} s for "
              f"{N_DRAWS} ({ratio:.1f}x; CPU time ratio {ratio_cpu:.1f}x); identical units: "
              f"{same}")
    slowest = max(results, key=lambda m: results[m][0])
    weakest = min(results, key=lambda m: results[m][1])
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"(last line, worst case over the methods: the longest wall-clock time ({slowest}) and "
          f"the smallest ratio ({weakest}); baseline timed on {N_LOOP} draws and extrapolated)")
    print(f"allocation {N_DRAWS} draws x {N_AREAS} areas (worst of {', '.join(METHODS)}): "
          f"{results[slowest][0]:.2f} s, {results[weakest][1]:.1f}x per-draw loop of the same "
          "kernel")

if __name__ == "__main__":
    main()
