"""Property-based fuzzing (hypothesis) of every door a user's input comes through: scenario
YAML, mix files, questionnaire files, SQL over a run and numeric command-line options.

Each generated case must end in a clean iwm error (:class:`~iwm._errors.IwmError`, which the
command line prints as one line) or in a correct result; any other exception is a traceback a
user would see, and fails the test. Every case runs in-process in milliseconds; the settings
are derandomized, so CI sees the same cases on every run. Together the tests below generate
more than 10,000 cases (``test_the_suite_generated_enough_cases`` counts them).
"""

from __future__ import annotations

import atexit
import itertools
import json
import math
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import iwm
from iwm import _yaml
from iwm._errors import IwmError
from iwm.cli import app
from iwm.measure import INSTRUMENTS, read_responses_bytes, score
from iwm.study._mixes import mix_from_mapping
from iwm.study._scenario import Scenario, scenario_from_mapping

CASES: Counter[str] = Counter()
"""Generated cases per test of this module (checked by the last test)."""

PLANNED = {
    "yaml_text": 2500,
    "yaml_documents": 1200,
    "scenario_mappings": 2500,
    "mix_mappings": 1500,
    "questionnaire_bytes": 2500,
    "questionnaire_tables": 100,
    "sql": 200,
    "cli_score_limits": 120,
    "cli_dyad_numbers": 80,
}
MIN_CASES = 10_000
assert sum(PLANNED.values()) >= MIN_CASES


def fuzz(name: str) -> Any:
    """Settings for one fuzz test: its planned number of cases, deterministic, no deadline."""
    return settings(
        max_examples=PLANNED[name],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def count(name: str) -> None:
    CASES[name] += 1


FOLDER = Path(tempfile.mkdtemp(prefix="iwm-fuzz-"))
atexit.register(shutil.rmtree, FOLDER, ignore_errors=True)
"""A folder with no mix files in it: a scenario naming one gets 'file not found', as it should."""

# ---------------------------------------------------------------- values a user might type
# Lean strategies: a case costs a handful of draws, so ten thousand of them run in seconds.

NUMBERS = st.one_of(
    st.integers(min_value=-3, max_value=30),
    st.sampled_from([-(2**70), 2**63, 10**9, 50_000_001, 0.5, -0.0, 1e-300, 1e308, math.nan, math.inf, -math.inf]),
    st.floats(allow_nan=True, allow_infinity=True),
)
WORDS = ["", " ", "low-risk", "high-risk", "secure", "anxious", "x.yaml", "mix.toml", "/dev/zero.yaml", "1e400",
         "0x1F", "\n", "é", "null", "~", "=1+1", "a" * 200, "../x.yaml", "True", "7", "-1"]  # fmt: skip
SCALARS = st.one_of(NUMBERS, st.sampled_from([True, False, None, *WORDS]), st.characters())
STRUCTS = st.sampled_from(
    [[], {}, [1, 2], [[]], {"a": 1}, {"n": {"n": 1}}, [None], ["secure", "x"], [7.5, 1.0], {"": None}, [[[[1]]]]]
)
VALUES = st.recursive(
    SCALARS | STRUCTS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "n", ""]), inner, max_size=3),
    max_leaves=4,
)


def _leaves(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _leaves(v, f"{prefix}.{k}" if prefix else k)] + (
            [prefix] if prefix else []
        )
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _leaves(v, f"{prefix}[{i}]")] + [prefix]
    return [prefix]


def _rich_scenario() -> dict[str, Any]:
    """A scenario with every section filled in, to list every key path a user can write."""
    full = Scenario.model_validate(
        {
            "arms": [{"name": "a"}, {"name": "b", "therapy": {}}],
            "adult": {"events": {}},
            "recorders": {"couples": [{"a": "secure", "b": [2.0, 3.0]}]},
        }
    )
    return full.model_dump(mode="json")


