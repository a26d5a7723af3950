"""One task of a study: formation, adult life and a therapy arm, as tables.

:func:`run_task` is a pure function of the scenario and the task (arm, replicate, seed): it
forms the population, lives the adult years with the arm's treatment, and returns what the
scenario's recorders ask for as Arrow tables. It does no I/O; :mod:`iwm.study._store` writes the
tables, and any executor may run it, anywhere, with the same result.

Tables (every row carries ``task``, ``point``, ``arm`` and ``replicate``):

``summary``
    one row per task: infant classes, adult categories at 18 and at the end, AAI classes,
    stability, couples, life events, and the therapy clients' outcomes.
``people``
    one row per person: style and dimensions at 18 and at the end, partner, client, events.
``trajectories``
    anxiety and avoidance of a fixed sample of people at 18 and every ``every_years`` after.
``pairings``
    couples by pairing (styles when they met): observed and random-expected counts,
    satisfaction, conflict, breakups and the pursue-withdraw index (C15, C22, C31).
``couples``
    fixed couples of typical people, day by day (every field of :data:`iwm.TRACE_FIELDS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from iwm.measure._people import person, style_name
from iwm.measure._readout import (
    AAI_CATEGORIES,
    ADULT_CATEGORIES,
    INFANT_CLASSES,
    SECURE_ADULT,
    AdultReadout,
    InfantReadout,
    anxiety,
    avoidance,
    categorize,
    organized_category,
    unresolved,
)
from iwm.model._adult import AdultParams, Mechanisms
from iwm.model._caregiving import TransmissionParams
from iwm.model._formation import FormationParams
from iwm.model._life import WEEKS_PER_YEAR
from iwm.model._life_events import LifeEventParams
from iwm.model._population import Population
from iwm.model._priming import Prime, PrimeParams
from iwm.model._therapy import Components, Therapy, TherapyParams
from iwm.study._couples import dyad
from iwm.study._life import AdultLife, live
from iwm.study._mixes import develop
from iwm.study._scenario import ClientsSection, PrimeSection, Scenario, TaskSpec, TherapySection, build

TABLES = ("summary", "people", "trajectories", "pairings", "couples")

CLIENT_OUTCOMES = (
    "clients_anxiety_d",
    "clients_avoidance_d",
    "clients_anxiety_d_end",
    "clients_avoidance_d_end",
    "clients_secure_post",
    "clients_secure_end",
    "clients_relapse",
    "clients_anxiety_change_end",
    "clients_avoidance_change_end",
)
"""Summary columns of a therapy arm's clients (null in arms without therapy)."""

OUTCOMES = (
    *(f"infant_{k}" for k in INFANT_CLASSES),
    *(f"at18_{k}" for k in ADULT_CATEGORIES),
    "anxiety_mean_18",
    "avoidance_mean_18",
    "years",
    *(f"end_{k}" for k in ADULT_CATEGORIES),
    *(f"aai_{k}" for k in AAI_CATEGORIES),
    "unresolved",
    "anxiety_mean_end",
    "avoidance_mean_end",
    "anxiety_r",
    "avoidance_r",
    "anxiety_change",
    "avoidance_change",
    "insecure_to_secure",
    "anxious_anxiety_change",
    "avoidant_avoidance_change",
    "partnered_end",
    "satisfaction_mean",
    "breakups_per_person",
    "events_per_person",
    "pursue_withdraw_anxious_avoidant",
    "pursue_withdraw_secure",
    "therapy_weeks",
    "clients",
    *CLIENT_OUTCOMES,
)
"""The numeric summary columns a task with adult years reports (what a sweep can analyse)."""

Progress = Callable[[int, int], None]


def select_clients(style18: NDArray[np.int8], clients: ClientsSection) -> NDArray[np.bool_]:
    """Clients of a therapy arm: people of the given styles at 18, every k-th of them for ``share``
    (a fixed, unselected subset, the same in every arm of a replicate)."""
    codes = [ADULT_CATEGORIES.index(style_name(s)) for s in clients.styles]
    eligible = np.flatnonzero(np.isin(style18, codes))
    chosen = np.zeros(style18.shape[0], bool)
    if eligible.size:
        chosen[eligible[:: max(1, round(1 / clients.share))]] = True
    return chosen


