"""Studies of change: a therapy dose-response trial and a whole adult life course (C25-C30).

Both run :func:`iwm.live` with its therapy and life-event hooks; they add no mechanism of
their own, only the design (who is treated, for how long, what is compared).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.measure._change import effect_size
from iwm.measure._people import BALANCED, style_name
from iwm.measure._readout import ADULT_CATEGORIES, SECURE_ADULT, adult_category, anxiety, avoidance, categorize
from iwm.measure._stats import pearson
from iwm.model._blocks import Progress
from iwm.model._life import WEEKS_PER_YEAR
from iwm.model._life_events import LifeEventParams
from iwm.model._params import check_value
from iwm.model._population import Population
from iwm.model._rng import check_seed
from iwm.model._therapy import Components, Therapy, TherapyParams
from iwm.study._life import AdultLife, live
from iwm.study._mixes import develop


def cohens_d(before: NDArray[np.floating], after: NDArray[np.floating]) -> float | None:
    """Standardized mean change within one group, pre to post (pooled SD of the two occasions).

    A description of change inside one arm; comparisons of arms use
    :func:`iwm.measure._change.effect_size`, the effect size iwm reports."""
    if before.size < 2:
        return None
    sd = np.sqrt((np.var(before, dtype=np.float64) + np.var(after, dtype=np.float64)) / 2)
    return float((np.mean(after, dtype=np.float64) - np.mean(before, dtype=np.float64)) / sd) if sd > 0 else None


def clients_of_style(style: str, n: int, seed: int, background: int = 4) -> tuple[Population, NDArray[np.bool_]]:
    """A population formed under balanced caregiving in which ``n`` people of ``style`` are the
    clients; everyone else is the world they date in (at least ``background`` times ``n``)."""
    code = ADULT_CATEGORIES.index(style_name(style))
    size = max(4096, (background + 1) * n)
    for _ in range(6):  # grow the population until it holds n people of that style
        pop = develop(BALANCED, n=size, seed=seed).population
        mine = np.flatnonzero(adult_category(pop) == code)
        if mine.size >= n:
            clients = np.zeros(pop.n, bool)
            clients[mine[np.linspace(0, mine.size - 1, n).round().astype(int)]] = True
            return pop, clients
        size *= 2
    raise ParameterError("n", f"at most {mine.size} clients of style {style!r} at this size", n)


def therapy_trial(
    style: str,
    *,
    n: int,
    weeks: tuple[int, ...] = (0, 10, 20, 40),
    seed: int,
    without: tuple[str, ...] = (),
    params: TherapyParams | None = None,
    events: LifeEventParams | None = None,
    follow_up_years: float = 1.0,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """A randomized waitlist trial at each dose: the same clients, seed and world for every dose.

    ``n`` clients of ``style`` are randomized (half and half, from the seed) to therapy or to a
    waitlist that lives through the same weeks without sessions; life goes on for both
    (partners, breakups, negative life events ``events``, default rates). Per dose, at the end
    of therapy (post-test) and ``follow_up_years`` later: the effect size of
    :func:`iwm.measure._change.effect_size` on anxiety and on avoidance (treated minus waitlist,
    in SDs of the whole sample the clients come from, with a 95% bootstrap interval), earned
    security in each arm, and relapse in the treated arm (secure at post-test, insecure at
    follow-up). A dose of 0 weeks is the null trial: its d is 0 up to sampling error.
    """
    n = int(check_value("n", n, 2, 1_000_000, integer=True))
    seed = check_seed(seed)
    for w in weeks:
        check_value("weeks", w, 0, 520, integer=True)
    components = Components().without(*without)
    events = events if events is not None else LifeEventParams()
    pop, clients = clients_of_style(style, n, seed)
    treated, waitlist = randomize(clients, seed)
    reference = {"anxiety": float(np.std(anxiety(pop))), "avoidance": float(np.std(avoidance(pop)))}
    doses = []
    for w in weeks:
        post, follow = w / WEEKS_PER_YEAR, w / WEEKS_PER_YEAR + follow_up_years
        life = live(
            pop,
            years=max(follow, 1 / WEEKS_PER_YEAR),
            seed=seed,
            therapy=Therapy(clients=treated, weeks=int(w), components=components, params=params or TherapyParams()),
            events=events,
            snapshot_years=(post, follow),
            workers=workers,
            progress=progress,
        )
        doses.append(_dose_row(int(w), treated, waitlist, life, reference, seed))
    return {
        "style": style,
        "n": n,
        "treated": int(treated.sum()),
        "waitlist": int(waitlist.sum()),
        "seed": seed,
        "components_off": list(components.switched_off()),
        "follow_up_years": follow_up_years,
        "effect_size": EFFECT_SIZE,
        "reference_sd": reference,
        "doses": doses,
    }


EFFECT_SIZE = (
    "d = (mean of the treated - mean of the waitlist) at the same time / SD of the whole sample "
    "at the start; 95% percentile bootstrap interval over people"
)
"""The definition of every effect size iwm reports, as printed with it."""


def randomize(clients: NDArray[np.bool_], seed: int) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Clients split at random into two arms of equal size (the extra one to therapy), from the seed."""
    idx = np.flatnonzero(clients)
    order = np.random.default_rng([seed, 0x7E1A]).permutation(idx)
    treated = np.zeros(clients.shape[0], bool)
    treated[order[: (idx.size + 1) // 2]] = True
    return treated, clients & ~treated


def _dose_row(
    weeks: int,
    treated: NDArray[np.bool_],
    waitlist: NDArray[np.bool_],
    life: AdultLife,
    reference: dict[str, float],
    seed: int,
) -> dict[str, Any]:
    row: dict[str, Any] = {"weeks": weeks}
    for when, snap in (("", life.snapshots[0]), ("_follow_up", life.snapshots[1])):
        for i, dim in enumerate(("anxiety", "avoidance")):
            es = effect_size(snap[i][treated], snap[i][waitlist], reference[dim], seed=seed)
            row[f"{dim}_d{when}"] = es["d"]
            row[f"{dim}_d{when}_ci"] = es["ci"]
    secure = [categorize(snap[0], snap[1]) == SECURE_ADULT for snap in life.snapshots]
    row["earned_secure"] = float(secure[0][treated].mean())
    row["earned_secure_follow_up"] = float(secure[1][treated].mean())
    row["waitlist_secure"] = float(secure[0][waitlist].mean())
    row["waitlist_secure_follow_up"] = float(secure[1][waitlist].mean())
    post = secure[0] & treated
    row["relapse"] = float((post & ~secure[1]).sum() / post.sum()) if post.any() else None
    return row


def _mean_r(snapshots: NDArray[np.floating], lag: int) -> float | None:
    """Mean correlation between snapshots ``lag`` apart (None where undefined)."""
    rs = [pearson(snapshots[i], snapshots[i + lag]) for i in range(len(snapshots) - lag)]
    rs = [r for r in rs if not np.isnan(r)]
    return float(np.mean(rs)) if rs else None


def life_course(
    *,
    n: int,
    years: float,
    seed: int,
    caregiving: str = "low-risk",
    therapy_share: float = 0.1,
    therapy_weeks: int = 20,
    therapy_start_years: float = 5.0,
    events: LifeEventParams | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Formation, then ``years`` of adult life with partners and life events; a therapy arm of
    ``therapy_share`` of the insecure at 18 (every k-th one, so the arm is a fixed, unselected
    subset) is treated for ``therapy_weeks`` from ``therapy_start_years``.

    Reports the transitions between categories from 18 to the end, earned security (insecure
    at 18, secure at the end) in the therapy arm and in the rest, and the stability of anxiety
    and avoidance by interval (correlations between yearly snapshots).
    """
    years = check_value("years", years, 1, 80)
    check_value("therapy_share", therapy_share, 0, 1)
    check_value("therapy_start_years", therapy_start_years, 0, years)
    seed = check_seed(seed)
    formed = develop(caregiving, n=n, seed=seed, workers=workers, progress=progress).population
    start = adult_category(formed)
    insecure = np.flatnonzero(start != SECURE_ADULT)
    clients = np.zeros(formed.n, bool)
    if therapy_share > 0 and insecure.size:
        clients[insecure[:: max(1, round(1 / therapy_share))]] = True
    marks = tuple(float(y) for y in range(1, int(years) + 1))
    life = live(
        formed,
        years=years,
        seed=seed,
        therapy=Therapy(clients=clients, start_week=round(therapy_start_years * WEEKS_PER_YEAR), weeks=therapy_weeks),
        events=events if events is not None else LifeEventParams(),
        snapshot_years=marks,
        workers=workers,
        progress=progress,
    )
    end = life.style_end
    k = len(ADULT_CATEGORIES)
    transitions = np.zeros((k, k), int)
    np.add.at(transitions, (start, end), 1)
    untreated = (start != SECURE_ADULT) & ~clients

    def earned(mask: NDArray[np.bool_]) -> float | None:
        return float((end[mask] == SECURE_ADULT).mean()) if mask.any() else None

    anx = np.concatenate([anxiety(formed)[None], life.snapshots[:, 0]])
    avo = np.concatenate([avoidance(formed)[None], life.snapshots[:, 1]])
    stability = []
    for lag in (1, 5, 10, 20, 30):
        if lag <= len(marks):
            stability.append(
                {
                    "years": lag,
                    "anxiety_r": _mean_r(anx, lag),
                    "avoidance_r": _mean_r(avo, lag),
                }
            )
    shares_by_year = [
        {
            "year": 18 + y,
            **{c: float(np.mean(categorize(anx[i], avo[i]) == j)) for j, c in enumerate(ADULT_CATEGORIES)},
        }
        for i, y in enumerate((0, *marks))
    ]
    return {
        "n": n,
        "years": years,
        "seed": seed,
        "caregiving": caregiving,
        "therapy": {"share_of_insecure": therapy_share, "clients": int(clients.sum()), "weeks": therapy_weeks},
        "transitions": {
            "categories": list(ADULT_CATEGORIES),
            "counts": transitions.tolist(),
        },
        "earned_secure": {
            "all_insecure_at_18": earned(start != SECURE_ADULT),
            "therapy_arm": earned(clients),
            "no_therapy": earned(untreated),
        },
        "life_events_per_person": float(life.events.mean()),
        "stability": stability,
        "shares_by_year": shares_by_year,
    }
