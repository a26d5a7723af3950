"""A study as a file: the scenario schema, its validation, and the tasks it stands for.

A scenario names everything :func:`iwm.develop` and :func:`iwm.live` take (population and
caregiving, formation, adult years, mechanisms, life events, therapy arms), what to record
and how often, the number of replicates and the seed. It is validated when it is read: an
error names the file, the key path, the rule and the value received.

A scenario stands for ``arms x replicates`` tasks. Every task of replicate ``r`` draws from
the same task seed, split from the scenario seed by the replicate's identity, so arms differ
only by their treatment (common random numbers), and a task's results never depend on which
machine or worker ran it.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import json
import os
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pydantic
from pydantic import BaseModel, ConfigDict, Field

from iwm import _yaml
from iwm._errors import InputError
from iwm.measure._people import STYLES
from iwm.measure._readout import AdultReadout, InfantReadout
from iwm.model._adult import AdultParams, Mechanisms
from iwm.model._blocks import MAX_N
from iwm.model._caregiving import MIXES, TransmissionParams
from iwm.model._formation import FormationParams
from iwm.model._life_events import LifeEventParams
from iwm.model._params import Params, Switches
from iwm.model._priming import PrimeParams
from iwm.model._rng import MAX_SEED
from iwm.model._therapy import Components, TherapyParams
from iwm.study._mixes import mix_from_mapping

STUDY_STREAM = 9
"""Seed-sequence stream of task seeds (other streams: see :mod:`iwm.model._rng`)."""

_STRICT = ConfigDict(extra="forbid", frozen=True)


@functools.cache
def section_model(cls: type[Params] | type[Switches]) -> type[BaseModel]:
    """A pydantic model with the fields, defaults and ranges of a parameter or switch set.

    The ranges are declared once, on the dataclass; this only restates them for validation
    of files, so an error names the full key path.
    """
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if issubclass(cls, Switches):
            fields[f.name] = (pydantic.StrictBool, Field(default=f.default))
            continue
        spec = f.metadata.get("range")
        if spec is None:
            continue
        lo, hi = spec
        kind = pydantic.StrictInt if f.metadata.get("integer") else float
        fields[f.name] = (kind, Field(default=f.default, ge=lo, le=hi, description=f.metadata["doc"], strict=False))
    name = f"{cls.__name__}Section"
    model = pydantic.create_model(name, __config__=_STRICT, __module__=__name__, **fields)
    globals()[name] = model  # importable by name, so scenarios pickle to worker processes
    return model


def _section(cls: type[Params] | type[Switches]) -> Any:
    model = section_model(cls)  # type: ignore[arg-type]
    return Annotated[model, Field(default_factory=model)]


def build(cls: type[Any], section: BaseModel) -> Any:
    """The parameter or switch set a validated section stands for."""
    return cls(**section.model_dump())


class CaregivingSection(BaseModel):
    """A caregiving mix written out: weights of caregiver profiles (see :func:`iwm.load_mix`)."""

    model_config = _STRICT
    name: str = "custom"
    components: list[dict[str, Any]]


MixSpec = str | CaregivingSection


class PopulationSection(BaseModel):
    model_config = _STRICT
    n: Annotated[int, Field(ge=1, le=MAX_N, strict=True)] = 20_000
    caregiving: MixSpec | None = None
    parents: MixSpec | None = None
    formation: _section(FormationParams)  # type: ignore[valid-type]
    infant_readout: _section(InfantReadout)  # type: ignore[valid-type]
    transmission: _section(TransmissionParams)  # type: ignore[valid-type]

    @pydantic.field_validator("caregiving", "parents")
    @classmethod
    def _known_mix(cls, spec: MixSpec | None) -> MixSpec | None:
        if isinstance(spec, str) and spec not in MIXES and not spec.endswith((".yaml", ".yml", ".toml")):
            raise ValueError(f"must be one of {', '.join(MIXES)}, a .yaml/.toml mix file or a mapping; got {spec!r}")
        return spec

    def mix_source(self, where: str = "scenario") -> tuple[str, Any]:
        """``("caregiving" | "parents", mix)`` where mix is a name, a file path or a CaregivingMix."""
        which, spec = ("parents", self.parents) if self.parents is not None else ("caregiving", self.caregiving)
        if spec is None:
            spec = "low-risk"
        if isinstance(spec, CaregivingSection):
            return which, mix_from_mapping(spec.model_dump(), where=f"{where}: population.{which}")
        return which, spec


class AdultSection(BaseModel):
    model_config = _STRICT
    years: Annotated[float, Field(ge=0, le=80)] = 5.0
    params: _section(AdultParams)  # type: ignore[valid-type]
    mechanisms: _section(Mechanisms)  # type: ignore[valid-type]
    readout: _section(AdultReadout)  # type: ignore[valid-type]
    events: Annotated[section_model(LifeEventParams) | None, Field()] = None  # type: ignore[valid-type]
    """Negative life events and relapse; ``null`` (the default) for none."""


class ClientsSection(BaseModel):
    """Who is in therapy: people of these styles at 18, every k-th of them for ``share``."""

    model_config = _STRICT
    styles: list[Literal[tuple(STYLES)]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: ["preoccupied", "dismissing", "fearful"], min_length=1
    )
    share: Annotated[float, Field(gt=0, le=1)] = 1.0


class TherapySection(BaseModel):
    model_config = _STRICT
    clients: ClientsSection = Field(default_factory=ClientsSection)
    start_year: Annotated[float, Field(ge=0, le=80)] = 0.0
    weeks: Annotated[int, Field(ge=0, le=1040, strict=True)] = 20
    components: _section(Components)  # type: ignore[valid-type]
    params: _section(TherapyParams)  # type: ignore[valid-type]


class PrimeSection(BaseModel):
    """A reminder of a secure figure (security priming): who, on which day, how strong."""

    model_config = _STRICT
    people: ClientsSection = Field(
        default_factory=lambda: ClientsSection(styles=["secure", "preoccupied", "dismissing", "fearful"])
    )
    day: Annotated[int, Field(ge=0, le=80 * 364, strict=True)] = 0
    params: _section(PrimeParams)  # type: ignore[valid-type]


class ArmSection(BaseModel):
    model_config = _STRICT
    name: Annotated[str, Field(min_length=1, max_length=80)]
    therapy: TherapySection | None = None
    prime: PrimeSection | None = None


class TrajectoryRecorder(BaseModel):
    """Anxiety and avoidance of a fixed sample of people, every ``every_years``."""

    model_config = _STRICT
    every_years: Annotated[float, Field(gt=0, le=80)] = 1.0
    sample: Annotated[int, Field(ge=0, le=1_000_000, strict=True)] = 1000


Score = Annotated[float, Field(ge=1, le=7)]
PersonSpec = Literal[tuple(STYLES)] | tuple[Score, Score]  # type: ignore[valid-type]
"""A typical person of a style, or ``[anxiety, avoidance]`` on the ECR metric (1-7)."""


class CoupleRecorder(BaseModel):
    """A fixed couple, recorded day by day (C6-C15): each partner a typical person of a style
    or ``[anxiety, avoidance]``."""

    model_config = _STRICT
    a: PersonSpec  # type: ignore[valid-type]
    b: PersonSpec  # type: ignore[valid-type]
    days: Annotated[int, Field(ge=1, le=3650, strict=True)] = 120

    def label(self) -> str:
        return "-".join(p if isinstance(p, str) else f"({p[0]:g},{p[1]:g})" for p in (self.a, self.b))


class Recorders(BaseModel):
    model_config = _STRICT
    people: bool = True
    """One row per person: styles and dimensions at 18 and at the end, partner, therapy."""
    pairings: bool = True
    """Couples by pairing: observed, random-expected, satisfaction, conflict, pursue-withdraw."""
    trajectories: TrajectoryRecorder | None = Field(default_factory=TrajectoryRecorder)
    couples: list[CoupleRecorder] = Field(default_factory=list)


class Execution(BaseModel):
    """How the task is computed: never what it computes (results are bit-identical)."""

    model_config = _STRICT
    chunk_size: Annotated[int, Field(ge=1, le=MAX_N, strict=True)] = 32768
    backend: Literal["numpy", "numba"] | None = None
    """``numpy`` (the reference implementation) or ``numba`` (the fused kernels); none: the
    fastest installed (:func:`iwm.model._blocks.check_backend`)."""


class Scenario(BaseModel):
    """A study: who, how they are raised, how long they live as adults, which arms, what to record."""

    model_config = _STRICT
    name: Annotated[str, Field(min_length=1, max_length=120)] = "study"
    description: str = ""
    seed: Annotated[int, Field(ge=0, le=MAX_SEED, strict=True)] = 0
    replicates: Annotated[int, Field(ge=1, le=10_000, strict=True)] = 1
    population: PopulationSection = Field(default_factory=lambda: PopulationSection.model_validate({}))
    adult: AdultSection | None = Field(default_factory=lambda: AdultSection.model_validate({}))
    arms: list[ArmSection] = Field(default_factory=lambda: [ArmSection(name="all")], min_length=1)
    recorders: Recorders = Field(default_factory=Recorders)
    execution: Execution = Field(default_factory=Execution)

    def problems(self) -> list[tuple[str, str]]:
        """Rules that tie sections together: ``(key path, problem)`` for each one broken."""
        out = []
        if self.population.caregiving is not None and self.population.parents is not None:
            pop = self.population
            out.append(
                (
                    "population",
                    "give `caregiving` or `parents`, not both; "
                    f"got caregiving {_shown(pop.caregiving)} and parents {_shown(pop.parents)}",
                )
            )
        seen: set[str] = set()
        years = self.adult.years if self.adult is not None else 0.0
        for i, arm in enumerate(self.arms):
            if arm.name in seen:
                out.append((f"arms[{i}].name", f"arm names must be unique; got {arm.name!r} twice"))
            seen.add(arm.name)
            if arm.therapy is None:
                continue
            if self.adult is None:
                out.append((f"arms[{i}].therapy", "therapy needs adult years, but `adult` is null"))
            elif arm.therapy.start_year >= years:
                out.append(
                    (
                        f"arms[{i}].therapy.start_year",
                        f"must be before the end of the adult years ({years:g}); got {arm.therapy.start_year:g}",
                    )
                )
        if self.recorders.couples and self.adult is None:
            out.append(("recorders.couples", "couples live adult days, but `adult` is null"))
        return out

    def tasks(self) -> list[TaskSpec]:
        """Every (arm, replicate) of this scenario, in a fixed order."""
        seeds = replicate_seeds(self.seed, self.replicates)
        return [
            TaskSpec(index=i * len(self.arms) + j, arm=j, replicate=i, seed=seeds[i])
            for i in range(self.replicates)
            for j in range(len(self.arms))
        ]

    def digest(self) -> str:
        """A fingerprint of the validated content (defaults filled in)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _shown(spec: MixSpec | None) -> str:
    return repr(spec) if isinstance(spec, str) else f"a mix {spec.name!r}" if spec is not None else "none"


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    index: int
    arm: int
    replicate: int
    seed: int
    point: int = 0


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """The task seed of each replicate: split from the scenario seed by replicate number."""
    out = []
    for r in range(replicates):
        state = np.random.SeedSequence(entropy=seed, spawn_key=(STUDY_STREAM, r)).generate_state(1, np.uint64)
        out.append(int(state[0]) & MAX_SEED)
    return out


