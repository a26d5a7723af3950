"""Placing a real person into the model: from questionnaire answers or dimensions to a
working-model state.

Measurement v2 (:func:`place_latent`): each respondent's latent anxiety and avoidance are
estimated from their item answers with a standard error (EAP, :func:`iwm.measure.estimate_latents`),
then matched to the model state of the nearest reference person in latent space; respondents
outside what the model produces are listed with a reason, never clipped. Placement quality on
simulated people whose latents are known: :func:`placement_quality`.

From scores alone (:func:`place`, the first version):

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

from iwm._errors import ParameterError
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


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class LatentPlacement:
    """People placed from estimated latents (z metric): the model state each takes, how far it
    lies from their estimate, and who lies outside what the model produces (with a reason)."""

    population: Population
    reference_index: NDArray[np.int64]
    distance: NDArray[np.float64]
    in_support: NDArray[np.bool_]
    reasons: tuple[str, ...]
    """One per person: empty inside the model's support, else why not."""


def place_latent(
    anxiety_theta: NDArray[np.floating],
    avoidance_theta: NDArray[np.floating],
    *,
    reference: Population,
    reference_latents: tuple[NDArray[np.floating], NDArray[np.floating]],
    radius: float = 0.25,
    neighbours: int = 5,
) -> LatentPlacement:
    """Working-model states for people at the given latent positions (EAP estimates).

    Each person takes the state of the reference person nearest in latent space
    (``reference_latents``: :func:`iwm.measure.latent_dimensions` of ``reference``, with the
    unique parts drawn), so that the state is one the model produces with that self-report.
    A person is outside the model's support when their position lies beyond the range the
    reference population covers on a dimension, or when fewer than ``neighbours`` reference
    people lie within ``radius`` (too rare for the model to say which state fits). Such people
    are placed all the same, on the nearest reference person, and listed with the reason; their
    latents are never clipped.
    """
    from scipy.spatial import cKDTree

    check_value("radius", radius, 1e-6, 10)
    check_value("neighbours", neighbours, 1, 1000, integer=True)
    anx = np.asarray(anxiety_theta, np.float64)
    avo = np.asarray(avoidance_theta, np.float64)
    ref = np.column_stack([np.asarray(v, np.float64) for v in reference_latents])
    if anx.shape != avo.shape or anx.ndim != 1:
        raise ValueError("anxiety and avoidance must be one-dimensional arrays of the same length")
    if ref.shape[0] != reference.n:
        raise ValueError("reference_latents must hold one value per reference person")
    for name, values in (("anxiety", anx), ("avoidance", avo)):
        if not np.all(np.isfinite(values)):
            raise ParameterError(name, "finite latent values", "a non-finite value")
    points = np.column_stack([anx, avo])
    tree = cKDTree(ref)
    distance, index = tree.query(points, k=1)
    counts = np.asarray([len(found) for found in tree.query_ball_point(points, r=radius)])
    low, high = ref.min(axis=0), ref.max(axis=0)
    reasons = []
    for i in range(anx.size):
        why = [
            f"{name} {points[i, d]:.2f} is beyond the model's range [{low[d]:.2f}, {high[d]:.2f}]"
            for d, name in enumerate(("anxiety", "avoidance"))
            if not low[d] <= points[i, d] <= high[d]
        ]
        if not why and counts[i] < neighbours:
            why.append(
                f"only {counts[i]} model people within {radius:g} of ({points[i, 0]:.2f}, {points[i, 1]:.2f})"
                f" (needs {neighbours}): the model rarely produces this combination"
            )
        reasons.append("; ".join(why))
    return LatentPlacement(
        population=reference.take(index),
        reference_index=index.astype(np.int64),
        distance=distance.astype(np.float64),
        in_support=np.array([not r for r in reasons], dtype=bool),
        reasons=tuple(reasons),
    )


def placement_quality(
    reference: Population,
    reference_latents: tuple[NDArray[np.floating], NDArray[np.floating]],
    rng: np.random.Generator,
    *,
    instrument: str = "ecr-r",
    n: int = 2000,
) -> dict[str, float]:
    """How well placement recovers known latents: ``n`` reference people answer the
    instrument, their latents are estimated back (EAP), and the estimates are compared with
    the truth: recovery r per dimension, and the coverage of the 95% intervals (estimate
    +/- 1.96 SE), which should be near .95."""
    from iwm.measure._items import answer, estimate_latents
    from iwm.measure._scoring import score

    pick = rng.choice(reference.n, size=min(n, reference.n), replace=False)
    anx, avo = (np.asarray(v, np.float64)[pick] for v in reference_latents)
    keyed = score(instrument, answer(instrument, anx, avo, rng)).keyed
    est = estimate_latents(instrument, keyed)
    out: dict[str, float] = {"n": float(pick.size)}
    for name, truth, mean, se in (
        ("anxiety", anx, est.anxiety, est.anxiety_se),
        ("avoidance", avo, est.avoidance, est.avoidance_se),
    ):
        out[f"{name}_recovery_r"] = float(np.corrcoef(truth, mean)[0, 1])
        out[f"{name}_coverage_95"] = float(np.mean(np.abs(mean - truth) <= 1.96 * se))
        out[f"{name}_mean_se"] = float(np.mean(se))
    return out
