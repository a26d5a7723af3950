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
from iwm.measure._readout import (
    ADULT_CATEGORIES,
    ADULT_READOUT,
    SECURE_ADULT,
    AdultReadout,
    adult_category,
    anxiety,
    avoidance,
)
from iwm.measure._stats import correlation_or_none
from iwm.model._adult import (
    DAYS_PER_WEEK,
    N_DAILY,
    NO_PAIR,
    PAIRINGS,
    WEEKS_PER_YEAR,
    AdultParams,
    Mechanisms,
    _Adults,
    derive_strategy,
    pairing_index,
    update_model,
)
from iwm.model._blocks import Progress, check_workers, map_blocks
from iwm.model._day import day
from iwm.model._life_events import LifeEventParams, _Memory, life_events
from iwm.model._params import check_value
from iwm.model._partner_choice import acceptance, attraction, commit, dependence, leaving, openness
from iwm.model._population import DTYPE, Population
from iwm.model._priming import Prime, fade
from iwm.model._priming import prime as prime_people
from iwm.model._rng import BLOCK, block_generator, check_seed
from iwm.model._therapy import Therapy, session

F = NDArray[np.float32]
F64 = NDArray[np.float64]

ADULT_STREAM = 2
"""Random stream of adult life (0 and 1 are the two generations of formation)."""
COUPLES_STREAM = 3
"""Random stream of :func:`simulate_couples`."""
MAX_YEARS = 80

_PAIR_SUMS = ("days", "satisfaction", "conflict", "pw_x", "pw_y", "pw_xy", "pw_xx", "pw_yy")
"""Per-relationship running sums, kept per person from the day the relationship began."""


