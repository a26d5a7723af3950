"""Therapy (MODEL.md C25-C29): a weekly session with a therapist whose response to whatever
need the client shows is consistent, attuned and reliable (C25: the secure relational
experience), at a plasticity raised by the therapeutic relationship, plus four components,
each a named dose that can be switched off (:class:`Components`): increasing awareness (C26,
lowers the projection of C21), supporting emotion regulation (C27), integrating split models
(C28: the feared and the needed other become one other, so the fear drive of C16 falls), and
new relational patterns (C29: the strategy moves toward secure-base behaviour, and the client
takes it home to the partner).

Avoidant clients bring fewer bids into the room: what a session can answer is the need the
client shows (C24), exactly as with a partner. Relationships (C30) revise models too
(:func:`iwm.model._adult.update_model`); life events and relapse are :mod:`._life_events`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.model._adult import SECURE_THRESHOLD, _Adults
from iwm.model._params import Params, Switches, bounded

F = NDArray[np.float32]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Components(Switches):
    """The four components of therapy beyond the secure relational experience (C25), each a
    switch (all on by default)."""

    label = "component"

    awareness: bool = True
    regulation: bool = True
    integration: bool = True
    new_patterns: bool = True


@dataclasses.dataclass(frozen=True, kw_only=True)
class TherapyParams(Params):
    """What one weekly session does. Defaults are the calibrated values."""

    label = "therapy parameters"

    session_need: float = bounded(0.8, 0, 3, "need a client brings into a session, before showing it")
    attunement: float = bounded(0.9, 0, 1, "quality of the therapist's response to shown need (C25)")
    plasticity_boost: float = bounded(3.0, 1, 20, "how much more a session's evidence weighs than a day's (C30)")
    evidence: float = bounded(1.5, 0, 20, "Beta evidence per session per unit of shown need, at full plasticity")
    awareness_rate: float = bounded(0.05, 0, 1, "share of the way to full awareness per session (C26)")
    regulation_rate: float = bounded(0.04, 0, 1, "share of the way to full regulation per session (C27)")
    integration_rate: float = bounded(0.1, 0, 1, "share of expected danger integrated per session (C28)")
    regard: float = bounded(0.5, 0, 1, "worth evidence from the therapist's regard, whatever need is shown (C25)")
    pattern_rate: float = bounded(0.03, 0, 1, "share of the way to secure-base behaviour per session (C29)")


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Therapy:
    """A therapy arm: who the clients are, when sessions start and for how many weeks."""

    clients: NDArray[np.bool_]
    start_week: int = 0
    weeks: int = 20
    components: Components = dataclasses.field(default_factory=Components)
    params: TherapyParams = dataclasses.field(default_factory=TherapyParams)

    def __post_init__(self) -> None:
        object.__setattr__(self, "clients", np.asarray(self.clients, dtype=bool))
        if self.clients.ndim != 1:
            raise ParameterError("clients", "a one-dimensional boolean array", f"shape {self.clients.shape}")
        if self.start_week < 0:
            raise ParameterError("start_week", "at least 0", self.start_week)
        if not 0 <= self.weeks <= 52 * 20:
            raise ParameterError("weeks", "in [0, 1040]", self.weeks)

    def in_session(self, week: int) -> bool:
        return self.start_week <= week < self.start_week + self.weeks


def session(s: _Adults, clients: NDArray[np.intp], tp: TherapyParams, comp: Components) -> None:
    """One weekly session for each client (indices into ``s``)."""
    c = clients
    a = s.A_a[c] / (s.A_a[c] + s.A_b[c])
    # C25: the client shows what they can of the need they bring; the therapist answers it
    felt = tp.session_need * s.appraisal[c] + 0.5 * s.distress[c]
    shown = np.minimum(felt * s.gain[c], 1)
    shown *= felt > s.threshold_eff[c]
    response = np.float32(tp.attunement)
    # perceived through the client's model (C21), less so as awareness grows (C26); the
    # therapist is a new figure, seen through the general model
    expected = 0.5 * a + s.expect_offset[c]
    pull = s.pull[c] * (2 * min(tp.attunement, 1 - tp.attunement))
    perceived = response + pull * (expected - response)
    k = s.plasticity[c] * (tp.plasticity_boost * tp.evidence)
    # others' availability is learned by relying (shown need only); worth also from the
    # therapist's regard for the whole person, shown need or not
    s.A_a[c] += k * shown * perceived
    s.A_b[c] += k * shown * (1 - perceived)
    s.W_a[c] += k * np.maximum(shown, tp.regard) * perceived
    if comp.awareness:  # C26
        s.awareness[c] += tp.awareness_rate * (1 - s.awareness[c])
    if comp.regulation:  # C27
        s.regulation[c] += tp.regulation_rate * (1 - s.regulation[c])
    if comp.integration:  # C28: safety evidence in proportion to the danger expected
        total = s.D_a[c] + s.D_b[c]
        d = s.D_a[c] / total
        s.D_b[c] += tp.integration_rate * d * total / np.maximum(1 - d, 0.05)
    if comp.new_patterns:  # C29, at the pace the client can take in (shown need)
        r = tp.pattern_rate * np.maximum(shown, 0.25)
        s.suppression[c] -= r * s.suppression[c]
        s.signalling[c] -= r * (s.signalling[c] - 1)
        s.threshold[c] += r * (SECURE_THRESHOLD - s.threshold[c])
        s.self_reliance[c] -= r * s.self_reliance[c] * (s.W_a[c] / (s.W_a[c] + s.W_b[c]))
