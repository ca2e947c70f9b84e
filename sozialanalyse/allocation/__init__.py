"""Needs-based allocation of staff or budget across areas, with its uncertainty.

Modules (one concept each):

* :mod:`.need` - need weights from an index or sub-indices (linear, rank points, classes);
* :mod:`.targets` - weighted population, target shares, need index, distance from target;
* :mod:`.bounds` - proportional shares under floors and caps (redistribution);
* :mod:`.rounding` - whole units: Hamilton, Webster/Sainte-Laguë, D'Hondt; ties, quota;
* :mod:`.transition` - damped move from today's allocation, yearly bounds, pace of change;
* :mod:`.pipeline` - :func:`allocate`: all steps with a per-area breakdown;
* :mod:`.uncertainty` - the allocation over the index Monte Carlo draws (vectorised);
* :mod:`.sensitivity` - Sobol' indices of the allocation (index and allocation choices);
* :mod:`.scenarios` - scenarios side by side (table and plot);
* :mod:`.validation` - the need weight against an outcome.
"""

from sozialanalyse.allocation.bounds import bounded_quotas
from sozialanalyse.allocation.need import (
    RULES,
    need_score_array,
    need_weights,
    need_weights_from_coin,
    subindex_scores,
    subindex_weights,
)
from sozialanalyse.allocation.pipeline import Allocation, allocate
from sozialanalyse.allocation.rounding import (
    METHODS,
    Apportionment,
    apportion,
    apportion_array,
)
from sozialanalyse.allocation.scenarios import ScenarioResult, compare_scenarios, plot_scenarios
from sozialanalyse.allocation.targets import (
    distance_from_target,
    need_index,
    target_shares,
    weighted_population,
)
from sozialanalyse.allocation.transition import (
    damped_transition,
    pace_of_change,
    transition_path,
    years_to_target,
)
from sozialanalyse.allocation.uncertainty import (
    AllocationDraws,
    allocate_draws_array,
    allocation_draws,
    plot_allocation_bands,
)
from sozialanalyse.allocation.validation import outcome_agreement, ratio_check

__all__ = [
    "METHODS",
    "RULES",
    "Allocation",
    "AllocationDraws",
    "Apportionment",
    "ScenarioResult",
    "allocate",
    "allocate_draws_array",
    "allocation_draws",
    "apportion",
    "apportion_array",
    "bounded_quotas",
    "compare_scenarios",
    "damped_transition",
    "distance_from_target",
    "need_index",
    "need_score_array",
    "need_weights",
    "need_weights_from_coin",
    "outcome_agreement",
    "pace_of_change",
    "plot_allocation_bands",
    "plot_scenarios",
    "ratio_check",
    "subindex_scores",
    "subindex_weights",
    "target_shares",
    "transition_path",
    "weighted_population",
    "years_to_target",
]
