"""``iwm place``: scored respondents -> working-model states, from the command line."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pandas as pd
import pytest

import iwm


def iwm_cli(*args) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iwm", *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture()
def scored(tmp_path):
    path = tmp_path / "scored.csv"
    pd.DataFrame(
        {
            "id": ["p1", "p2", "p3", "p4"],
            "ecr_r_anxiety": ["2.8", "5.4", "", "3.1"],
            "ecr_r_avoidance": ["2.9", "3.0", "4.0", "5.2"],
        }
    ).to_csv(path, index=False)
    return path


def test_place_writes_states_that_match_the_scores(scored, tmp_path):
    before = hashlib.sha256(scored.read_bytes()).hexdigest()
    out = tmp_path / "placed.parquet"
    result = iwm_cli("place", scored, "-o", out, "--id-column", "id", "--reference-n", "4096")
    assert result.returncode == 0, result.stderr
    assert "skipped row 4" in result.stdout  # p3 has no anxiety score (file row 4)
    table = pd.read_parquet(out)
    assert list(table["id"]) == ["p1", "p2", "p4"]
    assert set(iwm.Population.field_names()) <= set(table.columns)
    assert table["anxiety"].tolist() == pytest.approx([2.8, 5.4, 3.1], abs=0.02)
    assert table["avoidance"].tolist() == pytest.approx([2.9, 3.0, 5.2], abs=0.02)
    assert hashlib.sha256(scored.read_bytes()).hexdigest() == before


@pytest.mark.parametrize(
    ("cell", "fragment"), [("high", "not a number; got 'high'"), ("9", "must be in [1, 7] (ECR metric); got '9'")]
)
def test_bad_score_cell_names_row_and_column(tmp_path, cell, fragment):
    path = tmp_path / "scored.csv"
    path.write_text(f"id,ecr_r_anxiety,ecr_r_avoidance\na,3,3\nb,{cell},3\n")
    result = iwm_cli("place", path, "-o", tmp_path / "out.csv")
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "\n" not in line and "row 3" in line and "'ecr_r_anxiety'" in line and fragment in line


def test_missing_score_column_and_overwrite_refused(scored, tmp_path):
    result = iwm_cli("place", scored, "-o", tmp_path / "o.csv", "--instrument", "ecr-s")
    assert result.returncode == 2 and "'ecr_s_anxiety'" in result.stderr and "not found" in result.stderr
    result = iwm_cli("place", scored, "-o", scored)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_place_from_item_answers_reports_standard_errors_and_outsiders(tmp_path):
    answers = tmp_path / "answers.csv"
    assert iwm_cli("simulate-responses", "--n", "300", "--seed", "3", "-o", answers).returncode == 0
    table = pd.read_csv(answers)
    # one respondent at the top of every anxiety item and the bottom of every avoidance item
    inst = iwm.measure.INSTRUMENTS["ecr-r"]
    for i, column in enumerate(inst.item_columns, 1):
        sub = next(s.name for s in inst.subscales if i in s.items)
        keyed = 7 if sub == "anxiety" else 1
        table.loc[0, column] = 8 - keyed if inst.is_reversed(i) else keyed
    table.to_csv(answers, index=False)
    out = tmp_path / "placed.csv"
    result = iwm_cli("place", answers, "-o", out, "--id-column", "id", "--reference-n", "4096")
    assert result.returncode == 0, result.stderr
    placed = pd.read_csv(out)
    assert {"anxiety_theta", "anxiety_se", "avoidance_theta", "avoidance_se", "in_support", "reason"} <= set(placed)
    assert (placed["anxiety_se"] > 0).all() and (placed["avoidance_se"] > 0).all()
    assert not placed.loc[0, "in_support"] and "the model" in placed.loc[0, "reason"]
    assert "outside the model's support" in result.stdout and "recovery r" in result.stdout
