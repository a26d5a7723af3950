"""Formation of internal working models in childhood (MODEL.md C5).

From birth to 18 a child lives through repeated distress episodes (``episodes_per_week``,
weekly by default). In each episode:

1. **distress**: the child feels a need ``felt`` ~ U(0, 1);
2. **signal**: the child's current strategy, tried with a small exploratory variation,
   turns felt need into an expressed signal: nothing below the activation threshold, else
   ``gain x felt`` (gain < 1 hides need, gain > 1 amplifies it);
3. **response**: the caregiver (:mod:`iwm.model._caregiving`) sees the signal plus, if sensitive,
   the unsignalled need; an inconsistent caregiver's readiness follows her mood, which lasts
   some weeks, so for a while an ordinary cue is enough and then only a loud one; a rejecting one
   rebuffs bids more the stronger they are, a frightening one frightens, more when approached;
4. **perception**: the child registers the comfort through its current model (C21);
5. **belief update**: Beta evidence counts for self-worth, other-availability and
   other-danger are discounted at the rate the learned volatility of the caregiver sets
   (:mod:`iwm.model._beliefs`), then gain the perceived evidence, weighted by need and by
   plasticity;
6. **strategy learning**: the variation that was tried is reinforced or punished by how
   the episode went (a policy-gradient rule with a running baseline, Williams 1992).

Strategies are never assigned: strong signalling is learned where it pays (inconsistent
caregiving), suppression where signals are punished (rejection), and with a frightening
caregiver nothing pays, which leaves a dangerous-and-needed other and no organized
strategy. Plasticity falls with age (a sensitive period) but stays above zero.

The kernel works on whole columns; its only loop is over weeks (:func:`run_weeks`, the NumPy
reference; :mod:`iwm.model._formation_fused` is its compiled, bit-identical twin).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm.model._beliefs import discount, forgetting, learn_volatility
from iwm.model._caregiving import Caregivers
from iwm.model._params import Params, bounded
from iwm.model._philox import uniforms
from iwm.model._population import DTYPE, Population

F = NDArray[np.float32]

WEEKS_PER_YEAR = 52
N_UNIFORMS = 6  # random numbers per child per episode


@dataclasses.dataclass(frozen=True, kw_only=True)
class FormationParams(Params):
    """Parameters of childhood formation. Defaults are the calibrated values."""

    label = "formation parameters"

    years: float = bounded(18, 1, 18, "age at the end of formation (years)")
    episodes_per_week: int = bounded(1, 1, 7, "distress episodes per week", integer=True)
    infant_assessment_age: float = bounded(1.0, 0.5, 2.0, "age of the reunion episode (years)")
    # sensitive period
    plasticity_floor: float = bounded(0.15, 0.01, 1, "plasticity that remains after the sensitive period")
    plasticity_halflife: float = bounded(2.5, 0.25, 18, "years for plasticity to halve its distance to the floor")
    # strategy learning
    exploration: float = bounded(0.5, 0.01, 1, "half-width of the uniform variation of the strategy tried")
    learning_rate: float = bounded(0.5, 0, 5, "step size of strategy learning at full plasticity")
    baseline_rate: float = bounded(0.05, 0.001, 1, "rate of the running reward baseline")
    max_gain: float = bounded(3.0, 1, 10, "largest learnable signalling gain")
    initial_gain: float = bounded(1.0, 0, 3, "signalling gain at birth (expressed = felt)")
    initial_threshold: float = bounded(0.2, 0, 1, "activation threshold at birth")
    # the caregiver's side of an episode
    notice: float = bounded(0.3, 0, 2, "share of unsignalled need a fully sensitive caregiver sees")
    loud_cue: float = bounded(1.0, 0, 3, "mean cue an entirely inconsistent caregiver needs before responding")
    mood_weeks: float = bounded(
        4.0, 1, 52, "mean weeks a caregiver's mood (readiness to respond) lasts before it changes"
    )
    response_width: float = bounded(0.4, 0.05, 2, "cue range over which responding goes from never to always")
    comfort_floor: float = bounded(0.5, 0, 1, "comfort quality of an entirely insensitive response")
    rebuff_saturation: float = bounded(1.0, 0.1, 3, "signal at which a rejecting caregiver rebuffs at full rate")
    fright_when_alone: float = bounded(0.5, 0, 1, "share of frightening behaviour that comes without approach")
    # the child's experience
    relief: float = bounded(1.0, 0, 3, "value of comfort per unit of felt need")
    hidden_need_discount: float = bounded(0.5, 0, 1, "share of comfort lost when the need was not shown at all")
    rebuff_pain: float = bounded(0.8, 0, 3, "cost of a rebuff")
    fright_pain: float = bounded(1.0, 0, 3, "cost of being frightened")
    effort: float = bounded(0.15, 0, 1, "cost of signalling, per squared unit of signal (loud protest is costly)")
    perception_bias: float = bounded(0.5, 0, 1, "pull of an ambiguous response toward the expected one (C21)")
    danger_safety_weight: float = bounded(0.25, 0.01, 1, "evidence of safety from an episode without fright")
    unasked_weight: float = bounded(
        0.5, 0, 1, "availability evidence from distress that was neither signalled nor noticed"
    )
    unanswered_bid_weight: float = bounded(0.5, 0, 1, "self-worth evidence against from an unanswered bid")
    regulation_rate: float = bounded(0.02, 0, 1, "rate at which co-regulation builds regulation capacity")
    self_reliance_rate: float = bounded(0.02, 0, 1, "rate at which coping alone builds self-reliance")
    # beliefs that stay learnable (iwm.model._beliefs)
    prior_count: float = bounded(
        1.0, 0.1, 10, "Beta prior evidence on each side of each belief: at birth, and the level forgetting returns to"
    )
    recent_rate: float = bounded(0.5, 0.01, 1, "weight of the latest outcome in the recent impression of the caregiver")
    volatility_rate: float = bounded(
        0.02, 0.001, 1, "rate at which the volatility estimate follows the surprise covariance"
    )
    forgetting_floor: float = bounded(
        0.001, 0, 0.1, "share of learned evidence forgotten per episode at full plasticity while the other looks stable"
    )
    volatility_forgetting: float = bounded(
        0.5, 0, 0.9, "extra share of learned evidence forgotten per episode per unit of relative volatility"
    )

    @property
    def episodes(self) -> int:
        return round(self.years * WEEKS_PER_YEAR) * self.episodes_per_week

    @property
    def infant_episode(self) -> int:
        return round(self.infant_assessment_age * WEEKS_PER_YEAR) * self.episodes_per_week

    @property
    def mood_hazard(self) -> float:
        """Chance per episode that the caregiver's mood is drawn afresh (1: a new mood every episode)."""
        return min(1.0, 1 / (self.mood_weeks * self.episodes_per_week))

    def plasticity_at(self, age: float) -> float:
        """Weight of new evidence at ``age`` years: 1 at birth, falling toward the floor."""
        return self.plasticity_floor + (1 - self.plasticity_floor) * 0.5 ** (age / self.plasticity_halflife)


