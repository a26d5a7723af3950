"""Change metrics: how far an intervention or an ablation moved people, on the read-outs.

For any two states of the same people (before and after a therapy, a life course, an ablated
run), the share whose adult category changed, the shares that moved into and out of security,
and the mean shift of each dimension with its confidence interval (a t interval over people:
n is in the thousands, so the mean's sampling distribution is normal). Correlations alone hide
a population that moves as a block; these numbers do not.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from iwm.measure._readout import ADULT_READOUT, SECURE_ADULT, AdultReadout, adult_category, anxiety, avoidance
from iwm.model._population import Population


def mean_with_ci(x: np.ndarray, confidence: float = 0.95) -> tuple[float | None, list[float] | None]:
    """The mean of ``x`` and its two-sided t confidence interval (None where undefined)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return None, None
    mean = float(x.mean())
    if x.size < 2:
        return mean, None
    half = float(stats.sem(x) * stats.t.ppf(0.5 + confidence / 2, x.size - 1))
    if not np.isfinite(half):
        return mean, None
    return mean, [mean - half, mean + half]


def change_metrics(
    before: Population, after: Population, readout: AdultReadout = ADULT_READOUT, confidence: float = 0.95
) -> dict[str, Any]:
    """Category change and mean dimension shift (with CI) from ``before`` to ``after``."""
    if before.n != after.n:
        raise ValueError(f"before and after must hold the same people; got {before.n} and {after.n}")
    c0, c1 = adult_category(before, readout), adult_category(after, readout)
    insecure, secure = c0 != SECURE_ADULT, c0 == SECURE_ADULT
    out: dict[str, Any] = {
        "category_changed": float(np.mean(c0 != c1)) if before.n else None,
        "insecure_to_secure": float(np.mean(c1[insecure] == SECURE_ADULT)) if insecure.any() else None,
        "secure_to_insecure": float(np.mean(c1[secure] != SECURE_ADULT)) if secure.any() else None,
    }
    for name, fn in (("anxiety", anxiety), ("avoidance", avoidance)):
        mean, ci = mean_with_ci(fn(after, readout).astype(np.float64) - fn(before, readout), confidence)
        out[f"{name}_shift"] = mean
        out[f"{name}_shift_ci"] = ci
    return out