# ---------------------------------------------------------------- reading and errors


def _path_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "" or not part.isprintable() or part != part.strip():
            out += f".{part!r}" if out else repr(part)  # a key the user left empty, or with a line break
        elif part in ("str", "CaregivingSection") or any(ch in part for ch in "[]()"):
            continue  # pydantic's name for a branch of a union, not a key the user wrote
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _model_at(loc: tuple[Any, ...], root: type[BaseModel]) -> type[BaseModel] | None:
    """The schema model that holds the last key of ``loc`` (for listing the allowed keys)."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _problem(error: Mapping[str, Any], root: type[BaseModel]) -> str:
    """The rule broken and the value received, in words."""
    msg = str(error["msg"])
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]  # our own validators name the value already
    if error["type"] == "extra_forbidden":
        model = _model_at(tuple(error["loc"]), root)
        allowed = f"; allowed: {', '.join(model.model_fields)}" if model is not None else ""
        return f"unknown key{allowed}"
    return f"{msg[0].lower()}{msg[1:]}; got {error['input']!r}"


def explain(exc: pydantic.ValidationError, where: str, root: type[BaseModel] | None = None) -> InputError:
    """The first problem of a validation error as an InputError naming the key path."""
    errors = exc.errors()
    # a union reports one error per branch: prefer the one that went deepest
    first = max(errors, key=lambda e: len([p for p in e["loc"] if not str(p)[:1].isupper()]))
    first = errors[0] if len(errors) == 1 else first
    path = _path_text(first["loc"])
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return InputError(f"{where}: {path}", f"{_problem(first, root or Scenario)}{more}")


def scenario_from_mapping(data: Any, where: str = "scenario", base_dir: Path | None = None) -> Scenario:
    """Validate a scenario mapping. Mix files it names (relative to ``base_dir``, default the
    working folder) are read now and written into the scenario, so a run records the mix
    itself and does not depend on where it is started from."""
    if not isinstance(data, Mapping):
        raise InputError(where, f"must be a mapping of scenario keys; got {type(data).__name__}")
    data = _inline_mix_files(data, base_dir if base_dir is not None else Path.cwd(), where)
    try:
        scenario = Scenario.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        raise explain(exc, where) from None
    problems = scenario.problems()
    if problems:
        path, problem = problems[0]
        raise InputError(f"{where}: {path}", problem)
    scenario.population.mix_source(where)  # an inline mix is checked now, not when a task runs
    return scenario


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file safely, with limits on size, aliases and depth (:mod:`iwm._yaml`);
    errors name the file, and a key given twice is an error."""
    return _yaml.read_yaml(path)


