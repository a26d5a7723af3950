"""Adult relationships: the daily dyad and the weekly partner market (MODEL.md C6-C24, C31).

Every day each adult lives through one round of the attachment control system (Mikulincer &
Shaver 2003, 2007):

1. a **stressor**, appraised through the model: hyperactivating people see more threat
   (hypervigilance, C6), and unregulated distress from earlier days adds to the felt need;
2. **approach or withdraw**: the need drives approach, valued by what seeking closeness is
   expected to bring (C3); for people who expect danger from those they need, the same need
   drives fear (C16). The two values are weighed by a logistic choice, which is unstable from
   day to day when they are close (C17); the conflict is itself distressing, and high
   distress feeds fear, which can end in sudden disengagement (C19);
3. a **bid**: felt need above the activation threshold is expressed, minus the share a
   deactivating person hides (C11), amplified by hyperactivation (C6), plus protest when the
   partner was away or withdrawn the day before (fear of abandonment, C8);
4. the partner's **response** comes from the partner's own model and state: their
   responsiveness, their distance (C12), their distress, and how overwhelmed they are by the
   bid's intensity (C10);
5. **perception** pulls the response toward what the person expects of this partner, more so
   when it is ambiguous (C7, C21), and the hypervigilant expect a little rejection besides;
6. **distress** recovers at the person's regulation capacity and rises with the stressor and
   with unmet need (C9), and with the approach-fear conflict itself (C19);
7. **updating**: trust in the partner rises slowly and falls fast (C18); each week the
   general beliefs take in the perceived evidence at the person's adult plasticity (C30),
   and only need that was shown can be answered (C24);
8. **closeness invites distance** for the deactivating (C12), and satisfaction, commitment and
   conflict follow (C13, C14, C31).

Once a week relationships end or deepen and single people meet someone; attraction is what a
candidate offers above one's comparison level (Thibaut & Kelley 1959) plus familiarity with
what one's model expects (repetition compulsion, C22). The four perpetuation mechanisms (C21-C24) are switches in
:class:`Mechanisms`.

Everything is a function over whole columns; people meet partners inside their community,
a random-number block of :data:`iwm.model._rng.BLOCK` people, so a community's life depends only
on the seed and the block, never on how the population is split over workers.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm.model._expectation import relationship_value
from iwm.model._params import Params, Switches, bounded
from iwm.model._population import DTYPE, Population

F = NDArray[np.float32]

DAYS_PER_WEEK = 7
WEEKS_PER_YEAR = 52
N_DAILY = 4  # uniform draws per person per day (half a Philox block: two days share one)
NO_PAIR = -1

_CODES = 4
"""Number of codes :func:`pairing_index` pairs (the weekly market still passes the unused
``_Adults.style`` column through it; the pairing of couples by style is a read-out,
computed in :mod:`iwm.measure._relationships` from the state recorded when each couple formed)."""


def pairing_index(a: NDArray[np.integer], b: NDArray[np.integer]) -> NDArray[np.int8]:
    """Index of the unordered pair of codes (a, b) among the ``_CODES * (_CODES + 1) / 2`` pairs."""
    k = _CODES
    lo, hi = np.minimum(a, b).astype(np.int16), np.maximum(a, b).astype(np.int16)
    return (lo * k - lo * (lo - 1) // 2 + (hi - lo)).astype(np.int8)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Mechanisms(Switches):
    """The four perpetuation mechanisms of the seed, each a switch (all on by default).

    * ``projection`` (C21): a response is perceived through the model, and beliefs update on
      the perceived, not the actual, event;
    * ``repetition_compulsion`` (C22): partners whose behaviour fits one's model feel right;
    * ``defensive_behaviours`` (C23): clinging and protest (amplified bids, C6, C8) and
      distancing (C12), which elicit the very responses the model predicts: an overwhelmed
      partner pulls back (C10), a kept-away partner cools;
    * ``vulnerability_avoidance`` (C24): need is hidden, so it cannot be met, and the model
      is spared the evidence that would revise it.
    """

    label = "mechanism"

    projection: bool = True
    repetition_compulsion: bool = True
    defensive_behaviours: bool = True
    vulnerability_avoidance: bool = True


@dataclasses.dataclass(frozen=True, kw_only=True)
class AdultParams(Params):
    """Parameters of adult relationships. Defaults are the calibrated values."""

    label = "adult parameters"

    # the strategy: hyperactivation and deactivation from the model's state (C3, C6, C11;
    # Mikulincer & Shaver 2003, 2007)
    hyper_base: float = bounded(0.54, -2, 2, "hyperactivation of a neutral model (self .5, others .5, no danger)")
    hyper_doubt: float = bounded(2.2, 0, 10, "hyperactivation per unit of self-doubt (1 - self-model) above .5 (C1)")
    hyper_uncertainty: float = bounded(
        0.88, 0, 10, "hyperactivation per unit of the figure's unpredictability 4A(1-A) above .5 (C2)"
    )
    hyper_signalling: float = bounded(0.7, 0, 10, "hyperactivation per unit of learned signalling above 1 (C6)")
    hyper_threshold: float = bounded(0.88, 0, 10, "hyperactivation per unit the threshold is below .3 (C6)")
    hyper_danger: float = bounded(0.88, 0, 10, "hyperactivation per unit of other-danger (threat monitoring, C16)")
    deact_value: float = bounded(0.44, 0, 10, "deactivation per unit of negative relationship value (C3)")
    deact_suppression: float = bounded(0.66, 0, 10, "deactivation per unit of learned suppression (C11)")
    deact_threshold: float = bounded(0.44, 0, 10, "deactivation per unit the threshold is above .3 (C11)")
    deact_reliance: float = bounded(0.44, 0, 10, "deactivation per unit of compulsive self-reliance (C14)")
    # the day: stressors, appraisal and felt need (C6, C9)
    stress_scale: float = bounded(1.0, 0, 5, "largest daily stressor (stressor = scale x U^2)")
    vigilance: float = bounded(1.0, 0, 5, "extra threat appraised per unit of hyperactivation (C6)")
    distress_feed: float = bounded(0.5, 0, 2, "felt need per unit of unresolved distress")
    # approach and fear (C16, C17, C19)
    fear_weight: float = bounded(0.15, 0, 5, "fear drive per unit of felt need and other-danger (C16)")
    dissociation: float = bounded(1.0, 0, 5, "fear drive per unit of distress and other-danger (C19)")
    choice_temperature: float = bounded(
        0.05, 0.01, 2, "temperature of the approach/withdraw choice: value margin per logit unit (C17)"
    )
    conflict_stress: float = bounded(
        0.5, 0, 3, "distress per unit of need caught in an undecided approach-fear choice (C19)"
    )
    # the bid (C6, C8, C11)
    amplification: float = bounded(0.6, 0, 5, "bid amplification per unit of hyperactivation (C6)")
    protest: float = bounded(0.6, 0, 5, "protest per unit of hyperactivation after the partner was absent (C8)")
    away_rate: float = bounded(0.1, 0, 1, "daily chance that a partner is away and cannot respond (C8)")
    max_bid: float = bounded(5.0, 0.5, 20, "upper bound of bid intensity (C6, C8): bids lie in [0, max_bid]")
    # the response (C10, C12, C20)
    responsiveness: float = bounded(0.95, 0, 1, "responsiveness of a secure, calm partner")
    responsiveness_trust: float = bounded(0.3, 0, 2, "responsiveness per unit of E[A] above .5")
    responsiveness_deactivation: float = bounded(0.35, 0, 2, "responsiveness lost per unit of deactivation")
    responsiveness_distress: float = bounded(0.3, 0, 2, "responsiveness lost per unit of own distress")
    tolerance: float = bounded(1.2, 0, 5, "bid intensity a partner takes without feeling overwhelmed (C10)")
    tolerance_deactivation: float = bounded(0.6, 0, 1, "share of tolerance lost by full deactivation (C10)")
    cooling: float = bounded(0.3, 0, 2, "responsiveness lost per unit of the partner's distance yesterday (C23)")
    overwhelm: float = bounded(0.8, 0, 5, "responsiveness lost per unit of bid above tolerance (C10)")
    response_noise: float = bounded(0.2, 0, 2, "day-to-day variation of a response (uniform width)")
    network_support: float = bounded(0.75, 0, 1, "quality of the support single people get from others")
    # perception (C7, C21, C4)
    perception_bias: float = bounded(0.5, 0, 1, "pull of an ambiguous response toward the expected one (C21)")
    rejection_sensitivity: float = bounded(0.3, 0, 1, "rejection expected per unit of hyperactivation (C7)")
    # distress (C9, C19)
    recovery_floor: float = bounded(0.2, 0, 1, "share of distress resolved per day without any regulation")
    recovery: float = bounded(0.5, 0, 1, "extra share of distress resolved per day at full regulation (C9)")
    deactivating_recovery: float = bounded(0.3, 0, 1, "share resolved per day by suppression (C11)")
    reactivity: float = bounded(0.15, 0, 3, "distress per unit of stressor and of unmet need (C9)")
    outburst: float = bounded(1.0, 0, 5, "distress above which a partner's upset frightens (C2 danger)")
    # distancing (C12)
    distancing: float = bounded(0.15, 0, 3, "distance taken per unit of closeness and deactivation (C12)")
    distance_decay: float = bounded(0.3, 0, 1, "share of distance that fades per day")
    withdraw_step: float = bounded(0.5, 0, 1, "distance on a day one chooses to withdraw (C17)")
    # updating (C18, C30)
    trust_up: float = bounded(0.03, 0, 1, "rate at which trust in a partner rises on good evidence (C18)")
    distrust: float = bounded(0.25, 0, 10, "extra speed of falling trust over rising trust (C18)")
    distrust_danger: float = bounded(3.0, 0, 10, "extra speed of falling trust per unit of other-danger (C18)")
    evidence_rate: float = bounded(0.3, 0, 5, "Beta evidence per unit of shown need, at full plasticity (C30)")
    danger_rate: float = bounded(0.5, 0, 5, "danger evidence per frightening outburst, at full plasticity")
    danger_safety_weight: float = bounded(0.05, 0, 1, "evidence of safety per calm day")
    strategy_rate: float = bounded(0.25, 0, 5, "weekly strategy revision per unit of surprise (C30)")
    # momentary felt security (security priming, C4/C30)
    security_buffer: float = bounded(0.5, 0, 1, "share of threat appraisal spared at full momentary felt security")
    security_expectation: float = bounded(
        0.3, 0, 1, "rise of the response expected of the partner at full momentary felt security"
    )
    # the momentary state around the chronic model (iwm.model._momentary; C4, C30)
    momentary_rate: float = bounded(
        0.3, 0, 1, "share of the gap between a day's experience and the momentary belief taken in per day"
    )
    momentary_relax: float = bounded(0.1, 0, 1, "share of the momentary deviation from the chronic belief lost per day")
    trait_rate: float = bounded(
        0.02, 0, 1, "weekly step of a chronic belief toward the week's mean momentary one, at full plasticity"
    )
    # outcomes (C13, C14, C31)
    satisfaction_rate: float = bounded(0.05, 0, 1, "daily rate at which satisfaction follows experience")
    conflict_cost: float = bounded(0.5, 0, 5, "satisfaction lost per unit of conflict")
    devaluation: float = bounded(0.6, 0, 1, "share of relationship value discounted by self-reliance (C14)")
    commitment_rate: float = bounded(
        0.03, 0, 1, "weekly commitment growth per unit of dependence (satisfaction minus the alternatives)"
    )
    commitment_cap: float = bounded(0.6, 0, 1, "commitment ceiling lost per unit of deactivation (C13)")
    milestone_exit: float = bounded(
        0.5, 0, 1, "chance per unit of deactivation to leave at an intimacy milestone (C13)"
    )
    breakup_base: float = bounded(0.002, 0, 1, "weekly chance of leaving a satisfying uncommitted relationship")
    breakup_dissatisfaction: float = bounded(
        0.04, 0, 1, "extra weekly chance of leaving per unit of satisfaction short of the alternatives"
    )
    breakup_distress: float = bounded(1.0, 0, 5, "distress of a breakup, for both")
    # the market (C22)
    dating_rate: float = bounded(0.3, 0, 1, "weekly chance that a single person is open to someone met")
    dating_deactivation: float = bounded(0.4, 0, 1, "openness lost per unit of deactivation")
    attraction_security: float = bounded(
        1.0, 0, 5, "weight of what a candidate offers (responsiveness) above one's comparison level"
    )
    attraction_familiarity: float = bounded(
        1.5, 0, 5, "weight of a candidate's fit with one's own model, relative to those met (C22)"
    )
    acceptance_slope: float = bounded(4.0, 0.1, 50, "steepness of acceptance around one's comparison level")


@dataclasses.dataclass(kw_only=True, eq=False)
class _Adults:
    """Mutable working columns of a group of communities during adult life (private to the kernel)."""

    # the working model
    W_a: F
    W_b: F
    A_a: F
    A_b: F
    D_a: F
    D_b: F
    threshold: F
    signalling: F
    suppression: F
    self_reliance: F
    regulation: F
    awareness: F
    plasticity: F
    age: F
    # the relationship
    partner: NDArray[np.intp]
    paired: F
    distress: F
    trust: F
    distance: F
    satisfaction: F
    commitment: F
    absent: F  # the partner was away or withdrawn yesterday, 0-1
    partner_bid: F  # the partner's bid yesterday (for the cross-lagged pursue-withdraw index)
    approached: NDArray[np.bool_]  # yesterday's approach/withdraw choice
    # weekly constants derived from the model
    style: NDArray[np.int8]  # always 0: read by the weekly market, which records no style any more
    hyper: F
    deact: F
    appraisal: F
    fear_gain: F
    gain: F
    protest_gain: F
    threshold_eff: F
    responsiveness: F
    tolerance: F
    expect_offset: F
    pull: F
    recovery: F
    distancing: F
    importance: F
    trust_down: F
    trust_extra_down: F
    retention: F
    # the momentary state around the chronic model (security priming; iwm.model._priming)
    felt_security: F
    primed: bool
    # momentary beliefs as deviations from the chronic ones, and their sums over the week
    # (iwm.model._momentary)
    availability_state: F
    self_worth_state: F
    suppression_state: F
    week_availability_state: F
    week_self_worth_state: F
    # constant columns
    zero: F
    one: F
    # a week's evidence
    ev_shown: F
    ev_seen: F
    ev_hostile: F
    ev_rejected: F

    @classmethod
    def of(cls, pop: Population) -> _Adults:
        m = pop.n

        def zeros() -> F:
            return np.zeros(m, DTYPE)

        fields = {name: getattr(pop, src).copy() for name, src in _POP_FIELDS.items()}
        return cls(
            **fields,
            partner=np.arange(m, dtype=np.intp),
            paired=zeros(),
            distress=zeros(),
            trust=pop.other_availability.copy(),
            distance=zeros(),
            satisfaction=zeros(),
            commitment=zeros(),
            absent=zeros(),
            partner_bid=zeros(),
            approached=np.ones(m, bool),
            style=np.zeros(m, np.int8),
            **{name: zeros() for name in _WEEKLY},
            ev_shown=zeros(),
            ev_seen=zeros(),
            ev_hostile=zeros(),
            ev_rejected=zeros(),
            felt_security=zeros(),
            primed=False,
            week_availability_state=zeros(),
            week_self_worth_state=zeros(),
            zero=zeros(),
            one=np.ones(m, DTYPE),
        )

    @property
    def n(self) -> int:
        return int(self.age.shape[0])

    def population(self) -> Population:
        return Population(**{src: getattr(self, name).copy() for name, src in _POP_FIELDS.items()})

    def other_availability(self) -> F:
        return self.A_a / (self.A_a + self.A_b)

    def other_danger(self) -> F:
        return self.D_a / (self.D_a + self.D_b)


SECURE_THRESHOLD = 0.2
"""Activation threshold of secure-base behaviour (the newborn's, FormationParams.initial_threshold)."""

_THRESHOLD_REF = 0.3
"""Activation threshold below which one is hypervigilant and above which need is kept back."""

_POP_FIELDS = {
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
_WEEKLY = (
    "hyper",
    "deact",
    "appraisal",
    "fear_gain",
    "gain",
    "protest_gain",
    "threshold_eff",
    "responsiveness",
    "tolerance",
    "expect_offset",
    "pull",
    "recovery",
    "distancing",
    "importance",
    "trust_down",
    "trust_extra_down",
    "retention",
)


def partner_importance(self_reliance: F, p: AdultParams) -> F:
    """How much a partner matters (C14): idealized independence discounts relationship value."""
    return np.clip(1 - p.devaluation * self_reliance, 0, 1).astype(DTYPE)


def strategy_of(
    self_worth: F,
    self_reliance: F,
    availability: F,
    danger: F,
    signalling: F,
    threshold: F,
    suppression: F,
    p: AdultParams,
) -> tuple[F, F]:
    """Hyperactivation and deactivation (0-1) from the working model's state (C3, C6, C11).

    The attachment system's second and third questions (Mikulincer & Shaver 2003, 2007): is
    the figure available, and is proximity seeking viable? Hyperactivation grows where the
    figure's response is *uncertain* (C2: the unpredictability 4A(1-A) of an inconsistent
    figure, Cassidy & Berlin 1994) and the self is doubted (C1: worth, propped up by
    self-reliance, C14), and where loud signalling and a low threshold were learned because
    seeking paid when it was insistent; fear of the figure (C16) keeps the threat monitor on.
    Deactivation grows where seeking closeness is *not* expected to pay (a negative
    relationship value, C3, from C1 and C2) and where suppression, a high threshold and
    compulsive self-reliance were learned (C11, C14).
    """
    a, d = availability, danger
    doubt = (1 - self_worth) * (1 - self_reliance)
    uncertainty = 4 * a * (1 - a)
    hyper = (
        p.hyper_base
        + p.hyper_doubt * (doubt - 0.5)
        + p.hyper_uncertainty * (uncertainty - 0.5)
        + p.hyper_signalling * (signalling - 1)
        + p.hyper_threshold * np.clip(_THRESHOLD_REF - threshold, 0, None)
        + p.hyper_danger * d
    )
    deact = (
        -p.deact_value * relationship_value(a, self_worth, d)
        + p.deact_suppression * suppression
        + p.deact_threshold * np.clip(threshold - _THRESHOLD_REF, 0, None)
        + p.deact_reliance * self_reliance
    )
    return np.clip(hyper, 0, 1).astype(DTYPE), np.clip(deact, 0, 1).astype(DTYPE)


def population_strategy(pop: Population, p: AdultParams | None = None) -> tuple[F, F]:
    """:func:`strategy_of` for a population (hyperactivation, deactivation)."""
    return strategy_of(
        pop.self_worth,
        pop.self_reliance,
        pop.other_availability,
        pop.other_danger,
        pop.signalling,
        pop.activation_threshold,
        pop.suppression,
        p or AdultParams(),
    )


def derive_strategy(s: _Adults, p: AdultParams, m: Mechanisms) -> None:
    """Recompute what the current model implies for behaviour (once a week).

    Hyperactivation and deactivation come from the model's state
    (:func:`strategy_of`); vigilance (threat appraisal, C6) grows with them, and so
    with the figure's uncertainty. No read-out (questionnaire score or category) is used.
    """
    w = s.W_a / (s.W_a + s.W_b)
    a, d = s.other_availability(), s.other_danger()
    s.hyper, s.deact = strategy_of(w, s.self_reliance, a, d, s.signalling, s.threshold, s.suppression, p)
    s.appraisal = (1 + p.vigilance * s.hyper).astype(DTYPE)
    s.fear_gain = (p.fear_weight * d).astype(DTYPE)
    hidden = s.suppression if m.vulnerability_avoidance else np.zeros_like(s.suppression)
    # hyperactivation amplifies what is shown (C6): a defensive behaviour, like protest (C23)
    amplified = s.signalling + p.amplification * s.hyper if m.defensive_behaviours else np.ones_like(s.hyper)
    s.gain = ((1 - hidden) * amplified).astype(DTYPE)
    # hypervigilance lowers the bar for activation (C6); hiding need raises it (C24)
    threshold = s.threshold * (1 - s.hyper)
    s.threshold_eff = (threshold if m.vulnerability_avoidance else np.minimum(threshold, 0.3)).astype(DTYPE)
    s.protest_gain = (p.protest * s.hyper * m.defensive_behaviours).astype(DTYPE)
    s.responsiveness = np.clip(
        p.responsiveness + p.responsiveness_trust * (a - 0.5) - p.responsiveness_deactivation * s.deact, 0, 1
    ).astype(DTYPE)
    # bids overwhelm the suppressing (C10) and suppression eases distress (C11) whether or not
    # need is hidden (C24): switching C24 off removes the hiding only
    s.tolerance = (p.tolerance * (1 - p.tolerance_deactivation * s.suppression)).astype(DTYPE)
    # what the model expects of a partner: half the general model (the IWM, projected onto
    # this partner), half what this partner has shown; the hypervigilant add rejection (C7)
    s.expect_offset = (0.5 * a - p.rejection_sensitivity * s.hyper).astype(DTYPE)
    s.pull = (p.perception_bias * (1 - s.awareness) * m.projection).astype(DTYPE)
    s.recovery = np.clip(
        p.recovery_floor + p.recovery * s.regulation + p.deactivating_recovery * s.suppression, 0, 1
    ).astype(DTYPE)
    s.retention = (1 - s.recovery).astype(DTYPE)
    s.distancing = (p.distancing * s.suppression * m.defensive_behaviours).astype(DTYPE)
    s.trust_down = (p.trust_up * (1 + p.distrust + p.distrust_danger * d)).astype(DTYPE)
    s.trust_extra_down = (s.trust_down - p.trust_up).astype(DTYPE)
    s.importance = partner_importance(s.self_reliance, p)


def update_model(s: _Adults, p: AdultParams) -> None:
    """A week's perceived evidence revises the working model, at adult plasticity (C21, C30).

    Beliefs take in what was *perceived* (C21); the strategy moves toward secure-base
    behaviour when shown need was met better than the model expected.
    """
    k = s.plasticity * p.evidence_rate
    seen, unseen = s.ev_seen * k, (s.ev_shown - s.ev_seen) * k
    s.A_a += seen
    s.A_b += unseen
    s.W_a += seen
    s.W_b += (2 * k) * s.ev_rejected  # worth is lost to clear rejections, as in childhood
    kd = s.plasticity * p.danger_rate
    s.D_a += kd * s.ev_hostile
    s.D_b += kd * p.danger_safety_weight * np.maximum(DAYS_PER_WEEK - s.ev_hostile, 0)
    # strategy revision: surprise = how much better shown need was met than expected (C30)
    met = np.where(s.ev_shown > 0, s.ev_seen / np.maximum(s.ev_shown, 1e-6), s.trust)
    surprise = (met - s.A_a / (s.A_a + s.A_b)) * np.minimum(s.ev_shown, 1)
    better = np.maximum(p.strategy_rate * s.plasticity * surprise, 0).astype(DTYPE)
    # secure-base behaviour is learned where it pays; a strategy that fails is kept, not
    # sharpened (insecurity grows through the beliefs instead)
    s.suppression -= better * s.suppression
    s.signalling -= better * (s.signalling - 1)
    # deactivation eases when relying pays: the threshold falls toward the newborn's (C30);
    # self-reliance (C14) stays, as it props up the self-model until worth is earned
    s.threshold += better * (SECURE_THRESHOLD - s.threshold)
    s.age += np.float32(1 / WEEKS_PER_YEAR)
    s.ev_shown[:] = 0
    s.ev_seen[:] = 0
    s.ev_hostile[:] = 0
    s.ev_rejected[:] = 0