@dataclasses.dataclass(kw_only=True, eq=False)
class _ChildState:
    """The mutable working columns of one chunk during formation (private to this module)."""

    W_a: F
    W_b: F
    A_a: F
    A_b: F
    D_a: F
    D_b: F
    gain: F
    threshold: F
    baseline: F
    regulation: F
    self_reliance: F
    A_recent: F  # recent impression of the caregiver's availability
    A_volatility: F  # learned volatility of her availability (surprise covariance)
    mood: F  # the caregiver's current mood, uniform in [0, 1]: high is less ready to respond

    @classmethod
    def newborn(cls, shape: tuple[int, ...], p: FormationParams) -> _ChildState:
        def full(v: float) -> F:
            return np.full(shape, v, dtype=DTYPE)

        return cls(
            W_a=full(p.prior_count),
            W_b=full(p.prior_count),
            A_a=full(p.prior_count),
            A_b=full(p.prior_count),
            D_a=full(p.prior_count),
            D_b=full(p.prior_count),
            gain=full(p.initial_gain),
            threshold=full(p.initial_threshold),
            baseline=full(0.0),
            regulation=full(0.5),
            self_reliance=full(0.0),
            A_recent=full(0.5),
            A_volatility=full(0.0),
            mood=full(0.5),
        )


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class CaregiverTerms:
    """What a caregiver brings to every episode, computed once per chunk (hot-loop constants)."""

    notice: F  # unsignalled need seen per unit of felt need
    readiness: F  # cue an inconsistent caregiver needs, per unit of her mood
    rebuff_per_signal: F
    fright_alone: F
    fright_per_approach: F
    quality: F  # comfort quality when the caregiver does comfort

    @classmethod
    def of(cls, cg: Caregivers, p: FormationParams) -> CaregiverTerms:
        def f32(x: NDArray[np.floating]) -> F:
            return np.ascontiguousarray(x, dtype=DTYPE)

        return cls(
            notice=f32(cg.sensitivity * p.notice),
            readiness=f32((1 - cg.consistency) * (2 * p.loud_cue)),
            rebuff_per_signal=f32(cg.rejection / p.rebuff_saturation),
            fright_alone=f32(cg.frightening * p.fright_when_alone),
            fright_per_approach=f32(cg.frightening * (1 - p.fright_when_alone)),
            quality=f32(p.comfort_floor + (1 - p.comfort_floor) * cg.sensitivity),
        )


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class _Care:
    """How one episode went with the caregiver (columns of the episode's kernel)."""

    comforted: NDArray[np.bool_]
    quality: F
    rebuffed: F
    fright: F


