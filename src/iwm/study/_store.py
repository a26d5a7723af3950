"""A run folder: every result of a study as Parquet, a manifest, and a journal to resume from.

Layout of ``runs/NAME/``::

    manifest.json          kind, scenario (and sweep), seed entropy, iwm version, tasks
    scenario.yaml          the validated scenario, defaults filled in
    tasks.jsonl            the journal: one line per finished task, appended and synced
    tables/TABLE/task-000012.parquet   one file per task and table

Only the process that drives a run writes the folder, and it holds the folder's lock
(``.iwm.lock``, with ``filelock``) while it does: a second driver on the same folder is
refused. Workers return tables. The manifest is written first, so a folder without one holds
nothing but iwm's own leftovers and a run killed that early is simply started again. A full or
read-only disk stops a run with a one-line error; the tasks finished so far stay, and no half
file is left. A task's files
are written atomically first, then its journal line, so a run killed at any moment (even
SIGKILL) leaves finished tasks complete and unfinished ones absent or ignored: ``resume``
runs exactly the tasks without a journal line and rewrites their files, so nothing is lost
and nothing is counted twice. Readers (:meth:`Run.query`) see only finished tasks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import yaml

from iwm._errors import InputError
from iwm._files import atomic_write, atomic_write_text
from iwm.study._scenario import Scenario, TaskSpec
from iwm.study._task import TABLES, run_task

FORMAT = "iwm-run/1"
MANIFEST = "manifest.json"
JOURNAL = "tasks.jsonl"
LOCK = ".iwm.lock"
SCENARIO = "scenario.yaml"

Progress = Callable[[int, int], None]


@dataclasses.dataclass(frozen=True)
class Job:
    """One task to run: everything a worker needs, picklable."""

    id: str
    scenario: Scenario
    task: TaskSpec
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)


def work(job: Job, progress: Progress | None = None) -> tuple[str, dict[str, pa.Table], float]:
    """Run one job (on any worker): its id, its tables and the seconds it took."""
    start = time.perf_counter()
    tables = run_task(job.scenario, job.task, extra=job.extra, progress=progress)
    return job.id, tables, time.perf_counter() - start


def task_id(index: int) -> str:
    return f"{index:06d}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _write_parquet(path: Path, table: pa.Table) -> None:
    import pyarrow.parquet as pq

    def write(handle: BinaryIO) -> None:
        pq.write_table(table, handle, compression="zstd")

    atomic_write(path, write)


class Run:
    """A run folder: its manifest, its tables, and SQL over them.

    Open one with :func:`open_run`. Tables load as pandas (:meth:`table`), polars
    (:meth:`polars`) or Arrow (:meth:`arrow`); :meth:`query` runs DuckDB SQL over views named
    after the tables (plus ``tasks``, the manifest's task list).
    """

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self._lock: Any = None  # held by the driving process from prepare() to the end of execute()

    def close(self) -> None:
        """Let go of the folder's lock (a driver does this when it stops)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ------------------------------------------------------------------ reading

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def scenario(self) -> Scenario:
        return Scenario.model_validate(self.manifest["scenario"])

    def journal(self) -> dict[str, dict[str, Any]]:
        """Finished tasks by id, from the journal (a torn last line is ignored)."""
        out: dict[str, dict[str, Any]] = {}
        try:
            lines = (self.path / JOURNAL).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return out
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # the line a killed process was writing
            if isinstance(entry, dict) and entry.get("status") == "done":
                out[str(entry["id"])] = entry
        return out

    def tasks(self) -> list[dict[str, Any]]:
        """Every task with its status (``done`` or ``pending``) as of now."""
        done = self.journal()
        rows = []
        for t in self.manifest["tasks"]:
            entry = done.get(t["id"])
            rows.append({**t, "status": "done" if entry else "pending", **(_finished(entry) if entry else {})})
        return rows

    def done(self) -> list[str]:
        return [t["id"] for t in self.tasks() if t["status"] == "done"]

    def files(self, table: str) -> list[Path]:
        """The Parquet files of ``table`` from finished tasks, in task order; a file that links
        out of the run folder is refused (SQL and readers see only the run's own files)."""
        base = self.path.resolve()
        out = []
        for tid in self.done():
            path = self.path / "tables" / table / f"task-{tid}.parquet"
            if not path.exists():
                continue
            if not path.resolve().is_relative_to(base):
                raise InputError(str(path), "links outside the run folder; refused")
            out.append(path)
        return out

    def table_names(self) -> list[str]:
        return [name for name in TABLES if self.files(name)]

    def arrow(self, table: str) -> pa.Table:
        import pyarrow.parquet as pq

        if table not in TABLES:
            raise InputError(str(self.path), f"no table {table!r}; tables: {', '.join(TABLES)}")
        files = self.files(table)
        if not files:
            raise InputError(str(self.path), f"table {table!r} has no finished tasks (recorded: {self.table_names()})")
        return pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")

    def table(self, table: str) -> Any:
        """A table as a pandas DataFrame."""
        return self.arrow(table).to_pandas()

    def polars(self, table: str) -> Any:
        """A table as a polars DataFrame (needs polars installed)."""
        try:
            import polars as pl
        except ImportError:
            raise InputError("polars", "not installed: pip install polars (or use .table() for pandas)") from None
        return pl.from_arrow(self.arrow(table))

    def connect(self) -> Any:
        """An in-memory DuckDB connection with one view per table and a ``tasks`` view."""
        try:
            import duckdb
        except ImportError:
            raise InputError("duckdb", "not installed: pip install duckdb") from None
        con = duckdb.connect(":memory:")
        readable: list[str] = []
        for name in self.table_names():
            paths = [str(f.resolve()) for f in self.files(name)]
            readable += paths
            files = ", ".join(_sql_text(f) for f in paths)
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{files}], union_by_name = true)")
        import pandas as pd

        tasks = pd.DataFrame([{k: v for k, v in t.items() if k != "extra"} for t in self.tasks()])
        con.register("tasks", tasks)
        # read-only on the run's own files: no other file can be read, written or attached
        con.execute(f"SET allowed_paths = [{', '.join(_sql_text(f) for f in readable)}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        return con

    def query(self, sql: str, *, timeout: float | None = None) -> Any:
        """Run DuckDB SQL over the run; a pandas DataFrame. With ``timeout`` (seconds) a query
        still running then is stopped with an error (the dashboard's queries have one)."""
        import threading

        import duckdb

        views = ", ".join([*self.table_names(), "tasks"])
        if not isinstance(sql, str) or not sql.strip():
            raise InputError(f"query on {self.path}", f"the SQL is empty; e.g. SELECT * FROM summary (tables: {views})")
        con = self.connect()
        fired = threading.Event()

        def stop() -> None:
            fired.set()
            con.interrupt()

        timer = threading.Timer(timeout, stop) if timeout is not None else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        try:
            result = con.execute(sql)
            if result is None or result.description is None:  # None: no statement at all (";")
                raise InputError(f"query on {self.path}", "the statement returned no table; queries are read-only")
            return result.df()
        except duckdb.Error as exc:
            if fired.is_set():
                raise InputError(f"query on {self.path}", f"stopped after {timeout:g} s, the limit") from None
            raise InputError(f"query on {self.path}", f"{' '.join(str(exc).split())} (tables: {views})") from None
        finally:
            if timer is not None:
                timer.cancel()
            con.close()

    def status(self) -> dict[str, Any]:
        tasks = self.tasks()
        done = sum(t["status"] == "done" for t in tasks)
        return {
            "path": str(self.path),
            "kind": self.kind,
            "name": self.manifest["name"],
            "tasks": len(tasks),
            "done": done,
            "complete": done == len(tasks),
        }

    # ------------------------------------------------------------------ writing (driver only)

    def _record(self, tid: str, tables: Mapping[str, pa.Table], seconds: float) -> None:
        """Write a task's tables, then its journal line; on a failed write none of them stays."""
        written: list[Path] = []
        line = json.dumps(
            {
                "id": tid,
                "status": "done",
                "seconds": round(seconds, 3),
                "finished": _now(),
                "rows": {name: t.num_rows for name, t in tables.items()},
            }
        )
        try:
            for name, table in tables.items():
                path = self.path / "tables" / name / f"task-{tid}.parquet"
                _write_parquet(path, table)
                written.append(path)
            _append(self.path / JOURNAL, (line + "\n").encode("utf-8"))
        except OSError:
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise

    def _save_manifest(self) -> None:
        manifest = {**self.manifest, "updated": _now()}
        manifest["tasks"] = [
            {k: v for k, v in t.items() if k not in ("status", "seconds", "finished", "rows")} | {"status": t["status"]}
            for t in self.tasks()
        ]
        self.manifest = manifest
        atomic_write_text(self.path / MANIFEST, json.dumps(manifest, indent=1, default=str) + "\n")


def _append(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` and sync it; if the write fails (a full disk), cut the file
    back to where it was, so no torn line is left."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        size = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)


def _write_error(path: Path, exc: OSError) -> InputError:
    return InputError(
        str(path),
        f"cannot write the run folder ({exc.strerror or exc}); the tasks finished so far are kept: "
        "free space or make it writable, then finish with --resume",
    )


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _finished(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {k: entry[k] for k in ("seconds", "finished", "rows") if k in entry}


def open_run(path: str | os.PathLike[str]) -> Run:
    """Open a run folder written by :func:`iwm.run_scenario` or :func:`iwm.run_sweep`."""
    p = Path(path)
    try:
        manifest = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        what = "does not exist" if not p.exists() else "is not an iwm run folder (no manifest.json)"
        raise InputError(str(p), what) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(p / MANIFEST), f"unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(str(p / MANIFEST), f"not an {FORMAT} manifest; got format {manifest.get('format')!r}")
    return Run(p, manifest)


def prepare(
    out: str | os.PathLike[str],
    *,
    kind: str,
    scenario: Scenario,
    jobs: Sequence[Job],
    resume: bool,
    sweep: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> Run:
    """Create the run folder, or reopen it with ``resume`` (checking it holds the same study).

    The returned run holds the folder's lock until :func:`execute` ends (or :meth:`Run.close`):
    a second driver on the same folder is refused."""
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise InputError(str(p), "is a file; an iwm run needs a new or empty folder")
    _check_fresh(p)
    created = not p.exists()
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(p), f"cannot make the run folder ({exc.strerror or exc})") from None
    try:
        lock = _take_lock(p)
    except BaseException:
        if created:
            _remove_fresh(p)
        raise
    try:
        run = _prepare_locked(p, kind=kind, scenario=scenario, jobs=jobs, resume=resume, sweep=sweep, name=name)
    except BaseException:
        lock.release()
        if created:
            _remove_fresh(p)
        raise
    run._lock = lock
    return run


def _leftover(name: str) -> bool:
    """A file iwm itself leaves in a run folder before its manifest exists: the lock, and the
    temporary file of a manifest or scenario write that was killed."""
    return name == LOCK or (name.startswith((f".{MANIFEST}.", f".{SCENARIO}.")) and name.endswith(".part"))


def _check_fresh(p: Path) -> None:
    """A folder without a manifest must hold nothing of the user's (iwm's own leftovers aside)."""
    if not p.is_dir() or (p / MANIFEST).exists():
        return
    try:
        foreign = [entry.name for entry in p.iterdir() if not _leftover(entry.name)]
    except OSError as exc:
        raise InputError(str(p), f"cannot read the folder ({exc.strerror or exc})") from None
    if foreign:
        raise InputError(str(p), "exists and is not empty; an iwm run needs a new or empty folder")


def _take_lock(p: Path) -> Any:
    from filelock import FileLock, Timeout

    path = p / LOCK
    try:
        with open(path, "a"):  # a read-only folder is told apart from a busy one
            pass
    except OSError as exc:
        raise InputError(str(p), f"cannot write the run folder ({exc.strerror or exc})") from None
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise InputError(
            str(p),
            "another iwm process is running this study now (it holds the folder's lock); "
            "wait for it to finish, or stop it and finish with --resume",
        ) from None
    except OSError as exc:
        raise InputError(str(p), f"cannot lock the run folder ({exc.strerror or exc})") from None
    return lock


def _remove_fresh(p: Path) -> None:
    """Undo a folder this call created: remove what iwm wrote in it, then the folder."""
    with contextlib.suppress(OSError):
        for entry in p.iterdir():
            if _leftover(entry.name) or entry.name in (MANIFEST, SCENARIO):
                entry.unlink()
        p.rmdir()


def _prepare_locked(
    p: Path,
    *,
    kind: str,
    scenario: Scenario,
    jobs: Sequence[Job],
    resume: bool,
    sweep: Mapping[str, Any] | None,
    name: str | None,
) -> Run:
    from iwm._version import __version__

    identity = {"kind": kind, "scenario_digest": scenario.digest(), "sweep_digest": _digest(sweep)}
    scenario_text = yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False)
    if (p / MANIFEST).exists():
        run = open_run(p)
        if not resume:
            s = run.status()
            raise InputError(
                str(p),
                f"already holds a {run.kind} ({s['done']} of {s['tasks']} tasks done); finish it with --resume "
                "(resume=True in Python), or choose another folder",
            )
        stored = {k: run.manifest.get(k) for k in identity}
        if stored != identity:
            changed = ", ".join(k for k in identity if stored[k] != identity[k])
            raise InputError(
                str(p), f"holds a different study ({changed} differ), so it cannot be resumed with this one"
            )
        try:
            for part in [*p.glob(".*.part"), *(p / "tables").glob("*/.*.part")]:
                part.unlink(missing_ok=True)  # temporary files of a write that was killed
            _drop_torn_line(p / JOURNAL)
            if not (p / SCENARIO).exists():  # killed between the manifest and the scenario
                atomic_write_text(p / SCENARIO, scenario_text)
        except OSError as exc:
            raise _write_error(p, exc) from None
        return run
    _check_fresh(p)  # again, under the lock
    for part in p.glob(".*.part"):
        with contextlib.suppress(OSError):
            part.unlink()  # a manifest or scenario write that was killed
    manifest = {
        "format": FORMAT,
        **identity,
        "name": name or scenario.name,
        "iwm_version": __version__,
        "created": _now(),
        "seed_entropy": scenario.seed,
        "scenario": scenario.model_dump(mode="json"),
        "sweep": dict(sweep) if sweep is not None else None,
        "tables": list(TABLES),
        "tasks": [
            {
                "id": j.id,
                "index": j.task.index,
                "point": j.task.point,
                "arm": scenario.arms[j.task.arm].name,
                "replicate": j.task.replicate,
                "seed": j.task.seed,
                "extra": dict(j.extra),
                "status": "pending",
            }
            for j in jobs
        ],
    }
    run = Run(p, manifest)
    try:
        run._save_manifest()  # first: a folder with a manifest is a run that can be resumed
        atomic_write_text(p / SCENARIO, scenario_text)
    except OSError as exc:
        for written in (MANIFEST, SCENARIO):
            with contextlib.suppress(OSError):
                (p / written).unlink(missing_ok=True)
        raise InputError(str(p), f"cannot write the run folder ({exc.strerror or exc})") from None
    return run


def _drop_torn_line(journal: Path) -> None:
    """Cut a last line that a killed writer left without its newline, so that the next entry
    starts on a line of its own (the torn entry's task is simply run again)."""
    try:
        data = journal.read_bytes()
    except FileNotFoundError:
        return
    if data and not data.endswith(b"\n"):
        with open(journal, "r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)
            handle.flush()
            os.fsync(handle.fileno())


def _digest(data: Mapping[str, Any] | None) -> str | None:
    if data is None:
        return None
    import hashlib

    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


PROGRESS_SCALE = 1000
"""Progress is reported in thousandths of a task."""


def execute(run: Run, jobs: Sequence[Job], executor: Any, progress: Progress | None = None) -> Run:
    """Run every job not yet done on ``executor``, recording each as it finishes.

    ``progress(done, total)`` counts thousandths of a task (:data:`PROGRESS_SCALE`); where
    tasks run in this process it also moves while a task runs.
    """
    done = set(run.done())
    todo = [j for j in jobs if j.id not in done]
    total, finished = len(jobs) * PROGRESS_SCALE, (len(jobs) - len(todo)) * PROGRESS_SCALE
    if progress:
        progress(finished, total)
    fn: Any = work
    if progress is not None and getattr(executor, "name", "") == "serial":
        report = progress

        def within(d: int, t: int) -> None:
            report(finished + min(PROGRESS_SCALE - 1, PROGRESS_SCALE * d // max(t, 1)), total)

        def fn(job: Job) -> tuple[str, dict[str, pa.Table], float]:
            return work(job, within)

    last_save = time.monotonic()
    failed = True
    try:
        results: Iterator[tuple[str, dict[str, pa.Table], float]] = executor.imap_unordered(fn, todo)
        for tid, tables, seconds in results:
            try:
                run._record(tid, tables, seconds)
                if time.monotonic() - last_save > 5:
                    run._save_manifest()
                    last_save = time.monotonic()
            except OSError as exc:  # a full or read-only disk: a clean stop, resumable
                raise _write_error(run.path, exc) from None
            finished += PROGRESS_SCALE
            if progress:
                progress(finished, total)
        failed = False
    finally:
        try:
            executor.close()
            run._save_manifest()  # the journal is the record; this is a summary of it
        except OSError as exc:
            if not failed:
                raise _write_error(run.path, exc) from None
        finally:
            run.close()
    return run
