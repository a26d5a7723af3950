"""Formation's weekly episodes as one compiled pass per child (issue 19): the fused backend.

:func:`iwm.model._formation.run_weeks` is the NumPy reference: one week at a time over whole
columns, about sixty array passes per week. :func:`run_weeks` here does the same arithmetic
with persons outer and weeks inner: a child's eleven state values stay in registers for all its
weeks, its caregiver terms are read once, and its six uniforms per week come from the compiled
Philox (:func:`iwm.model._philox.philox4x64`) at the same counter ``(person, week, 0, 0)`` that
the reference path reads with :func:`iwm.model._philox.uniforms`. The two backends give
bit-identical results:

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

from iwm.model._formation import CaregiverTerms, FormationParams, _ChildState
from iwm.model._philox import HAVE_NUMBA, key, numba

STATE = ("W_a", "W_b", "A_a", "A_b", "D_a", "D_b", "gain", "threshold", "baseline", "regulation", "self_reliance")
"""The state columns, in the kernel's row order."""

TERMS = ("notice", "readiness", "rebuff_per_signal", "fright_alone", "fright_per_approach", "quality")
"""The caregiver terms, in the kernel's row order."""


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
    ]
    return np.array(values, dtype=np.float32)


def weekly_constants(p: FormationParams, weeks: range) -> NDArray[np.float32]:
    """Per week: plasticity and the plasticity-scaled rates, formed in float64 as the reference
    forms them (``p.learning_rate * plasticity`` ...) and then cast to float32, shape (weeks, 5)."""
    per_year = p.episodes / p.years
    rows = []
    for t in weeks:
        pl = p.plasticity_at(t / per_year)
        rows.append(
            [pl, p.learning_rate * pl, pl * p.danger_safety_weight, p.regulation_rate * pl, p.self_reliance_rate * pl]
        )
    return np.array(rows, dtype=np.float32).reshape(len(weeks), 5)


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
    _weeks_kernel(
        state, terms, weekly_constants(p, weeks), episode_constants(p), k[0], k[1], np.uint64(first_person), weeks.start
    )
    for row, name in enumerate(STATE):
        getattr(s, name)[...] = state[row].reshape(shape)


