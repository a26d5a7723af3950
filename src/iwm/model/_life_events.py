"""Life events and relapse (MODEL.md C30): working models are not destiny, in both directions.

A long partnership with a secure partner is a corrective experience (the weekly revision of
:func:`iwm.model._adult.update_model`, at adult plasticity). Life events push the other way: a
loss takes away an attachment figure (evidence that others are not there, and distress), a
trauma is evidence that others are dangerous. Under such stress a pattern learned earlier can
come back: a former client's strategy slides back toward the one they brought into therapy
(relapse).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm.model._adult import _Adults
from iwm.model._params import Params, bounded

F = NDArray[np.float32]


@dataclasses.dataclass(frozen=True, kw_only=True)
class LifeEventParams(Params):
    """Negative life events and relapse. Rates are per person per year."""

    label = "life event parameters"

    loss_rate: float = bounded(0.04, 0, 5, "losses of an attachment figure per year (death, separation)")
    trauma_rate: float = bounded(0.01, 0, 5, "traumas per year (violence, abuse)")
    loss_distress: float = bounded(1.5, 0, 10, "distress of a loss")
    trauma_distress: float = bounded(2.5, 0, 10, "distress of a trauma")
    loss_evidence: float = bounded(40.0, 0, 100, "evidence that others are not there, at full plasticity")
    trauma_evidence: float = bounded(40.0, 0, 100, "evidence that others are dangerous, at full plasticity")
    relapse: float = bounded(0.3, 0, 1, "share of the way back to the pre-therapy strategy after an event")


@dataclasses.dataclass(kw_only=True, eq=False)
class _Memory:
    """The strategy a client brought into therapy, which stress can bring back (relapse)."""

    suppression: F
    signalling: F
    threshold: F
    treated: NDArray[np.bool_]

    @classmethod
    def of(cls, s: _Adults) -> _Memory:
        return cls(
            suppression=s.suppression.copy(),
            signalling=s.signalling.copy(),
            threshold=s.threshold.copy(),
            treated=np.zeros(s.n, bool),
        )


def life_events(s: _Adults, u: F, ev: LifeEventParams, memory: _Memory | None) -> NDArray[np.bool_]:
    """A week's negative events (``u``: two uniforms per person); returns who was hit."""
    week = 1 / 52
    loss = u[0] < ev.loss_rate * week
    trauma = u[1] < ev.trauma_rate * week
    s.distress += loss * np.float32(ev.loss_distress) + trauma * np.float32(ev.trauma_distress)
    k = s.plasticity
    s.A_b += (k * ev.loss_evidence) * loss
    s.D_a += (k * ev.trauma_evidence) * trauma
    hit = loss | trauma
    if memory is not None and ev.relapse > 0:
        back = hit & memory.treated
        if back.any():
            r = np.float32(ev.relapse)
            s.suppression[back] += r * (memory.suppression[back] - s.suppression[back])
            s.signalling[back] += r * (memory.signalling[back] - s.signalling[back])
            s.threshold[back] += r * (memory.threshold[back] - s.threshold[back])
    return hit
