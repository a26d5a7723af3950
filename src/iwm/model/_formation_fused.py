"""Formation's weekly episodes as one compiled pass per child and week (issue 19): the fused backend.

:func:`iwm.model._formation.run_weeks` is the NumPy reference: one week at a time over whole
columns, about sixty array passes per week. :func:`run_weeks` here does the same arithmetic in
one pass: the children are taken in cache-sized chunks (:data:`CHUNK`); for each week the
chunk's six uniforms per child come from the compiled Philox
(:func:`iwm.model._philox.philox4x64`) at the same counter ``(person, week, 0, 0)`` that the
reference path reads with :func:`iwm.model._philox.uniforms`, then one loop runs the whole
episode per child, which the compiler turns into SIMD over children (the episode has no branch:
every choice is a compare-and-select). The two backends give bit-identical results:

* every constant is a float32 computed as NumPy computes it (NEP 50: a Python float meeting a
  float32 array is cast to float32 first; a product of Python floats such as
  ``p.learning_rate * plasticity`` is formed in float64 and then cast), see
  :func:`episode_constants` and :func:`weekly_constants`;
* each operation happens in the reference's order, rounded to float32 where the reference
  rounds (an in-place update is one rounding);
* numba compiles without fastmath, so no operation is contracted (no fused multiply-add) or
  reordered.

``tests/test_fused_formation.py`` checks the bit-identity on whole populations.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iwm.model._beliefs import MIN_SAMPLING_VARIANCE
from iwm.model._formation import CaregiverTerms, FormationParams, _ChildState
from iwm.model._philox import HAVE_NUMBA, key, numba

STATE = (
    "W_a", "W_b", "A_a", "A_b", "D_a", "D_b", "gain", "threshold", "baseline", "regulation", "self_reliance",
    "A_recent", "A_volatility", "mood",
)  # fmt: skip
"""The state columns, in the kernel's row order."""

TERMS = ("notice", "readiness", "rebuff_per_signal", "fright_alone", "fright_per_approach", "quality")
"""The caregiver terms, in the kernel's row order."""


CHUNK = 1024
"""Children per pass of the kernel (whole weeks over one chunk, then the next chunk). Their
state, caregiver terms and draws (26 float32 rows, 104 KB) stay in the core's L2 cache. Measured
on the reference machine (2-core Xeon, one core, n = 32,868, ns per child-week): persons outer
with weeks inner, four children interleaved, 34; weeks outer over chunks of 256 / 512 / 1024 /
2048 children, 20.6 / 21.3 / 19.5 / 19.3 (the episode loop becomes SIMD over children)."""


def episode_constants(p: FormationParams) -> NDArray[np.float32]:
    """The float32 constants of an episode, each as the reference's NumPy expression casts it."""
    values = [
        2 * p.exploration,
        p.exploration,
        p.max_gain,
        1 / p.response_width,
        p.rebuff_saturation,
        p.hidden_need_discount,
        1 - p.hidden_need_discount,
        p.relief,
        p.rebuff_pain,
        p.fright_pain,
        p.effort,
        p.baseline_rate,
        2 * p.perception_bias,
        1 - p.unasked_weight,
        p.unasked_weight,
        p.unanswered_bid_weight,
        p.mood_hazard,
        1 / p.mood_hazard,
        p.recent_rate,
        p.volatility_rate,
        MIN_SAMPLING_VARIANCE,
        p.forgetting_floor,
        p.volatility_forgetting,
        p.prior_count,
    ]
    return np.array(values, dtype=np.float32)


def weekly_constants(p: FormationParams, weeks: range) -> NDArray[np.float32]:
    """Per week: plasticity and the plasticity-scaled rates, formed in float64 as the reference
    forms them (``p.learning_rate * plasticity`` ...) and then cast to float32, shape (weeks, 6)."""
    per_year = p.episodes / p.years
    rows = []
    for t in weeks:
        pl = p.plasticity_at(t / per_year)
        rows.append(
            [
                pl,
                p.learning_rate * pl,
                pl * p.danger_safety_weight,
                p.regulation_rate * pl,
                p.self_reliance_rate * pl,
                p.forgetting_floor * pl,
            ]
        )
    return np.array(rows, dtype=np.float32).reshape(len(weeks), 6)


