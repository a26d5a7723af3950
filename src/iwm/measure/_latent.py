"""Latent attachment dimensions from the working model's state (the questionnaire channel).

Self-reported attachment anxiety and avoidance (Brennan, Clark & Shaver 1998; Fraley, Waller &
Brennan 2000) are read from the model's state by one documented mapping,
:func:`latent_dimensions`, onto a z metric (mean about 0, SD about 1 in low-risk adults). Item
answers come from these latents through a graded response model (:mod:`iwm.measure._items`).

Each dimension is a linear predictor over transformed state columns, standardized with fixed
reference constants (low-risk adults at 23, seed 1, n = 20,000, read from the momentary state
on the last day; recomputed whenever the adult model changes them, by
:func:`iwm.study._calibration.reference_constants`):

* anxiety: a negative self as shown (logit of ``self_model``; C1), an unpredictable other (the
  posterior SD of other-availability; C2), hyperactivation (signalling above 1 and an
  activation threshold below .3; C6) and fear of others (``other_danger``; C16);
* avoidance: distrust (logit of ``other_availability``; C2), deactivation (``suppression``;
  C11), compulsive self-reliance (C14) and fear of others (C16).

Both dimensions read fear and, through the shared history that forms the state, each other's
columns, so they correlate positively, as in published samples (Cameron, Finnegan & Morry
2012). The model's states form a few tight clusters (one per caregiving history), so a
deterministic mapping alone is multimodal, which no real sample is. A self-report also carries
variation the model does not represent (temperament, other relationships, how a person
describes themselves). ``state_share`` is the correlation of a latent with its state part;
the rest is a person's unique part, drawn once per person from the ``rng`` given. Without an
``rng`` the function returns the expected latent given the state, ``state_share * z``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.model._params import Params, bounded
from iwm.model._population import Population

_EPS = 1e-3  # keeps logits of beliefs finite

REFERENCE_AVAILABILITY_SD = 0.0416
"""Posterior SD of other-availability of a typical (median) low-risk adult at 23 (design: a
reference constant, seed 1, n = 20,000; recomputed with :func:`iwm.study._calibration.reference_constants`).
Read-outs take the SD relative to it."""


def availability_unpredictability(pop: Population, reference: float | None = None) -> NDArray[np.float64]:
    """Posterior SD of other-availability relative to the reference adult's (1: typical);
    ``reference`` defaults to :data:`REFERENCE_AVAILABILITY_SD`."""
    ref = REFERENCE_AVAILABILITY_SD if reference is None else reference
    return np.asarray(pop.other_availability_sd, np.float64) / ref


@dataclasses.dataclass(frozen=True, kw_only=True)
class LatentParams(Params):
    """Weights of the latent dimensions on the model's state, and their reference scaling."""

    label = "latent dimension parameters"

    anxiety_self: float = bounded(1.0, 0, 10, "anxiety per unit of the logit of a negative shown self (C1)")
    anxiety_unpredictability: float = bounded(
        0.5, 0, 10, "anxiety per unit of SD of other-availability over the reference SD (C2, unpredictable other)"
    )
    anxiety_hyperactivation: float = bounded(
        1.0, 0, 10, "anxiety per unit of signalling above 1 plus threshold below .3 (C6)"
    )
    anxiety_danger: float = bounded(3.0, 0, 10, "anxiety per unit of other-danger (C16)")
    avoidance_distrust: float = bounded(0.5, 0, 10, "avoidance per unit of the logit of unavailability (C2)")
    avoidance_deactivation: float = bounded(1.0, 0, 10, "avoidance per unit of suppression (C11)")
    avoidance_reliance: float = bounded(1.0, 0, 10, "avoidance per unit of self-reliance (C14)")
    avoidance_danger: float = bounded(3.0, 0, 10, "avoidance per unit of other-danger (C16)")
    anxiety_center: float = bounded(-1.814, -20, 20, "anxiety predictor in the reference population: mean")
    anxiety_spread: float = bounded(1.628, 0.01, 20, "anxiety predictor in the reference population: SD")
    avoidance_center: float = bounded(0.502, -20, 20, "avoidance predictor in the reference population: mean")
    avoidance_spread: float = bounded(1.443, 0.01, 20, "avoidance predictor in the reference population: SD")
    state_share: float = bounded(
        0.7, 0, 1, "correlation of a latent dimension with its state part (the rest is unique to the person)"
    )


LATENT = LatentParams()


def _logit(p: NDArray[np.floating]) -> NDArray[np.float64]:
    q = np.clip(np.asarray(p, np.float64), _EPS, 1 - _EPS)
    return np.log(q / (1 - q))


def state_predictors(
    pop: Population, p: LatentParams = LATENT, *, reference_sd: float | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The state parts of anxiety and avoidance, standardized by the reference constants
    (``reference_sd``: see :func:`availability_unpredictability`).

    Self-worth, availability and deactivation are read as they are on the day of answering
    (the momentary state, :mod:`iwm.model._momentary`); the rest of the model is chronic."""
    unpredictability = availability_unpredictability(pop, reference_sd)
    hyperactivation = (pop.signalling - 1.0) + np.clip(0.3 - pop.activation_threshold, 0, None)
    danger = np.asarray(pop.other_danger, np.float64)
    anx = (
        -p.anxiety_self * _logit(pop.felt_self_model)
        + p.anxiety_unpredictability * unpredictability
        + p.anxiety_hyperactivation * hyperactivation
        + p.anxiety_danger * danger
    )
    avo = (
        -p.avoidance_distrust * _logit(pop.felt_availability)
        + p.avoidance_deactivation * pop.felt_suppression
        + p.avoidance_reliance * pop.self_reliance
        + p.avoidance_danger * danger
    )
    return (anx - p.anxiety_center) / p.anxiety_spread, (avo - p.avoidance_center) / p.avoidance_spread


def latent_dimensions(
    pop: Population, p: LatentParams = LATENT, *, rng: np.random.Generator | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Latent attachment anxiety and avoidance (z metric) of each person in ``pop``.

    ``theta = state_share * z_state + sqrt(1 - state_share**2) * unique``, with ``unique``
    standard normal per person and dimension drawn from ``rng`` (anxiety first, then
    avoidance); without ``rng`` the unique part is left out (the expectation given the state).
    """
    z_anx, z_avo = state_predictors(pop, p)
    share = p.state_share
    if rng is None:
        return share * z_anx, share * z_avo
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", "a numpy.random.Generator", type(rng).__name__)
    rest = np.sqrt(1 - share * share)
    unique = rng.standard_normal((2, pop.n))
    return share * z_anx + rest * unique[0], share * z_avo + rest * unique[1]
