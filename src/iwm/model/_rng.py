"""One seed root, split by identity.

Every random draw belongs to a named stream (a generation, a process) and is a pure function
of the seed, the stream and who it belongs to, never of chunk size, worker count or how many
other people are simulated. Two kinds of draws share the stream's Philox4x64-10 key
(:func:`iwm.model._philox.key`):

* hot-loop draws (formation's weekly episodes) are counter-based per person:
  :func:`iwm.model._philox.uniforms` at the counter ``(person, step, sub, 0)``;
* draws made once per *block* of ``BLOCK`` people (caregivers, and the processes that still
  draw in block order) come from :func:`block_generator`, a Philox generator whose counter
  starts at ``(0, 0, block, 1)``. Counter word 3 is 1 for block generators and 0 for
  per-person draws, so the two never meet.
"""

from __future__ import annotations

import numpy as np

from iwm.model._params import check_value
from iwm.model._philox import key

BLOCK = 4096
"""People per random-number block: the unit of identity for randomness."""

MAX_SEED = 2**63 - 1

_BLOCK_TAG = 1 << 192  # counter word 3 = 1: reserved for block generators


def check_seed(seed: object) -> int:
    check_value("seed", seed, 0, MAX_SEED, integer=True)
    return int(seed)  # type: ignore[call-overload]


def block_generator(seed: int, stream: int, block: int) -> np.random.Generator:
    """The generator of one block in one stream: Philox under the stream's key, its counter
    starting at ``(0, 0, block, 1)`` (NumPy increments before each use, hence the ``- 1``)."""
    start = _BLOCK_TAG + ((block % (1 << 64)) << 128) - 1
    return np.random.Generator(np.random.Philox(key=key(seed, stream), counter=start))


def n_blocks(n: int) -> int:
    return -(-n // BLOCK)
