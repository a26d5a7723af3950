"""Shared helpers of the measurement tests."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "measure"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run ``iwm.cli.main`` in-process, as the ``iwm`` script does, and capture its outcome."""
    from iwm.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["iwm", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return CliResult(code=code, stdout=out, stderr=err)

    return run
