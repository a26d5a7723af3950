"""The command line as a user meets it: JSON output, the demo, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import iwm


def iwm_cli(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iwm", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_develop_json():
    out = iwm_cli("develop", "--caregiving", "low-risk", "--n", "3000", "--seed", "7", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["n"] == 3000 and data["seed"] == 7
    assert set(data["infant"]) == {"A", "B", "C", "D"}
    assert set(data["adult"]) == {"secure", "preoccupied", "dismissing", "fearful"}
    assert sum(data["infant"].values()) == pytest.approx(1)
    assert 1 <= data["anxiety_mean"] <= 7 and 1 <= data["avoidance_mean"] <= 7


def test_develop_json_is_worker_invariant():
    a = iwm_cli("develop", "--n", "5000", "--seed", "3", "--json", "--workers", "1")
    b = iwm_cli("develop", "--n", "5000", "--seed", "3", "--json", "--workers", "2", "--chunk-size", "4096")
    assert a.returncode == b.returncode == 0
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_develop_backends_give_the_same_json():
    a = iwm_cli("develop", "--n", "3000", "--seed", "3", "--json", "--backend", "numpy")
    b = iwm_cli("develop", "--n", "3000", "--seed", "3", "--json", "--backend", "numba")
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    assert json.loads(a.stdout) == json.loads(b.stdout)
    bad = iwm_cli("develop", "--n", "10", "--backend", "cuda")
    assert bad.returncode != 0 and "backend" in bad.stderr


def test_develop_parents_reports_transmission():
    out = iwm_cli("develop", "--parents", "low-risk", "--n", "3000", "--seed", "7", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"concordance", "kappa"} <= set(data["transmission"])
    assert -1 <= data["sensitivity_security_r"] <= 1


def test_develop_table_output():
    out = iwm_cli("develop", "--n", "2000", "--seed", "1")
    assert out.returncode == 0
    assert "secure" in out.stdout and "Infants" in out.stdout


def test_develop_with_mix_file(tmp_path):
    path = tmp_path / "mix.yaml"
    path.write_text("name: mine\ncomponents:\n  - weight: 1\n    profile: rejecting\n")
    out = iwm_cli("develop", "--caregiving", str(path), "--n", "2000", "--seed", "1", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["caregiving"] == "mine"
    assert data["infant"]["A"] > 0.5


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["develop", "--n", "0"], ["`--n`", "[1, 50000000]", "got 0"]),
        (["develop", "--n", "many"], ["--n", "integer", "got 'many'"]),
        (["develop", "--seed=1.5"], ["--seed", "got '1.5'"]),
        (["develop", "--caregiving", "medium"], ["caregiving", "got 'medium'"]),
        (["develop", "--seed", "-4"], ["`--seed`", "[0, 9223372036854775807]", "got -4"]),
        (["develop", "--workers", "0"], ["`--workers`", "got 0"]),
        (["develop", "--bogus"], ["--bogus"]),
        (["develop", "--caregiving", "low-risk", "--parents", "low-risk"], ["not both"]),
    ],
)
def test_bad_input_is_one_line_exit_2(args, fragments):
    out = iwm_cli(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_bad_mix_file_is_one_line(tmp_path):
    path = tmp_path / "mix.yaml"
    path.write_text("components:\n  - weight: 1\n    rejection: 2\n")
    out = iwm_cli("develop", "--caregiving", str(path), "--n", "100")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "components[0].rejection" in out.stderr and "got 2" in out.stderr


def test_demo_runs_the_bundled_study_and_writes_its_report(tmp_path):
    out = iwm_cli("demo", "--n", "3000", "--workers", "1", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = tmp_path / "iwm-demo" / "report.html"
    assert report.exists() and str(report.resolve()) in out.stdout
    page = report.read_text()
    assert page.count("<img") >= 5
    for heading in ("Infants at 12 months", "Trajectories", "pursue", "dose-response", "usual care"):
        assert heading in page
    run = iwm.open_run(tmp_path / "iwm-demo")
    assert run.status()["complete"] and run.manifest["name"] == "demo"
    # a second demo reuses the finished run instead of refusing or recomputing
    again = iwm_cli("demo", "--n", "3000", "--workers", "1", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(run.journal()) == len(run.manifest["tasks"])
    assert not list((tmp_path / "iwm-demo").rglob("*.part"))


def test_validate_reports_every_target():
    out = iwm_cli("validate", "--n", "3000", "--seed", "1", "--json")
    data = json.loads(out.stdout)
    ids = {t["id"] for t in data["targets"]}
    assert ids == {"T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10"}
    for t in data["targets"]:
        assert {"quantity", "source", "target", "tolerance", "model", "pass"} <= set(t)
    assert out.returncode == (0 if data["passed"] else 1)
    assert data["passed"] == all(t["pass"] for t in data["targets"])


def test_version_prints_the_package_version():
    out = iwm_cli("--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"iwm {iwm.__version__}"