def try_strategy(s: _ChildState, u: F, p: FormationParams) -> tuple[F, F, F, F]:
    """The strategy tried this time: the learned gain and threshold plus exploration (policy
    gradient). Returns the perturbations and the gain and threshold tried."""
    d_gain = u[1] * (2 * p.exploration) - p.exploration
    d_thr = u[2] * (2 * p.exploration) - p.exploration
    gain = s.gain + d_gain
    np.minimum(np.maximum(gain, 0, out=gain), p.max_gain, out=gain)
    thr = s.threshold + d_thr
    np.minimum(np.maximum(thr, 0, out=thr), 1, out=thr)
    return d_gain, d_thr, gain, thr


def caregiver_mood(mood: F, u: F, hazard: float) -> None:
    """The caregiver's own state and mood, which set her readiness to respond (in place): it
    lasts a while and then changes (with chance ``hazard`` per episode), driven by her, not by
    the child's signals (Ainsworth et al. 1978; Cassidy & Berlin 1994). A renewal reuses the
    episode's draw: given u < hazard, u / hazard is again uniform, so the mood stays U(0, 1)."""
    renew = u[5] < hazard
    np.copyto(mood, u[5] * np.float32(1 / hazard), where=renew)


def caregiver_responds(cg: CaregiverTerms, felt: F, signal: F, mood: F, u: F, p: FormationParams) -> _Care:
    """The caregiver's response (C5): the signal plus what a sensitive caregiver notices unasked;
    an inconsistent caregiver's readiness follows her mood, so for weeks an ordinary cue is
    enough and then for weeks only a loud one gets through (the unpredictable other, C2); a
    rejecting one rebuffs strong bids; a frightening one frightens, more on approach."""
    cue = cg.notice * felt
    cue += signal
    cue -= cg.readiness * mood
    cue *= 1 / p.response_width
    p_respond = np.minimum(np.maximum(cue, 0, out=cue), 1, out=cue)
    p_rebuff = np.minimum(signal, p.rebuff_saturation) * cg.rebuff_per_signal
    approach = np.minimum(signal, 1)
    p_fright = cg.fright_per_approach * approach
    p_fright += cg.fright_alone
    rebuff = u[3] < p_rebuff
    comforted = u[3] < p_rebuff + (1 - p_rebuff) * p_respond
    comforted &= ~rebuff
    fright = (u[4] < p_fright).astype(DTYPE)
    return _Care(
        comforted=comforted,
        quality=cg.quality * comforted,
        rebuffed=rebuff.astype(DTYPE),
        fright=fright,
    )


