"""A sweep as a file: a base scenario, the parameters to vary, and a design.

Designs:

``grid``
    every combination of each parameter's ``values``.
``sobol``
    Saltelli's extension of a scrambled Sobol' sequence (SALib; Saltelli 2002, Saltelli et
    al. 2010): ``samples x (parameters + 2)`` points, for first-order and total indices.
``morris``
    Morris (1991) elementary-effects trajectories with the improved spread of Campolongo et
    al. (2007): ``samples x (parameters + 1)`` points.

Each point runs every arm and replicate of the base scenario; replicate r draws the same
seed at every point (common random numbers), so the differences between points come from
the parameters, not from sampling noise.
"""

from __future__ import annotations

import copy
import itertools
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pydantic
from pydantic import BaseModel, ConfigDict, Field

from iwm._errors import InputError
from iwm.study._scenario import (
    Overrides,
    Scenario,
    as_overrides,
    explain,
    get_path,
    read_yaml,
    scenario_from_mapping,
    split_path,
    with_overrides,
    with_values,
)

_STRICT = ConfigDict(extra="forbid", frozen=True)

MAX_POINTS = 10_000
"""Most points a design may have (each is a validated scenario, checked before any task runs)."""
MAX_TASKS = 100_000
"""Most tasks (points x arms x replicates) a sweep may have."""

DEFAULT_OUTPUTS = (
    "end_secure",
    "anxiety_mean_end",
    "avoidance_mean_end",
    "anxiety_r",
    "insecure_to_secure",
    "partnered_end",
    "pursue_withdraw_anxious_avoidant",
)


class Design(BaseModel):
    model_config = _STRICT
    method: Literal["grid", "sobol", "morris"] = "grid"
    samples: Annotated[int, Field(ge=1, le=100_000, strict=True)] = 8
    """Sobol: base sample N (a power of two is best); Morris: trajectories."""
    levels: Annotated[int, Field(ge=2, le=64, strict=True)] = 4
    """Morris: grid levels."""
    seed: Annotated[int, Field(ge=0, le=2**32 - 1, strict=True)] = 0
    """Seed of the design's own sampling (not of the simulations)."""


class Parameter(BaseModel):
    model_config = _STRICT
    values: list[Any] | None = Field(default=None, min_length=1)
    low: float | None = None
    high: float | None = None

    @pydantic.model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        if self.values is None and (self.low is None or self.high is None):
            raise ValueError("give `values` (a list) or both `low` and `high`")
        if self.values is not None and (self.low is not None or self.high is not None):
            raise ValueError("give `values` or `low`/`high`, not both")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"`low` must be below `high`; got low {self.low:g}, high {self.high:g}")
        return self


class SweepSpec(BaseModel):
    """A sweep: which scenario, which parameters (key paths into it), which design."""

    model_config = _STRICT
    name: Annotated[str, Field(min_length=1, max_length=120)] = "sweep"
    scenario: str | dict[str, Any]
    """A scenario file (relative to the sweep file) or the scenario itself."""
    design: Design = Field(default_factory=Design)
    parameters: dict[str, Parameter] = Field(min_length=1)
    outputs: list[str] = Field(default_factory=lambda: list(DEFAULT_OUTPUTS), min_length=1)

    def problem(self) -> dict[str, Any]:
        """The SALib problem: names and bounds of the parameters."""
        return {
            "num_vars": len(self.parameters),
            "names": list(self.parameters),
            "bounds": [[p.low, p.high] for p in self.parameters.values()],
        }


