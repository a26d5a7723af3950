"""Hardening (issue 17): hostile or broken input gets a one-line error naming the file and the
limit, never a traceback or a hang; outputs never carry live spreadsheet formulas; a run
folder has one driver at a time and survives a kill or a full disk."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

import iwm
from iwm import _yaml
from iwm._errors import InputError
from iwm.study._mixes import read_mix_file
from iwm.study._scenario import load_scenario

# ---------------------------------------------------------------- YAML


def billion_laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    previous = "a"
    for name in "bcdefghijk"[: levels - 1]:
        text += f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
        previous = name
    return text


def test_an_alias_bomb_is_refused_quickly_naming_the_file(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs())
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"bomb\.yaml: refused: its aliases expand to more than 200,000 values"):
        load_scenario(path)
    assert time.perf_counter() - start < 0.5  # 9**9 values if expanded: a hang before the limit


def test_too_many_aliases_and_self_reference_are_refused():
    many = "a: &a 1\nb: [" + ", ".join(["*a"] * (_yaml.MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(InputError, match=r"m\.yaml: refused: more than 1,000 aliases"):
        _yaml.load_yaml(many, "m.yaml")
    for text in ("a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a {<<: *a}\n"):
        with pytest.raises(InputError, match="refers to the value that contains it"):
            _yaml.load_yaml(text, "m.yaml")


def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("population: " + "[" * 200_000)
    with pytest.raises(InputError, match=r"deep\.yaml: refused: nested deeper than 64 levels"):
        load_scenario(path)
    ok = "x: " + "[" * 60 + "]" * 60
    assert _yaml.load_yaml(ok, "ok.yaml")["x"] is not None
    # aliases can nest deeper than the text does: a chain of 30 levels, 30 times over
    chain = "a0: &a0 " + "[" * 30 + "1" + "]" * 30 + "\n"
    chain += "".join(f"a{i}: &a{i} " + "[" * 30 + f"*a{i - 1}" + "]" * 30 + "\n" for i in range(1, 30))
    with pytest.raises(InputError, match="expand to nesting deeper than 64 levels"):
        _yaml.load_yaml(chain, "chain.yaml")


def test_a_large_yaml_file_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * _yaml.MAX_BYTES + "\n")
    with pytest.raises(InputError, match=r"big\.yaml: larger than 1,048,576 bytes, the limit for a YAML file"):
        load_scenario(path)


def test_every_yaml_input_uses_the_limits(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs())
    with pytest.raises(InputError, match=r"bomb\.yaml: refused"):
        read_mix_file(bomb)
    with pytest.raises(InputError, match=r"bomb\.yaml: refused"):
        iwm.measure.read_mapping(bomb)
    (tmp_path / "sweep.yaml").write_text(billion_laughs())
    with pytest.raises(InputError, match=r"sweep\.yaml: refused"):
        iwm.study._sweep.load_sweep(tmp_path / "sweep.yaml")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"population": {"caregiving": "bomb.yaml"}}))
    with pytest.raises(InputError, match=r"population\.caregiving: .*bomb\.yaml: refused"):
        load_scenario(tmp_path / "s.yaml")
    (tmp_path / "dup.yaml").write_text("components: []\ncomponents: []\n")
    with pytest.raises(InputError, match="appears twice"):
        read_mix_file(tmp_path / "dup.yaml")


def test_a_yaml_file_that_is_a_fifo_or_a_device_is_refused_not_read(tmp_path):
    fifo = tmp_path / "mix.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    with pytest.raises(InputError, match=r"mix\.yaml: is a FIFO \(named pipe\), not a regular YAML file"):
        read_mix_file(fifo)
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"population": {"caregiving": "mix.yaml"}}))
    with pytest.raises(InputError, match=r"population\.caregiving: .*FIFO"):
        load_scenario(tmp_path / "s.yaml")
    with pytest.raises(InputError, match="is a device or special file"):
        read_mix_file("/dev/zero")
    toml = tmp_path / "mix.toml"
    os.mkfifo(toml)
    with pytest.raises(InputError, match="FIFO"):
        read_mix_file(toml)
    with pytest.raises(InputError, match="is a folder"):
        read_mix_file(tmp_path)
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match=r"deep\.toml"):
        read_mix_file(deep)


# ---------------------------------------------------------------- spreadsheets


def small_workbook() -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "q1"])
    sheet.append([1, 3])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def edited_sheet(data: bytes, edit) -> bytes:
    """The workbook with its first sheet's XML passed through ``edit`` (a hostile file by hand)."""
    import io
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = edit(body.decode()).encode()
            target.writestr(info.filename, body)
    return out.getvalue()


