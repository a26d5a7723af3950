"""The experiment layer: scenario files, run folders, executors, resume, sweeps and queries.

Every run here is small (a few thousand people, a year or less of adult life) and seeded, so
the tests are deterministic; equality across executors and after a kill is exact.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

import iwm
from iwm.model._adult import AdultParams, Mechanisms
from iwm.model._formation import FormationParams
from iwm.model._life_events import LifeEventParams
from iwm.model._params import Switches
from iwm.model._therapy import Components, TherapyParams
from iwm.study._scenario import build, scenario_from_mapping, section_model
from iwm.study._sweep import sweep_from_mapping

# ---------------------------------------------------------------- shared scenarios and helpers

SMALL: dict[str, Any] = {
    "name": "small",
    "seed": 11,
    "replicates": 2,
    "population": {"n": 3000},
    "adult": {"years": 1.0},
    "arms": [{"name": "usual"}, {"name": "therapy", "therapy": {"weeks": 20}}],
    "recorders": {
        "trajectories": {"sample": 50, "every_years": 0.5},
        "couples": [{"a": "preoccupied", "b": "dismissing", "days": 20}],
    },
}
"""Two arms (one in therapy) x two replicates, every recorder on: 4 tasks, all five tables."""

KEYS = {
    "summary": ["task"],
    "people": ["task", "person"],
    "trajectories": ["task", "person", "age"],
    "pairings": ["task", "pairing"],
    "couples": ["task", "couple_index", "day"],
}
"""The key that identifies a row of each table (for comparing runs row by row)."""

TIMING = {"seconds", "finished", "updated", "created"}


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def canonical(run: iwm.Run, table: str) -> pd.DataFrame:
    frame = run.table(table)
    keys = [k for k in KEYS[table] if k in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def assert_same_tables(a: iwm.Run, b: iwm.Run) -> None:
    assert a.table_names() == b.table_names()
    for name in a.table_names():
        pd.testing.assert_frame_equal(canonical(a, name), canonical(b, name), check_exact=True, obj=name)


def journal_lines(run_dir: Path) -> list[dict[str, Any]]:
    lines = (run_dir / "tasks.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> iwm.Run:
    """SMALL run serially: the reference the other executors must reproduce."""
    return iwm.run_scenario(SMALL, tmp_path_factory.mktemp("serial") / "run")


# ---------------------------------------------------------------- 1. scenario validation


def _set(path: str, value: Any) -> Any:
    """A mutation of SMALL setting the key path ``path`` to ``value``."""

    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        parts = iwm.study._scenario.split_path(path)
        for part in parts[:-1]:
            if isinstance(part, str) and part not in node:
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value

    return mutate


BAD = [
    # (id, mutation, key path, words of the rule, the value as received)
    ("range", _set("adult.params.protest", 9), "adult.params.protest", "less than or equal to 5", "got 9"),
    ("negative weeks", _set("arms[1].therapy.weeks", -1), "arms[1].therapy.weeks", "greater than or equal to 0", "-1"),
    ("fractional weeks", _set("arms[1].therapy.weeks", 2.5), "arms[1].therapy.weeks", "valid integer", "got 2.5"),
    ("unknown mix", _set("population.caregiving", "nonsense"), "population.caregiving", "must be one of", "'nonsense'"),
    ("couple style", _set("recorders.couples[0].a", "happy"), "recorders.couples[0].a", "'secure'", "got 'happy'"),
    ("duplicate arm", _set("arms[1].name", "usual"), "arms[1].name", "must be unique", "'usual'"),
    (
        "therapy too late",
        _set("arms[1].therapy.start_year", 2),
        "arms[1].therapy.start_year",
        "must be before the end of the adult years (1)",
        "got 2",
    ),
    ("population size", _set("population.n", 0), "population.n", "greater than or equal to 1", "got 0"),
    ("seed", _set("seed", -1), "seed", "greater than or equal to 0", "got -1"),
    ("switch", _set("adult.mechanisms.projection", "yes"), "adult.mechanisms.projection", "valid boolean", "'yes'"),
    ("no arms", _set("arms", []), "arms", "at least 1 item", "got []"),
    ("share", _set("arms[1].therapy.clients.share", 0), "arms[1].therapy.clients.share", "greater than 0", "got 0"),
    (
        "integer parameter",
        _set("population.formation.episodes_per_week", 2.5),
        "population.formation.episodes_per_week",
        "valid integer",
        "got 2.5",
    ),
    ("chunk", _set("execution.chunk_size", 0), "execution.chunk_size", "greater than or equal to 1", "got 0"),
    ("events", _set("adult.events.relapse", 2), "adult.events.relapse", "less than or equal to 1", "got 2"),
    (
        "therapy params",
        _set("arms[1].therapy.params.attunement", 1.5),
        "arms[1].therapy.params.attunement",
        "less than or equal to 1",
        "got 1.5",
    ),
    ("therapy without adult", _set("adult", None), "arms[1].therapy", "`adult` is null", ""),
    (
        "two mixes",
        lambda d: d["population"].update(caregiving="low-risk", parents="high-risk"),
        "population",
        "not both",
        "",
    ),
]


@pytest.mark.parametrize(("mutate", "path", "rule", "value"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_scenario_names_file_key_rule_and_value(
    tmp_path: Path, mutate: Any, path: str, rule: str, value: str
) -> None:
    data = copy.deepcopy(SMALL)
    mutate(data)
    file = write_yaml(tmp_path / "bad.yaml", data)
    with pytest.raises(iwm.InputError) as info:
        iwm.load_scenario(file)
    message = str(info.value)
    assert message.startswith(f"{file}: {path}: "), message
    assert rule in message
    assert value in message


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("adult.params.protset", ["protest", "vigilance", "acceptance_slope"]),
        ("replicate", ["name", "seed", "replicates", "population", "adult", "arms", "recorders", "execution"]),
        ("arms[1].therapy.week", ["clients", "start_year", "weeks", "components", "params"]),
    ],
)
def test_unknown_key_lists_the_allowed_keys(tmp_path: Path, path: str, allowed: list[str]) -> None:
    data = copy.deepcopy(SMALL)
    _set(path, 1)(data)
    file = write_yaml(tmp_path / "typo.yaml", data)
    with pytest.raises(iwm.InputError, match="unknown key; allowed: ") as info:
        iwm.load_scenario(file)
    message = str(info.value)
    assert message.startswith(f"{file}: {path}: ")
    listed = message.split("allowed: ", 1)[1].split(", ")
    assert set(allowed) <= set(listed)


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("population:\n  n: [1, 2\nadult: {\n", encoding="utf-8")
    with pytest.raises(iwm.InputError, match="not valid YAML") as info:
        iwm.load_scenario(broken)
    assert str(info.value).startswith(f"{broken}: ")
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(iwm.InputError, match="file not found") as info:
        iwm.load_scenario(missing)
    assert str(missing) in str(info.value)
    listed = write_yaml(tmp_path / "list.yaml", [1, 2])
    with pytest.raises(iwm.InputError, match="must be a mapping"):
        iwm.load_scenario(listed)


def _non_default(f: dataclasses.Field[Any], switches: bool) -> Any:
    """A value in range that differs from the field's default."""
    if switches:
        return not f.default
    lo, hi = f.metadata["range"]
    if f.metadata.get("integer"):
        return int(hi) if f.default != hi else int(lo)
    mid = (f.default + hi) / 2 if f.default < hi else (lo + f.default) / 2
    return round(mid, 6)


