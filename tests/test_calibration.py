"""Calibration targets T1, T2, T5, T6 (MODEL.md section 3) with default parameters.

n = 30,000 per population: the SE of a share is below .003 (tolerance .08), of kappa and r
about .006 (tolerance .10), so sampling error is far below a third of every tolerance.
"""

from __future__ import annotations

import pytest

import iwm


@pytest.fixture(scope="module")
def results() -> list[iwm.TargetResult]:
    return iwm.check_formation(n=30_000, seed=2024)


def test_every_formation_target_is_met(results):
    failed = [r.to_dict() for r in results if not r.passed]
    assert not failed, failed


def test_targets_cover_t1_t2_t5_t6(results):
    assert {r.target.id for r in results} == {"T1", "T2", "T5", "T6"}
    assert all(r.target.source for r in results)


def test_target_tolerance_rules():
    t = iwm.Target(id="X", quantity="q", target=0.5, kind="proportion", source="s")
    assert t.passes(0.58) and not t.passes(0.59)
    r = iwm.Target(id="X", quantity="q", target=2.0, kind="ratio", source="s")
    assert r.passes(2.5) and not r.passes(2.6)
