"""The adult week's steps as compiled passes (issue 19): the partner market's judgements and
the weekly revision of the model, bit-identical to the NumPy reference.

* :func:`market_logits`: for every candidate pair of a week's markets (all communities at
  once), the argument of the acceptance logistic of :func:`iwm.model._partner_choice.acceptance`
  applied to :func:`~iwm.model._partner_choice.attraction`, with familiarity's mean fit over the
  community's candidates from sorted prefix sums, as
  :func:`~iwm.model._partner_choice._mean_distance` computes it (float64 values sorted, a
  running float64 sum, which is what NumPy's ``cumsum`` computes, and the count of values at
  or below each point, ``searchsorted(side="right")``). The exponential is left to NumPy's
  float32 ``exp`` (the caller's), as in :mod:`iwm.model._day_fused`.
* :func:`revise`: the end of a week for everyone, in one pass per person: the week's evidence
  revises the beliefs and the strategy (:func:`iwm.model._adult.update_model`), the chronic
  beliefs follow the week's momentary state (:func:`iwm.model._momentary.follow_state`), and
  what the model implies for behaviour is derived anew (:func:`iwm.model._adult.derive_strategy`).

Every operation is the reference's, in its order and precision: float32 where NumPy computes
in float32 (a Python float meets a float32 array as its float32 rounding), float64 where the
reference mixes in a float64 array; no fast-math. ``tests/test_fused_week.py`` checks the bits.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from iwm.model import _philox
from iwm.model._adult import AdultParams

HAVE_NUMBA = _philox.HAVE_NUMBA
F = NDArray[np.float32]

_MARKET = ("attraction_security", "neg_acceptance_slope")


@functools.lru_cache(maxsize=16)
def market_constants(p: AdultParams) -> F:
    """The market's float32 constants (attraction's security weight, minus acceptance's slope)."""
    return np.array([p.attraction_security, -p.acceptance_slope], dtype=np.float32)


if HAVE_NUMBA:
    import numba

    _f32 = np.float32

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _running_sums(xs, seg, sums):  # type: ignore[no-untyped-def]
        """``sums[seg[c] + c + j]``: the sum of the first ``j`` values of market ``c``'s
        sorted ``xs`` (from 0, one more entry than the market has values), as NumPy's
        ``cumsum`` adds them: in order."""
        for c in range(seg.shape[0] - 1):
            total = 0.0
            sums[seg[c] + c] = total
            for j in range(seg[c], seg[c + 1]):
                total += xs[j]
                sums[j + c + 1] = total

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _mean_distance(t, xs, sums, m):  # type: ignore[no-untyped-def]
        """Mean of ``|t - x|`` over the sorted ``xs[:m]`` (float64), as the reference's."""
        k, top = 0, m  # k: how many of xs are <= t (binary search, searchsorted side="right")
        while k < top:
            mid = (k + top) >> 1
            if xs[mid] <= t:
                k = mid + 1
            else:
                top = mid
        below = np.float64(k) * t - sums[k]
        above = (sums[m] - sums[k]) - np.float64(m - k) * t
        return (below + above) / np.float64(m)

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _logits(chooser, candidate, seg, oa, imp, resp, hyper, k, familiarity, weight, xr, xh, sr, sh, out):  # type: ignore[no-untyped-def]
        for c in range(seg.shape[0] - 1):
            lo, hi = seg[c], seg[c + 1]
            m = hi - lo
            for i in range(lo, hi):
                ch, ca = chooser[i], candidate[i]
                expected = oa[ch]
                attract = k[0] * (imp[ch] * (resp[ca] - expected))
                if familiarity:
                    other = _f32(1) - expected
                    distance = np.abs(expected - resp[ca]) + np.abs(other - hyper[ca])
                    mean = _mean_distance(np.float64(expected), xr[lo:hi], sr[lo + c : hi + c + 1], m)
                    mean = mean + _mean_distance(np.float64(other), xh[lo:hi], sh[lo + c : hi + c + 1], m)
                    fam = 0.5 * (mean - np.float64(distance))
                    attract = _f32(np.float64(attract) + weight * fam)
                out[i] = k[1] * attract

    def market_logits(
        chooser: NDArray[np.intp],
        candidate: NDArray[np.intp],
        seg: NDArray[np.int64],
        oa: F,
        s_importance: F,
        s_responsiveness: F,
        s_hyper: F,
        p: AdultParams,
        familiarity: bool,
    ) -> F:
        """``-acceptance_slope x attraction(chooser, candidate)`` of every pair, each market
        ``seg[c] .. seg[c + 1] - 1`` judged against its own candidates (``oa``: everyone's
        general model of others' availability)."""
        n, markets = chooser.shape[0], seg.shape[0] - 1
        xr, xh = np.empty(n, np.float64), np.empty(n, np.float64)
        sr, sh = np.empty(n + markets, np.float64), np.empty(n + markets, np.float64)
        if familiarity:  # each market's candidates' values, sorted (NumPy's sort, as the reference's)
            for c in range(markets):
                at = slice(seg[c], seg[c + 1])
                xr[at] = np.sort(s_responsiveness[candidate[at]].astype(np.float64))
                xh[at] = np.sort(s_hyper[candidate[at]].astype(np.float64))
            _running_sums(xr, seg, sr)
            _running_sums(xh, seg, sh)
        out = np.empty(n, np.float32)
        _logits(
            chooser,
            candidate,
            seg,
            oa,
            s_importance,
            s_responsiveness,
            s_hyper,
            market_constants(p),
            familiarity,
            float(p.attraction_familiarity),
            xr,
            xh,
            sr,
            sh,
            out,
        )
        return out
