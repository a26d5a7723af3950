"""One seed root, split by identity.

Every random draw belongs to a *block* of ``BLOCK`` people and to a named stream (a
generation, a process). A block's generator is ``SeedSequence(seed, spawn_key=(stream,
block))``, so a person's random history depends only on the seed, the stream and the block
they belong to: never on chunk size, worker count or how many other people are simulated.
"""

from __future__ import annotations

import numpy as np

from iwm.model._params import check_value

BLOCK = 4096
"""People per random-number block: the unit of identity for randomness."""

MAX_SEED = 2**63 - 1


def check_seed(seed: object) -> int:
    check_value("seed", seed, 0, MAX_SEED, integer=True)
    return int(seed)  # type: ignore[call-overload]


def block_generator(seed: int, stream: int, block: int) -> np.random.Generator:
    """The generator of one block in one stream."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(stream, block))
    return np.random.Generator(np.random.SFC64(sequence))


def n_blocks(n: int) -> int:
    return -(-n // BLOCK)
