"""Placing a real person into the model: from questionnaire dimensions to a working-model state.

Anxiety and avoidance (ECR metric) do not determine a whole working model, so placement
borrows the rest from a formed reference population: each respondent takes the state of the
nearest model person in anxiety x avoidance space (so strategy, regulation, danger and
self-reliance are ones the model actually produces at those dimensions), then that person's
expected other-availability (C2) and self-worth (C1) are solved so that the read-outs equal the
respondent's scores exactly (among the ``candidates`` nearest, the one that fits
best), keeping the amount of evidence behind each belief (its certainty).
Where the needed belief would leave (0, 1), it is clipped and the residual is reported.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm.measure._readout import ADULT_READOUT, AdultReadout, anxiety, avoidance
from iwm.model._params import check_value
from iwm.model._population import DTYPE, Population

_EPS = 1e-3


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Placement:
    """Placed people and how closely their read-outs match the scores given."""

    population: Population
    reference_index: NDArray[np.int64]
    anxiety_residual: NDArray[np.float32]
    avoidance_residual: NDArray[np.float32]


def _logit_1_7(x: NDArray[np.floating]) -> NDArray[np.float64]:
    p = np.clip((np.asarray(x, np.float64) - 1) / 6, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def place(
    anxiety_scores: NDArray[np.floating],
    avoidance_scores: NDArray[np.floating],
    *,
    reference: Population,
    readout: AdultReadout = ADULT_READOUT,
    candidates: int = 16,
) -> Placement:
    """Working-model states for people with the given anxiety and avoidance (ECR metric, 1-7).

    Missing scores (NaN) are not allowed: score or drop those respondents first.
    """
    from scipy.spatial import cKDTree

    anx_t = np.asarray(anxiety_scores, np.float64)
    avo_t = np.asarray(avoidance_scores, np.float64)
    if anx_t.shape != avo_t.shape or anx_t.ndim != 1:
        raise ValueError("anxiety and avoidance must be one-dimensional arrays of the same length")
    for name, values in (("anxiety", anx_t), ("avoidance", avo_t)):
        for v in values:
            check_value(name, float(v), 1, 7)
    ref_anx, ref_avo = anxiety(reference, readout), avoidance(reference, readout)
    tree = cKDTree(np.column_stack([ref_anx, ref_avo]))
    k = min(candidates, reference.n)
    _, near = tree.query(np.column_stack([anx_t, avo_t]), k=k)
    near = near.reshape(anx_t.shape[0], k)
    # solve for every candidate at once, then keep each respondent's best fit
    solved = _solve(reference.take(near.ravel()), np.repeat(anx_t, k), np.repeat(avo_t, k), readout)
    miss = np.abs(anxiety(solved, readout) - np.repeat(anx_t, k)) + np.abs(
        avoidance(solved, readout) - np.repeat(avo_t, k)
    )
    best = np.argmin(miss.reshape(-1, k), axis=1)
    rows = np.arange(anx_t.shape[0]) * k + best
    placed = solved.take(rows)
    index = near[np.arange(anx_t.shape[0]), best]
    return Placement(
        population=placed,
        reference_index=index.astype(np.int64),
        anxiety_residual=(anxiety(placed, readout) - anx_t).astype(DTYPE),
        avoidance_residual=(avoidance(placed, readout) - avo_t).astype(DTYPE),
    )


def _solve(base: Population, anx_t: NDArray[np.float64], avo_t: NDArray[np.float64], r: AdultReadout) -> Population:
    """Adjust E[A] (for avoidance), then E[W] (for anxiety), keeping each belief's evidence."""
    # other-availability first: avoidance depends on it alone among the beliefs we solve
    a_now = base.other_availability.astype(np.float64)
    a_new = np.clip(a_now + (_logit_1_7(avoidance(base, r)) - _logit_1_7(avo_t)) / r.avoidance_other, _EPS, 1 - _EPS)
    n_a = base.availability_a + base.availability_b
    base = base.replace(availability_a=(a_new * n_a).astype(DTYPE), availability_b=((1 - a_new) * n_a).astype(DTYPE))
    # then self-worth, through the self model (self-worth inflated by self-reliance)
    s_now = base.self_model.astype(np.float64)
    s_new = np.clip(s_now + (_logit_1_7(anxiety(base, r)) - _logit_1_7(anx_t)) / r.anxiety_self, _EPS, 1 - _EPS)
    reliance = base.self_reliance.astype(np.float64)
    w_new = np.clip((s_new - reliance) / np.maximum(1 - reliance, _EPS), _EPS, 1 - _EPS)
    n_w = base.self_worth_a + base.self_worth_b
    return base.replace(self_worth_a=(w_new * n_w).astype(DTYPE), self_worth_b=((1 - w_new) * n_w).astype(DTYPE))
