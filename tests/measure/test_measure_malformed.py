"""Property: any malformed respondents' file gives a clean InputError (or, with lenient, a
report of bad cells), never any other exception."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iwm import InputError
from iwm.measure import INSTRUMENTS, read_responses, score

SETTINGS = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

ECR_S = INSTRUMENTS["ecr-s"]

cell = st.one_of(
    st.integers(1, 7).map(str),  # valid
    st.integers(-3, 12).map(str),  # some out of range
    st.sampled_from(
        [
            "",
            " ",
            "NA",
            "n/a",
            ".",
            "3.0",
            "2.5",
            "1e0",
            "inf",
            "nan",
            "seven",
            "\u00e9",
            '"',
            "4,",
            "5\n",
            "\t",
            "0x3",
            "-",
            "7 7",
        ]
    ),
    st.text(max_size=4),
)


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    """A roughly ECR-S shaped file with damage: odd cells, dropped, renamed or duplicated
    columns, ragged rows, duplicate or empty ids, stray bytes, another encoding."""
    columns = ["id", *ECR_S.item_columns]
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    if draw(st.integers(0, 4)) == 0:
        columns = columns[: draw(st.integers(0, len(columns)))]
    if draw(st.integers(0, 6)) == 0 and columns:
        columns = [*columns, draw(st.sampled_from(columns))]
    n_rows = draw(st.integers(0, 6))
    lines = [",".join(columns)]
    ids = draw(st.lists(st.sampled_from(["p1", "p2", "p3", "", " ", "p1 "]), min_size=n_rows, max_size=n_rows))
    for rid in ids:
        width = len(columns) - 1
        if draw(st.integers(0, 8)) == 0:
            width += draw(st.integers(-2, 2))
        cells = [rid, *draw(st.lists(cell, min_size=max(width, 0), max_size=max(width, 0)))]
        lines.append(",".join(cells))
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n", "\n\n"]))
    raw = text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"])), errors="replace")
    if draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    return raw


def _attempt(path: Path, *, lenient: bool) -> None:
    try:
        scored = score("ecr-s", read_responses(path), lenient=lenient)
    except InputError as exc:
        message = str(exc)
        assert message.startswith(str(path)) or message.startswith("mapping")
        assert "\n" not in message.strip() or "row" in message  # one line, or quotes a cell
        return
    # Scored: every score on the scale or missing, every reported problem fully located.
    for column in ("ecr_s_anxiety", "ecr_s_avoidance"):
        values = scored.scores[column].to_numpy(dtype=float)
        assert np.all(np.isnan(values) | ((values >= 1) & (values <= 7)))
    for problem in scored.problems:
        assert lenient
        assert problem.source == str(path) and problem.row >= 1 and problem.column
        assert problem.rule


@SETTINGS
@given(raw=csv_bytes(), lenient=st.booleans())
def test_malformed_csv_gives_input_error_or_report(raw: bytes, lenient: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.csv"
        path.write_bytes(raw)
        _attempt(path, lenient=lenient)
        assert path.read_bytes() == raw  # never modified


@SETTINGS
@given(raw=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".tsv", ".xlsx", ".parquet"]))
def test_random_bytes_never_crash(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"responses{suffix}"
        path.write_bytes(raw)
        _attempt(path, lenient=True)


typed_cell = st.one_of(
    st.none(),
    st.integers(-2, 10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=3),
)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.lists(typed_cell, min_size=12, max_size=12), min_size=1, max_size=4),
    suffix=st.sampled_from([".xlsx", ".parquet"]),
)
def test_typed_cells_in_spreadsheets(cells: list[list[object]], suffix: str) -> None:
    frame = pd.DataFrame(cells, columns=list(ECR_S.item_columns), dtype=object)
    frame.insert(0, "id", [f"p{i}" for i in range(len(frame))])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"responses{suffix}"
        try:
            if suffix == ".xlsx":
                # Excel cannot hold NaN/inf or some control characters: skip what it refuses.
                frame.to_excel(path, index=False)
            else:
                frame.astype(str).to_parquet(path, index=False)
        except Exception:  # the writer refused the cells (e.g. a control character): no file
            return
        _attempt(path, lenient=True)
        _attempt(path, lenient=False)


def test_lenient_turns_each_bad_cell_into_a_located_problem() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.csv"
        items = ["4"] * 12
        items[2], items[7] = "x", "9"
        path.write_text("id," + ",".join(ECR_S.item_columns) + "\np1," + ",".join(items) + "\n")
        scored = score("ecr-s", read_responses(path), lenient=True)
        assert [(p.row, p.column, p.value) for p in scored.problems] == [(2, "ecr_s_03", "x"), (2, "ecr_s_08", "9")]
        assert not math.isnan(scored.scores["ecr_s_anxiety"][0])
