"""Every table the command line prints fits an 80-column terminal, with human labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from iwm.cli import app
from iwm.cli._study import _print_frame, print_sensitivity

DATA = Path(__file__).resolve().parent / "data" / "measure"
WIDTH = 80


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


@pytest.mark.parametrize(
    "args",
    [
        ["develop", "--n", "600"],
        ["therapy", "--n", "40", "--weeks", "0,5"],
        ["life", "--n", "600", "--years", "1"],
        ["couples", "--n", "600", "--years", "0.5"],
        ["ablate", "--n", "600", "--years", "0.25"],
        ["validate", "--n", "600"],
        ["score", "ecr-r", str(DATA / "ecr_r_responses.csv")],
        ["score", "rq", str(DATA / "rq_responses.csv")],
    ],
    ids=lambda a: "-".join(a[:2]) if a[0] == "score" else a[0],
)
def test_command_tables_fit_80_columns(args):
    out = CliRunner().invoke(app, args, env={"COLUMNS": str(WIDTH)})
    assert out.exit_code in (0, 1), out.output  # validate exits 1 when a target misses at this small n
    assert "┃" in out.output  # a table was printed
    assert widest(out.output) <= WIDTH, out.output
    assert "…" not in out.output  # nothing cut off


def test_validate_numbers_its_sources_below_the_table():
    out = CliRunner().invoke(app, ["validate", "--n", "600"], env={"COLUMNS": str(WIDTH)})
    assert "[1] van IJzendoorn" in out.output and "Mickelson" in out.output


def test_a_wide_query_result_is_transposed(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    frame = pd.DataFrame({f"a_long_column_name_{i}": [0.123456, 2.5, 3.0] for i in range(20)})
    _print_frame(frame, "table")
    out = capsys.readouterr().out
    assert widest(out) <= WIDTH and "transposed" in out
    assert all(f"a_long_column_name_{i}" in out for i in range(20))  # every column is shown, none cut
    _print_frame(frame.iloc[:, :2], "table")  # a narrow one stays a normal table
    assert "transposed" not in capsys.readouterr().out


def test_sensitivity_table_shows_intervals_flags_and_labels(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    outputs = ["pursue_withdraw_anxious_avoidant", "satisfaction_mean"]
    params = ["adult.params.protest", "adult.params.perception_bias"]
    rng = np.random.default_rng(0)
    rows = [
        {"arm": "all", "output": o, "parameter": p, "S1": s1, "S1_conf": 0.3, "ST": 1.6, "ST_conf": 0.2}
        for o in outputs
        for p, s1 in zip(params, rng.uniform(-0.2, 0.5, 2), strict=True)
    ]
    from iwm.study._sweep import _flagged

    print_sensitivity(pd.DataFrame(_flagged(rows)))
    out = capsys.readouterr().out
    assert widest(out) <= WIDTH, out
    assert "±0.30" in out and "perception bias" in out and "satisfaction (mean)" in out
    assert (
        "ST:out/wide" in out
        and "S1:wide" in out
        and "warning: 4 of 4 indices lie outside [0, 1]" in " ".join(out.split())
    )
