"""What the dashboard pages compute, without Streamlit: plain functions returning tables.

Each page script only lays out widgets and draws what these functions return, so the logic is
tested on its own (``tests/test_app_logic.py``) and the pages stay thin.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iwm._errors import InputError
from iwm.measure._people import person
from iwm.measure._readout import (
    AAI_CATEGORIES,
    ADULT_CATEGORIES,
    INFANT_CLASSES,
    SECURE_ADULT,
    anxiety,
    avoidance,
    categorize,
    organized_category,
)
from iwm.model._adult import Mechanisms
from iwm.model._caregiving import MIXES, CaregiverProfile, CaregivingMix
from iwm.model._life import WEEKS_PER_YEAR, pursue_withdraw_index
from iwm.model._life_events import LifeEventParams
from iwm.model._therapy import Components, Therapy
from iwm.study._couples import dyad
from iwm.study._life import live
from iwm.study._mixes import develop
from iwm.study._trials import clients_of_style, therapy_trial

Progress = Callable[[int, int], None]

T1_INFANT = {"A": 0.20, "B": 0.65, "C": 0.10, "D": 0.15}
"""Low-risk infants (van IJzendoorn et al. 1999; MODEL.md T1)."""
T3_AAI = {"secure": 0.58, "dismissing": 0.23, "preoccupied": 0.19}
"""Non-clinical adults' AAI classes (Bakermans-Kranenburg & van IJzendoorn 2009; MODEL.md T3)."""

MAX_UPLOAD_MB = 5
"""Largest questionnaire file the dashboard accepts, in MB (the upload widget's own limit, which
its label states; the file is held in memory, never written)."""
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
"""The same limit in bytes (Streamlit's MB are 1024 x 1024 bytes), checked again on scoring."""
MAX_UPLOAD_ROWS = 50_000


# ---------------------------------------------------------------- formation (C1-C5)


def custom_mix(sensitivity: float, consistency: float, rejection: float, frightening: float) -> CaregivingMix:
    """A mix of one caregiver profile with the given parameters (individual variation kept)."""
    profile = CaregiverProfile(
        sensitivity=sensitivity, consistency=consistency, rejection=rejection, frightening=frightening
    )
    return CaregivingMix("custom", ((1.0, profile),))


def formation(mix: str | CaregivingMix, n: int, seed: int, progress: Progress | None = None) -> dict[str, Any]:
    """Form ``n`` children under ``mix``: infant classes and adult styles, beside the published
    targets where they apply (T1 and T3 describe low-risk samples: only for the low-risk mix),
    and the adults in anxiety x avoidance space (a sample of at most 3000 points)."""
    if isinstance(mix, str) and mix not in MIXES:
        raise InputError("caregiving", f"one of {', '.join(MIXES)}; got {mix!r}")
    run = develop(mix, n=n, seed=seed, progress=progress)
    pop = run.population
    anx, avo = anxiety(pop), avoidance(pop)
    infant = run.infant_shares()
    organized = np.bincount(organized_category(anx, avo), minlength=3) / pop.n
    style = np.array(ADULT_CATEGORIES)[categorize(anx, avo)]
    take = np.linspace(0, pop.n - 1, min(pop.n, 3000)).round().astype(int)
    applies = mix == "low-risk"  # T1 and T3 describe low-risk, non-clinical samples only
    infant_table = pd.DataFrame({"class": INFANT_CLASSES, "model": [infant[k] for k in INFANT_CLASSES]})
    adult_table = pd.DataFrame({"class": AAI_CATEGORIES, "model at 18": organized})
    if applies:
        infant_table["published (T1)"] = [T1_INFANT[k] for k in INFANT_CLASSES]
        adult_table["published adults (T3)"] = [T3_AAI[k] for k in AAI_CATEGORIES]
    return {
        "infant": infant_table,
        "adult": adult_table,
        "targets_apply": applies,
        "styles": pd.Series(run.adult_shares(), name="share"),
        "space": pd.DataFrame({"avoidance": avo[take], "anxiety": anx[take], "style": style[take]}),
        "n": pop.n,
    }


# ---------------------------------------------------------------- a couple (C6-C24)


def resolve_person(spec: str | tuple[float, float]) -> Any:
    return person(spec)


