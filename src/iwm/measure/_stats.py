"""Small statistics used by summaries and calibration (no I/O)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def shares(codes: NDArray[np.integer], labels: tuple[str, ...]) -> dict[str, float]:
    counts = np.bincount(codes.astype(np.int64), minlength=len(labels))
    total = max(int(counts.sum()), 1)
    return {label: float(c) / total for label, c in zip(labels, counts, strict=True)}


def concordance_kappa(a: NDArray[np.bool_], b: NDArray[np.bool_]) -> tuple[float, float]:
    """Agreement of two binary classifications and Cohen's (1960) kappa."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    observed = float(np.mean(a == b))
    pa, pb = float(a.mean()), float(b.mean())
    expected = pa * pb + (1 - pa) * (1 - pb)
    kappa = (observed - expected) / (1 - expected) if expected < 1 else float("nan")
    return observed, kappa


def pearson(x: NDArray[np.floating] | NDArray[np.bool_], y: NDArray[np.floating] | NDArray[np.bool_]) -> float:
    """Pearson r (point-biserial when one side is binary), computed in float64."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    if x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def correlation_or_none(x: NDArray[np.floating], y: NDArray[np.floating]) -> float | None:
    """:func:`pearson`, or None where it is undefined (a side without variance): for JSON."""
    r = pearson(x, y)
    return None if np.isnan(r) else r
