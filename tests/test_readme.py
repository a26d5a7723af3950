"""Every ``bash`` example in README.md and docs/*.md runs as written, in order, one document at a
time in an empty folder that holds a copy of ``examples/``.

Conventions: ``.venv/bin/iwm`` is this Python's ``python -m iwm``; a fenced block after
``<!-- file: NAME -->`` is written to NAME; a block after ``<!-- skip-test: REASON -->`` is not
run (servers, the whole test suite, minutes of work), and SKIPPED below lists every such block,
so a new one is a deliberate choice. To keep the suite fast, population sizes are capped at
SMALL_N: a ``--n`` larger than it is lowered, and ``run``, ``sweep`` and ``demo`` get
``--n SMALL_N`` (their ``--n`` sets the scenario's ``population.n``); ``run`` and ``sweep``
also get ``--set replicates=1``; a ``--years`` longer than SMALL_YEARS is shortened. Everything
else is run as written. A file written twice by one document's commands fails the test (a second command
must not silently replace the first one's output), unless the second resumes the run.

The user guide's ``console`` examples, with their expected output, are run by test_docs.py.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!-- (?P<marker>[^>]*?) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)
IWM = ".venv/bin/iwm"
SMALL_N = 1500
SMALL_YEARS = 2
SIZED = {"run", "sweep", "demo"}  # commands whose --n sets the scenario's population
OUTPUT_OPTIONS = {"-o", "--out", "--output", "--plot"}

SKIPPED = {
    ("README.md", "make demo"): "builds .venv and runs the one-minute demo and the whole test suite",
    ("README.md", "make app"): "starts a server that runs until stopped",
    ("dashboard.md", "make app"): "starts a server that runs until stopped",
    ("index.md", "make demo"): "creates .venv, installs iwm and runs the one-minute example study",
}


def blocks(doc: Path) -> list[tuple[str | None, str, str]]:
    return [(m["marker"], m["lang"], m["body"]) for m in BLOCK.finditer(doc.read_text(encoding="utf-8"))]


def commands(body: str) -> list[str]:
    """The commands of a bash block: one a line, ``\\`` continues a line, comments dropped."""
    text = body.replace("\\\n", " ")
    return [line for line in text.splitlines() if shlex.split(line, comments=True)]


def small(args: list[str]) -> list[str]:
    """The same command with its population capped at SMALL_N."""
    args = list(args)
    if "--n" in args:
        i = args.index("--n") + 1
        args[i] = str(min(int(args[i]), SMALL_N))
    if "--years" in args:
        i = args.index("--years") + 1
        args[i] = f"{min(float(args[i]), SMALL_YEARS):g}"
    elif args and args[0] in SIZED:
        args += ["--n", str(SMALL_N)]
    if args and args[0] in ("run", "sweep"):
        args += ["--set", "replicates=1"]
    return args


def outputs(args: list[str]) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a in OUTPUT_OPTIONS]


def first_command(body: str) -> str:
    line = commands(body)[0]
    return " ".join(shlex.split(line, comments=True)[:2])


def test_skipped_blocks_are_the_listed_ones():
    found = {}
    for doc in DOCUMENTS:
        for marker, lang, body in blocks(doc):
            if marker and marker.startswith("skip-test:"):
                assert lang == "bash", (doc.name, marker)
                found[(doc.name, first_command(body))] = marker[len("skip-test:") :].strip()
    assert found == SKIPPED
    assert all(SKIPPED.values()), "every skipped block says why"


def test_the_commands_are_shrunk_only_in_size():
    assert small(["develop", "--n", "100000", "--seed", "7"]) == ["develop", "--n", str(SMALL_N), "--seed", "7"]
    assert small(["simulate-responses", "--n", "1000"]) == ["simulate-responses", "--n", "1000"]
    assert small(["life", "--years", "30"]) == ["life", "--years", "2"]
    assert small(["couples", "--years", "0.5"]) == ["couples", "--years", "0.5"]
    shrunk = ["--n", str(SMALL_N), "--set", "replicates=1"]
    assert small(["run", "x.yaml", "-o", "r"]) == ["run", "x.yaml", "-o", "r", *shrunk]
    assert small(["demo"]) == ["demo", "--n", str(SMALL_N)]
    assert small(["query", "r", "SELECT 1"]) == ["query", "r", "SELECT 1"]
    assert outputs(["dyad", "-o", "t.parquet", "--plot", "t.png"]) == ["t.parquet", "t.png"]


DOCS_WITH_BASH = [
    doc
    for doc in DOCUMENTS
    if any(lang == "bash" and not (marker or "").startswith("skip-test:") for marker, lang, _ in blocks(doc))
]


@pytest.mark.slow
@pytest.mark.parametrize("doc", DOCS_WITH_BASH, ids=lambda d: d.name)
def test_every_bash_example_runs_as_written(doc, tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    written: dict[Path, str] = {}
    ran = 0
    for marker, lang, body in blocks(doc):
        if marker and marker.startswith("file: "):
            (tmp_path / marker[len("file: ") :]).write_text(body, encoding="utf-8")
            continue
        if lang != "bash" or (marker and marker.startswith("skip-test:")):
            continue
        for line in commands(body):
            argv = shlex.split(line, comments=True)
            assert argv[0] == IWM, f"{doc.name}: {line!r}: only {IWM} commands run here; mark others skip-test"
            args = small(argv[1:])
            for out in outputs(args):
                path = (tmp_path / out).resolve()
                assert path not in written or "--resume" in args, (
                    f"{doc.name}: {line!r} writes {out} again, after {written.get(path)!r}"
                )
                written[path] = line
            start = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "iwm", *args], cwd=tmp_path, capture_output=True, text=True, timeout=600
            )
            assert done.returncode == 0, f"{doc.name}: {line!r} failed:\n{done.stdout}\n{done.stderr}"
            assert "Traceback" not in done.stderr, done.stderr
            ran += 1
            print(f"{time.monotonic() - start:6.1f} s  {line}")
    assert ran > 0
