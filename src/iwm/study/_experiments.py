"""Studies from files: run a scenario or a sweep into a run folder, on any executor.

>>> run = iwm.run_scenario("examples/demo.yaml", "runs/demo", workers=2)   # doctest: +SKIP
>>> run.query("SELECT arm, avg(end_secure) FROM summary GROUP BY arm")      # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from iwm.study._executors import check_executor, make_executor
from iwm.study._scenario import Scenario, load_scenario, scenario_from_mapping
from iwm.study._store import MANIFEST, Job, Progress, Run, execute, open_run, prepare, task_id
from iwm.study._sweep import Sweep, load_sweep, sensitivity, sweep_from_mapping


def _scenario(scenario: Scenario | str | os.PathLike[str] | dict[str, Any]) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return scenario_from_mapping(scenario)
    return load_scenario(scenario)


def scenario_jobs(scenario: Scenario) -> list[Job]:
    return [Job(task_id(t.index), scenario, t) for t in scenario.tasks()]


def run_scenario(
    scenario: Scenario | str | os.PathLike[str] | dict[str, Any],
    out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> Run:
    """Run every (arm, replicate) task of a scenario (a file, a mapping or a
    :class:`Scenario`) into the run folder ``out``.

    ``progress(done, total)`` counts thousandths of a task. ``workers`` local processes
    (default: one per CPU), or a Dask ``scheduler`` (``"local-cluster"`` or
    ``"tcp://HOST:PORT"``). ``resume=True`` finishes a run that was interrupted. Results
    are the same whatever the executor and the number of workers.
    """
    sc = _scenario(scenario)
    jobs = scenario_jobs(sc)
    executor = _executor(out, jobs, workers, scheduler, resume)
    try:
        run = prepare(out, kind="run", scenario=sc, jobs=jobs, resume=resume)
    except BaseException:
        executor.close()
        raise
    return execute(run, jobs, executor, progress)


def _executor(
    out: str | os.PathLike[str], jobs: list[Job], workers: int | None, scheduler: str | None, resume: bool
) -> Any:
    """The executor, made (and a scheduler reached) before the run folder is, so that a failure
    here leaves nothing behind; no more local workers than tasks left."""
    check_executor(workers, scheduler)
    done: set[str] = set()
    if resume and (Path(out) / MANIFEST).exists():
        done = set(open_run(out).done())
    return make_executor(workers, scheduler, tasks=sum(j.id not in done for j in jobs))


def sweep_jobs(sweep: Sweep) -> list[Job]:
    jobs = []
    per_point = len(sweep.base_scenario.tasks())
    for p, (point, sc) in enumerate(zip(sweep.points, sweep.scenarios, strict=True)):
        for t in sc.tasks():
            index = p * per_point + t.index
            spec = type(t)(index=index, arm=t.arm, replicate=t.replicate, seed=t.seed, point=p)
            jobs.append(Job(task_id(index), sc, spec, extra=point))
    return jobs


def run_sweep(
    sweep: Sweep | str | os.PathLike[str] | dict[str, Any],
    out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> Run:
    """Run a sweep (a file, a mapping or a :class:`Sweep`): every point of its design, each
    with every arm and replicate of the base scenario, into the run folder ``out``."""
    if isinstance(sweep, dict):
        sweep = sweep_from_mapping(sweep)
    elif not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    jobs = sweep_jobs(sweep)
    executor = _executor(out, jobs, workers, scheduler, resume)
    try:
        run = prepare(
            out,
            kind="sweep",
            scenario=sweep.base_scenario,
            jobs=jobs,
            resume=resume,
            sweep=sweep.describe(),
            name=sweep.spec.name,
        )
    except BaseException:
        executor.close()
        raise
    return execute(run, jobs, executor, progress)


def sensitivity_of(run: Run | str | os.PathLike[str], seed: int = 0) -> Any:
    """Sensitivity indices of a finished sweep (see :func:`iwm.study._sweep.sensitivity`)."""
    from iwm._errors import InputError

    r = run if isinstance(run, Run) else open_run(Path(run))
    if r.kind != "sweep" or not r.manifest.get("sweep"):
        raise InputError(str(r.path), "is a single run, not a sweep; sensitivity needs `iwm sweep`")
    return sensitivity(r.table("summary"), r.manifest["sweep"], seed=seed)
