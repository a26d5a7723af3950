"""The adult day as compiled passes over the population's columns (issue 19).

The same steps, in the same order and with the same float32 arithmetic, as the NumPy reference
:func:`iwm.model._day.day` (with :func:`iwm.model._momentary.feel` and
:func:`~iwm.model._momentary.shown_today`), and the day's ledger entry
(:meth:`iwm.model._life._Ledger.record_day`) fused in:

One compiled call, :func:`_day_blocks`, runs the day block by block (partners live in the same
block: a community in :func:`iwm.model._life.live`, all couples in
:func:`~iwm.model._life.simulate_couples`), so a block's columns stay in cache through all its
passes, one pass per step over the block's people:

1. :func:`_appraise_pass`: the day's draws (half the person's Philox block at
   ``(person, day // 2, SUB_DAY)``: two days share a block, computed in the kernel by
   :func:`iwm.model._philox.philox4x64` on the first of them, the numbers the reference path
   gets from :func:`iwm.model._life.daily_uniforms`), the appraised
   stressor and felt need, and the approach/withdraw logistic's exponential. That exponential
   is :func:`iwm.model._exp32.exp32_scalar`, the reference's :func:`~iwm.model._exp32.exp32`
   bit for bit (neither backend uses NumPy's or the C library's ``exp``, which differ in the
   last bit for some arguments: one flipped approach decision sets two lives apart).
2. show (approach, bid, withdrawal); respond; perceive and regulate; evidence and trust; feel;
   distance, satisfaction and loneliness; the ledger. A person reads the partner's bid,
   response, distress and withdrawal of the same day: each is gathered into a scratch row by a
   pass of its own, so every step's pass is a loop without branches or gathers, which the
   compiler vectorizes (a straight per-person loop ran at about half the speed).

The kernels run without numba's reference counting (``_nrt=False``: they allocate nothing; with
it, every use of a column of the state tuple cost two atomic operations) and index with
unsigned integers (no negative-index code).

Every operation is the reference's float32 operation in the reference's order (NumPy 2
computes ``float32 array * python float`` in float32, so every constant is a float32 here; no
fast-math), so the two backends give the same bits: ``tests/test_fused_adult.py`` checks it.
A partner outside its person's block is refused (ValueError).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm.model import _philox
from iwm.model._adult import AdultParams, _Adults
from iwm.model._day import Day
from iwm.model._exp32 import exp32_scalar
from iwm.model._expectation import V_BEST, V_WORST

HAVE_NUMBA = _philox.HAVE_NUMBA
F = NDArray[np.float32]

STATE = (
    "W_a",
    "W_b",
    "A_a",
    "A_b",
    "D_a",
    "D_b",
    "suppression",
    "paired",
    "distress",
    "trust",
    "distance",
    "satisfaction",
    "absent",
    "partner_bid",
    "appraisal",
    "fear_gain",
    "gain",
    "protest_gain",
    "threshold_eff",
    "responsiveness",
    "tolerance",
    "expect_offset",
    "pull",
    "distancing",
    "importance",
    "trust_extra_down",
    "retention",
    "felt_security",
    "availability_state",
    "self_worth_state",
    "suppression_state",
    "week_availability_state",
    "week_self_worth_state",
    "ev_shown",
    "ev_seen",
    "ev_hostile",
    "ev_rejected",
)
"""The float32 columns of :class:`iwm.model._adult._Adults` the day reads or writes, in the
order the kernels receive them (one tuple of arrays, no copies)."""
(
    W_A,
    W_B,
    A_A,
    A_B,
    D_A,
    D_B,
    SUPPRESSION,
    PAIRED,
    DISTRESS,
    TRUST,
    DISTANCE,
    SATISFACTION,
    ABSENT,
    PARTNER_BID,
    APPRAISAL,
    FEAR_GAIN,
    GAIN,
    PROTEST_GAIN,
    THRESHOLD_EFF,
    RESPONSIVENESS,
    TOLERANCE,
    EXPECT_OFFSET,
    PULL,
    DISTANCING,
    IMPORTANCE,
    TRUST_EXTRA_DOWN,
    RETENTION,
    FELT_SECURITY,
    AV_STATE,
    SW_STATE,
    SUP_STATE,
    WEEK_AV,
    WEEK_SW,
    EV_SHOWN,
    EV_SEEN,
    EV_HOSTILE,
    EV_REJECTED,
) = range(len(STATE))

RECORD = ("days", "satisfaction", "conflict", "pw_x", "pw_y", "pw_xy", "pw_xx", "pw_yy", "single_days", "lonely")
"""The ledger's running sums the couple pass adds the day to (``_Ledger.rel``, then
``single_days`` and ``lonely``)."""

SCRATCH = (
    "stressor",
    "felt",
    "fear_drive",
    "logit",
    "u1",
    "u2",
    "u3",
    "torn",
    "expressed",
    "bid",
    "withdrawal",
    "away",
    "response_given",
    "partner_bid",
    "overwhelmed",
    "offered",
    "response",
    "perceived",
    "shown",
    "unmet",
    "conflict",
    "loneliness",
    "closeness",
    "hostile",
    "met",
    "theirs",
    "their_withdrawal",
    "u0",
)
"""Rows of the scratch columns the passes hand on to one another (named as the
:class:`iwm.model._day.Day` fields where they are one)."""
_X_STRESSOR, _X_FELT, _X_FEAR, _X_LOGIT, _X_U1, _X_U2, _X_U3, _X_TORN, _X_EXPRESSED, _X_BID = range(10)
_X_WITHDRAWAL, _X_AWAY, _X_GIVEN, _X_PARTNER_BID, _X_OVERWHELMED, _X_OFFERED, _X_RECEIVED = range(10, 17)
_X_PERCEIVED, _X_SHOWN, _X_UNMET, _X_CONFLICT, _X_LONELY, _X_CLOSENESS = range(17, 23)
_X_HOSTILE, _X_MET, _X_THEIRS, _X_THEIR_WITHDRAWAL, _X_U0 = range(23, 28)

_PARAMS = (
    "stress_scale",
    "security_buffer",
    "distress_feed",
    "dissociation",
    "v_worst",
    "v_span",
    "neg_inv_temperature",
    "max_bid",
    "withdraw_step",
    "away_rate",
    "neg_responsiveness_distress",
    "overwhelm",
    "cooling",
    "response_noise",
    "network_support",
    "security_expectation",
    "reactivity",
    "conflict_stress",
    "outburst",
    "trust_up",
    "momentary_rate",
    "momentary_keep",
    "distance_keep",
    "conflict_cost",
    "satisfaction_rate",
)
(
    K_STRESS,
    K_SEC_BUFFER,
    K_DISTRESS_FEED,
    K_DISSOCIATION,
    K_V_WORST,
    K_V_SPAN,
    K_NEG_INV_TEMP,
    K_MAX_BID,
    K_WITHDRAW_STEP,
    K_AWAY,
    K_NEG_RESP_DISTRESS,
    K_OVERWHELM,
    K_COOLING,
    K_NOISE,
    K_NETWORK,
    K_SEC_EXPECTATION,
    K_REACTIVITY,
    K_CONFLICT_STRESS,
    K_OUTBURST,
    K_TRUST_UP,
    K_RATE,
    K_KEEP,
    K_DISTANCE_KEEP,
    K_CONFLICT_COST,
    K_SATISFACTION_RATE,
) = range(len(_PARAMS))


@functools.lru_cache(maxsize=16)
def constants(p: AdultParams) -> F:
    """The day's parameters as the float32 numbers the reference computes with: a Python
    float meets a float32 column as its float32 rounding, and a constant expression of
    parameters is evaluated in float64 first (``1 - p.distance_decay``), as in the reference."""
    values = {
        "stress_scale": p.stress_scale,
        "security_buffer": p.security_buffer,
        "distress_feed": p.distress_feed,
        "dissociation": p.dissociation,
        "v_worst": V_WORST,
        "v_span": V_BEST - V_WORST,
        "neg_inv_temperature": -1 / p.choice_temperature,
        "max_bid": p.max_bid,
        "withdraw_step": p.withdraw_step,
        "away_rate": p.away_rate,
        "neg_responsiveness_distress": -p.responsiveness_distress,
        "overwhelm": p.overwhelm,
        "cooling": p.cooling,
        "response_noise": p.response_noise,
        "network_support": p.network_support,
        "security_expectation": p.security_expectation,
        "reactivity": p.reactivity,
        "conflict_stress": p.conflict_stress,
        "outburst": p.outburst,
        "trust_up": p.trust_up,
        "momentary_rate": p.momentary_rate,
        "momentary_keep": 1 - p.momentary_relax,
        "distance_keep": 1 - p.distance_decay,
        "conflict_cost": p.conflict_cost,
        "satisfaction_rate": p.satisfaction_rate,
    }
    return np.array([values[k] for k in _PARAMS], dtype=np.float32)


def columns(s: _Adults) -> tuple[F, ...]:
    """The state columns of :data:`STATE` (the arrays themselves), checked to be what the
    kernels are compiled for: one-dimensional contiguous float32 arrays of one length."""
    cols = tuple(getattr(s, name) for name in STATE)
    for name, c in zip(STATE, cols, strict=True):
        if c.dtype != np.float32 or c.ndim != 1 or not c.flags.c_contiguous or c.shape[0] != s.n:
            raise TypeError(f"_Adults.{name}: a contiguous float32 column of length {s.n}, got {c.dtype} {c.shape}")
    return cols


@dataclasses.dataclass(kw_only=True, eq=False)
class Buffers:
    """What one group's days need besides the state, allocated once: the scratch columns
    (:data:`SCRATCH`), the Philox words of two days per person (``words``), the blocks
    partners live in (``bounds``: block ``b`` is ``bounds[b] .. bounds[b + 1] - 1``) and the
    ledger's sums (:data:`RECORD`, or empty)."""

    scratch: F
    words: NDArray[np.uint64]
    bounds: NDArray[np.int64]
    record: tuple[F, ...]
    state: tuple[F, ...] = ()

    def columns(self, s: _Adults) -> tuple[F, ...]:
        """:func:`columns` of ``s``, checked once and kept while ``s`` holds the same arrays
        (checking 37 columns every day cost more than a tenth of a day's compiled passes for
        a group of 32768 people)."""
        state = self.state
        if len(state) != len(STATE) or any(c is not getattr(s, name) for name, c in zip(STATE, state, strict=True)):
            self.state = state = columns(s)
        return state

    @classmethod
    def new(cls, bounds: list[int], record: tuple[F, ...] | None = None) -> Buffers:
        n = bounds[-1]
        if record is not None and any(r.shape[0] != n for r in record):
            raise ValueError(f"record: {len(RECORD)} columns of length {n}")
        return cls(
            scratch=np.empty((len(SCRATCH), n), np.float32),
            words=np.empty((4, n), np.uint64),
            bounds=np.asarray(bounds, dtype=np.int64),
            record=record if record is not None else (np.zeros(0, np.float32),) * len(RECORD),
        )


