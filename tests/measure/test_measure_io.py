"""Reading respondents' files in every format, clear errors for bad files, atomic writing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iwm import InputError, ParameterError
from iwm.measure import read_mapping, read_responses, score, write_table

HEADER = "id,site," + ",".join(f"ecr_s_{i:02d}" for i in range(1, 13))


def _csv(path: Path, rows: list[str], header: str = HEADER, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def _answers(value: int) -> str:
    return ",".join([str(value)] * 12)


def test_every_format_scores_the_same(tmp_path: Path, data_dir: Path) -> None:
    reference = score("ecr-s", read_responses(data_dir / "ecr_s_responses.csv")).scores
    text = pd.read_csv(data_dir / "ecr_s_responses.csv", dtype=str, keep_default_na=False)
    numeric = pd.read_csv(data_dir / "ecr_s_responses.csv")  # floats with NaN
    text.to_csv(tmp_path / "r.tsv", sep="\t", index=False)
    numeric.to_excel(tmp_path / "r.xlsx", index=False)
    numeric.to_parquet(tmp_path / "r.parquet", index=False)
    for name in ("r.tsv", "r.xlsx", "r.parquet"):
        got = score("ecr-s", read_responses(tmp_path / name)).scores
        for column in ("ecr_s_anxiety", "ecr_s_avoidance"):
            np.testing.assert_allclose(got[column].to_numpy(dtype=float), reference[column].to_numpy(dtype=float))


def test_row_numbers_follow_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    # row 2: a quoted site spanning two lines; row 4 (after the two lines and a blank line) bad
    path.write_text(f'{HEADER}\np1,"two\nlines",{_answers(4)}\n\np2,x,{_answers(4)[:-1]}9\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"r\.csv, row 5, column ecr_s_12: '9' is outside"):
        score("ecr-s", read_responses(path))


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"row 1: the file is empty"),
        (b"\n \n", r"row 1: the file is empty"),
        (HEADER.encode() + b"\n", r"no respondents"),
        (
            HEADER.encode() + b"\np1,x," + _answers(4).encode() + b",5\n",
            r"row 2, column #15: 15 fields, but the header has 14",
        ),
        (HEADER.encode() + b"\np1,x,1,2\n", r"row 2, column ecr_s_03: 4 fields"),
        (
            HEADER.encode() + b"\np1,x," + _answers(4).encode() + b"\np1,y," + _answers(4).encode() + b"\n",
            r"row 3, column id: duplicate id 'p1' \(first at row 2\)",
        ),
        (HEADER.encode() + b"\n ,x," + _answers(4).encode() + b"\n", r"row 2, column id: empty id"),
        (
            HEADER.encode() + b"\np1,\xe9t\xe9," + _answers(4).encode() + b"\n",
            r"row 2, column site: byte 0xe9 is not valid utf-8.*--encoding",
        ),
        (b"id,id\n1,2\n", r"row 1, column id: column name appears twice"),
        (HEADER.encode() + b'\np1,"open quote,' + _answers(4).encode() + b"\n", r"row \d+: unreadable text"),
        (b"id,a\x00b\n1,2\n", r"row 1: contains NUL bytes"),
    ],
)
def test_bad_text_files(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"bad\.csv") as info:
        score("ecr-s", read_responses(path))
    assert info.match(match)


def test_named_encoding_decodes_and_keeps_text(tmp_path: Path) -> None:
    path = _csv(tmp_path / "latin.csv", [f"p1,Zürich,{_answers(4)}"], encoding="cp1252")
    with pytest.raises(InputError, match="--encoding"):
        read_responses(path)
    table = read_responses(path, encoding="cp1252")
    assert table.data.loc[0, "site"] == "Zürich"
    assert table.encoding == "cp1252"
    with pytest.raises(ParameterError, match="encoding"):
        read_responses(path, encoding="no-such-codec")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks(tmp_path: Path, encoding: str) -> None:
    path = _csv(tmp_path / "bom.csv", [f"p1,Zürich,{_answers(4)}"], encoding=encoding)
    table = read_responses(path)
    assert table.data.columns[0] == "id"
    assert table.data.loc[0, "site"] == "Zürich"


def test_limits(tmp_path: Path) -> None:
    path = _csv(tmp_path / "big.csv", [f"p{i},x,{_answers(4)}" for i in range(5)])
    with pytest.raises(InputError, match=r"big\.csv, row 5: more than 3 respondents.*--max-rows"):
        read_responses(path, max_rows=3)
    with pytest.raises(InputError, match=r"over the limit of 100 .*--max-bytes"):
        read_responses(path, max_bytes=100)
    assert len(read_responses(path, max_rows=5).data) == 5
    numeric = pd.read_csv(path)
    numeric.to_parquet(tmp_path / "big.parquet", index=False)
    with pytest.raises(InputError, match=r"5 respondents, more than the limit of 3"):
        read_responses(tmp_path / "big.parquet", max_rows=3)
    numeric.to_excel(tmp_path / "big.xlsx", index=False)
    with pytest.raises(InputError, match=r"big\.xlsx, row 5: more than 3"):
        read_responses(tmp_path / "big.xlsx", max_rows=3)


def test_unreadable_binary_files(tmp_path: Path) -> None:
    for name in ("junk.xlsx", "junk.parquet"):
        (tmp_path / name).write_bytes(b"PK\x03\x04 not really a zip")
        with pytest.raises(InputError, match=rf"{name}: not a readable"):
            read_responses(tmp_path / name)
    (tmp_path / "r.json").write_text("{}")
    with pytest.raises(InputError, match=r"unknown file type '\.json'"):
        read_responses(tmp_path / "r.json")
    with pytest.raises(InputError, match="cannot read"):
        read_responses(tmp_path / "absent.csv")


def test_xlsx_row_numbers_and_typed_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["p1", "p2"], **{f"ecr_s_{i:02d}": [4, 4] for i in range(1, 13)}})
    frame["ecr_s_07"] = frame["ecr_s_07"].astype(object)
    frame.loc[1, "ecr_s_07"] = "often"
    frame.to_excel(tmp_path / "r.xlsx", index=False)
    with pytest.raises(InputError, match=r"r\.xlsx, row 3, column ecr_s_07: 'often' is not"):
        score("ecr-s", read_responses(tmp_path / "r.xlsx"))


def test_column_resolution_errors(tmp_path: Path) -> None:
    path = _csv(tmp_path / "r.csv", [f"p1,x,{_answers(4)}"])
    table = read_responses(path)
    with pytest.raises(InputError, match=r"row 1, column ecr_r_01: no ecr-r item columns"):
        score("ecr-r", table)
    dropped = table.data.drop(columns=["ecr_s_12"])
    with pytest.raises(InputError, match=r"column ecr_s_12: missing \(11 of the 12"):
        score("ecr-s", dropped)
    with pytest.raises(InputError, match=r"--item-columns names 11 columns; ecr-s needs 12"):
        score("ecr-s", table, columns=[f"ecr_s_{i:02d}" for i in range(1, 12)])
    with pytest.raises(InputError, match=r"column nope: no such column \(given for ecr_s_01\)"):
        score("ecr-s", table, columns=["nope", *[f"ecr_s_{i:02d}" for i in range(2, 13)]])
    with pytest.raises(InputError, match=r"column site: given for both ecr_s_01 and ecr_s_02"):
        score("ecr-s", table, columns=["site", "site", *[f"ecr_s_{i:02d}" for i in range(3, 13)]])
    with pytest.raises(InputError, match=r"column pid: no such id column"):
        score("ecr-s", table, id_column="pid")
    clash = table.data.assign(ecr_s_anxiety="old")
    with pytest.raises(InputError, match=r"column ecr_s_anxiety: the file already has"):
        score("ecr-s", clash)


def test_mapping_errors(tmp_path: Path) -> None:
    path = _csv(tmp_path / "r.csv", [f"p1,x,{_answers(4)}"])
    table = read_responses(path)
    bad = tmp_path / "map.yaml"
    bad.write_text("1: [unclosed\n")
    with pytest.raises(InputError, match=r"map\.yaml.*not valid YAML"):
        read_mapping(bad)
    bad.write_text("- a\n- b\n")
    with pytest.raises(InputError, match="must be a YAML mapping"):
        read_mapping(bad)
    bad.write_text("".join(f"{i}: ecr_s_{i:02d}\n" for i in range(1, 12)))
    with pytest.raises(InputError, match=r"mapping key ecr_s_12: missing"):
        score("ecr-s", table, columns=read_mapping(bad))
    bad.write_text("13: site\n")
    with pytest.raises(InputError, match=r"mapping key 13: not an ecr-s item"):
        score("ecr-s", table, columns=read_mapping(bad))


def test_write_table_is_atomic_and_refuses_the_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _csv(tmp_path / "r.csv", [f"p1,x,{_answers(4)}"])
    before = source.read_bytes()
    frame = read_responses(source).data
    with pytest.raises(InputError, match="refusing to overwrite"):
        write_table(frame, source, inputs=[source])
    with pytest.raises(InputError, match="refusing to overwrite"):
        write_table(frame, tmp_path / "." / "r.csv", inputs=[source])
    assert source.read_bytes() == before
    target = tmp_path / "out.csv"
    target.write_text("old")
    write_table(frame, target, inputs=[source])
    assert target.read_text().startswith("id,site,")
    # a failing write leaves the old file and no temporary file behind
    (tmp_path / "out.parquet").write_bytes(b"old")

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(InputError, match=r"out\.parquet: cannot write: No space left"):
        write_table(frame, tmp_path / "out.parquet")
    monkeypatch.undo()
    assert (tmp_path / "out.parquet").read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["out.csv", "out.parquet", "r.csv"]
    with pytest.raises(InputError, match="does not exist"):
        write_table(frame, tmp_path / "no" / "out.csv")


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".parquet"])
def test_output_round_trip_keeps_original_columns(tmp_path: Path, data_dir: Path, suffix: str) -> None:
    table = read_responses(data_dir / "ecr_r_responses.csv")
    scored = score("ecr-r", table)
    out = tmp_path / f"scored{suffix}"
    write_table(scored.table, out)
    back = read_responses(out).data
    original = table.data.columns
    assert list(back.columns[: len(original)]) == list(original)
    if suffix in (".csv", ".tsv"):
        pd.testing.assert_frame_equal(back[list(original)], table.data)
    assert back.shape == scored.table.shape


def test_unstorable_cells_are_a_clear_error(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["p1"], "note": ["bell\x07"]})
    with pytest.raises(InputError, match=r"out\.xlsx: cannot store this table as \.xlsx"):
        write_table(frame, tmp_path / "out.xlsx")
    assert os.listdir(tmp_path) == []
