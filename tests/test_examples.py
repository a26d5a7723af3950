"""Every file in examples/ runs, at a small size, through the same path a user takes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

import iwm
from iwm.cli._study import DEMO, bundled_scenario
from iwm.study._run_report import write_report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCENARIOS = sorted(p for p in EXAMPLES.glob("*.yaml") if "scenario" not in yaml.safe_load(p.read_text()))
SWEEPS = sorted(p for p in EXAMPLES.glob("*.yaml") if p not in SCENARIOS)


def small(data: dict[str, Any]) -> dict[str, Any]:
    """The same study at a size a test can afford: fewer people, years and days."""
    out = copy.deepcopy(data)
    out["population"]["n"] = 2500
    out["replicates"] = min(out.get("replicates", 1), 2)
    if out.get("adult"):
        out["adult"]["years"] = min(out["adult"].get("years", 5), 2)
        for arm in out.get("arms", []):
            if arm.get("therapy"):
                arm["therapy"]["start_year"] = min(arm["therapy"].get("start_year", 0), 0.5)
                arm["therapy"]["weeks"] = min(arm["therapy"].get("weeks", 20), 40)
    rec = out.get("recorders", {})
    for couple in rec.get("couples", []):
        couple["days"] = 28
    return out


def test_there_are_the_demo_and_more_examples():
    names = {p.name for p in SCENARIOS}
    assert DEMO in names and len(SCENARIOS) >= 3 and len(SWEEPS) >= 1


def test_the_bundled_demo_is_the_example_file():
    assert bundled_scenario(DEMO) == (EXAMPLES / DEMO).read_text()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_example_scenario_runs(path, tmp_path):
    full = iwm.load_scenario(path)  # the file as shipped is valid
    data = small(yaml.safe_load(path.read_text()))
    run = iwm.run_scenario(data, tmp_path / "run")
    assert run.status()["complete"]
    summary = run.table("summary")
    assert len(summary) == len(full.arms) * data["replicates"]
    assert set(summary["arm"]) == {a.name for a in full.arms}
    shares = summary[[f"end_{k}" for k in iwm.ADULT_CATEGORIES]].sum(axis=1)
    assert shares.to_numpy() == pytest.approx(1.0)
    if full.recorders.people:
        assert len(run.table("people")) == 2500 * len(summary)
    if full.recorders.couples:
        couples = run.table("couples")
        assert couples.groupby("task").size().eq(28 * len(full.recorders.couples)).all()
    page = write_report(run.path).read_text()
    assert "<img" in page and full.name in page


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_example_sweep_runs(path, tmp_path):
    full = iwm.load_sweep(path)
    data = yaml.safe_load(path.read_text())
    base = (
        yaml.safe_load((path.parent / data["scenario"]).read_text())
        if isinstance(data["scenario"], str)
        else data["scenario"]
    )
    base.setdefault("population", {})
    data["scenario"] = small(base)
    data["design"] = {**data.get("design", {}), "samples": 2}
    run = iwm.run_sweep(data, tmp_path / "sweep")
    assert run.status()["complete"]
    indices = iwm.sensitivity_of(run)
    assert set(indices["parameter"]) == set(full.spec.parameters)
    assert set(indices["output"]) == set(full.spec.outputs)
    page = write_report(run.path).read_text()
    assert "Sensitivity" in page