def reinforce(
    s: _ChildState, felt: F, signal: F, care: _Care, d_gain: F, d_thr: F, plasticity: float, p: FormationParams
) -> None:
    """How it went reinforces the strategy tried (the learned strategy, C6/C11 in the making).
    Comfort comes through proximity, so a child who hides its need takes less of it in."""
    shown = signal / np.maximum(felt, 0.05)
    np.minimum(shown, 1, out=shown)
    taken_in = shown * p.hidden_need_discount
    taken_in += 1 - p.hidden_need_discount
    reward = felt * care.quality
    reward *= taken_in
    reward *= p.relief
    reward -= p.rebuff_pain * care.rebuffed
    reward -= p.fright_pain * care.fright
    reward -= p.effort * signal * signal
    advantage = reward
    advantage -= s.baseline
    step = p.learning_rate * plasticity
    s.gain += (step * advantage) * d_gain
    np.minimum(np.maximum(s.gain, 0, out=s.gain), p.max_gain, out=s.gain)
    s.threshold += (step * advantage) * d_thr
    np.minimum(np.maximum(s.threshold, 0, out=s.threshold), 1, out=s.threshold)
    s.baseline += p.baseline_rate * advantage


def update_beliefs(
    s: _ChildState, felt: F, asked: NDArray[np.bool_], care: _Care, plasticity: float, p: FormationParams
) -> None:
    """Perception through the current model (C21), then discounted belief updating on what was
    perceived (C1, C2; :mod:`iwm.model._beliefs`). :func:`iwm.model._perception.perceive` with
    awareness 0, inlined: ambiguity = 1 - |2q - 1| = 2 min(q, 1 - q)."""
    quality = care.quality
    mean = s.A_a / (s.A_a + s.A_b)
    expected = mean - quality
    pull = np.minimum(quality, 1 - quality)
    pull *= 2 * p.perception_bias
    expected *= pull
    seen = expected
    seen += quality
    # a need nobody was asked to meet says less about others than an unanswered bid
    relevance = (asked | care.comforted) * np.float32(1 - p.unasked_weight)
    relevance += p.unasked_weight
    relevance *= felt
    forget_beliefs(s, seen, relevance, mean, plasticity, p)
    weight = felt * plasticity
    weight_a = relevance * plasticity
    evidence = weight_a * seen
    s.A_a += evidence
    s.A_b += weight_a - evidence
    s.W_a += weight * seen
    unanswered = asked & ~care.comforted
    s.W_b += weight * (care.rebuffed + unanswered * np.float32(p.unanswered_bid_weight))
    s.D_a += plasticity * care.fright
    s.D_b += (plasticity * p.danger_safety_weight) * (1 - care.fright)


def forget_beliefs(s: _ChildState, seen: F, relevance: F, mean: F, plasticity: float, p: FormationParams) -> None:
    """Old evidence is discounted before the episode's comes in. Availability and self-worth
    (both read from the same responses) forget at the rate the learned volatility of the
    caregiver's availability sets; danger, learned from rare fright, at the floor rate."""
    relative = learn_volatility(
        s.A_recent,
        s.A_volatility,
        seen,
        relevance,
        mean,
        plasticity,
        recent_rate=p.recent_rate,
        volatility_rate=p.volatility_rate,
    )
    rate = forgetting(relative, plasticity, floor=p.forgetting_floor, per_volatility=p.volatility_forgetting)
    discount(s.A_a, s.A_b, rate, p.prior_count)
    discount(s.W_a, s.W_b, rate, p.prior_count)
    discount(s.D_a, s.D_b, np.float32(p.forgetting_floor * plasticity), p.prior_count)


