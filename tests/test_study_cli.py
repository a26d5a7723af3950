"""``iwm run``, ``sweep``, ``sensitivity``, ``query`` and ``report`` as a user meets them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import iwm

SCENARIO = {
    "name": "cli-study",
    "seed": 4,
    "replicates": 2,
    "population": {"n": 3000},
    "adult": {"years": 1},
    "arms": [
        {"name": "usual", "therapy": {"start_year": 0.25, "weeks": 0}},
        {"name": "treated", "therapy": {"start_year": 0.25, "weeks": 20}},
    ],
    "recorders": {"couples": [{"a": "anxious", "b": "avoidant", "days": 21}], "trajectories": {"sample": 40}},
}


def iwm_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iwm", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def one_line_error(out: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("cli")
    (base / "study.yaml").write_text(yaml.safe_dump(SCENARIO))
    out = iwm_cli("run", "study.yaml", "-o", "runs/study", "--workers", "2", "--report", cwd=base)
    assert out.returncode == 0, out.stderr
    assert "4 of 4 tasks done" in out.stdout
    return base / "runs" / "study"


def test_run_writes_parquet_a_manifest_and_a_report(study):
    manifest = json.loads((study / "manifest.json").read_text())
    assert manifest["format"] == "iwm-run/1" and manifest["seed_entropy"] == 4
    assert manifest["iwm_version"] == iwm.__version__
    assert [t["status"] for t in manifest["tasks"]] == ["done"] * 4
    assert len({t["seed"] for t in manifest["tasks"]}) == 2  # one seed per replicate, shared by the arms
    for table in ("summary", "people", "trajectories", "pairings", "couples"):
        assert len(list((study / "tables" / table).glob("task-*.parquet"))) == 4
    assert (study / "report.html").stat().st_size > 10_000
    assert yaml.safe_load((study / "scenario.yaml").read_text())["name"] == "cli-study"


def test_query_prints_sql_results_in_each_format(study):
    sql = "SELECT arm, count(*) AS tasks, avg(clients_secure_end) AS secure FROM summary GROUP BY arm ORDER BY arm"
    out = iwm_cli("query", str(study), sql, "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["arm"] for r in rows] == ["treated", "usual"] and all(r["tasks"] == 2 for r in rows)
    assert rows[0]["secure"] > rows[1]["secure"]  # twenty sessions beat none, same people and seeds
    csv = iwm_cli("query", str(study), "SELECT count(*) AS n FROM people", "--format", "csv")
    assert csv.stdout.split() == ["n", str(4 * 3000)]
    table = iwm_cli("query", str(study), "SELECT status, count(*) AS n FROM tasks GROUP BY status")
    assert table.returncode == 0 and "done" in table.stdout


def test_query_errors_name_the_problem(study, tmp_path):
    one_line_error(iwm_cli("query", str(study), "SELECT * FROM nope"), "nope", "tables: summary")
    one_line_error(iwm_cli("query", str(tmp_path), "SELECT 1"), str(tmp_path), "no manifest.json")
    one_line_error(iwm_cli("query", str(study), "SELECT 1", "--format", "xml"), "--format", "'xml'")


def test_report_can_be_written_elsewhere(study, tmp_path):
    out = iwm_cli("report", str(study), "-o", str(tmp_path / "r.html"))
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "r.html").read_text()
    for needle in ("Trajectories", "anxious (a) and avoidant (b)", "dose-response", "Who pairs with whom"):
        assert needle in page
    assert "http://" not in page and "https://" not in page  # self-contained


def test_run_refuses_to_overwrite_and_resumes(study):
    again = iwm_cli("run", "study.yaml", "-o", "runs/study", cwd=study.parent.parent)
    one_line_error(again, "runs/study", "already holds a run", "--resume")
    resumed = iwm_cli("run", "study.yaml", "-o", "runs/study", "--resume", cwd=study.parent.parent)
    assert resumed.returncode == 0 and "4 of 4 tasks done" in resumed.stdout


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        ({"population": {"n": 0}}, ["population.n", "greater than or equal to 1", "got 0"]),
        ({"adult": {"params": {"protest": 9}}}, ["adult.params.protest", "less than or equal to 5", "got 9"]),
        ({"adult": {"params": {"protset": 1}}}, ["adult.params.protset", "unknown key", "protest"]),
        ({"arms": [{"name": "x", "therapy": {"weeks": "many"}}]}, ["arms[0].therapy.weeks", "integer", "'many'"]),
    ],
)
def test_bad_scenarios_are_one_line_errors(tmp_path, change, needles):
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({**SCENARIO, **change}))
    one_line_error(iwm_cli("run", "bad.yaml", "-o", "out", cwd=tmp_path), "bad.yaml", *needles)
    assert not (tmp_path / "out").exists()


def test_sweep_and_sensitivity(tmp_path):
    sweep = {
        "name": "cli-sweep",
        "scenario": {
            "seed": 2,
            "population": {"n": 2500},
            "adult": {"years": 0.5},
            "recorders": {"people": False, "trajectories": None},
        },
        "design": {"method": "morris", "samples": 3, "levels": 4},
        "parameters": {"adult.params.protest": {"low": 0.0, "high": 1.5}, "adult.years": {"low": 0.25, "high": 1.0}},
        "outputs": ["anxiety_mean_end", "partnered_end"],
    }
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep))
    out = iwm_cli("sweep", "sweep.yaml", "-o", "runs/s", "--workers", "2", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "9 of 9 tasks done" in out.stdout  # 3 trajectories x (2 parameters + 1)
    sens = iwm_cli("sensitivity", "runs/s", "--format", "json", cwd=tmp_path)
    assert sens.returncode == 0, sens.stderr
    rows = json.loads(sens.stdout)
    assert {(r["output"], r["parameter"]) for r in rows} == {
        (o, p) for o in sweep["outputs"] for p in sweep["parameters"]
    }
    assert all(r["mu_star"] >= 0 for r in rows)
    report = iwm_cli("report", "runs/s", cwd=tmp_path)
    assert report.returncode == 0 and "Sensitivity" in (tmp_path / "runs/s/report.html").read_text()
    single = iwm_cli("sensitivity", "runs/s", "--format", "nope", cwd=tmp_path)
    one_line_error(single, "--format")


def test_sensitivity_of_a_single_run_is_refused(study):
    one_line_error(iwm_cli("sensitivity", str(study)), "single run", "iwm sweep")


def test_bad_sweep_names_the_parameter(tmp_path):
    sweep = {"scenario": {"population": {"n": 100}}, "parameters": {"adult.params.nope": {"values": [1, 2]}}}
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep))
    one_line_error(iwm_cli("sweep", "sweep.yaml", "-o", "o", cwd=tmp_path), "parameters.adult.params.nope", "key path")
    sweep["parameters"] = {"adult.params.protest": {"low": 2, "high": 1}}
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep))
    one_line_error(iwm_cli("sweep", "sweep.yaml", "-o", "o", cwd=tmp_path), "parameters.adult.params.protest", "low")
