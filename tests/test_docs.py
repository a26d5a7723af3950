"""Every example in docs/user-guide.md runs, in order, in an empty folder, and says what the
guide says it says.

Conventions of the guide: a fenced block after ``<!-- file: NAME -->`` is written to NAME; a
``console`` block's ``$`` lines are commands, and the lines after each are output that must
appear in order (``...`` stands for anything; output that starts with ``iwm: error:`` means
exit code 2); a ``console`` block after ``<!-- background -->`` starts servers that are
stopped when the guide is done; a ``python`` block runs as a script.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import iwm
from iwm.study._scenario import Scenario

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "user-guide.md"
BLOCK = re.compile(r"(?:<!-- (?P<marker>[^>]*?) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)


def blocks() -> list[tuple[str | None, str, str]]:
    return [(m["marker"], m["lang"], m["body"]) for m in BLOCK.finditer(GUIDE.read_text())]


def command(line: str) -> list[str]:
    argv = shlex.split(line)
    if argv[0] == "iwm":
        return [sys.executable, "-m", "iwm", *argv[1:]]
    return [str(Path(sys.executable).parent / argv[0]), *argv[1:]]


def console(body: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def check_output(cmd: str, expected: list[str], out: subprocess.CompletedProcess[str]) -> None:
    wants_error = bool(expected) and expected[0].startswith("iwm: error:")
    assert out.returncode == (2 if wants_error else 0), (cmd, out.stdout, out.stderr)
    lines = (out.stdout + out.stderr).splitlines()
    at = 0
    for want in (w for w in expected if w.strip() != "..."):
        while at < len(lines) and lines[at].strip() != want.strip():
            at += 1
        assert at < len(lines), f"{cmd!r}: expected line {want!r} not in output:\n{out.stdout}{out.stderr}"
        at += 1


def wait_for_cluster(address: str, workers: int, timeout: float = 60) -> None:
    from distributed import Client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with Client(address, timeout="2s") as client:
                if len(client.scheduler_info()["workers"]) >= workers:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the Dask cluster at {address} did not come up")


@pytest.mark.slow
def test_every_example_in_the_user_guide_runs(tmp_path):
    pytest.importorskip("distributed")
    servers: list[subprocess.Popen[bytes]] = []
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        for marker, lang, body in blocks():
            if marker and marker.startswith("file: "):
                (tmp_path / marker[len("file: ") :]).write_text(body)
            elif lang == "console" and marker == "background":
                for cmd, _ in console(body):
                    servers.append(
                        subprocess.Popen(
                            command(cmd),
                            cwd=tmp_path,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True,
                        )
                    )
                    if " scheduler " in f" {cmd} ":
                        time.sleep(1)
                wait_for_cluster("tcp://127.0.0.1:8786", workers=2)
            elif lang == "console":
                for cmd, expected in console(body):
                    out = subprocess.run(command(cmd), cwd=tmp_path, capture_output=True, text=True, timeout=300)
                    check_output(cmd, expected, out)
            elif lang == "python":
                exec(compile(body, f"{GUIDE.name} python block", "exec"), {"__name__": "__guide__"})
    finally:
        os.chdir(cwd)
        for server in servers:
            try:
                os.killpg(server.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def _keys(model: type, prefix: str = "") -> list[str]:
    """Every key path of the schema, down to (not into) the parameter sections, whose fields
    are documented with their classes in model.md."""
    from iwm.study._scenario import _inner_model

    out = []
    for name, field in model.model_fields.items():
        out.append(f"{prefix}{name}")
        inner = _inner_model(field.annotation)
        if inner is not None and inner.__name__ not in GENERATED:
            out += _keys(inner, f"{prefix}{name}.")
    return out


GENERATED = {
    f"{cls}Section"
    for cls in (
        "FormationParams",
        "InfantReadout",
        "TransmissionParams",
        "AdultParams",
        "Mechanisms",
        "AdultReadout",
        "LifeEventParams",
        "Components",
        "TherapyParams",
        "PrimeParams",
    )
}


def test_the_guide_documents_every_scenario_key():
    text = GUIDE.read_text()
    missing = [key for key in _keys(Scenario) if not re.search(rf"\b{re.escape(key.rsplit('.', 1)[-1])}\b", text)]
    assert not missing, f"keys of the scenario schema missing from {GUIDE.name}: {missing}"
    for section in Scenario.model_fields:
        assert f"`{section}" in text, section


def test_the_guide_names_real_api():
    for name in re.findall(r"`iwm\.([A-Za-z_]+)", GUIDE.read_text()):
        assert hasattr(iwm, name), name
