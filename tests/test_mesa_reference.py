"""The Mesa reference of the adult dyad (benchmarks/mesa_dyad.py) follows iwm's rules.

Two checks that the speed comparison compares like with like:

* rule identity: the same uniforms fed to iwm's column kernel and to the agent-by-agent Mesa
  model give the same days and the same revised beliefs, up to float32 rounding;
* statistical agreement: each implementation with its own randomness (iwm's SFC64 blocks,
  Mesa's ``random.Random``) gives the same mean distress, bid and change of anxiety by style.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mesa")

import iwm
from iwm.measure._people import BALANCED
from iwm.model._adult import N_DAILY

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "mesa_dyad.py"


def _load():
    spec = importlib.util.spec_from_file_location("mesa_dyad", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mesa_dyad", module)
    spec.loader.exec_module(module)
    return module


md = _load()

DAY_FIELDS = {  # iwm Day field -> Person attribute after a step
    "stressor": "stressor",
    "felt": "felt",
    "fear_drive": "fear",
    "expressed": "expressed",
    "bid": "bid",
    "withdrawal": "withdrawal",
    "response_given": "given",
    "response": "response",
    "perceived": "perceived",
    "distress": "distress",
    "conflict": "conflict",
    "loneliness": "loneliness",
    "closeness": "closeness",
    "distance": "distance",
}
STATE_FIELDS = ("trust", "satisfaction", "absent")
BELIEFS = ("W_a", "W_b", "A_a", "A_b", "D_a", "D_b", "threshold", "signalling", "suppression", "age")
STRATEGY = ("hyper", "deact", "gain", "threshold_eff", "responsiveness", "expect_offset")
MOMENTARY = ("availability_state", "self_worth_state", "suppression_state")  # iwm.model._momentary

# Tolerance of the rule identity. iwm rounds every operation to float32 (unit roundoff 6e-8);
# a day's field is at most a few dozen operations deep, and state (distress, trust, distance,
# satisfaction) carries each day's rounding into the next. Over 14 days that bounds the
# difference from the float64 reference by about 14 x 50 x 6e-8 = 4e-5 of the field's size;
# 5e-5 x max(1, |value|) is that bound, while a wrong rule moves fields by 1e-2 or more.
# The Beta counts of the beliefs grow to tens, so they are compared relative to their size.
DAY_TOL = 5e-5
BELIEF_RTOL = 5e-5


def _couples(n: int, seed: int) -> tuple[iwm.Population, iwm.Population, iwm.Population]:
    pop = iwm.develop(BALANCED, n=n, seed=seed).population
    k = n // 2
    return pop, pop.take(slice(0, k)), pop.take(slice(k, n))


def _close(x: np.ndarray, y: np.ndarray, tol: float) -> np.ndarray:
    return np.abs(x - y) <= tol * np.maximum(1.0, np.abs(y))


def test_same_uniforms_same_days_and_beliefs():
    """Two weeks (two revisions) of 512 couples of every style, on the same injected uniforms."""
    n, days = 1024, 14
    pop, pop_a, pop_b = _couples(n, seed=5)
    styles = np.bincount(iwm.adult_category(pop), minlength=4)
    assert styles.min() >= 100, styles  # every style well represented
    uniforms = np.random.default_rng(7).random((days, N_DAILY, n), dtype=np.float32)

    ours: dict[str, list[np.ndarray]] = {f: [] for f in [*DAY_FIELDS, *STATE_FIELDS, "approached"]}

    def record(t, today, s):
        for f in DAY_FIELDS:
            ours[f].append(np.array(getattr(today, f), np.float64))
        ours["approached"].append(today.approached.copy())
        for f in STATE_FIELDS:
            ours[f].append(getattr(s, f).astype(np.float64))

    s = md.iwm_couples(pop_a, pop_b, days, seed=0, draws=lambda t: uniforms[t], on_day=record)["state"]

    model = md.DyadModel(pop, seed=1, draws=lambda t: uniforms[t])
    theirs: dict[str, list[np.ndarray]] = {f: [] for f in ours}
    for _ in range(days):
        model.step()
        for f, attr in DAY_FIELDS.items():
            theirs[f].append(model.field(attr))
        theirs["approached"].append(model.field("approached").astype(bool))
        for f in STATE_FIELDS:
            theirs[f].append(model.field(f))
    x = {f: np.array(v) for f, v in ours.items()}
    y = {f: np.array(v) for f, v in theirs.items()}

    # discrete choices: approach or withdraw, a bid or none, and the style after each revision.
    # A near tie can fall either way in float32 and float64; it then changes that couple's
    # later days (couples are independent), so the continuous fields are compared in couples
    # whose choices all agree, and such couples must be at least 99% of all.
    agree = (x["approached"] == y["approached"]).all(axis=0) & ((x["bid"] > 0) == (y["bid"] > 0)).all(axis=0)
    agree &= iwm.adult_category(s.population()) == np.array([person.category() for person in model.people])
    couple_ok = agree[: n // 2] & agree[n // 2 :]
    assert couple_ok.mean() >= 0.99, f"discrete choices differ in {np.sum(~couple_ok)} of {n // 2} couples"
    same = np.concatenate([couple_ok, couple_ok])
    assert (x["approached"][:, same] == y["approached"][:, same]).all()

    for f in [*DAY_FIELDS, *STATE_FIELDS]:
        ok = _close(x[f][:, same], y[f][:, same], DAY_TOL)
        assert ok.all(), f"{f}: largest difference {np.abs(x[f] - y[f])[:, same].max():.2e}"
    # the days did things: bids, withdrawals, absences and conflict all occur
    assert (x["bid"] > 0).mean() > 0.3 and (~x["approached"]).mean() > 0.01
    assert (x["conflict"] > 0).mean() > 0.1 and (x["withdrawal"] >= 1).mean() > 0.05

    # the weekly revision: beliefs, the momentary state after it moved them, the strategy and
    # the constants derived from them
    for f in BELIEFS:
        mine, ref = getattr(s, f).astype(np.float64)[same], model.field(f)[same]
        assert np.allclose(mine, ref, rtol=BELIEF_RTOL, atol=1e-6), f"{f}: {np.abs(mine - ref).max():.2e}"
    for f in (*MOMENTARY, *STRATEGY):
        mine, ref = getattr(s, f).astype(np.float64)[same], model.field(f)[same]
        assert _close(mine, ref, DAY_TOL).all(), f"{f}: {np.abs(mine - ref).max():.2e}"
    # and the revision moved the beliefs (evidence was taken in)
    assert np.abs(s.A_a - pop.availability_a.take(np.arange(n))).max() > 0.1
    assert all(np.abs(getattr(s, f)).max() > 0.1 for f in MOMENTARY)  # and the days moved the state


def _cluster_se(d: np.ndarray, couple: np.ndarray) -> float:
    """Standard error of the mean of ``d``, robust to correlation within couples."""
    resid = d - d.mean()
    per_couple = np.bincount(couple, weights=resid)
    return float(np.sqrt(np.sum(per_couple**2)) / d.size)


def test_own_randomness_same_outcomes_by_style():
    """2000 people, 8 weeks: iwm's and Mesa's own random streams give the same means by style.

    Both start from the same people, so the person-by-person difference removes who they
    are and keeps only the two random streams: its mean by style must be within 4 standard
    errors of zero (standard errors robust to partners' correlation). Under correct rules a
    failure at one of the 12 comparisons has a chance of about 1e-3.
    """
    n, days = 2000, 56
    pop, pop_a, pop_b = _couples(n, seed=11)
    couple = np.concatenate([np.arange(n // 2), np.arange(n // 2)])
    style = iwm.adult_category(pop)
    anx0 = iwm.anxiety(pop).astype(np.float64)

    bid_i, dist_i = np.zeros(n), np.zeros(n)

    def accumulate(t, today, s):
        np.add(bid_i, today.bid, out=bid_i)
        np.add(dist_i, today.distress, out=dist_i)

    s = md.iwm_couples(pop_a, pop_b, days, seed=3, on_day=accumulate)["state"]
    anx_i = iwm.anxiety(s.population()).astype(np.float64)

    model = md.DyadModel(pop, seed=4)
    bid_m, dist_m = np.zeros(n), np.zeros(n)
    for _ in range(days):
        model.step()
        bid_m += model.field("bid")
        dist_m += model.field("distress")
    anx_m = np.array([person.dimensions()[0] for person in model.people])

    measures = {
        "distress": (dist_i / days, dist_m / days),
        "bid": (bid_i / days, bid_m / days),
        "anxiety change": (anx_i - anx0, anx_m - anx0),
    }
    for code, name in enumerate(iwm.ADULT_CATEGORIES):
        mine = style == code
        assert mine.sum() >= 200, (name, mine.sum())
        for measure, (a, b) in measures.items():
            d = (a - b)[mine]
            se = _cluster_se(d, couple[mine])
            assert abs(d.mean()) <= 4 * se + 1e-6, (
                f"{name} {measure}: iwm {a[mine].mean():.4f} vs Mesa {b[mine].mean():.4f} (SE of difference {se:.4f})"
            )
    # the comparison has teeth: the styles differ far more than the tolerance
    dist = measures["distress"][0]
    secure, fearful = style == 0, style == 3
    assert dist[fearful].mean() - dist[secure].mean() > 10 * _cluster_se(dist[secure], couple[secure])