def load_scenario(path: str | os.PathLike[str], overrides: Overrides = ()) -> Scenario:
    """Read and validate a scenario file. Mix files it names are read relative to it.

    ``overrides`` sets key paths after reading (``{"adult.years": 2, "arms[1].therapy.weeks":
    30}``), validated like the file; see :func:`with_overrides`.
    """
    p = Path(path)
    scenario = scenario_from_mapping(read_yaml(p), str(p), p.parent)
    return with_overrides(scenario, overrides, str(p), p.parent)


def _inline_mix_files(data: Mapping[str, Any], base: Path, where: str) -> Mapping[str, Any]:
    """``population.caregiving: my-mix.yaml`` becomes the mix itself (``{name, components}``)."""
    from iwm.study._mixes import read_mix_file

    if not isinstance(data.get("population"), Mapping):
        return data
    out = copy.deepcopy(dict(data))
    pop = dict(out["population"])
    for key in ("caregiving", "parents"):
        spec = pop.get(key)
        if isinstance(spec, str) and spec.endswith((".yaml", ".yml", ".toml")):
            path = Path(spec) if Path(spec).is_absolute() else base / spec
            try:
                mix = read_mix_file(path)
            except InputError as exc:
                raise InputError(f"{where}: population.{key}", f"{exc.where}: {exc.problem}") from None
            if isinstance(mix, Mapping):
                mix = {"name": path.stem, **mix}
            pop[key] = mix
    out["population"] = pop
    return out


