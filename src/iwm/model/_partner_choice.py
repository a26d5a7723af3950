"""Partner choice (MODEL.md C22, C13): whom one is drawn to, and how open one is to meeting.

Attraction weighs a preference for a responsive partner against familiarity: the fit between
a candidate's typical behaviour and what one's own model expects of others (repetition
compulsion, C22; Freud 1920, in attachment terms Bowlby 1973 and Collins & Read 1994). The
deactivating are less open to someone met (C13). Acceptance is mutual: each side decides.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iwm.model._adult import AdultParams, Mechanisms, _Adults
from iwm.model._population import DTYPE

F = NDArray[np.float32]


def attraction(chooser: NDArray[np.intp], candidate: NDArray[np.intp], s: _Adults, p: AdultParams, m: Mechanisms) -> F:
    """How much ``chooser`` wants ``candidate`` (C22).

    A preference for a responsive partner, plus familiarity: the fit between the candidate's
    typical behaviour (responsiveness, and the intrusiveness of hyperactivation) and what
    one's own model expects of others. An insecure model makes an unresponsive or a clinging
    partner feel right (repetition compulsion).

    Switching the mechanism off removes the *selectivity* of familiarity, not its weight:
    every candidate then fits as well as the average candidate met that week, so people keep
    pairing at the same overall rate and only the pull toward model-confirming partners goes
    (an ablation removes its own mechanism and nothing else).
    """
    resp = s.responsiveness[candidate]
    expected = s.other_availability()[chooser]
    # others as available (or not), and as intrusive (or not): the rejecting-intrusive other (C2)
    fit = 1 - 0.5 * (np.abs(expected - resp) + np.abs((1 - expected) - s.hyper[candidate]))
    if not m.repetition_compulsion and fit.size:
        fit = np.full_like(fit, fit.mean(dtype=np.float64))
    return (p.attraction_security * resp + p.attraction_familiarity * fit).astype(DTYPE)


def openness(s: _Adults, p: AdultParams) -> F:
    """Weekly chance of being open to someone met: less for the deactivating (C13)."""
    return (p.dating_rate * (1 - p.dating_deactivation * s.deact)).astype(DTYPE)


def acceptance(attract: F, p: AdultParams) -> F:
    """Chance of saying yes to someone of attraction ``attract``: logistic around the threshold."""
    return (1 / (1 + np.exp(-p.acceptance_slope * (attract - p.acceptance_threshold)))).astype(DTYPE)
