"""A Mesa reference implementation of iwm's adult dyad, for a speed comparison.

The workload is the one of :func:`iwm.simulate_couples`: ``n`` people in ``n / 2`` fixed
couples (the first half of the population with the second half), living through the daily
dyad (stressor, approach or withdraw, bid, response, perception, distress, updating, the
momentary state, distancing and satisfaction) with a weekly revision of the working model, the
week's momentary state moving the chronic beliefs, default parameters and all four
perpetuation mechanisms on (no security priming).

Here it is written the way a researcher would write it in Mesa: one :class:`Person` agent per
person holding its state as Python floats, a :class:`DyadModel` whose ``step()`` is one day,
each agent drawing its own uniforms from the model's ``random`` and every rule evaluated agent
by agent in plain Python and :mod:`math`. The day runs in four stages (``AgentSet.do``), one
per point at which a person needs something the partner decided that same day: the bid, the
response offered, the new distress. Within a stage the order of agents does not matter, so the
day is as synchronous as iwm's column kernel.

The rules follow ``iwm.model._day.day``, ``iwm.model._adult.update_model`` and
``derive_strategy``, and ``iwm.model._momentary`` (``feel``, ``shown_today``, ``follow_state``)
one for one, in the same order and with the same formulas; only the arithmetic differs (Python
floats are float64, iwm computes in float32). The Mesa side takes from iwm only the
population, the parameters and the read-out constants, never a rule; iwm's own kernel is
imported solely for :func:`iwm_couples`, the iwm side of the comparison.

:func:`compare` times both implementations on the same people, rules and number of days in
the same process and reports the speed ratio. Run ``python benchmarks/mesa_dyad.py``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

import iwm
from iwm.measure._readout import ADULT_READOUT
from iwm.model import _day_fused, _week_fused
from iwm.model._adult import DAYS_PER_WEEK, SECURE_THRESHOLD, WEEKS_PER_YEAR, _Adults
from iwm.model._adult import derive_strategy as iwm_derive_strategy
from iwm.model._adult import update_model as iwm_update_model
from iwm.model._blocks import check_backend
from iwm.model._day import Day
from iwm.model._day import day as iwm_day
from iwm.model._expectation import V_BEST, V_WORST
from iwm.model._life import COUPLES_STREAM, SUB_DAY, daily_uniforms
from iwm.model._momentary import follow_state as iwm_follow_state
from iwm.model._population import DTYPE

Draws = Callable[[int], np.ndarray]
"""Injected uniforms: day index (0-based) -> array of shape (N_DAILY, n), iwm's layout."""

THRESHOLD_REF = 0.3  # threshold below which one is hypervigilant, above which need is kept back (as in iwm)
STATE_LO, STATE_HI = 0.01, 0.99  # momentary means, and chronic means the state moves, stay inside (as in iwm)
MIN_COUNT = 2.0  # smallest Beta evidence total a step toward the state leaves (a flat prior's, as in iwm)


def _clip01(x: float) -> float:
    return 0.0 if x < 0.0 else (1.0 if x > 1.0 else x)


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else (hi if x > hi else x)


def _logistic_1_7(z: float) -> float:
    return 1.0 + 6.0 / (1.0 + math.exp(-z))


