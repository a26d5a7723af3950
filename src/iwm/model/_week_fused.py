"""The adult week's steps as compiled passes (issue 19): the partner market's judgements and
the weekly revision of the model, bit-identical to the NumPy reference.

* :func:`market_logits`: for every candidate pair of a week's markets (all communities at
  once), the argument of the acceptance logistic of :func:`iwm.model._partner_choice.acceptance`
  applied to :func:`~iwm.model._partner_choice.attraction`, with familiarity's mean fit over the
  community's candidates from sorted prefix sums, as
  :func:`~iwm.model._partner_choice._mean_distance` computes it (float64 values sorted, a
  running float64 sum, which is what NumPy's ``cumsum`` computes, and the count of values at
  or below each point, ``searchsorted(side="right")``). The exponential is left to NumPy's
  float32 ``exp`` over the judged pairs (the caller's, in both backends): the market runs once
  a week, so leaving the kernel for it costs little (the day has its own,
  :mod:`iwm.model._exp32`).
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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm.model import _momentary, _philox
from iwm.model._adult import (
    _THRESHOLD_REF,
    DAYS_PER_WEEK,
    SECURE_THRESHOLD,
    WEEKS_PER_YEAR,
    AdultParams,
    Mechanisms,
    _Adults,
)

HAVE_NUMBA = _philox.HAVE_NUMBA
F = NDArray[np.float32]

BUCKETS = 1024
"""Buckets of [0, 1) that start the search for a point among a market's sorted values (the
result is the binary search's: buckets only narrow where it starts)."""


@functools.lru_cache(maxsize=16)
def market_constants(p: AdultParams) -> tuple[np.float32, np.float32, float]:
    """The market's constants: attraction's security weight and minus acceptance's slope (as
    float32), familiarity's weight (a float64: it multiplies a float64 array)."""
    return np.float32(p.attraction_security), np.float32(-p.acceptance_slope), float(p.attraction_familiarity)


REVISED = (
    "W_a",
    "W_b",
    "A_a",
    "A_b",
    "D_a",
    "D_b",
    "threshold",
    "signalling",
    "suppression",
    "plasticity",
    "age",
    "trust",
    "ev_shown",
    "ev_seen",
    "ev_hostile",
    "ev_rejected",
    "availability_state",
    "self_worth_state",
    "week_availability_state",
    "week_self_worth_state",
)
"""The columns the week's end (:func:`revise`) reads or writes, in the kernel's order."""
(
    R_WA,
    R_WB,
    R_AA,
    R_AB,
    R_DA,
    R_DB,
    R_THRESHOLD,
    R_SIGNALLING,
    R_SUPPRESSION,
    R_PLASTICITY,
    R_AGE,
    R_TRUST,
    R_SHOWN,
    R_SEEN,
    R_HOSTILE,
    R_REJECTED,
    R_AV_STATE,
    R_SW_STATE,
    R_WEEK_AV,
    R_WEEK_SW,
) = range(len(REVISED))

DERIVED_FROM = (
    "W_a",
    "W_b",
    "A_a",
    "A_b",
    "D_a",
    "D_b",
    "self_reliance",
    "signalling",
    "threshold",
    "suppression",
    "awareness",
    "regulation",
)
"""The model's columns :func:`derive` reads."""
DERIVED = (
    "hyper",
    "deact",
    "appraisal",
    "fear_gain",
    "gain",
    "threshold_eff",
    "protest_gain",
    "responsiveness",
    "tolerance",
    "expect_offset",
    "pull",
    "recovery",
    "retention",
    "distancing",
    "trust_down",
    "trust_extra_down",
    "importance",
)
"""The weekly constants :func:`derive` writes (those of :func:`iwm.model._adult.derive_strategy`)."""


@functools.lru_cache(maxsize=16)
def revision_constants(p: AdultParams) -> tuple[np.float32, ...]:
    """update_model's and follow_state's float32 constants, as the reference rounds them (a
    tuple: the kernel holds them in registers, where constants in an array, which the
    compiler must assume a column's store may change, kept the loop from vectorizing)."""
    values: list[float | np.floating[Any]] = [
        p.evidence_rate,
        2,
        p.danger_rate,
        p.danger_safety_weight,
        DAYS_PER_WEEK,
        1e-6,
        p.strategy_rate,
        SECURE_THRESHOLD,
        1 / WEEKS_PER_YEAR,
        p.trait_rate / DAYS_PER_WEEK,
        _momentary._LO,
        _momentary._HI,
        _momentary._MIN_COUNT,
    ]
    return tuple(np.float32(v) for v in values)