def run_task(
    scenario: Scenario,
    task: TaskSpec,
    *,
    extra: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, pa.Table]:
    """Run one task of ``scenario`` and return its tables (see the module docstring).

    ``extra`` adds columns to the summary row (a sweep's parameter values); ``progress(done,
    total)`` follows formation and then adult life as one fraction of the task.
    """
    sc, arm = scenario, scenario.arms[task.arm]
    stages = 2 if sc.adult is not None and sc.adult.years > 0 else 1

    def stage(k: int) -> Progress | None:
        """Progress of formation (stage 0) and adult life (stage 1) as one fraction of the task."""
        if progress is None:
            return None
        report = progress
        return lambda done, total: report(k * total + done, stages * total)

    ids = {"task": task.index, "point": task.point, "arm": arm.name, "replicate": task.replicate}
    which, mix = sc.population.mix_source()
    formed = develop(
        **{which: mix},
        n=sc.population.n,
        seed=task.seed,
        formation=build(FormationParams, sc.population.formation),
        infant_readout=build(InfantReadout, sc.population.infant_readout),
        transmission=build(TransmissionParams, sc.population.transmission),
        chunk_size=sc.execution.chunk_size,
        backend=sc.execution.backend,
        progress=stage(0),
    )
    pop = formed.population
    adult = sc.adult
    readout = build(AdultReadout, adult.readout) if adult is not None else AdultReadout()
    anx18, avo18 = anxiety(pop, readout), avoidance(pop, readout)
    style18 = categorize(anx18, avo18)
    summary: dict[str, Any] = {**ids, "seed": task.seed, **(extra or {}), "n": pop.n}
    summary.update({f"infant_{k}": v for k, v in formed.infant_shares().items()})
    summary.update(_shares("at18", style18))
    summary.update(anxiety_mean_18=_mean(anx18), avoidance_mean_18=_mean(avo18))
    tables: dict[str, pa.Table] = {}

    life = None
    clients = np.zeros(pop.n, bool)
    therapy = arm.therapy
    marks: list[float] = []
    if adult is not None and adult.years > 0:
        marks = _trajectory_marks(sc, adult.years)
        pre = post = None
        if therapy is not None:
            clients = select_clients(style18, therapy.clients)
            pre = therapy.start_year
            post = min(adult.years, therapy.start_year + therapy.weeks / WEEKS_PER_YEAR)
        snapshot_years = tuple(sorted({*marks, *(x for x in (pre, post) if x)}))
        life = live(
            pop,
            years=adult.years,
            seed=task.seed,
            params=build(AdultParams, adult.params),
            mechanisms=build(Mechanisms, adult.mechanisms),
            readout=readout,
            therapy=_therapy(therapy, clients) if therapy is not None else None,
            prime=_prime(arm.prime, style18) if arm.prime is not None else None,
            events=build(LifeEventParams, adult.events) if adult.events is not None else None,
            snapshot_years=snapshot_years,
            chunk_size=sc.execution.chunk_size,
            backend=sc.execution.backend,
            progress=stage(1),
        )
        summary.update(_adult_summary(life, readout, style18))
        summary.update(_therapy_summary(life, therapy, clients, (anx18, avo18), (pre, post), snapshot_years))
        if sc.recorders.pairings:
            tables["pairings"] = _pairings(life, ids)
        for i, couple in enumerate(sc.recorders.couples):
            frame = dyad(
                person(couple.a if isinstance(couple.a, str) else tuple(couple.a)),
                person(couple.b if isinstance(couple.b, str) else tuple(couple.b)),
                days=couple.days,
                seed=task.seed,
                params=build(AdultParams, adult.params),
                mechanisms=build(Mechanisms, adult.mechanisms),
            )
            frame.insert(0, "couple", couple.label())
            frame.insert(0, "couple_index", i)
            tables["couples"] = _concat(tables.get("couples"), _with_ids(pa.Table.from_pandas(frame), ids))
    tables["summary"] = _row_table(summary)
    if sc.recorders.people:
        tables["people"] = _people(pop, life, readout, style18, anx18, avo18, clients, ids)
    if sc.recorders.trajectories is not None and sc.recorders.trajectories.sample > 0:
        tables["trajectories"] = _trajectories(
            sc.recorders.trajectories.sample, anx18, avo18, style18, clients, life, marks, ids
        )
    return tables


def _prime(section: PrimeSection, style18: NDArray[np.int8]) -> Prime:
    """The arm's reminder of a secure figure, for people of the given styles at 18."""
    return Prime(
        people=select_clients(style18, section.people), day=section.day, params=build(PrimeParams, section.params)
    )


def _therapy(t: TherapySection, clients: NDArray[np.bool_]) -> Therapy:
    return Therapy(
        clients=clients,
        start_week=round(t.start_year * WEEKS_PER_YEAR),
        weeks=t.weeks,
        components=build(Components, t.components),
        params=build(TherapyParams, t.params),
    )


