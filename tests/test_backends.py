"""The backend is chosen with one option and changes speed, never results (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import iwm
from iwm.model._philox import HAVE_NUMBA

pytestmark = pytest.mark.skipif(not HAVE_NUMBA, reason="numba not installed: only the NumPy backend runs")

STUDY = {
    "name": "backends",
    "seed": 3,
    "population": {"n": 5000},
    "adult": {"years": 0.5, "events": {}},
    "recorders": {"trajectories": {"every_years": 0.25, "sample": 50}},
}


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {str(p.relative_to(folder)): pd.read_parquet(p) for p in sorted(folder.glob("tables/**/*.parquet"))}


def test_a_scenarios_tables_are_identical_on_both_backends(tmp_path: Path) -> None:
    """``execution.backend`` runs formation, adult life with events, the recorders and the
    read-outs on the NumPy reference or on the fused kernels: every table is the same."""
    runs = {}
    for backend in ("numpy", "numba"):
        study = {**STUDY, "execution": {"backend": backend}}
        iwm.run_scenario(study, tmp_path / backend, workers=1)
        runs[backend] = _tables(tmp_path / backend)
    assert runs["numpy"].keys() == runs["numba"].keys() and len(runs["numpy"]) >= 3
    for name, table in runs["numpy"].items():
        pd.testing.assert_frame_equal(table, runs["numba"][name], check_exact=True, obj=name)


def test_a_bad_backend_in_a_scenario_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"execution\.backend: input should be .numpy. or .numba.; got .cuda."):
        iwm.run_scenario({**STUDY, "execution": {"backend": "cuda"}}, tmp_path / "x", workers=1)
