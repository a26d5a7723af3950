"""The momentary state around the chronic model: the day moves the state, the state slowly moves the trait.

Attachment is trait-like with state fluctuation (Fraley 2002; Fraley, Vicary, Brumbaugh &
Roisman 2011): how secure a person feels today depends on today's experiences (support
received or not, conflict, a loss) as well as on the chronic model, and the most accessible
model is the one that guides perception and reports (Baldwin, Keelan, Fehr, Enns &
Koh-Rangarajoo 1996; Mikulincer & Shaver 2007). Three momentary columns carry the state:

* momentary expected availability of others (``availability_state``),
* momentary self-worth (``self_worth_state``), each held as the deviation from its chronic
  belief (the Beta means of :class:`iwm.model._population.Population`), and
* momentary deactivation (``suppression_state``): the share of need hidden today beyond the
  chronic ``suppression``. It rises after need was clearly left unanswered or met with
  hostility, in proportion to the chronic suppression (under threat the deactivating
  deactivate further, the hyperactivating do not; Mikulincer & Shaver 2003, 2007), and falls
  when need is met.

A population formed in childhood starts with no deviation. Each day (:func:`feel`) the
deviations take in part of the gap between the day's experience and the momentary belief, then
relax toward the chronic model; each week (:func:`follow_state`) the chronic belief means take a
small step toward the week's mean state at the person's adult plasticity (C30), so a lasting
change in experience becomes a change of the trait (the state moves the trait, slowly). The
step moves the mean and keeps the Beta variance, so it neither adds nor removes certainty. The
chronic strategy does not follow the momentary deactivation: as in
:func:`iwm.model._adult.update_model`, a strategy that fails is kept, not sharpened. The adult
day perceives through the momentary availability (:func:`iwm.model._day.perceive_response`) and
hides need by the momentary deactivation (:func:`shown_today`), and a questionnaire answered on
any day reads the momentary state (:func:`iwm.measure.anxiety`,
:func:`iwm.measure.latent_dimensions`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iwm.model._adult import AdultParams, _Adults

F = NDArray[np.float32]

_LO, _HI = np.float32(0.01), np.float32(0.99)
"""Momentary means, and chronic means the state moves, are kept inside (.01, .99)."""
_MIN_COUNT = np.float32(2)
"""Smallest Beta evidence total a step toward the state leaves (a flat prior's)."""


def momentary_availability(s: _Adults) -> F:
    """Expected availability of others right now: the chronic mean plus today's deviation."""
    m = s.other_availability() + s.availability_state
    return np.clip(m, _LO, _HI, out=m)


def momentary_self_worth(s: _Adults) -> F:
    """Self-worth right now: the chronic mean plus today's deviation."""
    m = s.W_a / (s.W_a + s.W_b) + s.self_worth_state
    return np.clip(m, _LO, _HI, out=m)


def momentary_suppression(s: _Adults) -> F:
    """The share of need hidden today: chronic suppression plus today's deactivation."""
    m = s.suppression + s.suppression_state
    return np.clip(m, 0, 1, out=m)


def shown_today(s: _Adults) -> F:
    """The factor by which today's deactivation scales the need one shows, relative to the
    chronic strategy: (1 - momentary suppression) / (1 - chronic suppression)."""
    out = 1 - momentary_suppression(s)
    out /= np.maximum(1 - s.suppression, np.float32(1e-3))
    return out


def feel(s: _Adults, shown: F, perceived: F, unmet: F, hostile: F, p: AdultParams) -> None:
    """A day moves the momentary state (in place), which then relaxes toward the chronic model.

    Availability: shown need that was answered or not is evidence of others' availability
    (C24: hidden need tells nothing), a partner's outburst and a partner who kept away
    yesterday (away or withdrawn) lower it. Self-worth: need that was met raises it, need that was clearly
    unanswered and the day's hostility lower it. Deactivation: the same hurt raises it in
    proportion to the chronic suppression, met need lowers it.
    """
    rate, keep = np.float32(p.momentary_rate), np.float32(1 - p.momentary_relax)
    a = momentary_availability(s)
    gap = perceived - a
    gap *= shown
    gap -= hostile * a
    gap -= s.absent * a  # the partner kept away yesterday (away or withdrawn; 0 when single)
    gap *= rate
    s.availability_state += gap
    s.availability_state *= keep
    w = momentary_self_worth(s)
    met = shown * perceived
    rejected = unmet - shown * np.float32(0.5)
    np.maximum(rejected, s.zero, out=rejected)
    rejected += hostile
    move = met * (1 - w)
    move -= (2 * rejected) * w  # as in the chronic update: worth is lost twice as fast to clear rejection
    move *= rate
    s.self_worth_state += move
    s.self_worth_state *= keep
    h = momentary_suppression(s)
    hide = rejected * s.suppression  # hurt deactivates those whose strategy is to deactivate
    hide *= 1 - h
    hide -= met * h
    hide *= rate
    s.suppression_state += hide
    s.suppression_state *= keep
    s.week_availability_state += s.availability_state
    s.week_self_worth_state += s.self_worth_state


def _shift_mean(a: F, b: F, step: F) -> None:
    """Move the Beta mean a / (a + b) by ``step`` (in place), keeping the Beta variance: the
    belief changes what it expects, not how sure it is."""
    total = a + b
    mean = a / total
    variance = mean * (1 - mean) / (total + 1)
    mean += step
    np.clip(mean, _LO, _HI, out=mean)
    np.maximum(mean * (1 - mean) / variance - 1, _MIN_COUNT, out=total)
    np.multiply(total, mean, out=a)
    np.subtract(total, a, out=b)


def follow_state(s: _Adults, p: AdultParams, days: int) -> None:
    """A week ends: the chronic beliefs take a step toward the week's mean momentary beliefs
    (at adult plasticity, C30), and the momentary deviations shrink by the same step."""
    k = (p.trait_rate / days) * s.plasticity
    step_a = s.week_availability_state * k
    step_w = s.week_self_worth_state * k
    _shift_mean(s.A_a, s.A_b, step_a)
    _shift_mean(s.W_a, s.W_b, step_w)
    s.availability_state -= step_a
    s.self_worth_state -= step_w
    s.week_availability_state[:] = 0
    s.week_self_worth_state[:] = 0


def shift(s: _Adults, people: NDArray[np.bool_] | NDArray[np.intp], availability: float, self_worth: float) -> None:
    """Move the momentary beliefs of ``people`` by a share of the way to 1 (positive) or to 0
    (negative): a reminder of a secure figure, a loss (in place)."""
    for state, now, by in (
        (s.availability_state, momentary_availability(s), availability),
        (s.self_worth_state, momentary_self_worth(s), self_worth),
    ):
        if by:
            room = (1 - now[people]) if by > 0 else now[people]
            state[people] += np.float32(by) * room
