"""Test-retest of the adult dimensions by interval: how stable the working model is over years.

One population is formed, lives ``burn_in`` years of adult life (so the momentary state,
:mod:`iwm.model._momentary`, has formed around the trait), and is then read at the first
occasion and after each interval, as a questionnaire answered on that day would read it
(anxiety and avoidance on the ECR metric from the momentary state, without item noise). The
correlation of each dimension between the first occasion and each later one is its
test-retest r at that interval. Compare with Fraley (2002, meta-analysis of attachment
stability: trait-like, a stable component with decreasing but non-vanishing stability over
long intervals) and Fraley, Vicary, Brumbaugh & Roisman (2011); the model is not tuned to them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from iwm._errors import ParameterError
from iwm.measure._stats import correlation_or_none
from iwm.model._params import check_value

INTERVALS = (1.0, 5.0, 10.0, 20.0)
"""Retest intervals reported by default (years)."""


def retest_by_interval(
    *,
    n: int = 20_000,
    seed: int = 2024,
    caregiving: str = "low-risk",
    intervals: tuple[float, ...] = INTERVALS,
    burn_in: float = 1.0,
    events: bool = True,
    workers: int = 1,
) -> dict[str, Any]:
    """Test-retest r of anxiety and avoidance at each of ``intervals`` (years).

    ``events`` adds the default negative life events (losses, traumas, illnesses;
    :class:`iwm.model._life_events.LifeEventParams`). Returns the settings and one row per
    interval: ``interval_years``, ``anxiety_r``, ``avoidance_r`` (None where a side has no
    variance), and the mean absolute change of each dimension.
    """
    from iwm.model._development import develop
    from iwm.model._life import MAX_YEARS
    from iwm.model._life_events import LifeEventParams
    from iwm.study._life import live

    if not intervals:
        raise ParameterError("intervals", "at least one interval", "none")
    spans = sorted(float(check_value("intervals", t, 1 / 52, MAX_YEARS)) for t in intervals)
    burn_in = float(check_value("burn_in", burn_in, 0, MAX_YEARS))
    if burn_in + spans[-1] > MAX_YEARS:
        raise ParameterError("burn_in + intervals", f"at most {MAX_YEARS} years of adult life", burn_in + spans[-1])
    formed = develop(caregiving, n=n, seed=seed, workers=workers).population
    marks = (burn_in, *(burn_in + t for t in spans))
    life = live(
        formed,
        years=marks[-1],
        seed=seed,
        events=LifeEventParams() if events else None,
        snapshot_years=marks,
        workers=workers,
    )
    first = life.snapshots[0].astype(np.float64)
    rows = []
    for k, span in enumerate(spans, start=1):
        later = life.snapshots[k].astype(np.float64)
        rows.append(
            {
                "interval_years": span,
                "anxiety_r": correlation_or_none(first[0], later[0]),
                "avoidance_r": correlation_or_none(first[1], later[1]),
                "anxiety_change": float(np.mean(np.abs(later[0] - first[0]))),
                "avoidance_change": float(np.mean(np.abs(later[1] - first[1]))),
            }
        )
    return {
        "n": n,
        "seed": seed,
        "caregiving": caregiving,
        "burn_in_years": burn_in,
        "events": events,
        "rows": rows,
    }
