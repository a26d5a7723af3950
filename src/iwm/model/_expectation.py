"""The model of the relationship (MODEL.md C3): what seeking closeness is expected to bring.

Derived from the models of self (C1) and other (C2): V = E[A] - (1 - E[A]) x hurt(W) - E[D],
with hurt(W) = 0.5 + (1 - W), so rejection hurts more when one already feels unworthy
(Bowlby 1973; Bartholomew & Horowitz 1991). Positive V favours approach, negative V
withdrawal.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float32]
DTYPE = np.float32

V_BEST = 1.0
"""V of a fully available, harmless other (E[A] = 1, E[D] = 0)."""
V_WORST = -2.5
"""V of an unavailable, fully dangerous other, felt by someone without worth (E[A] = 0, W = 0, E[D] = 1)."""


def relationship_value(availability: F, self_worth: F, danger: F) -> F:
    """C3: V = E[A] - (1 - E[A]) x (0.5 + (1 - W)) - E[D]."""
    hurt = 0.5 + (1 - self_worth)
    return (availability - (1 - availability) * hurt - danger).astype(DTYPE)
