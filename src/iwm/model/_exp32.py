"""One float32 exponential for both backends, written in float32 operations.

The adult day's approach/withdraw choice is a logistic, so it needs ``exp`` once per person and
day. NumPy's vectorized float32 ``exp`` and the C library's ``expf`` that compiled code calls
differ in the last bit for some arguments, and NumPy's own result depends on which SIMD path
the CPU dispatches to; one flipped approach decision sets two lives apart. So the day uses
neither: :func:`exp32` (NumPy, over a column) and :func:`exp32_scalar` (numba, one value) are
the same sequence of float32 roundings, with no fused multiply-add, and give the same bits on
every machine. That also lets the compiled day take its exponential inside the pass over a
block of people, instead of leaving the kernel for NumPy over the whole population.

The method is the classic one (Cody & Waite 1980; coefficients of the Cephes ``expf``,
Moshier 1989): ``x = k ln 2 + r`` with ``k`` the nearest integer to ``x / ln 2`` and
``ln 2`` split into a short high part (so that ``k x LN2_HI`` is exact) and a low part;
``exp(r)`` on ``|r| <= ln 2 / 2`` by a degree-7 polynomial; ``2^k`` built from its exponent
bits. Arguments are clamped to [-87, 88], where ``2^k`` is a normal float32; the relative
error is below 2 ulp over that range (``tests/test_exp32.py``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iwm.model._philox import HAVE_NUMBA, numba

F = NDArray[np.float32]

_f32 = np.float32
LO, HI = _f32(-87.0), _f32(88.0)
"""The clamped domain: exp32(x) = exp32(LO) below it, exp32(HI) above it."""
_LOG2E = _f32(1.44269504088896341)
_HALF, _ONE = _f32(0.5), _f32(1.0)
_LN2_HI, _LN2_LO = _f32(0.693359375), _f32(-2.12194440e-4)
_P = tuple(
    _f32(c)
    for c in (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1)
)
_BIAS, _MANTISSA = np.int32(127), np.int32(23)


def exp32(x: F) -> F:
    """exp of a float32 array, as a new float32 array (the reference of :func:`exp32_scalar`)."""
    x = np.minimum(np.maximum(np.asarray(x, _f32), LO), HI)
    k = x * _LOG2E
    k += _HALF
    np.floor(k, out=k)
    r = k * _LN2_HI
    np.subtract(x, r, out=r)
    r -= k * _LN2_LO
    y = r * _P[0]
    for c in _P[1:]:
        y += c
        y *= r
    y *= r  # y x r^2 ...
    y += r  # ... + r
    y += _ONE  # ... + 1
    scale = ((k.astype(np.int32) + _BIAS) << _MANTISSA).view(_f32)
    y *= scale
    return y


if HAVE_NUMBA:
    from llvmlite import ir
    from numba.extending import intrinsic

    @intrinsic
    def _bits_to_float32(typingctx, bits):  # type: ignore[no-untyped-def]
        """The float32 whose bit pattern is the int32 ``bits``."""
        sig = numba.types.float32(numba.types.int32)

        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            return builder.bitcast(args[0], ir.FloatType())

        return sig, codegen

    _P0, _P1, _P2, _P3, _P4, _P5 = _P

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def exp32_scalar(x):  # type: ignore[no-untyped-def]
        """exp of one float32, bit for bit as :func:`exp32`."""
        x = HI if HI < x else x  # as np.minimum(np.maximum(x, LO), HI) for numbers
        x = LO if LO > x else x
        k = np.floor(x * _LOG2E + _HALF)
        r = x - k * _LN2_HI
        r = r - k * _LN2_LO
        y = r * _P0 + _P1
        y = y * r + _P2
        y = y * r + _P3
        y = y * r + _P4
        y = y * r + _P5
        y = y * r
        y = y * r + r
        y = y + _ONE
        return y * _bits_to_float32((np.int32(k) + _BIAS) << _MANTISSA)
