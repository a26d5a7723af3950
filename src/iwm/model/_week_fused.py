"""The adult week's steps as compiled passes (issue 19): the partner market's judgements and
the weekly revision of the model, bit-identical to the NumPy reference.

* :func:`market_logits`: for every candidate pair of a week's markets (all communities at
  once), the argument of the acceptance logistic of :func:`iwm.model._partner_choice.acceptance`
  applied to :func:`~iwm.model._partner_choice.attraction`, with familiarity's mean fit over the
  community's candidates as :func:`~iwm.model._partner_choice._mean_distance` computes it from
  sorted prefix sums (float64 values sorted, a running float64 sum, which is what NumPy's
  ``cumsum`` computes, and the count of values at or below each point,
  ``searchsorted(side="right")``). Nothing is sorted where it need not be: a market's values are
  placed by bucket of [0, 1) (a counting pass), and where all their sums are exact in float64,
  as they are when no value is tiny against their total, the sum of the values at or below a
  point is the reference's running sum whatever the order it is added in. Only a market where
  a sum could round is sorted. The exponential is left to NumPy's float32 ``exp`` over the
  judged pairs (the caller's, in both backends): the market runs once a week, so leaving the
  kernel for it costs little (the day has its own, :mod:`iwm.model._exp32`).
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
"""Buckets of [0, 1) by which a market's values are placed (:func:`_gather`): the count and sum
of the values at or below a point are those of the buckets below its own, plus those of its own
bucket's values, added one by one."""


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

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _region(x):  # type: ignore[no-untyped-def]
        """Which part of the line ``x`` falls in: 0 below 0, ``b + 1`` in ``[b, b + 1) / BUCKETS``,
        ``BUCKETS + 1`` at or above 1 (or NaN). ``x * BUCKETS`` is exact (a power of two)."""
        if x < 0.0:
            return 0
        if x < 1.0:
            return np.int64(x * np.float64(BUCKETS)) + 1
        return BUCKETS + 1

    _EXACT = np.float64(2.0**28)

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _gather(resp, hyper, chooser, candidate, seg, xs, starts, base, cursor, exact):  # type: ignore[no-untyped-def]
        """The four sets of values each market's pairs are judged against (set 0, 1: the
        responsiveness and hyperactivation of the candidates of ``chooser``; 2, 3: those of
        ``chooser``), group ``g = set x markets + market`` in ``xs[set x n + seg[c]:]``,
        placed region by region (:func:`_region`; in a region, in the order met):
        ``starts[g, f]``, where region ``f`` begins; ``base[g, f]``, the sum of the values
        before it (``base[g, -1]``: of all), added region by region. ``exact[g]``: the
        group's values are finite and every sum of some of them is exact in float64,
        whatever the order (all are multiples of the smallest nonzero one's float32 unit
        ``u``, and their absolute sum is below ``2**52 u``), so those sums are the
        reference's running sums of the sorted values."""
        n, markets = chooser.shape[0], seg.shape[0] - 1
        for k in range(4):
            people = candidate if k < 2 else chooser
            values = resp if k % 2 == 0 else hyper
            for c in range(markets):
                g, lo, hi = k * markets + c, seg[c], seg[c + 1]
                at, row = k * n + lo, starts[g]
                sums = base[g]
                for f in range(BUCKETS + 3):
                    row[f] = 0
                    sums[f] = 0.0
                smallest = np.inf
                for j in range(lo, hi):
                    x = np.float64(values[people[j]])
                    f = _region(x)
                    row[f] += 1
                    sums[f] += x
                    size = np.abs(x)
                    smallest = min(smallest, size if size > 0.0 else np.inf)
                placed, total = 0, 0.0
                for f in range(BUCKETS + 3):
                    count, part = row[f], sums[f]
                    row[f], sums[f], cursor[f] = placed, total, placed
                    placed += count
                    total += part
                for j in range(lo, hi):
                    x = np.float64(values[people[j]])
                    f = _region(x)
                    xs[at + cursor[f]] = x
                    cursor[f] += 1
                # the absolute sum: the negative values come first (region 0), and any rounding of
                # these sums is far inside the factor of two between 2**28 x smallest and 2**52 u
                total, negative = sums[BUCKETS + 2], sums[1]
                exact[g] = total - total == 0.0 and total - 2.0 * negative <= smallest * _EXACT

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _running(xs, row, sums):  # type: ignore[no-untyped-def]
        """``sums[f]``: the running sum of ``xs`` before ``row[f]``, added in order from 0, as
        NumPy's ``cumsum`` adds."""
        total = 0.0
        for f in range(BUCKETS + 2):
            sums[f] = total
            for j in range(row[f], row[f + 1]):
                total += xs[j]
        sums[BUCKETS + 2] = total

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _mean_distance(t, xs, row, sums, m):  # type: ignore[no-untyped-def]
        """Mean of ``|t - x|`` over a group's ``m`` values (float64), as the reference's: the
        count and sum of the values at or below ``t`` are those of the regions before ``t``'s,
        and of ``t``'s own region, added on (in order where the group is sorted)."""
        f = _region(t)
        k, below_sum = row[f], sums[f]
        for j in range(row[f], row[f + 1]):
            if xs[j] <= t:
                k += 1
                below_sum += xs[j]
        below = np.float64(k) * t - below_sum
        above = (sums[BUCKETS + 2] - below_sum) - np.float64(m - k) * t
        return (below + above) / np.float64(m)

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _market(chooser, candidate, m, pairs, oa, imp, resp, hyper, k, familiarity, xr, xh, rr, rh, sr, sh, out):  # type: ignore[no-untyped-def]
        """The judged ``pairs`` of one market of ``m`` pairs (``xr``, ``rr``, ``sr`` and the
        ``h`` ones: its candidates' values, where their regions start and the sums before them,
        :func:`_gather`)."""
        for j in range(pairs.shape[0]):
            i = pairs[j]
            ch, ca = chooser[i], candidate[i]
            expected = oa[ch]
            attract = k[0] * (imp[ch] * (resp[ca] - expected))
            if familiarity:
                other = _f32(1) - expected
                distance = np.abs(expected - resp[ca]) + np.abs(other - hyper[ca])
                mean = _mean_distance(np.float64(expected), xr, rr, sr, m)
                mean = mean + _mean_distance(np.float64(other), xh, rh, sh, m)
                fam = 0.5 * (mean - np.float64(distance))
                attract = _f32(np.float64(attract) + k[2] * fam)
            out[j] = k[1] * attract

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _logits(chooser, candidate, seg, judged, at, oa, imp, resp, hyper, k, familiarity, xs, starts, base, out):  # type: ignore[no-untyped-def]
        n, markets = chooser.shape[0], seg.shape[0] - 1
        for d in range(2):
            ch = chooser if d == 0 else candidate
            ca = candidate if d == 0 else chooser
            for c in range(markets):
                lo, hi = seg[c], seg[c + 1]
                gr, gh = 2 * d * markets + c, (2 * d + 1) * markets + c  # groups of _gather
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
                    starts[gr],
                    starts[gh],
                    base[gr],
                    base[gh],
                    out[d, at[c] : at[c + 1]],
                )

    def placed(
        a: NDArray[np.intp], b: NDArray[np.intp], seg: NDArray[np.int64], s_responsiveness: F, s_hyper: F
    ) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
        """The values each market's pairs are judged against, placed by region, where the regions
        start and the sums before them (:func:`_gather`), with every sum the reference's running
        sum of the sorted values: a group whose sums could round is sorted (NumPy) and summed in
        order (:func:`_running`)."""
        n, markets = a.shape[0], seg.shape[0] - 1
        xs = np.empty(4 * n, np.float64)
        starts = np.empty((4 * markets, BUCKETS + 3), np.int64)
        base = np.empty((4 * markets, BUCKETS + 3), np.float64)
        exact = np.empty(4 * markets, np.bool_)
        _gather(s_responsiveness, s_hyper, a, b, seg, xs, starts, base, np.empty(BUCKETS + 3, np.int64), exact)
        for g in np.flatnonzero(~exact):
            which, c = divmod(int(g), markets)
            group = xs[which * n + seg[c] : which * n + seg[c + 1]]
            group.sort()
            _running(group, starts[g], base[g])
        return xs, starts, base

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
        general model of others' availability). Each market's values are placed by region
        (:func:`_gather`); a market whose sums could round is sorted (NumPy) and summed in order."""
        n, markets = a.shape[0], seg.shape[0] - 1
        judged = np.arange(n) if judged is None else np.asarray(judged, np.intp)
        at = np.searchsorted(judged, seg)  # the judged pairs of market c: judged[at[c]:at[c + 1]]
        if familiarity and judged.shape[0] > 0:
            xs, starts, base = placed(a, b, seg, s_responsiveness, s_hyper)
        else:
            xs, starts, base = np.empty(0), np.empty((4 * markets, 0), np.int64), np.empty((4 * markets, 0))
        out = np.empty((2, judged.shape[0]), np.float32)
        k = market_constants(p)
        _logits(
            a, b, seg, judged, at, oa, s_importance, s_responsiveness, s_hyper, k, familiarity, xs, starts, base, out
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