def _trajectory_marks(sc: Scenario, years: float) -> list[float]:
    rec = sc.recorders.trajectories
    if rec is None or rec.sample == 0:
        return []
    count = int(np.floor(years / rec.every_years + 1e-9))
    return [round((i + 1) * rec.every_years, 9) for i in range(count)]


def _mean(x: NDArray[np.floating] | NDArray[np.integer]) -> float:
    return float(np.mean(x, dtype=np.float64))


def _shares(prefix: str, style: NDArray[np.int8]) -> dict[str, float]:
    counts = np.bincount(style, minlength=len(ADULT_CATEGORIES)) / max(style.size, 1)
    return {f"{prefix}_{k}": float(v) for k, v in zip(ADULT_CATEGORIES, counts, strict=True)}


def _adult_summary(life: AdultLife, r: AdultReadout, style18: NDArray[np.int8]) -> dict[str, Any]:
    anx, avo = anxiety(life.end, r), avoidance(life.end, r)
    end = categorize(anx, avo)
    organized = np.bincount(organized_category(anx, avo), minlength=3) / life.n
    partnered = life.partner >= 0
    by = {row["pairing"]: row for row in life.by_pairing()}
    return {
        "years": life.years,
        **_shares("end", end),
        **{f"aai_{k}": float(v) for k, v in zip(AAI_CATEGORIES, organized, strict=True)},
        "unresolved": float(unresolved(life.end, r).mean()),
        "anxiety_mean_end": _mean(anx),
        "avoidance_mean_end": _mean(avo),
        **life.stability(),
        "partnered_end": float(partnered.mean()),
        "satisfaction_mean": _mean(life.satisfaction[partnered]) if partnered.any() else None,
        "breakups_per_person": _mean(life.breakups),
        "events_per_person": _mean(life.events),
        "pursue_withdraw_anxious_avoidant": by["preoccupied-dismissing"]["pursue_withdraw"],
        "pursue_withdraw_secure": by["secure-secure"]["pursue_withdraw"],
    }


def _therapy_summary(
    life: AdultLife,
    therapy: TherapySection | None,
    clients: NDArray[np.bool_],
    at18: tuple[NDArray[np.floating], NDArray[np.floating]],
    when: tuple[float | None, float | None],
    snapshot_years: tuple[float, ...],
) -> dict[str, Any]:
    """Clients' standardized change over therapy (``_d``: from the start to the end of therapy)
    and from the start of therapy to the end of the run (``_d_end``: the same window in every
    arm), earned security at the end of therapy and of the run, relapse, and mean change from 18
    to the end.

    Every d is a mean difference divided by the SD of the *whole sample* at the start of therapy
    (not the clients' restricted range), the yardstick of :func:`iwm.measure._change.effect_size`.
    The arms of a replicate treat the same clients under the same seed, so the effect of a dose
    is the difference of two arms' ``_d_end`` (treated minus an arm without sessions): the
    report shows it that way."""
    out: dict[str, Any] = {
        "therapy_weeks": therapy.weeks if therapy is not None else None,
        "clients": int(clients.sum()),
    }
    out.update(dict.fromkeys(CLIENT_OUTCOMES))
    pre, post = when
    if therapy is None or not clients.any() or post is None:
        return out
    r = life.readout

    def at(year: float | None) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
        if not year:
            return at18[0][clients], at18[1][clients]
        snap = life.snapshots[snapshot_years.index(year)]
        return snap[0][clients], snap[1][clients]

    (anx_pre, avo_pre), (anx_post, avo_post) = at(pre), at(post)
    anx_end, avo_end = anxiety(life.end, r)[clients], avoidance(life.end, r)[clients]
    whole = at18 if not pre else life.snapshots[snapshot_years.index(pre)]
    sd_anx, sd_avo = float(np.std(whole[0], dtype=np.float64)), float(np.std(whole[1], dtype=np.float64))

    def d(before: NDArray[np.floating], after: NDArray[np.floating], sd: float) -> float | None:
        return float(np.mean(after - before, dtype=np.float64) / sd) if sd > 0 and before.size else None

    secure_post = categorize(anx_post, avo_post) == SECURE_ADULT
    secure_end = categorize(anx_end, avo_end) == SECURE_ADULT
    out.update(
        clients_anxiety_d=d(anx_pre, anx_post, sd_anx),
        clients_avoidance_d=d(avo_pre, avo_post, sd_avo),
        clients_anxiety_d_end=d(anx_pre, anx_end, sd_anx),
        clients_avoidance_d_end=d(avo_pre, avo_end, sd_avo),
        clients_secure_post=float(secure_post.mean()),
        clients_secure_end=float(secure_end.mean()),
        clients_relapse=float((secure_post & ~secure_end).sum() / secure_post.sum()) if secure_post.any() else None,
        clients_anxiety_change_end=_mean(anx_end - at18[0][clients]),
        clients_avoidance_change_end=_mean(avo_end - at18[1][clients]),
    )
    return out


