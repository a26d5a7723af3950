"""Perception through the working model (C7, C21, C4).

What a person registers of another's response is the response pulled toward what their
model expects, more so the more ambiguous the response is; awareness (C4) lets a person
override part of the pull. Beliefs then update on the *perceived* event (C21), which is
what makes an insecure model confirm itself.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float32]


def ambiguity(response: F) -> F:
    """1 for a response of 0.5 (could be read either way), 0 for a clear 0 or 1."""
    return 1 - np.abs(2 * response - 1)


def perceive(response: F, expected: F, bias: float | F, awareness: float | F) -> F:
    """Perceived response = actual + bias x ambiguity x (1 - awareness) x (expected - actual).

    ``response`` and ``expected`` are on [0, 1] (1 = fully comforting / available).
    """
    pull = bias * ambiguity(response) * (1 - awareness)
    return response + pull * (expected - response)
