"""Summary statistics of a sample, computed by the same functions on simulated and real data.

The neural posterior estimator of `iwm fit` sees a sample only through these numbers
(docs/fitting.md). For a questionnaire sample of anxiety and avoidance scores on the ECR metric:

- per dimension: the mean, the SD (``ddof=1``) and the 10th, 25th, 50th, 75th and 90th
  percentiles (linear interpolation);
- the Pearson correlation of anxiety and avoidance (0 when either is constant);
- the shares of the four self-report categories (a dimension is high above the scale
  midpoint 4, :func:`iwm.measure._readout.categorize`): secure, preoccupied, dismissing,
  fearful.

With infant data: the shares of Strange Situation classes A, B, C, D. With couple data: the
couple summaries the data give (:data:`iwm.study._fit_data.COUPLE_SUMMARIES`), as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from iwm.measure._readout import ADULT_CATEGORIES, INFANT_CLASSES, categorize
from iwm.study._fit_data import COUPLE_SUMMARIES, FitData

QUANTILES = (10, 25, 50, 75, 90)
DIMENSIONS = ("anxiety", "avoidance")


def questionnaire_names() -> list[str]:
    """Names of the questionnaire statistics, in the order of :func:`questionnaire_summaries`."""
    names = []
    for dim in DIMENSIONS:
        names += [f"{dim}_mean", f"{dim}_sd", *(f"{dim}_q{q}" for q in QUANTILES)]
    return [*names, "anxiety_avoidance_r", *(f"share_{k}" for k in ADULT_CATEGORIES)]


def questionnaire_summaries(anxiety: np.ndarray, avoidance: np.ndarray) -> np.ndarray:
    """The questionnaire statistics of one sample (see the module docstring)."""
    anx = np.asarray(anxiety, dtype=np.float64)
    avo = np.asarray(avoidance, dtype=np.float64)
    out: list[float] = []
    for x in (anx, avo):
        out += [float(x.mean()), float(x.std(ddof=1)) if x.size > 1 else 0.0]
        out += [float(v) for v in np.percentile(x, QUANTILES)]
    out.append(_pearson(anx, avo))
    shares = np.bincount(categorize(anx, avo), minlength=len(ADULT_CATEGORIES)) / max(anx.size, 1)
    out += [float(s) for s in shares]
    return np.asarray(out)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    sx, sy = x.std(), y.std()
    if sx == 0 or sy == 0:
        return 0.0
    return float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))


def infant_names() -> list[str]:
    return [f"infant_{k}" for k in INFANT_CLASSES]


def infant_summaries(counts: Mapping[str, int]) -> np.ndarray:
    """Shares of the classes A, B, C, D."""
    total = max(sum(counts.values()), 1)
    return np.asarray([counts.get(k, 0) / total for k in INFANT_CLASSES], dtype=np.float64)


def couple_names(keys: Mapping[str, float] | None) -> list[str]:
    """The couple summaries a data set gives, in the order of :data:`COUPLE_SUMMARIES`."""
    return [k for k in COUPLE_SUMMARIES if keys is not None and k in keys]


def summary_names(data: FitData) -> list[str]:
    """Every statistic of ``data``'s kind of sample, in order."""
    names = questionnaire_names()
    if data.infants is not None:
        names += infant_names()
    return names + couple_names(data.couples)


def summarize(data: FitData) -> np.ndarray:
    """The statistics of a sample (real or simulated: both are a :class:`FitData`)."""
    parts = [questionnaire_summaries(data.anxiety, data.avoidance)]
    if data.infants is not None:
        parts.append(infant_summaries(data.infants))
    if data.couples is not None:
        parts.append(np.asarray([data.couples[k] for k in couple_names(data.couples)], dtype=np.float64))
    return np.concatenate(parts)
