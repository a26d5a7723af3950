"""The data `iwm fit` confronts the model with, in documented formats (docs/fitting.md).

``DATA`` is either a questionnaire file, or a data file (YAML) that names one and adds the
optional parts::

    questionnaire: sample.csv    # required; relative to this file
    instrument: auto             # auto | scored | ecr-r | ecr-s
    id_column: id                # raw items only: the respondents' id column
    infants: infants.csv         # optional: Strange Situation counts, a file or a mapping
    couples:                     # optional: couple-level summaries of the same sample
      partnered_end: 0.62
      satisfaction_mean: 0.70
      breakups_per_person: 0.20

**Questionnaire** (CSV, TSV, xlsx or Parquet, read by :func:`iwm.measure._io.read_responses`):

- *scored*: one row per respondent with columns ``anxiety`` and ``avoidance``, mean item scores
  on the ECR metric (numbers from 1 to 7, none missing); other columns are ignored;
- *raw*: the item answers of the ECR-R (``ecr_r_01`` .. ``ecr_r_36``) or the ECR-S
  (``ecr_s_01`` .. ``ecr_s_12``) and an id column, scored by :func:`iwm.measure._scoring.score`
  (its rules: whole numbers 1-7, at most 20% of a subscale missing). Respondents whose score
  is missing under that rule are left out and counted (``dropped``).

With ``instrument: auto`` a file with ``anxiety`` and ``avoidance`` columns is scored data,
else the instrument whose canonical item columns it holds.

**Infants** (``infants``): counts of Strange Situation classifications A, B, C and D, either a
mapping (``{A: 20, B: 62, C: 9, D: 15}``) or a CSV/TSV/xlsx/Parquet file with columns ``class``
and ``count``, one row per class. Classes absent count 0; every count is a whole number >= 0
and the total is at least 1.

**Couples** (``couples``): any of :data:`COUPLE_SUMMARIES`, as a mapping or a one-row file with
those columns: the share of the sample with a partner at the end of the simulated adult years,
the mean relationship satisfaction (0-1) of the partnered, and breakups per person.

Every problem is an :class:`iwm.InputError` naming the file, and where known the row, column,
rule and value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iwm._errors import InputError
from iwm._yaml import read_yaml
from iwm.measure._io import read_responses
from iwm.measure._keys import instrument as get_instrument
from iwm.measure._readout import INFANT_CLASSES
from iwm.measure._scoring import ResponseTable, score, score_column

INSTRUMENTS = ("ecr-r", "ecr-s")
"""Questionnaires whose raw answers can be fitted (both on the ECR metric)."""
SCALE = (1.0, 7.0)
"""The ECR metric: mean item scores from 1 to 7."""
COUPLE_SUMMARIES: dict[str, tuple[float, float, str]] = {
    "partnered_end": (0.0, 1.0, "share with a partner at the end of the adult years"),
    "satisfaction_mean": (0.0, 1.0, "mean relationship satisfaction (0-1) of the partnered"),
    "breakups_per_person": (0.0, 100.0, "breakups per person over the adult years"),
}
"""Couple-level summaries a data file may give: name -> (low, high, meaning)."""
DATA_KEYS = ("questionnaire", "instrument", "id_column", "infants", "couples")


@dataclass(frozen=True)
class FitData:
    """A sample to fit: anxiety and avoidance per respondent (ECR metric) and optional parts.

    ``instrument`` is the questionnaire whose measurement error the simulation reproduces
    (``ecr-r`` or ``ecr-s``), or ``None`` to compare the model's read-outs without item noise.
    """

    source: str
    anxiety: np.ndarray
    avoidance: np.ndarray
    instrument: str | None = "ecr-r"
    infants: dict[str, int] | None = None
    couples: dict[str, float] | None = None
    dropped: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        """Respondents with both scores."""
        return int(self.anxiety.size)

    @property
    def infant_total(self) -> int:
        return 0 if self.infants is None else int(sum(self.infants.values()))

    def describe(self) -> dict[str, Any]:
        """What was read, for the fit's report (no respondent-level data)."""
        return {
            "source": self.source,
            "n": self.n,
            "dropped": self.dropped,
            "instrument": self.instrument,
            "infants": self.infants,
            "couples": self.couples,
        }