class Sweep:
    """A validated sweep: the base scenario, the points and the scenario of each point."""

    def __init__(
        self,
        spec: SweepSpec,
        base: dict[str, Any],
        where: str,
        base_where: str,
        base_dir: Path | None = None,
        overrides: Overrides = (),
        sweep_dir: Path | None = None,
    ) -> None:
        self.spec, self.base, self.where = spec, base, where
        self.sweep_dir = sweep_dir if sweep_dir is not None else base_dir
        self.base_scenario = scenario_from_mapping(base, base_where, base_dir)
        self._check_overrides(as_overrides(overrides))
        self.base_scenario = with_overrides(self.base_scenario, overrides, base_where, base_dir)
        self._check_outputs()
        self._check_paths()
        self._check_size()
        self.samples = self._design()
        self.points = [dict(zip(spec.parameters, row, strict=True)) for row in self.samples]
        self.scenarios = [self._scenario_at(i, point) for i, point in enumerate(self.points)]

    def _check_overrides(self, overrides: list[Any]) -> None:
        """A swept parameter takes its values from the design, so it cannot also be set."""
        swept = {tuple(split_path(path)): path for path in self.spec.parameters if _is_path(path)}
        for item in overrides:
            if _is_path(item.path) and tuple(split_path(item.path)) in swept:
                problem = f"{item.path} is a parameter of the sweep ({self.where}); its values come from the design"
                raise InputError(item.label, problem)

    def _check_outputs(self) -> None:
        from iwm.study._task import OUTCOMES

        for i, output in enumerate(self.spec.outputs):
            if output not in OUTCOMES:
                raise InputError(
                    f"{self.where}: outputs[{i}]",
                    f"not a summary column; got {output!r}; columns: {', '.join(OUTCOMES)}",
                )
        d = self.spec.design
        if d.method == "sobol" and d.samples & (d.samples - 1):
            raise InputError(
                f"{self.where}: design.samples", f"must be a power of 2 for a Sobol' design; got {d.samples}"
            )

    def _check_paths(self) -> None:
        full = self.base_scenario.model_dump(mode="json")
        for path, param in self.spec.parameters.items():
            where = f"{self.where}: parameters.{path}"
            try:
                split_path(path)
                value = get_path(full, path)
            except (ValueError, KeyError):
                raise InputError(where, f"is not a key path of the scenario{_null_section(full, path)}") from None
            if isinstance(value, dict | list):
                raise InputError(where, "names a section, not a single parameter")
            if param.values is None and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise InputError(where, f"low/high need a numeric parameter; this one is {value!r}")
            if self.spec.design.method == "grid" and param.values is None:
                raise InputError(where, "a grid design needs `values` for every parameter")
            if self.spec.design.method != "grid" and param.values is not None:
                raise InputError(where, f"a {self.spec.design.method} design needs `low` and `high`, not `values`")

    def size(self) -> int:
        """The number of points of the design, computed without drawing it."""
        d, params = self.spec.design, self.spec.parameters
        if d.method == "grid":
            return math.prod(len(p.values or []) for p in params.values())
        return d.samples * (len(params) + (2 if d.method == "sobol" else 1))

    def _check_size(self) -> None:
        """Refuse a design too large to run before anything is allocated (a grid of ten
        parameters with ten values each is ten billion points)."""
        points = self.size()
        d = self.spec.design
        shape = (
            " x ".join(str(len(p.values or [])) for p in self.spec.parameters.values())
            if d.method == "grid"
            else f"{d.samples} samples x {len(self.spec.parameters) + (2 if d.method == 'sobol' else 1)}"
        )
        where = f"{self.where}: design"
        if points > MAX_POINTS:
            raise InputError(where, f"a {d.method} of {shape} = {points:,} points, over the limit of {MAX_POINTS:,}")
        per_point = len(self.base_scenario.arms) * self.base_scenario.replicates
        if points * per_point > MAX_TASKS:
            raise InputError(
                where,
                f"{points:,} points x {per_point:,} tasks each (arms x replicates) = {points * per_point:,} tasks, "
                f"over the limit of {MAX_TASKS:,}",
            )

    def _design(self) -> list[list[Any]]:
        d, params = self.spec.design, self.spec.parameters
        if d.method == "grid":
            columns = [_one_kind(p.values or []) for p in params.values()]
            return [list(row) for row in itertools.product(*columns)]
        problem = self.spec.problem()
        if d.method == "sobol":
            from SALib.sample import sobol

            x = sobol.sample(problem, d.samples, calc_second_order=False, seed=d.seed)
        else:
            from SALib.sample import morris

            x = morris.sample(problem, d.samples, num_levels=d.levels, seed=d.seed)
        full = self.base_scenario.model_dump(mode="json")
        integer = [isinstance(get_path(full, path), int) for path in params]
        return [[int(np.rint(v)) if isint else float(v) for v, isint in zip(row, integer, strict=True)] for row in x]

    def _scenario_at(self, i: int, point: Mapping[str, Any]) -> Scenario:
        """The scenario of one point, validated in full now (the rules between sections, and
        any mix file a parameter names, read relative to the sweep file), so a bad point stops
        the sweep before its first task, not in the middle."""
        data = with_values(self.base_scenario.model_dump(mode="json"), point)
        return scenario_from_mapping(data, f"{self.where}: point {i} {dict(point)}", self.sweep_dir)

    def describe(self) -> dict[str, Any]:
        return {
            "spec": self.spec.model_dump(mode="json"),
            "points": [dict(p) for p in self.points],
        }


