"""Measuring one population through both channels: the ECR-R (twice, for a retest) and the
interview; the quantities behind targets T3, T4 and T7-T10 and behind ``iwm interview``.

Random streams are split from one seed by name (``SeedSequence(seed, spawn_key=(stream,))``),
so each channel's noise is independent of the others and of the simulation core's.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm.measure._interview import INTERVIEW, Interview, InterviewParams, interview
from iwm.measure._items import RESPONSES, ResponseParams, answer
from iwm.measure._latent import LATENT, LatentParams, latent_dimensions
from iwm.measure._readout import SELF_REPORT_CATEGORIES, self_report_category
from iwm.model._population import Population

STREAMS = {name: int.from_bytes(name.encode(), "big") for name in ("latent", "answers", "retest", "interview")}
"""Identities of the measurement streams under a seed."""


def stream(seed: int, name: str) -> np.random.Generator:
    """The named measurement stream of ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAMS[name],)))


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Channels:
    """A population measured by questionnaire (two occasions) and interview."""

    anxiety_theta: NDArray[np.float64]
    avoidance_theta: NDArray[np.float64]
    scores: dict[str, NDArray[np.float64]]
    """ECR-R mean scores: anxiety, avoidance (first occasion), anxiety_retest, avoidance_retest."""
    keyed: Any
    """Keyed ECR-R answers of the first occasion (a DataFrame)."""
    interview: Interview

    @property
    def self_report_secure(self) -> NDArray[np.bool_]:
        return np.asarray((self.scores["anxiety"] <= 4) & (self.scores["avoidance"] <= 4))

    @property
    def self_report_security(self) -> NDArray[np.float64]:
        """Self-reported security: minus the mean of the two ECR-R scores."""
        return -(self.scores["anxiety"] + self.scores["avoidance"]) / 2

    def self_report_shares(self) -> dict[str, float]:
        """Hazan-Shaver prototype shares from the ECR-R scores at the scale midpoint (T4)."""
        code = self_report_category(self.scores["anxiety"], self.scores["avoidance"])
        counts = np.bincount(code.astype(np.int64), minlength=3) / max(code.size, 1)
        return {name: float(c) for name, c in zip(SELF_REPORT_CATEGORIES, counts, strict=True)}

    def agreement(self) -> dict[str, float]:
        """Interview versus self-report: Cohen's (1960) kappa of secure/insecure
        (scikit-learn), and Pearson r of interview coherence with self-reported security
        with its 95% CI (scipy)."""
        from scipy import stats
        from sklearn.metrics import cohen_kappa_score

        n = int(self.interview.category.size)
        x, y = -self.interview.incoherence, self.self_report_security
        if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:  # too few people, or no spread: undefined
            return {
                "kappa": float("nan"),
                "r": float("nan"),
                "r_ci_low": float("nan"),
                "r_ci_high": float("nan"),
                "n": n,
            }
        kappa = float(cohen_kappa_score(self.interview.secure, self.self_report_secure))
        test = stats.pearsonr(x, y)
        ci = test.confidence_interval(0.95)
        return {
            "kappa": kappa,
            "r": float(test.statistic),
            "r_ci_low": float(ci.low),
            "r_ci_high": float(ci.high),
            "n": n,
        }


def measure_channels(
    pop: Population,
    seed: int,
    *,
    latent: LatentParams = LATENT,
    responses: ResponseParams = RESPONSES,
    interview_params: InterviewParams = INTERVIEW,
) -> Channels:
    """Answer the ECR-R twice (two occasions, the same enduring latents) and be interviewed."""
    from iwm.measure._scoring import score

    anx, avo = latent_dimensions(pop, latent, rng=stream(seed, "latent"))
    first = score("ecr-r", answer("ecr-r", anx, avo, stream(seed, "answers"), responses))
    second = score("ecr-r", answer("ecr-r", anx, avo, stream(seed, "retest"), responses))
    scores = {
        "anxiety": first.scores["ecr_r_anxiety"].to_numpy(float),
        "avoidance": first.scores["ecr_r_avoidance"].to_numpy(float),
        "anxiety_retest": second.scores["ecr_r_anxiety"].to_numpy(float),
        "avoidance_retest": second.scores["ecr_r_avoidance"].to_numpy(float),
    }
    return Channels(
        anxiety_theta=anx,
        avoidance_theta=avo,
        scores=scores,
        keyed=first.keyed,
        interview=interview(pop, stream(seed, "interview"), interview_params),
    )
