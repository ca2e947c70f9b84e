"""Benchmark: power simulation with the batched, concentrated Poisson DiD estimator.

Simulates 1,000 case-count panels of 17 areas x 12 years (6 before, 6 after the
start, 3 model areas, negative-binomial counts) and estimates the panel
difference-in-differences (Poisson, area and year effects, log-population
offset, NB2 sandwich errors) in every panel at once with
:func:`sozialanalyse.evaluation.power_kernel.fit_poisson_twfe` (area and year
effects concentrated out by exact alternating updates, secant/Newton steps on
the treatment effect).

Baselines, measured in the same run on the same 1,000 panels (the simulation
is excluded from every timing):

* ``fit_poisson`` loop: the package's lean numpy IRLS with the full dummy
  design (built once, reused) per panel;
* ``fit_poisson_fe`` loop: the package's single-panel concentrated kernel
  (the same algorithm without batching) per panel.

The ratio is taken against the faster of the two loops (the strongest
baseline). A statsmodels ``GLM`` loop on the first ``N_STATSMODELS`` panels
is shown for orientation only. All estimates agree (maximum differences
printed). Timings are the best of ``REPEATS`` runs; the machine is shared, so
the load average is printed too.

Run: ``.venv/bin/python benchmarks/bench_power.py``. The last line has the form
``<what>: <seconds> s, <ratio>x <baseline>``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np
import statsmodels.api as sm

from sozialanalyse.evaluation.poisson import fit_poisson, fit_poisson_fe
from sozialanalyse.evaluation.power import PowerDesign, simulate_counts
from sozialanalyse.evaluation.power_kernel import fit_poisson_twfe

N_PANELS = 1000
N_STATSMODELS = 50
N_AREAS, N_PRE, N_POST = 17, 6, 6
REPEATS = 5
LOOP_REPEATS = 2


def design() -> PowerDesign:
    """17 areas with Dresden-like young populations (fixed seed), 3 model areas.

    80 cases per 1,000 young residents and year: about the level of the
    simulated Dresden panel (9,232 young people with HzE in 2023).
    """
    rng = np.random.default_rng(17)
    pop = rng.integers(3000, 9000, size=N_AREAS).astype(float)
    return PowerDesign(
        population=pop,
        baseline_rate=80.0,
        n_pre=N_PRE,
        n_post=N_POST,
        treated=(3, 9, 13),
        dispersion=0.01,
        trend=0.015,
        year_sd=0.03,
    )


def dummy_design(des: PowerDesign) -> np.ndarray:
    """Constant, area and year dummies (first dropped) and the treatment column."""
    a, t = des.n_areas, des.n_years
    area = np.kron(np.eye(a), np.ones((t, 1)))[:, 1:]
    year = np.kron(np.ones((a, 1)), np.eye(t))[:, 1:]
    return np.column_stack([np.ones(a * t), area, year, des.treat_grid().ravel()])


CPU_TIMES: dict[str, float] = {}


def best_of(fn: Callable[[], np.ndarray], repeats: int) -> tuple[float, np.ndarray]:
    """Best wall time of ``repeats`` calls and the last result (best CPU time kept too)."""
    times, cpu, out = [], [], np.array([])
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU_TIMES[fn.__name__] = min(cpu)
    return min(times), out


def main() -> None:
    des = design()
    y = simulate_counts(des, 0.85, N_PANELS, seed=100)
    pop, treat = des.population_grid(), des.treat_grid()
    x, offset = dummy_design(des), np.log(pop.ravel())

    def batched() -> np.ndarray:
        fit = fit_poisson_twfe(y, pop, treat, scale="nb2")
        assert fit.converged.all()
        return fit.beta

    def simulate_and_fit() -> np.ndarray:
        counts = simulate_counts(des, 0.85, N_PANELS, seed=101)
        return fit_poisson_twfe(counts, pop, treat, scale="nb2").beta

    def irls_loop() -> np.ndarray:
        return np.array([fit_poisson(x, y[i].ravel(), offset).params[-1]
                         for i in range(N_PANELS)])

    def fe_loop() -> np.ndarray:
        return np.array([fit_poisson_fe(y[i], pop, treat).beta for i in range(N_PANELS)])

    def statsmodels_loop() -> np.ndarray:
        family = sm.families.Poisson()
        return np.array([sm.GLM(y[i].ravel(), x, family=family, offset=offset).fit().params[-1]
                         for i in range(N_STATSMODELS)])

    vec, beta = best_of(batched, REPEATS)
    vec_sim, _ = best_of(simulate_and_fit, REPEATS)
    irls, beta_irls = best_of(irls_loop, LOOP_REPEATS)
    fe, beta_fe = best_of(fe_loop, LOOP_REPEATS)
    smt, beta_sm = best_of(statsmodels_loop, 1)
    baselines = {
        "per-panel fit_poisson loop (numpy IRLS, dummy design)": irls,
        "per-panel fit_poisson_fe loop (concentrated kernel)": fe,
    }
    name = min(baselines, key=baselines.__getitem__)
    ratio = baselines[name] / vec
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"batched estimate of {N_PANELS} panels, best of {REPEATS}: {vec:.4f} s "
          f"(with simulating the panels: {vec_sim:.4f} s)")
    for label, sec in baselines.items():
        print(f"{label}: {sec:.3f} s = {sec / N_PANELS * 1000:.3f} ms per panel "
              f"({sec / vec:.1f}x the batched time)")
    print("CPU time of the process (less sensitive to other load), best run: "
          + ", ".join(f"{k} {v:.3f} s" for k, v in CPU_TIMES.items()))
    print(f"statsmodels GLM loop (orientation): {smt / N_STATSMODELS * 1000:.2f} ms per panel")
    print("max |beta difference| vs batched: "
          f"fit_poisson {np.abs(beta_irls - beta).max():.1e}, "
          f"fit_poisson_fe {np.abs(beta_fe - beta).max():.1e}, "
          f"statsmodels {np.abs(beta_sm - beta[:N_STATSMODELS]).max():.1e}")
    print(f"power estimator {N_PANELS} panels {N_AREAS} areas x {N_PRE + N_POST} years: "
          f"{vec:.3f} s, {ratio:.1f}x {name}")


if __name__ == "__main__":
    main()