def co_regulate(s: _ChildState, gain: F, care: _Care, plasticity: float, p: FormationParams) -> None:
    """Co-regulation builds regulation capacity (C9); fright and rebuff undermine it. Coping
    alone with a hidden need builds self-reliance (defensive self-sufficiency, C1, C14)."""
    target = care.quality - care.fright - 0.5 * care.rebuffed
    np.minimum(np.maximum(target, 0, out=target), 1, out=target)
    target -= s.regulation
    s.regulation += (p.regulation_rate * plasticity) * target
    alone = np.maximum(1 - gain, 0)  # gain >= 0, so this is already at most 1
    alone *= 1 - care.quality
    alone -= s.self_reliance
    s.self_reliance += (p.self_reliance_rate * plasticity) * alone


def episode(s: _ChildState, cg: CaregiverTerms, u: F, plasticity: float, p: FormationParams) -> None:
    """One distress episode for every child of the chunk; updates ``s`` in place.

    ``u`` holds ``N_UNIFORMS`` uniform draws per child (leading axis). Written with in-place
    float32 operations: this is the hot loop of formation.
    """
    felt = u[0]
    d_gain, d_thr, gain, thr = try_strategy(s, u, p)
    asked = felt > thr  # activation: felt need above the threshold
    signal = gain * felt
    signal *= asked
    caregiver_mood(s.mood, u, p.mood_hazard)
    care = caregiver_responds(cg, felt, signal, s.mood, u, p)
    reinforce(s, felt, signal, care, d_gain, d_thr, plasticity, p)
    update_beliefs(s, felt, asked, care, plasticity, p)
    co_regulate(s, gain, care, plasticity, p)


def run_weeks(
    s: _ChildState, cg: CaregiverTerms, p: FormationParams, seed: int, stream: int, first_person: int, weeks: range
) -> None:
    """Weeks ``weeks`` of formation for the persons ``first_person ..`` of ``s`` (updated in
    place): the NumPy reference path. Week ``t``'s uniforms of person ``i`` are the first
    :data:`N_UNIFORMS` Philox uniforms at ``(seed, stream, person=i, step=t, sub=0)``
    (:func:`iwm.model._philox.uniforms`), so they do not depend on how people are chunked;
    :func:`iwm.model._formation_fused.run_weeks` is the compiled twin."""
    shape = s.gain.shape
    n = s.gain.size
    per_year = p.episodes / p.years
    for t in weeks:
        u = uniforms(seed, stream, t, first_person, n, N_UNIFORMS).reshape((N_UNIFORMS, *shape))
        episode(s, cg, u, p.plasticity_at(t / per_year), p)


def to_population(s: _ChildState, age: float, plasticity: float) -> Population:
    """The state at the end of formation, flattened, as a :class:`Population`."""
    gain = s.gain.ravel()
    n = gain.shape[0]
    return Population(
        self_worth_a=s.W_a.ravel(),
        self_worth_b=s.W_b.ravel(),
        self_reliance=s.self_reliance.ravel(),
        availability_a=s.A_a.ravel(),
        availability_b=s.A_b.ravel(),
        danger_a=s.D_a.ravel(),
        danger_b=s.D_b.ravel(),
        activation_threshold=s.threshold.ravel(),
        signalling=np.maximum(gain, 1),
        suppression=np.clip(1 - gain, 0, 1),
        regulation=s.regulation.ravel(),
        awareness=np.zeros(n, DTYPE),
        plasticity=np.full(n, plasticity, DTYPE),
        age=np.full(n, age, DTYPE),
    )
