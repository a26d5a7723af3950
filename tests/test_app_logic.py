"""What the dashboard computes, tested without a browser: iwm.app._logic."""

from __future__ import annotations

import io
import os

import numpy as np
import pandas as pd
import pytest

import iwm
from iwm import measure
from iwm.app import _logic as logic


def answers_csv(n: int = 200, seed: int = 3) -> bytes:
    rng = np.random.default_rng(seed)
    anx, avo = rng.uniform(1.5, 6.5, n), rng.uniform(1.5, 6.5, n)
    frame = measure.simulate_responses("ecr-r", anx, avo, np.random.default_rng(seed))
    return frame.to_csv(index=False).encode()


def test_formation_returns_targets_beside_the_model():
    out = logic.formation("low-risk", 4000, 7)
    assert list(out["infant"]["class"]) == list(iwm.INFANT_CLASSES)
    assert out["infant"]["model"].sum() == pytest.approx(1.0)
    assert out["infant"]["published (T1)"].tolist() == [0.20, 0.65, 0.10, 0.15]
    assert out["targets_apply"]
    assert out["adult"]["model at 18"].sum() == pytest.approx(1.0)
    assert len(out["space"]) == 3000 and set(out["space"]["style"]) <= set(iwm.ADULT_CATEGORIES)
    assert out["space"][["anxiety", "avoidance"]].stack().between(1, 7).all()


def test_low_risk_targets_are_not_shown_beside_other_caregiving():
    out = logic.formation("high-risk", 1000, 7)
    assert not out["targets_apply"]
    assert out["infant"].columns.tolist() == ["class", "model"]  # no T1 bars for a high-risk sample
    assert "published adults (T3)" not in out["adult"]


def test_custom_caregiving_moves_infants_as_the_theory_says():
    """Frightening caregiving raises disorganization (C5, T2); sensitive caregiving raises B."""
    kind = logic.formation(logic.custom_mix(0.9, 0.9, 0.05, 0.0), 4096, 1)["infant"].set_index("class")["model"]
    scary = logic.formation(logic.custom_mix(0.4, 0.4, 0.3, 0.8), 4096, 1)["infant"].set_index("class")["model"]
    assert scary["D"] > kind["D"] + 0.15  # n = 4096: a share's SE is below .008
    assert kind["B"] > scary["B"] + 0.15


def test_unknown_mix_is_a_clear_error():
    with pytest.raises(iwm.InputError, match=r"caregiving.*'nope'"):
        logic.formation("nope", 1000, 1)


def test_couple_compares_with_a_mechanism_switched_off():
    out = logic.couple("anxious", "avoidant", days=120, seed=1, off=["defensive_behaviours"])
    table = out["comparison"].set_index("condition")
    assert list(table.index) == ["all mechanisms on", "without defensive behaviours"]
    assert set(out["traces"]) == set(table.index)
    on = table.loc["all mechanisms on"]
    assert on["pursue-withdraw a->b"] > 0.1  # the anxious partner's bids precede the avoidant's withdrawal (C15)
    assert out["traces"]["all mechanisms on"].shape[0] == 120
    chart = logic.panel(out["traces"]["all mechanisms on"], ["bid", "withdrawal"])
    assert list(chart.columns) == ["bid (a)", "bid (b)", "withdrawal (a)", "withdrawal (b)"]


def test_couple_by_scores():
    out = logic.couple((5.5, 2.5), (2.5, 5.5), days=28, seed=2)
    assert len(out["comparison"]) == 1
    frame = out["traces"]["all mechanisms on"]
    assert frame["anxiety_a"].iloc[0] > frame["anxiety_b"].iloc[0]


def test_dose_response_and_course():
    doses = logic.dose_response("anxious", n=200, weeks=[0, 20], seed=5)
    assert doses["weeks"].tolist() == [0, 20]
    assert doses.loc[1, "anxiety_d"] < doses.loc[0, "anxiety_d"] - 0.1  # therapy lowers anxiety (C25-C29)
    course = logic.therapy_course("anxious", n=200, weeks=20, seed=5, follow_up_years=0.5)
    assert course.index[0] == 0 and course.index[-1] == 20 + 26
    assert set(course["phase"]) == {"therapy", "follow-up"}
    assert course.loc[20, "anxiety"] < course.loc[0, "anxiety"]
    assert course.loc[20, "secure"] > course.loc[0, "secure"]


