"""Human labels for summary columns and sweep parameters, shared by reports, the CLI and the app.

Columns are looked up by name and a name without a label falls back to a readable form of
itself, so a column the model adds later still shows (never a KeyError).
"""

from __future__ import annotations

from collections.abc import Iterable

from iwm.measure._readout import AAI_CATEGORIES, ADULT_CATEGORIES, INFANT_CLASSES

_INFANT_NAMES = {"A": "avoidant", "B": "secure", "C": "resistant", "D": "disorganized"}

LABELS: dict[str, str] = {
    "arm": "arm",
    "point": "sweep point",
    "replicate": "replicate",
    **{f"infant_{k}": f"infants {k} ({_INFANT_NAMES.get(k, k)})" for k in INFANT_CLASSES},
    **{f"at18_{k}": f"{k} at 18" for k in ADULT_CATEGORIES},
    **{f"end_{k}": f"{k} at end" for k in ADULT_CATEGORIES},
    **{f"aai_{k}": f"AAI {k}" for k in AAI_CATEGORIES},
    "anxiety_mean_18": "anxiety at 18 (mean, 1-7)",
    "avoidance_mean_18": "avoidance at 18 (mean, 1-7)",
    "years": "adult years",
    "unresolved": "AAI unresolved",
    "anxiety_mean_end": "anxiety at end (mean, 1-7)",
    "avoidance_mean_end": "avoidance at end (mean, 1-7)",
    "anxiety_r": "anxiety stability (r)",
    "avoidance_r": "avoidance stability (r)",
    "anxiety_change": "anxiety change",
    "avoidance_change": "avoidance change",
    "insecure_to_secure": "insecure to secure",
    "anxious_anxiety_change": "anxious: anxiety change",
    "avoidant_avoidance_change": "avoidant: avoidance change",
    "partnered_end": "partnered at end",
    "satisfaction_mean": "satisfaction (mean)",
    "breakups_per_person": "breakups per person",
    "events_per_person": "life events per person",
    "pursue_withdraw_anxious_avoidant": "pursue-withdraw, anx.-avo. couples",
    "pursue_withdraw_secure": "pursue-withdraw, secure couples",
    "therapy_weeks": "weeks of therapy",
    "clients": "clients",
    "effect_anxiety": "anxiety d vs no sessions",
    "effect_avoidance": "avoidance d vs no sessions",
    "clients_anxiety_d": "anxiety d, therapy",
    "clients_avoidance_d": "avoidance d, therapy",
    "clients_anxiety_d_end": "anxiety d, to end",
    "clients_avoidance_d_end": "avoidance d, to end",
    "clients_secure_post": "secure after therapy",
    "clients_secure_end": "secure at end",
    "clients_relapse": "relapse",
    "clients_anxiety_change_end": "anxiety change, to end",
    "clients_avoidance_change_end": "avoidance change, to end",
    # pairings and sensitivity tables
    "pairing": "pairing",
    "couples": "couples",
    "expected": "expected at random",
    "satisfaction": "satisfaction",
    "conflict": "conflict",
    "breakups_per_year": "breakups per year",
    "pursue_withdraw": "pursue-withdraw",
    "output": "output",
    "parameter": "parameter",
}
"""Column name -> label. Shares (0-1) are labelled without a unit; tables format them as %."""

SHARE_PREFIXES = ("infant_", "at18_", "end_", "aai_", "clients_secure_")
SHARES = frozenset(
    {"unresolved", "insecure_to_secure", "partnered_end", "clients_relapse"}
    | {k for k in LABELS if k.startswith(SHARE_PREFIXES)}
)
"""Columns that are shares of people (formatted as percentages)."""


def label(column: str) -> str:
    """The human label of a summary column (a readable form of the name if it has none)."""
    return LABELS.get(column, column.replace("_", " "))


def parameter_label(path: str) -> str:
    """A sweep parameter's key path as a short label: ``adult.params.protest`` -> ``protest``,
    ``adult.mechanisms.projection`` -> ``projection (mechanism)``."""
    parts = path.split(".")
    name = parts[-1].replace("_", " ")
    if len(parts) >= 2 and parts[-2] not in ("params", "adult", "population"):
        return f"{name} ({parts[-2].rstrip('s')})"
    return name


def labels(columns: Iterable[str]) -> dict[str, str]:
    """``{column: label}`` for a table's columns (for ``DataFrame.rename``)."""
    return {c: label(str(c)) for c in columns}
