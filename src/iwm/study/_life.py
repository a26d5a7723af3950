"""Adult life as a study: the model's record of a life, read out (styles, dimensions, tables).

:func:`live` runs the model (:func:`iwm.model._life.live`, which returns model state only) and
wraps its record in an :class:`AdultLife`, whose styles, dimensions and tables are computed
here from that state by the read-outs of :mod:`iwm.measure`; the read-outs never feed back
into the simulation. :func:`simulate_couples` does the same for fixed couples.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iwm.measure._readout import (
    ADULT_CATEGORIES,
    ADULT_READOUT,
    SECURE_ADULT,
    AdultReadout,
    adult_category,
    anxiety,
    anxiety_of,
    avoidance,
    avoidance_of,
)
from iwm.measure._relationships import (
    by_pairing_table,
    pairing_totals,
    pairings_table,
    person_pairing,
    ratio,
)
from iwm.measure._stats import correlation_or_none
from iwm.model import _life as model_life
from iwm.model._adult import DAYS_PER_WEEK, WEEKS_PER_YEAR
from iwm.model._life import LifeRecord
from iwm.model._population import DTYPE

F = NDArray[np.float32]
F64 = NDArray[np.float64]

_PREOCCUPIED = ADULT_CATEGORIES.index("preoccupied")
_DISMISSING = ADULT_CATEGORIES.index("dismissing")


@dataclasses.dataclass(frozen=True, eq=False)
class AdultLife:
    """The result of :func:`live`: the model's record (every field of
    :class:`~iwm.model._life.LifeRecord` is available here too) and its read-outs."""

    record: LifeRecord
    readout: AdultReadout = ADULT_READOUT

    def __getattr__(self, name: str) -> Any:
        if name in ("record", "readout"):
            raise AttributeError(name)
        return getattr(self.record, name)

    @property
    def n(self) -> int:
        return self.record.n

    @functools.cached_property
    def style_start(self) -> NDArray[np.int8]:
        """Adult category of each person at the start."""
        return adult_category(self.record.start, self.readout)

    @functools.cached_property
    def style_end(self) -> NDArray[np.int8]:
        """Adult category of each person at the end."""
        return adult_category(self.record.end, self.readout)

    @functools.cached_property
    def snapshots(self) -> F:
        """Anxiety and avoidance at each of ``snapshot_years``: shape (snapshots, 2, n)."""
        out = np.empty((len(self.record.snapshots), 2, self.n), DTYPE)
        for i, pop in enumerate(self.record.snapshots):
            out[i, 0], out[i, 1] = anxiety(pop, self.readout), avoidance(pop, self.readout)
        return out

    @functools.cached_property
    def pairing(self) -> NDArray[np.int8]:
        """Index into :data:`PAIRINGS` of each partnered person's couple (styles when it formed)."""
        return person_pairing(self.record.relationships, self.n, self.readout)

    @functools.cached_property
    def _totals(self) -> dict[str, F64]:
        return pairing_totals(self.record.relationships, self.readout)

    @property
    def totals(self) -> dict[str, F64]:
        """Running sums by pairing over every relationship of the run."""
        return {k: v for k, v in self._totals.items() if k not in ("started", "ended")}

    @property
    def started(self) -> F64:
        return self._totals["started"]

    @property
    def ended(self) -> F64:
        return self._totals["ended"]

    def pairings(self) -> list[dict[str, Any]]:
        """Couples at the end by pairing (styles when they met): observed and random-expected."""
        return pairings_table(self.pairing, self.record.partner)

    def by_pairing(self) -> list[dict[str, Any]]:
        """Per pairing type (styles when the couple met), over every couple-day of the run."""
        return by_pairing_table(self._totals)

    def singles(self) -> list[dict[str, Any]]:
        """Loneliness (mean daily unmet need while single) by style at the start."""
        rec = self.record
        rows = []
        for code, name in enumerate(ADULT_CATEGORIES):
            mine = self.style_start == code
            days = float(rec.single_days[mine].sum(dtype=np.float64))
            rows.append(
                {
                    "style": name,
                    "people": int(mine.sum()),
                    "share_single_at_end": ratio(float((rec.partner[mine] < 0).sum()), float(mine.sum())),
                    "single_years": days / (DAYS_PER_WEEK * WEEKS_PER_YEAR),
                    "loneliness": ratio(float(rec.lonely[mine].sum(dtype=np.float64)), days),
                }
            )
        return rows

    def stability(self) -> dict[str, float | None]:
        """Stability of the working models (the chronic models, read without the momentary
        state; test-retest of what a questionnaire reads is :mod:`iwm.study._retest`):
        start-end correlation of each dimension, mean absolute change of each, the share of the
        insecure at the start who are secure at the end, and the mean change of anxiety among
        the preoccupied and of avoidance among the dismissing at the start (negative: revised
        toward security)."""
        r, rec = self.readout, self.record
        insecure = self.style_start != SECURE_ADULT
        start, end = rec.start.trait(), rec.end.trait()  # the chronic models, without the day's state
        anx0, anx1 = anxiety(start, r), anxiety(end, r)
        avo0, avo1 = avoidance(start, r), avoidance(end, r)
        return {
            "anxiety_r": correlation_or_none(anx0, anx1),
            "avoidance_r": correlation_or_none(avo0, avo1),
            "anxiety_change": float(np.mean(np.abs(anx1 - anx0), dtype=np.float64)),
            "avoidance_change": float(np.mean(np.abs(avo1 - avo0), dtype=np.float64)),
            "insecure_to_secure": ratio(float((self.style_end[insecure] == SECURE_ADULT).sum()), insecure.sum()),
            "anxious_anxiety_change": _mean_where(anx1 - anx0, self.style_start == _PREOCCUPIED),
            "avoidant_avoidance_change": _mean_where(avo1 - avo0, self.style_start == _DISMISSING),
        }

    def summary(self) -> dict[str, Any]:
        rec = self.record
        return {
            "n": self.n,
            "years": rec.years,
            "seed": rec.seed,
            "mechanisms_off": list(rec.mechanisms.switched_off()),
            "pairings": self.pairings(),
            "by_pairing": self.by_pairing(),
            "singles": self.singles(),
            "stability": self.stability(),
        }


