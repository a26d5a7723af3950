"""Read-outs of adult life: styles of couples when they met, and the tables by pairing.

The model records each relationship with both partners' working models at meeting
(:class:`iwm.model._life.LifeRecord`); here an observer classifies those models
(:func:`iwm.measure._readout.categorize`) and sums the relationships by the pairing of styles.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm.measure._readout import ADULT_CATEGORIES, ADULT_READOUT, AdultReadout, anxiety_of, avoidance_of, categorize
from iwm.model._adult import DAYS_PER_WEEK, WEEKS_PER_YEAR

F64 = NDArray[np.float64]

PAIRINGS = tuple(
    f"{ADULT_CATEGORIES[a]}-{ADULT_CATEGORIES[b]}"
    for a in range(len(ADULT_CATEGORIES))
    for b in range(a, len(ADULT_CATEGORIES))
)
"""Unordered pairings of adult styles, e.g. ``secure-dismissing``."""
PAIR_SUMS = ("days", "satisfaction", "conflict", "pw_x", "pw_y", "pw_xy", "pw_xx", "pw_yy")


def pairing_index(a: NDArray[np.integer], b: NDArray[np.integer]) -> NDArray[np.int8]:
    """Index into :data:`PAIRINGS` of the unordered pair of style codes (a, b)."""
    k = len(ADULT_CATEGORIES)
    lo, hi = np.minimum(a, b).astype(np.int16), np.maximum(a, b).astype(np.int16)
    return (lo * k - lo * (lo - 1) // 2 + (hi - lo)).astype(np.int8)


def style_at_meeting(records: dict[str, NDArray[Any]], who: str, r: AdultReadout = ADULT_READOUT) -> NDArray[np.int8]:
    """The adult category of ``who`` (``own`` or ``partner``) from the model recorded at meeting."""

    def col(name: str) -> NDArray[np.float32]:
        return records[f"{who}_{name}"]

    w, sr = col("self_worth"), col("self_reliance")
    a, d, thr = col("other_availability"), col("other_danger"), col("activation_threshold")
    anx = anxiety_of(w + sr * (1 - w), col("signalling"), thr, a, d, r)
    avo = avoidance_of(a, col("suppression"), thr, sr, d, r)
    return categorize(anx, avo, r.cut)


def record_pairings(records: dict[str, NDArray[Any]], r: AdultReadout = ADULT_READOUT) -> NDArray[np.int8]:
    """Pairing (styles at meeting) of each relationship record."""
    return pairing_index(style_at_meeting(records, "own", r), style_at_meeting(records, "partner", r))


def pairing_totals(records: dict[str, NDArray[Any]], r: AdultReadout = ADULT_READOUT) -> dict[str, F64]:
    """Sums by pairing over the records: every running sum, and relationships started and ended.

    Records are summed in (community, order written) order, which does not depend on how
    communities were grouped over workers, so totals are identical for any split.
    """
    order = np.argsort(records["community"], kind="stable")
    kind = record_pairings(records, r)[order]
    k = len(PAIRINGS)
    out = {}
    for name in PAIR_SUMS:
        out[name] = np.zeros(k)
        np.add.at(out[name], kind, records[name][order].astype(np.float64))
    out["started"] = np.bincount(kind, minlength=k) / 2.0
    out["ended"] = np.bincount(kind[records["ended"][order]], minlength=k) / 2.0
    return out


def person_pairing(records: dict[str, NDArray[Any]], n: int, r: AdultReadout = ADULT_READOUT) -> NDArray[np.int8]:
    """Each person's couple at the end, by pairing when it formed (-1 for single people)."""
    out = np.full(n, -1, np.int8)
    now = ~records["ended"]
    out[records["person"][now]] = record_pairings({k: v[now] for k, v in records.items()}, r)
    return out


def pairings_table(pairing: NDArray[np.int8], partner: NDArray[np.int64]) -> list[dict[str, Any]]:
    """Couples at the end by pairing (styles when they met): observed and random-expected.

    Expected counts assume the partnered people, with their styles, paired at random.
    """
    couples = pairing[(partner >= 0) & (np.arange(partner.shape[0]) < partner)]
    observed = np.bincount(couples, minlength=len(PAIRINGS)).astype(float)
    k = len(ADULT_CATEGORIES)
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


def by_pairing_table(t: dict[str, F64]) -> list[dict[str, Any]]:
    """Per pairing type (styles when the couple met), over every couple-day of the run."""
    rows = []
    for idx, name in enumerate(PAIRINGS):
        days = t["days"][idx]
        couple_years = days / 2 / (DAYS_PER_WEEK * WEEKS_PER_YEAR)
        rows.append(
            {
                "pairing": name,
                "couples": float(t["started"][idx]),
                "couple_years": float(couple_years),
                "satisfaction": ratio(t["satisfaction"][idx], days),
                "conflict": ratio(t["conflict"][idx], days),
                "breakups_per_year": ratio(t["ended"][idx], couple_years),
                "pursue_withdraw": _pooled_r(t, idx),
            }
        )
    return rows


def ratio(num: float, den: float) -> float | None:
    """num / den, or None where den is 0 (for JSON)."""
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
