"""Partner choice (MODEL.md C22, C13): whom one is drawn to, how open one is to meeting,
and whether one stays.

A candidate is judged against one's comparison level (Thibaut & Kelley 1959; Rusbult 1980):
attraction is how much more the candidate offers (responsiveness) than one's model expects of
a partner, plus familiarity: the fit between the candidate's typical behaviour and what one's
own model expects of others, relative to the others met (repetition compulsion, C22; Freud
1920, in attachment terms Bowlby 1973 and Collins & Read 1994). The deactivating are less open
to someone met (C13). Acceptance is mutual: each side decides, from its own model.

Staying follows interdependence theory (Thibaut & Kelley 1959) and the investment model
(Rusbult 1980, 1983). Satisfaction is judged against a comparison level: what one's own
model leads one to expect of a partner, discounted by how much a partner matters (C14).
Commitment grows week by week while the relationship gives more than that level (the time
and closeness put in are investments, and another partner, first seen through the same
general model, is expected to give no more than it), up to the ceiling deactivation keeps
low (C13); one leaves when the relationship falls short of the comparison level, the less
the more committed one is. The avoidant expect little and so stay in relationships that give
little, at a distance and with less commitment, rather than staying out of them (Simpson
1990; Kirkpatrick & Davis 1994).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iwm.model._adult import AdultParams, Mechanisms, _Adults
from iwm.model._population import DTYPE

F = NDArray[np.float32]
B = NDArray[np.bool_]


def attraction(chooser: NDArray[np.intp], candidate: NDArray[np.intp], s: _Adults, p: AdultParams, m: Mechanisms) -> F:
    """How much more ``chooser`` expects from ``candidate`` than from a partner as such (C22).

    Interdependence theory (Thibaut & Kelley 1959; Rusbult 1980): a prospective partner is
    judged against one's own comparison level (:func:`comparison_level`), what one's model
    expects of a partner. What ``candidate`` offers is their responsiveness, weighed by how
    much a partner matters to the chooser (C14), so attraction is ``importance x (responsiveness
    - E[A])``: who expects little finds more partners who offer more than expected.

    Familiarity (C22; repetition compulsion, Freud 1920, in attachment terms Bowlby 1973 and
    Collins & Read 1994) adds the fit between the candidate's typical behaviour
    (responsiveness, and the intrusiveness of hyperactivation) and what one's model expects of
    others, relative to how well the people met that week fit it on average: it decides who
    among those met feels right, not whether anyone does, so a model that fits few candidates
    makes one pick the confirming ones rather than stay out (avoidance shows as distance in a
    relationship, not as exclusion from one: Simpson 1990; Kirkpatrick & Davis 1994).

    Switching the mechanism off removes that selectivity: every candidate is then as familiar
    as the average candidate met, and only the comparison level decides.
    """
    offer = s.importance[chooser] * (s.responsiveness[candidate] - s.other_availability()[chooser])
    attract = p.attraction_security * offer
    if m.repetition_compulsion:
        attract += p.attraction_familiarity * _familiarity(chooser, candidate, s)
    return attract.astype(DTYPE)


def _familiarity(chooser: NDArray[np.intp], candidate: NDArray[np.intp], s: _Adults) -> NDArray[np.float64]:
    """Fit of each candidate with the chooser's model of others (available or not, and
    intrusive or not: the rejecting-intrusive other, C2), minus the chooser's mean fit over all
    candidates met (sorted prefix sums, :func:`_mean_distance`)."""
    resp, hyper = s.responsiveness[candidate], s.hyper[candidate]
    expected = s.other_availability()[chooser]
    distance = np.abs(expected - resp) + np.abs((1 - expected) - hyper)
    mean = _mean_distance(expected, resp) + _mean_distance(1 - expected, hyper)
    return 0.5 * (mean - distance)


def _mean_distance(at: F, values: F) -> NDArray[np.float64]:
    """Mean of ``|at[i] - values|`` over all of ``values``, for each ``at[i]`` (sorted prefix sums)."""
    if values.size == 0:
        return np.zeros(at.shape, np.float64)
    x = np.sort(values.astype(np.float64))
    below_sum = np.concatenate([[0.0], np.cumsum(x)])
    k = np.searchsorted(x, at, side="right")
    t = at.astype(np.float64)
    below = k * t - below_sum[k]
    above = (below_sum[-1] - below_sum[k]) - (x.size - k) * t
    return (below + above) / x.size


def openness(s: _Adults, p: AdultParams) -> F:
    """Weekly chance of being open to someone met: less for the deactivating (C13)."""
    return (p.dating_rate * (1 - p.dating_deactivation * s.deact)).astype(DTYPE)


def acceptance(attract: F, p: AdultParams) -> F:
    """Chance of saying yes to someone of attraction ``attract`` (:func:`attraction`): logistic,
    even odds for a candidate who offers exactly one's comparison level."""
    return (1 / (1 + np.exp(-p.acceptance_slope * attract))).astype(DTYPE)


def comparison_level(s: _Adults) -> F:
    """What one expects of a partner (Thibaut & Kelley 1959): the general model of others'
    availability, discounted by how much a partner matters (C14). It is also how a new
    partner is first rated (transference), so a relationship starts at one's comparison level."""
    return (s.other_availability() * s.importance).astype(DTYPE)


def alternatives(s: _Adults, level: F) -> F:
    """Quality of alternatives (Thibaut & Kelley's comparison level for alternatives; Rusbult
    1983): another partner, expected to give one's comparison level, discounted by the
    self-model's answer to whether anyone else would want one (self-worth, C1)."""
    return (level * (s.W_a / (s.W_a + s.W_b))).astype(DTYPE)


def dependence(s: _Adults) -> F:
    """How much more this relationship gives than the alternatives (Rusbult 1983): satisfaction
    relative to the comparison level, minus the alternatives relative to it."""
    level = comparison_level(s)
    satisfaction = s.satisfaction - level
    return (satisfaction - (alternatives(s, level) - level)).astype(DTYPE)


def commit(s: _Adults, gain: F, p: AdultParams) -> B:
    """A week of commitment (Rusbult 1983; C13): it grows while the relationship gives more
    than the alternatives (``gain``, :func:`dependence`; the weeks put in are investments)
    and wanes otherwise, within [0, ceiling], where deactivation lowers the ceiling. Returns
    who crossed the intimacy milestone (commitment .5) this week."""
    before = s.commitment.copy()
    s.commitment += p.commitment_rate * gain
    np.clip(s.commitment, 0, 1 - p.commitment_cap * s.deact, out=s.commitment)
    s.commitment *= s.paired
    return (before < 0.5) & (s.commitment >= 0.5)


def leaving(s: _Adults, gain: F, milestone: B, p: AdultParams) -> F:
    """Weekly chance of leaving one's partner: a base rate plus a share per unit by which the
    relationship falls short of the alternatives, both held back by commitment (Rusbult 1983),
    plus exits of the deactivating at an intimacy milestone (C13)."""
    shortfall = np.maximum(-gain, 0)
    chance = (p.breakup_base + p.breakup_dissatisfaction * shortfall) * (1 - s.commitment)
    chance += milestone * (p.milestone_exit * s.deact)
    return chance.astype(DTYPE)