SECTIONS = [
    # (class, key path of its section in a scenario)
    (AdultParams, "adult.params"),
    (Mechanisms, "adult.mechanisms"),
    (FormationParams, "population.formation"),
    (LifeEventParams, "adult.events"),
    (TherapyParams, "arms[1].therapy.params"),
    (Components, "arms[1].therapy.components"),
]


def test_every_parameter_of_the_python_api_can_be_set_from_the_file(tmp_path: Path) -> None:
    data = copy.deepcopy(SMALL)
    expected: dict[type, dict[str, Any]] = {}
    for cls, path in SECTIONS:
        fields = dataclasses.fields(cls)
        assert {f.name for f in fields} == set(section_model(cls).model_fields), cls.__name__
        values = {f.name: _non_default(f, issubclass(cls, Switches)) for f in fields}
        assert all(values[f.name] != f.default for f in fields)
        _set(path, values)(data)
        expected[cls] = values
    sc = iwm.load_scenario(write_yaml(tmp_path / "every.yaml", data))
    sections = {
        AdultParams: sc.adult.params,
        Mechanisms: sc.adult.mechanisms,
        FormationParams: sc.population.formation,
        LifeEventParams: sc.adult.events,
        TherapyParams: sc.arms[1].therapy.params,
        Components: sc.arms[1].therapy.components,
    }
    for cls, values in expected.items():
        built = build(cls, sections[cls])
        assert built == cls(**values), cls.__name__
        for name, value in values.items():
            assert getattr(built, name) == value, f"{cls.__name__}.{name}"


