"""Life events and relapse (MODEL.md C30): working models are not destiny, in both directions.

A new secure partner is a corrective experience: each day with a responsive partner is
evidence, through perception, for the momentary state (:mod:`iwm.model._momentary`) and for
the weekly revision of :func:`iwm.model._adult.update_model`, at adult plasticity; no separate
event is needed. Life events push the other way, and enter as evidence too, never as writes to
the strategy: a loss takes away an attachment figure (evidence that others are not there, a
drop of momentary felt availability, and distress), a trauma is evidence that others are
dangerous (and a drop of momentary availability), an illness is a long stressor (distress,
so need that the day then shows and others answer or not). Under such stress a pattern learned
earlier can come back: a former client's strategy slides back toward the one they brought
into therapy (relapse; the one write to strategy, and only for former clients).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm.model._adult import _Adults
from iwm.model._momentary import shift
from iwm.model._params import Params, bounded

F = NDArray[np.float32]

N_EVENT_DRAWS = 3
"""Uniform draws per person per week for :func:`life_events` (loss, trauma, illness)."""


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
    event_state: float = bounded(
        0.3, 0, 1, "share of the way to 0 that momentary expected availability falls on a loss or trauma"
    )
    illness_rate: float = bounded(0.05, 0, 5, "serious illnesses per year")
    illness_distress: float = bounded(1.5, 0, 10, "distress of an illness")
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
    """A week's negative events (``u``: :data:`N_EVENT_DRAWS` uniforms per person); returns who
    was hit."""
    week = 1 / 52
    loss = u[0] < ev.loss_rate * week
    trauma = u[1] < ev.trauma_rate * week
    ill = u[2] < ev.illness_rate * week
    s.distress += (
        loss * np.float32(ev.loss_distress)
        + trauma * np.float32(ev.trauma_distress)
        + ill * np.float32(ev.illness_distress)
    )
    k = s.plasticity
    s.A_b += (k * ev.loss_evidence) * loss
    s.D_a += (k * ev.trauma_evidence) * trauma
    shift(s, loss | trauma, -ev.event_state, 0.0)
    hit = loss | trauma | ill
    if memory is not None and ev.relapse > 0:
        back = hit & memory.treated
        if back.any():
            r = np.float32(ev.relapse)
            s.suppression[back] += r * (memory.suppression[back] - s.suppression[back])
            s.signalling[back] += r * (memory.signalling[back] - s.signalling[back])
            s.threshold[back] += r * (memory.threshold[back] - s.threshold[back])
    return hit
