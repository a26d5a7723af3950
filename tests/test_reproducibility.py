"""One seed gives bit-identical results whatever the chunk size and the number of workers."""

from __future__ import annotations

import numpy as np
import pytest

import iwm

SHORT = iwm.FormationParams(years=2)


def _arrays(run: iwm.Development) -> dict[str, np.ndarray]:
    out = {f"pop.{k}": v for k, v in run.population.columns().items()}
    out.update({f"cg.{k}": v for k, v in run.caregivers.columns().items()})
    out["infant"] = run.infant
    if run.parents is not None:
        out.update({f"parent.{k}": v for k, v in run.parents.population.columns().items()})
    return out


def _assert_identical(a: iwm.Development, b: iwm.Development) -> None:
    xa, xb = _arrays(a), _arrays(b)
    assert xa.keys() == xb.keys()
    for k in xa:
        assert xa[k].dtype == xb[k].dtype
        assert np.array_equal(xa[k], xb[k]), k


@pytest.fixture(scope="module")
def reference() -> iwm.Development:
    return iwm.develop("high-risk", n=10_000, seed=42, formation=SHORT, chunk_size=4096)


@pytest.mark.parametrize(("chunk_size", "workers"), [(1, 1), (8192, 1), (12288, 1), (10**6, 1), (4096, 2), (8192, 3)])
def test_chunk_size_and_workers_do_not_change_results(reference, chunk_size, workers):
    other = iwm.develop("high-risk", n=10_000, seed=42, formation=SHORT, chunk_size=chunk_size, workers=workers)
    _assert_identical(reference, other)


def test_same_seed_same_result_different_seed_differs(reference):
    again = iwm.develop("high-risk", n=10_000, seed=42, formation=SHORT)
    _assert_identical(reference, again)
    other = iwm.develop("high-risk", n=10_000, seed=43, formation=SHORT)
    assert not np.array_equal(other.population.self_worth_a, reference.population.self_worth_a)


def test_a_person_does_not_depend_on_how_many_others_are_simulated(reference):
    smaller = iwm.develop("high-risk", n=5_000, seed=42, formation=SHORT)
    for k, v in _arrays(smaller).items():
        assert np.array_equal(v, _arrays(reference)[k][:5_000]), k


def test_intergenerational_run_is_worker_invariant():
    a = iwm.develop(parents="low-risk", n=6_000, seed=9, formation=SHORT, workers=1, chunk_size=4096)
    b = iwm.develop(parents="low-risk", n=6_000, seed=9, formation=SHORT, workers=2, chunk_size=4096)
    _assert_identical(a, b)
    # the parent generation is the plain run of the same seed
    plain = iwm.develop("low-risk", n=6_000, seed=9, formation=SHORT)
    assert np.array_equal(a.parents.population.self_worth_a, plain.population.self_worth_a)


def test_progress_reports_every_person():
    seen: list[tuple[int, int]] = []
    iwm.develop(
        "low-risk", n=9_000, seed=1, formation=SHORT, chunk_size=4096, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (9_000, 9_000)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