def load_data(path: str | os.PathLike[str], instrument: str = "auto", id_column: str = "id") -> FitData:
    """Read ``path``: a data file (``.yaml``/``.yml``, see the module docstring) or a
    questionnaire file on its own (then ``instrument`` and ``id_column`` apply)."""
    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml"):
        return _from_spec(read_yaml(p), str(p), p.parent)
    return read_questionnaire(p, instrument=instrument, id_column=id_column)


def _from_spec(spec: Any, where: str, base: Path) -> FitData:
    if not isinstance(spec, Mapping):
        raise InputError(where, f"must be a mapping with keys {', '.join(DATA_KEYS)}; got {type(spec).__name__}")
    for key in spec:
        if key not in DATA_KEYS:
            raise InputError(f"{where}: {key}", f"unknown key; allowed: {', '.join(DATA_KEYS)}")
    if "questionnaire" not in spec:
        raise InputError(f"{where}: questionnaire", "is required (the questionnaire file)")
    q = spec["questionnaire"]
    if not isinstance(q, str) or not q:
        raise InputError(f"{where}: questionnaire", f"must be a file name; got {q!r}")
    instrument = spec.get("instrument", "auto")
    id_column = spec.get("id_column", "id")
    if not isinstance(id_column, str):
        raise InputError(f"{where}: id_column", f"must be a column name; got {id_column!r}")
    data = read_questionnaire(_relative(q, base), instrument=instrument, id_column=id_column, where=where)
    infants = read_infants(_maybe_path(spec["infants"], base), f"{where}: infants") if "infants" in spec else None
    couples = read_couples(_maybe_path(spec["couples"], base), f"{where}: couples") if "couples" in spec else None
    return FitData(
        source=where,
        anxiety=data.anxiety,
        avoidance=data.avoidance,
        instrument=data.instrument,
        infants=infants,
        couples=couples,
        dropped=data.dropped,
        notes=data.notes,
    )


def _relative(name: str, base: Path) -> Path:
    p = Path(name)
    return p if p.is_absolute() else base / p


def _maybe_path(value: Any, base: Path) -> Any:
    return _relative(value, base) if isinstance(value, str) else value


def read_questionnaire(
    path: str | os.PathLike[str],
    *,
    instrument: Any = "auto",
    id_column: str = "id",
    where: str | None = None,
) -> FitData:
    """A questionnaire sample (scored or raw ECR-R/ECR-S items; see the module docstring)."""
    choices = ("auto", "scored", *INSTRUMENTS)
    if instrument not in choices:
        raise InputError(f"{where or path}: instrument", f"must be one of {', '.join(choices)}; got {instrument!r}")
    table = read_responses(path)
    name = table.source
    columns = [str(c) for c in table.data.columns]
    if instrument == "auto":
        instrument = _detect(columns, name)
    if instrument == "scored":
        anx = _scored_column(table, "anxiety", name)
        avo = _scored_column(table, "avoidance", name)
        return FitData(source=name, anxiety=anx, avoidance=avo, instrument="ecr-r")
    return _raw(table, instrument, id_column, name)


def _detect(columns: list[str], name: str) -> str:
    if "anxiety" in columns and "avoidance" in columns:
        return "scored"
    for inst in INSTRUMENTS:
        if set(get_instrument(inst).item_columns) <= set(columns):
            return inst
    shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
    raise InputError(
        name,
        "neither scored (columns `anxiety` and `avoidance`) nor raw ECR-R/ECR-S answers "
        f"(columns ecr_r_01..ecr_r_36 or ecr_s_01..ecr_s_12); columns: {shown}",
    )


def _scored_column(table: ResponseTable, column: str, name: str) -> np.ndarray:
    """One score column as float64, every cell a number in [1, 7]."""
    data = table.data
    if column not in data.columns:
        raise InputError(f"{name}, column {column}", "is required in a scored sample (anxiety and avoidance, 1-7)")
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    lo, hi = SCALE
    bad = ~np.isfinite(values) | (values < lo) | (values > hi)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        cell = data[column].iloc[i]
        row = int(table.rows[i])
        rule = "must be a number" if not np.isfinite(values[i]) else f"must be in [{lo:g}, {hi:g}] (the ECR metric)"
        more = int(bad.sum()) - 1
        extra = f" ({more} more invalid cell{'s' if more > 1 else ''})" if more else ""
        raise InputError(f"{name}, row {row}, column {column}", f"{rule}; got {cell!r}{extra}")
    if values.size < 2:
        raise InputError(name, f"needs at least 2 respondents; got {values.size}")
    return values


