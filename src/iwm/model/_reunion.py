"""A reunion-like episode at about 12 months: the infant's attachment behaviour (MODEL.md C5).

After two short separations (the Strange Situation, Ainsworth, Blehar, Waters & Wall 1978) the
infant meets its caregiver again, distressed. Over a few reunion steps the two act, from what
formation has left and nothing else:

1. the infant weighs approach against withdrawal with the rule of the adult day
   (:func:`iwm.model._day.activate`): approach is worth the felt need times what seeking the
   caregiver is expected to bring (C3), flight is worth the fear of that caregiver (need times
   expected danger, C16); a logistic choice is reliable when the two lie far apart and nearly
   a coin flip when they are close (frightened-and-needed, Main & Hesse 1990);
2. approaching, it signals with its learned strategy (nothing below the activation threshold,
   else ``gain x felt``);
3. the caregiver responds with its own terms (:func:`iwm.model._formation.caregiver_responds`):
   comfort, a rebuff, or fright; her mood (readiness to respond) is the one she is in that
   week, which lasts through the few minutes of the episode;
4. comfort taken in settles the infant; fright and rebuffs add distress.

The episode is an observation: it changes neither beliefs nor strategy. It returns behaviour
only (the indices an observer scores; Ainsworth et al. 1978; Main & Solomon 1990); the A/B/C/D
codes are assigned from these columns in :mod:`iwm.measure` (:func:`iwm.measure._readout.code_infants`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm.model._expectation import V_BEST, V_WORST, relationship_value
from iwm.model._formation import CaregiverTerms, FormationParams, _ChildState, caregiver_responds
from iwm.model._params import Params, bounded
from iwm.model._population import DTYPE

F = NDArray[np.float32]

BEHAVIOUR = ("proximity_seeking", "contact_maintenance", "avoidance", "resistance", "alternation", "freezing")
"""The behaviour columns of the reunion episode (each a mean over its steps)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReunionParams(Params):
    """The reunion episode: the infant's state on reunion and how the steps unfold."""

    label = "reunion episode parameters"

    separation_distress: float = bounded(0.9, 0, 2, "mean felt need on reunion, after two separations")
    distress_spread: float = bounded(0.3, 0, 1, "half-width of the uniform variation of that need between infants")
    steps: int = bounded(6, 2, 30, "reunion steps observed", integer=True)
    soothing: float = bounded(0.5, 0, 1, "share of felt need settled by a step of comfort taken in fully")
    fright_distress: float = bounded(0.3, 0, 2, "felt need added by a frightening or rebuffing response")
    fear_weight: float = bounded(2.0, 0, 10, "fear per unit of felt need and expected danger (the adult's form)")
    choice_temperature: float = bounded(
        0.05, 0.01, 2, "temperature of the approach/withdraw choice (as in AdultParams)"
    )


def approach_choice(worth: F, fear: F, u: F, temperature: float) -> tuple[NDArray[np.bool_], F]:
    """The logistic choice of the adult day: approach with chance 1 / (1 + exp(-(worth - fear)
    / temperature)). Returns whether one approached and how undecided the choice was
    (4 p (1 - p): 1 when the two values are equal)."""
    margin = np.clip((worth - fear) / temperature, -60, 60)
    p_approach = 1 / (1 + np.exp(-margin))
    return u < p_approach, (4 * p_approach * (1 - p_approach)).astype(DTYPE)


def _step(
    s: _ChildState, cg: CaregiverTerms, felt: F, worth: F, danger: F, u: F, r: ReunionParams, fp: FormationParams
) -> tuple[F, dict[str, F], NDArray[np.bool_]]:
    """One reunion step; returns the next felt need, this step's behaviour and the choice.
    Comfort settles as it is perceived, pulled toward the comfort expected (C21, as in
    formation): an infant who does not expect comfort is hard to settle even in contact."""
    active = felt > s.threshold
    value, fear = worth * felt, r.fear_weight * danger * felt
    approached, _ = approach_choice(value, fear, u[0], r.choice_temperature)
    seek = approached & active
    signal = (s.gain * felt * seek).astype(DTYPE)
    care = caregiver_responds(cg, felt, signal, s.mood, u, fp)  # her mood of that week holds
    expected = s.A_a / (s.A_a + s.A_b)
    quality = care.quality
    perceived = quality + 2 * fp.perception_bias * np.minimum(quality, 1 - quality) * (expected - quality)
    shown = np.minimum(signal / np.maximum(felt, 0.05), 1)
    contact = (care.comforted & seek).astype(DTYPE)
    settled = r.soothing * perceived * shown * contact
    nxt = (felt * (1 - settled) + r.fright_distress * (care.fright + care.rebuffed)).astype(DTYPE)
    behaviour = {
        "proximity_seeking": signal,
        "contact_maintenance": contact,
        "avoidance": (felt * (1 - shown)).astype(DTYPE),  # need not shown; a share of all need at the end
        "resistance": (np.maximum(signal - felt, 0) + nxt * seek).astype(DTYPE),  # angry, unsettled while seeking
        "freezing": (np.sqrt(value * fear) * active).astype(DTYPE),  # approach and fear at once (C16)
    }
    return nxt, behaviour, approached | ~active


def reunion(
    s: _ChildState, cg: CaregiverTerms, u: NDArray[np.float32], r: ReunionParams, fp: FormationParams
) -> dict[str, F]:
    """The reunion episode for every infant of the chunk; ``u`` holds ``r.steps + 1`` sets of
    :data:`iwm.model._formation.N_UNIFORMS` uniform draws per infant (shape (steps + 1, N_UNIFORMS, ...)).

    Behaviour: proximity seeking (the signal shown), contact maintenance (steps in comforting
    contact), avoidance (the share of all felt need not shown), resistance (protest beyond the felt
    need, and distress that contact does not settle), alternation (switches between approach
    and withdrawal) and freezing (conflict behaviour: approach and fear active at once, the
    geometric mean of their values while the system is on): Ainsworth et al. 1978; Main & Solomon 1990.
    """
    availability = s.A_a / (s.A_a + s.A_b)
    danger = s.D_a / (s.D_a + s.D_b)
    value = relationship_value(availability, s.W_a / (s.W_a + s.W_b), danger)
    worth = ((value - V_WORST) / (V_BEST - V_WORST)).astype(DTYPE)
    spread = r.distress_spread * (2 * u[0, 0] - 1)
    felt = np.maximum(r.separation_distress + spread, 0).astype(DTYPE)
    total = {name: np.zeros_like(felt) for name in BEHAVIOUR}
    need = np.zeros_like(felt)
    before = None
    for k in range(1, r.steps + 1):
        need += felt
        felt, behaviour, approached = _step(s, cg, felt, worth, danger, u[k], r, fp)
        for name, col in behaviour.items():
            total[name] += col
        if before is not None:
            total["alternation"] += approached != before
        before = approached
    out = {name: (col / r.steps).astype(DTYPE) for name, col in total.items()}
    out["alternation"] = (total["alternation"] / (r.steps - 1)).astype(DTYPE)
    out["avoidance"] = (total["avoidance"] / np.maximum(need, 1e-6)).astype(DTYPE)
    return out