if HAVE_NUMBA:
    import numba

    _f32 = np.float32
    _ZERO, _HALF, _ONE, _TWO, _FOUR = _f32(0), _f32(0.5), _f32(1), _f32(2), _f32(4)
    _LOGIT_CAP, _MIN_SHOWN_DIVISOR = _f32(60), _f32(1e-3)
    _LO, _HI = _f32(0.01), _f32(0.99)  # as iwm.model._momentary's bounds of momentary means

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _mn(a, b):  # type: ignore[no-untyped-def]
        """np.minimum against a bound ``b`` (NaN in ``a`` passes, as in NumPy)."""
        return b if b < a else a

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _mx(a, b):  # type: ignore[no-untyped-def]
        """np.maximum against a bound ``b``."""
        return b if b > a else a

    _MASK32, _S32, _S8 = np.uint64(0xFFFFFFFF), np.uint64(32), np.uint64(8)
    _TO_UNIT = _f32(1.0 / 16777216.0)

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _unit(word, high):  # type: ignore[no-untyped-def]
        """:func:`iwm.model._philox.unit_float32`, converting through int64 (exact: 24 bits),
        which vectorizes where the conversion of an unsigned 64-bit integer does not."""
        half = (word >> _S32) if high else (word & _MASK32)
        return _f32(np.int64(half >> _S8)) * _TO_UNIT

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _draw_pass(k0, k1, first, step, sub, W, lo, hi):  # type: ignore[no-untyped-def]
        """The Philox words of persons ``lo .. hi - 1`` at ``step``: those of two days."""
        for i in range(np.uint64(lo), np.uint64(hi)):
            w0, w1, w2, w3 = _philox.philox4x64(first + i, step, sub, np.uint64(0), k0, k1)
            W[0, i] = w0
            W[1, i] = w1
            W[2, i] = w2
            W[3, i] = w3

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _unit_pass(W, X, row, lo, hi):  # type: ignore[no-untyped-def]
        """Words ``row`` and ``row + 1`` as the day's uniforms 0-3 (a loop of its own,
        vectorized)."""
        for i in range(np.uint64(lo), np.uint64(hi)):
            X[_X_U0, i] = _unit(W[row, i], False)
            X[_X_U1, i] = _unit(W[row, i], True)
            X[_X_U2, i] = _unit(W[row + 1, i], False)
            X[_X_U3, i] = _unit(W[row + 1, i], True)

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _appraise_loop(S, K, primed, X, lo, hi):  # type: ignore[no-untyped-def]
        for i in range(np.uint64(lo), np.uint64(hi)):
            u0 = X[_X_U0, i]
            stressor = u0 * u0
            stressor = stressor * K[K_STRESS]
            felt = stressor * S[APPRAISAL][i]
            if primed:
                felt = felt * (_ONE - K[K_SEC_BUFFER] * S[FELT_SECURITY][i])
            felt = felt + K[K_DISTRESS_FEED] * S[DISTRESS][i]
            fear = S[DISTRESS][i] * K[K_DISSOCIATION]
            fear = (fear + felt) * S[FEAR_GAIN][i]
            trust = S[TRUST][i]
            worth = S[W_A][i] / (S[W_A][i] + S[W_B][i])
            danger = S[D_A][i] / (S[D_A][i] + S[D_B][i])
            hurt = _HALF + (_ONE - worth)
            value = trust - (_ONE - trust) * hurt - danger  # C3, as relationship_value
            value = value - K[K_V_WORST]
            value = value * (felt / K[K_V_SPAN])
            value = value - fear
            value = value * K[K_NEG_INV_TEMP]
            X[_X_STRESSOR, i] = stressor
            X[_X_FELT, i] = felt
            X[_X_FEAR, i] = fear
            X[_X_LOGIT, i] = exp32_scalar(_mn(value, _LOGIT_CAP))

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _appraise_pass(S, K, primed, k0, k1, first, day, fresh, sub, W, X, lo, hi):  # type: ignore[no-untyped-def]
        """Draws, appraisal (C6, C9) and the approach/withdraw logistic's exponential (C3,
        C16, C17) of persons ``lo .. hi - 1``, as :func:`iwm.model._day.appraise` and the first
        half of :func:`~iwm.model._day.activate`; rows of ``X`` as named by ``_X_*``. Day
        ``day`` reads the Philox block at step ``day // 2`` (``iwm.model._life.daily_uniforms``),
        computed when ``fresh`` (else it is in ``W`` since the day before). The draws have a
        loop of their own (Philox's 128-bit products do not vectorize; the rest does), and the
        appraisal one for primed and one for unprimed days (no branch in the loop)."""
        if fresh:
            _draw_pass(k0, k1, first, day >> np.uint64(1), sub, W, lo, hi)
        _unit_pass(W, X, (day & np.uint64(1)) * np.uint64(2), lo, hi)
        if primed:
            _appraise_loop(S, K, True, X, lo, hi)
        else:
            _appraise_loop(S, K, False, X, lo, hi)

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _show(S, K, X, i):  # type: ignore[no-untyped-def]
        """Approach or withdraw, the bid and the withdrawal of person ``i`` (the second half
        of activate, bid, shown_today, withdraw): (approached, torn, expressed, bid,
        withdrawal, away)."""
        felt, thr = X[_X_FELT, i], S[THRESHOLD_EFF][i]
        inv = X[_X_LOGIT, i] + _ONE  # 1 / P(approach)
        off = felt <= thr
        approached = (X[_X_U1, i] * inv < _ONE) or off
        torn = (inv - _ONE) * (_FOUR * felt)
        torn = torn / (inv * inv)
        torn = torn * _f32(not off)
        expressed = felt * S[GAIN][i]
        out = S[PROTEST_GAIN][i] * S[ABSENT][i]
        out = out * felt + expressed
        out = out * _f32(approached and felt > thr)
        out = _mn(out, K[K_MAX_BID])
        hidden = S[SUPPRESSION][i] + S[SUP_STATE][i]  # today's deactivation (momentary_suppression)
        hidden = _mn(_mx(hidden, _ZERO), _ONE)
        today = (_ONE - hidden) / _mx(_ONE - S[SUPPRESSION][i], _MIN_SHOWN_DIVISOR)
        bid = _mn(out * today, K[K_MAX_BID])
        withdrawal = _mn(felt, _ONE) * _f32(not approached)
        withdrawal = withdrawal * K[K_WITHDRAW_STEP] + S[DISTANCE][i]
        away = X[_X_U2, i] < K[K_AWAY]
        return approached, torn, expressed, bid, withdrawal, away

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _respond(S, K, X, i, partner_bid, withdrawal):  # type: ignore[no-untyped-def]
        """The response person ``i`` gives (respond): (given, partner's bid, overwhelmed,
        withdrawal capped at 1)."""
        partner_bid = partner_bid * S[PAIRED][i]
        overwhelmed = _mx(partner_bid - S[TOLERANCE][i], _ZERO) * K[K_OVERWHELM]
        given = _mn(S[DISTRESS][i], _ONE) * K[K_NEG_RESP_DISTRESS]
        given = given + S[RESPONSIVENESS][i]
        given = given - overwhelmed
        given = given - S[ABSENT][i] * K[K_COOLING]
        withdrawal = _mn(withdrawal, _ONE)
        given = given - withdrawal
        given = given + (X[_X_U3, i] - _HALF) * K[K_NOISE]
        given = _mx(_mn(given, _ONE), _ZERO)
        return given, partner_bid, overwhelmed, withdrawal

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _perceive(S, K, X, i, primed, offered, bid, torn):  # type: ignore[no-untyped-def]
        """What reaches person ``i``, how it is perceived and what it does to distress
        (receive, perceive_response, regulate): (received, perceived, shown, unmet); the
        distress column is updated."""
        received = (offered - K[K_NETWORK]) * S[PAIRED][i] + K[K_NETWORK]
        expected = S[TRUST][i] * _HALF + S[EXPECT_OFFSET][i]
        expected = expected + S[AV_STATE][i] * _HALF
        if primed:
            expected = expected + K[K_SEC_EXPECTATION] * S[FELT_SECURITY][i]
        expected = expected - received
        pull = _mn(_ONE - received, received) * S[PULL][i]
        expected = expected * pull * _TWO
        perceived = _mx(_mn(expected + received, _ONE), _ZERO)
        shown = _mn(bid, _ONE)
        unmet = (_ONE - perceived) * shown
        distress = S[DISTRESS][i] * S[RETENTION][i]
        distress = distress + (X[_X_STRESSOR, i] + unmet) * K[K_REACTIVITY]
        S[DISTRESS][i] = distress + _mn(torn, _ONE) * K[K_CONFLICT_STRESS]
        return received, perceived, shown, unmet

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _evidence(S, K, i, partner_distress, bid, perceived, shown, unmet):  # type: ignore[no-untyped-def]
        """The partner's hostility, the day's conflict, the week's evidence and trust (fight,
        gather_evidence): (hostile, conflict, met); trust is updated."""
        hostile = _mx(_mn(partner_distress - K[K_OUTBURST], _ONE), _ZERO) * S[PAIRED][i]
        conflict = _mn(unmet * bid, _ONE) + hostile
        met = shown * perceived
        S[EV_SHOWN][i] += shown
        S[EV_SEEN][i] += met
        S[EV_REJECTED][i] += _mx(shown * -_HALF + unmet, _ZERO)
        S[EV_HOSTILE][i] += hostile
        trust = S[TRUST][i]
        surprise = perceived - trust
        step = _mn(surprise, _ZERO) * S[TRUST_EXTRA_DOWN][i]
        step = step + surprise * K[K_TRUST_UP]
        step = step * shown * S[PAIRED][i]
        S[TRUST][i] = trust + step
        return hostile, conflict, met

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _feel(S, K, i, shown, perceived, unmet, hostile):  # type: ignore[no-untyped-def]
        """The day moves the momentary state (iwm.model._momentary.feel)."""
        rate, keep = K[K_RATE], K[K_KEEP]
        a = S[A_A][i] / (S[A_A][i] + S[A_B][i]) + S[AV_STATE][i]
        a = _mn(_mx(a, _LO), _HI)
        gap = (perceived - a) * shown
        gap = gap - hostile * a
        gap = gap - S[ABSENT][i] * a
        S[AV_STATE][i] = (S[AV_STATE][i] + gap * rate) * keep
        w = S[W_A][i] / (S[W_A][i] + S[W_B][i]) + S[SW_STATE][i]
        w = _mn(_mx(w, _LO), _HI)
        met = shown * perceived
        rejected = _mx(unmet - shown * _HALF, _ZERO) + hostile
        move = met * (_ONE - w)
        move = move - (_TWO * rejected) * w
        S[SW_STATE][i] = (S[SW_STATE][i] + move * rate) * keep
        h = _mn(_mx(S[SUPPRESSION][i] + S[SUP_STATE][i], _ZERO), _ONE)
        hide = rejected * S[SUPPRESSION][i] * (_ONE - h)
        hide = hide - met * h
        S[SUP_STATE][i] = (S[SUP_STATE][i] + hide * rate) * keep
        S[WEEK_AV][i] += S[AV_STATE][i]
        S[WEEK_SW][i] += S[SW_STATE][i]

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _close(S, K, i, partner_bid, given, met, overwhelmed, conflict, shown):  # type: ignore[no-untyped-def]
        """Closeness and distance (keep_distance), satisfaction (rate): returns (closeness,
        rating's new satisfaction)."""
        closeness = _mn(partner_bid, _ONE) * given + met + overwhelmed
        distance = S[DISTANCE][i] * K[K_DISTANCE_KEEP] + closeness * S[DISTANCING][i]
        S[DISTANCE][i] = _mn(distance, _ONE)
        rating = (_ONE - shown) * S[TRUST][i] + met
        rating = rating - K[K_CONFLICT_COST] * conflict
        rating = (rating * S[IMPORTANCE][i] - S[SATISFACTION][i]) * K[K_SATISFACTION_RATE]
        S[SATISFACTION][i] += rating
        return closeness

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _record(S, R, i, yesterday, withdrawal, conflict, lonely):  # type: ignore[no-untyped-def]
        """The day in the ledger's running sums (as _Ledger.record_day)."""
        paired = S[PAIRED][i]
        R[1][i] += S[SATISFACTION][i]
        R[2][i] += conflict
        R[0][i] += paired
        R[3][i] += yesterday
        R[4][i] += withdrawal
        R[5][i] += yesterday * withdrawal
        R[6][i] += yesterday * yesterday
        R[7][i] += withdrawal * withdrawal
        single = _ONE - paired
        R[8][i] += single
        R[9][i] += lonely * single

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _show_pass(S, K, X, approached, lo, hi):  # type: ignore[no-untyped-def]
        """Pass 1 of a block: everyone's approach or withdrawal, bid and withdrawal."""
        for i in range(np.uint64(lo), np.uint64(hi)):
            app, torn, expressed, bid, withdrawal, away = _show(S, K, X, i)
            approached[i] = app
            X[_X_TORN, i] = torn
            X[_X_EXPRESSED, i] = expressed
            X[_X_BID, i] = bid
            X[_X_WITHDRAWAL, i] = withdrawal
            X[_X_AWAY, i] = _f32(away)

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _gather(X, row, column, partner, lo, hi, out):  # type: ignore[no-untyped-def]
        """``X[out, i] = column[partner[i]]`` over a block (``row`` < 0: ``column`` itself);
        True if a partner lies outside the block (then nothing outside it is read)."""
        outside = False
        for i in range(np.uint64(lo), np.uint64(hi)):
            j = np.uint64(partner[i])
            outside |= (j < lo) | (j >= hi)
            j = min(max(j, np.uint64(lo)), np.uint64(hi - 1))
            X[out, i] = X[row, j] if row >= 0 else column[j]
        return outside

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _respond_pass(S, K, X, lo, hi):  # type: ignore[no-untyped-def]
        """Everyone's response to the partner's bid (respond, and receive's first half: what
        one offers, and withdrawal that counts being away)."""
        for i in range(np.uint64(lo), np.uint64(hi)):
            given, partner_bid, overwhelmed, withdrawal = _respond(S, K, X, i, X[_X_THEIRS, i], X[_X_WITHDRAWAL, i])
            away = X[_X_AWAY, i]
            X[_X_GIVEN, i] = given
            X[_X_PARTNER_BID, i] = partner_bid
            X[_X_OVERWHELMED, i] = overwhelmed
            X[_X_OFFERED, i] = K[K_NETWORK] if away > _ZERO else given
            X[_X_WITHDRAWAL, i] = _mn(withdrawal + away, _ONE)  # away for reasons of one's own

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _perceive_loop(S, K, X, primed, lo, hi):  # type: ignore[no-untyped-def]
        for i in range(np.uint64(lo), np.uint64(hi)):
            received, perceived, shown, unmet = _perceive(
                S, K, X, i, primed, X[_X_THEIRS, i], X[_X_BID, i], X[_X_TORN, i]
            )
            X[_X_RECEIVED, i] = received
            X[_X_PERCEIVED, i] = perceived
            X[_X_SHOWN, i] = shown
            X[_X_UNMET, i] = unmet

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _perceive_pass(S, K, X, primed, lo, hi):  # type: ignore[no-untyped-def]
        """What reaches everyone, how it is perceived, and distress (a loop each for primed
        and not, so that the loop has no branch)."""
        if primed:
            _perceive_loop(S, K, X, True, lo, hi)
        else:
            _perceive_loop(S, K, X, False, lo, hi)

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _evidence_pass(S, K, X, lo, hi):  # type: ignore[no-untyped-def]
        """Conflict, the week's evidence and trust."""
        for i in range(np.uint64(lo), np.uint64(hi)):
            shown, perceived, unmet = X[_X_SHOWN, i], X[_X_PERCEIVED, i], X[_X_UNMET, i]
            hostile, conflict, met = _evidence(S, K, i, X[_X_THEIRS, i], X[_X_BID, i], perceived, shown, unmet)
            X[_X_HOSTILE, i] = hostile
            X[_X_CONFLICT, i] = conflict
            X[_X_MET, i] = met

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _feel_pass(S, K, X, lo, hi):  # type: ignore[no-untyped-def]
        """The momentary state."""
        for i in range(np.uint64(lo), np.uint64(hi)):
            _feel(S, K, i, X[_X_SHOWN, i], X[_X_PERCEIVED, i], X[_X_UNMET, i], X[_X_HOSTILE, i])

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _close_pass(S, K, X, lo, hi):  # type: ignore[no-untyped-def]
        """Tomorrow's protest, distance, satisfaction and loneliness."""
        for i in range(np.uint64(lo), np.uint64(hi)):
            S[ABSENT][i] = X[_X_THEIR_WITHDRAWAL, i] * S[PAIRED][i]  # the partner was away or withdrawn (C8)
            met = X[_X_MET, i]
            X[_X_CLOSENESS, i] = _close(
                S,
                K,
                i,
                X[_X_PARTNER_BID, i],
                X[_X_GIVEN, i],
                met,
                X[_X_OVERWHELMED, i],
                X[_X_CONFLICT, i],
                X[_X_SHOWN, i],
            )
            X[_X_LONELY, i] = _mx(X[_X_FELT, i] - met, _ZERO)

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _record_pass(S, X, lo, hi, recorded, R):  # type: ignore[no-untyped-def]
        """The day in the ledger (with yesterday's partner bid), then today's partner bid kept."""
        if recorded:
            for i in range(np.uint64(lo), np.uint64(hi)):
                _record(S, R, i, S[PARTNER_BID][i], X[_X_WITHDRAWAL, i], X[_X_CONFLICT, i], X[_X_LONELY, i])
        for i in range(np.uint64(lo), np.uint64(hi)):
            S[PARTNER_BID][i] = X[_X_PARTNER_BID, i]

    @numba.njit(inline="always", cache=True, _nrt=False, error_model="numpy")
    def _block_day(S, K, primed, k0, k1, first, step, fresh, sub, W, partner, approached, X, lo, hi, recorded, R):  # type: ignore[no-untyped-def]
        """Day ``step`` of the people ``lo .. hi - 1`` (a block); ``fresh``: compute its
        Philox words (else ``W`` holds them since the day before)."""
        _appraise_pass(S, K, primed, k0, k1, first, step, fresh, sub, W, X, lo, hi)
        _show_pass(S, K, X, approached, lo, hi)
        outside = _gather(X, _X_BID, X[0], partner, lo, hi, _X_THEIRS)
        _respond_pass(S, K, X, lo, hi)
        outside |= _gather(X, _X_OFFERED, X[0], partner, lo, hi, _X_THEIRS)
        _perceive_pass(S, K, X, primed, lo, hi)
        outside |= _gather(X, -1, S[DISTRESS], partner, lo, hi, _X_THEIRS)
        outside |= _gather(X, _X_WITHDRAWAL, X[0], partner, lo, hi, _X_THEIR_WITHDRAWAL)
        _evidence_pass(S, K, X, lo, hi)
        _feel_pass(S, K, X, lo, hi)
        _close_pass(S, K, X, lo, hi)
        _record_pass(S, X, lo, hi, recorded, R)
        return outside

    @numba.njit(cache=True, _nrt=False, error_model="numpy")
    def _days_blocks(S, K, primed, k0, k1, first, step, days, sub, W, partner, approached, X, bounds, recorded, R):  # type: ignore[no-untyped-def]
        """Days ``step .. step + days - 1``, block by block: partners live in the same block,
        and a block's columns stay in cache through all its passes and days. Each pass is a
        loop without branches or gathers (the partner's values are gathered in passes of
        their own), which the compiler vectorizes. Returns True if a partner lies outside its
        block."""
        outside = False
        for b in range(bounds.shape[0] - 1):
            lo, hi = bounds[b], bounds[b + 1]
            for d in range(np.uint64(days)):
                t = step + d
                fresh = d == 0 or (t & np.uint64(1)) == 0  # an odd day after its even day: words in W
                outside |= _block_day(
                    S, K, primed, k0, k1, first, t, fresh, sub, W, partner, approached, X, lo, hi, recorded, R
                )
        return outside


