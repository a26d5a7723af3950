"""The day's own float32 exponential: the same bits in both backends, and accurate."""

from __future__ import annotations

import numpy as np
import pytest

from iwm.model import _exp32

ARGS = np.concatenate(
    [
        np.random.default_rng(3).uniform(-100, 100, 400_000),
        np.random.default_rng(4).uniform(-1, 1, 200_000),
        np.arange(-88.0, 89.0, 0.0009765625),  # every 2**-10 step, both clamps included
        [0.0, -0.0, 1e-30, -1e-30, 0.34657359, -0.34657359, 60.0, 87.9, -86.9, 88.5, -87.5, 1e30, -1e30],
    ]
).astype(np.float32)


def test_accurate_within_one_ulp_on_its_domain():
    """Relative error against float64 exp below one float32 ulp (2**-23) wherever the argument is
    inside [-87, 88]; outside, the value at the nearest bound."""
    got = _exp32.exp32(ARGS).astype(np.float64)
    inside = (ARGS >= _exp32.LO) & (ARGS <= _exp32.HI)
    exact = np.exp(ARGS[inside].astype(np.float64))
    assert np.max(np.abs(got[inside] - exact) / exact) < 2.0**-23
    assert np.all(got[ARGS > _exp32.HI] == got[ARGS == np.float32(88.0)][0])
    assert np.all(got[ARGS < _exp32.LO] == _exp32.exp32(np.array([-87.0], np.float32))[0])
    assert _exp32.exp32(np.zeros(1, np.float32))[0] == 1.0


def test_monotone():
    x = np.sort(ARGS[(ARGS >= _exp32.LO) & (ARGS <= _exp32.HI)])
    assert np.all(np.diff(_exp32.exp32(x)) >= 0)


@pytest.mark.skipif(not _exp32.HAVE_NUMBA, reason="numba not installed")
def test_compiled_scalar_gives_the_same_bits():
    import numba

    @numba.njit
    def each(x, out):  # type: ignore[no-untyped-def]
        for i in range(x.shape[0]):
            out[i] = _exp32.exp32_scalar(x[i])

    out = np.empty_like(ARGS)
    each(ARGS, out)
    assert np.array_equal(out.view(np.uint32), _exp32.exp32(ARGS).view(np.uint32))
