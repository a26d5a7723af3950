"""Beliefs that stay learnable: discounted Beta evidence whose forgetting follows a learned
volatility (MODEL.md C1, C2, C30).

A belief is a Beta distribution held as evidence counts: the prior's (``prior_count`` on each
side, the newborn's flat Beta(1, 1)) plus what was learned. Counts that only ever grow saturate:
after a childhood the posterior SD of every belief is a few hundredths, whatever the caregiver
did. Here evidence is *discounted*: before each step's evidence comes in, the learned evidence on
both sides shrinks by a share (certainty is lost, as in the prediction step of a Kalman filter),
so a belief holds an effective count of about (evidence per step) / (forgetting per step) and
stays learnable. Forgetting returns a belief toward the prior, never below it (stabilized
forgetting, Kulhavy & Zarrop 1993; the discounted Beta-Bernoulli learner keeps its prior
pseudo-counts, Raj & Kalyani 2017): a belief that gets no evidence relaxes to ignorance,
Beta(1, 1), not to an improper or U-shaped Beta with counts below one.

How much is forgotten follows how volatile the other has proved to be (Behrens et al. 2007;
Mathys et al. 2011; Nassar et al. 2010): a learner who finds that its recent experience
wanders from its belief by more than sampling noise explains, infers that the other changes, and
lets old evidence go faster. Volatility is learned from a *recent impression* of the other (a
short exponential average of the perceived outcomes):

* volatility is the running covariance of this step's surprise (outcome - belief) with the
  surprise the recent impression already held (recent - belief): zero in expectation when the
  outcomes are i.i.d., however noisy, as the recent impression then says nothing about the next
  outcome; positive when the other's availability persists for a while and then changes;
* relative to the outcome variance a stable other of that mean would give, m(1 - m), it lies in
  [0, 1];
* forgetting per step = plasticity x (floor + per_volatility x relative volatility).

The inconsistent caregiver's readiness follows her own state and mood, which lasts a while and
then changes (Ainsworth et al. 1978; Cassidy & Berlin 1994): runs of surprise, so her child holds
less evidence, the unpredictable other of the anxious model, a mean near the middle with a wide
posterior (C2). A sensitive caregiver's comfort is reliable and a rejecting one's rebuffs are
too: their children keep their evidence. The functions work in place on float32 columns, in
the order the compiled formation kernel (:mod:`iwm.model._formation_fused`) repeats bit for bit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float32]

MIN_SAMPLING_VARIANCE = 1e-3
"""Floor of m(1 - m) when volatility is made relative (a belief of 0 or 1 expects no noise)."""


def learn_volatility(
    recent: F,
    volatility: F,
    outcome: F,
    relevance: F,
    mean: F,
    plasticity: float,
    *,
    recent_rate: float,
    volatility_rate: float,
) -> F:
    """Update the volatility estimate and the recent impression in place; return the relative
    volatility in [0, 1].

    ``relevance`` in [0, 1] weighs the outcome as the belief weighs it (the need that was felt
    and shown). Volatility is learned at ``plasticity``, like the beliefs themselves: a child
    learns early how changeable its world is, and an older learner revises that slowly."""
    surprise = outcome - mean
    held = recent - mean
    held *= surprise
    held -= volatility
    held *= relevance
    held *= plasticity
    volatility += volatility_rate * held
    surprise -= recent - mean  # outcome - recent
    surprise *= relevance
    recent += recent_rate * surprise
    relative = np.maximum(volatility, 0)
    relative /= np.maximum(mean * (1 - mean), MIN_SAMPLING_VARIANCE)
    return np.minimum(relative, 1, out=relative)


def forgetting(relative: F, plasticity: float, *, floor: float, per_volatility: float) -> F:
    """Share of the learned evidence forgotten this step: the floor plus the volatility's share,
    scaled by plasticity (a model that takes new evidence in slowly lets old evidence go as
    slowly)."""
    rate = relative * per_volatility
    rate += floor
    rate *= plasticity
    return rate


def discount(a: F, b: F, rate: F | np.float32, prior: float) -> None:
    """Shrink the learned evidence of both counts (what lies above ``prior``) by ``rate``, in
    place: certainty is lost, and the belief returns toward the prior, never below it."""
    keep = 1 - rate
    for count in (a, b):
        count -= prior
        count *= keep
        count += prior
