"""The adult-life commands (``iwm couples``, ``iwm dyad``, ``iwm ablate``) against their contract.

``tests/test_relationships_cli.py`` covers the main paths; these tests pin the rest of the
contract: exact JSON keys, valid JSON, partners counted once, every bad option value exiting 2
with one line naming it, only requested files written, and bit-identical traces.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import iwm


def iwm_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iwm", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def strict_json(text: str) -> Any:
    """JSON as other tools read it: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not valid JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def one_line_error(out: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("iwm: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


N = 4096


def test_couples_json_keys_and_partners_counted_once():
    out = iwm_cli("couples", "--n", str(N), "--years", "1", "--seed", "5", "--json")
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    assert set(data) == {
        "pairings",
        "by_pairing",
        "singles",
        "n",
        "years",
        "seed",
        "caregiving",
        "mechanisms_off",
        "stability",
    }
    assert (data["n"], data["years"], data["seed"], data["caregiving"]) == (N, 1, 5, "low-risk")
    assert [r["pairing"] for r in data["pairings"]] == list(iwm.PAIRINGS)
    assert all(set(r) == {"pairing", "observed", "expected"} for r in data["pairings"])
    couples = sum(r["observed"] for r in data["pairings"])
    assert 0 < couples <= N // 2
    assert sum(r["expected"] for r in data["pairings"]) == pytest.approx(couples)
    # every person is either in exactly one couple or single at the end: nobody counted twice
    single = sum(round(r["share_single_at_end"] * r["people"]) for r in data["singles"])
    assert 2 * couples + single == N
    assert sum(r["people"] for r in data["singles"]) == N
    outcomes = {"pairing", "couples", "couple_years", "satisfaction", "conflict", "breakups_per_year"}
    outcomes.add("pursue_withdraw")
    assert all(set(r) == outcomes for r in data["by_pairing"])
    assert set(data["stability"]) >= {"anxiety_r", "avoidance_r", "insecure_to_secure"}


def test_couples_json_stays_valid_when_a_correlation_is_undefined():
    out = iwm_cli("couples", "--n", "1", "--years", "0.02", "--json")
    assert out.returncode == 0, out.stderr
    assert strict_json(out.stdout)["stability"]["anxiety_r"] is None


BAD_VALUES = [
    (("couples", "--n", "50000001"), ("n", "50000001")),
    (("couples", "--n", "100", "--years", "0"), ("years", "0")),
    (("couples", "--n", "100", "--years", "81"), ("years", "81")),
    (("couples", "--n", "100", "--seed", "-1"), ("seed", "-1")),
    (("couples", "--n", "100", "--seed", "9223372036854775808"), ("seed", "9223372036854775808")),
    (("couples", "--n", "100", "--workers", "0"), ("workers", "0")),
    (("couples", "--n", "100", "--caregiving", "nosuch"), ("caregiving", "nosuch")),
    (("couples", "--n", "abc"), ("--n", "abc")),
    (("ablate", "--n", "0"), ("n", "0")),
    (("ablate", "--n", "100", "--years", "81"), ("years", "81")),
    (("dyad", "--days", "18251"), ("days", "18251")),
    (("dyad", "--seed", "-3"), ("seed", "-3")),
    (("dyad", "--a", "3"), ("style", "'3'")),
    (("dyad", "--b", "3,4,5"), ("3,4,5",)),
    (("dyad", "--a", "2,nan"), ("avoidance", "nan")),
    (("dyad", "--without", "denial"), ("--without", "denial", "projection")),
]


@pytest.mark.parametrize(("args", "needles"), BAD_VALUES, ids=[" ".join(a) for a, _ in BAD_VALUES])
def test_bad_values_exit_2_with_one_line(tmp_path, args, needles):
    if args[0] == "dyad":
        args = (*args, "-o", str(tmp_path / "t.parquet"), "--plot", str(tmp_path / "t.png"))
    one_line_error(iwm_cli(*args), *needles)
    assert list(tmp_path.iterdir()) == []  # nothing is written on a refused run


def test_couples_from_scores_reports_skipped_respondents(tmp_path):
    scored = tmp_path / "scored.csv"
    rows = [f"p{i},{2 + i % 5},{1.5 + (i * 3) % 5}" for i in range(40)]
    rows[7] = "p7,,3"  # a missing score: left out and reported, not an error
    scored.write_text("id,ecr_r_anxiety,ecr_r_avoidance\n" + "\n".join(rows) + "\n")
    out = iwm_cli(
        "couples",
        "--from-scores",
        str(scored),
        "--id-column",
        "id",
        "--n",
        "999",
        "--years",
        "0.5",
        "--reference-n",
        str(N),
        "--json",
    )
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    assert data["n"] == 39  # --n is ignored with --from-scores
    assert "skipped" in out.stderr and "row 9" in out.stderr  # the file row of p7 (header is row 1)
    one_line_error(
        iwm_cli("couples", "--from-scores", str(scored), "--anxiety-column", "anx"), "column 'anx'", "not found"
    )


def _dyad(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return iwm_cli("dyad", "--a", "5.5,2.0", "--b", "avoidant", "--days", "30", "--seed", "4", "-o", str(path), *extra)


def test_dyad_numbers_metadata_and_only_requested_files(tmp_path):
    trace = tmp_path / "trace.parquet"
    out = _dyad(trace, "--without", "projection", "--json")
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trace.parquet"]  # no plot unless asked, no leftovers
    summary = strict_json(out.stdout)
    assert {"a", "b", "pursue_withdraw_a_to_b", "pursue_withdraw_b_to_a", "output", "plot"} <= set(summary)
    assert summary["plot"] is None and summary["output"] == str(trace)
    a = summary["a"]
    assert a["given"] == "5.5,2.0"
    assert a["anxiety_start"] == pytest.approx(5.5, abs=0.05)
    assert 1 <= a["avoidance_start"] <= 3  # the nearest reachable state, with a note on stderr if not exact
    assert {"mean_bid", "mean_withdrawal", "mean_satisfaction", "anxiety_end", "avoidance_end"} <= set(a)
    table = pq.read_table(trace)
    assert table.num_rows == 30
    assert table.column("day").to_pylist() == list(range(1, 31))
    assert set(table.column_names) == {"day"} | {f"{f}_{s}" for f in iwm.TRACE_FIELDS for s in "ab"}
    inputs = json.loads(table.schema.metadata[b"iwm"])
    assert inputs == {
        "a": "5.5,2.0",
        "b": "avoidant",
        "days": 30,
        "seed": 4,
        "mechanisms_off": ["projection"],
        "iwm": iwm.__version__,
    }


def test_dyad_is_deterministic_and_refuses_to_overwrite(tmp_path):
    first, second, plot = tmp_path / "one.parquet", tmp_path / "two.parquet", tmp_path / "p.png"
    out = _dyad(first, "--plot", str(plot))
    assert out.returncode == 0, out.stderr
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = _dyad(second)
    assert out.returncode == 0, out.stderr
    assert pq.read_table(first).equals(pq.read_table(second))
    assert pq.read_table(first).schema.metadata[b"iwm"] == pq.read_table(second).schema.metadata[b"iwm"]
    # an existing plot is refused too, before anything is written
    fresh = tmp_path / "three.parquet"
    one_line_error(_dyad(fresh, "--plot", str(plot)), "already exists", str(plot), "--force")
    assert not fresh.exists()
    out = _dyad(fresh, "--plot", str(plot), "--force")
    assert out.returncode == 0, out.stderr
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.parquet", "p.png", "three.parquet", "two.parquet"]


def test_ablate_json_keys_and_conditions():
    out = iwm_cli("ablate", "--n", str(N), "--years", "0.1", "--seed", "2", "--json")
    assert out.returncode == 0, out.stderr
    data = strict_json(out.stdout)
    assert set(data) == {"n", "years", "seed", "caregiving", "conditions"}
    assert (data["n"], data["seed"], data["caregiving"]) == (N, 2, "low-risk")
    names = iwm.Mechanisms.names()
    expected_off = [[], *([name] for name in names), list(names)]
    assert [c["off"] for c in data["conditions"]] == expected_off
    conditions = [c["condition"] for c in data["conditions"]]
    assert (conditions[0], conditions[-1]) == ("all on", "all off")
    for c in data["conditions"]:
        assert {
            "condition",
            "off",
            "anxiety_r",
            "avoidance_r",
            "anxiety_change",
            "avoidance_change",
            "insecure_to_secure",
        } <= set(c)