# ---------------------------------------------------------------- key paths (for sweeps)

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")


def split_path(path: str) -> list[str | int]:
    """``"arms[1].therapy.weeks"`` -> ``["arms", 1, "therapy", "weeks"]``."""
    parts: list[str | int] = []
    for piece in path.split("."):
        m = _KEY.fullmatch(piece)
        if m is None:
            raise ValueError(f"not a key path: {path!r}")
        parts.append(m.group(1))
        if m.group(2) is not None:
            parts.append(int(m.group(2)))
    return parts


def get_path(data: Any, path: str) -> Any:
    node = data
    for part in split_path(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            raise KeyError(path) from None
    return node


def with_values(data: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of a scenario mapping with each key path set to its value."""
    out = copy.deepcopy(dict(data))
    for path, value in values.items():
        parts = split_path(path)
        node: Any = out
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return out


# ---------------------------------------------------------------- overrides (iwm run --set)


@dataclasses.dataclass(frozen=True)
class Override:
    """One key path set from outside the file: ``--set adult.years=3`` or ``--n 500``."""

    label: str
    """What the user wrote, named in errors (``--set adult.years=3``, ``--n``)."""
    path: str
    value: Any


Overrides = Mapping[str, Any] | typing.Sequence[Override]


def parse_override(item: str) -> Override:
    """``"adult.params.protest=0.3"`` -> an Override; the value is read as a YAML scalar."""
    label = f"--set {item}"
    key, eq, text = item.partition("=")
    key = key.strip()
    if not eq or not key:
        raise InputError(label, "must be KEY=VALUE with a key path (e.g. adult.params.protest=0.3)")
    try:
        split_path(key)
    except ValueError:
        example = "e.g. adult.params.protest or arms[1].therapy.weeks"
        raise InputError(label, f"{key!r} is not a key path ({example})") from None
    try:
        value = _yaml.load_yaml(text, label) if text.strip() else None
    except InputError as exc:
        raise InputError(label, f"the value is {exc.problem}; got {text!r}") from None
    if isinstance(value, Mapping | list):
        raise InputError(label, f"the value must be a YAML scalar (a number, true/false, null or text); got {text!r}")
    if not isinstance(value, str | int | float | bool | type(None)):
        value = text.strip()  # a date or other YAML type: the text as written
    return Override(label, key, value)


def as_overrides(overrides: Overrides) -> list[Override]:
    if isinstance(overrides, Mapping):
        return [Override(f"overrides {path}={value!r}", path, value) for path, value in overrides.items()]
    return list(overrides)


def with_overrides(scenario: Scenario, overrides: Overrides, where: str, base_dir: Path | None = None) -> Scenario:
    """The scenario with each key path set to its value, validated as if the file said so.

    A missing or null section on the way is created (``--set adult.events.loss_rate=0.1``
    turns life events on); a list index must exist. An error names the override (its
    ``label``), the rule and the value; a rule that ties sections together names the file
    and the overrides.
    """
    items = as_overrides(overrides)
    if not items:
        return scenario
    data = scenario.model_dump(mode="json")
    seen: dict[tuple[str | int, ...], str] = {}
    for item in items:
        try:
            parts = tuple(split_path(item.path))
        except ValueError:
            raise InputError(item.label, f"{item.path!r} is not a key path (e.g. adult.params.protest)") from None
        if parts in seen:
            raise InputError(item.label, f"sets {item.path} again (already set by {seen[parts]})")
        seen[parts] = item.label
        _set_path(data, list(parts), item)
    try:
        return scenario_from_mapping(data, where, base_dir)
    except InputError as exc:
        path = exc.where[len(where) + 2 :] if exc.where.startswith(f"{where}: ") else ""
        culprit = _override_at(path, items)
        if culprit is None:
            given = ", ".join(i.label if "=" in i.label else f"{i.label} {i.value!r}" for i in items)
            raise InputError(f"{exc.where} (with {given})", exc.problem) from None
        shown = "" if _same_path(path, culprit.path) else f"{path}: "
        raise InputError(culprit.label, f"{shown}{exc.problem}") from None


def _set_path(data: dict[str, Any], parts: list[str | int], item: Override) -> None:
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list):
                raise InputError(item.label, f"{_join(parts[:i])} is not a list, so [{part}] names nothing in it")
            if part >= len(node):
                raise InputError(item.label, f"{_join(parts[:i])} has {len(node)} item(s); got index {part}")
        elif not isinstance(node, dict):
            raise InputError(item.label, f"{_join(parts[:i])} is a value, not a section; got {node!r}")
        if last:
            node[part] = item.value
            return
        if isinstance(part, str) and node.get(part) is None:
            node[part] = {}  # a missing or null section is created, as if written in the file
        node = node[part]


def _join(parts: typing.Sequence[str | int]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if k else p) for k, p in enumerate(parts))


def _same_path(a: str, b: str) -> bool:
    try:
        return split_path(a) == split_path(b)
    except ValueError:
        return False


def _override_at(path: str, items: typing.Sequence[Override]) -> Override | None:
    """The override an error at ``path`` is about: one on the path, or one below it."""
    try:
        where = split_path(path)
    except ValueError:
        return None
    for item in reversed(items):  # the last one set wins, as it did in the data
        mine = split_path(item.path)
        n = min(len(mine), len(where))
        if mine[:n] == where[:n]:
            return item
    return None
