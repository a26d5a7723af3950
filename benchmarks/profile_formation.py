"""Where formation's time goes, per child-week, on one core (issue 19: profile first).

NumPy reference (``iwm.model._formation.run_weeks``): the week's six Philox uniforms per child
(``_philox.uniforms``: NumPy's Philox ``random_raw`` and the float32 conversion) against the
episode's steps (``try_strategy``, ``caregiver_responds``, ``reinforce``, ``update_beliefs``,
``co_regulate``), timed on blocks of 4096 children as ``_development`` runs them.

Fused kernel (``iwm.model._formation_fused``): the same kernel loop run with only the draws
(scalar Philox and the SIMD conversion), only the episodes (SIMD), and both.

Run: ``PYTHONPATH=src python benchmarks/profile_formation.py [--blocks 8]``. Timings depend on
the machine and its load; take the best of a few runs.
"""

from __future__ import annotations

import argparse
import time
import timeit

import numpy as np

from iwm.model import _formation as F
from iwm.model import _formation_fused as FF
from iwm.model import _philox
from iwm.model._caregiving import MIXES, draw_caregivers
from iwm.model._rng import BLOCK, block_generator


def _setup(n: int) -> tuple[F.FormationParams, F.CaregiverTerms, F._ChildState]:
    p = F.FormationParams()
    cg = draw_caregivers(MIXES["low-risk"], block_generator(1, 0, 0), n)
    return p, F.CaregiverTerms.of(cg, p), F._ChildState.newborn((n,), p)


def numpy_profile(weeks: int) -> dict[str, float]:
    """ns per child-week of the reference path's parts, on one block."""
    p, terms, s = _setup(BLOCK)
    per = {"draws (Philox uniforms)": 0.0, "episode": 0.0}
    for t in range(weeks):
        a = time.perf_counter()
        u = _philox.uniforms(1, 0, t, 0, BLOCK, F.N_UNIFORMS)
        b = time.perf_counter()
        F.episode(s, terms, u, p.plasticity_at(t / 52), p)
        per["draws (Philox uniforms)"] += b - a
        per["episode"] += time.perf_counter() - b
    out = {k: v / weeks / BLOCK * 1e9 for k, v in per.items()}
    u = _philox.uniforms(1, 0, 0, 0, BLOCK, F.N_UNIFORMS)
    d_gain, d_thr, gain, thr = F.try_strategy(s, u, p)
    asked = u[0] > thr
    signal = gain * u[0] * asked
    care = F.caregiver_responds(terms, u[0], signal, s.mood, u, p)
    steps = {
        "  try_strategy": lambda: F.try_strategy(s, u, p),
        "  caregiver_responds": lambda: F.caregiver_responds(terms, u[0], signal, s.mood, u, p),
        "  reinforce": lambda: F.reinforce(s, u[0], signal, care, d_gain, d_thr, 0.5, p),
        "  update_beliefs": lambda: F.update_beliefs(s, u[0], asked, care, 0.5, p),
        "  co_regulate": lambda: F.co_regulate(s, gain, care, 0.5, p),
        "  Philox random_raw": lambda: _philox.raw_words(1, 0, 5, 0, BLOCK),
    }
    for name, fn in steps.items():
        out[name] = timeit.timeit(fn, number=weeks) / weeks / BLOCK * 1e9
    return out


def fused_profile(n: int) -> dict[str, float]:
    """ns per child-week of the fused kernel, whole and in parts."""
    import numba

    from iwm.model._formation_fused import CHUNK, _constants, _fill_draws, _pass, _week

    @numba.njit(error_model="numpy")
    def run(state, tm, weekly, c, k0, k1, do_draws, do_episodes):  # type: ignore[no-untyped-def]
        c = _constants(c)
        sb = np.ones(11 * CHUNK, dtype=np.float32)
        ib = np.full(12 * CHUNK, 0.5, dtype=np.float32)
        rb = np.zeros(3 * CHUNK, dtype=np.uint64)
        for lo in range(0, state.shape[1], CHUNK):
            for j in range(11):
                sb[j * CHUNK : (j + 1) * CHUNK] = state[j, lo : lo + CHUNK]
            for j in range(6):
                ib[j * CHUNK : (j + 1) * CHUNK] = tm[j, lo : lo + CHUNK]
            for w in range(weekly.shape[0]):
                if do_draws:
                    _fill_draws(rb, ib, CHUNK, np.uint64(lo), np.uint64(w), k0, k1)
                if do_episodes:
                    _pass(sb, ib, _week(weekly, w), c)

    p, terms, s = _setup(n)
    state = np.stack([getattr(s, k) for k in FF.STATE])
    tm = np.stack([getattr(terms, k) for k in FF.TERMS])
    weekly, c = FF.weekly_constants(p, range(p.episodes)), FF.episode_constants(p)
    k0, k1 = np.uint64(1), np.uint64(0)
    out = {}
    for name, draws, episodes in [("both", True, True), ("draws only", True, False), ("episodes only", False, True)]:
        run(state.copy(), tm, weekly[:2], c, k0, k1, draws, episodes)
        best = min(
            timeit.timeit(lambda d=draws, e=episodes: run(state.copy(), tm, weekly, c, k0, k1, d, e), number=1)
            for _ in range(2)
        )
        out[name] = best / n / p.episodes * 1e9
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=300, help="weeks timed on the NumPy path")
    parser.add_argument("--blocks", type=int, default=8, help="blocks of 4096 children for the fused kernel")
    args = parser.parse_args()
    print("NumPy reference, ns per child-week:")
    for k, v in numpy_profile(args.weeks).items():
        print(f"  {k:28s} {v:6.1f}")
    if _philox.HAVE_NUMBA:
        print("Fused kernel, ns per child-week:")
        for k, v in fused_profile(args.blocks * BLOCK).items():
            print(f"  {k:28s} {v:6.1f}")


if __name__ == "__main__":
    main()
