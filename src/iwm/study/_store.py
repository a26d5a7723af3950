"""A run folder: every result of a study as Parquet, a manifest, and a journal to resume from.

Layout of ``runs/NAME/``::

    manifest.json          kind, scenario (and sweep), seed entropy, iwm version, tasks
    scenario.yaml          the validated scenario, defaults filled in
    tasks.jsonl            the journal: one line per finished task, appended and synced
    tables/TABLE/task-000012.parquet   one file per task and table

Only the process that drives a run writes the folder; workers return tables. A task's files
are written atomically first, then its journal line, so a run killed at any moment (even
SIGKILL) leaves finished tasks complete and unfinished ones absent or ignored: ``resume``
runs exactly the tasks without a journal line and rewrites their files, so nothing is lost
and nothing is counted twice. Readers (:meth:`Run.query`) see only finished tasks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from iwm._errors import InputError
from iwm._files import atomic_write, atomic_write_text
from iwm.study._scenario import Scenario, TaskSpec
from iwm.study._task import TABLES, run_task

FORMAT = "iwm-run/1"
MANIFEST = "manifest.json"
JOURNAL = "tasks.jsonl"

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
        """The Parquet files of ``table`` from finished tasks, in task order."""
        return [p for tid in self.done() if (p := self.path / "tables" / table / f"task-{tid}.parquet").exists()]

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

    def query(self, sql: str) -> Any:
        """Run DuckDB SQL over the run; a pandas DataFrame."""
        import duckdb

        views = ", ".join([*self.table_names(), "tasks"])
        if not isinstance(sql, str) or not sql.strip():
            raise InputError(f"query on {self.path}", f"the SQL is empty; e.g. SELECT * FROM summary (tables: {views})")
        con = self.connect()
        try:
            result = con.execute(sql)
            if result.description is None:
                raise InputError(f"query on {self.path}", "the statement returned no table; queries are read-only")
            return result.df()
        except duckdb.Error as exc:
            raise InputError(f"query on {self.path}", f"{' '.join(str(exc).split())} (tables: {views})") from None
        finally:
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
        for name, table in tables.items():
            _write_parquet(self.path / "tables" / name / f"task-{tid}.parquet", table)
        line = json.dumps(
            {
                "id": tid,
                "status": "done",
                "seconds": round(seconds, 3),
                "finished": _now(),
                "rows": {name: t.num_rows for name, t in tables.items()},
            }
        )
        with open(self.path / JOURNAL, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _save_manifest(self) -> None:
        manifest = {**self.manifest, "updated": _now()}
        manifest["tasks"] = [
            {k: v for k, v in t.items() if k not in ("status", "seconds", "finished", "rows")} | {"status": t["status"]}
            for t in self.tasks()
        ]
        self.manifest = manifest
        atomic_write_text(self.path / MANIFEST, json.dumps(manifest, indent=1, default=str) + "\n")


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
    """Create the run folder, or reopen it with ``resume`` (checking it holds the same study)."""
    from iwm._version import __version__

    p = Path(out)
    identity = {"kind": kind, "scenario_digest": scenario.digest(), "sweep_digest": _digest(sweep)}
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
        for part in (p / "tables").glob("*/.*.part"):
            part.unlink(missing_ok=True)  # temporary files of a write that was killed
        _drop_torn_line(p / JOURNAL)
        return run
    if p.exists() and not p.is_dir():
        raise InputError(str(p), "is a file; an iwm run needs a new or empty folder")
    if p.exists() and any(p.iterdir()):
        raise InputError(str(p), "exists and is not empty; an iwm run needs a new or empty folder")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(p), f"cannot make the run folder ({exc.strerror or exc})") from None
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
    import yaml

    atomic_write_text(p / "scenario.yaml", yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False))
    run = Run(p, manifest)
    run._save_manifest()
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
    try:
        results: Iterator[tuple[str, dict[str, pa.Table], float]] = executor.imap_unordered(fn, todo)
        for tid, tables, seconds in results:
            run._record(tid, tables, seconds)
            finished += PROGRESS_SCALE
            if progress:
                progress(finished, total)
            if time.monotonic() - last_save > 5:
                run._save_manifest()
                last_save = time.monotonic()
    finally:
        executor.close()
        run._save_manifest()
    return run
