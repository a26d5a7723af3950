"""Counter-based randomness (issue 19): the NumPy reference path and the compiled Philox give
NumPy's own Philox4x64-10 numbers, bit for bit, for any coordinates."""

from __future__ import annotations

import numpy as np
import pytest

from iwm.model import _philox

COORDINATES = [
    # seed, stream, step, first person, persons, sub
    (5, 7, 0, 0, 10, 0),
    (2**63 - 1, 123_456_789_012, 935, 4096 * 7, 5000, 3),
    (0, 0, 2**64 - 1, 2**62, 33, 2**64 - 1),
]


@pytest.mark.parametrize(("seed", "stream", "step", "first", "n", "sub"), COORDINATES)
def test_reference_path_is_numpys_philox(seed: int, stream: int, step: int, first: int, n: int, sub: int) -> None:
    """Person ``first + i`` at ``(step, sub)`` gets the float32 uniforms that
    ``Generator(Philox(key=(seed, stream), counter=...)).random(8, float32)`` returns when its
    counter points at ``(first + i, step, sub, 0)``: NumPy's own generator and conversion."""
    ours = _philox.uniforms(seed, stream, step, first, n, sub=sub)
    assert ours.shape == (8, n) and ours.dtype == np.float32
    for i in (0, n // 2, n - 1):
        start = _philox.counter(first + i, step, sub) - 1  # NumPy increments before each block
        gen = np.random.Generator(np.random.Philox(key=_philox.key(seed, stream), counter=start % 2**256))
        np.testing.assert_array_equal(ours[:, i], gen.random(8, dtype=np.float32))


@pytest.mark.skipif(not _philox.HAVE_NUMBA, reason="numba not installed")
@pytest.mark.parametrize(("seed", "stream", "step", "first", "n", "sub"), COORDINATES)
def test_compiled_philox_matches_numpy_bit_for_bit(
    seed: int, stream: int, step: int, first: int, n: int, sub: int
) -> None:
    ref = _philox.uniforms(seed, stream, step, first, n, sub=sub)
    fused = _philox.uniforms_numba(seed, stream, step, first, n, sub=sub)
    np.testing.assert_array_equal(fused.view(np.uint32), ref.view(np.uint32))


def test_a_draw_depends_on_its_coordinates_only() -> None:
    """The same person's numbers whatever range they are drawn in; other coordinates differ."""
    whole = _philox.uniforms(9, 1, 40, 0, 9000)
    part = _philox.uniforms(9, 1, 40, 4096, 100)
    np.testing.assert_array_equal(whole[:, 4096:4196], part)
    for other in [(10, 1, 40, 0), (9, 2, 40, 0), (9, 1, 41, 0), (9, 1, 40, 1)]:
        seed, stream, step, sub = other
        assert not np.array_equal(_philox.uniforms(seed, stream, step, 0, 100, sub=sub), whole[:, :100])


def test_uniforms_look_uniform_and_independent() -> None:
    """Moments of 8 x 200,000 draws: mean 1/2 and variance 1/12 within 5 SEs, rows uncorrelated
    (|r| < .01, about 4.5 SEs of 1/sqrt(200,000))."""
    u = _philox.uniforms(2024, 3, 0, 0, 200_000).astype(np.float64)
    assert np.all(np.abs(u.mean(axis=1) - 0.5) < 5 * np.sqrt(1 / 12 / u.shape[1]))
    assert np.all(np.abs(u.var(axis=1) - 1 / 12) < 5 * np.sqrt(1 / 180 / u.shape[1]))
    r = np.corrcoef(u)
    assert np.all(np.abs(r[np.triu_indices(8, 1)]) < 0.01)
    assert u.min() >= 0 and u.max() < 1


def test_bad_ranges_are_refused() -> None:
    with pytest.raises(ValueError, match="persons"):
        _philox.uniforms(1, 1, 0, _philox.MAX_PERSON, 2)
    with pytest.raises(ValueError, match="k: between 1 and 8"):
        _philox.uniforms(1, 1, 0, 0, 2, k=9)
