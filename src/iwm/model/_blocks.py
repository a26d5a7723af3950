"""Running a process over whole random-number blocks, serially or on worker processes.

A task is a run of consecutive blocks (:mod:`iwm.model._rng`). Every block draws its own numbers
from its own generator, so splitting the blocks into tasks, and the tasks over workers,
changes speed and memory but never results.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from iwm._errors import ParameterError
from iwm.model._params import check_value
from iwm.model._philox import HAVE_NUMBA
from iwm.model._rng import BLOCK, n_blocks

R = TypeVar("R")

Progress = Callable[[int, int], None]
"""Called as ``progress(people_done, people_total)`` after each finished task."""

MAX_N = 50_000_000


BACKENDS = ("numpy", "numba")
"""How a process is computed: the NumPy reference implementation, or the fused kernels compiled
by numba (bit-identical to it)."""


def check_backend(backend: object) -> str:
    """``backend`` as given, or the fast one (numba when importable, else numpy) for None."""
    if backend is None:
        return "numba" if HAVE_NUMBA else "numpy"
    if backend not in BACKENDS:
        raise ParameterError("backend", f"one of {', '.join(BACKENDS)} or None (the fastest available)", backend)
    if backend == "numba" and not HAVE_NUMBA:
        raise ParameterError("backend", "numba installed (pip install numba), or backend='numpy'", backend)
    return str(backend)


def check_workers(chunk_size: int, workers: int) -> tuple[int, int]:
    chunk = int(check_value("chunk_size", chunk_size, 1, MAX_N, integer=True))
    return chunk, int(check_value("workers", workers, 1, 256, integer=True))


def block_tasks(n: int, chunk_size: int) -> list[range]:
    """Consecutive runs of whole blocks, each about ``chunk_size`` people (at least one block)."""
    per_task = max(1, -(-chunk_size // BLOCK))
    total = n_blocks(n)
    return [range(b, min(b + per_task, total)) for b in range(0, total, per_task)]


def map_blocks(
    task: Callable[..., R],
    n: int,
    *,
    chunk_size: int,
    workers: int,
    progress: Progress | None = None,
    data: Callable[[range], object] | None = None,
) -> list[R]:
    """``task(blocks)``, or ``task(blocks, data(blocks))``, for every task of
    :func:`block_tasks`, in block order.

    ``data`` cuts out what one task needs (its people), so that a worker process is sent
    only that. ``task`` must be picklable when ``workers > 1`` (a module-level function or a
    :func:`functools.partial` of one).
    """
    tasks = block_tasks(n, chunk_size)
    results: list[R] = []

    def args(blocks: range) -> tuple[object, ...]:
        return (blocks,) if data is None else (blocks, data(blocks))

    if workers == 1 or len(tasks) == 1:
        for blocks in tasks:
            results.append(task(*args(blocks)))
            if progress:
                progress(min(n, blocks.stop * BLOCK), n)
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        futures = [pool.submit(task, *args(blocks)) for blocks in tasks]
        for blocks, fut in zip(tasks, futures, strict=True):
            results.append(fut.result())
            if progress:
                progress(min(n, blocks.stop * BLOCK), n)
    return results
