"""The adult day: one round of the attachment control system for every person (MODEL.md C6-C24, C31).

Mikulincer & Shaver (2003, 2007): a stressor is appraised; the attachment system activates;
need is shown (or hidden) as a bid; the partner responds from their own model; the response
is perceived through one's model; distress is regulated; the evidence revises trust; and
closeness invites distance for the deactivating. :func:`day` composes these named steps, in
this order. Every step is a function over whole columns; bounds are taken against the
constant columns ``s.zero`` and ``s.one`` (NumPy's minimum and maximum are about three times
slower against a scalar).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm.model._adult import AdultParams, _Adults
from iwm.model._exp32 import exp32
from iwm.model._expectation import V_BEST, V_WORST, relationship_value
from iwm.model._momentary import feel, shown_today

F = NDArray[np.float32]
B = NDArray[np.bool_]
mn, mx = np.minimum, np.maximum


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Day:
    """What happened to every person on one day (arrays of the day's kernel, not copies)."""

    stressor: F
    felt: F
    approach_drive: F
    fear_drive: F
    approached: B
    expressed: F
    bid: F
    withdrawal: F
    response_given: F
    response: F
    perceived: F
    distress: F
    conflict: F
    loneliness: F
    closeness: F
    distance: F


def appraise(s: _Adults, u: F, p: AdultParams) -> tuple[F, F]:
    """A stressor, appraised through the model (hypervigilance, C6), on top of unresolved
    distress (C9). Returns the stressor and the felt need."""
    stressor = u * u
    stressor *= p.stress_scale
    felt = stressor * s.appraisal
    if s.primed:  # momentary felt security spares part of the threat (security priming)
        felt *= 1 - p.security_buffer * s.felt_security
    felt += p.distress_feed * s.distress
    return stressor, felt


def activate(s: _Adults, felt: F, u: F, p: AdultParams) -> tuple[F, B, F]:
    """Approach or withdraw (C3, C16, C17). Need drives approach, valued by what seeking
    closeness with this partner is expected to bring (C3: ``felt x (V - worst) / (best -
    worst)``, from nothing to the whole need); for those who expect danger from the figure
    they need, the same need drives fear (C16). Once the attachment system is on (felt need
    above the activation threshold) the two are weighed by a logistic choice: whichever is
    worth more wins, reliably when the values lie far apart and almost at random when they
    are close (Luce 1959; McFadden 1974). Close values at high need are the approach-flight
    conflict of frightened-and-needed attachment (Main & Hesse 1990), so the choice
    alternates (C17) without any style-specific noise. Returns the fear drive, whether one
    approached, and the conflict: the need at stake times how undecided the choice was
    (4 p (1 - p), 1 when the two values are equal)."""
    fear = s.distress * p.dissociation
    fear += felt
    fear *= s.fear_gain
    value = relationship_value(s.trust, s.W_a / (s.W_a + s.W_b), s.D_a / (s.D_a + s.D_b))
    value -= V_WORST
    value *= felt / (V_BEST - V_WORST)  # the worth of approach
    value -= fear  # the margin of approach over withdrawal
    value *= -1 / p.choice_temperature
    mn(value, np.float32(60), out=value)  # exp stays finite in float32
    value = exp32(value)  # the same bits in both backends (iwm.model._exp32)
    value += 1  # 1 / P(approach)
    approached = u * value < 1
    off = felt <= s.threshold_eff  # the system is off: no choice to make
    approached |= off
    torn = value - 1
    torn *= 4 * felt
    torn /= value * value  # 4 p (1 - p) x felt
    torn *= ~off
    return fear, approached, torn


def bid(s: _Adults, felt: F, approached: B, p: AdultParams) -> tuple[F, F]:
    """The bid: the shown share of felt need (suppression, C11), amplified (hyperactivation,
    C6), plus protest after the partner's absence (fear of abandonment, C8), when felt need
    passes the activation threshold. Intensity lies in [0, ``max_bid``]: no one can cling or
    protest without limit (the default bound, 5, is above 99.9% of the bids an unbounded rule
    gives, so it cuts only runaway escalation). Returns the expressed need and the bid."""
    expressed = felt * s.gain
    out = s.protest_gain * s.absent
    out *= felt
    out += expressed
    out *= approached & (felt > s.threshold_eff)
    np.minimum(out, np.float32(p.max_bid), out=out)
    return expressed, out


def withdraw(s: _Adults, felt: F, approached: B, p: AdultParams) -> F:
    """Withdrawal: the distance kept (C12), plus a day's retreat when fear won (C17, C19): one
    turns away with the need one felt (at most a full step)."""
    withdrawal = mn(felt, s.one)
    withdrawal *= ~approached
    withdrawal *= p.withdraw_step
    withdrawal += s.distance
    return withdrawal


def respond(s: _Adults, bids: F, withdrawal: F, u: F, p: AdultParams) -> tuple[F, F, F]:
    """The response one gives the partner (C10, C20, C23): from one's own responsiveness and
    distress, minus overwhelm by the partner's bid, minus coolness toward a partner who kept
    away, minus one's own withdrawal (capped at 1 in place). Returns the response given, the
    partner's bid and the overwhelm."""
    zero, one = s.zero, s.one
    partner_bid = bids.take(s.partner)
    partner_bid *= s.paired
    overwhelmed = partner_bid - s.tolerance
    mx(overwhelmed, zero, out=overwhelmed)
    overwhelmed *= p.overwhelm
    given = mn(s.distress, one)
    given *= -p.responsiveness_distress
    given += s.responsiveness
    given -= overwhelmed
    cooled = s.absent * p.cooling  # a partner who keeps away is met with less warmth (C23)
    given -= cooled
    mn(withdrawal, one, out=withdrawal)
    given -= withdrawal
    noise = u - 0.5
    noise *= p.response_noise
    given += noise
    mx(mn(given, one, out=given), zero, out=given)
    return given, partner_bid, overwhelmed


def receive(s: _Adults, given: F, withdrawal: F, away: B, p: AdultParams) -> F:
    """What reaches each person: the partner's response, or others' support when single or
    when the partner is away for reasons of their own (which also counts as withdrawal)."""
    offered = given.copy()
    offered[away] = p.network_support
    withdrawal += away
    mn(withdrawal, s.one, out=withdrawal)
    received = offered.take(s.partner)
    received -= p.network_support
    received *= s.paired
    received += p.network_support
    return received


def perceive_response(s: _Adults, received: F, p: AdultParams) -> F:
    """Perception through the model (C7, C21, C4): an ambiguous response is pulled toward what
    one expects of this partner (half the general model, half what the partner has shown),
    the hypervigilant expect rejection besides; awareness weakens the pull."""
    expected = s.trust * np.float32(0.5)
    expected += s.expect_offset
    expected += s.availability_state * np.float32(0.5)  # the general model as it is today (momentary)
    if s.primed:  # while primed, kinder responses are expected (security priming)
        expected += p.security_expectation * s.felt_security
    expected -= received
    pull = s.one - received
    mn(pull, received, out=pull)
    pull *= s.pull
    expected *= pull
    expected *= 2
    perceived = expected
    perceived += received
    mx(mn(perceived, s.one, out=perceived), s.zero, out=perceived)
    return perceived


def regulate(s: _Adults, bids: F, perceived: F, stressor: F, torn: F, p: AdultParams) -> tuple[F, F]:
    """Distress (C9, C19): it recovers at the regulation capacity and rises with the stressor,
    with shown need left unmet, and with the approach-fear conflict itself (at most 1, as unmet
    need is): need caught between approaching and fleeing the same figure spikes distress
    (fright without solution, Main & Hesse 1990). Returns shown and unmet need."""
    shown = mn(bids, s.one)
    unmet = s.one - perceived
    unmet *= shown
    s.distress *= s.retention
    hurt = stressor + unmet
    hurt *= p.reactivity
    s.distress += hurt
    mn(torn, s.one, out=torn)
    torn *= p.conflict_stress
    s.distress += torn
    return shown, unmet


def fight(s: _Adults, bids: F, unmet: F, p: AdultParams) -> tuple[F, F]:
    """A partner's outburst frightens (evidence of danger, C2) and is conflict for both, as is
    a bid left unmet. Returns the partner's hostility and the day's conflict."""
    hostile = s.distress.take(s.partner)
    hostile -= p.outburst
    mx(mn(hostile, s.one, out=hostile), s.zero, out=hostile)
    hostile *= s.paired
    conflict = unmet * bids
    mn(conflict, s.one, out=conflict)
    conflict += hostile
    return hostile, conflict


def gather_evidence(s: _Adults, shown: F, perceived: F, unmet: F, hostile: F, p: AdultParams) -> F:
    """Evidence for the weekly update (C24: only shown need can be answered), and trust in the
    partner, which rises slowly and falls fast (C18). Returns the need that was met."""
    met = shown * perceived
    s.ev_shown += shown
    s.ev_seen += met
    rejected = shown * np.float32(-0.5)
    rejected += unmet
    s.ev_rejected += mx(rejected, s.zero, out=rejected)  # clearly unanswered: perceived below .5
    s.ev_hostile += hostile
    surprise = perceived - s.trust
    step = mn(surprise, s.zero)
    step *= s.trust_extra_down  # bad news weighs more (C18)
    surprise *= p.trust_up
    step += surprise
    step *= shown
    step *= s.paired
    s.trust += step
    return met


def keep_distance(s: _Adults, partner_bid: F, given: F, met: F, overwhelmed: F, p: AdultParams) -> F:
    """Closeness invites distance for the deactivating (C12); being overwhelmed too (C10).
    Returns the day's closeness."""
    closeness = mn(partner_bid, s.one)
    closeness *= given
    closeness += met
    closeness += overwhelmed
    distancing = closeness * s.distancing
    s.distance *= 1 - p.distance_decay
    s.distance += distancing
    mn(s.distance, s.one, out=s.distance)
    return closeness


def rate(s: _Adults, shown: F, met: F, conflict: F, felt: F, p: AdultParams) -> F:
    """Satisfaction (C31), discounted by idealized independence (C14); returns loneliness:
    need felt and not met, hidden or unanswered (C24)."""
    rating = s.one - shown
    rating *= s.trust
    rating += met
    rating -= p.conflict_cost * conflict
    rating *= s.importance
    rating -= s.satisfaction
    rating *= p.satisfaction_rate
    s.satisfaction += rating
    lonely = felt - met
    mx(lonely, s.zero, out=lonely)
    return lonely


def day(s: _Adults, u: F, p: AdultParams) -> Day:
    """One day for every person of the community; updates ``s`` in place.

    ``u`` holds :data:`iwm.model._adult.N_DAILY` uniform draws per person (leading axis).
    """
    stressor, felt = appraise(s, u[0], p)
    fear, approached, torn = activate(s, felt, u[1], p)
    expressed, bids = bid(s, felt, approached, p)
    bids *= shown_today(s)  # today's deactivation hides more (or less) need than the chronic strategy
    np.minimum(bids, np.float32(p.max_bid), out=bids)  # still bounded when today hides less than usual
    withdrawal = withdraw(s, felt, approached, p)
    away = u[2] < p.away_rate
    given, partner_bid, overwhelmed = respond(s, bids, withdrawal, u[3], p)
    received = receive(s, given, withdrawal, away, p)
    perceived = perceive_response(s, received, p)
    shown, unmet = regulate(s, bids, perceived, stressor, torn, p)
    hostile, conflict = fight(s, bids, unmet, p)
    met = gather_evidence(s, shown, perceived, unmet, hostile, p)
    feel(s, shown, perceived, unmet, hostile, p)  # the day moves the momentary state
    s.absent = withdrawal.take(s.partner)  # the partner was away or withdrawn: tomorrow's protest (C8)
    s.absent *= s.paired
    closeness = keep_distance(s, partner_bid, given, met, overwhelmed, p)
    lonely = rate(s, shown, met, conflict, felt, p)
    s.partner_bid = partner_bid
    s.approached = approached
    return Day(
        stressor=stressor,
        felt=felt,
        approach_drive=felt,
        fear_drive=fear,
        approached=approached,
        expressed=expressed,
        bid=bids,
        withdrawal=withdrawal,
        response_given=given,
        response=received,
        perceived=perceived,
        distress=s.distress,
        conflict=conflict,
        loneliness=lonely,
        closeness=closeness,
        distance=s.distance,
    )