@dataclasses.dataclass(kw_only=True, eq=False)
class _Ledger:
    """Running totals of a community: per relationship (per person) and per pairing type."""

    rel: dict[str, F]
    rel_type: NDArray[np.int8]
    community: NDArray[np.intp]
    totals: dict[str, F64]
    started: F64
    ended: F64
    single_days: F
    lonely: F
    breakups: NDArray[np.int32]

    @classmethod
    def new(cls, sizes: list[int]) -> _Ledger:
        """Totals are kept per community, so they never depend on how communities are grouped."""
        m, k = sum(sizes), len(sizes)
        return cls(
            rel={k: np.zeros(m, DTYPE) for k in _PAIR_SUMS},
            rel_type=np.zeros(m, np.int8),
            community=np.repeat(np.arange(k), sizes),
            totals={name: np.zeros((k, len(PAIRINGS))) for name in _PAIR_SUMS},
            started=np.zeros((k, len(PAIRINGS))),
            ended=np.zeros((k, len(PAIRINGS))),
            single_days=np.zeros(m, DTYPE),
            lonely=np.zeros(m, DTYPE),
            breakups=np.zeros(m, np.int32),
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

    def flush(self, people: NDArray[np.intp]) -> None:
        """Add the relationships of ``people`` to their pairing type's totals (both partners)."""
        at = (self.community[people], self.rel_type[people])
        for k in _PAIR_SUMS:
            np.add.at(self.totals[k], at, self.rel[k][people].astype(np.float64))

    def reset(self, people: NDArray[np.intp], kinds: NDArray[np.int8]) -> None:
        for k in _PAIR_SUMS:
            self.rel[k][people] = 0
        self.rel_type[people] = kinds
        np.add.at(self.started, (self.community[people], kinds), 0.5)


Community = tuple[np.random.Generator, int, int]
"""A community's random-number generator and its people, ``lo:hi`` in the group's columns."""


def relationships_week(s: _Adults, led: _Ledger, communities: list[Community], p: AdultParams, m: Mechanisms) -> None:
    """Relationships deepen or end, then single people meet someone (once a week).

    Each partner decides for themselves whether to stay (the investment model, Rusbult 1983;
    :func:`iwm.model._partner_choice.leaving`), and a relationship ends when either leaves."""
    gain = dependence(s)
    milestone = commit(s, gain, p)
    p_leave = leaving(s, gain, milestone, p)
    draw = np.concatenate([g.random(hi - lo, dtype=DTYPE) for g, lo, hi in communities])
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
    for g, lo, hi in communities:
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
    a, b = a[match], b[match]
    if a.shape[0] == 0:
        return
    s.partner[a], s.partner[b] = b, a
    both = np.concatenate([a, b])
    s.paired[both] = 1
    # a new partner is first seen through the general model (transference)
    s.trust[both] = s.other_availability()[both]
    s.satisfaction[both] = s.trust[both] * s.importance[both]
    kinds = pairing_index(s.style[a], s.style[b])
    led.reset(both, np.concatenate([kinds, kinds]))


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
fields of :class:`AdultLife`, with ``end`` the population at the end) and per-community totals
(``totals``, ``started``, ``ended``)."""


def _merge(groups: list[Group]) -> dict[str, Any]:
    """All groups as one: per-person columns joined in block order, per-community totals
    summed (in block order, so the sums never depend on how communities were grouped)."""
    merged: dict[str, Any] = {}
    for name in groups[0]:
        parts = [g[name] for g in groups]
        if name == "end":
            merged[name] = Population.concat(parts)
        elif name == "totals":
            merged[name] = {k: np.concatenate([p[k] for p in parts]).sum(axis=0) for k in _PAIR_SUMS}
        elif name in ("started", "ended"):
            merged[name] = np.concatenate(parts).sum(axis=0)
        elif name == "snapshots":  # (snapshots, 2, people)
            merged[name] = np.concatenate(parts, axis=2)
        else:
            merged[name] = np.concatenate(parts)
    return merged


@dataclasses.dataclass(frozen=True, kw_only=True)
class _LifeSpec:
    seed: int
    weeks: int
    params: AdultParams
    mechanisms: Mechanisms
    readout: AdultReadout
    therapy: Therapy | None = None
    events: LifeEventParams | None = None
    snapshots: tuple[int, ...] = ()
    prime: Prime | None = None


class _Draws:
    """A day's uniform draws for one community, cheaply: NumPy draws float64 uniforms at
    about twice the rate of float32 ones, and each float64 carries 53 random bits, so three
    draws per person give five float32 uniforms (the fractional part of 4096 u is uniform
    on 41 bits of its own, independent of the leading 12 bits for all practical purposes)."""

    def __init__(self) -> None:
        self.raw = np.empty((3, BLOCK))
        self.frac = np.empty((2, BLOCK))

    def fill(self, g: np.random.Generator, out: F) -> None:
        size = out.shape[1]
        raw, frac = self.raw[:, :size], self.frac[:, :size]
        g.random(out=self.raw)
        out[:3] = raw
        np.multiply(raw[:2], 4096.0, out=frac)
        np.subtract(frac, np.floor(frac), out=frac)
        out[3:5] = frac


INNER_COMMUNITIES = 8
"""Communities simulated together in one set of columns. NumPy's per-call cost is then paid
once for 32768 people instead of 4096 (measured: about a third faster); communities never
interact, so this changes speed only."""


Flags = NDArray[np.bool_] | None


def _live_group(spec: _LifeSpec, pop: Population, clients: Flags, primed: Flags, first_block: int) -> Group:
    """Adult life of consecutive communities (blocks) starting at ``first_block``."""
    p, mech, therapy, events = spec.params, spec.mechanisms, spec.therapy, spec.events
    sizes = [min(BLOCK, pop.n - lo) for lo in range(0, pop.n, BLOCK)]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    communities = [
        (block_generator(spec.seed, ADULT_STREAM, first_block + i), int(bounds[i]), int(bounds[i + 1]))
        for i in range(len(sizes))
    ]
    s = _Adults.of(pop)
    led = _Ledger.new(sizes)
    derive_strategy(s, p, mech, spec.readout)
    style_start = s.style.copy()
    buf = np.empty((N_DAILY, s.n), dtype=DTYPE)
    draws = _Draws()
    in_therapy = np.flatnonzero(clients) if therapy is not None and clients is not None else None
    memory = _Memory.of(s) if in_therapy is not None else None
    hits = np.zeros(s.n, np.int32)
    snapshots = np.empty((len(spec.snapshots), 2, s.n), dtype=DTYPE)
    for i in np.flatnonzero(np.asarray(spec.snapshots) == 0):
        snapshots[i] = s.dimensions(spec.readout)
    for week in range(spec.weeks):
        relationships_week(s, led, communities, p, mech)
        for d in range(DAYS_PER_WEEK):
            if spec.prime is not None and primed is not None and week * DAYS_PER_WEEK + d == spec.prime.day:
                prime_people(s, primed, spec.prime.params)
            for g, lo, hi in communities:
                draws.fill(g, buf[:, lo:hi])
            yesterday = s.partner_bid
            led.record_day(s, day(s, buf, p), yesterday)
            if spec.prime is not None:
                fade(s, spec.prime.params)
        update_model(s, p)
        if events is not None:
            u = np.concatenate([g.random((2, hi - lo), dtype=DTYPE) for g, lo, hi in communities], axis=1)
            hits += life_events(s, u, events, memory)
        if therapy is not None and in_therapy is not None and memory is not None and therapy.in_session(week):
            if week == therapy.start_week:  # the pattern the client brings in, which stress can bring back
                memory = _Memory.of(s)
                memory.treated[in_therapy] = True
            session(s, in_therapy, therapy.params, therapy.components)
        derive_strategy(s, p, mech, spec.readout)
        for i in np.flatnonzero(np.asarray(spec.snapshots) == week + 1):
            snapshots[i] = s.dimensions(spec.readout)
    led.flush(np.flatnonzero(s.paired > 0))
    partner = np.where(s.paired > 0, s.partner + first_block * BLOCK, NO_PAIR).astype(np.int64)
    return {
        "end": s.population(),
        "style_start": style_start,
        "partner": partner,
        "pairing": np.where(s.paired > 0, led.rel_type, -1).astype(np.int8),
        "totals": led.totals,
        "started": led.started,
        "ended": led.ended,
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
class AdultLife:
    """The result of :func:`live`: the population before and after, and its relationships.

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
    style_start: NDArray[np.int8]
    partner: NDArray[np.int64]
    """Index of each person's partner at the end, or -1 for single people."""
    pairing: NDArray[np.int8]
    """Index into :data:`PAIRINGS` of each partnered person's couple (styles when it formed)."""
    totals: dict[str, F64]
    started: F64
    ended: F64
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
    """Negative life events each person lived through (with ``events=``)."""
    snapshot_years: tuple[float, ...]
    snapshots: F
    """Anxiety and avoidance at each of ``snapshot_years``: shape (snapshots, 2, n)."""
    therapy: Therapy | None = None
    readout: AdultReadout = ADULT_READOUT

    @property
    def n(self) -> int:
        return self.start.n

    @property
    def style_end(self) -> NDArray[np.int8]:
        return adult_category(self.end, self.readout)

    def pairings(self) -> list[dict[str, Any]]:
        """Couples at the end by pairing (styles when they met): observed and random-expected.

        Expected counts assume the partnered people, with their styles, paired at random.
        """
        couples = self.pairing[(self.partner >= 0) & (np.arange(self.n) < self.partner)]
        observed = np.bincount(couples, minlength=len(PAIRINGS)).astype(float)
        k = len(ADULT_CATEGORIES)
        # each couple's two styles recovered from the pairing index
        style_pairs = [(a, b) for a in range(k) for b in range(a, k)]
        people = np.zeros(k)
        for idx, (a, b) in enumerate(style_pairs):
            people[a] += observed[idx]
            people[b] += observed[idx]
        total = observed.sum()
        share = people / max(people.sum(), 1)
        rows = []
        for idx, (a, b) in enumerate(style_pairs):
            expected = total * share[a] * share[b] * (1 if a == b else 2)
            rows.append({"pairing": PAIRINGS[idx], "observed": int(observed[idx]), "expected": float(expected)})
        return rows

    def by_pairing(self) -> list[dict[str, Any]]:
        """Per pairing type (styles when the couple met), over every couple-day of the run."""
        t = self.totals
        rows = []
        for idx, name in enumerate(PAIRINGS):
            days = t["days"][idx]
            couple_years = days / 2 / (DAYS_PER_WEEK * WEEKS_PER_YEAR)
            rows.append(
                {
                    "pairing": name,
                    "couples": float(self.started[idx]),
                    "couple_years": float(couple_years),
                    "satisfaction": _ratio(t["satisfaction"][idx], days),
                    "conflict": _ratio(t["conflict"][idx], days),
                    "breakups_per_year": _ratio(self.ended[idx], couple_years),
                    "pursue_withdraw": _pooled_r(t, idx),
                }
            )
        return rows

    def singles(self) -> list[dict[str, Any]]:
        """Loneliness (mean daily unmet need while single) by style at the start."""
        rows = []
        for code, name in enumerate(ADULT_CATEGORIES):
            mine = self.style_start == code
            days = float(self.single_days[mine].sum(dtype=np.float64))
            rows.append(
                {
                    "style": name,
                    "people": int(mine.sum()),
                    "share_single_at_end": _ratio(float((self.partner[mine] < 0).sum()), float(mine.sum())),
                    "single_years": days / (DAYS_PER_WEEK * WEEKS_PER_YEAR),
                    "loneliness": _ratio(float(self.lonely[mine].sum(dtype=np.float64)), days),
                }
            )
        return rows

    def stability(self) -> dict[str, float | None]:
        """Stability of the working models: start-end correlation of each dimension, mean
        absolute change of each, the share of the insecure at the start who are secure at the
        end, and the mean change of anxiety among the preoccupied and of avoidance among the
        dismissing at the start (negative: revised toward security)."""
        insecure = self.style_start != SECURE_ADULT
        anx0, anx1, avo0, avo1 = anxiety(self.start), anxiety(self.end), avoidance(self.start), avoidance(self.end)
        return {
            "anxiety_r": correlation_or_none(anx0, anx1),
            "avoidance_r": correlation_or_none(avo0, avo1),
            "anxiety_change": float(np.mean(np.abs(anx1 - anx0), dtype=np.float64)),
            "avoidance_change": float(np.mean(np.abs(avo1 - avo0), dtype=np.float64)),
            "insecure_to_secure": _ratio(float((self.style_end[insecure] == SECURE_ADULT).sum()), insecure.sum()),
            "anxious_anxiety_change": _mean_where(anx1 - anx0, self.style_start == _PREOCCUPIED),
            "avoidant_avoidance_change": _mean_where(avo1 - avo0, self.style_start == _DISMISSING),
        }

    def summary(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "years": self.years,
            "seed": self.seed,
            "mechanisms_off": list(self.mechanisms.switched_off()),
            "pairings": self.pairings(),
            "by_pairing": self.by_pairing(),
            "singles": self.singles(),
            "stability": self.stability(),
        }