def _null_section(full: Mapping[str, Any], path: str) -> str:
    """Why a path is missing when a section on the way is null (``adult: null``), else an example."""
    parts = path.split(".")
    for i in range(1, len(parts)):
        head = ".".join(parts[:i])
        try:
            if get_path(full, head) is None:
                return f": `{head}` is null in it"
        except KeyError:
            break
    return " (e.g. adult.params.protest)"


def _is_path(path: str) -> bool:
    try:
        split_path(path)
    except ValueError:
        return False
    return True


def _one_kind(values: list[Any]) -> list[Any]:
    """A grid column of one type: whole numbers stay ints, numbers mixed with fractions become
    floats (so a column of the summary table has one type), other values are kept."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) == len(values) and any(isinstance(v, float) for v in values):
        return [float(v) for v in values]
    return list(values)


def sweep_from_mapping(
    data: Any, where: str = "sweep", base_dir: Path | None = None, overrides: Overrides = ()
) -> Sweep:
    """Validate a sweep mapping; ``overrides`` set key paths of its base scenario (see
    :func:`iwm.study._scenario.with_overrides`)."""
    if not isinstance(data, Mapping):
        raise InputError(where, f"must be a mapping with keys scenario, parameters, design; got {type(data).__name__}")
    try:
        spec = SweepSpec.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        raise explain(exc, where, SweepSpec) from None
    if isinstance(spec.scenario, str):
        path = Path(spec.scenario)
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        base = read_yaml(path)
        where_base = str(path)
        scenario_dir: Path | None = path.parent
    else:
        base = copy.deepcopy(spec.scenario)
        where_base = f"{where}: scenario"
        scenario_dir = base_dir
    if not isinstance(base, Mapping):
        raise InputError(f"{where}: scenario", "must be a mapping or a scenario file")
    return Sweep(spec, dict(base), where, where_base, scenario_dir, overrides, base_dir)


def load_sweep(path: str | os.PathLike[str], overrides: Overrides = ()) -> Sweep:
    """Read and validate a sweep file; ``overrides`` set key paths of its base scenario."""
    p = Path(path)
    return sweep_from_mapping(read_yaml(p), str(p), base_dir=p.parent, overrides=overrides)


def sensitivity(summary: Any, sweep: Mapping[str, Any], seed: int = 0) -> Any:
    """Sensitivity indices from a sweep's summary table (pandas), per arm and output.

    Replicates are averaged per point first. Sobol: first-order ``S1`` and total ``ST``
    indices with 95% bootstrap intervals; Morris: ``mu_star`` (mean absolute elementary
    effect), ``sigma`` and ``mu_star_conf``; grid: the spread of the mean output across each
    parameter's values (``range``, max minus min of the level means), a main-effect screen.

    Sobol and Morris rows get a ``warning`` column (empty when the index is trustworthy): see
    :func:`index_warning`; :func:`sensitivity_warnings` turns them into sentences.
    """
    import pandas as pd

    spec = SweepSpec.model_validate(sweep["spec"])
    names = list(spec.parameters)
    method = spec.design.method
    rows = []
    for arm, part in summary.groupby("arm", sort=False):
        means = part.groupby("point").mean(numeric_only=True).sort_index()
        n_points = len(sweep["points"])
        if len(means) != n_points:
            raise InputError(
                "sweep", f"arm {arm!r} has {len(means)} of {n_points} points finished; resume the sweep first"
            )
        x = np.array([[p[k] for k in names] for p in sweep["points"]], dtype=object if method == "grid" else float)
        for output in spec.outputs:
            if output not in means:
                raise InputError(
                    f"outputs: {output}", f"not a column of the summary table; columns: {', '.join(means)}"
                )
            y = means[output].to_numpy(dtype=float)
            if np.isnan(y).any():
                rows += [
                    {"arm": arm, "output": output, "parameter": k, "note": "output undefined at some points"}
                    for k in names
                ]
                continue
            rows += _flagged(_indices(method, spec, x, y, names, seed, arm, output))
    return pd.DataFrame(rows)


SOBOL_MAX_CONF = 0.1
"""Largest half-width of a Sobol index's 95% interval (``S1_conf``, ``ST_conf``) that is not
flagged: an index known only to within +-0.1 of the [0, 1] scale cannot rank parameters."""
MORRIS_MAX_RELATIVE_CONF = 0.5
"""Largest ``mu_star_conf`` not flagged, as a share of the largest mu* of the same output."""


def index_warning(row: Mapping[str, Any], largest_mu_star: float | None = None) -> str:
    """Why an index should not be trusted ('' when it can): a Sobol index outside [0, 1] by
    more than its 95% interval (impossible for a variance share: the sample is too small or
    the output too noisy), or an interval wider than :data:`SOBOL_MAX_CONF`; a Morris mu*
    whose interval is wider than :data:`MORRIS_MAX_RELATIVE_CONF` of the output's largest mu*."""
    problems = []
    for key in ("S1", "ST"):
        value, conf = row.get(key), row.get(f"{key}_conf")
        if value is None or conf is None or not np.isfinite(value) or not np.isfinite(conf):
            continue
        if value + conf < 0 or value - conf > 1:
            problems.append(f"{key} outside [0, 1]")
        if conf > SOBOL_MAX_CONF:
            problems.append(f"{key} CI wide")
    conf = row.get("mu_star_conf")
    if conf is not None and largest_mu_star and conf > MORRIS_MAX_RELATIVE_CONF * largest_mu_star:
        problems.append("mu* CI wide")
    return "; ".join(problems)


