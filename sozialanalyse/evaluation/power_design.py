"""A planned model-project evaluation and its simulated case-count panels.

:class:`PowerDesign` describes what a planner knows before the start: young
residents per area (and year), baseline rates, years before and after, model
areas, overdispersion, trend and year shocks. :func:`simulate_counts` draws
panels from the generative model of :mod:`sozialanalyse.evaluation.simulate`;
:class:`CoupledSimulator` draws them with common random numbers, so that
counts (and hence power) change monotonically with the true effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sozialanalyse.evaluation.simulate import CoupledDraws, draw_counts, expected_counts


@dataclass(frozen=True)
class PowerDesign:
    """A planned model-project evaluation.

    Parameters
    ----------
    population
        Young residents per area, shape ``(A,)`` (constant over years) or
        ``(A, T)`` with ``T = n_pre + n_post``.
    baseline_rate
        Cases per 1,000 young residents and year before the start, scalar or
        shape ``(A,)``.
    n_pre, n_post
        Years before and after the start.
    treated
        Indices of the model (treated) areas.
    dispersion
        NB2 overdispersion ``alpha`` of the counts (0 = Poisson).
    trend
        Common log-linear trend per year.
    year_sd
        Standard deviation of common yearly shocks (log scale).
    areas
        Optional area names (for tables).
    """

    population: np.ndarray
    baseline_rate: np.ndarray | float
    n_pre: int
    n_post: int
    treated: tuple[int, ...]
    dispersion: float = 0.0
    trend: float = 0.0
    year_sd: float = 0.0
    areas: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        pop = np.asarray(self.population, dtype=float)
        if pop.ndim not in (1, 2) or np.any(pop <= 0):
            raise ValueError("population must be positive, shape (A,) or (A, T)")
        if self.n_pre < 1 or self.n_post < 1:
            raise ValueError("need at least one year before and one after the start")
        if not self.treated or max(self.treated) >= pop.shape[0] or min(self.treated) < 0:
            raise ValueError("treated must list valid area indices")
        if len(set(self.treated)) == pop.shape[0]:
            raise ValueError("at least one area must stay untreated")
        if self.dispersion < 0:
            raise ValueError("dispersion must be >= 0")

    @property
    def n_areas(self) -> int:
        """Number of areas."""
        return int(np.asarray(self.population).shape[0])

    @property
    def n_years(self) -> int:
        """Number of years."""
        return self.n_pre + self.n_post

    def population_grid(self) -> np.ndarray:
        """Young residents as an ``(A, T)`` grid."""
        pop = np.asarray(self.population, dtype=float)
        if pop.ndim == 1:
            return np.repeat(pop[:, None], self.n_years, axis=1)
        if pop.shape[1] != self.n_years:
            raise ValueError(f"population has {pop.shape[1]} years, design has {self.n_years}")
        return pop

    def rate_vector(self) -> np.ndarray:
        """Baseline rates per area, shape ``(A,)``."""
        return np.broadcast_to(np.asarray(self.baseline_rate, dtype=float), (self.n_areas,))

    def treat_grid(self) -> np.ndarray:
        """Boolean ``(A, T)`` treatment indicator."""
        d = np.zeros((self.n_areas, self.n_years), dtype=bool)
        d[list(self.treated), self.n_pre :] = True
        return d

    def scaled(self, population_factor: float) -> PowerDesign:
        """The same design with every population multiplied by a factor."""
        return PowerDesign(
            population=np.asarray(self.population, dtype=float) * population_factor,
            baseline_rate=self.baseline_rate,
            n_pre=self.n_pre,
            n_post=self.n_post,
            treated=self.treated,
            dispersion=self.dispersion,
            trend=self.trend,
            year_sd=self.year_sd,
            areas=self.areas,
        )


def _year_effects(design: PowerDesign, n_sims: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(design.n_years)
    return design.trend * t + design.year_sd * rng.standard_normal((n_sims, design.n_years))


def simulate_counts(
    design: PowerDesign, irr: float, n_sims: int, seed: int
) -> np.ndarray:
    """Draw ``n_sims`` simulated count panels of shape ``(n_sims, A, T)``."""
    rng = np.random.default_rng(seed)
    g = _year_effects(design, n_sims, rng)
    mu = expected_counts(
        design.population_grid(), design.rate_vector(), g, design.treat_grid(), irr
    )
    return draw_counts(mu, design.dispersion, rng)


class CoupledSimulator:
    """Common random numbers for one design: counts for any IRR, coupled.

    Cells outside the treated area-years do not depend on the effect and are
    drawn once (gamma-Poisson); treated cells are redrawn for each IRR by the
    inverse-CDF transform of fixed uniforms, so they rise monotonically with it.
    """

    def __init__(self, design: PowerDesign, n_sims: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.design = design
        self.g = _year_effects(design, n_sims, rng)
        self.treat = design.treat_grid()
        self.pop = design.population_grid()
        shape = (n_sims, design.n_areas, design.n_years)
        self.draws = CoupledDraws.draw(shape, design.dispersion, rng)
        self.base = rng.poisson(self._mean(1.0) * self.draws.gamma).astype(np.int64)

    def _mean(self, irr: float) -> np.ndarray:
        """Expected counts for ``irr`` (year effects of every simulated panel)."""
        return expected_counts(self.pop, self.design.rate_vector(), self.g, self.treat, irr)

    def counts(self, irr: float) -> np.ndarray:
        """Counts of shape ``(n_sims, A, T)`` for a true incidence-rate ratio ``irr``."""
        return self.draws.counts(self._mean(irr), mask=self.treat, base=self.base)