def test_a_small_xlsx_declaring_millions_of_rows_is_refused_before_loading(tmp_path):
    import re

    path = tmp_path / "big.xlsx"
    path.write_bytes(edited_sheet(small_workbook(), lambda t: re.sub(r'ref="A1:B2"', 'ref="A1:B50000000"', t)))
    assert path.stat().st_size < 10_000
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"big\.xlsx: the sheet declares 50,000,000 rows x 2 columns, over the limit"):
        iwm.measure.read_responses(path)
    assert time.perf_counter() - start < 2  # it was minutes: openpyxl pads the sheet to its declared size
    wide = edited_sheet(small_workbook(), lambda t: re.sub(r'ref="A1:B2"', 'ref="A1:XFD2"', t))
    with pytest.raises(InputError, match="16,384 columns, over the limit of 2,048 columns"):
        iwm.measure.read_responses_bytes(wide, "wide.xlsx")


def test_rows_and_columns_beyond_the_limits_are_refused_even_when_the_dimension_lies():
    far = edited_sheet(
        small_workbook(),
        lambda t: t.replace("</sheetData>", '<row r="50000000"><c r="A50000000"><v>1</v></c></row></sheetData>'),
    )
    with pytest.raises(InputError, match=r"far\.xlsx, row 1,011: the sheet has rows beyond row 1,010, the limit"):
        iwm.measure.read_responses_bytes(far, "far.xlsx", max_rows=10)
    wide = edited_sheet(
        small_workbook(), lambda t: t.replace("</sheetData>", '<row r="3"><c r="XFD3"><v>1</v></c></row></sheetData>')
    )
    with pytest.raises(InputError, match=r"wide\.xlsx, row 3: 16,384 columns, over the limit"):
        iwm.measure.read_responses_bytes(wide, "wide.xlsx")
    # a dimension smaller than the data no longer hides rows
    row3 = '<row r="3"><c r="A3"><v>2</v></c><c r="B3"><v>5</v></c></row>'
    more = edited_sheet(small_workbook(), lambda t: t.replace("</sheetData>", row3 + "</sheetData>"))
    assert iwm.measure.read_responses_bytes(more, "more.xlsx").data["q1"].tolist() == [3, 5]


def test_an_xlsx_that_expands_too_far_is_refused_before_decompressing(tmp_path):
    import io
    import zipfile

    data = small_workbook()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/padding.xml", b" " * 30_000_000)  # 30 MB of XML in about 30 kB
    assert len(out.getvalue()) < 100_000
    with pytest.raises(InputError, match=r"bomb\.xlsx: the workbook expands to .* bytes of XML .*over the limit"):
        iwm.measure.read_responses_bytes(out.getvalue(), "bomb.xlsx", max_bytes=1_000_000)
    with pytest.raises(InputError, match="not a readable xlsx workbook"):
        iwm.measure.read_responses_bytes(b"PK\x03\x04 not a zip", "broken.xlsx")


# ---------------------------------------------------------------- formulas in outputs

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-3", "1e5", "plain", None]


def hostile_table():
    import pandas as pd

    return pd.DataFrame({"id": range(len(HOSTILE)), "note": HOSTILE, "=cmd": [-1.5] * len(HOSTILE)})


