"""The fused adult week (issue 19): the compiled steps of :mod:`iwm.model._week_fused` give the
NumPy reference's bits: the market's judgements (attraction and acceptance, familiarity's
sorted means), staying or leaving, the week's revision of the model (update_model,
follow_state) and the strategy derived from it (derive_strategy), from states that take every
clip and branch, under default and other parameters and with each mechanism switched off; and
whole lives with the mechanisms off."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import iwm
from _bits import same_bits
from iwm.model import _life, _philox, _week_fused
from iwm.model._adult import AdultParams, Mechanisms, _Adults, derive_strategy, update_model
from iwm.model._momentary import follow_state
from iwm.model._partner_choice import acceptance, attraction, commit, dependence, leaving

pytestmark = pytest.mark.skipif(not _week_fused.HAVE_NUMBA, reason="numba not installed")

BLOCK = 4096
OTHER_PARAMS = AdultParams(
    evidence_rate=0.37,
    strategy_rate=0.13,
    trait_rate=0.21,
    devaluation=0.77,
    vigilance=1.3,
    attraction_familiarity=1.7,
    acceptance_slope=3.3,
    commitment_rate=0.23,
    breakup_base=0.011,
)
MECHANISMS = [
    Mechanisms(),
    Mechanisms(repetition_compulsion=False),
    Mechanisms(vulnerability_avoidance=False),
    Mechanisms(defensive_behaviours=False, projection=False),
]


@pytest.fixture(scope="module")
def formed() -> iwm.Population:
    return iwm.develop("low-risk", n=2 * BLOCK, seed=23).population


def week_state(pop: iwm.Population, p: AdultParams, m: Mechanisms, seed: int = 5) -> _Adults:
    """A state at a week's end with everything spread: couples, the week's evidence (none shown,
    hostility on every day, beyond), momentary states, commitment near the milestone."""
    s = _Adults.of(pop)
    derive_strategy(s, p, m)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(s.n)
    a, b = idx[: s.n // 3], idx[s.n // 3 : 2 * (s.n // 3)]
    s.partner[a], s.partner[b] = b, a
    s.paired[a] = s.paired[b] = 1

    def spread(scale: float, offset: float = 0.0) -> np.ndarray:
        return (rng.random(s.n, dtype=np.float32) * np.float32(scale) + np.float32(offset)).astype(np.float32)

    s.ev_shown[:] = np.where(rng.random(s.n) < 0.3, 0, spread(5))
    s.ev_seen[:] = s.ev_shown * spread(1)
    s.ev_rejected[:] = s.ev_shown * spread(0.5)
    s.ev_hostile[:] = np.where(rng.random(s.n) < 0.2, 7, spread(9))
    s.week_availability_state[:] = spread(2, -1)
    s.week_self_worth_state[:] = spread(200, -100)  # far enough to reach the bounds of the mean
    s.availability_state[:] = spread(0.4, -0.2)
    s.self_worth_state[:] = spread(0.4, -0.2)
    s.trust[:] = spread(1)
    s.satisfaction[:] = spread(1.2, -0.2) * s.paired
    s.commitment[:] = spread(0.2, 0.4) * s.paired
    s.threshold[:] = np.where(rng.random(s.n) < 0.1, np.float32(0.3), s.threshold)  # at the kink
    s.plasticity[:] = spread(1)
    few = rng.random(s.n) < 0.3  # beliefs on little evidence, which a week can move far
    for col in (s.A_a, s.A_b, s.W_a, s.W_b, s.D_a, s.D_b):
        col[few] *= np.float32(0.03)
    return s


def copies(s: _Adults) -> tuple[_Adults, _Adults]:
    def copy() -> _Adults:
        fields = {f.name: getattr(s, f.name) for f in dataclasses.fields(s)}
        return _Adults(**{k: v.copy() if isinstance(v, np.ndarray) else v for k, v in fields.items()})

    return copy(), copy()


@pytest.mark.parametrize("p", [AdultParams(), OTHER_PARAMS])
def test_the_weeks_revision_is_bit_identical(formed, p):
    ref, fused = copies(week_state(formed, p, Mechanisms()))
    update_model(ref, p)
    follow_state(ref, p, 7)
    _week_fused.revise(fused, p)
    assert [c for c in _week_fused.REVISED if not same_bits(getattr(ref, c), getattr(fused, c))] == []
    moved = np.abs(ref.A_a / (ref.A_a + ref.A_b) - formed.other_availability)
    worth = ref.W_a / (ref.W_a + ref.W_b)
    assert moved.max() > 0.2 and worth.max() > 0.9899 and worth.min() < 0.0101  # the means reach their bounds


@pytest.mark.parametrize("m", MECHANISMS)
@pytest.mark.parametrize("p", [AdultParams(), OTHER_PARAMS])
def test_the_derived_strategy_is_bit_identical(formed, p, m):
    ref, fused = copies(week_state(formed, p, m))
    update_model(ref, p)  # a revised model, far from the one the state was derived from
    update_model(fused, p)
    derive_strategy(ref, p, m)
    _week_fused.derive(fused, p, m)
    assert [c for c in _week_fused.DERIVED if not same_bits(getattr(ref, c), getattr(fused, c))] == []
    assert (ref.hyper == 0).any() and (ref.deact == 0).any() and (ref.hyper > 0.5).any()  # clips taken


@pytest.mark.parametrize("p", [AdultParams(), OTHER_PARAMS])
def test_staying_or_leaving_is_bit_identical(formed, p):
    ref, fused = copies(week_state(formed, p, Mechanisms()))
    seed, week, first = 9, 17, 3 * BLOCK
    gain = dependence(ref)
    milestone = commit(ref, gain, p)
    draw = _philox.uniforms(seed, 2, week, first, ref.n, k=1, sub=_life.SUB_LEAVE)[0]
    chance = leaving(ref, gain, milestone, p)
    expected = (draw < chance) & (ref.paired > 0)
    got_chance = np.empty(ref.n, np.float32)
    got = _week_fused.leaves(
        fused, p, seed=seed, stream=2, week=week, first_person=first, sub=_life.SUB_LEAVE, chance=got_chance
    )
    assert same_bits(ref.commitment, fused.commitment) and same_bits(chance, got_chance)
    assert np.array_equal(expected, got)
    assert milestone.any() and 0 < expected.sum() < (ref.paired > 0).sum()


def markets(s: _Adults, sizes: list[int], seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random pairs in markets of ``sizes`` pairs (one empty, one of a single pair)."""
    rng = np.random.default_rng(seed)
    a, b, seg = [], [], [0]
    for size in sizes:
        people = rng.choice(s.n, 2 * size, replace=False)
        a.append(people[:size])
        b.append(people[size:])
        seg.append(seg[-1] + size)
    return np.concatenate(a), np.concatenate(b), np.asarray(seg, np.int64)