class Person(mesa.Agent):
    """One adult: the working model, the relationship and the strategy the model implies.

    State variables carry iwm's names: the Beta counts of the model of self (``W_a``,
    ``W_b``), of others' availability (``A_a``, ``A_b``) and danger (``D_a``, ``D_b``), the
    secondary strategy (activation ``threshold``, ``signalling``, ``suppression``,
    ``self_reliance``), ``regulation``, ``awareness``, ``plasticity`` and ``age``; the momentary
    state as deviations from the chronic model (``availability_state``, ``self_worth_state``,
    ``suppression_state``) and their sums over the week; then the relationship (``distress``,
    ``trust``, ``distance``, ``satisfaction``, ``absent``) and the week's evidence. Today's
    events (``bid``, ``response``, ``perceived``...) stay readable as attributes after a step.
    """

    def __init__(self, model: DyadModel, index: int, state: dict[str, float]) -> None:
        super().__init__(model)
        self.index = index
        self.partner: Person = self  # set by the model
        for name, value in state.items():
            setattr(self, name, value)
        self.distress = 0.0
        self.trust = self.A_a / (self.A_a + self.A_b)
        self.distance = 0.0
        self.satisfaction = 0.0
        self.absent = 0.0
        self.partner_bid = 0.0
        self.approached = True
        self.ev_shown = self.ev_seen = self.ev_hostile = self.ev_rejected = 0.0
        self.week_availability_state = self.week_self_worth_state = 0.0

    # -- the momentary state around the chronic model --------------------------------------
    def felt_availability(self) -> float:
        """Expected availability of others right now: the chronic Beta mean plus today's deviation."""
        return _clip(self.A_a / (self.A_a + self.A_b) + self.availability_state, STATE_LO, STATE_HI)

    def felt_self_worth(self) -> float:
        """Self-worth right now: the chronic Beta mean plus today's deviation."""
        return _clip(self.W_a / (self.W_a + self.W_b) + self.self_worth_state, STATE_LO, STATE_HI)

    def felt_suppression(self) -> float:
        """The share of need hidden today: chronic suppression plus today's deactivation."""
        return _clip01(self.suppression + self.suppression_state)

    # -- the model's read-out (ECR metric) and what it implies for behaviour ------------
    def dimensions(self) -> tuple[float, float]:
        """Anxiety and avoidance of the current model as felt today (momentary self-worth,
        availability and suppression), on the ECR metric (1-7)."""
        r = self.model.readout
        w = self.felt_self_worth()  # a questionnaire reads the beliefs as they are today
        self_model = w + self.self_reliance * (1 - w)
        a = self.felt_availability()
        d = self.D_a / (self.D_a + self.D_b)
        z_anx = (
            r.anxiety_intercept
            + r.anxiety_self * (0.5 - self_model)
            + r.anxiety_hyperactivation * (self.signalling - 1)
            + r.anxiety_vigilance * max(0.3 - self.threshold, 0.0)
            + r.anxiety_uncertainty * (4 * a * (1 - a) - 0.5)
            + r.anxiety_danger * d
        )
        z_avo = (
            r.avoidance_intercept
            + r.avoidance_other * (0.5 - a)
            + r.avoidance_deactivation * self.felt_suppression()
            + r.avoidance_threshold * max(self.threshold - 0.3, 0.0)
            + r.avoidance_reliance * self.self_reliance
            + r.avoidance_danger * d
        )
        return _logistic_1_7(z_anx), _logistic_1_7(z_avo)

    def category(self) -> int:
        """The adult category of the current model (a read-out: it drives nothing)."""
        anx, avo = self.dimensions()
        high_anx, high_avo = anx > self.model.readout.cut, avo > self.model.readout.cut
        return 3 if (high_anx and high_avo) else 1 if high_anx else 2 if high_avo else 0

    def strategy(self) -> tuple[float, float]:
        """Hyperactivation and deactivation from the model's state (iwm's ``strategy_of``)."""
        p = self.model.params
        w = self.W_a / (self.W_a + self.W_b)
        a = self.A_a / (self.A_a + self.A_b)
        d = self.D_a / (self.D_a + self.D_b)
        doubt = (1 - w) * (1 - self.self_reliance)
        hyper = (
            p.hyper_base
            + p.hyper_doubt * (doubt - 0.5)
            + p.hyper_uncertainty * (4 * a * (1 - a) - 0.5)
            + p.hyper_signalling * (self.signalling - 1)
            + p.hyper_threshold * max(THRESHOLD_REF - self.threshold, 0.0)
            + p.hyper_danger * d
        )
        value = a - (1 - a) * (0.5 + (1 - w)) - d
        deact = (
            -p.deact_value * value
            + p.deact_suppression * self.suppression
            + p.deact_threshold * max(self.threshold - THRESHOLD_REF, 0.0)
            + p.deact_reliance * self.self_reliance
        )
        return _clip01(hyper), _clip01(deact)

    def derive_strategy(self) -> None:
        """Weekly: hyperactivation and deactivation from the model, and the constants of the day."""
        p, m = self.model.params, self.model.mechanisms
        self.hyper, self.deact = self.strategy()
        a = self.A_a / (self.A_a + self.A_b)
        d = self.D_a / (self.D_a + self.D_b)
        self.appraisal = 1 + p.vigilance * self.hyper
        self.fear_gain = p.fear_weight * d
        hidden = self.suppression if m.vulnerability_avoidance else 0.0
        amplified = self.signalling + p.amplification * self.hyper if m.defensive_behaviours else 1.0
        self.gain = (1 - hidden) * amplified
        threshold = self.threshold * (1 - self.hyper)
        self.threshold_eff = threshold if m.vulnerability_avoidance else min(threshold, 0.3)
        self.protest_gain = p.protest * self.hyper if m.defensive_behaviours else 0.0
        self.responsiveness = _clip01(
            p.responsiveness + p.responsiveness_trust * (a - 0.5) - p.responsiveness_deactivation * self.deact
        )
        # bids overwhelm the suppressing and suppression eases distress even with C24 off
        self.tolerance = p.tolerance * (1 - p.tolerance_deactivation * self.suppression)
        self.expect_offset = 0.5 * a - p.rejection_sensitivity * self.hyper
        self.pull = p.perception_bias * (1 - self.awareness) if m.projection else 0.0
        self.recovery = _clip01(
            p.recovery_floor + p.recovery * self.regulation + p.deactivating_recovery * self.suppression
        )
        self.retention = 1 - self.recovery
        self.distancing = p.distancing * self.suppression if m.defensive_behaviours else 0.0
        self.trust_down = p.trust_up * (1 + p.distrust + p.distrust_danger * d)
        self.trust_extra_down = self.trust_down - p.trust_up
        self.importance = _clip01(1 - p.devaluation * self.self_reliance)

    # -- the day, in four stages -------------------------------------------------------
    def appraise(self) -> None:
        """Stage 1: stressor and felt need, approach or withdraw, the bid, today's withdrawal."""
        model = self.model
        p = model.params
        if model.injected is None:
            rand = model.random.random
            u0, u1, u2, u3 = rand(), rand(), rand(), rand()
        else:
            u0, u1, u2, u3 = model.injected[self.index]
        self.u_noise = u3
        # 1. a stressor, appraised through the model (C6), on top of unresolved distress
        self.stressor = stressor = u0 * u0 * p.stress_scale
        self.felt = felt = stressor * self.appraisal + p.distress_feed * self.distress
        # 2. approach valued by the relationship expectation (C3) against fear (C16): a logistic
        # choice, unstable when the two values are close (C17); the conflict itself distresses (C19)
        self.fear = fear = (self.distress * p.dissociation + felt) * self.fear_gain
        worth_w = self.W_a / (self.W_a + self.W_b)
        v = self.trust - (1 - self.trust) * (0.5 + (1 - worth_w)) - self.D_a / (self.D_a + self.D_b)
        margin = felt * (v - V_WORST) / (V_BEST - V_WORST) - fear
        odds = 1 + math.exp(min(-margin / p.choice_temperature, 60.0))  # 1 / P(approach)
        off = felt <= self.threshold_eff
        self.approached = approached = off or u1 * odds < 1
        self.torn = 0.0 if off else 4 * felt * (odds - 1) / (odds * odds)
        # 3. the bid: shown share (C11), amplified (C6), plus protest after absence (C8)
        self.expressed = felt * self.gain
        if approached and felt > self.threshold_eff:
            self.bid = min(self.protest_gain * self.absent * felt + self.expressed, p.max_bid)  # bounded
        else:
            self.bid = 0.0
        # today's deactivation hides more (or less) need than the chronic strategy does
        self.bid *= (1 - self.felt_suppression()) / max(1 - self.suppression, 1e-3)
        self.bid = min(self.bid, p.max_bid)  # bounded again: today may hide less than the strategy
        # withdrawal: distance kept (C12) and a day's retreat when fear won (C17, C19)
        retreat = 0.0 if approached else min(felt, 1.0) * p.withdraw_step
        self.withdrawal = retreat + self.distance
        self.away = u2 < p.away_rate

    def respond(self) -> None:
        """Stage 2: the response one gives the partner's bid (C10, C12, C23), or is away."""
        p = self.model.params
        self.partner_bid_today = partner_bid = self.partner.bid
        self.overwhelmed = overwhelmed = max(partner_bid - self.tolerance, 0.0) * p.overwhelm
        self.withdrawal = min(self.withdrawal, 1.0)
        given = (
            self.responsiveness
            - p.responsiveness_distress * min(self.distress, 1.0)
            - overwhelmed
            - self.absent * p.cooling
            - self.withdrawal
            + (self.u_noise - 0.5) * p.response_noise
        )
        self.given = _clip01(given)
        # a day away: not there for the partner; others stand in
        self.offered = p.network_support if self.away else self.given
        if self.away:
            self.withdrawal = 1.0

    def perceive(self) -> None:
        """Stage 3: the response received and perceived through the model (C7, C21); distress (C9, C19)."""
        p = self.model.params
        received = self.partner.offered
        self.response = received
        # half the partner, half the general model as it is today (chronic part in expect_offset)
        expected = self.trust * 0.5 + self.expect_offset + self.availability_state * 0.5
        pull = min(1 - received, received) * self.pull
        self.perceived = perceived = _clip01((expected - received) * pull * 2 + received)
        self.shown = shown = min(self.bid, 1.0)
        self.unmet = unmet = (1 - perceived) * shown
        self.distress = (
            self.distress * self.retention
            + (self.stressor + unmet) * p.reactivity
            + min(self.torn, 1.0) * p.conflict_stress
        )

    def update(self) -> None:
        """Stage 4: the partner's outburst, evidence, trust (C18), the momentary state, distance
        (C12), satisfaction (C31)."""
        p = self.model.params
        partner = self.partner
        shown, unmet, perceived = self.shown, self.unmet, self.perceived
        hostile = _clip01(partner.distress - p.outburst)
        self.conflict = conflict = min(unmet * self.bid, 1.0) + hostile
        # 7. evidence (C24: only shown need can be answered); trust slow up, fast down (C18)
        self.met = met = shown * perceived
        self.ev_shown += shown
        self.ev_seen += met
        self.ev_rejected += max(unmet - 0.5 * shown, 0.0)
        self.ev_hostile += hostile
        surprise = perceived - self.trust
        self.trust += (min(surprise, 0.0) * self.trust_extra_down + surprise * p.trust_up) * shown
        self.feel(hostile)  # before ``absent`` turns to today's
        self.absent = partner.withdrawal  # tomorrow's protest (C8)
        # 8. closeness invites distance for the deactivating (C12); being overwhelmed too (C10)
        partner_bid = self.partner_bid_today
        self.closeness = closeness = min(partner_bid, 1.0) * self.given + met + self.overwhelmed
        self.distance = min(self.distance * (1 - p.distance_decay) + closeness * self.distancing, 1.0)
        rating = ((1 - shown) * self.trust + met - p.conflict_cost * conflict) * self.importance
        self.satisfaction += (rating - self.satisfaction) * p.satisfaction_rate
        self.loneliness = max(self.felt - met, 0.0)
        self.partner_bid = partner_bid

    def feel(self, hostile: float) -> None:
        """The day moves the momentary state, which then relaxes toward the chronic model.

        Shown need answered or not, a partner's outburst and a partner who kept away yesterday
        move felt availability; met need and clear rejection or hostility move felt self-worth
        (worth lost twice as fast); the same hurt deepens today's deactivation in proportion to
        the chronic suppression, met need eases it.
        """
        p = self.model.params
        rate, keep = p.momentary_rate, 1 - p.momentary_relax
        shown, perceived = self.shown, self.perceived
        a = self.felt_availability()
        self.availability_state += ((perceived - a) * shown - hostile * a - self.absent * a) * rate
        self.availability_state *= keep
        w = self.felt_self_worth()
        met = shown * perceived
        rejected = max(self.unmet - 0.5 * shown, 0.0) + hostile
        self.self_worth_state += (met * (1 - w) - 2 * rejected * w) * rate
        self.self_worth_state *= keep
        h = self.felt_suppression()
        self.suppression_state += (rejected * self.suppression * (1 - h) - met * h) * rate
        self.suppression_state *= keep
        self.week_availability_state += self.availability_state
        self.week_self_worth_state += self.self_worth_state

    # -- the week ----------------------------------------------------------------------
    def revise(self) -> None:
        """Weekly: the perceived evidence revises the model at adult plasticity (C21, C30)."""
        p = self.model.params
        k = self.plasticity * p.evidence_rate
        seen, unseen = self.ev_seen * k, (self.ev_shown - self.ev_seen) * k
        self.A_a += seen
        self.A_b += unseen
        self.W_a += seen
        self.W_b += 2 * k * self.ev_rejected
        kd = self.plasticity * p.danger_rate
        self.D_a += kd * self.ev_hostile
        self.D_b += kd * p.danger_safety_weight * max(DAYS_PER_WEEK - self.ev_hostile, 0.0)
        met = self.ev_seen / max(self.ev_shown, 1e-6) if self.ev_shown > 0 else self.trust
        surprise = (met - self.A_a / (self.A_a + self.A_b)) * min(self.ev_shown, 1.0)
        better = max(p.strategy_rate * self.plasticity * surprise, 0.0)
        self.suppression -= better * self.suppression
        self.signalling -= better * (self.signalling - 1)
        self.threshold += better * (SECURE_THRESHOLD - self.threshold)
        self.age += 1 / WEEKS_PER_YEAR
        self.ev_shown = self.ev_seen = self.ev_hostile = self.ev_rejected = 0.0

    def follow_state(self) -> None:
        """Weekly, after the revision: the chronic means of availability and self-worth step
        toward the week's mean momentary ones at adult plasticity (C30), keeping each Beta's
        variance; the momentary deviations shrink by the same step."""
        k = self.model.params.trait_rate / DAYS_PER_WEEK * self.plasticity
        step_a = self.week_availability_state * k
        step_w = self.week_self_worth_state * k
        self.A_a, self.A_b = _step_mean(self.A_a, self.A_b, step_a)
        self.W_a, self.W_b = _step_mean(self.W_a, self.W_b, step_w)
        self.availability_state -= step_a
        self.self_worth_state -= step_w
        self.week_availability_state = self.week_self_worth_state = 0.0