# ---------------------------------------------------------------- 2. determinism across executors


def test_reference_run_shapes(small_run: iwm.Run) -> None:
    n, sample, occasions = 3000, 50, 3  # age 18, then every half year of one adult year
    assert small_run.status() | {"path": None} == {
        "path": None,
        "kind": "run",
        "name": "small",
        "tasks": 4,
        "done": 4,
        "complete": True,
    }
    summary = small_run.polars("summary")
    assert summary.shape[0] == 4
    assert sorted(summary["task"].to_list()) == [0, 1, 2, 3]
    people = small_run.table("people")
    assert people.groupby("task").size().to_dict() == dict.fromkeys(range(4), n)
    assert people.groupby("task")["person"].nunique().eq(n).all()
    traj = small_run.table("trajectories")
    assert traj.groupby("task").size().to_dict() == dict.fromkeys(range(4), sample * occasions)
    assert sorted(traj["age"].unique()) == [18.0, 18.5, 19.0]
    assert small_run.table("couples").groupby("task").size().to_dict() == dict.fromkeys(range(4), 20)
    assert small_run.arrow("summary").num_rows == 4
    # common random numbers: arms of one replicate share the seed and the population at 18
    s = small_run.table("summary").sort_values("task")
    assert s.groupby("replicate")["seed"].nunique().eq(1).all()
    assert s["seed"].nunique() == 2
    at18 = people.pivot_table(index=["replicate", "person"], columns="arm", values="anxiety_18")
    assert (at18["usual"] == at18["therapy"]).all()


def test_local_pool_gives_the_serial_results(small_run: iwm.Run, tmp_path: Path) -> None:
    pooled = iwm.run_scenario(SMALL, tmp_path / "pool", workers=2)
    assert_same_tables(small_run, pooled)


