"""Counter-based random numbers: every draw is a pure function of its coordinates.

A draw belongs to ``(seed, stream, person, step, sub)``: the Philox4x64-10 block cipher
(Salmon, Moraes, Dror & Shaw 2011), the generator behind :class:`numpy.random.Philox`,
encrypts the counter ``(person, step, sub, 0)`` under the key ``(seed, stream)`` and gives
four 64-bit words, read as eight 32-bit halves (low half first, as NumPy reads them) and
turned into eight float32 uniforms ``(half >> 8) * 2**-24`` in [0, 1), NumPy's own float32
conversion. So a person's numbers never depend on the chunk, the worker, the executor or
the backend that computes them:

* :func:`uniforms` computes them with NumPy's C Philox (the NumPy reference path): the
  persons of a range are consecutive counters, one ``random_raw`` call per range;
* :func:`philox4x64` and :func:`unit_float32` compute the same words inside compiled
  kernels (numba), one call per person and step.

``tests/test_philox.py`` checks both against :class:`numpy.random.Philox` bit for bit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

try:  # numba is installed by default; without it only the NumPy reference path runs
    import numba
except ImportError:  # pragma: no cover - exercised where numba is absent
    numba = None  # type: ignore[assignment]

HAVE_NUMBA = numba is not None

UNIFORMS_PER_CALL = 8
"""Float32 uniforms from one Philox call (four 64-bit words, two halves each)."""

_WORD = 1 << 64
MAX_PERSON = (1 << 63) - 1
"""Largest person id (so that consecutive persons never carry into the step word)."""
_M0, _M1 = 0xD2E7470EE14C6C93, 0xCA5A826395121157  # multipliers (Salmon et al. 2011)
_W0, _W1 = 0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B  # key schedule (Weyl) increments
_TO_UNIT = np.float32(1.0 / 16777216.0)  # 2**-24


def counter(person: int, step: int, sub: int = 0) -> int:
    """The 256-bit counter of a draw, as an integer (word 0 lowest)."""
    return (person % _WORD) + ((step % _WORD) << 64) + ((sub % _WORD) << 128)


def key(seed: int, stream: int) -> NDArray[np.uint64]:
    """The Philox key of a seed's stream."""
    return np.array([seed % _WORD, stream % _WORD], dtype=np.uint64)


def raw_words(seed: int, stream: int, step: int, first_person: int, n: int, sub: int = 0) -> NDArray[np.uint64]:
    """The four 64-bit words of persons ``first_person .. first_person + n - 1`` at
    ``(step, sub)``, shape (n, 4), from NumPy's Philox (which increments its counter before
    each block, hence the ``- 1``)."""
    if not 0 <= first_person <= MAX_PERSON - n:
        raise ValueError(f"persons: ids between 0 and {MAX_PERSON}, got {first_person} .. {first_person + n - 1}")
    start = (counter(first_person, step, sub) - 1) % (1 << 256)
    bits = np.random.Philox(key=key(seed, stream), counter=start)
    return bits.random_raw(4 * n).reshape(n, 4)


def uniforms(
    seed: int, stream: int, step: int, first_person: int, n: int, k: int = UNIFORMS_PER_CALL, sub: int = 0
) -> NDArray[np.float32]:
    """The first ``k`` (at most 8) float32 uniforms of each person of a range at
    ``(step, sub)``, shape (k, n): row j is half j of the person's Philox block."""
    if not 1 <= k <= UNIFORMS_PER_CALL:
        raise ValueError(f"k: between 1 and {UNIFORMS_PER_CALL} uniforms per call, got {k}")
    halves = raw_words(seed, stream, step, first_person, n, sub).view(np.uint32)  # (n, 8), little-endian
    out = (halves[:, :k].T >> np.uint32(8)).astype(np.float32)
    out *= _TO_UNIT
    return out


if HAVE_NUMBA:
    from llvmlite import ir
    from numba.extending import intrinsic

    _U64 = numba.uint64
    _MASK32 = np.uint64(0xFFFFFFFF)
    _S32 = np.uint64(32)
    _S8 = np.uint64(8)

    @intrinsic
    def _mulhilo(typingctx, a, b):  # type: ignore[no-untyped-def]
        """High and low 64 bits of the 128-bit product of two uint64, as one machine multiply
        (LLVM ``mul i128``; a product from 32-bit halves runs about four times slower)."""
        sig = numba.types.UniTuple(numba.types.uint64, 2)(numba.types.uint64, numba.types.uint64)

        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            i128 = ir.IntType(128)
            product = builder.mul(builder.zext(args[0], i128), builder.zext(args[1], i128))
            hi = builder.trunc(builder.lshr(product, ir.Constant(i128, 64)), ir.IntType(64))
            lo = builder.trunc(product, ir.IntType(64))
            return context.make_tuple(builder, signature.return_type, (hi, lo))

        return sig, codegen

    @numba.njit(inline="always", cache=True)
    def philox4x64(c0, c1, c2, c3, k0, k1):  # type: ignore[no-untyped-def]
        """Philox4x64-10 of counter ``(c0, c1, c2, c3)`` under key ``(k0, k1)`` (all uint64)."""
        m0, m1 = _U64(_M0), _U64(_M1)
        w0, w1 = _U64(_W0), _U64(_W1)
        for _ in range(10):
            hi0, lo0 = _mulhilo(m0, c0)
            hi1, lo1 = _mulhilo(m1, c2)
            c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
            k0 += w0
            k1 += w1
        return c0, c1, c2, c3

    @numba.njit(inline="always", cache=True)
    def unit_float32(word, high):  # type: ignore[no-untyped-def]
        """The float32 uniform of the low (``high`` False) or high half of a 64-bit word."""
        half = (word >> _S32) if high else (word & _MASK32)
        return np.float32(half >> _S8) * np.float32(_TO_UNIT)

    @numba.njit(cache=True)
    def _uniforms_kernel(k0, k1, step, first_person, n, k, sub, out):  # type: ignore[no-untyped-def]
        for i in range(n):
            w0, w1, w2, w3 = philox4x64(first_person + _U64(i), _U64(step), _U64(sub), _U64(0), k0, k1)
            words = (w0, w1, w2, w3)
            for j in range(k):
                out[j, i] = unit_float32(words[j >> 1], (j & 1) == 1)

    def uniforms_numba(
        seed: int, stream: int, step: int, first_person: int, n: int, k: int = UNIFORMS_PER_CALL, sub: int = 0
    ) -> NDArray[np.float32]:
        """:func:`uniforms`, computed by the compiled Philox (for tests and kernels' checks)."""
        out = np.empty((k, n), dtype=np.float32)
        kw = key(seed, stream)
        _uniforms_kernel(kw[0], kw[1], np.uint64(step), np.uint64(first_person), n, k, np.uint64(sub), out)
        return out