_PREOCCUPIED = ADULT_CATEGORIES.index("preoccupied")
_DISMISSING = ADULT_CATEGORIES.index("dismissing")


def _mean_where(x: NDArray[np.floating], mask: NDArray[np.bool_]) -> float | None:
    return float(np.mean(x[mask], dtype=np.float64)) if mask.any() else None


def _ratio(num: float, den: float) -> float | None:
    return float(num) / float(den) if den > 0 else None


def _pooled_r(t: dict[str, F64], idx: int) -> float | None:
    n = t["days"][idx]
    if n < 3:
        return None
    mx, my = t["pw_x"][idx] / n, t["pw_y"][idx] / n
    vx = t["pw_xx"][idx] / n - mx * mx
    vy = t["pw_yy"][idx] / n - my * my
    if vx <= 0 or vy <= 0:
        return None
    return float((t["pw_xy"][idx] / n - mx * my) / np.sqrt(vx * vy))


def live(
    population: Population,
    *,
    years: float,
    seed: int,
    params: AdultParams | None = None,
    mechanisms: Mechanisms | None = None,
    readout: AdultReadout | None = None,
    therapy: Therapy | None = None,
    events: LifeEventParams | None = None,
    snapshot_years: tuple[float, ...] = (),
    prime: Prime | None = None,
    chunk_size: int = 8 * BLOCK,
    workers: int = 1,
    progress: Progress | None = None,
) -> AdultLife:
    """Adult life for ``years``: the daily dyad and the weekly partner market (C6-C24, C31).

    ``therapy`` gives weekly sessions to its clients (C25-C29) while their lives go on;
    ``events`` adds negative life events and relapse (:mod:`iwm.model._life_events`); the anxiety and
    avoidance of everyone are recorded at each of ``snapshot_years`` (years from the start);
    ``prime`` reminds its people of a secure figure on its day (security priming,
    :mod:`iwm.model._priming`): a momentary state that fades within days.
    People meet partners inside their community (consecutive blocks of 4096 people), so
    ``chunk_size`` and ``workers`` change speed, never results.
    """
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
        readout=readout or ADULT_READOUT,
        therapy=therapy,
        events=events,
        snapshots=tuple(marks),
        prime=prime,
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
    return AdultLife(
        years=weeks / WEEKS_PER_YEAR,  # what was simulated: whole weeks
        seed=seed,
        mechanisms=spec.mechanisms,
        start=population,
        snapshot_years=tuple(snapshot_years),
        therapy=therapy,
        readout=spec.readout,
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
    "anxiety",
    "avoidance",
)


