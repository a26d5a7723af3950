"""Security priming: a momentary state of felt security around the chronic model (C4, C30).

A reminder of a secure attachment figure (a name, a picture, a remembered moment of care)
raises felt security for a while without changing the chronic model: threat is appraised as
smaller and others' responses are expected to be kinder, and the effect fades within days
(Mikulincer & Shaver 2007, security priming; Gillath et al. 2008). In the model the reminder
adds to a momentary column, ``felt_security`` in [0, 1], which decays with a half-life of
days; the adult day reads it in appraisal and perception (:mod:`iwm.model._day`). The reminder
also moves the momentary beliefs (:mod:`iwm.model._momentary`): others seem more available and
the self more worthy today, so a questionnaire answered soon after reads less anxiety and
avoidance; that shift relaxes toward the chronic beliefs like any momentary deviation. The
chronic beliefs move only through what is lived while primed, like any evidence, and through
the slow pull of the momentary state.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.model._adult import _Adults
from iwm.model._momentary import shift
from iwm.model._params import Params, bounded


@dataclasses.dataclass(frozen=True, kw_only=True)
class PrimeParams(Params):
    """What one reminder of a secure figure does."""

    label = "prime parameters"

    strength: float = bounded(0.6, 0, 1, "felt security a reminder adds (momentary state, 0-1)")
    half_life_days: float = bounded(2.0, 0.1, 60, "days for the felt security of a reminder to halve")
    state_shift: float = bounded(
        0.2, 0, 1, "share of the way to 1 that momentary expected availability and self-worth move on a reminder"
    )


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Prime:
    """A prime given to ``people`` (one flag per person) on ``day`` (days from the start)."""

    people: NDArray[np.bool_]
    day: int = 0
    params: PrimeParams = dataclasses.field(default_factory=PrimeParams)

    def __post_init__(self) -> None:
        object.__setattr__(self, "people", np.asarray(self.people, dtype=bool))
        if self.people.ndim != 1:
            raise ParameterError("prime.people", "a one-dimensional boolean array", f"shape {self.people.shape}")
        if self.day < 0:
            raise ParameterError("prime.day", "at least 0", self.day)


def prime(s: _Adults, people: NDArray[np.bool_], p: PrimeParams) -> None:
    """A reminder of a secure figure: felt security rises (capped at 1) for ``people``."""
    s.felt_security[people] = np.minimum(s.felt_security[people] + np.float32(p.strength), 1)
    s.primed = True
    shift(s, people, p.state_shift, p.state_shift)


def fade(s: _Adults, p: PrimeParams) -> None:
    """A day passes: momentary felt security decays toward 0 with the prime's half-life."""
    if s.primed:
        s.felt_security *= np.float32(0.5 ** (1 / p.half_life_days))
        if float(s.felt_security.max(initial=0.0)) < 1e-4:
            s.felt_security[:] = 0
            s.primed = False
