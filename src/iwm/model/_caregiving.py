"""Caregiving (MODEL.md C5): who responds to a distressed child, and how.

A caregiver is four continuous parameters in [0, 1]:

* ``sensitivity``: notices and reads the child's need, and comforts well when responding;
* ``consistency``: responds to an ordinary cue; an inconsistent caregiver answers only a
  loud one, which is what makes strong signalling pay (Ainsworth et al. 1978; Cassidy &
  Berlin 1994);
* ``rejection``: rebuffs bids, more the stronger they are, which makes suppression pay
  (Main 1981);
* ``frightening``: frightening or frightened behaviour, more when the child approaches, so
  that neither approach nor avoidance works (Main & Hesse 1990).

A *profile* is a kind of caregiver (means and an individual spread); a *mix* is a population
of caregivers drawn from weighted profiles. Caregiving can also be derived from a parent's
own working model (:func:`caregiving_from_parents`), so populations run over generations.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.model._params import Params, bounded, check_value
from iwm.model._population import DTYPE, Array, Population

CAREGIVER_FIELDS = ("sensitivity", "consistency", "rejection", "frightening")


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Caregivers:
    """One caregiver per child: four float32 arrays of length n."""

    sensitivity: Array
    consistency: Array
    rejection: Array
    frightening: Array

    def __post_init__(self) -> None:
        for name in CAREGIVER_FIELDS:
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), DTYPE))

    @property
    def n(self) -> int:
        return int(self.sensitivity.shape[0])

    @classmethod
    def concat(cls, parts: list[Caregivers]) -> Caregivers:
        return cls(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in CAREGIVER_FIELDS})

    def take(self, index: Any) -> Caregivers:
        return Caregivers(**{k: getattr(self, k)[index] for k in CAREGIVER_FIELDS})

    def columns(self) -> dict[str, Array]:
        return {k: getattr(self, k) for k in CAREGIVER_FIELDS}


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaregiverProfile(Params):
    """A kind of caregiver: mean of each parameter and the individual spread around it."""

    label = "a caregiver profile"

    sensitivity: float = bounded(0.8, 0, 1, "mean sensitivity")
    consistency: float = bounded(0.8, 0, 1, "mean consistency")
    rejection: float = bounded(0.1, 0, 1, "mean rejection")
    frightening: float = bounded(0.02, 0, 1, "mean frightening behaviour")
    concentration: float = bounded(
        20, 2, 1000, "Beta concentration of individual variation (larger: caregivers more alike)"
    )


# The four pure kinds of caregiving that attachment theory names (C5). Their parameters were
# chosen with the named mixes below so that the calibration targets hold (docs/calibration.md).
PROFILES: dict[str, CaregiverProfile] = {
    "sensitive": CaregiverProfile(sensitivity=0.85, consistency=0.85, rejection=0.08, frightening=0.01),
    "inconsistent": CaregiverProfile(sensitivity=0.7, consistency=0.25, rejection=0.04, frightening=0.02),
    "rejecting": CaregiverProfile(sensitivity=0.3, consistency=0.75, rejection=0.85, frightening=0.02),
    "frightening": CaregiverProfile(sensitivity=0.45, consistency=0.45, rejection=0.35, frightening=0.7),
}


@dataclasses.dataclass(frozen=True)
class CaregivingMix:
    """A population of caregivers: weighted profiles (weights sum to 1)."""

    name: str
    components: tuple[tuple[float, CaregiverProfile], ...]

    def __post_init__(self) -> None:
        if not self.components:
            raise ParameterError(f"{self.name}.components", "a non-empty list", [])
        total = sum(w for w, _ in self.components)
        for i, (w, _) in enumerate(self.components):
            check_value(f"{self.name}.components[{i}].weight", w, 0, 1)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ParameterError(f"{self.name}.components.weight", "weights summing to 1", total)

    @property
    def weights(self) -> NDArray[np.float64]:
        return np.array([w for w, _ in self.components])

    def describe(self) -> list[dict[str, Any]]:
        return [{"weight": w, **p.to_dict()} for w, p in self.components]


def _mix(name: str, **weights: float) -> CaregivingMix:
    return CaregivingMix(name, tuple((w, PROFILES[k]) for k, w in weights.items() if w > 0))


MIXES: dict[str, CaregivingMix] = {
    # Population mixes. Shares of each kind of caregiving are assumptions, tuned with the
    # profiles so that the infant classifications match T1-T2 (docs/calibration.md).
    "low-risk": _mix("low-risk", sensitive=0.72, inconsistent=0.03, rejecting=0.16, frightening=0.09),
    "high-risk": _mix("high-risk", sensitive=0.55, inconsistent=0.08, rejecting=0.10, frightening=0.27),
    "maltreated": _mix("maltreated", sensitive=0.25, inconsistent=0.10, rejecting=0.18, frightening=0.47),
    **{k: _mix(k, **{k: 1.0}) for k in PROFILES},
}


def draw_caregivers(mix: CaregivingMix, rng: np.random.Generator, size: int) -> Caregivers:
    """Draw ``size`` caregivers from a mix: a profile each, then each parameter from a Beta
    distribution with the profile's mean and concentration (so values stay in [0, 1] and a
    rare behaviour stays rare)."""
    kind = np.searchsorted(np.cumsum(mix.weights), rng.random(size), side="right")
    kind = np.minimum(kind, len(mix.components) - 1)
    eps = 1e-3  # keeps both Beta shapes positive for means of exactly 0 or 1
    mean = np.array([[getattr(p, f) for f in CAREGIVER_FIELDS] for _, p in mix.components])
    mean = np.clip(mean, eps, 1 - eps)[kind].T
    conc = np.array([p.concentration for _, p in mix.components])[kind]
    values = rng.beta(mean * conc, (1 - mean) * conc)
    return Caregivers(**dict(zip(CAREGIVER_FIELDS, values, strict=True)))


def resolve_mix(spec: str | CaregivingMix) -> CaregivingMix:
    """A mix by name, or the mix itself. Mix *files* are read at the study layer
    (:func:`iwm.load_mix`; :func:`iwm.develop` takes a path too)."""
    if isinstance(spec, CaregivingMix):
        return spec
    if spec in MIXES:
        return MIXES[spec]
    rule = f"one of {', '.join(MIXES)} or a CaregivingMix (read files with iwm.load_mix)"
    raise ParameterError("caregiving", rule, spec)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransmissionParams(Params):
    """How a parent's working model shapes the caregiving they give (intergenerational loop).

    Caregiving follows the parent's own working model, read from its state, never from a
    read-out: a parent with a secure strategy is sensitive; a deactivating parent (whose
    model says that need is not met, and who learned to keep need away) rejects the child's
    bids; a hyperactivating parent (uncertain of others, doubting the self, signalling
    loudly) is inconsistent, answering the child's need when their own need allows; a parent
    whose model holds a dangerous other frightens (Main & Hesse 1990; George & Solomon 1996;
    van IJzendoorn 1995). The strategy strengths are those that drive the parent's own adult
    behaviour (:func:`iwm.model._adult.strategy_of`). Each parameter gets individual
    variation, so the mapping is a tendency, not a rule: part of sensitivity is independent
    of the parent's model (the 'transmission gap', van IJzendoorn 1995).
    """

    label = "transmission parameters"

    secure_anchor: float = bounded(
        0.1, 0, 1, "hyperactivation/deactivation strength (0-1) up to which caregiving is unaffected"
    )
    span: float = bounded(0.8, 0.05, 1, "excess strength over the anchor at which a strategy has its full effect")
    sensitivity_base: float = bounded(0.88, 0, 1, "sensitivity of a parent at or below the anchor")
    sensitivity_per_hyperactivation: float = bounded(0.2, 0, 1, "loss of sensitivity at full excess hyperactivation")
    sensitivity_per_deactivation: float = bounded(0.15, 0, 1, "loss of sensitivity at full excess deactivation")
    consistency_base: float = bounded(0.88, 0, 1, "consistency of a parent at or below the anchor")
    consistency_per_hyperactivation: float = bounded(0.75, 0, 1, "loss of consistency at full excess hyperactivation")
    rejection_base: float = bounded(0.06, 0, 1, "rejection of a parent at or below the anchor")
    rejection_per_deactivation: float = bounded(0.8, 0, 1, "rejection added at full excess deactivation")
    frightening_per_danger: float = bounded(
        1.1, 0, 3, "frightening behaviour per unit of other-danger belief above the threshold"
    )
    frightening_threshold: float = bounded(0.18, 0, 1, "other-danger belief below which a parent does not frighten")
    variation: float = bounded(0.08, 0, 0.5, "individual SD of consistency, rejection and frightening")
    sensitivity_variation: float = bounded(
        0.2, 0, 0.6, "individual SD of sensitivity, independent of the parent's model"
    )


def caregiving_from_parents(parents: Population, rng: np.random.Generator, params: TransmissionParams) -> Caregivers:
    """Caregiving derived from each parent's IWM, with individual variation (4 normal draws)."""
    from iwm.model._adult import population_strategy

    p = params
    hyper, deact = population_strategy(parents)
    # only the insecurity above a secure anchor changes caregiving, saturating after `span`
    anx = np.clip((hyper - p.secure_anchor) / p.span, 0, 1)
    avo = np.clip((deact - p.secure_anchor) / p.span, 0, 1)
    danger = parents.other_danger
    z = rng.standard_normal((4, parents.n)).astype(DTYPE)
    sensitivity = (
        p.sensitivity_base
        - p.sensitivity_per_hyperactivation * anx
        - p.sensitivity_per_deactivation * avo
        + p.sensitivity_variation * z[0]
    )
    consistency = p.consistency_base - p.consistency_per_hyperactivation * anx + p.variation * z[1]
    rejection = p.rejection_base + p.rejection_per_deactivation * avo + p.variation * z[2]
    frightening = p.frightening_per_danger * np.maximum(danger - p.frightening_threshold, 0) + p.variation * z[3]
    return Caregivers(
        sensitivity=np.clip(sensitivity, 0, 1),
        consistency=np.clip(consistency, 0, 1),
        rejection=np.clip(rejection, 0, 1),
        frightening=np.clip(frightening, 0, 1),
    )
