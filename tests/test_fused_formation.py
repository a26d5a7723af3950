"""The fused formation kernel (issue 19): the compiled backend gives the NumPy reference's
results bit for bit, because both draw the same counter-based numbers (Philox by seed, stream,
person id and week) and do the same float32 arithmetic in the same order.

Compared as raw bits (``view(uint32)``), so even the sign of a zero counts. n spans three whole
random-number blocks and a padded tail (3 * 4096 + 17), so block boundaries and the padding are
both exercised."""

from __future__ import annotations

import numpy as np
import pytest

import iwm
from iwm._errors import ParameterError
from iwm.model._development import Formation, check_backend, develop
from iwm.model._philox import HAVE_NUMBA

pytestmark = pytest.mark.skipif(not HAVE_NUMBA, reason="numba not installed: only the NumPy backend runs")

N = 3 * 4096 + 17


def _bits(run: Formation) -> dict[str, np.ndarray]:
    out = {f"pop.{k}": v for k, v in run.population.columns().items()}
    out.update({f"cg.{k}": v for k, v in run.caregivers.columns().items()})
    out.update({f"infant.{k}": v for k, v in run.infant_behaviour.items()})
    if run.parents is not None:
        out.update({f"parent.pop.{k}": v for k, v in run.parents.population.columns().items()})
        out.update({f"parent.cg.{k}": v for k, v in run.parents.caregivers.columns().items()})
        out.update({f"parent.infant.{k}": v for k, v in run.parents.infant_behaviour.items()})
    return {k: np.ascontiguousarray(v).view(np.uint8) for k, v in out.items()}


def _assert_bit_identical(a: Formation, b: Formation) -> None:
    xa, xb = _bits(a), _bits(b)
    assert xa.keys() == xb.keys()
    assert any(k.startswith("infant.") for k in xa)  # the reunion episode ran
    different = [k for k in xa if not np.array_equal(xa[k], xb[k])]
    assert not different, different


@pytest.mark.parametrize("seed", [7, 2024])
@pytest.mark.parametrize("mix", ["low-risk", "high-risk"])
def test_backends_are_bit_identical(mix: str, seed: int) -> None:
    ref = develop(mix, n=N, seed=seed, backend="numpy")
    fused = develop(mix, n=N, seed=seed, backend="numba")
    assert fused.population.n == N
    _assert_bit_identical(ref, fused)


def test_backends_are_bit_identical_over_generations() -> None:
    """Caregiving derived from the parents' working models (two formations in a row)."""
    ref = develop(parents="high-risk", n=N, seed=11, backend="numpy")
    fused = develop(parents="high-risk", n=N, seed=11, backend="numba")
    _assert_bit_identical(ref, fused)


def test_backends_are_bit_identical_with_other_parameters() -> None:
    """Other constants (every one cast as NumPy casts it), several episodes a week and a
    reunion at another age."""
    formation = iwm.FormationParams(
        years=3, episodes_per_week=2, infant_assessment_age=1.5, exploration=0.3, learning_rate=1.7, effort=0.4
    )
    ref = develop("maltreated", n=5000, seed=3, formation=formation, backend="numpy")
    fused = develop("maltreated", n=5000, seed=3, formation=formation, backend="numba")
    _assert_bit_identical(ref, fused)


def test_backends_agree_without_a_reunion_episode() -> None:
    """A formation shorter than the reunion age has no infant behaviour, in both backends."""
    formation = iwm.FormationParams(years=1, infant_assessment_age=2.0)
    ref = develop("low-risk", n=300, seed=1, formation=formation, backend="numpy")
    fused = develop("low-risk", n=300, seed=1, formation=formation, backend="numba")
    assert ref.infant_behaviour == {} and fused.infant_behaviour == {}
    for k, v in ref.population.columns().items():
        assert np.array_equal(v.view(np.uint8), getattr(fused.population, k).view(np.uint8)), k


def test_kernel_matches_the_reference_on_any_range_of_people_and_weeks() -> None:
    """``run_weeks`` itself: a number of children that is no multiple of the kernel's chunk, a
    first person id that is no multiple of a block, and weeks that do not start at birth."""
    from iwm.model import _formation as ref
    from iwm.model import _formation_fused as fused
    from iwm.model._caregiving import MIXES, draw_caregivers
    from iwm.model._rng import block_generator

    p, n = iwm.FormationParams(), fused.CHUNK * 2 + 433
    terms = ref.CaregiverTerms.of(draw_caregivers(MIXES["high-risk"], block_generator(4, 0, 0), n), p)
    states = [ref._ChildState.newborn((n,), p) for _ in range(2)]
    ref.run_weeks(states[0], terms, p, 4, 1, 12_345, range(30, 90))
    fused.run_weeks(states[1], terms, p, 4, 1, 12_345, range(30, 90))
    for name in fused.STATE:
        a, b = getattr(states[0], name), getattr(states[1], name)
        assert np.array_equal(a.view(np.uint32), b.view(np.uint32)), name


@pytest.mark.parametrize(("chunk_size", "workers"), [(4096, 1), (1, 2), (10**6, 1)])
def test_fused_results_do_not_depend_on_chunks_or_workers(chunk_size: int, workers: int) -> None:
    ref = develop(parents="low-risk", n=N, seed=5, backend="numba")
    other = develop(parents="low-risk", n=N, seed=5, backend="numba", chunk_size=chunk_size, workers=workers)
    _assert_bit_identical(ref, other)


def test_a_persons_life_does_not_depend_on_how_many_are_simulated() -> None:
    """Counter-based draws by person id: the first people of a larger run live the same lives."""
    small = develop("high-risk", n=5000, seed=9, backend="numba")
    large = develop("high-risk", n=N, seed=9, backend="numba")
    for k, v in small.population.columns().items():
        assert np.array_equal(v, getattr(large.population, k)[:5000]), k


def test_study_develop_passes_the_backend_through() -> None:
    a = iwm.develop("low-risk", n=500, seed=2, backend="numpy")
    b = iwm.develop("low-risk", n=500, seed=2, backend="numba")
    assert np.array_equal(a.infant, b.infant)
    assert np.array_equal(a.population.self_worth_a, b.population.self_worth_a)


def test_default_backend_is_the_compiled_one() -> None:
    assert check_backend(None) == "numba"
    assert check_backend("numpy") == "numpy"


@pytest.mark.parametrize("bad", ["jax", "NUMBA", 1, ""])
def test_an_unknown_backend_is_refused_with_a_clear_error(bad: object) -> None:
    with pytest.raises(ParameterError, match="`backend` must be one of numpy, numba") as err:
        develop("low-risk", n=10, seed=1, backend=bad)  # type: ignore[arg-type]
    assert err.value.name == "backend" and err.value.value == bad