@functools.lru_cache(maxsize=16)
def strategy_constants(p: AdultParams, m: Mechanisms) -> tuple[np.float32, ...]:
    """derive_strategy's float32 constants (a Python float meets a float32 column as its
    float32 rounding; ``1 + p.distrust`` is a Python sum first, as in the reference), and the
    mechanisms' switches as 0 or 1."""
    values = [
        p.hyper_base,
        p.hyper_doubt,
        p.hyper_uncertainty,
        p.hyper_signalling,
        p.hyper_threshold,
        p.hyper_danger,
        -p.deact_value,
        p.deact_suppression,
        p.deact_threshold,
        p.deact_reliance,
        _THRESHOLD_REF,
        p.vigilance,
        p.fear_weight,
        p.amplification,
        p.protest,
        p.responsiveness,
        p.responsiveness_trust,
        p.responsiveness_deactivation,
        p.tolerance,
        p.tolerance_deactivation,
        p.rejection_sensitivity,
        p.perception_bias,
        p.recovery_floor,
        p.recovery,
        p.deactivating_recovery,
        p.distancing,
        p.trust_up,
        1 + p.distrust,
        p.distrust_danger,
        p.devaluation,
        m.vulnerability_avoidance,
        m.defensive_behaviours,
        m.projection,
    ]
    return tuple(np.float32(v) for v in values)


@functools.lru_cache(maxsize=16)
def leaving_constants(p: AdultParams) -> tuple[np.float32, ...]:
    """The float32 constants of dependence, commit and leaving (:mod:`iwm.model._partner_choice`)."""
    values = [p.commitment_rate, p.commitment_cap, p.breakup_base, p.breakup_dissatisfaction, p.milestone_exit]
    return tuple(np.float32(v) for v in values)


STAYING = ("A_a", "A_b", "W_a", "W_b", "importance", "satisfaction", "commitment", "deact", "paired")
"""The columns :func:`leaves` reads or writes (commitment), in the kernel's order."""


def leaves(
    s: _Adults,
    p: AdultParams,
    *,
    seed: int,
    stream: int,
    week: int,
    first_person: int,
    sub: int,
    chance: F | None = None,
) -> NDArray[np.bool_]:
    """Who leaves their partner this week, as the reference's first steps of
    :func:`iwm.model._life.relationships_week` (dependence, commit, leaving, each person's
    leave draw at ``(person, week, sub)``) decide it, in compiled passes; commitment is
    updated in place. Draws are computed for paired people only (a draw is a pure function
    of its coordinates, and the single leave no one). ``chance``, if given, receives each
    person's chance of leaving (:func:`iwm.model._partner_choice.leaving`)."""
    key = _philox.key(seed, stream)
    chance = np.empty(s.n, np.float32) if chance is None else chance
    out = np.empty(s.n, np.bool_)
    _leaves(
        _columns(s, STAYING),
        leaving_constants(p),
        key[0],
        key[1],
        np.uint64(first_person),
        np.uint64(week),
        np.uint64(sub),
        chance,
        out,
    )
    return out


def _columns(s: _Adults, names: tuple[str, ...]) -> tuple[F, ...]:
    cols = tuple(getattr(s, name) for name in names)
    for name, c in zip(names, cols, strict=True):
        if c.dtype != np.float32 or c.ndim != 1 or not c.flags.c_contiguous or c.shape[0] != s.n:
            raise TypeError(f"_Adults.{name}: a contiguous float32 column of length {s.n}, got {c.dtype} {c.shape}")
    return cols


def revise(s: _Adults, p: AdultParams) -> None:
    """The week's end, as :func:`iwm.model._adult.update_model` then
    :func:`iwm.model._momentary.follow_state` (a week of :data:`DAYS_PER_WEEK` days), in one
    compiled pass (in place)."""
    _revise(_columns(s, REVISED), revision_constants(p))


def derive(s: _Adults, p: AdultParams, m: Mechanisms) -> None:
    """:func:`iwm.model._adult.derive_strategy` in one compiled pass: the weekly constants are
    written into the columns ``s`` holds (in place)."""
    _derive(_columns(s, DERIVED_FROM), _columns(s, DERIVED), strategy_constants(p, m))