def couple(
    a: str | tuple[float, float],
    b: str | tuple[float, float],
    *,
    days: int,
    seed: int,
    off: Sequence[str] = (),
) -> dict[str, Any]:
    """One couple day by day with every mechanism on, and again with ``off`` switched off (C21-C24).

    Returns both traces (long tables: day, partner, field, value) and a comparison table.
    """
    pa, pb = resolve_person(a), resolve_person(b)
    conditions = {"all mechanisms on": Mechanisms()}
    if off:
        conditions["without " + ", ".join(n.replace("_", " ") for n in off)] = Mechanisms().without(*off)
    traces, rows = {}, []
    for label, mech in conditions.items():
        frame = dyad(pa, pb, days=days, seed=seed, mechanisms=mech)
        traces[label] = frame
        rows.append(
            {
                "condition": label,
                "pursue-withdraw a->b": pursue_withdraw_index(
                    frame["bid_a"].to_numpy(), frame["withdrawal_b"].to_numpy()
                ),
                "mean distress a": float(frame["distress_a"].mean()),
                "mean distress b": float(frame["distress_b"].mean()),
                "satisfaction a (end)": float(frame["satisfaction_a"].iloc[-1]),
                "satisfaction b (end)": float(frame["satisfaction_b"].iloc[-1]),
                "anxiety a (end)": float(frame["anxiety_a"].iloc[-1]),
                "avoidance b (end)": float(frame["avoidance_b"].iloc[-1]),
            }
        )
    return {"traces": traces, "comparison": pd.DataFrame(rows)}


def panel(frame: pd.DataFrame, fields: Sequence[str]) -> pd.DataFrame:
    """Columns ``FIELD (a)``/``FIELD (b)`` over days, for a line chart."""
    out = pd.DataFrame({"day": frame["day"]})
    for f in fields:
        out[f"{f} (a)"] = frame[f"{f}_a"]
        out[f"{f} (b)"] = frame[f"{f}_b"]
    return out.set_index("day")


# ---------------------------------------------------------------- therapy (C25-C30)


