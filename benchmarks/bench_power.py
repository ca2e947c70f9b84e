"""Benchmark: power simulation with the vectorised Poisson DiD estimator.

Simulates 1,000 case-count panels of 17 areas x 12 years (6 before, 6 after the
start, 3 model areas, negative-binomial counts) and estimates the panel
difference-in-differences (Poisson, area and year effects, log-population
offset, NB2 sandwich errors) in every panel with
:func:`sozialanalyse.evaluation.power.fit_poisson_twfe`, all at once.

Baseline, measured in the same run: a loop of per-panel statsmodels GLM fits
(Poisson family, constant + area and year dummies + treatment, offset
log(population)); the dummy matrix is built once and reused, so the loop times
only the fits. The loop runs on the first ``N_BASELINE`` panels and is
extrapolated per panel to 1,000 (stated in the output). Both give the same
estimates (maximum difference printed).

Run: ``.venv/bin/python benchmarks/bench_power.py``. The last line has the form
``<what>: <seconds> s, <ratio>x <baseline>``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import statsmodels.api as sm

from sozialanalyse.evaluation.power import PowerDesign, fit_poisson_twfe, simulate_counts

N_PANELS = 1000
N_BASELINE = 50
N_AREAS, N_PRE, N_POST = 17, 6, 6
REPEATS = 3


def design() -> PowerDesign:
    """17 areas with Dresden-like young populations (fixed seed), 3 model areas."""
    rng = np.random.default_rng(17)
    pop = rng.integers(3000, 9000, size=N_AREAS).astype(float)
    return PowerDesign(
        population=pop,
        baseline_rate=30.0,
        n_pre=N_PRE,
        n_post=N_POST,
        treated=(3, 9, 13),
        dispersion=0.01,
        trend=0.015,
        year_sd=0.03,
    )


def vectorised(des: PowerDesign, seed: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Simulate and estimate all panels; return (seconds, counts, beta)."""
    t0 = time.perf_counter()
    y = simulate_counts(des, 0.85, N_PANELS, seed=seed)
    fit = fit_poisson_twfe(y, des.population_grid(), des.treat_grid(), scale="nb2")
    elapsed = time.perf_counter() - t0
    assert fit.converged.all()
    return elapsed, y, fit.beta


def statsmodels_loop(des: PowerDesign, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Per-panel statsmodels GLM fits on the first N_BASELINE panels."""
    a, t = des.n_areas, des.n_years
    frame = pd.DataFrame(
        {
            "area": np.repeat(np.arange(a), t).astype(str),
            "year": np.tile(np.arange(t), a).astype(str),
        }
    )
    x = pd.get_dummies(frame, drop_first=True, dtype=float).to_numpy()
    x = np.column_stack([np.ones(a * t), x, des.treat_grid().ravel().astype(float)])
    offset = np.log(des.population_grid().ravel())
    betas = np.empty(N_BASELINE)
    t0 = time.perf_counter()
    for i in range(N_BASELINE):
        res = sm.GLM(y[i].ravel(), x, family=sm.families.Poisson(), offset=offset).fit()
        betas[i] = res.params[-1]
    return time.perf_counter() - t0, betas


def main() -> None:
    des = design()
    vec_times = []
    for r in range(REPEATS):
        sec, y, beta = vectorised(des, seed=100 + r)
        vec_times.append(sec)
    vec = min(vec_times)
    loop, beta_sm = statsmodels_loop(des, y)
    per_fit = loop / N_BASELINE
    loop_1000 = per_fit * N_PANELS
    ratio = loop_1000 / vec
    diff = float(np.max(np.abs(beta_sm - beta[:N_BASELINE])))
    print(f"vectorised (simulate + estimate {N_PANELS} panels), best of {REPEATS}: {vec:.3f} s "
          f"(runs: {', '.join(f'{s:.3f}' for s in vec_times)})")
    print(f"statsmodels GLM loop: {N_BASELINE} fits in {loop:.3f} s = {per_fit * 1000:.2f} ms "
          f"per fit; extrapolated to {N_PANELS} panels: {loop_1000:.2f} s")
    print(f"max |beta difference| over the {N_BASELINE} common panels: {diff:.2e}")
    print(f"baseline extrapolated per panel from {N_BASELINE} timed fits to {N_PANELS}")
    print(f"power simulation {N_PANELS} panels {N_AREAS} areas x {N_PRE + N_POST} years: "
          f"{vec:.2f} s, {ratio:.1f}x per-fit statsmodels GLM loop")


if __name__ == "__main__":
    main()