RICH = _rich_scenario()
KEY_PATHS = sorted(set(_leaves(RICH)) | {"population.caregiving", "population.parents", "adult", "arms[2]"})


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` (``a.b[1].c``) in ``data``, making the sections on the way."""
    import re

    parts: list[str | int] = []
    for piece in path.split("."):
        name, *index = re.findall(r"[^\[\]]+", piece)
        parts += [name, *(int(i) for i in index)]
    node: Any = data
    for part, nxt in itertools.pairwise(parts):
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append({})
            if not isinstance(node[part], (dict, list)):
                node[part] = empty
            node = node[part]
        else:
            if not isinstance(node.get(part), (dict, list)):
                node[part] = empty
            node = node[part]
    last = parts[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


@st.composite
def scenario_mappings(draw: Any) -> dict[str, Any]:
    """A scenario as a user might write it: a few key paths of the schema, each with a value
    of the right kind (from a valid scenario) or anything at all, now and then a stray key."""
    data: dict[str, Any] = {}
    for path in draw(st.lists(st.sampled_from(KEY_PATHS), min_size=1, max_size=4, unique=True)):
        try:
            value = draw(st.just(_get(RICH, path)) | SCALARS | STRUCTS)
            _set(data, path, value)
        except (TypeError, KeyError, IndexError, AttributeError):
            continue  # a path that crosses a value set just before: skip it
    if draw(st.booleans()):
        data[draw(st.sampled_from(["unknown", "n ", "Seed", ""]))] = draw(SCALARS)
    return data


def _get(data: Any, path: str) -> Any:
    from iwm.study._scenario import get_path

    try:
        return get_path(data, path)
    except KeyError:
        return None


def clean_or(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args)``, or None when it raised a clean iwm error; any other exception fails."""
    try:
        return fn(*args, **kwargs)
    except IwmError as exc:
        assert str(exc).strip() and "\n" not in str(exc).strip("\n"), repr(exc)  # one line, never empty
        return None


# ---------------------------------------------------------------- YAML


YAML_PIECES = st.sampled_from(
    ["&a ", "*a", "*b", "&b ", "[", "]", "{", "}", ": ", "- ", "\n", "  ", "!!str ", "!!python/object:os.system ",
     "<<: *a", "? ", "'", '"', "#", "%YAML 1.1\n", "---\n", "...\n", "|\n", ">\n", "\t", "\x00", "\ufeff", "1e400",
     "population", "n", "seed", "arms", "adult", "caregiving", "~", "null", "yes", ".inf", "0o17", "0x1F"]
)  # fmt: skip


@fuzz("yaml_text")
@given(st.lists(YAML_PIECES | st.characters(), max_size=14).map("".join))
def test_yaml_text_gives_a_value_or_a_clean_error(text):
    count("yaml_text")
    data = clean_or(_yaml.load_yaml, text, "s.yaml")
    if isinstance(data, dict):
        clean_or(scenario_from_mapping, data, "s.yaml", FOLDER)


@fuzz("yaml_documents")
@given(VALUES.filter(lambda v: v == v), st.integers(min_value=0, max_value=400), YAML_PIECES)
def test_yaml_documents_round_trip_or_their_mutants_fail_cleanly(value, at, piece):
    count("yaml_documents")
    try:
        text = yaml.safe_dump(value, allow_unicode=True)
    except yaml.YAMLError:
        return
    loaded = _yaml.load_yaml(text, "s.yaml")
    same = json.dumps(loaded, sort_keys=True, default=str) == json.dumps(value, sort_keys=True, default=str)
    assert same or _has_nan(value) or _awkward(value)  # what PyYAML writes, the safe loader reads back
    mutant = text[:at] + piece + text[at:]
    clean_or(_yaml.load_yaml, mutant, "s.yaml")


def _awkward(value: Any) -> bool:
    """Text PyYAML's own writer does not round-trip (line and paragraph separators, controls)."""
    import unicodedata

    text = json.dumps(value, ensure_ascii=False, default=str)
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cf") or ch == "\x85" for ch in text)


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return False


# ---------------------------------------------------------------- scenarios and mixes


@fuzz("scenario_mappings")
@given(scenario_mappings())
def test_scenario_mappings_validate_or_fail_cleanly(data):
    count("scenario_mappings")
    scenario = clean_or(scenario_from_mapping, data, "s.yaml", FOLDER)
    if scenario is not None:
        again = Scenario.model_validate(scenario.model_dump(mode="json"))
        assert again.digest() == scenario.digest()  # a run stores it and reads it back unchanged
        for key in ("seed", "replicates"):
            if key in data:
                assert getattr(scenario, key) == data[key]


MIX_KEYS = ["weight", "profile", "sensitivity", "consistency", "rejection", "frightening", "spread", "other"]
MIX_ITEM = st.dictionaries(
    st.sampled_from(MIX_KEYS),
    st.sampled_from(["sensitive", "rejecting", "inconsistent", "frightening", "nope", 0.5, 0.25, 1]) | SCALARS,
    max_size=4,
)


@fuzz("mix_mappings")
@given(st.fixed_dictionaries({"components": st.lists(MIX_ITEM, max_size=3) | SCALARS}, optional={"name": SCALARS}))
def test_mix_mappings_validate_or_fail_cleanly(data):
    count("mix_mappings")
    mix = clean_or(mix_from_mapping, data, "mix.yaml")
    if mix is not None:
        weights = [w for w, _ in mix.components]
        assert math.isclose(sum(weights), 1.0, abs_tol=1e-6) and all(0 <= w <= 1 for w in weights)


# ---------------------------------------------------------------- questionnaire files


@fuzz("questionnaire_bytes")
@given(st.binary(max_size=400), st.sampled_from([".csv", ".tsv", ".xlsx", ".parquet", ".txt", ""]))
def test_any_bytes_as_a_questionnaire_file_read_or_fail_cleanly(raw, suffix):
    count("questionnaire_bytes")
    table = clean_or(read_responses_bytes, raw, f"answers{suffix}", max_rows=50)
    if table is not None:
        assert len(table.data) <= 50 and len(table.rows) == len(table.data)


ECR_S = INSTRUMENTS["ecr-s"]
CELL = st.one_of(
    st.sampled_from([str(v) for v in range(1, 8)]),
    st.sampled_from(["", " 4", "4.0", "8", "0", "-1", "x", "=1+1", "nan", "7 ", "٣", "1e0", "\u00a0"]),
)


@fuzz("questionnaire_tables")
@given(
    st.lists(st.lists(CELL, min_size=12, max_size=12), min_size=1, max_size=6),
    st.booleans(),
    st.sampled_from([",", "\t"]),
    st.sampled_from(["utf-8", "utf-16", "cp1252"]),
)
def test_questionnaire_tables_score_correctly_or_fail_cleanly(rows, lenient, sep, encoding):
    count("questionnaire_tables")
    header = sep.join(["id", *ECR_S.columns])
    body = "\n".join(sep.join([f"p{i}", *cells]) for i, cells in enumerate(rows))
    name = "answers.csv" if sep == "," else "answers.tsv"
    raw = (header + "\n" + body + "\n").encode(encoding, errors="replace")
    table = clean_or(read_responses_bytes, raw, name, encoding=encoding if encoding != "utf-8" else None)
    if table is None:
        return
    scored = clean_or(score, ECR_S, table, lenient=lenient)
    if scored is None:
        return
    for i, cells in enumerate(rows):
        if all(c in {str(v) for v in range(1, 8)} for c in cells):
            for sub in ECR_S.subscales:
                values = [int(cells[k - 1]) for k in sub.items]
                keyed = [8 - v if k in sub.reversed_items else v for v, k in zip(values, sub.items, strict=True)]
                got = float(scored.table[f"ecr_s_{sub.name}"].iloc[i])
                assert got == pytest.approx(sum(keyed) / len(keyed))  # the published key (Wei et al. 2007)


# ---------------------------------------------------------------- SQL over a run


@pytest.fixture(scope="module")
def tiny_run():
    scenario = {"population": {"n": 60}, "adult": {"years": 0.02}, "recorders": {"trajectories": None}}
    return iwm.run_scenario(scenario, FOLDER / "run", workers=1)


SQL_PIECES = st.sampled_from(
    ["SELECT", " * ", " FROM ", "summary", "people", "tasks", "pairings", " WHERE ", " 1=1 ", ";", " ; ",
     "--", "/*", "*/", "'", '"', "(", ")", ",", " count(*) ", " AS ", " n ", " ORDER BY 1", " LIMIT 3",
     "COPY", " TO '/tmp/x.csv'", "ATTACH ':memory:'", "read_csv('/etc/passwd')", "PRAGMA version", "INSTALL httpfs",
     "SET enable_external_access = true", "CREATE TABLE t AS SELECT 1", "DROP VIEW people", "1/0", "NULL", "\n"]
)  # fmt: skip


@fuzz("sql")
@given(st.lists(SQL_PIECES | st.characters(), max_size=10).map("".join) | st.integers(-(2**62), 2**62))
def test_sql_over_a_run_gives_a_table_or_a_clean_error(tiny_run, sql):
    count("sql")
    if isinstance(sql, int):  # a query whose answer is known
        assert tiny_run.query(f"SELECT {sql} AS x; -- one value")["x"].tolist() == [sql]
        return
    result = clean_or(tiny_run.query, sql)
    assert result is None or isinstance(result, pd.DataFrame)


# ---------------------------------------------------------------- numeric command-line options


def option_text() -> st.SearchStrategy[str]:
    """What a user may type where a number is wanted."""
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.integers(min_value=-2, max_value=12).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(["", " ", "nan", "inf", "-0", "1_000", "0x10", "1e3", "٣", "3 ", "+5", "--1"]),
    )


ANSWERS = FOLDER / "answers.csv"
ANSWERS.write_text(
    "id," + ",".join(ECR_S.columns) + "\n" + "".join(f"p{i}," + ",".join(["4"] * 12) + "\n" for i in range(5))
)


def invoke(args: list[str]) -> Any:
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert isinstance(result.exception, IwmError), f"{args}: {result.exception!r}"
    return result


@fuzz("cli_score_limits")
@given(option_text(), option_text())
def test_score_limits_on_the_command_line(max_rows, max_bytes):
    count("cli_score_limits")
    result = invoke(["score", "ecr-s", str(ANSWERS), "--json", "--max-rows", max_rows, "--max-bytes", max_bytes])
    if result.exit_code == 0:
        summary = json.loads(result.stdout)
        assert summary["n"] == 5 and float(max_rows) >= 5 and float(max_bytes) >= ANSWERS.stat().st_size


@fuzz("cli_dyad_numbers")
@given(option_text(), option_text(), st.sampled_from(["1", "2", "0", "-1", "x", "4000"]))
def test_dyad_person_and_days_on_the_command_line(anxiety, avoidance, days):
    count("cli_dyad_numbers")
    trace = FOLDER / "trace.parquet"
    args = ["dyad", "-o", str(trace), "--force", "--json", "--days", days, "--a", f"{anxiety},{avoidance}"]
    result = invoke(args)
    if result.exit_code == 0:
        person = json.loads(result.stdout)["a"]
        placed = (person["anxiety_start"], person["avoidance_start"])
        if "placed at the nearest state the model produces" in result.stderr:  # said, and still on the scale
            assert all(1 <= v <= 7 for v in placed)
        else:  # the person starts exactly where the scores put them
            assert placed == pytest.approx((float(anxiety), float(avoidance)), abs=1e-4)
        assert json.loads(result.stdout)["days"] == float(days)


# ---------------------------------------------------------------- the total


def test_the_suite_generated_enough_cases():
    if set(CASES) != set(PLANNED):
        pytest.skip("only part of the fuzz suite ran")
    assert sum(CASES.values()) >= MIN_CASES, CASES
    print(f"fuzz cases: {sum(CASES.values()):,} ({dict(CASES)})")
