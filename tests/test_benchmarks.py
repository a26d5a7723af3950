"""The benchmark script runs and prints what a checking script reads (issue 19). Its timings
are not tested (they belong to the machine): only that the figures exist and are measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_quick_json_has_the_ratios_and_the_times_behind_them() -> None:
    pytest.importorskip("mesa", reason="mesa is in the bench extra")
    pytest.importorskip("numba", reason="the fused backend needs numba")
    cmd = [sys.executable, "benchmarks/run.py", "--quick", "--json", "--n", "4096", "--repeats", "1", "--mesa-n", "200"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    info = json.loads(out.stdout)  # one JSON object, nothing else on stdout
    ratio = info["fused_vs_numpy"]
    for process, key, rate in (
        ("formation", "formation", "child_weeks_per_second"),
        ("adult", "adult_life", "agent_days_per_second"),
    ):
        rows = info[key]
        assert rows["numpy"]["backend"] == "numpy" and rows["numba"]["backend"] == "numba"
        assert rows["numpy"]["n"] == rows["numba"]["n"] == 4096
        assert ratio[process] == pytest.approx(rows["numba"][rate] / rows["numpy"][rate])
        assert ratio[process] > 0
    mesa = info["mesa"]
    assert mesa["ratio"] == pytest.approx(mesa["mesa_seconds"] / mesa["iwm_seconds"])
    assert mesa["backend"] == "numba" and mesa["n"] == 200
    assert info["machine"]["cpus"] >= 1 and info["machine"]["commit"]
    assert "million" not in info  # --quick leaves out the long runs
