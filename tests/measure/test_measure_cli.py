"""``iwm score`` and ``iwm simulate-responses`` through the real entry point (``iwm.cli.main``,
in-process, plus two runs of the installed ``iwm`` script)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import iwm

Run = Callable[..., Any]  # the ``run_cli`` fixture of conftest.py


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


ECR_S_HEADER = "id,site," + ",".join(f"ecr_s_{i:02d}" for i in range(1, 13))


def _file(folder: Path, name: str, rows: list[str], header: str = ECR_S_HEADER) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _row(rid: str, value: str = "4", site: str = "x") -> str:
    return ",".join([rid, site, *[value] * 12])


def _one_line_error(result: Any) -> str:
    assert result.code == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("iwm: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_json_summary(run_cli: Run, data_dir: Path, tmp_path: Path) -> None:
    source = shutil.copy(data_dir / "ecr_r_responses.csv", tmp_path / "in.csv")
    result = run_cli("score", "ecr-r", source, "-o", tmp_path / "out.csv", "--json")
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {"n", "scores", "reliability", "categories"} <= summary.keys()
    assert summary["n"] == 8
    assert summary["scores"]["anxiety"] == pytest.approx(
        {"mean": 570 / 126, "sd": summary["scores"]["anxiety"]["sd"], "n_scored": 7, "n_missing": 1}
    )
    assert set(summary["reliability"]["avoidance"]) == {"alpha", "omega", "n_complete"}
    assert summary["categories"]["shares"] == pytest.approx(
        {"secure": 2 / 6, "preoccupied": 1 / 6, "dismissing": 1 / 6, "fearful": 2 / 6}
    )
    assert "never" in summary["categories"]["note"]


def test_output_keeps_input_and_original_columns(
    run_cli: Run, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = Path(shutil.copy(data_dir / "ecr_r_responses.csv", tmp_path / "in.csv"))
    before = sha256(source)
    result = run_cli("score", "ecr-r", "in.csv", "-o", "scored.csv")
    assert result.code == 0, result.stderr
    assert sha256(source) == before
    original = pd.read_csv(source, dtype=str, keep_default_na=False)
    scored = pd.read_csv(tmp_path / "scored.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(scored[list(original.columns)], original)
    assert list(scored.columns[: original.shape[1]]) == list(original.columns)
    assert "ecr_r_anxiety" in scored.columns and "ecr_r_category" in scored.columns
    # nothing written but what was asked for: no caches, logs or leftover temporary files
    assert sorted(os.listdir(tmp_path)) == ["in.csv", "scored.csv"]
    assert "Research categories" in result.stdout and "never a diagnosis" in result.stdout


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet", ".tsv"])
def test_other_output_formats(run_cli: Run, data_dir: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"scored{suffix}"
    result = run_cli("score", "ecr-s", data_dir / "ecr_s_responses.csv", "-o", out, "--json")
    assert result.code == 0, result.stderr
    back = (
        pd.read_excel(out)
        if suffix == ".xlsx"
        else pd.read_parquet(out)
        if suffix == ".parquet"
        else pd.read_csv(out, sep="\t")
    )
    assert back["ecr_s_anxiety"].tolist()[:2] == pytest.approx([6.0, 4.5])


def test_mapping_item_columns_and_median_cut(run_cli: Run, data_dir: Path) -> None:
    renamed = data_dir / "ecr_s_renamed.csv"
    by_map = run_cli(
        "score", "ecr-s", renamed, "--id-column", "respondent", "--mapping", data_dir / "ecr_s_mapping.yaml", "--json"
    )
    by_list = run_cli(
        "score",
        "ecr-s",
        renamed,
        "--id-column",
        "respondent",
        "--item-columns",
        ",".join(f"Q{i}" for i in range(1, 13)),
        "--json",
    )
    plain = run_cli("score", "ecr-s", data_dir / "ecr_s_responses.csv", "--json")
    for result in (by_map, by_list, plain):
        assert result.code == 0, result.stderr
    assert json.loads(by_map.stdout)["scores"] == json.loads(plain.stdout)["scores"]
    assert json.loads(by_list.stdout)["scores"] == json.loads(plain.stdout)["scores"]
    median = json.loads(run_cli("score", "ecr-s", data_dir / "ecr_s_responses.csv", "--cut", "median", "--json").stdout)
    assert "median" in median["categories"]["rule"]
    rq = run_cli("score", "rq", data_dir / "rq_responses.csv", "--json")
    assert json.loads(rq.stdout)["categories"]["shares"]["secure"] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("rows", "header", "extra", "expect"),
    [
        # wrong number of item columns: the file lacks one
        (
            [_row("p1")[:-2]],
            ECR_S_HEADER.rsplit(",", 1)[0],
            (),
            ("bad.csv, row 1, column ecr_s_12", "missing (11 of the 12"),
        ),
        # wrong number of item columns given on the command line
        (
            [_row("p1")],
            ECR_S_HEADER,
            ("--item-columns", "ecr_s_01,ecr_s_02"),
            ("bad.csv, row 1", "--item-columns names 2 columns; ecr-s needs 12"),
        ),
        # a row with a separator too many
        ([_row("p1") + ",4"], ECR_S_HEADER, (), ("bad.csv, row 2, column #15", "15 fields")),
        # non-numeric cell
        (
            [_row("p1"), _row("p2").replace(",4,", ",often,", 1)],
            ECR_S_HEADER,
            (),
            ("bad.csv, row 3, column ecr_s_01", "'often' is not a number"),
        ),
        # out of range
        (
            [_row("p1", "8")],
            ECR_S_HEADER,
            (),
            ("bad.csv, row 2, column ecr_s_01", "'8' is outside the response range 1-7"),
        ),
        # duplicate ids
        (
            [_row("p1"), _row("p2"), _row("p1")],
            ECR_S_HEADER,
            (),
            ("bad.csv, row 4, column id", "duplicate id 'p1' (first at row 2)"),
        ),
        # huge file (configurable row limit)
        (
            [_row(f"p{i}") for i in range(4)],
            ECR_S_HEADER,
            ("--max-rows", "2"),
            ("bad.csv, row 4", "more than 2 respondents"),
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(
    run_cli: Run, tmp_path: Path, rows: list[str], header: str, extra: tuple[str, ...], expect: tuple[str, str]
) -> None:
    source = _file(tmp_path, "bad.csv", rows, header)
    before = sha256(source)
    line = _one_line_error(run_cli("score", "ecr-s", source, "-o", tmp_path / "out.csv", *extra))
    where, problem = expect
    assert where in line and problem in line
    assert sha256(source) == before
    assert not (tmp_path / "out.csv").exists()


def test_empty_file_wrong_encoding_and_size(run_cli: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty.csv, row 1: the file is empty" in _one_line_error(run_cli("score", "ecr-s", empty))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(f"{ECR_S_HEADER}\n{_row('p1', site='Zürich')}\n".encode("cp1252"))
    line = _one_line_error(run_cli("score", "ecr-s", latin))
    assert "latin.csv, row 2, column site: byte 0xfc is not valid utf-8" in line
    assert "--encoding" in line
    ok = run_cli("score", "ecr-s", latin, "--encoding", "cp1252", "-o", tmp_path / "o.csv")
    assert ok.code == 0, ok.stderr
    assert "Zürich" in (tmp_path / "o.csv").read_text(encoding="utf-8")
    assert "over the limit of 10 bytes" in _one_line_error(run_cli("score", "ecr-s", latin, "--max-bytes", "10"))
    assert "'klingon'" in _one_line_error(run_cli("score", "ecr-s", tmp_path / "latin.csv", "--encoding", "klingon"))


def test_lenient_reports_each_bad_cell(run_cli: Run, tmp_path: Path) -> None:
    source = _file(tmp_path, "r.csv", [_row("p1"), _row("p2").replace(",4,", ",x,", 1), _row("p3", "9")])
    result = run_cli("score", "ecr-s", source, "--lenient", "--json", "-o", tmp_path / "o.csv")
    assert result.code == 0, result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert len(problems) == 13
    assert problems[0] == {
        "file": str(source),
        "row": 3,
        "column": "ecr_s_01",
        "value": "x",
        "rule": "is not a number (answers are whole numbers 1-7)",
    }
    assert {p["row"] for p in problems[1:]} == {4}
    scored = pd.read_csv(tmp_path / "o.csv")
    assert scored["ecr_s_avoidance"].isna().tolist() == [False, False, True]
    text = run_cli("score", "ecr-s", source, "--lenient")
    assert "13 invalid cells scored as missing" in text.stdout


def test_refuses_to_overwrite_the_input(run_cli: Run, data_dir: Path, tmp_path: Path) -> None:
    source = Path(shutil.copy(data_dir / "rq_responses.csv", tmp_path / "rq.csv"))
    before = sha256(source)
    line = _one_line_error(run_cli("score", "rq", source, "-o", source))
    assert "refusing to overwrite" in line
    assert sha256(source) == before


def test_usage_errors_are_one_line(run_cli: Run, data_dir: Path) -> None:
    assert "ecr" in _one_line_error(run_cli("score", "ecr", data_dir / "rq_responses.csv"))
    line = _one_line_error(
        run_cli("score", "ecr-s", data_dir / "ecr_s_renamed.csv", "--item-columns", "a", "--mapping", "m.yaml")
    )
    assert "--mapping" in line


def test_simulate_responses_from_the_model_population(run_cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "sim.csv"
    result = run_cli("simulate-responses", "--instrument", "ecr-r", "--n", "400", "--seed", "1", "-o", out)
    assert result.code == 0, result.stderr
    answers = pd.read_csv(out)
    assert list(answers.columns) == ["id", *[f"ecr_r_{i:02d}" for i in range(1, 37)]]
    assert len(answers) == 400
    assert answers.drop(columns="id").isin(range(1, 8)).all().all()
    again = tmp_path / "again.csv"
    run_cli("simulate-responses", "--instrument", "ecr-r", "--n", "400", "--seed", "1", "-o", again)
    assert sha256(out) == sha256(again)  # one seed, one dataset
    scored = json.loads(run_cli("score", "ecr-r", out, "--json").stdout)
    assert scored["n"] == 400
    assert scored["reliability"]["anxiety"]["alpha"] >= 0.85
    assert scored["reliability"]["avoidance"]["alpha"] >= 0.85
    # the scored sample sits where the item model puts the population's latents (z metric):
    # a person at latent 0 scores anxiety_location; one latent SD is anxiety_scale points
    development = iwm.develop("low-risk", n=400, seed=1)
    latent, _ = iwm.measure.latent_dimensions(development.population)
    params = iwm.measure.ResponseParams()
    expected = params.anxiety_location + params.anxiety_scale * latent.mean()
    assert scored["scores"]["anxiety"]["mean"] == pytest.approx(expected, abs=0.2)


def test_interview_json_reports_shares_and_modest_agreement(run_cli: Run) -> None:
    result = run_cli("interview", "--n", "2000", "--seed", "4", "--json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["shares"]) == {"secure", "dismissing", "preoccupied", "unresolved"}
    assert sum(data["shares"][c] for c in ("secure", "dismissing", "preoccupied")) == pytest.approx(1.0)
    agreement = data["agreement_with_self_report"]
    assert 0 < agreement["r"] < 0.40 and -0.1 < agreement["kappa"] < 0.40
    assert "never a clinical" in data["note"]


def test_simulated_answers_follow_the_caregiving(run_cli: Run, tmp_path: Path) -> None:
    """A population raised by rejecting caregivers answers as more avoidant and less anxious
    than one raised by inconsistent caregivers (C5 carried through the measurement model).
    With 400 people per group and scale SDs about .9, the SE of a difference of means is about
    .065: a difference of .5 scale points is more than seven SEs (the v2 model, seed 2, gives
    .88 for anxiety and 1.56 for avoidance)."""
    means = {}
    for mix in ("rejecting", "inconsistent"):
        out = tmp_path / f"{mix}.csv"
        result = run_cli(
            "simulate-responses", "--instrument", "ecr-r", "--n", "400", "--seed", "2", "--caregiving", mix, "-o", out
        )
        assert result.code == 0, result.stderr
        scored = json.loads(run_cli("score", "ecr-r", out, "--json").stdout)["scores"]
        means[mix] = (scored["anxiety"]["mean"], scored["avoidance"]["mean"])
    assert means["rejecting"][1] > means["inconsistent"][1] + 1.0
    assert means["inconsistent"][0] > means["rejecting"][0] + 0.5


def test_simulate_responses_bad_caregiving_is_one_line(run_cli: Run, tmp_path: Path) -> None:
    line = _one_line_error(run_cli("simulate-responses", "--caregiving", "medium", "-o", tmp_path / "s.csv"))
    assert "caregiving" in line and "got 'medium'" in line


def _installed_iwm() -> str:
    script = Path(sys.executable).with_name("iwm")
    if not script.exists():
        pytest.skip("the iwm script is not installed next to this Python")
    return str(script)


def test_installed_script(data_dir: Path, tmp_path: Path) -> None:
    script = _installed_iwm()
    ok = subprocess.run(
        [script, "score", "ecr-s", str(data_dir / "ecr_s_responses.csv"), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["n"] == 4
    bad = _file(tmp_path, "bad.csv", [_row("p1", "nine")])
    failed = subprocess.run(
        [script, "score", "ecr-s", str(bad)], capture_output=True, text=True, check=False, timeout=120
    )
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    assert f"{bad}, row 2, column ecr_s_01: 'nine' is not a number" in failed.stderr