def _raw(table: ResponseTable, instrument: str, id_column: str, name: str) -> FitData:
    inst = get_instrument(instrument)
    scored = score(inst, table, id_column=id_column)
    anx = scored.scores[score_column(inst, "anxiety")].to_numpy(dtype=float)
    avo = scored.scores[score_column(inst, "avoidance")].to_numpy(dtype=float)
    keep = np.isfinite(anx) & np.isfinite(avo)
    if keep.sum() < 2:
        raise InputError(name, f"needs at least 2 respondents with both scores; got {int(keep.sum())}")
    dropped = int((~keep).sum())
    notes = (f"{dropped} respondents left out: a subscale had more than 20% missing answers",) if dropped else ()
    return FitData(
        source=name, anxiety=anx[keep], avoidance=avo[keep], instrument=instrument, dropped=dropped, notes=notes
    )


def read_infants(value: Any, where: str = "infants") -> dict[str, int]:
    """Strange Situation counts ``{A, B, C, D}`` from a mapping or a file (columns class, count)."""
    if isinstance(value, Mapping):
        pairs = [(str(k), v, f"{where}: {k}") for k, v in value.items()]
    elif isinstance(value, str | os.PathLike):
        table = read_responses(value)
        name = table.source
        for column in ("class", "count"):
            if column not in table.data.columns:
                raise InputError(f"{name}, column {column}", "is required (columns: class, count; one row per class)")
        pairs = [
            (str(c).strip(), n, f"{name}, row {int(r)}, column count")
            for c, n, r in zip(table.data["class"], table.data["count"], table.rows, strict=True)
        ]
        where = name
    else:
        raise InputError(where, f"must be a file or a mapping of class (A, B, C, D) to count; got {value!r}")
    counts = dict.fromkeys(INFANT_CLASSES, 0)
    seen: set[str] = set()
    for cls, raw, place in pairs:
        if cls not in INFANT_CLASSES:
            raise InputError(place.replace("column count", "column class"), f"class must be A, B, C or D; got {cls!r}")
        if cls in seen:
            raise InputError(place.replace("column count", "column class"), f"class {cls} is given twice")
        seen.add(cls)
        counts[cls] = _count(raw, place)
    if sum(counts.values()) < 1:
        raise InputError(where, "the counts add up to 0; give at least one classified infant")
    return counts


def _count(raw: Any, place: str) -> int:
    try:
        number = float(raw)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(raw, bool) or not math.isfinite(number) or number < 0 or number != int(number):
        raise InputError(place, f"count must be a whole number >= 0; got {raw!r}")
    return int(number)


def read_couples(value: Any, where: str = "couples") -> dict[str, float]:
    """Couple-level summaries (:data:`COUPLE_SUMMARIES`) from a mapping or a one-row file."""
    if isinstance(value, str | os.PathLike):
        table = read_responses(value)
        if len(table.data) != 1:
            raise InputError(table.source, f"must have exactly one data row; got {len(table.data)}")
        items = [
            (str(k), v, f"{table.source}, row {int(table.rows[0])}, column {k}") for k, v in table.data.iloc[0].items()
        ]
        where = table.source
    elif isinstance(value, Mapping):
        items = [(str(k), v, f"{where}: {k}") for k, v in value.items()]
    else:
        raise InputError(where, f"must be a file or a mapping of {', '.join(COUPLE_SUMMARIES)}; got {value!r}")
    out: dict[str, float] = {}
    for key, raw, place in items:
        if key not in COUPLE_SUMMARIES:
            raise InputError(place, f"unknown couple summary; allowed: {', '.join(COUPLE_SUMMARIES)}")
        lo, hi, _ = COUPLE_SUMMARIES[key]
        try:
            number = float(raw)
        except (TypeError, ValueError):
            number = math.nan
        if isinstance(raw, bool) or not (math.isfinite(number) and lo <= number <= hi):
            raise InputError(place, f"must be a number in [{lo:g}, {hi:g}]; got {raw!r}")
        out[key] = number
    if not out:
        raise InputError(where, f"give at least one of {', '.join(COUPLE_SUMMARIES)}")
    return out