def _mean_where(x: NDArray[np.floating], mask: NDArray[np.bool_]) -> float | None:
    return float(np.mean(x[mask], dtype=np.float64)) if mask.any() else None


@functools.wraps(model_life.live)
def live(*args: Any, readout: AdultReadout | None = None, **kwargs: Any) -> AdultLife:
    return AdultLife(model_life.live(*args, **kwargs), readout or ADULT_READOUT)


TRACE_FIELDS = (
    *(f for f in model_life.TRACE_FIELDS if f not in model_life.STRATEGY_TRACE + model_life.MOMENTARY_TRACE),
    "anxiety",
    "avoidance",
)
"""Fields of :func:`simulate_couples`' trace: the model's, with anxiety and avoidance read out."""


@functools.wraps(model_life.simulate_couples)
def simulate_couples(*args: Any, readout: AdultReadout | None = None, **kwargs: Any) -> dict[str, NDArray[Any]]:
    r = readout or ADULT_READOUT
    trace = model_life.simulate_couples(*args, **kwargs)
    # read as a questionnaire answered that day would: the momentary beliefs (the model's state)
    w, sr = trace["felt_self_worth"], trace["self_reliance"]
    a, d, thr = trace["felt_availability"], trace["other_danger"], trace["activation_threshold"]
    trace["anxiety"] = anxiety_of(w + sr * (1 - w), trace["signalling"], thr, a, d, r)
    trace["avoidance"] = avoidance_of(a, trace["felt_suppression"], thr, sr, d, r)
    return {f: trace[f] for f in TRACE_FIELDS}