def _flagged(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows or not any(k in rows[0] for k in ("S1", "mu_star")):
        return rows
    largest = max((abs(r.get("mu_star", 0.0)) for r in rows), default=0.0)
    return [{**r, "warning": index_warning(r, largest)} for r in rows]


def sensitivity_warnings(indices: Any) -> list[str]:
    """The flags of a :func:`sensitivity` table in words: how many indices are out of range or
    too uncertain, which ones, and what to do (empty when nothing is flagged)."""
    if indices is None or "warning" not in indices:
        return []
    from iwm.study._labels import label, parameter_label

    flags = indices["warning"].fillna("").astype(str)
    total = int(indices[[c for c in ("S1", "mu_star") if c in indices]].notna().any(axis=1).sum())
    out = []
    for needle, what in (
        ("outside", "lie outside [0, 1] beyond their 95% CI (impossible for a share of variance)"),
        ("CI wide", "have a 95% CI too wide to rank the parameters"),
    ):
        hit = indices[flags.str.contains(needle, regex=False)]
        if hit.empty:
            continue
        names = [f"{parameter_label(r.parameter)} on {label(r.output)}" for r in hit.itertuples(index=False)]
        more = f" and {len(names) - 4} more" if len(names) > 4 else ""
        out.append(f"{len(hit)} of {total} indices {what}: {'; '.join(names[:4])}{more}.")
    if out:
        out.append(
            f"Wide means a half-width over {SOBOL_MAX_CONF:g} for Sobol S1/ST, or over "
            f"{MORRIS_MAX_RELATIVE_CONF:.0%} of the output's largest mu* for Morris. Raise design.samples "
            "(and population.n or replicates for noisy outputs) before reading these indices."
        )
    return out


def _indices(
    method: str, spec: SweepSpec, x: Any, y: Any, names: list[str], seed: int, arm: Any, output: str
) -> list[dict[str, Any]]:
    base = {"arm": arm, "output": output}
    if method == "sobol":
        from SALib.analyze import sobol

        if np.std(y) == 0:
            return [{**base, "parameter": k, "S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0} for k in names]
        s = sobol.analyze(spec.problem(), y, calc_second_order=False, seed=np.random.default_rng(seed))
        return [
            {
                **base,
                "parameter": k,
                "S1": float(s["S1"][i]),
                "S1_conf": float(s["S1_conf"][i]),
                "ST": float(s["ST"][i]),
                "ST_conf": float(s["ST_conf"][i]),
            }
            for i, k in enumerate(names)
        ]
    if method == "morris":
        from SALib.analyze import morris

        s = morris.analyze(spec.problem(), x, y, num_levels=spec.design.levels, seed=np.random.default_rng(seed))
        return [
            {
                **base,
                "parameter": k,
                "mu": float(s["mu"][i]),
                "mu_star": float(s["mu_star"][i]),
                "sigma": float(s["sigma"][i]),
                "mu_star_conf": float(s["mu_star_conf"][i]),
            }
            for i, k in enumerate(names)
        ]
    out = []
    for i, k in enumerate(names):
        levels: dict[Any, list[float]] = {}
        for value, yi in zip(x[:, i], y, strict=True):
            levels.setdefault(value, []).append(yi)
        level_means = [float(np.mean(v)) for v in levels.values()]
        out.append({**base, "parameter": k, "range": max(level_means) - min(level_means), "levels": len(levels)})
    return out
