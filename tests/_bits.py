"""Bit-level comparison for the backend equivalence tests (tests/test_fused_*.py)."""

from __future__ import annotations

import numpy as np


def same_bits(x: np.ndarray, y: np.ndarray) -> bool:
    """True when ``x`` and ``y`` hold the same values bit for bit (float32 compared as their bits,
    so -0.0 differs from 0.0 and NaN payloads count)."""
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype == np.float32:
        return x.shape == y.shape and y.dtype == np.float32 and np.array_equal(x.view(np.uint32), y.view(np.uint32))
    return np.array_equal(x, y)