def test_dask_local_cluster_gives_the_serial_results(small_run: iwm.Run, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    clustered = iwm.run_scenario(SMALL, tmp_path / "dask", scheduler="local-cluster", workers=2)
    assert clustered.status()["complete"]
    assert_same_tables(small_run, clustered)


def test_chunk_size_does_not_change_results(small_run: iwm.Run, tmp_path: Path) -> None:
    chunked = copy.deepcopy(SMALL) | {"execution": {"chunk_size": 700}}
    run = iwm.run_scenario(chunked, tmp_path / "chunked")
    assert_same_tables(small_run, run)


def test_scenario_file_mapping_and_object_give_one_study(small_run: iwm.Run, tmp_path: Path) -> None:
    file = write_yaml(tmp_path / "small.yaml", SMALL)
    sc = iwm.load_scenario(file)
    assert sc.digest() == scenario_from_mapping(SMALL).digest() == small_run.scenario.digest()
    stored = iwm.load_scenario(small_run.path / "scenario.yaml")  # the folder's copy, defaults filled in
    assert stored.digest() == sc.digest()


GRID: dict[str, Any] = {
    "name": "grid",
    "scenario": {
        "seed": 5,
        "population": {"n": 2000},
        "adult": {"years": 0.5},
        "recorders": {"people": False, "trajectories": None},
    },
    "design": {"method": "grid"},
    "parameters": {"adult.params.protest": {"values": [0.2, 1.5]}, "adult.years": {"values": [0.25, 0.5]}},
}


def test_sweep_is_the_same_with_one_or_two_workers(tmp_path: Path) -> None:
    one = iwm.run_sweep(GRID, tmp_path / "one", workers=1)
    two = iwm.run_sweep(GRID, tmp_path / "two", workers=2)
    assert len(one.tasks()) == 4
    assert_same_tables(one, two)
    summary = canonical(one, "summary")
    assert summary[["adult.params.protest", "adult.years"]].values.tolist() == [
        [0.2, 0.25],
        [0.2, 0.5],
        [1.5, 0.25],
        [1.5, 0.5],
    ]
    assert summary["years"].tolist() == [0.25, 0.5, 0.25, 0.5]
    assert summary["seed"].nunique() == 1  # common random numbers across points


# ---------------------------------------------------------------- 3. kill and resume

KILL_SWEEP: dict[str, Any] = {
    "name": "killed",
    "scenario": {
        "seed": 21,
        "replicates": 3,
        "population": {"n": 4000},
        "adult": {"years": 1.0},
        "recorders": {"trajectories": {"sample": 40}},
    },
    "parameters": {"adult.params.protest": {"values": [0.3, 0.6, 0.9, 1.2]}},
}
"""4 points x 3 replicates = 12 tasks, about 0.5 s each."""


def _start_sweep(out: Path) -> subprocess.Popen[bytes]:
    code = f"import iwm; iwm.run_sweep({KILL_SWEEP!r}, {str(out)!r})"
    return subprocess.Popen(
        [sys.executable, "-c", code],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _done_ids(run_dir: Path) -> set[str]:
    try:
        text = (run_dir / "tasks.jsonl").read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    done = set()
    for line in text.splitlines():
        try:
            done.add(json.loads(line)["id"])
        except (json.JSONDecodeError, KeyError):
            pass
    return done


def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    total = 12
    out = tmp_path / "killed"
    proc = _start_sweep(out)
    try:
        deadline = time.monotonic() + 120
        while len(_done_ids(out)) < 2:
            assert proc.poll() is None, f"the sweep ended before it was killed: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "no task finished in 120 s"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    killed = iwm.open_run(out)
    done = set(killed.done())
    assert 2 <= len(done) < total, "the kill came too late to test resume"
    # every task the journal calls done has all its files, with the rows it reported
    for entry in journal_lines(out):
        for table, rows in entry["rows"].items():
            path = out / "tables" / table / f"task-{entry['id']}.parquet"
            assert pq.read_metadata(path).num_rows == rows, path
    assert killed.status()["complete"] is False
    assert len(killed.table("summary")) == len(done)  # readers see finished tasks only

    resumed = iwm.run_sweep(KILL_SWEEP, out, resume=True)
    assert resumed.status() | {"path": None} == {
        "path": None,
        "kind": "sweep",
        "name": "killed",
        "tasks": total,
        "done": total,
        "complete": True,
    }
    ids = [t["id"] for t in resumed.tasks()]
    assert len(ids) == len(set(ids)) == total
    assert all(t["status"] == "done" for t in resumed.tasks())
    lines = [e["id"] for e in journal_lines(out)]
    assert sorted(lines) == sorted(ids), "each task is journaled exactly once"
    assert list((out / "tables").rglob("*.part")) == []
    summary = resumed.table("summary")
    assert sorted(summary["task"]) == list(range(total))
    people = resumed.table("people")
    assert people.groupby("task").size().to_dict() == dict.fromkeys(range(total), 4000)
    assert not people.duplicated(["task", "person"]).any()
    traj = resumed.table("trajectories")
    assert traj.groupby("task").size().to_dict() == dict.fromkeys(range(total), 40 * 2)
    assert resumed.query("SELECT count(*) AS c FROM summary")["c"].item() == total
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [t["status"] for t in manifest["tasks"]] == ["done"] * total

    whole = iwm.run_sweep(KILL_SWEEP, tmp_path / "whole", workers=2)
    assert_same_tables(whole, resumed)


def test_a_run_folder_is_never_overwritten(small_run: iwm.Run, tmp_path: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in small_run.path.rglob("*")}
    with pytest.raises(iwm.InputError, match="--resume") as info:
        iwm.run_scenario(SMALL, small_run.path)
    assert str(small_run.path) in str(info.value)
    assert "4 of 4 tasks done" in str(info.value)
    other = copy.deepcopy(SMALL) | {"seed": 12}
    with pytest.raises(iwm.InputError, match="different study"):
        iwm.run_scenario(other, small_run.path, resume=True)
    with pytest.raises(iwm.InputError, match="different study"):
        iwm.run_sweep(GRID | {"scenario": SMALL}, small_run.path, resume=True)
    assert {p: p.stat().st_mtime_ns for p in small_run.path.rglob("*")} == before
    # resuming a complete run runs nothing and changes no table
    again = iwm.run_scenario(SMALL, small_run.path, resume=True)
    assert sorted(e["id"] for e in journal_lines(small_run.path)) == [t["id"] for t in again.tasks()]

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(iwm.InputError, match="not empty"):
        iwm.run_scenario(SMALL, foreign)
    with pytest.raises(iwm.InputError, match="not empty"):
        iwm.run_sweep(GRID, foreign)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(iwm.InputError, match=r"no manifest\.json"):
        iwm.open_run(foreign)


def test_resume_after_a_torn_journal_line_completes_the_run(tmp_path: Path) -> None:
    """A journal whose last line was cut mid-write (power loss, full disk) must still resume to a complete run:
    Run.journal ignores a torn last line, so resume must also not lose the line it writes after it."""
    scenario = copy.deepcopy(GRID["scenario"]) | {"replicates": 3}
    out = tmp_path / "torn"
    iwm.run_scenario(scenario, out)
    journal = out / "tasks.jsonl"
    text = journal.read_text(encoding="utf-8")
    journal.write_text(text[: len(text) - 20], encoding="utf-8")  # the last line torn, no newline
    assert iwm.open_run(out).status()["done"] == 2
    resumed = iwm.run_scenario(scenario, out, resume=True)
    assert resumed.status()["complete"], resumed.status()


# ---------------------------------------------------------------- 4. queries


def test_duckdb_queries(small_run: iwm.Run) -> None:
    by_arm = small_run.query("SELECT arm, count(*) AS tasks FROM summary GROUP BY arm ORDER BY arm")
    assert by_arm.to_dict("list") == {"arm": ["therapy", "usual"], "tasks": [2, 2]}
    joined = small_run.query(
        """
        SELECT s.task, s.arm, count(*) AS people, avg(p.anxiety_end) AS anxiety, any_value(s.anxiety_mean_end) AS mean
        FROM people p JOIN summary s ON p.task = s.task
        GROUP BY s.task, s.arm ORDER BY s.task
        """
    )
    assert joined["people"].tolist() == [3000] * 4
    assert joined["anxiety"].to_numpy() == pytest.approx(joined["mean"].to_numpy(), rel=1e-5)
    tasks = small_run.query("SELECT id, arm, replicate, status FROM tasks ORDER BY id")
    assert tasks["status"].tolist() == ["done"] * 4
    assert tasks["arm"].tolist() == ["usual", "therapy", "usual", "therapy"]
    assert tasks["replicate"].tolist() == [0, 0, 1, 1]
    clients = small_run.query(
        "SELECT s.arm, sum(CAST(p.client AS INT)) AS c, any_value(s.clients) AS reported "
        "FROM people p JOIN summary s USING (task) GROUP BY s.task, s.arm"
    )
    assert (clients["c"] == clients["reported"]).all()
    assert (clients.loc[clients["arm"] == "usual", "c"] == 0).all()


def test_bad_query_names_the_tables(small_run: iwm.Run) -> None:
    with pytest.raises(iwm.InputError) as info:
        small_run.query("SELECT * FROM nonsense")
    message = str(info.value)
    assert message.startswith(f"query on {small_run.path}")
    for name in ("summary", "people", "trajectories", "pairings", "couples", "tasks"):
        assert name in message.split("(tables: ")[-1]
    with pytest.raises(iwm.InputError, match="no table 'nope'"):
        small_run.table("nope")


# ---------------------------------------------------------------- 5. sweeps and sensitivity

BASE = {"seed": 3, "population": {"n": 2000}, "adult": {"years": 0.5}, "recorders": {"people": False}}


def _sweep(method: str, parameters: dict[str, Any], **design: Any) -> dict[str, Any]:
    return {"name": method, "scenario": BASE, "design": {"method": method, **design}, "parameters": parameters}


def test_design_sizes_and_integer_rounding() -> None:
    grid = sweep_from_mapping(
        _sweep(
            "grid",
            {
                "adult.params.protest": {"values": [0.1, 0.5, 1.0]},
                "adult.years": {"values": [0.5, 1.0]},
                "population.n": {"values": [1000, 2000]},
            },
        )
    )
    assert len(grid.points) == 3 * 2 * 2
    assert len({tuple(p.values()) for p in grid.points}) == 12
    ranges = {
        "adult.params.protest": {"low": 0.0, "high": 3.0},
        "population.n": {"low": 1000, "high": 3000},
        "recorders.trajectories.sample": {"low": 1, "high": 50},
    }
    sobol = sweep_from_mapping(_sweep("sobol", ranges, samples=8))
    assert len(sobol.points) == 8 * (3 + 2)
    morris = sweep_from_mapping(_sweep("morris", ranges, samples=5, levels=4))
    assert len(morris.points) == 5 * (3 + 1)
    for sweep in (sobol, morris):
        for point, sc in zip(sweep.points, sweep.scenarios, strict=True):
            assert type(point["population.n"]) is int and 1000 <= point["population.n"] <= 3000
            assert type(point["recorders.trajectories.sample"]) is int
            assert isinstance(point["adult.params.protest"], float)
            assert sc.population.n == point["population.n"]
            assert sc.adult.params.protest == point["adult.params.protest"]
        assert len({p["population.n"] for p in sweep.points}) > 1
    jobs = iwm.study._experiments.sweep_jobs(sobol)
    assert len(jobs) == 40 and [j.task.index for j in jobs] == list(range(40))


@pytest.mark.parametrize(
    ("parameters", "design", "path", "words"),
    [
        ({"adult.params.protset": {"values": [1]}}, {}, "parameters.adult.params.protset", "not a key path"),
        ({"adult.params": {"values": [1]}}, {}, "parameters.adult.params", "names a section"),
        (
            {"adult.params.protest": {"low": 2.0, "high": 1.0}},
            {"method": "sobol"},
            "parameters.adult.params.protest",
            "`low` must be below `high`",
        ),
        (
            {"adult.params.protest": {"low": 1.0, "high": 1.0}},
            {"method": "morris"},
            "parameters.adult.params.protest",
            "got low 1, high 1",
        ),
        ({"adult.params.protest": {"low": 0.0, "high": 1.0}}, {}, "parameters.adult.params.protest", "needs `values`"),
        ({"population.caregiving": {"low": 0, "high": 1}}, {"method": "sobol"}, "parameters.population", "numeric"),
    ],
)
def test_bad_sweep_names_the_parameter(
    parameters: dict[str, Any], design: dict[str, Any], path: str, words: str
) -> None:
    spec = {"name": "bad", "scenario": BASE, "design": design, "parameters": parameters}
    with pytest.raises(iwm.InputError) as info:
        sweep_from_mapping(spec, "sweep.yaml")
    message = str(info.value)
    assert message.startswith(f"sweep.yaml: {path}"), message
    assert words in message


def test_point_outside_a_range_is_an_input_error() -> None:
    spec = _sweep("grid", {"adult.params.protest": {"values": [1.0, 7.0]}})
    with pytest.raises(iwm.InputError, match="point 1") as info:
        sweep_from_mapping(spec, "sweep.yaml")
    assert "adult.params.protest" in str(info.value) and "less than or equal to 5" in str(info.value)


SENSITIVE = {
    "adult.params.protest": {"low": 0.0, "high": 3.0},
    "recorders.trajectories.sample": {"low": 1, "high": 50},  # a recorder setting: no output can depend on it
}
OUTPUTS = ["anxiety_mean_end", "end_secure", "partnered_end"]
PROTEST_DRIVES = ("anxiety_mean_end", "end_secure")


def test_sobol_indices_separate_a_real_parameter_from_an_inert_one(tmp_path: Path) -> None:
    spec = _sweep("sobol", SENSITIVE, samples=8, seed=1) | {"outputs": OUTPUTS}
    run = iwm.run_sweep(spec, tmp_path / "sobol", workers=2)
    assert len(run.tasks()) == 8 * (2 + 2)
    s = iwm.sensitivity_of(run)
    assert {"arm", "output", "parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(s.columns)
    assert len(s) == len(OUTPUTS) * 2
    s = s.set_index(["output", "parameter"])
    for output in OUTPUTS:
        inert, real = s.loc[(output, "recorders.trajectories.sample")], s.loc[(output, "adult.params.protest")]
        # the sample size changes no output at all, so its indices are exactly zero
        assert inert["S1"] == 0 and inert["ST"] == 0, output
        if output in PROTEST_DRIVES:
            # protest carries most of the variance of the models at the end (observed ST 1.1-1.5
            # and S1 0.6-1.0 with samples=8); whether one is partnered depends on it little since
            # staying follows the investment model (issue 15), so there the noise of 8 samples rules
            assert real["ST"] > 0.3 and real["S1"] > 0.2, (output, real.to_dict())


def test_morris_indices_separate_a_real_parameter_from_an_inert_one(tmp_path: Path) -> None:
    spec = _sweep("morris", SENSITIVE, samples=5, levels=4, seed=2) | {"outputs": OUTPUTS}
    run = iwm.run_sweep(spec, tmp_path / "morris", workers=2)
    assert len(run.tasks()) == 5 * (2 + 1)
    s = iwm.sensitivity_of(run).set_index(["output", "parameter"])
    assert {"mu", "mu_star", "sigma", "mu_star_conf"} <= set(s.columns)
    for output in OUTPUTS:
        inert, real = s.loc[(output, "recorders.trajectories.sample")], s.loc[(output, "adult.params.protest")]
        # observed mu_star for protest: anxiety .0042, end_secure .0068, partnered_end .051; the
        # sample size changes no output, so each of its elementary effects is exactly zero
        assert inert["mu_star"] == 0 and inert["sigma"] == 0, output
        assert real["mu_star"] > 1e-3, (output, real.to_dict())


def test_grid_sensitivity_is_the_spread_of_level_means(tmp_path: Path) -> None:
    spec = _sweep(
        "grid",
        {"adult.params.protest": {"values": [0.0, 3.0]}, "recorders.trajectories.sample": {"values": [5, 40]}},
    ) | {"outputs": ["anxiety_mean_end"]}
    run = iwm.run_sweep(spec, tmp_path / "grid")
    s = iwm.sensitivity_of(run).set_index("parameter")
    assert s.loc["recorders.trajectories.sample", "range"] == 0
    summary = run.table("summary")
    means = summary.groupby("adult.params.protest")["anxiety_mean_end"].mean()
    assert s.loc["adult.params.protest", "range"] == pytest.approx(abs(means[3.0] - means[0.0]))
    assert s.loc["adult.params.protest", "range"] > 0


def test_sensitivity_of_a_single_run_is_refused(small_run: iwm.Run) -> None:
    with pytest.raises(iwm.InputError, match="single run"):
        iwm.sensitivity_of(small_run)
    with pytest.raises(iwm.InputError, match="single run"):
        iwm.sensitivity_of(str(small_run.path))


# ---------------------------------------------------------------- 6. science through the scenario path

TRIAL: dict[str, Any] = {
    "name": "trial",
    "seed": 31,
    "replicates": 2,
    "population": {"n": 5000},
    "adult": {"years": 1.0},
    "arms": [
        {"name": "usual care", "therapy": {"weeks": 0}},
        {"name": "therapy", "therapy": {"weeks": 20}},
    ],
    "recorders": {"pairings": False, "trajectories": None},
}


def test_therapy_beats_usual_care_for_the_same_clients(tmp_path: Path) -> None:
    run = iwm.run_scenario(TRIAL, tmp_path / "trial", workers=2)
    s = run.table("summary").set_index(["replicate", "arm"]).sort_index()
    for r in range(2):
        usual, therapy = s.loc[(r, "usual care")], s.loc[(r, "therapy")]
        assert usual["seed"] == therapy["seed"]
        assert usual["clients"] == therapy["clients"] > 1000  # the same clients in both arms
        assert therapy["clients_anxiety_d"] < usual["clients_anxiety_d"] - 0.15
        assert therapy["clients_secure_post"] > usual["clients_secure_post"] + 0.1
        assert therapy["clients_secure_end"] > usual["clients_secure_end"] + 0.05
        assert therapy["clients_anxiety_change_end"] < usual["clients_anxiety_change_end"]
    people = run.table("people")
    clients = people[people["client"]].pivot_table(index=["replicate", "person"], columns="arm", values="anxiety_end")
    assert clients.notna().all().all()
    assert (clients["therapy"] - clients["usual care"]).mean() < 0
    assert set(people.loc[~people["client"], "style_18"]) >= {"secure"}
    assert set(people.loc[people["client"], "style_18"]) <= {"preoccupied", "dismissing", "fearful"}


def test_another_process_reads_the_same_run(small_run: iwm.Run) -> None:
    """A run folder is self-contained: another process opens it and reads the same numbers."""
    code = textwrap.dedent(
        f"""
        import iwm
        run = iwm.open_run({str(small_run.path)!r})
        print(run.query("SELECT round(sum(anxiety_end), 6) AS s FROM people")["s"].item())
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    here = small_run.query("SELECT round(sum(anxiety_end), 6) AS s FROM people")["s"].item()
    assert math.isclose(float(out.stdout.strip()), here, rel_tol=0, abs_tol=1e-9)


def test_progress_moves_within_tasks_and_ends_at_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    scenario = {
        "population": {"n": 9000},
        "adult": {"years": 0.25},
        "replicates": 2,
        "execution": {"chunk_size": 4096},
        "recorders": {"people": False},
    }
    iwm.run_scenario(scenario, tmp_path / "p", workers=1, progress=lambda d, t: seen.append((d, t)))
    done = [d for d, _ in seen]
    assert {t for _, t in seen} == {2000}  # thousandths of a task, two tasks
    assert done == sorted(done) and done[0] == 0 and done[-1] == 2000
    assert any(0 < d < 1000 for d in done)  # the first task reports while it runs (3 chunks, 2 stages)