if HAVE_NUMBA:
    from iwm.model._philox import philox4x64, unit_float32

    _Z = np.float32(0.0)
    _ONE = np.float32(1.0)
    _HALF = np.float32(0.5)
    _MIN_FELT = np.float32(0.05)
    _U0 = np.uint64(0)

    @numba.njit(inline="always", cache=True)
    def _clip(x, hi):  # type: ignore[no-untyped-def]
        """``np.minimum(np.maximum(x, 0), hi)`` (both return their second argument on a tie)."""
        x = x if x > _Z else _Z
        return x if x < hi else hi

    @numba.njit(inline="always", cache=True)
    def _respond(tm, i, felt, signal, u3, u4, u5, c):  # type: ignore[no-untyped-def]
        """:func:`iwm.model._formation.caregiver_responds` for one child: comforted, quality,
        rebuffed and fright (0/1 as float32)."""
        cue = tm[0, i] * felt
        cue = cue + signal
        cue = cue - tm[1, i] * u5
        cue = cue * c[3]
        p_respond = _clip(cue, _ONE)
        sig_sat = signal if signal < c[4] else c[4]
        p_rebuff = sig_sat * tm[2, i]
        approach = signal if signal < _ONE else _ONE
        p_fright = tm[4, i] * approach
        p_fright = p_fright + tm[3, i]
        rebuff = u3 < p_rebuff
        comforted = (u3 < p_rebuff + (_ONE - p_rebuff) * p_respond) and not rebuff
        quality = tm[5, i] if comforted else _Z
        rebuffed = _ONE if rebuff else _Z
        fright = _ONE if u4 < p_fright else _Z
        return comforted, quality, rebuffed, fright

    @numba.njit(inline="always", cache=True)
    def _advantage(felt, signal, quality, rebuffed, fright, baseline, c):  # type: ignore[no-untyped-def]
        """The reward of the episode minus the running baseline (:func:`iwm.model._formation.reinforce`)."""
        shown = signal / (felt if felt > _MIN_FELT else _MIN_FELT)
        shown = shown if shown < _ONE else _ONE
        taken_in = shown * c[5]
        taken_in = taken_in + c[6]
        reward = felt * quality
        reward = reward * taken_in
        reward = reward * c[7]
        reward = reward - c[8] * rebuffed
        reward = reward - c[9] * fright
        reward = reward - c[10] * signal * signal
        return reward - baseline

    @numba.njit(inline="always", cache=True)
    def _seen(a_a, a_b, quality, c):  # type: ignore[no-untyped-def]
        """The comfort perceived through the current model (:func:`iwm.model._formation.update_beliefs`)."""
        expected = a_a / (a_a + a_b)
        expected = expected - quality
        pull = quality if quality < _ONE - quality else _ONE - quality
        pull = pull * c[12]
        expected = expected * pull
        return expected + quality

    @numba.njit(cache=True)
    def _weeks_kernel(state, tm, weekly, c, k0, k1, first_person, t0):  # type: ignore[no-untyped-def]
        """All weeks of ``weekly`` for every child: persons outer, weeks inner."""
        for i in range(state.shape[1]):
            w_a, w_b, a_a, a_b, d_a, d_b = state[0, i], state[1, i], state[2, i], state[3, i], state[4, i], state[5, i]
            s_gain, s_thr, baseline, reg, rely = state[6, i], state[7, i], state[8, i], state[9, i], state[10, i]
            person = first_person + np.uint64(i)
            for w in range(weekly.shape[0]):
                pl, step, safety, reg_r, rely_r = weekly[w, 0], weekly[w, 1], weekly[w, 2], weekly[w, 3], weekly[w, 4]
                x0, x1, x2, _ = philox4x64(person, np.uint64(t0 + w), _U0, _U0, k0, k1)
                felt = unit_float32(x0, False)
                # the strategy tried (try_strategy)
                d_gain = unit_float32(x0, True) * c[0] - c[1]
                d_thr = unit_float32(x1, False) * c[0] - c[1]
                gain = _clip(s_gain + d_gain, c[2])
                thr = _clip(s_thr + d_thr, _ONE)
                asked = felt > thr
                signal = gain * felt if asked else _Z
                comforted, quality, rebuffed, fright = _respond(
                    tm, i, felt, signal, unit_float32(x1, True), unit_float32(x2, False), unit_float32(x2, True), c
                )
                # reinforce
                advantage = _advantage(felt, signal, quality, rebuffed, fright, baseline, c)
                s_gain = _clip(s_gain + (step * advantage) * d_gain, c[2])
                s_thr = _clip(s_thr + (step * advantage) * d_thr, _ONE)
                baseline = baseline + c[11] * advantage
                # update_beliefs
                seen = _seen(a_a, a_b, quality, c)
                weight = felt * pl
                weight_a = c[13] if (asked or comforted) else _Z
                weight_a = (weight_a + c[14]) * weight
                evidence = weight_a * seen
                a_a = a_a + evidence
                a_b = a_b + (weight_a - evidence)
                w_a = w_a + weight * seen
                w_b = w_b + weight * (rebuffed + (c[15] if (asked and not comforted) else _Z))
                d_a = d_a + pl * fright
                d_b = d_b + safety * (_ONE - fright)
                # co_regulate
                target = _clip(quality - fright - _HALF * rebuffed, _ONE)
                reg = reg + reg_r * (target - reg)
                alone = _ONE - gain
                alone = (alone if alone > _Z else _Z) * (_ONE - quality)
                rely = rely + rely_r * (alone - rely)
            state[0, i], state[1, i], state[2, i], state[3, i], state[4, i], state[5, i] = w_a, w_b, a_a, a_b, d_a, d_b
            state[6, i], state[7, i], state[8, i], state[9, i], state[10, i] = s_gain, s_thr, baseline, reg, rely
