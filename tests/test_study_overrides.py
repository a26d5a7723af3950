"""``iwm run`` and ``iwm sweep`` with ``--set KEY=VALUE``, ``--n``, ``--years`` and ``--seed``:
a scenario varied without editing its file, validated exactly like the file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from iwm._errors import InputError
from iwm.study._scenario import Override, load_scenario, parse_override, scenario_from_mapping
from iwm.study._sweep import load_sweep

SCENARIO = {
    "name": "overrides",
    "seed": 4,
    "population": {"n": 3000},
    "adult": {"years": 1},
    "arms": [
        {"name": "usual", "therapy": {"start_year": 0.1, "weeks": 0}},
        {"name": "treated", "therapy": {"start_year": 0.1, "weeks": 10}},
    ],
    "recorders": {"trajectories": None},
}


def iwm_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iwm", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def one_line_error(out: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture
def study(tmp_path: Path) -> Path:
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(SCENARIO))
    return tmp_path / "study.yaml"


def test_overrides_give_the_scenario_the_edited_file_gives(study):
    items = [
        parse_override("adult.params.protest=0.3"),
        parse_override("arms[1].therapy.weeks=30"),
        parse_override("adult.mechanisms.projection=false"),
        parse_override("name=edited"),
        Override("--n", "population.n", 500),
        Override("--years", "adult.years", 0.5),
        Override("--seed", "seed", 9),
    ]
    edited = yaml.safe_load(study.read_text())
    edited["adult"] = {"years": 0.5, "params": {"protest": 0.3}, "mechanisms": {"projection": False}}
    edited["arms"][1]["therapy"]["weeks"] = 30
    edited.update(name="edited", seed=9, population={"n": 500})
    got = load_scenario(study, items)
    assert got == scenario_from_mapping(edited)
    assert got.digest() != load_scenario(study).digest()
    # the Python API takes a plain mapping of key paths
    assert load_scenario(study, {"population.n": 500, "seed": 9}).population.n == 500


def test_values_are_yaml_scalars():
    assert parse_override("a.b=0.3").value == 0.3
    assert parse_override("a.b=30").value == 30
    assert parse_override("a.b=false").value is False
    assert parse_override("a.b=null").value is None
    assert parse_override("a.b=high-risk").value == "high-risk"
    assert parse_override("a.b= 1 = 1").value == "1 = 1"  # the first = splits key from value
    assert parse_override("name=2020-01-01").value == "2020-01-01"  # a date stays the text written


def test_a_null_or_missing_section_is_created_as_in_the_file(study):
    got = load_scenario(study, [parse_override("adult.events.loss_rate=0.1")])
    assert got.adult is not None and got.adult.events is not None
    assert got.adult.events.loss_rate == 0.1
    file = scenario_from_mapping({**SCENARIO, "adult": {"years": 1, "events": {"loss_rate": 0.1}}})
    assert got == file


@pytest.mark.parametrize(
    ("items", "needles"),
    [
        (["adult.params.protest=9"], ["--set adult.params.protest=9:", "less than or equal to 5", "got 9"]),
        (["adult.params.protset=1"], ["--set adult.params.protset=1:", "unknown key", "protest"]),
        (["adult.parms.protest=1"], ["--set adult.parms.protest=1:", "adult.parms: unknown key"]),
        (["arms[1].therapy.weeks=many"], ["--set arms[1].therapy.weeks=many:", "integer", "'many'"]),
        (["arms[2].therapy.weeks=3"], ["--set arms[2].therapy.weeks=3:", "arms has 2 item(s)", "index 2"]),
        (["population.n=0"], ["--set population.n=0:", "greater than or equal to 1", "got 0"]),
        (["seed.x=1"], ["--set seed.x=1:", "seed is a value", "got 4"]),
        (["population.parents=low-risk", "population.caregiving=high-risk"], ["--set population.", "not both"]),
        (["seed=1", "seed=2"], ["--set seed=2:", "again", "--set seed=1"]),
        (["protest"], ["--set protest:", "KEY=VALUE"]),
        (["adult..protest=1"], ["--set adult..protest=1:", "not a key path", "'adult..protest'"]),
        (["name=[1, 2]"], ["--set name=[1, 2]:", "YAML scalar", "'[1, 2]'"]),
        (["name={"], ["--set name={:", "not valid YAML", "'{'"]),
    ],
)
def test_bad_overrides_name_the_item_the_rule_and_the_value(study, items, needles):
    with pytest.raises(InputError) as err:
        load_scenario(study, [parse_override(item) for item in items])
    for needle in needles:
        assert needle in str(err.value), (needle, str(err.value))


def test_a_rule_across_sections_names_the_file_and_the_overrides(study):
    with pytest.raises(InputError) as err:
        load_scenario(study, [Override("--years", "adult.years", 0.1)])
    message = str(err.value)
    for needle in ("study.yaml: arms[0].therapy.start_year", "--years 0.1", "before the end of the adult years"):
        assert needle in message, message


def test_run_stores_the_overrides_and_resumes_only_with_them(study):
    cwd = study.parent
    args = ["run", "study.yaml", "-o", "out", "--workers", "1", "--n", "400", "--years", "0.25"]
    args += ["--seed", "9", "--set", "arms[1].therapy.weeks=5", "--set", "adult.params.protest=0.3"]
    out = iwm_cli(*args, cwd=cwd)
    assert out.returncode == 0, out.stderr
    manifest = json.loads((cwd / "out" / "manifest.json").read_text())
    stored = yaml.safe_load((cwd / "out" / "scenario.yaml").read_text())
    for scenario in (manifest["scenario"], stored):
        assert scenario["population"]["n"] == 400 and scenario["adult"]["years"] == 0.25 and scenario["seed"] == 9
        assert scenario["arms"][1]["therapy"]["weeks"] == 5 and scenario["adult"]["params"]["protest"] == 0.3
    assert manifest["seed_entropy"] == 9
    people = iwm_cli("query", "out", "SELECT count(*) AS n FROM people", "--format", "csv", cwd=cwd)
    assert people.stdout.split() == ["n", str(2 * 400)]  # two arms of the overridden size
    resumed = iwm_cli(*args, "--resume", cwd=cwd)
    assert resumed.returncode == 0 and "2 of 2 tasks done" in resumed.stdout
    without = iwm_cli("run", "study.yaml", "-o", "out", "--resume", cwd=cwd)
    one_line_error(without, "out", "different study")


def test_a_bad_override_on_the_command_line_is_one_line_and_makes_no_folder(study):
    cwd = study.parent
    one_line_error(
        iwm_cli("run", "study.yaml", "-o", "out", "--set", "adult.params.protest=9", cwd=cwd),
        "iwm: error: --set adult.params.protest=9:",
        "less than or equal to 5",
        "got 9",
    )
    one_line_error(iwm_cli("run", "study.yaml", "-o", "out", "--n", "0", cwd=cwd), "--n:", "got 0")
    one_line_error(iwm_cli("run", "study.yaml", "-o", "out", "--years", "x", cwd=cwd), "--years", "'x'")
    assert not (cwd / "out").exists()


def test_sweep_overrides_change_the_base_scenario_not_the_swept_parameters(tmp_path):
    sweep = {
        "name": "swept",
        "scenario": {"seed": 2, "population": {"n": 3000}, "adult": {"years": 2}, "recorders": {"trajectories": None}},
        "parameters": {"adult.params.protest": {"values": [0.2, 0.8]}},
        "outputs": ["partnered_end"],
    }
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep))
    loaded = load_sweep(tmp_path / "sweep.yaml", [Override("--n", "population.n", 300)])
    assert loaded.base_scenario.population.n == 300
    assert [s.population.n for s in loaded.scenarios] == [300, 300]
    assert [s.adult.params.protest for s in loaded.scenarios] == [0.2, 0.8]
    out = iwm_cli("sweep", "sweep.yaml", "-o", "out", "--workers", "1", "--n", "300", "--years", "0.25", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["scenario"]["population"]["n"] == 300 and manifest["scenario"]["adult"]["years"] == 0.25
    swept = iwm_cli("sweep", "sweep.yaml", "-o", "o2", "--set", "adult.params.protest=0.5", cwd=tmp_path)
    one_line_error(swept, "--set adult.params.protest=0.5:", "parameter of the sweep")
