"""Questionnaire scoring: cell validation, reverse keying, the missing-data rule, subscale scores
and research categories. Pure functions over DataFrames and arrays; no file I/O here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from iwm._errors import InputError, ParameterError
from iwm.measure._keys import CATEGORIES, Instrument, instrument

#: Person-mean imputation is used when at most this share of a subscale's items is missing;
#: otherwise the score is missing (20% is a common convention, e.g. Downey & King 1998; for the
#: 18-item ECR-R subscales it allows 3 missing items, for the 6-item ECR-S subscales 1).
MAX_MISSING_SHARE = 0.2

#: Cell texts read as "no answer" (compared case-insensitively after stripping blanks).
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "."})

Cut = Literal["midpoint", "median"] | float


@dataclass(frozen=True, kw_only=True, eq=False)
class ResponseTable:
    """Respondents' answers as read from a file, with where each row came from.

    ``rows`` holds the file row number of each respondent (the header is row 1 in text files and
    spreadsheets; Parquet records are numbered from 1); ``header_row`` is None where the format
    has no header row of its own.
    """

    data: pd.DataFrame
    source: str
    rows: np.ndarray
    header_row: int | None = 1
    encoding: str | None = None

    def __post_init__(self) -> None:
        if len(self.rows) != len(self.data):
            raise ParameterError("rows", f"one row number per respondent ({len(self.data)})", len(self.rows))


@dataclass(frozen=True, kw_only=True)
class CellProblem:
    """One invalid cell: where it is, what it held and the rule it broke."""

    source: str
    row: int
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        return f"{self.source}, row {self.row}, column {self.column}: {self.value!r} {self.rule}"


@dataclass(frozen=True, kw_only=True, eq=False)
class Categorization:
    """Research categories (never diagnoses) of a sample, with the rule that produced them."""

    labels: np.ndarray  # object array: one of CATEGORIES or None
    rule: str
    anxiety_cut: float | None = None
    avoidance_cut: float | None = None

    def shares(self) -> dict[str, float]:
        """Share of each category among the categorized respondents (NaN when none are)."""
        counts = {c: int(np.sum(self.labels == c)) for c in CATEGORIES}
        total = sum(counts.values())
        return {c: (k / total if total else math.nan) for c, k in counts.items()}

    @property
    def n_categorized(self) -> int:
        return int(sum(label is not None for label in self.labels))


@dataclass(frozen=True, kw_only=True, eq=False)
class ScoredSample:
    """The result of :func:`score`.

    ``table`` is the respondents' file, every original column unchanged and in order, with the
    score columns appended. ``keyed`` holds the item answers after reverse keying (NaN where
    missing or, with ``lenient``, invalid), one column per canonical item; reliability is
    computed from it. ``problems`` lists the invalid cells that ``lenient`` turned into missing.
    """

    instrument: Instrument
    table: pd.DataFrame
    keyed: pd.DataFrame
    scores: pd.DataFrame
    categorization: Categorization
    problems: tuple[CellProblem, ...] = field(default=())
    source: str = "data"

    @property
    def n(self) -> int:
        return len(self.table)


def score_column(inst: Instrument, what: str) -> str:
    """Name of an added output column, e.g. ``ecr_r_anxiety`` or ``rq_category``."""
    return f"{inst.name.replace('-', '_')}_{what}"


def _where(source: str, row: int | None = None, column: object = None) -> str:
    parts = [source]
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


def _as_table(responses: ResponseTable | pd.DataFrame, source: str | None) -> ResponseTable:
    if isinstance(responses, ResponseTable):
        return responses
    if not isinstance(responses, pd.DataFrame):
        raise ParameterError("responses", "a pandas DataFrame or a ResponseTable", type(responses).__name__)
    # An in-memory frame has no file rows: respondents are numbered from 1 under a header row 0.
    return ResponseTable(
        data=responses, source=source or "data", rows=np.arange(1, len(responses) + 1), header_row=None
    )


def resolve_columns(
    inst: Instrument,
    available: Sequence[str],
    columns: Sequence[str] | Mapping[str | int, str] | None,
    *,
    source: str,
    header_row: int | None,
) -> list[str]:
    """The respondents' column holding each canonical column, in canonical order.

    ``columns`` is None (the file uses the canonical names), a sequence of the file's names in
    canonical order (``--item-columns``), or a mapping from canonical name or 1-based item number
    to the file's name (``--mapping``).
    """
    want = inst.columns
    present = set(available)
    if columns is None:
        chosen = list(want)
        absent = [c for c in want if c not in present]
        if absent:
            found = len(want) - len(absent)
            if found == 0:
                problem = (
                    f"no {inst.name} item columns: expected {len(want)} columns named "
                    f"{want[0]}..{want[-1]}; rename them, or name yours with "
                    "--item-columns or --mapping"
                )
            else:
                problem = (
                    f"missing ({found} of the {len(want)} {inst.name} item columns "
                    f"{want[0]}..{want[-1]} found; absent: {', '.join(absent[:6])}"
                    f"{', ...' if len(absent) > 6 else ''})"
                )
            raise InputError(_where(source, header_row, absent[0]), problem)
        return chosen
    if isinstance(columns, Mapping):
        chosen_by: dict[str, str] = {}
        for key, value in columns.items():
            name = _canonical_name(inst, key)
            if name is None:
                raise InputError(
                    f"mapping key {key!r}", f"not an {inst.name} item (use {want[0]}..{want[-1]} or 1..{len(want)})"
                )
            if name in chosen_by:
                raise InputError(f"mapping key {key!r}", f"{name} is mapped twice")
            chosen_by[name] = str(value)
        absent = [c for c in want if c not in chosen_by]
        if absent:
            raise InputError(
                f"mapping key {absent[0]}",
                f"missing: the mapping must name the column of each of the "
                f"{len(want)} {inst.name} items ({len(absent)} absent)",
            )
        chosen = [chosen_by[c] for c in want]
    else:
        chosen = [str(c) for c in columns]
        if len(chosen) != len(want):
            raise InputError(
                _where(source, header_row),
                f"--item-columns names {len(chosen)} columns; {inst.name} needs {len(want)}, "
                f"in the order {want[0]}..{want[-1]}",
            )
    seen: dict[str, str] = {}
    for canonical, name in zip(want, chosen, strict=True):
        if name not in present:
            raise InputError(_where(source, header_row, name), f"no such column (given for {canonical})")
        if name in seen:
            raise InputError(_where(source, header_row, name), f"given for both {seen[name]} and {canonical}")
        seen[name] = canonical
    return chosen


def _canonical_name(inst: Instrument, key: str | int) -> str | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int) or (isinstance(key, str) and key.strip().isdigit()):
        number = int(key)
        return inst.columns[number - 1] if 1 <= number <= len(inst.columns) else None
    return key if key in inst.columns else None


def _is_missing_cell(cell: object) -> bool:
    return cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell))


def _parse_ratings(values: pd.Series, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """Cells -> (float answers, NaN where missing or bad; rule index per cell, -1 where fine).

    Rule index: 0 not a number, 1 not a whole number, 2 outside the range.
    """
    n = len(values)
    rule = np.full(n, -1, dtype=np.int8)
    if pd.api.types.is_bool_dtype(values.dtype):
        rule[:] = 0
        return np.full(n, np.nan), rule
    if pd.api.types.is_numeric_dtype(values.dtype):
        number = values.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(number)
    elif pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        # Text files give strings: parse the whole column at once.
        text = values.astype(object)
        absent = text.isna().to_numpy()
        stripped = text.where(~absent, "").astype(str).str.strip()
        missing = absent | stripped.str.lower().isin(MISSING_TOKENS).to_numpy()
        number = pd.to_numeric(stripped.where(~missing, None), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        rule[~missing & np.isnan(number)] = 0
    else:
        # Spreadsheets give typed cells of mixed kinds; anything not a number or text is no rating.
        number = np.full(n, np.nan)
        missing = np.zeros(n, dtype=bool)
        for i, cell in enumerate(values.to_numpy(dtype=object)):
            if _is_missing_cell(cell):
                missing[i] = True
            elif isinstance(cell, str):
                if cell.strip().lower() in MISSING_TOKENS:
                    missing[i] = True
                else:
                    parsed = pd.to_numeric(pd.Series([cell.strip()]), errors="coerce").iloc[0]
                    number[i] = float(parsed)
                    if math.isnan(number[i]):
                        rule[i] = 0
            elif isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, (bool, np.bool_)):
                number[i] = float(cell)
            else:
                rule[i] = 0
    with np.errstate(invalid="ignore"):
        checkable = ~missing & (rule < 0) & ~np.isnan(number)
        whole = np.isfinite(number) & (np.floor(number) == number)
        in_range = (number >= low) & (number <= high)
    rule[checkable & ~whole] = 1
    rule[checkable & whole & ~in_range] = 2
    good = checkable & whole & in_range
    out = np.full(n, np.nan)
    out[good] = number[good]
    return out, rule


def _cell_text(value: object) -> str:
    return value if isinstance(value, str) else repr(value)


def _mean_rule(keyed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean item score with person-mean imputation (at most MAX_MISSING_SHARE items missing).

    Imputing a person's missing items by the mean of their answered items of the same subscale
    leaves that mean unchanged, so the score is the mean of the answered items.
    """
    k = keyed.shape[1]
    answered = ~np.isnan(keyed)
    n_missing = k - answered.sum(axis=1)
    allowed = math.floor(MAX_MISSING_SHARE * k + 1e-9)
    total = np.where(answered, keyed, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / answered.sum(axis=1)
    return np.where(n_missing <= allowed, mean, np.nan), n_missing


def _contrast_rule(keyed: np.ndarray, signs: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Signed sum of ratings; a contrast needs every rating (20% of 4 items allows none)."""
    n_missing = np.isnan(keyed).sum(axis=1)
    return keyed @ np.asarray(signs, dtype=float), n_missing


def categorize(
    anxiety: np.ndarray | Sequence[float],
    avoidance: np.ndarray | Sequence[float],
    *,
    cut: Cut = "midpoint",
    midpoint: float = 4.0,
) -> Categorization:
    """ECR quadrant rule: research categories from anxiety and avoidance scores.

    A score is *high* when it lies strictly above the cut: low anxiety and low avoidance ->
    secure; high anxiety only -> preoccupied; high avoidance only -> dismissing; both high ->
    fearful (the four-category model of Bartholomew & Horowitz 1991 read on the two ECR
    dimensions, Brennan, Clark & Shaver 1998). The cut is the scale midpoint (4 on the 1-7
    ECR metric) by default, the sample median of each dimension with ``cut="median"``, or a
    given number. These are research categories for describing samples, never diagnoses.
    """
    anx = np.asarray(anxiety, dtype=float)
    avo = np.asarray(avoidance, dtype=float)
    if anx.shape != avo.shape or anx.ndim != 1:
        raise ParameterError("anxiety, avoidance", "1-D arrays of equal length", (anx.shape, avo.shape))
    if isinstance(cut, str):
        if cut == "midpoint":
            anx_cut = avo_cut = float(midpoint)
            rule = f"quadrant rule, cut at the scale midpoint {midpoint:g} (high = above the cut)"
        elif cut == "median":
            anx_cut = float(np.nanmedian(anx)) if np.any(~np.isnan(anx)) else math.nan
            avo_cut = float(np.nanmedian(avo)) if np.any(~np.isnan(avo)) else math.nan
            rule = "quadrant rule, cut at each dimension's sample median (high = above the cut)"
        else:
            raise ParameterError("cut", "'midpoint', 'median' or a number", cut)
    elif isinstance(cut, (int, float)) and not isinstance(cut, bool) and math.isfinite(cut):
        anx_cut = avo_cut = float(cut)
        rule = f"quadrant rule, cut at {cut:g} (high = above the cut)"
    else:
        raise ParameterError("cut", "'midpoint', 'median' or a finite number", cut)
    high_anx = anx > anx_cut
    high_avo = avo > avo_cut
    labels = np.full(anx.shape, None, dtype=object)
    known = ~np.isnan(anx) & ~np.isnan(avo)
    labels[known & ~high_anx & ~high_avo] = "secure"
    labels[known & high_anx & ~high_avo] = "preoccupied"
    labels[known & ~high_anx & high_avo] = "dismissing"
    labels[known & high_anx & high_avo] = "fearful"
    return Categorization(labels=labels, rule=rule, anxiety_cut=anx_cut, avoidance_cut=avo_cut)


def score(
    instrument_: Instrument | str,
    responses: ResponseTable | pd.DataFrame,
    *,
    id_column: str = "id",
    columns: Sequence[str] | Mapping[str | int, str] | None = None,
    cut: Cut = "midpoint",
    lenient: bool = False,
    source: str | None = None,
) -> ScoredSample:
    """Score respondents' answers on an attachment questionnaire.

    Each cell must be empty (or NA) or a whole number in the instrument's range; reversed items
    are keyed as ``low + high - answer``. A subscale score is the mean keyed item score when at
    most 20% of its items are missing (person-mean imputation), else missing with the reason in
    the ``*_note`` column. The RQ dimensions are Griffin & Bartholomew's (1994) contrasts and need
    all four ratings. An invalid cell raises :class:`InputError` naming file, row and column;
    with ``lenient=True`` it becomes missing and is listed in ``problems``.
    """
    inst = instrument(instrument_)
    table = _as_table(responses, source)
    data, src = table.data, table.source
    if isinstance(cut, str) and cut not in ("midpoint", "median"):
        raise ParameterError("cut", "'midpoint', 'median' or a number", cut)
    if not isinstance(id_column, str):
        raise ParameterError("id_column", "a column name", id_column)
    names = [str(c) for c in data.columns]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(_where(src, table.header_row, dup), "column name appears twice")
    if len(data) == 0:
        raise InputError(src, "no respondents: the file has a header but no data rows")
    if id_column not in names:
        raise InputError(
            _where(src, table.header_row, id_column),
            "no such id column; name it with --id-column "
            f"(columns: {', '.join(names[:8])}{', ...' if len(names) > 8 else ''})",
        )
    chosen = resolve_columns(inst, names, columns, source=src, header_row=table.header_row)
    if id_column in chosen:
        raise InputError(_where(src, table.header_row, id_column), "the id column cannot also be an item column")
    rows = np.asarray(table.rows)
    _check_ids(data[id_column], rows, src, id_column)

    answers = np.full((len(data), inst.n_items), np.nan)
    rules = np.full((len(data), len(chosen)), -1, dtype=np.int8)
    span = f"{inst.low}-{inst.high}"
    rule_texts = [
        f"is not a number (answers are whole numbers {span})",
        f"is not a whole number (answers are whole numbers {span})",
        f"is outside the response range {span}",
    ]
    for j, name in enumerate(chosen[: inst.n_items]):
        answers[:, j], rules[:, j] = _parse_ratings(data[name], inst.low, inst.high)
    choice = None
    if inst.choice_column is not None:
        choice, rules[:, -1] = _parse_choice(inst, data[chosen[-1]])
        rule_texts.append(
            "is not a forced choice (secure, fearful, preoccupied, dismissing; or A-D / 1-4 in that order)"
        )
    # Bad cells in file order (row, then the instrument's column order).
    bad_rows, bad_cols = np.nonzero(rules >= 0)
    if len(bad_rows) and not lenient:
        i, j = int(bad_rows[0]), int(bad_cols[0])
        more = len(bad_rows) - 1
        extra = f" ({more} more invalid cell{'s' if more > 1 else ''})" if more else ""
        value = _cell_text(data[chosen[j]].iloc[i])
        raise InputError(
            _where(src, int(rows[i]), chosen[j]),
            f"{value!r} {rule_texts[rules[i, j]]}{extra}; --lenient scores such cells as missing and lists them",
        )
    problems = tuple(
        CellProblem(
            source=src,
            row=int(rows[i]),
            column=chosen[j],
            value=_cell_text(data[chosen[j]].iloc[i]),
            rule=rule_texts[rules[i, j]],
        )
        for i, j in zip(bad_rows.tolist(), bad_cols.tolist(), strict=True)
    )

    keyed = answers.copy()
    for item in range(1, inst.n_items + 1):
        if inst.is_reversed(item):
            keyed[:, item - 1] = inst.low + inst.high - keyed[:, item - 1]

    added: dict[str, np.ndarray] = {}
    notes: list[list[str]] = [[] for _ in range(len(data))]
    score_values: dict[str, np.ndarray] = {}
    for sub in inst.subscales:
        block = keyed[:, [i - 1 for i in sub.items]]
        if sub.contrast is None:
            values, n_missing = _mean_rule(block)
            allowed = math.floor(MAX_MISSING_SHARE * len(sub.items) + 1e-9)
            reason = (
                f"{sub.name} missing: {{m}} of {len(sub.items)} items unanswered (more than {allowed}, i.e. over 20%)"
            )
        else:
            values, n_missing = _contrast_rule(block, sub.contrast)
            reason = f"{sub.name} missing: {{m}} of {len(sub.items)} ratings unanswered (the contrast needs all four)"
        for i in np.flatnonzero(np.isnan(values)).tolist():
            notes[i].append(reason.format(m=int(n_missing[i])))
        score_values[sub.name] = values
        added[score_column(inst, sub.name)] = values
        added[score_column(inst, f"{sub.name}_n_missing")] = n_missing.astype(np.int64)

    if inst.has_quadrants:
        categorization = categorize(
            score_values["anxiety"], score_values["avoidance"], cut=cut, midpoint=(inst.low + inst.high) / 2
        )
    else:
        assert choice is not None  # only the RQ has no quadrant rule, and it has a choice
        categorization = Categorization(
            labels=choice,
            rule="RQ forced choice of the best-fitting prototype (Bartholomew & Horowitz 1991)",
        )
        for i in np.flatnonzero(np.array([c is None for c in choice], dtype=bool)).tolist():
            notes[i].append("category missing: no valid forced choice")
    added[score_column(inst, "category")] = categorization.labels
    added[score_column(inst, "note")] = np.array(["; ".join(n) for n in notes], dtype=object)

    clash = [name for name in added if name in names]
    if clash:
        raise InputError(
            _where(src, table.header_row, clash[0]), "the file already has this column, which scoring adds; rename it"
        )
    scores = pd.DataFrame({id_column: data[id_column].to_numpy(), **added}, index=data.index)
    out = data.copy()
    for name, column in added.items():
        out[name] = column
    keyed_frame = pd.DataFrame(keyed, columns=list(inst.item_columns), index=data.index)
    return ScoredSample(
        instrument=inst,
        table=out,
        keyed=keyed_frame,
        scores=scores,
        categorization=categorization,
        problems=problems,
        source=src,
    )


def _check_ids(ids: pd.Series, rows: np.ndarray, source: str, column: str) -> None:
    """Every respondent needs a non-empty id that no other row has (ids compared stripped)."""
    values = ids.astype(object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        keys = values.where(values.notna(), "").astype(str).str.strip()
        empty = (keys == "").to_numpy()
    else:
        keys = values
        empty = values.map(_is_missing_cell).to_numpy(dtype=bool)
    duplicate = keys.duplicated(keep="first").to_numpy() & ~empty
    bad = np.flatnonzero(empty | duplicate)
    if not len(bad):
        return
    i = int(bad[0])
    where = _where(source, int(rows[i]), column)
    if empty[i]:
        raise InputError(where, "empty id")
    first = int(np.flatnonzero((keys == keys.iloc[i]).to_numpy())[0])
    raise InputError(where, f"duplicate id {_cell_text(ids.iloc[i])!r} (first at row {int(rows[first])})")


def _parse_choice(inst: Instrument, values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """RQ forced choice -> (category name or None, rule index 3 where invalid else -1).

    Accepts the category names, the RQ paragraph letters A-D and the numbers 1-4 (A/1 secure,
    B/2 fearful, C/3 preoccupied, D/4 dismissing: the order of the RQ form).
    """
    labels = np.full(len(values), None, dtype=object)
    rule = np.full(len(values), -1, dtype=np.int8)
    for i, cell in enumerate(values.to_numpy(dtype=object)):
        if _is_missing_cell(cell):
            continue
        if isinstance(cell, (bool, np.bool_)):
            rule[i] = 3
            continue
        if isinstance(cell, (float, np.floating)) and float(cell).is_integer():
            text = str(int(cell))
        else:
            text = str(cell).strip().lower()
        if text in MISSING_TOKENS:
            continue
        label = text if text in CATEGORIES else inst.choice_codes.get(text)
        if label is None:
            rule[i] = 3
        else:
            labels[i] = label
    return labels, rule