@pytest.mark.parametrize("m", MECHANISMS[:2])
@pytest.mark.parametrize("p", [AdultParams(), OTHER_PARAMS])
def test_the_markets_judgements_are_bit_identical(formed, p, m):
    """Each side's ``-slope x attraction`` and acceptance, market by market as the reference
    judges them, from values that include exact zeros, bucket edges and values outside [0, 1]."""
    s = week_state(formed, p, m)
    rng = np.random.default_rng(4)
    edges = np.float32([0.0, -0.0, 1.0, 0.5, 1 / 1024, 3 / 1024, -0.01, 1.02])
    for col in (s.responsiveness, s.hyper):
        pick = rng.random(s.n) < 0.05
        col[pick] = rng.choice(edges, pick.sum())
    s.A_a[:8], s.A_b[:8] = np.float32(1), np.float32([0, 1, 3, 1023, 1e-9, 1, 1, 1])
    a, b, seg = markets(s, [700, 0, 1, 333, 1100])
    oa = s.other_availability()
    arg = _week_fused.market_logits(a, b, seg, oa, s.importance, s.responsiveness, s.hyper, p, m.repetition_compulsion)
    for c in range(seg.shape[0] - 1):
        at = slice(seg[c], seg[c + 1])
        for row, (x, y) in enumerate(((a[at], b[at]), (b[at], a[at]))):
            attract = attraction(x, y, s, p, m)
            assert same_bits(-p.acceptance_slope * attract, arg[row, at]), (c, row)
            fused = (1 / (1 + np.exp(arg[row, at]))).astype(np.float32)
            assert same_bits(acceptance(attract, p), fused), (c, row)
    judged = np.flatnonzero(np.random.default_rng(6).random(a.shape[0]) < 0.1)  # some pairs only
    args = (a, b, seg, oa, s.importance, s.responsiveness, s.hyper, p, m.repetition_compulsion, judged)
    assert same_bits(_week_fused.market_logits(*args), arg[:, judged])


@pytest.mark.parametrize("m", MECHANISMS[1:])
def test_a_life_with_a_mechanism_off_is_bit_identical(formed, m):
    pop = formed.take(slice(0, BLOCK + 1000))
    ref = _life.live(pop, years=0.3, seed=6, mechanisms=m, backend="numpy")
    fused = _life.live(pop, years=0.3, seed=6, mechanisms=m, backend="numba")
    assert np.array_equal(ref.partner, fused.partner)
    for name in iwm.Population.field_names():
        assert same_bits(getattr(ref.end, name), getattr(fused.end, name)), name
    assert same_bits(ref.commitment, fused.commitment) and np.array_equal(ref.breakups, fused.breakups)
    for k in ref.relationships:
        assert same_bits(ref.relationships[k], fused.relationships[k]), k


def test_a_reused_bit_generator_draws_the_markets_numbers():
    """The fused market reuses one Philox for its communities' generators: the same draws as a
    new generator per community and week (:func:`iwm.model._life.market_generator`)."""
    bits = np.random.Philox(0)
    singles = np.arange(3001)
    for community, week in ((0, 0), (5, 17), (2**20 + 3, 3000)):
        new, reused = (_life.market_generator(9, 2, community, week, b) for b in (None, bits))
        assert np.array_equal(new.permutation(singles), reused.permutation(singles))
        assert same_bits(new.random((2, 1500), dtype=np.float32), reused.random((2, 1500), dtype=np.float32))