def test_csv_and_xlsx_outputs_carry_no_live_formula_and_numbers_stay_numbers(tmp_path):
    import csv

    import openpyxl

    iwm.measure.write_table(hostile_table(), tmp_path / "out.csv")
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["id", "note", "'=cmd"]
    expected = ['\'=HYPERLINK("http://x","y")', "'+1+1", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1", "-3", "1e5"]
    assert [r[1] for r in rows[1:]] == [*expected, "plain", ""]
    assert {r[2] for r in rows[1:]} == {"-1.5"}  # a negative number is a number, not a formula
    assert iwm.measure.read_responses(tmp_path / "out.csv").data["note"].tolist()[5] == "'\r=1"  # CR kept in its cell

    iwm.measure.write_table(hostile_table(), tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [c.value for c in sheet["B"][1:9]] == [e.replace("\r", "\n") for e in expected]  # XML reads CR as LF
    assert sheet["C2"].value == -1.5 and sheet["C1"].value == "'=cmd"

    iwm.measure.write_table(hostile_table(), tmp_path / "out.parquet")  # data for analysis: kept exactly
    assert iwm.measure.read_responses(tmp_path / "out.parquet").data["note"].tolist()[:2] == HOSTILE[:2]


def test_scored_outputs_downloads_and_printed_csv_are_neutralised(tmp_path):
    from typer.testing import CliRunner

    from iwm.app._logic import scored_csv
    from iwm.cli import app

    assert (
        scored_csv(hostile_table().head(3))
        == b'id,note,\'=cmd\n0,"\'=HYPERLINK(""http://x"",""y"")",-1.5\n1,\'+1+1,-1.5\n2,\'-2+3,-1.5\n'
    )
    answers = ",".join(["4"] * 12)
    (tmp_path / "r.csv").write_text(
        "id,site," + ",".join(f"ecr_s_{i:02d}" for i in range(1, 13)) + f"\np1,=1+2,{answers}\n"
    )
    out = CliRunner().invoke(app, ["score", "ecr-s", str(tmp_path / "r.csv"), "-o", str(tmp_path / "s.csv")])
    assert out.exit_code == 0, out.output
    assert "p1,'=1+2," in (tmp_path / "s.csv").read_text()
    run = iwm.run_scenario({"population": {"n": 200}, "adult": {"years": 0.05}}, tmp_path / "run", workers=1)
    printed = CliRunner().invoke(app, ["query", str(run.path), "SELECT '=2+3' AS \"@x\", -1 AS n", "--format", "csv"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == "'@x,n\n'=2+3,-1\n"


# ---------------------------------------------------------------- sweeps


def test_a_huge_grid_is_refused_before_anything_is_allocated():
    from iwm.study._sweep import sweep_from_mapping

    values = {"values": list(range(1, 101))}
    grid = {
        "scenario": {"population": {"n": 100}},
        "parameters": {"population.n": values, "seed": values, "replicates": values, "adult.params.protest": values},
    }
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"sweep: design: a grid of 100 x 100 x 100 x 100 = 100,000,000 points"):
        sweep_from_mapping(grid)
    assert time.perf_counter() - start < 1
    sobol = {
        "scenario": {"population": {"n": 100}},
        "design": {"method": "sobol", "samples": 65536},
        "parameters": {"adult.params.protest": {"low": 0, "high": 1}},
    }
    with pytest.raises(InputError, match=r"a sobol of 65536 samples x 3 = 196,608 points, over the limit of 10,000"):
        sweep_from_mapping(sobol)
    tasks = {"scenario": {"population": {"n": 100}, "replicates": 1000}, "parameters": {"seed": {"values": [1] * 200}}}
    with pytest.raises(InputError, match=r"200 points x 1,000 tasks each .* = 200,000 tasks, over the limit"):
        sweep_from_mapping(tasks)


def test_every_point_of_a_sweep_is_checked_before_the_first_task(tmp_path):
    mix = {"components": [{"weight": 1.0, "profile": "sensitive"}]}
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(mix))
    (tmp_path / "sweep.yaml").write_text(
        yaml.safe_dump(
            {
                "scenario": {"population": {"n": 100}, "adult": {"years": 0.05}},
                "parameters": {"population.caregiving": {"values": ["good.yaml", "missing.yaml"]}},
            }
        )
    )
    with pytest.raises(
        InputError, match=r"sweep\.yaml: point 1 .*population\.caregiving: .*missing\.yaml: file not found"
    ):
        iwm.run_sweep(tmp_path / "sweep.yaml", tmp_path / "out", workers=1)
    assert not (tmp_path / "out").exists()  # nothing ran, nothing written
    # a rule between sections, broken at one point only (therapy starting after the adult years)
    late = {
        "scenario": {
            "population": {"n": 100},
            "adult": {"years": 2},
            "arms": [{"name": "t", "therapy": {"start_year": 1}}],
        },
        "parameters": {"adult.years": {"values": [2, 0.5]}},
    }
    with pytest.raises(InputError, match=r"point 1 .*arms\[0\]\.therapy\.start_year: must be before the end"):
        iwm.study._sweep.sweep_from_mapping(late)
    (tmp_path / "sweep.yaml").write_text(
        yaml.safe_dump(
            {
                "scenario": {"population": {"n": 100}, "adult": {"years": 0.05}},
                "parameters": {"population.caregiving": {"values": ["good.yaml", "low-risk"]}},
            }
        )
    )
    sweep = iwm.study._sweep.load_sweep(tmp_path / "sweep.yaml")
    assert sweep.scenarios[0].population.caregiving.name == "good"  # the mix itself travels with the run


# ---------------------------------------------------------------- run folders

TINY = {"population": {"n": 200}, "adult": {"years": 0.05}, "replicates": 3, "recorders": {"trajectories": None}}


def test_a_second_driver_on_the_same_folder_is_refused(tmp_path):
    import subprocess
    import sys

    from iwm.study._experiments import scenario_jobs
    from iwm.study._scenario import scenario_from_mapping
    from iwm.study._store import prepare

    scenario = scenario_from_mapping(TINY)
    first = prepare(tmp_path / "out", kind="run", scenario=scenario, jobs=scenario_jobs(scenario), resume=False)
    try:
        with pytest.raises(InputError, match=r"out: another iwm process is running this study now"):
            iwm.run_scenario(scenario, tmp_path / "out", workers=1, resume=True)
        (tmp_path / "s.yaml").write_text(yaml.safe_dump(TINY))
        other = subprocess.run(
            [sys.executable, "-m", "iwm", "run", "s.yaml", "-o", "out", "--resume", "--workers", "1"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert other.returncode == 2 and len(other.stderr.splitlines()) == 1, other.stderr
        assert "out: another iwm process is running this study now" in other.stderr
        assert iwm.open_run(tmp_path / "out").status()["done"] == 0  # the second driver ran nothing
    finally:
        first.close()
    run = iwm.run_scenario(scenario, tmp_path / "out", workers=1, resume=True)
    assert run.status()["complete"]


def test_a_run_killed_before_or_just_after_its_manifest_can_be_resumed(tmp_path):
    from iwm.study._store import LOCK

    early = tmp_path / "early"  # killed while writing the manifest: only iwm's own leftovers
    early.mkdir()
    (early / LOCK).write_text("")
    (early / ".manifest.json.x1y2.part").write_text('{"form')
    run = iwm.run_scenario(TINY, early, workers=1, resume=True)
    assert run.status()["complete"] and not list(early.glob(".*.part"))

    late = tmp_path / "late"  # killed after the manifest, before the scenario was written
    iwm.run_scenario(TINY, late, workers=1)
    (late / "scenario.yaml").unlink()
    (late / "tasks.jsonl").write_text("")
    run = iwm.run_scenario(TINY, late, workers=1, resume=True)
    assert run.status()["complete"] and (late / "scenario.yaml").exists()

    mine = tmp_path / "mine"  # a user's file is never taken for a leftover
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="exists and is not empty"):
        iwm.run_scenario(TINY, mine, workers=1, resume=True)
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def no_space(*args, **kwargs):
    import errno

    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_stops_a_run_cleanly_and_it_resumes(tmp_path, monkeypatch):
    from iwm.study import _store

    real = _store._write_parquet
    written = []

    def fill_up(path, table):
        if "task-000001" in path.name and written and written[-1].name == "task-000001.parquet":
            no_space()  # the disk fills during the second task, after its first table
        real(path, table)
        written.append(path)

    monkeypatch.setattr(_store, "_write_parquet", fill_up)
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"out: cannot write the run folder \(No space left on device\).*--resume"):
        iwm.run_scenario(TINY, out, workers=1)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert not [f for f in files if f.endswith(".part")]  # no half-written file
    first_task = sorted(str(p.relative_to(out)) for p in written if p.name == "task-000000.parquet")
    assert len(first_task) >= 2 and any(p.name == "task-000001.parquet" for p in written)
    assert [f for f in files if f.startswith("tables")] == first_task  # the second task's table removed with it
    assert len((out / "tasks.jsonl").read_text().splitlines()) == 1
    monkeypatch.setattr(_store, "_write_parquet", real)
    run = iwm.run_scenario(TINY, out, workers=1, resume=True)
    assert run.status()["complete"] and len(run.table("summary")) == 3


def test_a_full_disk_before_the_manifest_leaves_nothing(tmp_path, monkeypatch):
    from iwm.study import _store

    monkeypatch.setattr(_store, "atomic_write_text", no_space)
    with pytest.raises(InputError, match=r"out: cannot write the run folder \(No space left on device\)"):
        iwm.run_scenario(TINY, tmp_path / "out", workers=1)
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_gives_a_clean_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(InputError, match=r"ro: cannot write the run folder \(Permission denied\)"):
            iwm.run_scenario(TINY, folder, workers=1)
        with pytest.raises(InputError, match=r"cannot make the run folder \(Permission denied\)"):
            iwm.run_scenario(TINY, folder / "sub", workers=1)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_read_only_file_system_gives_a_clean_error_even_for_root(tmp_path, monkeypatch):
    import errno

    from iwm.study import _store

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(_store, "open", read_only, raising=False)  # the first write into the folder
    with pytest.raises(InputError, match=r"out: cannot write the run folder \(Read-only file system\)"):
        iwm.run_scenario(TINY, tmp_path / "out", workers=1)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- the dashboard's runs folder


def test_the_runs_page_reads_and_writes_only_inside_its_runs_folder(tmp_path):
    from iwm.app import _logic

    root, outside = tmp_path / "runs", tmp_path / "outside"
    root.mkdir()
    iwm.run_scenario(TINY | {"replicates": 1}, root / "mine", workers=1)
    iwm.run_scenario(TINY | {"replicates": 1}, outside / "theirs", workers=1)
    (root / "linked").symlink_to(outside / "theirs")  # a run folder that links out
    assert _logic.list_runs(root)["run"].tolist() == ["mine"]
    for name in ("linked", "../outside/theirs", str(outside / "theirs"), "..", "/"):
        with pytest.raises(InputError, match="is not a run folder of the runs folder"):
            _logic.open_listed_run(root, name)
    with pytest.raises(InputError, match="is outside the runs folder"):
        _logic.within(root, root / "linked")
    with pytest.raises(InputError, match="is outside the runs folder"):
        _logic.within(root, "../outside")

    run = _logic.open_listed_run(root, "mine")
    secret = outside / "secret.html"
    secret.write_text("<p>not yours</p>")
    (run.path / "report.html").symlink_to(secret)  # reading through a link: refused
    with pytest.raises(InputError, match=r"report\.html: is outside the runs folder"):
        _logic.report_text(root, run)
    _logic.write_run_report(root, run)  # writing: replaces the link, never writes through it
    assert secret.read_text() == "<p>not yours</p>"
    assert not (run.path / "report.html").is_symlink()
    assert "iwm report" in _logic.report_text(root, run)

    table = run.path / "tables" / "summary" / "task-000000.parquet"
    table.unlink()
    table.symlink_to(outside / "theirs" / "tables" / "summary" / "task-000000.parquet")
    with pytest.raises(InputError, match="links outside the run folder"):
        run.query("SELECT * FROM summary")


# ---------------------------------------------------------------- the small tracebacks


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    return iwm.run_scenario(TINY | {"replicates": 1}, tmp_path_factory.mktemp("tiny") / "run", workers=1)


@pytest.mark.parametrize("sql", [";", " ; ; ", "-- only a comment", "/* nothing */ ;"])
def test_sql_without_a_statement_is_a_clean_error(tiny_run, sql):
    with pytest.raises(InputError, match=r"query on .*(returned no table|empty)"):
        tiny_run.query(sql)


def test_validate_with_a_tiny_population_reports_instead_of_crashing():
    import json

    from typer.testing import CliRunner

    from iwm.cli import app

    result = CliRunner().invoke(app, ["validate", "--n", "1", "--json"])
    assert result.exit_code == 1 and (result.exception is None or isinstance(result.exception, SystemExit))
    report = json.loads(result.stdout)
    ratios = [t for t in report["targets"] if t["quantity"].startswith("D share")]
    assert ratios and all(t["model"] is None and not t["pass"] for t in ratios)  # 0/0: undefined, missed


def test_a_mix_file_that_is_a_fifo_is_one_line_on_the_command_line(tmp_path):
    import subprocess
    import sys

    os.mkfifo(tmp_path / "mix.yaml")
    out = subprocess.run(
        [sys.executable, "-m", "iwm", "develop", "--caregiving", "mix.yaml", "--n", "50"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and out.stderr.splitlines() == [
        "iwm: error: mix.yaml: is a FIFO (named pipe), not a regular YAML file"
    ]


def test_a_runaway_query_is_stopped_at_its_time_limit(tiny_run):
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"stopped after 0\.5 s, the limit"):
        tiny_run.query("SELECT count(*) FROM range(1000000000000) a, range(1000) b", timeout=0.5)
    assert time.perf_counter() - start < 10
    assert tiny_run.query("SELECT 41 + 1 AS x", timeout=5)["x"].tolist() == [42]


def test_a_report_that_cannot_be_written_is_a_clean_error(tiny_run, tmp_path, monkeypatch):
    from iwm.study import _run_report

    with pytest.raises(InputError, match="is a folder; name the report file"):
        _run_report.write_report(tiny_run.path, tmp_path)
    with pytest.raises(InputError, match=r"cannot write the report \(No such file or directory\)"):
        _run_report.write_report(tiny_run.path, Path("/proc/no/report.html"))
    monkeypatch.setattr("iwm._files.atomic_write_text", no_space)
    with pytest.raises(InputError, match=r"report\.html: cannot write the report \(No space left on device\)"):
        _run_report.write_report(tiny_run.path)
    assert not (tiny_run.path / "report.html").exists()
