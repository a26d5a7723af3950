"""Adult life over years: relationships form, deepen and end; working models live on in them.

:func:`live` takes a formed population (usually :attr:`Development.population` at 18) through
``years`` of adult life, community by community (a community is a random-number block), on
one or several worker processes. :func:`simulate_couples` follows fixed couples day by day
and returns their whole trace (``iwm dyad`` is one such couple).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.model import _day_fused, _philox, _week_fused
from iwm.model._adult import (
    DAYS_PER_WEEK,
    N_DAILY,
    NO_PAIR,
    WEEKS_PER_YEAR,
    AdultParams,
    Mechanisms,
    _Adults,
    derive_strategy,
    pairing_index,
    update_model,
)
from iwm.model._blocks import Progress, check_backend, check_workers, map_blocks
from iwm.model._day import day
from iwm.model._life_events import N_EVENT_DRAWS, LifeEventParams, _Memory, life_events
from iwm.model._momentary import follow_state, momentary_availability, momentary_self_worth, momentary_suppression
from iwm.model._params import check_value
from iwm.model._partner_choice import acceptance, attraction, commit, dependence, leaving, openness
from iwm.model._population import DTYPE, Population
from iwm.model._priming import Prime, fade
from iwm.model._priming import prime as prime_people
from iwm.model._rng import BLOCK, check_seed
from iwm.model._therapy import Therapy, session

F = NDArray[np.float32]
F64 = NDArray[np.float64]

ADULT_STREAM = 2
"""Random stream of adult life (0 and 1 are the two generations of formation)."""
COUPLES_STREAM = 3
"""Random stream of :func:`simulate_couples`."""

# Every draw of adult life is a pure function of (seed, stream, person, step, sub)
# (:mod:`iwm.model._philox`), with ``person`` the global id (block x BLOCK + index):
SUB_DAY = 0
"""Sub-stream of the daily draws: :data:`N_DAILY` uniforms per person per day (the day's index
since the start of :func:`live`, week x 7 + day, or of :func:`simulate_couples`). Two days
share a Philox block: day ``t`` reads the block at step ``t // 2``, the first half of it on
even days and the second on odd days (:func:`daily_uniforms`)."""


def daily_uniforms(seed: int, stream: int, day: int, first_person: int, n: int) -> F:
    """The :data:`N_DAILY` uniforms of persons ``first_person ..`` on ``day`` (:data:`SUB_DAY`),
    shape (N_DAILY, n)."""
    halves = _philox.uniforms(seed, stream, day // 2, first_person, n, sub=SUB_DAY)
    return halves[N_DAILY * (day % 2) : N_DAILY * (day % 2 + 1)]


SUB_LEAVE = 1
"""Sub-stream of the weekly leave draw (:func:`relationships_week`), one uniform per person at
step = week."""
SUB_EVENTS = 2
"""Sub-stream of the weekly life-event draws (:data:`N_EVENT_DRAWS` uniforms per person at
step = week)."""
SUB_MARKET = 3
"""Sub-stream of the weekly market of a community (:func:`_market`). The market's draws are not
per person: the community's generator of a week is NumPy's Philox under the key (seed,
stream) started at the counter (0, week, SUB_MARKET, community): its draws run through
counter word 0, so no two communities or weeks share a number, and no person draw (whose
counter word 3 is 0 and whose sub is never SUB_MARKET) meets them."""
MAX_YEARS = 80


_PAIR_SUMS = ("days", "satisfaction", "conflict", "pw_x", "pw_y", "pw_xy", "pw_xx", "pw_yy")
"""Per-relationship running sums, kept per person from the day the relationship began."""

MET_FIELDS = (
    "self_worth",
    "self_reliance",
    "other_availability",
    "other_danger",
    "signalling",
    "activation_threshold",
    "suppression",
)
"""The state of each partner's working model when a couple formed, recorded per relationship
(a measure reads the partners' styles at meeting from it: :mod:`iwm.measure._relationships`)."""
_UNUSED_KINDS = 10
"""Width of the ledger's legacy per-kind counters, which the weekly market still touches."""


def _met_state(s: _Adults, people: NDArray[np.intp]) -> dict[str, F]:
    def mean(a: F, b: F) -> F:
        x, y = a[people], b[people]
        return (x / (x + y)).astype(DTYPE)

    return {
        "self_worth": mean(s.W_a, s.W_b),
        "self_reliance": s.self_reliance[people].copy(),
        "other_availability": mean(s.A_a, s.A_b),
        "other_danger": mean(s.D_a, s.D_b),
        "signalling": s.signalling[people].copy(),
        "activation_threshold": s.threshold[people].copy(),
        "suppression": s.suppression[people].copy(),
    }


@dataclasses.dataclass(kw_only=True, eq=False)
class _Ledger:
    """Running totals of a community's people, and one record per person per relationship.

    A record is written when a relationship ends (or the run ends): the person, the
    community, whether it ended, the relationship's running sums, and the state of both
    partners' working models when they met. Totals by pairing of styles are a read-out of
    these records (:mod:`iwm.measure._relationships`). ``rel_type`` and ``ended`` are kept only for
    the weekly market, which still writes to them; nothing reads them.
    """

    adults: _Adults
    first_person: int
    rel: dict[str, F]
    met: dict[str, F]
    rel_type: NDArray[np.int8]
    community: NDArray[np.intp]
    ended: F64
    single_days: F
    lonely: F
    breakups: NDArray[np.int32]
    records: list[dict[str, NDArray[Any]]]

    @classmethod
    def new(cls, s: _Adults, sizes: list[int], first_block: int) -> _Ledger:
        m = sum(sizes)
        return cls(
            adults=s,
            first_person=first_block * BLOCK,
            rel={k: np.zeros(m, DTYPE) for k in _PAIR_SUMS},
            met={k: np.zeros(m, DTYPE) for k in MET_FIELDS},
            rel_type=np.zeros(m, np.int8),
            community=np.repeat(np.arange(len(sizes)), sizes),
            ended=np.zeros((len(sizes), _UNUSED_KINDS)),
            single_days=np.zeros(m, DTYPE),
            lonely=np.zeros(m, DTYPE),
            breakups=np.zeros(m, np.int32),
            records=[],
        )

    def record_day(self, s: _Adults, today: Any, partner_bid_yesterday: F) -> None:
        rel, single = self.rel, 1 - s.paired
        rel["satisfaction"] += s.satisfaction
        rel["conflict"] += today.conflict
        # cross-lagged pursue-withdraw: the partner's bid yesterday, my withdrawal today (C15)
        x, y = partner_bid_yesterday, today.withdrawal
        rel["days"] += s.paired
        rel["pw_x"] += x
        rel["pw_y"] += y
        rel["pw_xy"] += x * y
        rel["pw_xx"] += x * x
        rel["pw_yy"] += y * y
        self.single_days += single
        self.lonely += today.loneliness * single

    def flush(self, people: NDArray[np.intp], ended: bool = True) -> None:
        """Record the relationships of ``people`` (who are still paired with their partners)."""
        partner = self.adults.partner[people]
        record: dict[str, NDArray[Any]] = {
            "person": (self.first_person + people).astype(np.int64),
            "community": (self.first_person // BLOCK + self.community[people]).astype(np.int64),
            "ended": np.full(people.shape[0], ended),
            **{k: self.rel[k][people].copy() for k in _PAIR_SUMS},
            **{f"own_{k}": v[people] for k, v in self.met.items()},
            **{f"partner_{k}": v[partner] for k, v in self.met.items()},
        }
        self.records.append(record)

    def reset(self, people: NDArray[np.intp], kinds: NDArray[np.int8]) -> None:
        """A relationship begins for ``people``: its sums start at 0, and the partners' models
        at meeting are kept (``kinds`` is unused)."""
        for k in _PAIR_SUMS:
            self.rel[k][people] = 0
        for k, v in _met_state(self.adults, people).items():
            self.met[k][people] = v

    def relationships(self) -> dict[str, NDArray[Any]]:
        """All records as columns, in the order they were written."""
        if not self.records:
            self.flush(np.zeros(0, np.intp))
        return {k: np.concatenate([r[k] for r in self.records]) for k in self.records[0]}


Community = tuple[int, int, int]
"""A community (its block number, its identity for randomness) and its people, ``lo:hi`` in
the group's columns."""


def market_generator(
    seed: int, stream: int, community: int, week: int, bits: np.random.Philox | None = None
) -> np.random.Generator:
    """The generator of one community's market in one week: a pure function of (seed, stream,
    community, week) (see :data:`SUB_MARKET`). ``bits``, if given, is a Philox bit generator set
    to that state and reused (a new one draws entropy from the system first, which it then
    discards: about 10 microseconds); generators made from it before are no longer valid."""
    start = _philox.counter(0, week, SUB_MARKET) + (community << 192)
    if bits is None:
        return np.random.Generator(np.random.Philox(key=_philox.key(seed, stream), counter=start))
    words = np.array([(start >> (64 * i)) & 0xFFFFFFFFFFFFFFFF for i in range(4)], dtype=np.uint64)
    bits.state = {
        "bit_generator": "Philox",
        "state": {"counter": words, "key": _philox.key(seed, stream)},
        "buffer": np.zeros(4, np.uint64),
        "buffer_pos": 4,  # an empty buffer: the next draw starts a block, as in a new generator
        "has_uint32": 0,
        "uinteger": 0,
    }
    return np.random.Generator(bits)


def relationships_week(
    s: _Adults,
    led: _Ledger,
    communities: list[Community],
    p: AdultParams,
    m: Mechanisms,
    *,
    seed: int,
    week: int,
    backend: str = "numpy",
) -> None:
    """Relationships deepen or end, then single people meet someone (once a week).

    Each partner decides for themselves whether to stay (the investment model, Rusbult 1983;
    :func:`iwm.model._partner_choice.leaving`), and a relationship ends when either leaves.
    The leave draw is person's (:data:`SUB_LEAVE`), the market's its community's
    (:func:`market_generator`). The ``"numba"`` backend judges all communities' candidates in one
    compiled pass (:func:`_markets_fused`), with the same bits."""
    if backend == "numba":
        leaves = _week_fused.leaves(
            s, p, seed=seed, stream=ADULT_STREAM, week=week, first_person=led.first_person, sub=SUB_LEAVE
        )
    else:
        gain = dependence(s)
        milestone = commit(s, gain, p)
        p_leave = leaving(s, gain, milestone, p)
        draw = _philox.uniforms(seed, ADULT_STREAM, week, led.first_person, s.n, k=1, sub=SUB_LEAVE)[0]
        leaves = (draw < p_leave) & (s.paired > 0)
    ending = leaves | leaves[s.partner]
    if ending.any():
        people = np.flatnonzero(ending)
        led.flush(people)
        np.add.at(led.ended, (led.community[people], led.rel_type[people]), 0.5)
        led.breakups[people] += 1
        s.distress[people] += p.breakup_distress
        _unpair(s, people)
    open_ = openness(s, p)
    if backend == "numba":
        _markets_fused(s, led, communities, open_, p, m, seed=seed, week=week)
        return
    for community, lo, hi in communities:
        g = market_generator(seed, ADULT_STREAM, community, week)
        _market(s, led, g, lo + np.flatnonzero(s.paired[lo:hi] == 0), open_, p, m)


def _market(
    s: _Adults, led: _Ledger, g: np.random.Generator, singles: NDArray[np.intp], open_: F, p: AdultParams, m: Mechanisms
) -> None:
    """Single people of one community meet one another at random, in pairs (C22)."""
    order = g.permutation(singles)
    half = order.shape[0] // 2
    a, b = order[:half], order[half : 2 * half]
    u = g.random((2, half), dtype=DTYPE)
    wants_b = u[0] < open_[a] * acceptance(attraction(a, b, s, p, m), p)
    wants_a = u[1] < open_[b] * acceptance(attraction(b, a, s, p, m), p)
    match = wants_a & wants_b
    _pair(s, led, a[match], b[match], s.other_availability())


def _pair(s: _Adults, led: _Ledger, a: NDArray[np.intp], b: NDArray[np.intp], general: F) -> None:
    """``a[i]`` and ``b[i]`` become partners; a new partner is first seen through the general
    model ``general`` (other-availability: transference)."""
    if a.shape[0] == 0:
        return
    s.partner[a], s.partner[b] = b, a
    both = np.concatenate([a, b])
    s.paired[both] = 1
    s.trust[both] = general[both]
    s.satisfaction[both] = s.trust[both] * s.importance[both]
    kinds = pairing_index(s.style[a], s.style[b])
    led.reset(both, np.concatenate([kinds, kinds]))


def _markets_fused(
    s: _Adults,
    led: _Ledger,
    communities: list[Community],
    open_: F,
    p: AdultParams,
    m: Mechanisms,
    *,
    seed: int,
    week: int,
) -> None:
    """All communities' markets of a week, as :func:`_market` runs them one by one: the same
    generator draws per community, the attraction of every pair judged in one compiled pass
    (:func:`iwm.model._week_fused.market_logits`; NumPy's float32 ``exp`` for the logistic),
    and the couples formed at once (communities share no one, and the general model of
    others, which a new partner is first seen through, does not change during the market)."""
    firsts, seconds, draws, seg = [], [], [], [0]
    bits = np.random.Philox(0)
    for community, lo, hi in communities:
        g = market_generator(seed, ADULT_STREAM, community, week, bits)
        order = g.permutation(lo + np.flatnonzero(s.paired[lo:hi] == 0))
        half = order.shape[0] // 2
        firsts.append(order[:half])
        seconds.append(order[half : 2 * half])
        draws.append(g.random((2, half), dtype=DTYPE))
        seg.append(seg[-1] + half)
    a, b = np.concatenate(firsts), np.concatenate(seconds)
    if a.shape[0] == 0:
        return
    u = np.concatenate(draws, axis=1)
    bounds, oa = np.asarray(seg, np.int64), s.other_availability()
    columns = (oa, s.importance, s.responsiveness, s.hyper)
    # u < open x acceptance needs u < open (acceptance is at most 1): only the pairs where both
    # sides' draws are below their openness are judged, and the others' answer is no, as in _market
    judged = np.flatnonzero((u[0] < open_[a]) & (u[1] < open_[b]))
    arg = _week_fused.market_logits(a, b, bounds, *columns, p, m.repetition_compulsion, judged)
    a, b, u = a[judged], b[judged], u[:, judged]
    wants_b = u[0] < open_[a] * (1 / (1 + np.exp(arg[0]))).astype(DTYPE)
    wants_a = u[1] < open_[b] * (1 / (1 + np.exp(arg[1]))).astype(DTYPE)
    match = wants_a & wants_b
    _pair(s, led, a[match], b[match], oa)


def _unpair(s: _Adults, people: NDArray[np.intp]) -> None:
    s.partner[people] = people
    s.paired[people] = 0
    s.commitment[people] = 0
    s.satisfaction[people] = 0
    s.distance[people] = 0
    s.absent[people] = 0
    s.partner_bid[people] = 0
    s.trust[people] = s.other_availability()[people]


Group = dict[str, Any]
"""What a group of communities' adult life leaves behind: per-person columns (named as the
fields of :class:`LifeRecord`, with ``end`` the population at the end), the relationship
records (``relationships``) and the population at each snapshot (``snapshots``)."""


def _merge(groups: list[Group]) -> dict[str, Any]:
    """All groups as one, in block order. Consumes ``groups``: each column's parts are let go
    as soon as they are joined, so merging needs about one column more memory, not twice the
    record (30 years of a million lives keep about 1.3 GB of relationship records)."""
    merged: dict[str, Any] = {}
    for name in list(groups[0]):
        parts = [g.pop(name) for g in groups]
        if name == "end":
            merged[name] = Population.concat(parts)
        elif name == "relationships":
            merged[name] = {k: np.concatenate([p.pop(k) for p in parts]) for k in list(parts[0])}
        elif name == "snapshots":
            merged[name] = tuple(Population.concat([p[i] for p in parts]) for i in range(len(parts[0])))
        else:
            merged[name] = np.concatenate(parts)
        del parts
    return merged


@dataclasses.dataclass(frozen=True, kw_only=True)
class _LifeSpec:
    seed: int
    weeks: int
    params: AdultParams
    mechanisms: Mechanisms
    therapy: Therapy | None = None
    events: LifeEventParams | None = None
    snapshots: tuple[int, ...] = ()
    prime: Prime | None = None
    backend: str = "numpy"


INNER_COMMUNITIES = 8
"""Communities simulated together in one set of columns. NumPy's per-call cost is then paid
once for 32768 people instead of 4096 (measured: about a third faster); communities never
interact, so this changes speed only."""


Flags = NDArray[np.bool_] | None


def _derive(s: _Adults, p: AdultParams, m: Mechanisms, backend: str) -> None:
    """:func:`iwm.model._adult.derive_strategy`, compiled for the ``"numba"`` backend (same bits)."""
    if backend == "numba":
        _week_fused.derive(s, p, m)
    else:
        derive_strategy(s, p, m)


def _days_of_week(
    spec: _LifeSpec, s: _Adults, led: _Ledger, primed: Flags, fused: _day_fused.Buffers | None, week: int, first: int
) -> None:
    """The seven days of ``week`` (persons ``first ..``): on the ``"numba"`` backend in one
    compiled call, each block through all seven days, unless a prime falls in the run (priming
    and its fading come between the days); else day by day."""
    p, prime = spec.params, spec.prime
    at = dict(seed=spec.seed, stream=ADULT_STREAM, sub=SUB_DAY, first_person=first)
    if fused is not None and prime is None:
        _day_fused.days(s, p, step=week * DAYS_PER_WEEK, days=DAYS_PER_WEEK, buf=fused, **at)
        return
    for d in range(DAYS_PER_WEEK):
        step = week * DAYS_PER_WEEK + d
        if prime is not None and primed is not None and step == prime.day:
            prime_people(s, primed, prime.params)
        if fused is not None:
            _day_fused.day(s, p, step=step, buf=fused, **at)
        else:
            yesterday = s.partner_bid
            led.record_day(s, day(s, daily_uniforms(spec.seed, ADULT_STREAM, step, first, s.n), p), yesterday)
        if prime is not None:
            fade(s, prime.params)


def _live_group(spec: _LifeSpec, pop: Population, clients: Flags, primed: Flags, first_block: int) -> Group:
    """Adult life of consecutive communities (blocks) starting at ``first_block``."""
    p, mech, therapy, events = spec.params, spec.mechanisms, spec.therapy, spec.events
    sizes = [min(BLOCK, pop.n - lo) for lo in range(0, pop.n, BLOCK)]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    communities = [(first_block + i, int(bounds[i]), int(bounds[i + 1])) for i in range(len(sizes))]
    first_person = first_block * BLOCK
    s = _Adults.of(pop)
    led = _Ledger.new(s, sizes, first_block)
    _derive(s, p, mech, spec.backend)
    in_therapy = np.flatnonzero(clients) if therapy is not None and clients is not None else None
    memory = _Memory.of(s) if in_therapy is not None else None
    hits = np.zeros(s.n, np.int32)
    fused = None
    if spec.backend == "numba":  # the day's ledger entry is fused into the compiled day
        fused = _day_fused.Buffers.new(
            list(bounds), record=(*(led.rel[k] for k in _PAIR_SUMS), led.single_days, led.lonely)
        )
    snapshots: list[Population | None] = [None] * len(spec.snapshots)
    for i in np.flatnonzero(np.asarray(spec.snapshots) == 0):
        snapshots[i] = s.population()
    for week in range(spec.weeks):
        relationships_week(s, led, communities, p, mech, seed=spec.seed, week=week, backend=spec.backend)
        _days_of_week(spec, s, led, primed, fused, week, first_person)
        if fused is not None:  # the same two steps, as one compiled pass
            _week_fused.revise(s, p)
        else:
            update_model(s, p)
            follow_state(s, p, DAYS_PER_WEEK)  # the week's momentary state moves the trait
        if events is not None:
            u = _philox.uniforms(spec.seed, ADULT_STREAM, week, first_person, s.n, k=N_EVENT_DRAWS, sub=SUB_EVENTS)
            hits += life_events(s, u, events, memory)
        if therapy is not None and in_therapy is not None and memory is not None and therapy.in_session(week):
            if week == therapy.start_week:  # the pattern the client brings in, which stress can bring back
                memory = _Memory.of(s)
                memory.treated[in_therapy] = True
            session(s, in_therapy, therapy.params, therapy.components)
        _derive(s, p, mech, spec.backend)
        for i in np.flatnonzero(np.asarray(spec.snapshots) == week + 1):
            snapshots[i] = s.population()
    led.flush(np.flatnonzero(s.paired > 0), ended=False)
    partner = np.where(s.paired > 0, s.partner + first_block * BLOCK, NO_PAIR).astype(np.int64)
    return {
        "end": s.population(),
        "partner": partner,
        "relationships": led.relationships(),
        "single_days": led.single_days,
        "lonely": led.lonely,
        "breakups": led.breakups,
        "commitment": s.commitment,
        "satisfaction": np.where(s.paired > 0, s.satisfaction, np.nan).astype(DTYPE),
        "events": hits,
        "snapshots": snapshots,
    }


def _run_blocks(spec: _LifeSpec, blocks: range, people: tuple[Population, Flags, Flags]) -> list[Group]:
    """The communities of ``blocks``; ``people`` holds exactly their people (who are clients,
    who are primed)."""
    pop, clients, primed = people
    out = []
    for first in range(blocks.start, blocks.stop, INNER_COMMUNITIES):
        last = min(first + INNER_COMMUNITIES, blocks.stop)
        part = slice((first - blocks.start) * BLOCK, (last - blocks.start) * BLOCK)
        flags = [None if f is None else f[part] for f in (clients, primed)]
        out.append(_live_group(spec, pop.take(part), flags[0], flags[1], first))
    return out


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class LifeRecord:
    """What :func:`live` returns: the population before and after, and a record of its
    relationships, all model state. Styles, dimensions and tables by pairing are read-outs
    of this record (:class:`iwm.AdultLife`, in :mod:`iwm.study._life`).

    Satisfaction (C31) is the running mean of how each day with the partner felt: the
    perceived response to shown need (or trust, on days without a bid), minus half the day's
    conflict, discounted by how much a partner matters (C14). It lies in about [-1, 1]: 0.8
    for a secure couple, below 0 where conflict outweighs care.
    """

    years: float
    """Years simulated (whole weeks: the requested years rounded to weeks)."""
    seed: int
    mechanisms: Mechanisms
    start: Population
    end: Population
    partner: NDArray[np.int64]
    """Index of each person's partner at the end, or -1 for single people."""
    relationships: dict[str, NDArray[Any]]
    """One record per person per relationship (columns): ``person``, ``community``,
    ``ended`` (False: still together at the end), the running sums of :data:`_PAIR_SUMS` and
    each partner's model when they met (``own_*``, ``partner_*`` over :data:`MET_FIELDS`).
    Records are in the order written within each group of communities."""
    single_days: F
    """Days each person spent single."""
    lonely: F
    """Each person's summed daily loneliness while single (unmet need, hidden or unanswered)."""
    breakups: NDArray[np.int32]
    """Relationships each person saw end."""
    commitment: F
    """Commitment to the partner at the end (0 for single people; C13)."""
    satisfaction: F
    """Satisfaction with the partner at the end (NaN for single people; C31)."""
    events: NDArray[np.int32]
    """Negative life events (losses, traumas, illnesses) each person lived through (with ``events=``)."""
    snapshot_years: tuple[float, ...]
    snapshots: tuple[Population, ...]
    """The population at each of ``snapshot_years``."""
    therapy: Therapy | None = None

    @property
    def n(self) -> int:
        return self.start.n


def live(
    population: Population,
    *,
    years: float,
    seed: int,
    params: AdultParams | None = None,
    mechanisms: Mechanisms | None = None,
    therapy: Therapy | None = None,
    events: LifeEventParams | None = None,
    snapshot_years: tuple[float, ...] = (),
    prime: Prime | None = None,
    chunk_size: int = 8 * BLOCK,
    workers: int = 1,
    progress: Progress | None = None,
    backend: str | None = None,
) -> LifeRecord:
    """Adult life for ``years``: the daily dyad and the weekly partner market (C6-C24, C31).

    ``therapy`` gives weekly sessions to its clients (C25-C29) while their lives go on;
    ``events`` adds negative life events and relapse (:mod:`iwm.model._life_events`); the state of
    everyone is recorded at each of ``snapshot_years`` (years from the start);
    ``prime`` reminds its people of a secure figure on its day (security priming,
    :mod:`iwm.model._priming`): a momentary state that fades within days.
    People meet partners inside their community (consecutive blocks of 4096 people), so
    ``chunk_size`` and ``workers`` change speed, never results; nor does ``backend``
    (:data:`BACKENDS`; None: numba where installed).
    """
    backend = check_backend(backend)
    years = check_value("years", years, 1 / WEEKS_PER_YEAR, MAX_YEARS)
    seed = check_seed(seed)
    chunk, workers = check_workers(chunk_size, workers)
    weeks = max(1, round(years * WEEKS_PER_YEAR))
    marks = []
    for at in snapshot_years:
        check_value("snapshot_years", at, 0, years)
        marks.append(round(at * WEEKS_PER_YEAR))
    if prime is not None and prime.people.shape[0] != population.n:
        raise ParameterError("prime.people", f"one flag per person ({population.n})", prime.people.shape[0])
    if therapy is not None and therapy.clients.shape[0] != population.n:
        raise ParameterError("therapy.clients", f"one flag per person ({population.n})", therapy.clients.shape[0])
    spec = _LifeSpec(
        seed=seed,
        weeks=weeks,
        params=params or AdultParams(),
        mechanisms=mechanisms or Mechanisms(),
        therapy=therapy,
        events=events,
        snapshots=tuple(marks),
        prime=prime,
        backend=backend,
    )

    def people(blocks: range) -> tuple[Population, Flags, Flags]:
        part = slice(blocks.start * BLOCK, blocks.stop * BLOCK)
        clients = None if therapy is None else therapy.clients[part]
        return population.take(part), clients, None if prime is None else prime.people[part]

    parts = map_blocks(
        functools.partial(_run_blocks, spec),
        population.n,
        chunk_size=chunk,
        workers=workers,
        progress=progress,
        data=people,
    )
    groups = [g for part in parts for g in part]
    del parts  # the groups own the results now; merging lets them go column by column
    return LifeRecord(
        years=weeks / WEEKS_PER_YEAR,  # what was simulated: whole weeks
        seed=seed,
        mechanisms=spec.mechanisms,
        start=population,
        snapshot_years=tuple(snapshot_years),
        therapy=therapy,
        **_merge(groups),
    )


TRACE_FIELDS = (
    "stressor",
    "felt",
    "expressed",
    "bid",
    "approached",
    "approach_drive",
    "fear_drive",
    "withdrawal",
    "closeness",
    "distance",
    "response_given",
    "response",
    "perceived",
    "distress",
    "conflict",
    "trust",
    "satisfaction",
    "self_worth",
    "other_availability",
    "other_danger",
    "self_reliance",
    "signalling",
    "activation_threshold",
    "suppression",
    "felt_self_worth",
    "felt_availability",
    "felt_suppression",
)
"""Fields of :func:`simulate_couples`' trace: the day's behaviour and the model's state."""
STRATEGY_TRACE = ("self_reliance", "signalling", "activation_threshold", "suppression")
"""The learned strategy in the trace (what a measure needs to read the dimensions)."""
MOMENTARY_TRACE = ("felt_self_worth", "felt_availability", "felt_suppression")
"""Self-worth, availability and deactivation as they are felt that day, the chronic model with
its momentary state (:mod:`iwm.model._momentary`): what a questionnaire answered that day reads."""


def simulate_couples(
    a: Population,
    b: Population,
    *,
    days: int,
    seed: int,
    params: AdultParams | None = None,
    mechanisms: Mechanisms | None = None,
    prime: Prime | None = None,
    backend: str | None = None,
) -> dict[str, NDArray[Any]]:
    """Fixed couples (``a[i]`` with ``b[i]``) day by day, with every day recorded.

    ``prime`` (flags over the a's then the b's, length ``2 * a.n``) reminds those people of a
    secure figure on its day (:mod:`iwm.model._priming`).

    Returns arrays of shape (days, 2, couples) per field of :data:`TRACE_FIELDS` (axis 1:
    partner a, partner b). Beliefs and strategy are revised weekly, as in :func:`live`.
    Person ``i`` of ``a`` draws as person ``i``, person ``i`` of ``b`` as person ``a.n + i``
    (:data:`SUB_DAY` of :data:`COUPLES_STREAM`, step = day); ``backend`` as in :func:`live`.
    """
    backend = check_backend(backend)
    if a.n != b.n:
        raise ValueError(f"the two partner populations differ in size: {a.n} and {b.n}")
    days = int(check_value("days", days, 1, 365 * 50, integer=True))
    seed = check_seed(seed)
    p, mech = params or AdultParams(), mechanisms or Mechanisms()
    k = a.n
    s = _Adults.of(Population.concat([a, b]))
    s.partner = np.concatenate([np.arange(k, 2 * k), np.arange(k)]).astype(np.intp)
    s.paired[:] = 1
    derive_strategy(s, p, mech)
    s.satisfaction = (s.trust * s.importance).astype(DTYPE)
    fused = _day_fused.Buffers.new([0, 2 * k]) if backend == "numba" else None
    trace = {f: np.empty((days, 2 * k), dtype=bool if f == "approached" else DTYPE) for f in TRACE_FIELDS}
    if prime is not None and prime.people.shape[0] != 2 * k:
        raise ParameterError("prime.people", f"one flag per person of a, then of b ({2 * k})", prime.people.shape[0])
    for t in range(days):
        if prime is not None and t == prime.day:
            prime_people(s, prime.people, prime.params)
        if fused is not None:
            today = _day_fused.day(
                s, p, seed=seed, stream=COUPLES_STREAM, step=t, sub=SUB_DAY, first_person=0, buf=fused
            )
        else:
            today = day(s, daily_uniforms(seed, COUPLES_STREAM, t, 0, 2 * k), p)
        if prime is not None:
            fade(s, prime.params)
        row = {
            **{f: getattr(today, f) for f in TRACE_FIELDS if hasattr(today, f)},
            "trust": s.trust,
            "satisfaction": s.satisfaction,
            "self_worth": s.W_a / (s.W_a + s.W_b),
            "other_availability": s.other_availability(),
            "other_danger": s.other_danger(),
            "self_reliance": s.self_reliance,
            "signalling": s.signalling,
            "activation_threshold": s.threshold,
            "suppression": s.suppression,
            "felt_self_worth": momentary_self_worth(s),
            "felt_availability": momentary_availability(s),
            "felt_suppression": momentary_suppression(s),
        }
        for f in TRACE_FIELDS:
            trace[f][t] = row[f]
        if (t + 1) % DAYS_PER_WEEK == 0 and fused is not None:
            _week_fused.revise(s, p)
            _week_fused.derive(s, p, mech)
        elif (t + 1) % DAYS_PER_WEEK == 0:
            update_model(s, p)
            follow_state(s, p, DAYS_PER_WEEK)
            derive_strategy(s, p, mech)
    return {f: v.reshape(days, 2, k) for f, v in trace.items()}


def pursue_withdraw_index(bid: NDArray[np.floating], withdrawal: NDArray[np.floating]) -> float | None:
    """Cross-lagged correlation of one partner's bid on day t with the other's withdrawal on
    day t+1 (C10, C15), over the leading (day) axis; pooled over any further axes."""
    x = np.asarray(bid, np.float64)[:-1].ravel()
    y = np.asarray(withdrawal, np.float64)[1:].ravel()
    if x.size < 3 or x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])