def dose_response(
    style: str,
    *,
    n: int,
    weeks: Sequence[int],
    seed: int,
    without: Sequence[str] = (),
    events: bool = True,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """:func:`iwm.therapy_trial` as a table, one row per dose."""
    trial = therapy_trial(
        style,
        n=n,
        weeks=tuple(int(w) for w in weeks),
        seed=seed,
        without=tuple(without),
        events=LifeEventParams() if events else LifeEventParams(loss_rate=0, trauma_rate=0),
        progress=progress,
    )
    return pd.DataFrame(trial["doses"])


DOSE_LABELS = {
    "weeks": "weeks of therapy",
    "anxiety_d": "anxiety d",
    "avoidance_d": "avoidance d",
    "anxiety_change": "anxiety change",
    "avoidance_change": "avoidance change",
    "earned_secure": "secure at end of therapy",
    "earned_secure_follow_up": "secure a year later",
    "relapse": "relapse",
}
"""Human labels of :func:`dose_response`'s columns (a column without one keeps its name)."""


def therapy_course(
    style: str,
    *,
    n: int,
    weeks: int,
    seed: int,
    without: Sequence[str] = (),
    follow_up_years: float = 1.0,
    events: bool = True,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Clients' mean anxiety and avoidance and share secure every four weeks (and at the end of
    therapy), through therapy and a follow-up in which life events can pull former clients
    back (relapse)."""
    pop, clients = clients_of_style(style, n, seed)
    total = int(weeks) + round(follow_up_years * WEEKS_PER_YEAR)
    years = total / WEEKS_PER_YEAR
    at_weeks = sorted({*range(4, total + 1, 4), int(weeks), total} - {0})  # every 4 weeks, the end of therapy, the end
    marks = tuple(w / WEEKS_PER_YEAR for w in at_weeks)
    life = live(
        pop,
        years=years,
        seed=seed,
        therapy=Therapy(clients=clients, weeks=int(weeks), components=Components().without(*without)),
        events=LifeEventParams() if events else LifeEventParams(loss_rate=0, trauma_rate=0),
        snapshot_years=marks,
        progress=progress,
    )
    rows = [_client_row(0, anxiety(pop)[clients], avoidance(pop)[clients], weeks)]
    for at, snap in zip(marks, life.snapshots, strict=True):
        rows.append(_client_row(round(at * WEEKS_PER_YEAR), snap[0][clients], snap[1][clients], weeks))
    return pd.DataFrame(rows).set_index("week")


def _client_row(week: int, anx: np.ndarray, avo: np.ndarray, weeks: int) -> dict[str, Any]:
    return {
        "week": week,
        "phase": "therapy" if week <= weeks and weeks > 0 else "follow-up",
        "anxiety": float(anx.mean()),
        "avoidance": float(avo.mean()),
        "secure": float((categorize(anx, avo) == SECURE_ADULT).mean()),
    }


# ---------------------------------------------------------------- questionnaires


_CLI_HINTS = [
    (r"; rename them, or name yours with --item-columns or --mapping", "; rename the columns to these names"),
    (r"; name it with --id-column", "; type its name under 'Respondent id column'"),
    (r"; --lenient scores such cells as missing and lists them", "; tick 'Score invalid cells as missing' to go on"),
    (r" \(raise it with --max-(?:rows|bytes)\)", ""),
    (r": then pass --encoding utf-16\)", "; save it as UTF-8)"),
    (r" or name its encoding with --encoding \(e\.g\. --encoding cp1252\)", ""),
    (r";[^;]*--[a-z][a-z-]*[^;]*", ""),  # any other command-line hint
]


def in_dashboard_words(message: str) -> str:
    """An error message of the command line, with its option hints replaced by the dashboard's
    own controls (the dashboard has no ``--`` options)."""
    import re

    for pattern, replacement in _CLI_HINTS:
        message = re.sub(pattern, replacement, message)
    return message


def score_upload(data: bytes, name: str, instrument: str, id_column: str, lenient: bool = False) -> dict[str, Any]:
    """Score an uploaded questionnaire file held in memory (nothing is written to disk).

    Errors name the file, row and column, in the dashboard's words; ``lenient`` scores invalid
    cells as missing and lists them under ``problems``.
    """
    from iwm import measure

    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(name, f"{len(data):,} bytes, over the dashboard's limit of {MAX_UPLOAD_BYTES:,} bytes")
    try:
        table = measure.read_responses_bytes(data, name, max_rows=MAX_UPLOAD_ROWS, max_bytes=MAX_UPLOAD_BYTES)
        scored = measure.score(instrument, table, id_column=id_column, lenient=lenient)
    except InputError as exc:
        raise InputError(exc.where, in_dashboard_words(exc.problem)) from None
    stats = measure.sample_statistics(scored).to_dict()
    prefix = instrument.replace("-", "_")
    dims = None
    if f"{prefix}_anxiety" in scored.table:
        dims = pd.DataFrame(
            {
                "id": scored.table[id_column] if id_column in scored.table else np.arange(1, scored.n + 1),
                "anxiety": pd.to_numeric(scored.table[f"{prefix}_anxiety"], errors="coerce"),
                "avoidance": pd.to_numeric(scored.table[f"{prefix}_avoidance"], errors="coerce"),
            }
        )
    problems = pd.DataFrame([vars(p) for p in scored.problems]) if scored.problems else None
    return {"scored": scored.table, "stats": stats, "dimensions": dims, "problems": problems}


def sample_tables(stats: dict[str, Any]) -> dict[str, Any]:
    """A scored sample's statistics (``measure.sample_statistics(...).to_dict()``) as tables and
    sentences for the page, read by key so an instrument without a quantity just lacks it:
    ``subscales`` (mean, SD, scored, missing, alpha, omega), ``categories`` (share of each),
    ``notes`` (correlation, reliability estimators, category rule) and ``warnings``."""
    scores = stats.get("scores") or {}
    reliability = stats.get("reliability") or {}
    subscales = pd.DataFrame(
        [
            {
                "subscale": name,
                "mean": s.get("mean"),
                "SD": s.get("sd"),
                "scored": s.get("n_scored"),
                "missing": s.get("n_missing"),
                "alpha": (reliability.get(name) or {}).get("alpha"),
                "omega": (reliability.get(name) or {}).get("omega"),
            }
            for name, s in scores.items()
        ]
    )
    cats = stats.get("categories") or {}
    shares = cats.get("shares") or {}
    categories = pd.DataFrame({"category": list(shares), "share": list(shares.values())})
    notes = []
    for pair, r in (stats.get("correlation") or {}).items():
        if r is not None:
            notes.append(f"{pair.replace('_', '-')} correlation: {r:.2f}")
    if stats.get("reliability_estimators"):
        notes.append(f"Reliability: {stats['reliability_estimators']}.")
    if cats.get("rule"):
        notes.append(f"Categories: {cats['rule']}; {cats.get('note', 'research categories, never diagnoses')}.")
    warnings = list(stats.get("warnings") or [])
    return {"subscales": subscales, "categories": categories, "notes": notes, "warnings": warnings}


def scored_csv(table: pd.DataFrame) -> bytes:
    """The scored table as CSV bytes for a download (built in memory), with no cell that a
    spreadsheet would run as a formula."""
    from iwm.measure._io import csv_text

    return csv_text(table).encode("utf-8")


def respondent_forward(
    anxiety_score: float, avoidance_score: float, partner: str, *, days: int, seed: int
) -> pd.DataFrame:
    """A respondent placed into the model (C1, C2), living ``days`` with a typical partner."""
    return dyad(person((anxiety_score, avoidance_score)), person(partner), days=days, seed=seed)


# ---------------------------------------------------------------- runs


QUERY_SECONDS = 30.0
"""A query on the Runs page still running after this long is stopped (never a hung page)."""
MAX_REPORT_BYTES = 50 * 1024 * 1024
"""Largest report.html the Runs page shows."""


def within(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """``path`` resolved (links followed), if it lies inside the runs folder ``root``; else an
    InputError: the dashboard reads and writes nothing outside its runs folder, whatever a
    name, a path or a link in it says."""
    base = Path(root).resolve()
    target = Path(path)
    resolved = (target if target.is_absolute() else base / target).resolve()
    if resolved != base and not resolved.is_relative_to(base):
        raise InputError(str(path), f"is outside the runs folder {str(base)!r} (or links out of it); refused")
    return resolved


def list_runs(root: str | os.PathLike[str]) -> pd.DataFrame:
    """Run folders under ``root`` (one level down, or ``root`` itself), with their status.
    A folder that links out of ``root`` is left out."""
    from iwm.study._store import MANIFEST, open_run

    base = Path(root).resolve()  # folders below are absolute, so `within` never joins a relative root twice
    if not base.is_dir():
        return pd.DataFrame(columns=[*RUN_COLUMNS, "path"])
    folders = [base] if (base / MANIFEST).exists() else sorted(p for p in base.iterdir() if (p / MANIFEST).exists())
    rows = []
    for folder in folders:
        try:
            inside = within(base, folder)
            within(base, folder / MANIFEST)
            status = open_run(inside).status()
        except InputError:
            continue
        rows.append(
            {
                "run": folder.name,
                "kind": status["kind"],
                "name": status["name"],
                "tasks": status["tasks"],
                "done": status["done"],
                "report": (folder / "report.html").exists(),
                "path": str(inside),
            }
        )
    return pd.DataFrame(rows, columns=[*RUN_COLUMNS, "path"])


def open_listed_run(root: str | os.PathLike[str], name: str) -> Any:
    """The run folder ``name`` of the runs folder ``root``: a name :func:`list_runs` gives, never
    a path (``..``, ``/``) or a link out of ``root``."""
    from iwm.study._store import open_run

    runs = list_runs(root)
    if not isinstance(name, str) or name not in set(runs["run"]):
        raise InputError(str(name), f"is not a run folder of the runs folder {str(root)!r}")
    path = str(runs.set_index("run").loc[name, "path"])
    return open_run(within(root, path))


def report_text(root: str | os.PathLike[str], run: Any) -> str | None:
    """The run's report.html (None if there is none), read only if it lies inside ``root``."""
    from iwm._files import read_regular_file

    path = Path(run.path) / "report.html"
    if not path.exists() and not path.is_symlink():
        return None
    inside = within(root, path)
    return read_regular_file(inside, max_bytes=MAX_REPORT_BYTES, what="report").decode("utf-8", errors="replace")


def write_run_report(root: str | os.PathLike[str], run: Any) -> Path:
    """Write the run's report.html, only inside ``root`` (a report that is a link is replaced by
    the file, never written through)."""
    from iwm.study._run_report import write_report

    folder = within(root, run.path)
    target = folder / "report.html"
    if target.is_symlink():
        target.unlink()  # the link itself, inside the run folder
    within(root, target)
    return write_report(folder, target)


RUN_COLUMNS = ["run", "kind", "name", "tasks", "done", "report"]
