"""Where tasks run: in this process, on a local process pool, or on a Dask cluster.

Every executor takes a picklable function and a list of jobs and yields each job's result as
it finishes, in any order. The results depend only on the jobs (each task carries its own
seed), so the executor and its number of workers change speed, never results.

Dask is optional (``pip install 'iwm[distributed]'``): ``scheduler="local-cluster"`` starts
a cluster of worker processes on this machine, bound to 127.0.0.1; ``"tcp://HOST:PORT"``
connects to a running scheduler whose workers have iwm installed. Results travel back to
this process, which alone writes the run folder, so workers need no shared file system.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

from iwm._errors import ParameterError

J = TypeVar("J")
R = TypeVar("R")


class Executor(Protocol):
    """Runs ``fn(job)`` for every job and yields the results as they finish."""

    name: str
    workers: int

    def imap_unordered(self, fn: Callable[[J], R], jobs: Sequence[J]) -> Iterator[R]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Every job in this process, one after another."""

    name = "serial"
    workers = 1

    def imap_unordered(self, fn: Callable[[J], R], jobs: Sequence[J]) -> Iterator[R]:
        for job in jobs:
            yield fn(job)

    def close(self) -> None:
        pass


class PoolExecutor:
    """A local pool of worker processes; at most ``2 x workers`` jobs are in flight, so
    results are collected (and written) while the rest still run."""

    name = "local"

    def __init__(self, workers: int, start_method: str | None = None) -> None:
        import multiprocessing

        self.workers = workers
        # start_method "spawn": a driver that runs threads (JAX, in `iwm fit`) must not fork
        context = multiprocessing.get_context(start_method) if start_method is not None else None
        self._pool = ProcessPoolExecutor(
            max_workers=workers, initializer=_exit_with_parent, initargs=(os.getpid(),), mp_context=context
        )

    def imap_unordered(self, fn: Callable[[J], R], jobs: Sequence[J]) -> Iterator[R]:
        pending = iter(jobs)
        running = set()
        for job in pending:
            running.add(self._pool.submit(fn, job))
            if len(running) >= 2 * self.workers:
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                nxt = next(pending, None)
                if nxt is not None:
                    running.add(self._pool.submit(fn, nxt))
                yield fut.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _exit_with_parent(parent: int) -> None:
    """In a pool worker: end this process when the driving process is gone (even after a
    SIGKILL, which gives the pool no chance to stop its workers)."""
    import threading

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="iwm-exit-with-parent", daemon=True).start()


CONNECT_SECONDS = 30.0
"""How long to wait for a Dask scheduler to answer."""


def _iwm_version() -> str:
    from iwm import _version

    return _version.__version__


def _connect(client: Any, address: str, seconds: float) -> Any:
    """A Dask client of the scheduler at ``address``, or a clear error within ``seconds``, also
    when something that is not a Dask scheduler listens there (which can stall a handshake)."""
    import threading

    result: dict[str, Any] = {}

    def connect() -> None:
        try:
            result["client"] = client(address, timeout=f"{seconds:g}s")
        except BaseException as exc:  # any failure to connect is reported below, never raised here
            result["error"] = exc

    thread = threading.Thread(target=connect, name="iwm-dask-connect", daemon=True)
    thread.start()
    thread.join(seconds + 5)
    if "client" in result:
        return result["client"]
    why = f"{type(result['error']).__name__}: {result['error']}" if "error" in result else f"no answer in {seconds:g} s"
    raise ParameterError("scheduler", "the address of a running Dask scheduler", f"{address} ({why[:200]})")


class DaskExecutor:
    """Jobs on a Dask distributed cluster: a local one (``"local-cluster"``) or a running
    scheduler (``"tcp://HOST:PORT"``)."""

    name = "dask"

    def __init__(self, scheduler: str, workers: int) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ParameterError(
                "scheduler", "usable only with Dask installed: pip install 'iwm[distributed]'", scheduler
            ) from None
        self._cluster = None
        if scheduler == "local-cluster":
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=40,
            )
            self._client = Client(self._cluster)
        elif scheduler.startswith(("tcp://", "tls://")):
            self._client = _connect(Client, scheduler, CONNECT_SECONDS)
        else:
            raise ParameterError("scheduler", "'local-cluster' or an address tcp://HOST:PORT", scheduler)
        self._check_versions(scheduler)
        self.workers = len(self._client.scheduler_info().get("workers", {})) or workers

    def _check_versions(self, scheduler: str) -> None:
        """Every worker must run this version of iwm: the same scenario could else give other results."""
        from iwm import _version

        __version__ = _version.__version__  # read at call time: tests stand in another version

        try:
            found = self._client.run(_iwm_version)
        except Exception as exc:  # a worker without iwm cannot even answer
            self.close()
            raise ParameterError(
                "scheduler", f"workers with iwm {__version__} installed", f"{scheduler} ({exc})"
            ) from None
        other = {addr: v for addr, v in found.items() if v != __version__}
        if other:
            self.close()
            addr, version = next(iter(other.items()))
            raise ParameterError(
                "scheduler", f"workers with iwm {__version__}", f"{scheduler}: worker {addr} has iwm {version}"
            )

    def imap_unordered(self, fn: Callable[[J], R], jobs: Sequence[J]) -> Iterator[R]:
        from distributed import as_completed

        futures = [self._client.submit(fn, job, pure=False) for job in jobs]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        finally:
            self._client.cancel(futures)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()


def check_executor(workers: int | None, scheduler: str | None) -> int:
    """The number of workers (None: one per CPU), after checking both arguments."""
    if workers is None:
        workers = os.cpu_count() or 1
    if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= 1024:
        raise ParameterError("workers", "an integer in [1, 1024]", workers)
    if scheduler is not None and scheduler != "local-cluster" and not scheduler.startswith(("tcp://", "tls://")):
        raise ParameterError("scheduler", "'local-cluster' or an address tcp://HOST:PORT", scheduler)
    return workers


def make_executor(
    workers: int | None = None, scheduler: str | None = None, tasks: int | None = None, start_method: str | None = None
) -> Any:
    """The executor for ``workers`` and ``scheduler``.

    Without a scheduler this is a local process pool of ``workers`` processes (default: one
    per CPU), never more than the ``tasks`` to run; a single process runs them in place.
    ``start_method`` (e.g. ``"spawn"``) starts the pool's processes another way than the
    platform's default.
    """
    workers = check_executor(workers, scheduler)
    if scheduler is not None:
        return DaskExecutor(scheduler, workers)
    if tasks is not None:
        workers = max(1, min(workers, tasks))
    return SerialExecutor() if workers == 1 else PoolExecutor(workers, start_method)