def _row_table(row: Mapping[str, Any]) -> pa.Table:
    """One row with stable column types: numbers are float64 (None is null), ints int64."""
    cols: dict[str, pa.Array] = {}
    for key, value in row.items():
        if isinstance(value, str):
            cols[key] = pa.array([value], pa.string())
        elif isinstance(value, bool):
            cols[key] = pa.array([value], pa.bool_())
        elif key in _INT_COLUMNS or isinstance(value, int | np.integer):
            cols[key] = pa.array([None if value is None else int(value)], pa.int64())
        else:
            cols[key] = pa.array([None if value is None else float(value)], pa.float64())
    return pa.table(cols)


_INT_COLUMNS = {"task", "point", "replicate", "seed", "n", "clients", "therapy_weeks"}


def _with_ids(table: pa.Table, ids: Mapping[str, Any]) -> pa.Table:
    n = table.num_rows
    front = {
        "task": pa.array(np.full(n, ids["task"], np.int64)),
        "point": pa.array(np.full(n, ids["point"], np.int64)),
        "arm": pa.array([ids["arm"]] * n, pa.string()),
        "replicate": pa.array(np.full(n, ids["replicate"], np.int64)),
    }
    return pa.table({**front, **{name: table[name] for name in table.column_names}})


def _concat(first: pa.Table | None, second: pa.Table) -> pa.Table:
    return second if first is None else pa.concat_tables([first, second])


def _people(
    pop: Population,
    life: AdultLife | None,
    r: AdultReadout,
    style18: NDArray[np.int8],
    anx18: NDArray[np.floating],
    avo18: NDArray[np.floating],
    clients: NDArray[np.bool_],
    ids: Mapping[str, Any],
) -> pa.Table:
    names = np.array(ADULT_CATEGORIES)
    cols: dict[str, Any] = {
        "person": np.arange(pop.n, dtype=np.int64),
        "style_18": names[style18],
        "anxiety_18": anx18,
        "avoidance_18": avo18,
    }
    if life is not None:
        anx, avo = anxiety(life.end, r), avoidance(life.end, r)
        cols.update(
            style_end=names[categorize(anx, avo)],
            anxiety_end=anx,
            avoidance_end=avo,
            partner=life.partner.astype(np.int64),
            commitment=life.commitment,
            satisfaction=life.satisfaction,
            breakups=life.breakups,
            events=life.events,
            client=clients,
        )
    return _with_ids(pa.table(cols), ids)


def _trajectories(
    sample: int,
    anx18: NDArray[np.floating],
    avo18: NDArray[np.floating],
    style18: NDArray[np.int8],
    clients: NDArray[np.bool_],
    life: AdultLife | None,
    marks: list[float],
    ids: Mapping[str, Any],
) -> pa.Table:
    """Long format: one row per sampled person and occasion (age 18, then every mark)."""
    n = anx18.shape[0]
    who = np.arange(0, n, max(1, n // sample))[:sample]
    anx, avo, ages = [anx18[who]], [avo18[who]], [18.0]
    if life is not None:
        for at in marks:
            snap = life.snapshots[life.snapshot_years.index(at)]
            anx.append(snap[0][who])
            avo.append(snap[1][who])
            ages.append(18.0 + at)
    k = len(ages)
    names = np.array(ADULT_CATEGORIES)
    cols = {
        "person": np.tile(who.astype(np.int64), k),
        "age": np.repeat(np.array(ages), who.size),
        "anxiety": np.concatenate(anx),
        "avoidance": np.concatenate(avo),
        "style_18": np.tile(names[style18[who]], k),
        "client": np.tile(clients[who], k),
    }
    return _with_ids(pa.table(cols), ids)


def _pairings(life: AdultLife, ids: Mapping[str, Any]) -> pa.Table:
    counts = {row["pairing"]: row for row in life.pairings()}
    rows = [
        {**row, "observed": counts[row["pairing"]]["observed"], "expected": counts[row["pairing"]]["expected"]}
        for row in life.by_pairing()
    ]
    cols = {
        "pairing": pa.array([r["pairing"] for r in rows], pa.string()),
        **{
            key: pa.array([None if r[key] is None else float(r[key]) for r in rows], pa.float64())
            for key in (
                "observed",
                "expected",
                "couples",
                "couple_years",
                "satisfaction",
                "conflict",
                "breakups_per_year",
                "pursue_withdraw",
            )
        },
    }
    return _with_ids(pa.table(cols), ids)