def _step_mean(a: float, b: float, step: float) -> tuple[float, float]:
    """Beta counts whose mean is a / (a + b) moved by ``step`` (within .01-.99), same variance."""
    total = a + b
    mean = a / total
    variance = mean * (1 - mean) / (total + 1)
    mean = _clip(mean + step, STATE_LO, STATE_HI)
    total = max(mean * (1 - mean) / variance - 1, MIN_COUNT)
    a = total * mean
    return a, total - a


_STATE = {  # Person attribute <- Population column
    "W_a": "self_worth_a",
    "W_b": "self_worth_b",
    "A_a": "availability_a",
    "A_b": "availability_b",
    "D_a": "danger_a",
    "D_b": "danger_b",
    "threshold": "activation_threshold",
    "signalling": "signalling",
    "suppression": "suppression",
    "self_reliance": "self_reliance",
    "regulation": "regulation",
    "awareness": "awareness",
    "plasticity": "plasticity",
    "age": "age",
    "availability_state": "availability_state",
    "self_worth_state": "self_worth_state",
    "suppression_state": "suppression_state",
}


class DyadModel(mesa.Model):
    """Fixed couples: person ``i`` of the first half with person ``i`` of the second half.

    ``step()`` is one day; every seventh step ends a week with the revision of the model, the
    week's momentary state moving the chronic beliefs, and the strategy the model then implies.
    Uniforms come from ``self.random`` (four per person per day, drawn agent by agent) unless
    ``draws`` is given: then day ``t`` uses ``draws(t)``, an array of shape (N_DAILY, n) laid out
    as iwm's kernel takes it, and ``step(u)`` takes such an array directly.
    """

    def __init__(
        self,
        population: iwm.Population,
        *,
        seed: int | None = None,
        params: iwm.AdultParams | None = None,
        mechanisms: iwm.Mechanisms | None = None,
        readout: iwm.AdultReadout | None = None,
        draws: Draws | None = None,
    ) -> None:
        super().__init__(seed=seed)
        if population.n % 2:
            raise ValueError(f"couples need an even number of people, got {population.n}")
        self.params = params or iwm.AdultParams()
        self.mechanisms = mechanisms or iwm.Mechanisms()
        self.readout = readout or ADULT_READOUT
        self.draws = draws
        self.injected: list[list[float]] | None = None
        self.day = 0
        columns = {name: getattr(population, src).tolist() for name, src in _STATE.items()}
        self.people = [Person(self, i, {name: col[i] for name, col in columns.items()}) for i in range(population.n)]
        k = population.n // 2
        for i in range(k):
            a, b = self.people[i], self.people[k + i]
            a.partner, b.partner = b, a
        self.agents.do("derive_strategy")
        for person in self.people:
            person.satisfaction = person.trust * person.importance

    def step(self, u: np.ndarray | None = None) -> None:
        """One day for every person; a week's revision after every seventh."""
        if u is None and self.draws is not None:
            u = self.draws(self.day)
        self.injected = None if u is None else np.asarray(u, dtype=np.float64).T.tolist()
        self.agents.do("appraise")
        self.agents.do("respond")
        self.agents.do("perceive")
        self.agents.do("update")
        self.day += 1
        if self.day % DAYS_PER_WEEK == 0:
            self.agents.do("revise")
            self.agents.do("follow_state")
            self.agents.do("derive_strategy")

    def field(self, name: str) -> np.ndarray:
        """One attribute of every person, in population order."""
        return np.array([getattr(person, name) for person in self.people])

    def summary(self) -> dict[str, float]:
        """Means of the state at the end (the same keys as :func:`iwm_couples`)."""
        dims = [person.dimensions() for person in self.people]
        return {
            "distress": float(np.mean(self.field("distress"))),
            "trust": float(np.mean(self.field("trust"))),
            "satisfaction": float(np.mean(self.field("satisfaction"))),
            "anxiety": float(np.mean([d[0] for d in dims])),
            "avoidance": float(np.mean([d[1] for d in dims])),
            "secure": float(np.mean([person.category() == 0 for person in self.people])),
        }