if HAVE_NUMBA:
    import numba

    _f32 = np.float32

    _LOW32, _SHIFT32 = np.uint64(0xFFFFFFFF), np.uint64(32)
    _SIGN, _ALL = np.uint32(0x80000000), np.uint32(0xFFFFFFFF)

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _keys(bits_r, bits_h, chooser, candidate, seg, keys):  # type: ignore[no-untyped-def]
        """Sort keys of the four sets of values each market's pairs are judged against
        (set 0, 1: the responsiveness and hyperactivation of the candidates of ``chooser``; 2, 3:
        those of ``chooser``, the candidates of the other side): the group (set x markets +
        market) above the value's float32 bits, mapped so that their order as unsigned
        integers is the numbers' order."""
        n, markets = chooser.shape[0], seg.shape[0] - 1
        for k in range(4):
            people = candidate if k < 2 else chooser
            bits = bits_r if k % 2 == 0 else bits_h
            for c in range(markets):
                group = np.uint64(k * markets + c) << _SHIFT32
                for j in range(seg[c], seg[c + 1]):
                    b = bits[people[j]]
                    ordered = (b ^ _ALL) if (b & _SIGN) else (b | _SIGN)
                    keys[k * n + j] = group | np.uint64(ordered)

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _decode(keys, bits):  # type: ignore[no-untyped-def]
        """The float32 bits of sorted keys (:func:`_keys`)."""
        for j in range(keys.shape[0]):
            ordered = np.uint32(keys[j] & _LOW32)
            bits[j] = (ordered ^ _SIGN) if (ordered & _SIGN) else (ordered ^ _ALL)

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _prefix(values, seg, xs, sums, index):  # type: ignore[no-untyped-def]
        """Per group ``g`` (sorted float32 ``values[seg[g]:seg[g + 1]]``): ``xs``, the values as
        float64; ``sums[seg[g] + g + j]``, the sum of its first ``j`` values from 0, as NumPy's
        ``cumsum`` adds them (in order); ``index[g, b]``, how many of its values lie below
        ``b / BUCKETS`` (where a search for a point starts, :func:`_count_at_most`)."""
        for g in range(seg.shape[0] - 1):
            lo, hi = seg[g], seg[g + 1]
            total = 0.0
            sums[lo + g] = total
            for j in range(lo, hi):
                x = np.float64(values[j])
                xs[j] = x
                total += x
                sums[j + g + 1] = total
            # x < b / BUCKETS exactly where b > floor(x * BUCKETS) (a product by a power of two,
            # exact): count each value at its first such b, then add up
            row = index[g]
            row[:] = 0
            for j in range(lo, hi):
                x = xs[j] * np.float64(BUCKETS)
                first = 0 if x < 0.0 else (np.int64(x) + 1 if x < np.float64(BUCKETS) else BUCKETS + 1)
                if first <= BUCKETS:  # a value at or above 1 (or NaN) lies below no edge
                    row[first] += 1
            for b in range(1, BUCKETS + 1):
                row[b] += row[b - 1]

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _count_at_most(t, xs, index, m):  # type: ignore[no-untyped-def]
        """How many of the sorted ``xs[:m]`` are <= ``t`` (``searchsorted(side="right")``):
        a binary search between the counts below the edges of ``t``'s bucket."""
        if t < 0.0:
            k, top = 0, index[0]
        elif not t < 1.0:  # at or above 1, or NaN (whose mean distance is NaN whatever the count)
            k, top = index[BUCKETS], m
        else:
            b = np.int64(t * BUCKETS)  # b / BUCKETS <= t < (b + 1) / BUCKETS, exactly
            k, top = index[b], index[b + 1]
        while k < top:
            mid = (k + top) >> 1
            if xs[mid] <= t:
                k = mid + 1
            else:
                top = mid
        return k

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _mean_distance(t, xs, sums, index, m):  # type: ignore[no-untyped-def]
        """Mean of ``|t - x|`` over the sorted ``xs[:m]`` (float64), as the reference's."""
        k = _count_at_most(t, xs, index, m)
        below = np.float64(k) * t - sums[k]
        above = (sums[m] - sums[k]) - np.float64(m - k) * t
        return (below + above) / np.float64(m)

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _market(chooser, candidate, m, pairs, oa, imp, resp, hyper, k, familiarity, xr, xh, sr, sh, ir, ih, out):  # type: ignore[no-untyped-def]
        """The judged ``pairs`` of one market of ``m`` pairs (``xr``, ``sr``, ``ir`` and the
        ``h`` ones: the sorted values of its candidates, their running sums and bucket counts)."""
        for j in range(pairs.shape[0]):
            i = pairs[j]
            ch, ca = chooser[i], candidate[i]
            expected = oa[ch]
            attract = k[0] * (imp[ch] * (resp[ca] - expected))
            if familiarity:
                other = _f32(1) - expected
                distance = np.abs(expected - resp[ca]) + np.abs(other - hyper[ca])
                mean = _mean_distance(np.float64(expected), xr, sr, ir, m)
                mean = mean + _mean_distance(np.float64(other), xh, sh, ih, m)
                fam = 0.5 * (mean - np.float64(distance))
                attract = _f32(np.float64(attract) + k[2] * fam)
            out[j] = k[1] * attract

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _logits(chooser, candidate, seg, judged, at, oa, imp, resp, hyper, k, familiarity, xs, sums, index, out):  # type: ignore[no-untyped-def]
        n, markets = chooser.shape[0], seg.shape[0] - 1
        for d in range(2):
            ch = chooser if d == 0 else candidate
            ca = candidate if d == 0 else chooser
            for c in range(markets):
                lo, hi = seg[c], seg[c + 1]
                gr, gh = 2 * d * markets + c, (2 * d + 1) * markets + c  # groups of _keys
                at_r, at_h = 2 * d * n, (2 * d + 1) * n
                _market(
                    ch,
                    ca,
                    hi - lo,
                    judged[at[c] : at[c + 1]],
                    oa,
                    imp,
                    resp,
                    hyper,
                    k,
                    familiarity,
                    xs[at_r + lo : at_r + hi],
                    xs[at_h + lo : at_h + hi],
                    sums[at_r + lo + gr : at_r + hi + gr + 1],
                    sums[at_h + lo + gh : at_h + hi + gh + 1],
                    index[gr],
                    index[gh],
                    out[d, at[c] : at[c + 1]],
                )

    def market_logits(
        a: NDArray[np.intp],
        b: NDArray[np.intp],
        seg: NDArray[np.int64],
        oa: F,
        s_importance: F,
        s_responsiveness: F,
        s_hyper: F,
        p: AdultParams,
        familiarity: bool,
        judged: NDArray[np.intp] | None = None,
    ) -> F:
        """``-acceptance_slope x attraction``, of ``a`` for ``b`` (row 0) and of ``b`` for
        ``a`` (row 1), for the pairs ``judged`` (ascending; all by default), each market
        ``seg[c] .. seg[c + 1] - 1`` judged against all its candidates (``oa``: everyone's
        general model of others' availability). The values are sorted by one NumPy sort of
        integer keys (:func:`_keys`)."""
        n, markets = a.shape[0], seg.shape[0] - 1
        judged = np.arange(n) if judged is None else np.asarray(judged, np.intp)
        at = np.searchsorted(judged, seg)  # the judged pairs of market c: judged[at[c]:at[c + 1]]
        xs, sums = np.empty(4 * n, np.float64), np.empty(4 * (n + markets), np.float64)
        index = np.empty((4 * markets, BUCKETS + 1), np.int64)
        if familiarity and judged.shape[0] > 0:
            keys = np.empty(4 * n, np.uint64)
            _keys(s_responsiveness.view(np.uint32), s_hyper.view(np.uint32), a, b, seg, keys)
            keys.sort()
            bits = np.empty(4 * n, np.uint32)
            _decode(keys, bits)
            groups = np.concatenate([seg[:-1] + k * n for k in range(4)] + [np.array([4 * n])])
            _prefix(bits.view(np.float32), groups, xs, sums, index)
        out = np.empty((2, judged.shape[0]), np.float32)
        k = market_constants(p)
        _logits(
            a, b, seg, judged, at, oa, s_importance, s_responsiveness, s_hyper, k, familiarity, xs, sums, index, out
        )
        return out

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _mx(a, b):  # type: ignore[no-untyped-def]
        """np.clip's lower bound ``b`` (a NaN passes; at a tie, ``a``)."""
        return b if b > a else a

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _mn(a, b):  # type: ignore[no-untyped-def]
        """np.clip's upper bound ``b``."""
        return b if b < a else a

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _maximum(a, b):  # type: ignore[no-untyped-def]
        """np.maximum with a bound ``b`` (a NaN passes; at a tie, ``b``, as NumPy's)."""
        return a if (a > b or a != a) else b

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _minimum(a, b):  # type: ignore[no-untyped-def]
        """np.minimum with a bound ``b``."""
        return a if (a < b or a != a) else b

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _shift_mean(S, ia, ib, i, step, K):  # type: ignore[no-untyped-def]
        """iwm.model._momentary._shift_mean for person ``i``."""
        a, b = S[ia][i], S[ib][i]
        total = a + b
        mean = a / total
        variance = mean * (_f32(1) - mean) / (total + _f32(1))
        mean = mean + step
        mean = _mn(_mx(mean, K[10]), K[11])
        total = _maximum(mean * (_f32(1) - mean) / variance - _f32(1), K[12])
        a = total * mean
        S[ia][i] = a
        S[ib][i] = total - a

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _revise(S, K):  # type: ignore[no-untyped-def]
        """update_model, then follow_state (see :func:`revise`). Loops that write at most six
        columns each: with more, the compiler, which must check at run time that the columns
        do not overlap, gives up vectorizing."""
        one, zero = _f32(1), _f32(0)
        n = np.uint64(S[0].shape[0])
        for i in range(n):  # the week's evidence revises the beliefs
            plasticity, shown, seen = S[R_PLASTICITY][i], S[R_SHOWN][i], S[R_SEEN][i]
            k = plasticity * K[0]
            S[R_AA][i] += seen * k
            S[R_AB][i] += (shown - seen) * k
            S[R_WA][i] += seen * k
            S[R_WB][i] += (K[1] * k) * S[R_REJECTED][i]
            kd = plasticity * K[2]
            S[R_DA][i] += kd * S[R_HOSTILE][i]
            S[R_DB][i] += kd * K[3] * _maximum(K[4] - S[R_HOSTILE][i], zero)
        for i in range(n):  # and the strategy
            shown = S[R_SHOWN][i]
            met = S[R_SEEN][i] / _maximum(shown, K[5]) if shown > zero else S[R_TRUST][i]
            surprise = (met - S[R_AA][i] / (S[R_AA][i] + S[R_AB][i])) * _minimum(shown, one)
            better = _maximum(K[6] * S[R_PLASTICITY][i] * surprise, zero)
            S[R_SUPPRESSION][i] -= better * S[R_SUPPRESSION][i]
            S[R_SIGNALLING][i] -= better * (S[R_SIGNALLING][i] - one)
            S[R_THRESHOLD][i] += better * (K[7] - S[R_THRESHOLD][i])
            S[R_AGE][i] += K[8]
        for i in range(n):
            S[R_SHOWN][i] = zero
            S[R_SEEN][i] = zero
            S[R_HOSTILE][i] = zero
            S[R_REJECTED][i] = zero
        for i in range(n):  # the chronic beliefs follow the week's momentary state
            kt = K[9] * S[R_PLASTICITY][i]
            step_a = S[R_WEEK_AV][i] * kt
            step_w = S[R_WEEK_SW][i] * kt
            _shift_mean(S, R_AA, R_AB, i, step_a, K)
            _shift_mean(S, R_WA, R_WB, i, step_w, K)
            S[R_AV_STATE][i] -= step_a
            S[R_SW_STATE][i] -= step_w
        for i in range(n):
            S[R_WEEK_AV][i] = zero
            S[R_WEEK_SW][i] = zero

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _strategy(M, K, i):  # type: ignore[no-untyped-def]
        """strategy_of for person ``i``: (hyperactivation, deactivation, availability, danger)."""
        one, half, zero = _f32(1), _f32(0.5), _f32(0)
        w = M[0][i] / (M[0][i] + M[1][i])
        a = M[2][i] / (M[2][i] + M[3][i])
        d = M[4][i] / (M[4][i] + M[5][i])
        reliance, threshold = M[6][i], M[8][i]
        doubt = (one - w) * (one - reliance)
        uncertainty = _f32(4) * a * (one - a)
        hyper = K[0] + K[1] * (doubt - half)
        hyper = hyper + K[2] * (uncertainty - half)
        hyper = hyper + K[3] * (M[7][i] - one)
        hyper = hyper + K[4] * _maximum(K[10] - threshold, zero)
        hyper = hyper + K[5] * d
        value = a - (one - a) * (half + (one - w)) - d  # relationship_value (C3)
        deact = K[6] * value + K[7] * M[9][i]
        deact = deact + K[8] * _maximum(threshold - K[10], zero)
        deact = deact + K[9] * reliance
        return _mn(_mx(hyper, zero), one), _mn(_mx(deact, zero), one), a, d

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _derive(M, D, K):  # type: ignore[no-untyped-def]
        """derive_strategy (see :func:`derive`); ``D`` in the order of DERIVED. Loops that write
        at most six columns each (see :func:`_revise`)."""
        one, half, zero = _f32(1), _f32(0.5), _f32(0)
        avoid, defend = K[30] > zero, K[31] > zero
        n = np.uint64(M[0].shape[0])
        for i in range(n):
            hyper, deact, _, _ = _strategy(M, K, i)
            D[0][i] = hyper
            D[1][i] = deact
        for i in range(n):
            hyper, deact = D[0][i], D[1][i]
            a = M[2][i] / (M[2][i] + M[3][i])
            d = M[4][i] / (M[4][i] + M[5][i])
            D[2][i] = one + K[11] * hyper
            D[3][i] = K[12] * d
            hidden = M[9][i] if avoid else zero
            amplified = M[7][i] + K[13] * hyper if defend else one
            D[4][i] = (one - hidden) * amplified
            threshold = M[8][i] * (one - hyper)
            D[5][i] = threshold if avoid else _minimum(threshold, K[10])
            D[6][i] = K[14] * hyper * K[31]
            responsiveness = K[15] + K[16] * (a - half)
            D[7][i] = _mn(_mx(responsiveness - K[17] * deact, zero), one)
        for i in range(n):
            hyper, suppression = D[0][i], M[9][i]
            a = M[2][i] / (M[2][i] + M[3][i])
            D[8][i] = K[18] * (one - K[19] * suppression)
            D[9][i] = half * a - K[20] * hyper
            D[10][i] = K[21] * (one - M[10][i]) * K[32]
            recovery = K[22] + K[23] * M[11][i]
            recovery = _mn(_mx(recovery + K[24] * suppression, zero), one)
            D[11][i] = recovery
            D[12][i] = one - recovery
            D[13][i] = K[25] * suppression * K[31]
        for i in range(n):
            d = M[4][i] / (M[4][i] + M[5][i])
            trust_down = K[26] * (K[27] + K[28] * d)
            D[14][i] = trust_down
            D[15][i] = trust_down - K[26]
            D[16][i] = _mn(_mx(one - K[29] * M[6][i], zero), one)

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _leaves(S, K, k0, k1, first, step, sub, chance, out):  # type: ignore[no-untyped-def]
        """dependence, commit and leaving (a vectorized loop), then the leave draws of the
        paired (Philox, a loop of its own); see :func:`leaves`."""
        one, half, zero = _f32(1), _f32(0.5), _f32(0)
        n = np.uint64(S[0].shape[0])
        for i in range(n):
            level = S[0][i] / (S[0][i] + S[1][i]) * S[4][i]  # comparison_level
            satisfaction = S[5][i] - level
            alternatives = level * (S[2][i] / (S[2][i] + S[3][i]))
            gain = satisfaction - (alternatives - level)
            before = S[6][i]
            commitment = before + K[0] * gain
            commitment = _mn(_mx(commitment, zero), one - K[1] * S[7][i])
            commitment = commitment * S[8][i]
            S[6][i] = commitment
            milestone = (before < half) & (commitment >= half)
            p = (K[2] + K[3] * _maximum(-gain, zero)) * (one - commitment)
            chance[i] = p + _f32(milestone) * (K[4] * S[7][i])
        for i in range(n):
            go = False
            if S[8][i] > zero:
                w0, _, _, _ = _philox.philox4x64(first + i, step, sub, np.uint64(0), k0, k1)
                go = _philox.unit_float32(w0, False) < chance[i]
            out[i] = go
