"""``iwm couples``, ``iwm dyad`` and ``iwm ablate`` as a user meets them."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

import iwm


def iwm_cli(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iwm", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def one_line_error(out: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


COUPLES = ("couples", "--n", "4096", "--years", "1", "--seed", "3", "--json")


@pytest.fixture(scope="module")
def couples_json() -> dict:
    out = iwm_cli(*COUPLES)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_couples_json_has_the_documented_keys(couples_json):
    assert {"pairings", "by_pairing", "singles"} <= set(couples_json)
    assert {r["pairing"] for r in couples_json["pairings"]} == set(iwm.PAIRINGS)
    assert all({"observed", "expected"} <= set(r) for r in couples_json["pairings"])
    couples = sum(r["observed"] for r in couples_json["pairings"])
    assert 0 < couples <= 4096 // 2
    assert sum(r["people"] for r in couples_json["singles"]) == 4096
    assert {"satisfaction", "conflict", "breakups_per_year", "pursue_withdraw"} <= set(couples_json["by_pairing"][0])
    assert couples_json["mechanisms_off"] == []


def test_couples_tables_print():
    out = iwm_cli("couples", "--n", "4096", "--years", "0.5", "--seed", "3")
    assert out.returncode == 0, out.stderr
    for text in ("pairing", "preoccupied-dismissing", "loneliness", "Stability"):
        assert text in out.stdout


def test_couples_does_not_depend_on_workers(couples_json):
    out = iwm_cli(*COUPLES, "--workers", "2")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == couples_json


def test_couples_without_mechanisms(couples_json):
    out = iwm_cli(*COUPLES, "--without", "projection,repetition-compulsion")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["mechanisms_off"] == ["projection", "repetition_compulsion"]
    assert data["pairings"] != couples_json["pairings"]
    one_line_error(iwm_cli(*COUPLES, "--without", "denial"), "--without", "denial", "projection")


def test_couples_from_scores(tmp_path):
    scored = tmp_path / "scored.csv"
    scored.write_text(
        "id,ecr_r_anxiety,ecr_r_avoidance\n" + "".join(f"p{i},{2 + i % 5},{1.5 + (i * 7) % 5}\n" for i in range(60))
    )
    args = ("--years", "1", "--seed", "1", "--reference-n", "4096", "--json")
    out = iwm_cli("couples", "--from-scores", str(scored), *args)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["n"] == 60 and "scored.csv" in data["caregiving"]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,ecr_r_anxiety,ecr_r_avoidance\na,3,3\nb,9,2\n")
    one_line_error(iwm_cli("couples", "--from-scores", str(bad), "--json"), "row 3", "ecr_r_anxiety", "9")


def test_couples_rejects_bad_sizes():
    one_line_error(iwm_cli("couples", "--n", "0"), "n", "0")
    one_line_error(iwm_cli("couples", "--n", "100", "--years", "-1"), "years", "-1")


def test_dyad_writes_trace_plot_and_metadata(tmp_path):
    trace, plot = tmp_path / "trace.parquet", tmp_path / "trace.png"
    args = ("dyad", "--a", "anxious", "--b", "avoidant", "--days", "60", "--seed", "1", "-o", str(trace))
    out = iwm_cli(*args, "--plot", str(plot), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    # the anxious partner's bids are followed by the avoidant's withdrawal; the avoidant pursues
    # less, or never (then the index is undefined, null)
    assert summary["pursue_withdraw_a_to_b"] > 0
    assert (
        summary["pursue_withdraw_b_to_a"] is None
        or summary["pursue_withdraw_a_to_b"] > summary["pursue_withdraw_b_to_a"]
    )
    assert summary["a"]["mean_bid"] > summary["b"]["mean_bid"]
    table = pq.read_table(trace)
    assert table.num_rows == 60
    for field in iwm.TRACE_FIELDS:
        assert {f"{field}_a", f"{field}_b"} <= set(table.column_names)
    inputs = json.loads(table.schema.metadata[b"iwm"])
    assert inputs["a"] == "anxious" and inputs["days"] == 60 and inputs["seed"] == 1
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # nothing is overwritten without --force, and the same run gives the same trace
    before = trace.read_bytes()
    one_line_error(iwm_cli(*args), "already exists", str(trace))
    out = iwm_cli(*args, "--force")
    assert out.returncode == 0, out.stderr
    assert pq.read_table(trace).equals(pq.read_table(__import__("io").BytesIO(before)))


def test_dyad_takes_numbers_and_rejects_nonsense(tmp_path):
    out = iwm_cli("dyad", "--a", "5.5,2.5", "--b", "secure", "--days", "20", "-o", str(tmp_path / "t.csv"), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["a"]["anxiety_start"] == pytest.approx(5.5, abs=0.05)
    assert summary["a"]["avoidance_start"] == pytest.approx(2.5, abs=0.05)
    assert (tmp_path / "t.csv").read_text().startswith("day,")
    one_line_error(iwm_cli("dyad", "--a", "nonsense", "-o", str(tmp_path / "u.parquet")), "style", "nonsense")
    one_line_error(iwm_cli("dyad", "--a", "9,1", "-o", str(tmp_path / "u.parquet")), "anxiety", "9")
    one_line_error(iwm_cli("dyad", "--days", "0", "-o", str(tmp_path / "u.parquet")), "days", "0")
    assert not (tmp_path / "u.parquet").exists()


def test_ablate_json():
    out = iwm_cli("ablate", "--n", "4096", "--years", "1", "--seed", "3", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [c["condition"] for c in data["conditions"]] == [
        "all on",
        "no projection",
        "no repetition compulsion",
        "no defensive behaviours",
        "no vulnerability avoidance",
        "all off",
    ]
    for c in data["conditions"]:
        assert {"anxiety_r", "avoidance_r", "insecure_to_secure"} <= set(c)


def test_therapy_json_and_plot(tmp_path):
    plot = tmp_path / "dose.png"
    args = ("therapy", "--style", "anxious", "--n", "300", "--weeks", "0,10,20", "--seed", "5", "--json")
    out = iwm_cli(*args, "--plot", str(plot))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [d["weeks"] for d in data["doses"]] == [0, 10, 20]
    for d in data["doses"]:
        assert {"anxiety_d", "avoidance_d", "earned_secure", "relapse"} <= set(d)
    assert data["doses"][2]["anxiety_d"] < data["doses"][1]["anxiety_d"] < 0
    assert plot.read_bytes()[:4] == b"\x89PNG"
    out = iwm_cli(*args, "--without", "awareness,integration")
    assert json.loads(out.stdout)["components_off"] == ["awareness", "integration"]
    one_line_error(iwm_cli(*args, "--without", "hypnosis"), "--without", "hypnosis", "awareness")
    one_line_error(iwm_cli("therapy", "--weeks", "0,ten"), "--weeks", "0,ten")
    one_line_error(iwm_cli("therapy", "--style", "calm"), "style", "calm")


def test_life_json():
    out = iwm_cli("life", "--n", "4096", "--years", "3", "--seed", "9", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"transitions", "earned_secure", "stability", "shares_by_year", "therapy"} <= set(data)
    assert sum(map(sum, data["transitions"]["counts"])) == 4096
    assert {"all_insecure_at_18", "therapy_arm", "no_therapy"} == set(data["earned_secure"])
