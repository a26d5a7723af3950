"""The interview channel: an Adult Attachment Interview-like classification of state of mind.

The Adult Attachment Interview (AAI; George, Kaplan & Main 1985; coding of Main, Goldwyn &
Hesse) rates how coherently a person speaks about childhood attachment, not how they describe
their relationships now. It is classified secure-autonomous, dismissing or preoccupied, and
unresolved on top when lapses in reasoning about loss or abuse appear (Main & Hesse 1990).

Here the interview reads aspects of the working model other than the self-report dimensions:

* **incoherence** (how the model is processed rather than what it holds), the sum of two
  ratings: the dismissing side, the share of felt need kept out of awareness and expression
  (``suppression``: lack of memory, C11), and the preoccupied side, amplified signalling
  (``signalling`` above 1: involving anger, C6);
* **direction**: the dismissing rating against the preoccupied one;
* **unresolved**: fear of the figure one needs (other-danger with expected availability, the
  score behind infant D, C16).

Each rating carries its own coder error (``rater_sd``, ``unresolved_rater_sd``).

The interview reads no belief *content*. The AAI codes a state of mind: how coherently, and with
which defence, attachment experience is processed in discourse (Main, Kaplan & Cassidy 1985;
Hesse 2008), not what a person expects of close others now; self-reports measure the latter,
a conscious appraisal (Crowell, Fraley & Shaver 1999; Roisman et al. 2007). So the posterior
mean and SD of availability and self-worth, which the questionnaire reads (:mod:`._latent`:
distrust, an unpredictable other, a negative self), are not interview ratings. (An earlier
version rated the posterior SD of availability as an "unsettled" other; once that SD carried
the inconsistency of care, it made the two channels read the same column.) The channels still
share the deactivating strategy: discourse that excludes attachment (dismissing) and a
described discomfort with closeness (avoidance) are both read from ``suppression``; how much
the two agree is measured (target T10: Roisman et al. 2007, mean r = .09), never set by a
parameter. The cuts reproduce the shares of
non-clinical AAIs (Bakermans-Kranenburg & van IJzendoorn 2009; target T3).

A research and teaching model of an interview: never a clinical classification of a person.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.measure._readout import AAI_CATEGORIES, disorganization
from iwm.model._params import Params, bounded
from iwm.model._population import Population

INTERVIEW_CATEGORIES = AAI_CATEGORIES
"""Organized classes: secure-autonomous, dismissing, preoccupied (unresolved is coded on top)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class InterviewParams(Params):
    """Ratings and coder error of the interview channel (ratings in SDs of low-risk adults)."""

    label = "interview parameters"

    suppression_weight: float = bounded(4.4, 0, 50, "dismissing rating per unit of suppression (C11)")
    signalling_weight: float = bounded(17.0, 0, 100, "preoccupied rating per unit of signalling above 1 (C6)")
    rater_sd: float = bounded(0.5, 0, 5, "coder error on each of the two ratings")
    coherence_cut: float = bounded(1.1, -10, 20, "incoherence (sum of the two ratings) above which insecure")
    dismissing_bias: float = bounded(
        -1.2, -10, 10, "dismissing minus preoccupied rating above which insecure is dismissing"
    )
    unresolved_rater_sd: float = bounded(0.05, 0, 1, "coder error on the unresolved rating")
    unresolved_cut: float = bounded(0.11, 0, 1, "fear of the needed other above which the interview is unresolved")


INTERVIEW = InterviewParams()


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Interview:
    """Interview ratings and classes of a population."""

    incoherence: NDArray[np.float64]
    """The coder's incoherence rating (higher: less coherent)."""
    category: NDArray[np.int8]
    """Indices into INTERVIEW_CATEGORIES."""
    unresolved: NDArray[np.bool_]

    @property
    def secure(self) -> NDArray[np.bool_]:
        return np.asarray(self.category == 0)

    def shares(self) -> dict[str, float]:
        n = max(self.category.size, 1)
        counts = np.bincount(self.category.astype(np.int64), minlength=len(INTERVIEW_CATEGORIES))
        out = {name: float(c) / n for name, c in zip(INTERVIEW_CATEGORIES, counts, strict=True)}
        out["unresolved"] = float(self.unresolved.mean()) if self.unresolved.size else 0.0
        return out


def interview_ratings(pop: Population, p: InterviewParams = INTERVIEW) -> dict[str, NDArray[np.float64]]:
    """The error-free ratings: the dismissing and preoccupied sides of incoherence, and fear."""
    return {
        "dismissing": p.suppression_weight * np.asarray(pop.suppression, np.float64),
        "preoccupied": p.signalling_weight * (np.asarray(pop.signalling, np.float64) - 1.0),
        "fear": np.asarray(disorganization(pop.other_availability, pop.other_danger), np.float64),
    }


def interview(pop: Population, rng: np.random.Generator, p: InterviewParams = INTERVIEW) -> Interview:
    """Interview everyone in ``pop``: ratings from the model's state plus coder error from ``rng``."""
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", "a numpy.random.Generator", type(rng).__name__)
    r = interview_ratings(pop, p)
    error = rng.standard_normal((3, pop.n))
    dismissing = r["dismissing"] + p.rater_sd * error[0]
    preoccupied = r["preoccupied"] + p.rater_sd * error[1]
    incoherence = dismissing + preoccupied
    category = np.where(dismissing - preoccupied > p.dismissing_bias, 1, 2).astype(np.int8)
    category[incoherence <= p.coherence_cut] = 0
    unresolved = r["fear"] + p.unresolved_rater_sd * error[2] > p.unresolved_cut
    return Interview(incoherence=incoherence, category=category, unresolved=np.asarray(unresolved))
