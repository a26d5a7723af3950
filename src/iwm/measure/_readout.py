"""Read-outs: how a working model shows itself to an observer.

* Infant A/B/C/D from behaviour in a reunion-like episode at about 12 months (Ainsworth,
  Blehar, Waters & Wall 1978; D overrides the organized classes, Main & Solomon 1990).
* Adult dimensions, anxiety and avoidance, on the metric of the ECR scales (mean item score
  1-7; Brennan, Clark & Shaver 1998; Fraley, Waller & Brennan 2000), so that simulated people
  and scored questionnaires share one scale.
* Four adult categories (Bartholomew & Horowitz 1991) from the two dimensions: secure (low
  anxiety, low avoidance), preoccupied (anxious), dismissing (avoidant), fearful (both; the
  adult counterpart of disorganization).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm.model._params import Params, bounded
from iwm.model._population import DTYPE, Population

F = NDArray[np.float32]

INFANT_CLASSES = ("A", "B", "C", "D")
"""Infant classes: A avoidant, B secure, C resistant/ambivalent, D disorganized."""
ADULT_CATEGORIES = ("secure", "preoccupied", "dismissing", "fearful")
SECURE_INFANT = INFANT_CLASSES.index("B")
SECURE_ADULT = ADULT_CATEGORIES.index("secure")


@dataclasses.dataclass(frozen=True, kw_only=True)
class InfantReadout(Params):
    """Coding of the reunion episode: the cuts that classify its behaviour columns."""

    label = "infant read-out parameters"

    disorganization_cut: float = bounded(
        0.65, 0, 2, "alternation plus freezing (disorganized indices) above which the infant is D"
    )
    avoidance_cut: float = bounded(0.6, 0, 1, "share of felt need not shown above which A")
    resistance_cut: float = bounded(
        0.45, 0, 3, "resistance (angry protest, distress unsettled while seeking) above which C"
    )


def code_infants(behaviour: dict[str, F], r: InfantReadout = InfantReadout()) -> NDArray[np.int8]:
    """A/B/C/D codes (indices into INFANT_CLASSES) from the behaviour of the reunion episode
    (:func:`iwm.model._reunion.reunion`) alone. Organized classes by the Ainsworth logic
    (Ainsworth et al. 1978): avoidance of the caregiver is A, resistance mixed with contact
    seeking is C, else B; A precedes C. The disorganized indices, approach-avoid alternation and
    freezing, override any organized class (Main & Solomon 1990)."""
    code = np.full(behaviour["avoidance"].shape, SECURE_INFANT, dtype=np.int8)
    code[behaviour["resistance"] > r.resistance_cut] = INFANT_CLASSES.index("C")
    code[behaviour["avoidance"] > r.avoidance_cut] = INFANT_CLASSES.index("A")
    disorganized = behaviour["alternation"] + behaviour["freezing"]
    code[disorganized > r.disorganization_cut] = INFANT_CLASSES.index("D")
    return code


@dataclasses.dataclass(frozen=True, kw_only=True)
class AdultReadout(Params):
    """Weights of the adult dimensions on the model's state (logistic onto 1-7)."""

    label = "adult read-out parameters"

    anxiety_intercept: float = bounded(0.3, -5, 5, "anxiety logit at a neutral model")
    anxiety_self: float = bounded(4.0, 0, 20, "anxiety per unit of self-worth below .5 (C1)")
    anxiety_hyperactivation: float = bounded(1.28, 0, 10, "anxiety per unit of signalling above 1 (C6)")
    anxiety_vigilance: float = bounded(1.6, 0, 10, "anxiety per unit the activation threshold is below .3 (C6)")
    anxiety_uncertainty: float = bounded(
        1.6, 0, 10, "anxiety per unit of the unpredictability 4A(1-A) of others above .5 (C2)"
    )
    anxiety_danger: float = bounded(1.6, 0, 10, "anxiety per unit of other-danger (C16)")
    avoidance_intercept: float = bounded(-0.7, -5, 5, "avoidance logit at a neutral model")
    avoidance_other: float = bounded(1.6, 0, 20, "avoidance per unit of availability below .5 (C2)")
    avoidance_deactivation: float = bounded(1.2, 0, 10, "avoidance per unit of suppression (C11)")
    avoidance_threshold: float = bounded(0.8, 0, 10, "avoidance per unit the activation threshold is above .3 (C11)")
    avoidance_reliance: float = bounded(0.8, 0, 10, "avoidance per unit of self-reliance (C14)")
    avoidance_danger: float = bounded(0.8, 0, 10, "avoidance per unit of other-danger (C16)")
    cut: float = bounded(4.0, 1, 7, "category cut on both dimensions (scale midpoint)")
    unresolved_cut: float = bounded(
        0.1, 0, 1, "fear of the needed other (as in the infant D score) above which an adult is unresolved"
    )


ADULT_READOUT = AdultReadout()


def _logistic_1_7(z: NDArray[np.floating]) -> F:
    return (1 + 6 / (1 + np.exp(-z))).astype(DTYPE)


def anxiety(pop: Population, r: AdultReadout = ADULT_READOUT) -> F:
    """Attachment anxiety on the ECR metric: a negative self, hyperactivation, hypervigilance,
    an unpredictable other and fear (Mikulincer & Shaver 2003). Self-worth and availability
    are read as they are on the day of measurement (the momentary beliefs,
    :mod:`iwm.model._momentary`)."""
    return anxiety_of(
        pop.felt_self_model, pop.signalling, pop.activation_threshold, pop.felt_availability, pop.other_danger, r
    )