# -- the iwm side of the same workload -------------------------------------------------
def couples_state(
    pop_a: iwm.Population,
    pop_b: iwm.Population,
    params: iwm.AdultParams | None = None,
    mechanisms: iwm.Mechanisms | None = None,
) -> _Adults:
    """iwm's working columns for fixed couples, set up as :func:`iwm.simulate_couples` does."""
    p, m = params or iwm.AdultParams(), mechanisms or iwm.Mechanisms()
    k = pop_a.n
    s = _Adults.of(iwm.Population.concat([pop_a, pop_b]))
    s.partner = np.concatenate([np.arange(k, 2 * k), np.arange(k)]).astype(np.intp)
    s.paired[:] = 1
    iwm_derive_strategy(s, p, m)
    s.satisfaction = (s.trust * s.importance).astype(DTYPE)
    return s


def iwm_couples(
    pop_a: iwm.Population,
    pop_b: iwm.Population,
    days: int,
    seed: int,
    *,
    params: iwm.AdultParams | None = None,
    mechanisms: iwm.Mechanisms | None = None,
    draws: Draws | None = None,
    on_day: Callable[[int, Day, _Adults], None] | None = None,
    backend: str | None = None,
) -> dict[str, Any]:
    """The workload of :func:`iwm.simulate_couples` on iwm's kernel, without recording traces.

    ``draws`` injects the uniforms (as for :class:`DyadModel`; the NumPy day then runs);
    otherwise the day draws its own counter-based numbers on ``backend`` (None: the fastest
    installed, the fused kernels, which then run a week of days per call and the compiled weekly
    revision, as :func:`iwm.live` does). ``on_day(t, day, state)`` sees each day's events before
    the weekly revision (the days then run one per call). Returns the means of the final state
    and the state itself (under ``"state"``).
    """
    p, m = params or iwm.AdultParams(), mechanisms or iwm.Mechanisms()
    s = couples_state(pop_a, pop_b, p, m)
    fused = _day_fused.Buffers.new([0, s.n]) if draws is None and check_backend(backend) == "numba" else None
    if fused is not None and on_day is None:  # the compiled kernels: a week of days per call
        for week in range(days // DAYS_PER_WEEK):
            _day_fused.days(
                s, p, seed=seed, stream=COUPLES_STREAM, step=week * DAYS_PER_WEEK, days=DAYS_PER_WEEK, sub=SUB_DAY,
                first_person=0, buf=fused,
            )  # fmt: skip
            _week_fused.revise(s, p)
            _week_fused.derive(s, p, m)
        first_day = days - days % DAYS_PER_WEEK
    else:
        first_day = 0
    for t in range(first_day, days):
        if fused is not None:
            today = _day_fused.day(
                s, p, seed=seed, stream=COUPLES_STREAM, step=t, sub=SUB_DAY, first_person=0, buf=fused
            )
        else:
            u = daily_uniforms(seed, COUPLES_STREAM, t, 0, s.n) if draws is None else np.asarray(draws(t), DTYPE)
            today = iwm_day(s, u, p)
        if on_day is not None:
            on_day(t, today, s)
        if (t + 1) % DAYS_PER_WEEK == 0:
            iwm_update_model(s, p)
            iwm_follow_state(s, p, DAYS_PER_WEEK)
            iwm_derive_strategy(s, p, m)
    end = s.population()
    anx, avo = iwm.anxiety(end), iwm.avoidance(end)
    return {
        "distress": float(s.distress.mean()),
        "trust": float(s.trust.mean()),
        "satisfaction": float(s.satisfaction.mean()),
        "anxiety": float(anx.mean()),
        "avoidance": float(avo.mean()),
        "secure": float(np.mean(iwm.adult_category(end) == 0)),
        "state": s,
    }


def mesa_couples(pop_a: iwm.Population, pop_b: iwm.Population, days: int, seed: int, **kwargs: Any) -> dict[str, float]:
    """The same workload on :class:`DyadModel`; returns the means of the final state."""
    model = DyadModel(iwm.Population.concat([pop_a, pop_b]), seed=seed, **kwargs)
    for _ in range(days):
        model.step()
    return model.summary()


def compare(
    n: int = 10_000, days: int = 182, seed: int = 0, repeats: int = 3, backend: str | None = None
) -> dict[str, Any]:
    """Time iwm and the Mesa reference on the same ``n`` people, rules and ``days``, in one process.

    People are formed under low-risk caregiving (not timed) and paired first half with second
    half. iwm (on ``backend``, None: the fastest installed) is timed best of ``repeats`` after
    one untimed week that compiles the kernels, Mesa once (building the agents is included for
    Mesa, as setting up the columns is for iwm). ``ratio`` = Mesa seconds / iwm seconds.
    """
    if n % 2:
        raise ValueError("n must be even (couples)")
    pop = iwm.develop("low-risk", n=n, seed=seed).population
    k = n // 2
    pop_a, pop_b = pop.take(slice(0, k)), pop.take(slice(k, n))
    backend = check_backend(backend)
    iwm_couples(pop_a.take(slice(0, 8)), pop_b.take(slice(0, 8)), 7, seed, backend=backend)  # compile
    times = []
    for r in range(repeats):
        start = time.perf_counter()
        iwm_summary = iwm_couples(pop_a, pop_b, days, seed + r, backend=backend)
        times.append(time.perf_counter() - start)
    iwm_s = min(times)
    start = time.perf_counter()
    mesa_summary = mesa_couples(pop_a, pop_b, days, seed)
    mesa_s = time.perf_counter() - start
    agent_days = n * days
    iwm_summary.pop("state")
    return {
        "n": n,
        "days": days,
        "agent_days": agent_days,
        "iwm_seconds": iwm_s,
        "mesa_seconds": mesa_s,
        "iwm_agent_days_per_second": agent_days / iwm_s,
        "mesa_agent_days_per_second": agent_days / mesa_s,
        "ratio": mesa_s / iwm_s,
        "backend": backend,
        "mesa_version": mesa.__version__,
        "iwm_summary": iwm_summary,
        "mesa_summary": mesa_summary,
    }


if __name__ == "__main__":
    result = compare()
    print(f"adult dyad, {result['n']:,} people in fixed couples, {result['days']} days (Mesa {result['mesa_version']})")
    print(f"  iwm : {result['iwm_seconds']:8.3f} s  {result['iwm_agent_days_per_second'] / 1e6:8.2f} M agent-days/s")
    print(f"  Mesa: {result['mesa_seconds']:8.3f} s  {result['mesa_agent_days_per_second'] / 1e6:8.3f} M agent-days/s")
    print(f"  ratio iwm / Mesa speed: {result['ratio']:.0f}x (target >= 100x)")
    for key in result["iwm_summary"]:
        print(f"  final mean {key:<12} iwm {result['iwm_summary'][key]:7.3f}   Mesa {result['mesa_summary'][key]:7.3f}")
