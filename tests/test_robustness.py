"""What a demanding user does to a study: interrupts it, kills it, points it at the wrong
scheduler, writes bad SQL, moves between folders. Each case found in review, kept fixed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

import iwm
from iwm.app._logic import in_dashboard_words, score_upload

LONG = {"population": {"n": 30000}, "adult": {"years": 3}, "replicates": 8, "recorders": {"people": False}}


def iwm_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iwm", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def wait_for_tasks(out: Path, at_least: int, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        journal = out / "tasks.jsonl"
        if journal.exists() and len(journal.read_text().splitlines()) >= at_least:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    raise AssertionError("no task finished in time")


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return bool(state) and not state.startswith("Z")


def start_long_run(folder: Path) -> subprocess.Popen[str]:
    """`iwm run` of a long study on two workers, in its own session, once a task is done."""
    (folder / "long.yaml").write_text(yaml.safe_dump(LONG))
    proc = subprocess.Popen(
        [sys.executable, "-m", "iwm", "run", "long.yaml", "-o", "out", "--workers", "2"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    wait_for_tasks(folder / "out", 1, proc)
    return proc


def test_ctrl_c_stops_a_run_with_status_130_and_a_hint(tmp_path):
    proc = start_long_run(tmp_path)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "--resume" in err and "tasks" in err
    resumed = iwm_cli("run", "long.yaml", "-o", "out", "--resume", "--workers", "2", cwd=tmp_path)
    assert resumed.returncode == 0 and "8 of 8 tasks done" in resumed.stdout


def test_pool_workers_end_when_the_driver_is_killed(tmp_path):
    proc = start_long_run(tmp_path)
    workers = children_of(proc.pid)
    assert workers, "the pool has worker processes"
    proc.kill()  # SIGKILL: the pool gets no chance to stop its workers
    proc.wait()
    deadline = time.monotonic() + 30
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(alive(w) for w in workers)


def test_something_that_is_not_a_scheduler_fails_clearly_and_leaves_nothing(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from iwm.study import _executors

    monkeypatch.setattr(_executors, "CONNECT_SECONDS", 3.0)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()  # accepts connections, never speaks Dask's protocol
    port = server.getsockname()[1]
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()
    try:
        start = time.monotonic()
        with pytest.raises(iwm.ParameterError, match=rf"scheduler.*tcp://127.0.0.1:{port}"):
            iwm.run_scenario({"population": {"n": 100}}, tmp_path / "out", scheduler=f"tcp://127.0.0.1:{port}")
        assert time.monotonic() - start < 30
        assert not (tmp_path / "out").exists()  # so the same command can simply be run again
    finally:
        server.close()


def test_sql_is_read_only_and_confined_to_the_run(tmp_path):
    run = iwm.run_scenario({"population": {"n": 500}, "adult": {"years": 0.1}}, tmp_path / "r", workers=1)
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    for sql in (
        f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'",
        f"SELECT * FROM read_csv('{outside}')",
        f"ATTACH '{tmp_path / 'db.duckdb'}'",
        "SET enable_external_access = true",
    ):
        with pytest.raises(iwm.InputError):
            run.query(sql)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.csv", "r"]
    with pytest.raises(iwm.InputError, match="empty"):
        run.query("  ")
    assert run.query("SELECT count(*) AS n FROM people")["n"].tolist() == [500]


def test_output_folder_problems_are_one_line_errors(tmp_path):
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"population": {"n": 100}}))
    (tmp_path / "afile").write_text("mine")
    out = iwm_cli("run", "s.yaml", "-o", "afile", cwd=tmp_path)
    assert out.returncode == 2 and "afile: is a file" in out.stderr and len(out.stderr.splitlines()) == 1
    assert (tmp_path / "afile").read_text() == "mine"


def test_a_mix_file_travels_with_the_run(tmp_path):
    """The mix is read when the scenario is, and stored in it: the run resumes from anywhere."""
    study = tmp_path / "study"
    study.mkdir()
    (study / "mix.yaml").write_text(
        yaml.safe_dump(
            {"components": [{"weight": 0.5, "profile": "sensitive"}, {"weight": 0.5, "profile": "rejecting"}]}
        )
    )
    (study / "s.yaml").write_text(
        yaml.safe_dump({"population": {"n": 800, "caregiving": "mix.yaml"}, "replicates": 2, "adult": {"years": 0.1}})
    )
    first = iwm_cli("run", "s.yaml", "-o", "runs/a", "--workers", "1", cwd=study)
    assert first.returncode == 0, first.stderr
    stored = yaml.safe_load((study / "runs/a/scenario.yaml").read_text())["population"]["caregiving"]
    assert stored["name"] == "mix" and len(stored["components"]) == 2
    again = iwm_cli("run", str(study / "s.yaml"), "-o", str(study / "runs/a"), "--resume", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    (study / "bad.yaml").write_text(yaml.safe_dump({"population": {"caregiving": "missing.yaml"}}))
    bad = iwm_cli("run", "bad.yaml", "-o", "runs/b", cwd=study)
    assert bad.returncode == 2 and "population.caregiving" in bad.stderr and "missing.yaml" in bad.stderr
    assert not (study / "runs/b").exists()


def test_a_key_given_twice_is_an_error(tmp_path):
    (tmp_path / "dup.yaml").write_text("population: {n: 100}\nseed: 1\npopulation: {n: 200}\n")
    with pytest.raises(iwm.InputError, match=r"dup.yaml.*'population' appears twice \(lines 1 and 3\)"):
        iwm.load_scenario(tmp_path / "dup.yaml")


def test_couples_by_scores_and_not_without_adult_years():
    sc = iwm.study._scenario.scenario_from_mapping(
        {
            "population": {"n": 500},
            "adult": {"years": 0.1},
            "recorders": {"couples": [{"a": [5.5, 2.0], "b": "avoidant", "days": 7}]},
        }
    )
    assert sc.recorders.couples[0].label() == "(5.5,2)-avoidant"
    with pytest.raises(iwm.InputError, match=r"recorders\.couples\[0\]\.a\[0\].*less than or equal to 7"):
        iwm.study._scenario.scenario_from_mapping({"recorders": {"couples": [{"a": [9, 2], "b": "secure"}]}})
    with pytest.raises(iwm.InputError, match=r"recorders\.couples: couples live adult days"):
        iwm.study._scenario.scenario_from_mapping(
            {"adult": None, "recorders": {"couples": [{"a": "secure", "b": "secure"}]}}
        )


def test_sweeps_check_outputs_and_designs_when_read():
    base = {"scenario": {"population": {"n": 100}}, "parameters": {"adult.params.protest": {"low": 0, "high": 1}}}
    with pytest.raises(iwm.InputError, match=r"outputs\[0\].*'nosuch'"):
        iwm.study._sweep.sweep_from_mapping(
            {**base, "design": {"method": "sobol", "samples": 4}, "outputs": ["nosuch"]}
        )
    with pytest.raises(iwm.InputError, match=r"design.samples.*power of 2.*got 3"):
        iwm.study._sweep.sweep_from_mapping({**base, "design": {"method": "sobol", "samples": 3}})
    with pytest.raises(iwm.InputError, match="`adult` is null"):
        iwm.study._sweep.sweep_from_mapping({**base, "scenario": {"adult": None}, "design": {"method": "sobol"}})


def test_sensitivity_intervals_are_reproducible(tmp_path):
    sweep = {
        "scenario": {
            "population": {"n": 1500},
            "adult": {"years": 0.2},
            "recorders": {"people": False, "trajectories": None},
        },
        "design": {"method": "sobol", "samples": 4},
        "parameters": {"adult.params.protest": {"low": 0, "high": 1}, "adult.params.cooling": {"low": 0, "high": 0.5}},
        "outputs": ["anxiety_mean_end"],
    }
    run = iwm.run_sweep(sweep, tmp_path / "s", workers=2)
    first, second = iwm.sensitivity_of(run), iwm.sensitivity_of(run)
    assert first.equals(second)
    assert not first.equals(iwm.sensitivity_of(run, seed=1))  # the seed is the bootstrap's


def test_dashboard_messages_name_its_own_controls():
    import pandas as pd

    frame = pd.DataFrame({"id": [1, 2], **{f"ecr_r_{i:02d}": [3, 4] for i in range(1, 37)}})
    frame.loc[1, "ecr_r_09"] = 11
    with pytest.raises(iwm.InputError) as info:
        score_upload(frame.to_csv(index=False).encode(), "a.csv", "ecr-r", "id")
    message = str(info.value)
    assert "--" not in message and "Score invalid cells as missing" in message and "row 3" in message
    scored = score_upload(frame.to_csv(index=False).encode(), "a.csv", "ecr-r", "id", lenient=True)
    assert len(scored["problems"]) == 1
    for cli in (
        "no such id column; name it with --id-column (columns: a, b)",
        "more than 5 respondents, the limit (raise it with --max-rows)",
    ):
        assert "--" not in in_dashboard_words(cli)


def test_dask_workers_must_run_this_version_of_iwm(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(iwm._version, "__version__", "9.9.9")  # the driver claims another version than its workers
    with pytest.raises(iwm.ParameterError, match=r"workers with iwm 9\.9\.9.*has iwm"):
        iwm.run_scenario({"population": {"n": 100}}, tmp_path / "out", scheduler="local-cluster", workers=1)
    assert not (tmp_path / "out").exists()