def anxiety_of(self_model: F, signalling: F, threshold: F, availability: F, danger: F, r: AdultReadout) -> F:
    """:func:`anxiety` from the state's columns (used inside simulation loops)."""
    a = availability
    z = (
        r.anxiety_intercept
        + r.anxiety_self * (0.5 - self_model)
        + r.anxiety_hyperactivation * (signalling - 1)
        + r.anxiety_vigilance * np.clip(0.3 - threshold, 0, None)
        + r.anxiety_uncertainty * (4 * a * (1 - a) - 0.5)
        + r.anxiety_danger * danger
    )
    return _logistic_1_7(z)


def avoidance(pop: Population, r: AdultReadout = ADULT_READOUT) -> F:
    """Attachment avoidance on the ECR metric: an unavailable other, deactivation,
    compulsive self-reliance and fear (Mikulincer & Shaver 2003); availability and
    deactivation as they are on the day of measurement (the momentary state)."""
    return avoidance_of(
        pop.felt_availability, pop.felt_suppression, pop.activation_threshold, pop.self_reliance, pop.other_danger, r
    )


def avoidance_of(availability: F, suppression: F, threshold: F, self_reliance: F, danger: F, r: AdultReadout) -> F:
    """:func:`avoidance` from the state's columns (used inside simulation loops)."""
    z = (
        r.avoidance_intercept
        + r.avoidance_other * (0.5 - availability)
        + r.avoidance_deactivation * suppression
        + r.avoidance_threshold * np.clip(threshold - 0.3, 0, None)
        + r.avoidance_reliance * self_reliance
        + r.avoidance_danger * danger
    )
    return _logistic_1_7(z)


def categorize(anx: NDArray[np.floating], avo: NDArray[np.floating], cut: float = 4.0) -> NDArray[np.int8]:
    """Quadrant of anxiety x avoidance: indices into ADULT_CATEGORIES.

    A dimension is high when strictly above the cut, the same rule that scored
    questionnaires use (:func:`iwm.measure.categorize`).
    """
    high_anx, high_avo = anx > cut, avo > cut
    code = np.zeros(anx.shape, dtype=np.int8)
    code[high_anx & ~high_avo] = 1
    code[~high_anx & high_avo] = 2
    code[high_anx & high_avo] = 3
    return code


def adult_category(pop: Population, r: AdultReadout = ADULT_READOUT) -> NDArray[np.int8]:
    return categorize(anxiety(pop, r), avoidance(pop, r), r.cut)


AAI_CATEGORIES = ("secure", "dismissing", "preoccupied")
"""Organized Adult Attachment Interview classes (Main, Kaplan & Cassidy 1985); an unresolved
state of mind is coded on top of them (Main & Hesse 1990)."""
SELF_REPORT_CATEGORIES = ("secure", "avoidant", "anxious")
"""Hazan & Shaver's (1987) three prototypes, the forced choice of Mickelson et al. 1997."""


def organized_category(anx: NDArray[np.floating], avo: NDArray[np.floating], cut: float = 4.0) -> NDArray[np.int8]:
    """Three organized classes (indices into AAI_CATEGORIES): secure when neither dimension is
    high, else the dominant strategy (dismissing when avoidance exceeds the cut by at least as
    much as anxiety does, else preoccupied)."""
    secure = (anx <= cut) & (avo <= cut)
    code = np.where(avo - cut >= anx - cut, 1, 2).astype(np.int8)
    code[secure] = 0
    return code


def self_report_category(anx: NDArray[np.floating], avo: NDArray[np.floating], cut: float = 4.0) -> NDArray[np.int8]:
    """Hazan-Shaver prototypes (indices into SELF_REPORT_CATEGORIES): secure, avoidant (high
    avoidance, with or without anxiety: the prototype describes discomfort with closeness and
    difficulty trusting, which fearful people endorse; Bartholomew & Horowitz 1991; Brennan,
    Shaver & Tobey 1991), anxious (high anxiety only)."""
    code = categorize(anx, avo, cut)
    return np.select([code == 0, code == 1], [0, 2], 1).astype(np.int8)


def disorganization(availability: F, danger: F) -> F:
    """Fear of the figure one needs (C16): the score behind infant D and adult unresolved."""
    return (danger * (0.5 + 0.5 * availability)).astype(DTYPE)


def unresolved(pop: Population, r: AdultReadout = ADULT_READOUT) -> NDArray[np.bool_]:
    """Unresolved state of mind (Main & Hesse 1990), coded on top of the organized class."""
    return np.asarray(disorganization(pop.other_availability, pop.other_danger) > r.unresolved_cut)


def measured_columns(pop: Population, r: AdultReadout = ADULT_READOUT) -> dict[str, NDArray[Any]]:
    """The population's columns (:meth:`Population.columns`) with its read-outs: anxiety,
    avoidance (ECR metric) and the adult category."""
    cols = pop.columns()
    cols.update(anxiety=anxiety(pop, r), avoidance=avoidance(pop, r))
    cols["category"] = adult_category(pop, r)
    return cols
