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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def disjoint_markets(n: int, sizes: list[int], seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random pairs in markets of ``sizes`` pairs, no one in two markets."""
    people = np.random.default_rng(seed).permutation(n)
    seg = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    a = np.concatenate([people[2 * lo : 2 * lo + size] for lo, size in zip(seg[:-1], sizes, strict=True)])
    b = np.concatenate([people[2 * lo + size : 2 * lo + 2 * size] for lo, size in zip(seg[:-1], sizes, strict=True)])
    return a, b, seg


def group_values(s: _Adults, a: np.ndarray, b: np.ndarray, seg: np.ndarray, g: int) -> np.ndarray:
    """The values of the market kernel's group ``g`` (set x markets + market; sets: the
    candidates' responsiveness and hyperactivation, then the choosers')."""
    which, c = divmod(g, seg.shape[0] - 1)
    people = (b if which < 2 else a)[seg[c] : seg[c + 1]]
    return (s.responsiveness if which % 2 == 0 else s.hyper)[people].astype(np.float64)


def unsorted_sums(s: _Adults, a: np.ndarray, b: np.ndarray, seg: np.ndarray) -> tuple[np.ndarray, ...]:
    """What the kernel's counting pass gives (:func:`_week_fused._gather`), before any sorting:
    which groups it judged exact, where each region starts, and the sums before them."""
    groups = 4 * (seg.shape[0] - 1)
    exact, shape = np.zeros(groups, np.bool_), (groups, _week_fused.BUCKETS + 3)
    starts, base = np.empty(shape, np.int64), np.empty(shape)
    xs, cursor = np.empty(4 * a.shape[0]), np.empty(shape[1], np.int64)
    _week_fused._gather(s.responsiveness, s.hyper, a, b, seg, xs, starts, base, cursor, exact)
    return exact, starts, base


def reference_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The reference's running sums of the sorted values, at each region's start."""
    return np.concatenate([[0.0], np.cumsum(np.sort(values))])[starts]


@pytest.mark.parametrize(("tiny", "big"), [(-1e-9, -0.01), (-1e-12, -0.3)])
def test_a_market_whose_sums_could_round_is_sorted_and_summed_as_the_reference_sums(formed, tiny, big):
    """Familiarity's mean fit adds the values at or below a point. The kernel adds them region
    by region (buckets of [0, 1)), in the order met within a region, which gives the reference's
    sorted running sums only while every sum is exact in float64. A group of values with some
    far smaller than the rest (here two hundred tiny negative ones met before a hundred ``big``
    ones, all in the region below 0) makes the unsorted sums miss the reference's, and the
    kernel must sort it: every
    sum it uses is then the reference's, the judgements are the reference's bits, and the
    groups without such values are still summed unsorted."""
    p, m = OTHER_PARAMS, Mechanisms()
    s = week_state(formed, p, m)
    a, b, seg = disjoint_markets(s.n, [900, 900, 900])
    assert unsorted_sums(s, a, b, seg)[0].all()  # the formed population's values need no sorting
    mixed = np.concatenate([np.float32(tiny) * np.linspace(1, 2, 200), np.float32(big) * np.linspace(1, 2, 100)])
    mixed = mixed.astype(np.float32)
    s.responsiveness[b[900:1200]] = mixed  # group 1: set 0 (the candidates' responsiveness), market 1
    s.hyper[a[1800:2100]] = mixed  # group 11: set 3 (the choosers' hyperactivation), market 2
    exact, raw_starts, raw_base = unsorted_sums(s, a, b, seg)
    assert np.flatnonzero(~exact).tolist() == [1, 11]
    for g in (1, 11):  # unsorted, these sums are not the reference's
        assert not np.array_equal(raw_base[g], reference_sums(group_values(s, a, b, seg, g), raw_starts[g])), g
    _, starts, base = _week_fused.placed(a, b, seg, s.responsiveness, s.hyper)
    for g in range(12):
        assert np.array_equal(base[g], reference_sums(group_values(s, a, b, seg, g), starts[g])), g
    arg = _week_fused.market_logits(a, b, seg, s.other_availability(), s.importance, s.responsiveness, s.hyper, p, True)
    for c in range(3):
        at = slice(seg[c], seg[c + 1])
        for row, (x, y) in enumerate(((a[at], b[at]), (b[at], a[at]))):
            assert same_bits(-p.acceptance_slope * attraction(x, y, s, p, m), arg[row, at]), (c, row)


ODD_VALUES = [0.0, -0.0, 1.0, 1 / 1024, 1023 / 1024, 1e-9, 1e-30, 1e-40, -1e-9, -0.01, 1.02, 3.0, 2.0**-17]
VALUES = st.one_of(
    st.floats(0, 1, width=32),
    st.floats(-2, 3, width=32),
    st.sampled_from(ODD_VALUES),
    st.floats(0, 2.0**-20, width=32),
)


@settings(
    max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.lists(VALUES, min_size=2, max_size=400), min_size=1, max_size=3), st.integers(0, 2**32 - 1))
def test_placed_values_and_sums_are_the_references_for_any_values(markets_values, seed):
    """Whatever the values (zeros of both signs, bucket edges, tiny ones, subnormals, values
    outside [0, 1], many equal ones), every group the kernel places holds its values region by
    region, and every sum it uses is the reference's running sum of the sorted values."""
    sizes = [len(v) // 2 for v in markets_values]
    values = np.concatenate([np.asarray(v[: 2 * k], np.float32) for v, k in zip(markets_values, sizes, strict=True)])
    n = values.shape[0]
    shuffled = np.random.default_rng(seed).permutation(values)  # responsiveness and hyperactivation differ
    columns = {"responsiveness": values, "hyper": shuffled}
    a, b, seg = disjoint_markets(n, sizes, seed=seed)
    xs, starts, base = _week_fused.placed(a, b, seg, columns["responsiveness"], columns["hyper"])
    markets = len(sizes)
    for g in range(4 * markets):
        which, c = divmod(g, markets)
        people = (b if which < 2 else a)[seg[c] : seg[c + 1]]
        group = (columns["responsiveness"] if which % 2 == 0 else columns["hyper"])[people].astype(np.float64)
        placed = xs[which * a.shape[0] + seg[c] :][: group.shape[0]]
        regions = np.where(group < 0, 0, np.where(group < 1, np.floor(group * 1024) + 1, 1025)).astype(np.int64)
        assert np.array_equal(np.diff(starts[g]), np.bincount(regions, minlength=1026)), g
        assert np.array_equal(np.sort(placed), np.sort(group)), g
        assert np.array_equal(base[g], reference_sums(group, starts[g])), g


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