def day(
    s: _Adults, p: AdultParams, *, seed: int, stream: int, step: int, sub: int, first_person: int, buf: Buffers
) -> Day:
    """One day for every person of ``s`` (in place), by the compiled passes: the reference's
    day with the draws of persons ``first_person ..`` at ``(seed, stream, step, sub)``, added
    to ``buf.record`` when it holds the ledger's sums. The :class:`~iwm.model._day.Day`
    returned is a view of ``buf``'s scratch: the next day overwrites it."""
    days(s, p, seed=seed, stream=stream, step=step, days=1, sub=sub, first_person=first_person, buf=buf)
    x = buf.scratch
    rows: dict[str, Any] = {name: x[i] for i, name in enumerate(SCRATCH) if name in _DAY_FIELDS}
    return Day(approach_drive=rows["felt"], approached=s.approached, distress=s.distress, distance=s.distance, **rows)


def days(
    s: _Adults,
    p: AdultParams,
    *,
    seed: int,
    stream: int,
    step: int,
    days: int,
    sub: int,
    first_person: int,
    buf: Buffers,
) -> None:
    """Days ``step .. step + days - 1`` for every person of ``s`` (in place), as as many calls of
    :func:`day` would run them, but each block through all the days at once (its columns stay
    in cache). For stretches with nothing else between the days (no priming)."""
    if not HAVE_NUMBA:
        raise RuntimeError("the numba backend needs numba installed")
    if step < 0 or days < 0:
        raise ValueError(f"step, days: non-negative, got {step}, {days}")
    key = _philox.key(seed, stream)
    outside = _days_blocks(
        buf.columns(s), constants(p), s.primed, key[0], key[1], np.uint64(first_person), np.uint64(step), days,
        np.uint64(sub), buf.words, s.partner, s.approached, buf.scratch, buf.bounds, buf.record[0].shape[0] > 0,
        buf.record,
    )  # fmt: skip
    if outside:
        raise ValueError("partner: partners within the block (buf.bounds)")


_DAY_FIELDS = {f.name for f in dataclasses.fields(Day)}