def test_score_upload_in_memory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = logic.score_upload(answers_csv(), "answers.csv", "ecr-r", "id")
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere we can see
    assert len(out["scored"]) == 200 and {"ecr_r_anxiety", "ecr_r_avoidance"} <= set(out["scored"].columns)
    dims = out["dimensions"]
    assert dims[["anxiety", "avoidance"]].notna().all().all()
    back = pd.read_csv(io.BytesIO(logic.scored_csv(out["scored"])))
    assert back.shape == out["scored"].shape
    assert out["stats"]["n"] == 200


def test_score_upload_xlsx_and_parquet():
    frame = pd.read_csv(io.BytesIO(answers_csv(50)))
    for name, write in (("a.xlsx", frame.to_excel), ("a.parquet", frame.to_parquet)):
        buffer = io.BytesIO()
        write(buffer, index=False)
        out = logic.score_upload(buffer.getvalue(), name, "ecr-r", "id")
        assert len(out["scored"]) == 50, name


@pytest.mark.parametrize(
    ("data", "name", "needles"),
    [
        (b"x" * (logic.MAX_UPLOAD_BYTES + 1), "big.csv", ["big.csv", "over the dashboard's limit"]),
        (b"", "empty.csv", ["empty.csv", "empty"]),
        (b"id,a\n1,2\n", "notes.txt", ["notes.txt", "unknown file type"]),
        (None, "bad.csv", ["bad.csv", "row 3", "ecr_r_05"]),
    ],
)
def test_bad_uploads_name_file_row_and_column(data, name, needles):
    if data is None:  # a valid file with one answer out of range
        frame = pd.read_csv(io.BytesIO(answers_csv(5)))
        frame.loc[1, "ecr_r_05"] = 9
        data = frame.to_csv(index=False).encode()
    with pytest.raises(iwm.InputError) as info:
        logic.score_upload(data, name, "ecr-r", "id")
    for needle in needles:
        assert needle in str(info.value)


def test_respondent_forward():
    frame = logic.respondent_forward(5.0, 2.5, "secure", days=30, seed=1)
    assert len(frame) == 30
    assert frame["anxiety_a"].iloc[0] == pytest.approx(5.0, abs=0.3)


def test_list_runs(tmp_path):
    assert logic.list_runs(tmp_path / "none").empty
    iwm.run_scenario({"population": {"n": 500}, "adult": {"years": 0.25}}, tmp_path / "one", workers=1)
    (tmp_path / "not-a-run").mkdir()
    runs = logic.list_runs(tmp_path)
    assert runs["run"].tolist() == ["one"] and runs.loc[0, "done"] == 1 and not runs.loc[0, "report"]
    assert logic.list_runs(tmp_path / "one")["run"].tolist() == ["one"]
    assert os.path.samefile(runs.loc[0, "path"], tmp_path / "one")


def test_app_command_line_is_local_headless_and_silent():
    from iwm.cli._app import streamlit_command

    cmd = streamlit_command("127.0.0.1", 8600)
    flags = {cmd[i]: cmd[i + 1] for i in range(len(cmd) - 1) if cmd[i].startswith("--")}
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("main.py")
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == "8600"
    assert flags["--browser.gatherUsageStats"] == "false"  # no telemetry
    assert flags["--server.headless"] == "true"
    assert int(flags["--server.maxUploadSize"]) * 1024 * 1024 >= logic.MAX_UPLOAD_BYTES
    assert all(isinstance(part, str) for part in cmd)


def test_a_relative_runs_folder_lists_and_opens_its_runs(tmp_path, monkeypatch):
    """`iwm app --runs runs` passes a relative folder: runs in it must be found and opened (a
    relative root was once joined twice, runs/runs/NAME, and the Runs page showed nothing)."""
    from iwm.app._logic import list_runs, open_listed_run

    iwm.run_scenario(
        {"name": "rel", "population": {"n": 300}, "adult": {"years": 0.1}}, tmp_path / "runs" / "rel", workers=1
    )
    monkeypatch.chdir(tmp_path)
    runs = list_runs("runs")
    assert runs["run"].tolist() == ["rel"]
    assert open_listed_run("runs", "rel").status()["done"] == 1