def simulate_couples(
    a: Population,
    b: Population,
    *,
    days: int,
    seed: int,
    params: AdultParams | None = None,
    mechanisms: Mechanisms | None = None,
    readout: AdultReadout | None = None,
    prime: Prime | None = None,
) -> dict[str, NDArray[Any]]:
    """Fixed couples (``a[i]`` with ``b[i]``) day by day, with every day recorded.

    ``prime`` (flags over the a's then the b's, length ``2 * a.n``) reminds those people of a
    secure figure on its day (:mod:`iwm.model._priming`).

    Returns arrays of shape (days, 2, couples) per field of :data:`TRACE_FIELDS` (axis 1:
    partner a, partner b). Beliefs and dimensions are revised weekly, as in :func:`live`.
    """
    if a.n != b.n:
        raise ValueError(f"the two partner populations differ in size: {a.n} and {b.n}")
    days = int(check_value("days", days, 1, 365 * 50, integer=True))
    seed = check_seed(seed)
    p, mech, r = params or AdultParams(), mechanisms or Mechanisms(), readout or ADULT_READOUT
    k = a.n
    s = _Adults.of(Population.concat([a, b]))
    s.partner = np.concatenate([np.arange(k, 2 * k), np.arange(k)]).astype(np.intp)
    s.paired[:] = 1
    derive_strategy(s, p, mech, r)
    s.satisfaction = (s.trust * s.importance).astype(DTYPE)
    g = block_generator(seed, COUPLES_STREAM, 0)
    buf = np.empty((N_DAILY, 2 * k), dtype=DTYPE)
    trace = {f: np.empty((days, 2 * k), dtype=bool if f == "approached" else DTYPE) for f in TRACE_FIELDS}
    if prime is not None and prime.people.shape[0] != 2 * k:
        raise ParameterError("prime.people", f"one flag per person of a, then of b ({2 * k})", prime.people.shape[0])
    for t in range(days):
        if prime is not None and t == prime.day:
            prime_people(s, prime.people, prime.params)
        g.random(out=buf, dtype=DTYPE)
        today = day(s, buf, p)
        if prime is not None:
            fade(s, prime.params)
        anx, avo = s.dimensions(r)
        row = {
            **{f: getattr(today, f) for f in TRACE_FIELDS if hasattr(today, f)},
            "trust": s.trust,
            "satisfaction": s.satisfaction,
            "self_worth": s.W_a / (s.W_a + s.W_b),
            "other_availability": s.other_availability(),
            "other_danger": s.other_danger(),
            "anxiety": anx,
            "avoidance": avo,
        }
        for f in TRACE_FIELDS:
            trace[f][t] = row[f]
        if (t + 1) % DAYS_PER_WEEK == 0:
            update_model(s, p)
            derive_strategy(s, p, mech, r)
    return {f: v.reshape(days, 2, k) for f, v in trace.items()}


def pursue_withdraw_index(bid: NDArray[np.floating], withdrawal: NDArray[np.floating]) -> float | None:
    """Cross-lagged correlation of one partner's bid on day t with the other's withdrawal on
    day t+1 (C10, C15), over the leading (day) axis; pooled over any further axes."""
    x = np.asarray(bid, np.float64)[:-1].ravel()
    y = np.asarray(withdrawal, np.float64)[1:].ravel()
    if x.size < 3 or x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])