def run_weeks(
    s: _ChildState, cg: CaregiverTerms, p: FormationParams, seed: int, stream: int, first_person: int, weeks: range
) -> None:
    """Weeks ``weeks`` of formation for the persons ``first_person ..`` of ``s`` (updated in
    place), compiled: the fused twin of :func:`iwm.model._formation.run_weeks`."""
    if not HAVE_NUMBA:  # pragma: no cover - the backend is refused before this
        raise RuntimeError("the numba backend needs numba")
    if len(weeks) == 0:
        return
    shape = s.gain.shape
    state = np.stack([getattr(s, name).ravel() for name in STATE])
    terms = np.stack([np.ravel(getattr(cg, name)) for name in TERMS])
    k = key(seed, stream)
    args = (state, terms, weekly_constants(p, weeks), episode_constants(p), k[0], k[1], np.uint64(first_person))
    _kernel(*args, weeks.start)
    for row, name in enumerate(STATE):
        getattr(s, name)[...] = state[row].reshape(shape)


if HAVE_NUMBA:
    from numba.extending import intrinsic

    from iwm.model._philox import philox4x64

    def _select(op):
        """A float32 ``a if a <op> b else b`` as one compare-and-select (``maxss``/``minss``), never
        a branch: numba's if-expression compiles to a branch that mispredicts on random data."""

        @intrinsic
        def select(typingctx, a, b):
            sig = numba.types.float32(numba.types.float32, numba.types.float32)

            def codegen(context, builder, signature, args):
                return builder.select(builder.fcmp_ordered(op, args[0], args[1]), args[0], args[1])

            return sig, codegen

        return select

    @intrinsic
    def _where(typingctx, cond, a, b):
        """``a if cond else b`` for float32 ``a``, ``b``, as a select (no branch)."""
        sig = numba.types.float32(numba.types.boolean, numba.types.float32, numba.types.float32)

        def codegen(context, builder, signature, args):
            return builder.select(args[0], args[1], args[2])

        return sig, codegen

    _max = _select(">")  # np.maximum(a, b) for a non-NaN a: b on a tie
    _min = _select("<")  # np.minimum(a, b) for a non-NaN a: b on a tie

    _Z = np.float32(0.0)
    _ONE = np.float32(1.0)
    _HALF = np.float32(0.5)
    _MIN_FELT = np.float32(0.05)
    _U0 = np.uint64(0)
    _MASK32 = np.uint64(0xFFFFFFFF)
    _S32 = np.uint64(32)
    _S8 = np.uint64(8)
    _TO_UNIT = np.float32(1.0 / 16777216.0)  # 2**-24, as in iwm.model._philox

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _clip(x, hi):
        """``np.minimum(np.maximum(x, 0), hi)`` (both return their second argument on a tie)."""
        return _min(_max(x, _Z), hi)

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _respond(cg, felt, signal, u3, u4, mood, c):
        """:func:`iwm.model._formation.caregiver_responds` for one child with caregiver terms
        ``cg`` (rows of :data:`TERMS`): comforted, quality, rebuffed and fright (0/1 as float32)."""
        notice, readiness, rebuff_per_signal, fright_alone, fright_per_approach, comfort = cg
        cue = notice * felt
        cue = cue + signal
        cue = cue - readiness * mood
        cue = cue * c[3]
        p_respond = _clip(cue, _ONE)
        sig_sat = _min(signal, c[4])
        p_rebuff = sig_sat * rebuff_per_signal
        approach = _min(signal, _ONE)
        p_fright = fright_per_approach * approach
        p_fright = p_fright + fright_alone
        rebuff = u3 < p_rebuff
        comforted = (u3 < p_rebuff + (_ONE - p_rebuff) * p_respond) & (not rebuff)
        quality = _where(comforted, comfort, _Z)
        rebuffed = _where(rebuff, _ONE, _Z)
        fright = _where(u4 < p_fright, _ONE, _Z)
        return comforted, quality, rebuffed, fright

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _advantage(felt, signal, quality, rebuffed, fright, baseline, c):
        """The reward of the episode minus the running baseline (:func:`iwm.model._formation.reinforce`)."""
        shown = _min(signal / _max(felt, _MIN_FELT), _ONE)
        taken_in = shown * c[5]
        taken_in = taken_in + c[6]
        reward = felt * quality
        reward = reward * taken_in
        reward = reward * c[7]
        reward = reward - c[8] * rebuffed
        reward = reward - c[9] * fright
        reward = reward - c[10] * signal * signal
        return reward - baseline

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _seen(mean, quality, c):
        """The comfort perceived through the current model (:func:`iwm.model._formation.update_beliefs`)."""
        expected = mean - quality
        pull = _min(quality, _ONE - quality)
        pull = pull * c[12]
        expected = expected * pull
        return expected + quality

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _forgetting(recent, vol, seen, relevance, mean, pl, c):
        """:func:`iwm.model._beliefs.learn_volatility` then :func:`iwm.model._beliefs.forgetting`:
        the new recent impression and volatility, and the share of evidence forgotten."""
        surprise = seen - mean
        held = recent - mean
        held = held * surprise
        held = held - vol
        held = held * relevance
        held = held * pl
        vol = vol + c[19] * held
        surprise = surprise - (recent - mean)
        surprise = surprise * relevance
        recent = recent + c[18] * surprise
        relative = _max(vol, _Z)
        relative = relative / _max(mean * (_ONE - mean), c[20])
        relative = _min(relative, _ONE)
        rate = relative * c[22]
        rate = rate + c[21]
        return recent, vol, rate * pl

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _discount(a, b, keep, prior):
        """:func:`iwm.model._beliefs.discount` of one pair of counts, ``keep`` = 1 - rate."""
        return (a - prior) * keep + prior, (b - prior) * keep + prior

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _episode(st, cg, u, wk, c):
        """One episode of one child (:func:`iwm.model._formation.episode`): state tuple ``st``
        (rows of :data:`STATE`), caregiver terms ``cg``, uniforms ``u``, the week's constants
        ``wk``; returns the new state. Scalars and tuples only: an array passed to an inlined
        function costs a reference count (an atomic operation) per call."""
        w_a, w_b, a_a, a_b, d_a, d_b, s_gain, s_thr, baseline, reg, rely, recent, vol, mood = st
        pl, step, safety, reg_r, rely_r, floor_pl = wk
        felt = u[0]
        # the strategy tried (try_strategy)
        d_gain = u[1] * c[0] - c[1]
        d_thr = u[2] * c[0] - c[1]
        gain = _clip(s_gain + d_gain, c[2])
        thr = _clip(s_thr + d_thr, _ONE)
        asked = felt > thr
        signal = _where(asked, gain * felt, _Z)
        mood = _where(u[5] < c[16], u[5] * c[17], mood)  # caregiver_mood
        comforted, quality, rebuffed, fright = _respond(cg, felt, signal, u[3], u[4], mood, c)
        # reinforce
        advantage = _advantage(felt, signal, quality, rebuffed, fright, baseline, c)
        s_gain = _clip(s_gain + (step * advantage) * d_gain, c[2])
        s_thr = _clip(s_thr + (step * advantage) * d_thr, _ONE)
        baseline = baseline + c[11] * advantage
        # update_beliefs
        mean = a_a / (a_a + a_b)
        seen = _seen(mean, quality, c)
        relevance = _where(asked | comforted, c[13], _Z)
        relevance = (relevance + c[14]) * felt
        # forget_beliefs
        recent, vol, rate = _forgetting(recent, vol, seen, relevance, mean, pl, c)
        keep = _ONE - rate
        a_a, a_b = _discount(a_a, a_b, keep, c[23])
        w_a, w_b = _discount(w_a, w_b, keep, c[23])
        d_a, d_b = _discount(d_a, d_b, _ONE - floor_pl, c[23])
        weight = felt * pl
        weight_a = relevance * pl
        evidence = weight_a * seen
        a_a = a_a + evidence
        a_b = a_b + (weight_a - evidence)
        w_a = w_a + weight * seen
        w_b = w_b + weight * (rebuffed + _where(asked & (not comforted), c[15], _Z))
        d_a = d_a + pl * fright
        d_b = d_b + safety * (_ONE - fright)
        # co_regulate
        target = _clip(quality - fright - _HALF * rebuffed, _ONE)
        reg = reg + reg_r * (target - reg)
        alone = _ONE - gain
        alone = _max(alone, _Z) * (_ONE - quality)
        rely = rely + rely_r * (alone - rely)
        return w_a, w_b, a_a, a_b, d_a, d_b, s_gain, s_thr, baseline, reg, rely, recent, vol, mood

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _constants(c):
        return (
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15],
            c[16], c[17], c[18], c[19], c[20], c[21], c[22], c[23],
        )  # fmt: skip

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _week(weekly, w):
        return weekly[w, 0], weekly[w, 1], weekly[w, 2], weekly[w, 3], weekly[w, 4], weekly[w, 5]

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _unit(half):
        """:func:`iwm.model._philox.unit_float32` of a 32-bit half (held in a uint64), through
        int32 so that the conversion is SIMD (exact: the value is below 2**24)."""
        return np.float32(np.int32(half >> _S8)) * _TO_UNIT

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _fill_draws(rb, ib, m, first, t, k0, k1):
        """A week's uniforms of the chunk's ``m`` children into rows 6-11 of ``ib``: Philox words
        0-2 of each child into ``rb`` (scalar), then their six halves as float32 (SIMD)."""
        for i in range(m):
            x0, x1, x2, _ = philox4x64(first + np.uint64(i), t, _U0, _U0, k0, k1)
            rb[i], rb[CHUNK + i], rb[2 * CHUNK + i] = x0, x1, x2
        for i in range(CHUNK):
            x0, x1, x2 = rb[i], rb[CHUNK + i], rb[2 * CHUNK + i]
            ib[6 * CHUNK + i], ib[7 * CHUNK + i] = _unit(x0 & _MASK32), _unit(x0 >> _S32)
            ib[8 * CHUNK + i], ib[9 * CHUNK + i] = _unit(x1 & _MASK32), _unit(x1 >> _S32)
            ib[10 * CHUNK + i], ib[11 * CHUNK + i] = _unit(x2 & _MASK32), _unit(x2 >> _S32)

    @numba.njit(inline="always", cache=True, error_model="numpy")
    def _pass(sb, ib, wk, c):
        """One week's episodes for a whole chunk: state rows in ``sb``, caregiver terms and
        uniforms in ``ib``, rows ``CHUNK`` apart (a constant: the compiler proves the rows
        apart and turns the loop into SIMD over children)."""
        for i in range(CHUNK):
            st = (
                sb[i], sb[CHUNK + i], sb[2 * CHUNK + i], sb[3 * CHUNK + i], sb[4 * CHUNK + i], sb[5 * CHUNK + i],
                sb[6 * CHUNK + i], sb[7 * CHUNK + i], sb[8 * CHUNK + i], sb[9 * CHUNK + i], sb[10 * CHUNK + i],
                sb[11 * CHUNK + i], sb[12 * CHUNK + i], sb[13 * CHUNK + i],
            )  # fmt: skip
            cg = (ib[i], ib[CHUNK + i], ib[2 * CHUNK + i], ib[3 * CHUNK + i], ib[4 * CHUNK + i], ib[5 * CHUNK + i])
            u = (
                ib[6 * CHUNK + i], ib[7 * CHUNK + i], ib[8 * CHUNK + i],
                ib[9 * CHUNK + i], ib[10 * CHUNK + i], ib[11 * CHUNK + i],
            )  # fmt: skip
            st = _episode(st, cg, u, wk, c)
            sb[i], sb[CHUNK + i], sb[2 * CHUNK + i], sb[3 * CHUNK + i] = st[0], st[1], st[2], st[3]
            sb[4 * CHUNK + i], sb[5 * CHUNK + i], sb[6 * CHUNK + i], sb[7 * CHUNK + i] = st[4], st[5], st[6], st[7]
            sb[8 * CHUNK + i], sb[9 * CHUNK + i], sb[10 * CHUNK + i], sb[11 * CHUNK + i] = st[8], st[9], st[10], st[11]
            sb[12 * CHUNK + i], sb[13 * CHUNK + i] = st[12], st[13]

    @numba.njit(cache=True, error_model="numpy")
    def _kernel(state, tm, weekly, c, k0, k1, first_person, t0):
        """Weeks outer over chunks of ``CHUNK`` children: the week's draws of the chunk (scalar
        Philox), then its episodes (SIMD). A short last chunk computes on padding it never reads."""
        n, c = state.shape[1], _constants(c)
        sb = np.ones(len(STATE) * CHUNK, dtype=np.float32)
        ib = np.ones((len(TERMS) + 6) * CHUNK, dtype=np.float32)
        rb = np.zeros(3 * CHUNK, dtype=np.uint64)
        for lo in range(0, n, CHUNK):
            m = min(CHUNK, n - lo)
            for j in range(len(STATE)):
                sb[j * CHUNK : j * CHUNK + m] = state[j, lo : lo + m]
            for j in range(len(TERMS)):
                ib[j * CHUNK : j * CHUNK + m] = tm[j, lo : lo + m]
            for w in range(weekly.shape[0]):
                _fill_draws(rb, ib, m, first_person + np.uint64(lo), np.uint64(t0 + w), k0, k1)
                _pass(sb, ib, _week(weekly, w), c)
            for j in range(len(STATE)):
                state[j, lo : lo + m] = sb[j * CHUNK : j * CHUNK + m]
