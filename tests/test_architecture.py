"""The layers are a contract: cli/app -> study -> measure -> model (docs/architecture.md)."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import iwm

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("model", "measure", "study", "cli", "app")


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_import_contracts_are_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (the test extra installs it)")
    done = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_the_contracts_list_no_exceptions():
    """The model uses none of its read-outs: no contract has an ``ignore_imports`` (issue 15)."""
    for contract in _contracts():
        assert not contract.get("ignore_imports"), contract["name"]
    forbidden = next(c for c in _contracts() if c["type"] == "forbidden")
    assert set(forbidden["forbidden_modules"]) >= {"iwm.measure", "iwm.study", "iwm.cli", "iwm.app"}


def test_every_layer_is_a_documented_package():
    for layer in LAYERS:
        module = importlib.import_module(f"iwm.{layer}")
        assert module.__doc__ and len(module.__doc__) > 200, layer
        assert "import" in module.__doc__, f"iwm.{layer} must say what it may import"


def test_the_model_has_no_io_or_dataframes():
    """Pure functions over columns: no pandas, no file formats, no printing in iwm.model."""
    model = importlib.import_module("iwm.model")
    for info in pkgutil.iter_modules(model.__path__):
        text = (Path(model.__path__[0]) / f"{info.name}.py").read_text()
        for banned in ("import pandas", "import polars", "import pyarrow", "import yaml", "open(", "print("):
            assert banned not in text, f"iwm.model.{info.name} contains {banned!r}"


@pytest.mark.parametrize("old", ["_adult", "_readout", "_scenario", "_develop"])
def test_old_private_paths_name_their_new_home(old):
    with pytest.raises(ModuleNotFoundError, match=r"moved to iwm\.(model|measure|study)\."):
        importlib.import_module(f"iwm.{old}")


def test_public_api_is_importable_and_small():
    assert len(iwm.__all__) < 120
    for name in iwm.__all__:
        assert hasattr(iwm, name), name


def test_model_functions_are_short_named_steps():
    """No function in iwm.model over ~80 lines: a time step is composed of named steps."""
    import ast

    model = Path(importlib.import_module("iwm.model").__path__[0])
    long = []
    for path in sorted(model.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 80:
                long.append(f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, long
