"""The free parameters of a fit and their priors (docs/fitting.md).

A fitted parameter is either

- a **key path of the scenario** (``population.formation.learning_rate``): any numeric
  parameter of the model or its read-outs, declared in the calibration ledger with its range;
  the prior must lie inside that range (checked by validating the scenario at both ends); or
- a **caregiving share** ``caregiving.<profile>`` for profile ``inconsistent``, ``rejecting``
  or ``frightening``: the share of children raised by that kind of caregiver (C5; Ainsworth et
  al. 1978; Main & Hesse 1990). The ``sensitive`` share is the rest, so the highs of the shares
  may add up to at most 1.

Each prior is uniform on ``[low, high]`` (``log: true``: uniform on the log scale, for a rate
that spans decades). :data:`DEFAULT_PRIORS` is the default set: the three shares of insensitive
caregiving and two formation parameters that set how strongly early experience is learned,
each on the ledger's documented range around its default (``docs/calibration.md``). A priors
file (YAML) replaces it::

    parameters:
      caregiving.rejecting: {low: 0.0, high: 0.4}
      population.formation.learning_rate: {low: 0.1, high: 1.5}
      adult.params.evidence_rate: {low: 0.05, high: 1.0, log: true}
    scenario:              # optional: the rest of the simulated study (a scenario mapping)
      adult: {years: 5}

``scenario`` sets what is not fitted (its ``population.n`` and ``seed`` are ignored: the sample
size follows the data and the seeds the fit). Without ``adult`` the questionnaire is read out at
18, the end of formation; with adult years, at their end (needed to fit couple summaries).
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from iwm._errors import InputError
from iwm._yaml import read_yaml
from iwm.study._scenario import Scenario, get_path, scenario_from_mapping, split_path, with_values

SHARE_PREFIX = "caregiving."
SHARES = ("inconsistent", "rejecting", "frightening")
"""Caregiving profiles whose share can be fitted; ``sensitive`` takes the rest."""
PRIOR_KEYS = ("parameters", "scenario")


@dataclass(frozen=True)
class Prior:
    """A uniform prior on ``[low, high]`` (on the log scale when ``log``) of one parameter."""

    name: str
    low: float
    high: float
    log: bool = False
    why: str = ""

    def sample(self, u: np.ndarray) -> np.ndarray:
        """The parameter at uniform quantiles ``u`` in [0, 1]."""
        if self.log:
            return np.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self.low + u * (self.high - self.low)

    def to_unit(self, value: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`sample`: where ``value`` lies in the prior, 0-1."""
        v = np.asarray(value, dtype=float)
        if self.log:
            return (np.log(v) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (v - self.low) / (self.high - self.low)


DEFAULT_PRIORS: tuple[Prior, ...] = (
    Prior("caregiving.inconsistent", 0.0, 0.25, why="share of inconsistent caregiving (C5); low-risk mix: .03"),
    Prior("caregiving.rejecting", 0.0, 0.35, why="share of rejecting caregiving (C5); low-risk mix: .16"),
    Prior("caregiving.frightening", 0.0, 0.35, why="share of frightening caregiving (C5); low-risk mix: .09"),
    Prior(
        "population.formation.learning_rate",
        0.1,
        1.5,
        why="strategy learning at full plasticity (ledger: [0, 5], default .5, tuned step 1)",
    ),
    Prior(
        "population.formation.plasticity_floor",
        0.05,
        0.5,
        why="plasticity left after the sensitive period (ledger: [.01, 1], default .15, assumption)",
    ),
)
"""The default free parameters: how a sample was raised, and how strongly it learned from it."""

DEFAULT_SCENARIO: dict[str, Any] = {"adult": None}
"""The simulated study around the fitted parameters: formation only, read out at 18."""


@dataclass(frozen=True)
class PriorSet:
    """The fitted parameters and the fixed rest of the simulated study."""

    priors: tuple[Prior, ...] = DEFAULT_PRIORS
    scenario: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_SCENARIO))
    source: str = "default"

    def __post_init__(self) -> None:
        check_priors(self.priors, self.scenario, self.source)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.priors]

    @property
    def adult_years(self) -> float:
        """Adult years of the simulated study (0: formation only)."""
        adult = self.base().adult
        return 0.0 if adult is None else float(adult.years)

    def base(self) -> Scenario:
        return scenario_from_mapping(dict(copy.deepcopy(dict(self.scenario))), f"{self.source}: scenario")

    def draw(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """``count`` draws from the prior, one row per draw, one column per parameter."""
        u = rng.random((count, len(self.priors)))
        return np.column_stack([p.sample(u[:, j]) for j, p in enumerate(self.priors)])

    def scenario_at(self, theta: Sequence[float], n: int, seed: int = 0) -> dict[str, Any]:
        """The scenario mapping of one parameter vector, for ``n`` people (validated later)."""
        return scenario_at(self.scenario, self.priors, theta, n, seed)

    def describe(self) -> list[dict[str, Any]]:
        return [{"name": p.name, "low": p.low, "high": p.high, "log": p.log, "why": p.why} for p in self.priors]


def scenario_at(
    base: Mapping[str, Any], priors: Sequence[Prior], theta: Sequence[float], n: int, seed: int = 0
) -> dict[str, Any]:
    """``base`` with every parameter of ``theta`` set, the caregiving shares as a mix."""
    data: dict[str, Any] = copy.deepcopy(dict(base))
    data["seed"] = int(seed)
    data["replicates"] = 1
    data.pop("arms", None)
    population = dict(data.get("population") or {})
    population["n"] = int(n)
    data["population"] = population
    shares = {p.name[len(SHARE_PREFIX) :]: float(v) for p, v in zip(priors, theta, strict=True) if _is_share(p.name)}
    if shares:
        population.pop("parents", None)
        population["caregiving"] = _mix(shares)
    values = {p.name: _plain(v) for p, v in zip(priors, theta, strict=True) if not _is_share(p.name)}
    if values:
        data = _defaults_filled(data, values)
        data = with_values(data, values)
    return data


def _plain(value: float) -> float:
    return float(value)


def _defaults_filled(data: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Sections a key path runs through, filled in with their defaults (``with_values`` needs them)."""
    full = scenario_from_mapping(copy.deepcopy(data), "fit scenario").model_dump(mode="json")
    out = copy.deepcopy(data)
    for path in values:
        parts = split_path(path)
        node: Any = out
        ref: Any = full
        for part in parts[:-1]:
            ref = ref[part]
            if isinstance(node, dict) and not isinstance(node.get(part), dict | list):
                node[part] = copy.deepcopy(ref)
            node = node[part]
    return out


def _mix(shares: Mapping[str, float]) -> dict[str, Any]:
    weights = {"sensitive": max(1.0 - sum(shares.values()), 0.0), **shares}
    total = sum(weights.values())  # rounding: weights must sum to 1 within 1e-6
    components = [{"weight": w / total, "profile": k} for k, w in weights.items() if w > 0]
    return {"name": "fit", "components": components}


def _is_share(name: str) -> bool:
    return name.startswith(SHARE_PREFIX)


def check_priors(priors: Sequence[Prior], scenario: Mapping[str, Any], where: str) -> None:
    """Every prior names a parameter, has ``low < high`` inside its declared range, and the
    caregiving shares' highs add up to at most 1."""
    if not priors:
        raise InputError(f"{where}: parameters", "give at least one parameter to fit")
    names = [p.name for p in priors]
    for p in priors:
        key = f"{where}: parameters.{p.name}"
        if not (math.isfinite(p.low) and math.isfinite(p.high) and p.low < p.high):
            raise InputError(key, f"needs low < high (finite numbers); got low {p.low!r}, high {p.high!r}")
        if p.log and p.low <= 0:
            raise InputError(key, f"a log prior needs low > 0; got {p.low!r}")
        if names.count(p.name) > 1:
            raise InputError(key, "is given twice")
    shares = [p for p in priors if _is_share(p.name)]
    for p in shares:
        profile = p.name[len(SHARE_PREFIX) :]
        if profile not in SHARES:
            allowed = ", ".join(SHARE_PREFIX + s for s in SHARES)
            raise InputError(f"{where}: parameters.{p.name}", f"not a caregiving share; allowed: {allowed}")
        if p.low < 0 or p.high > 1:
            raise InputError(
                f"{where}: parameters.{p.name}", f"a share must lie in [0, 1]; got [{p.low:g}, {p.high:g}]"
            )
    if sum(p.high for p in shares) > 1 + 1e-9:
        total = sum(p.high for p in shares)
        raise InputError(
            f"{where}: parameters", f"the highs of the caregiving shares must add up to at most 1; got {total:g}"
        )
    base = dict(scenario)
    try:
        full = scenario_from_mapping(copy.deepcopy(base), f"{where}: scenario").model_dump(mode="json")
    except InputError:
        raise
    for p in priors:
        if _is_share(p.name):
            continue
        key = f"{where}: parameters.{p.name}"
        try:
            value = get_path(full, p.name)
        except (KeyError, ValueError):
            raise InputError(
                key, "is not a key path of the scenario (e.g. population.formation.learning_rate)"
            ) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(key, f"must name a numeric parameter; it holds {value!r}")
        if isinstance(value, int):
            raise InputError(key, "is a whole-number parameter; only continuous parameters can be fitted")
    # Both ends of every prior must be valid scenarios (the ranges of the ledger).
    for corner in ("low", "high"):
        theta = [getattr(p, corner) for p in priors]
        data = scenario_at(base, priors, theta, n=1)
        scenario_from_mapping(data, f"{where}: parameters at their {corner} ends")


def load_priors(path: str | os.PathLike[str] | None) -> PriorSet:
    """The default priors (``None``) or those of a priors file (see the module docstring)."""
    if path is None:
        return PriorSet()
    where = str(path)
    data = read_yaml(path)
    if not isinstance(data, Mapping):
        raise InputError(where, f"must be a mapping with keys {', '.join(PRIOR_KEYS)}; got {type(data).__name__}")
    for key in data:
        if key not in PRIOR_KEYS:
            raise InputError(f"{where}: {key}", f"unknown key; allowed: {', '.join(PRIOR_KEYS)}")
    params = data.get("parameters")
    if not isinstance(params, Mapping) or not params:
        raise InputError(f"{where}: parameters", "must be a mapping of parameter to {low, high}")
    priors = [_prior(str(name), spec, f"{where}: parameters.{name}") for name, spec in params.items()]
    scenario = data.get("scenario", DEFAULT_SCENARIO)
    if not isinstance(scenario, Mapping):
        raise InputError(f"{where}: scenario", f"must be a scenario mapping; got {scenario!r}")
    return PriorSet(tuple(priors), dict(scenario), where)


def _prior(name: str, spec: Any, where: str) -> Prior:
    if not isinstance(spec, Mapping):
        raise InputError(where, f"must be a mapping {{low, high}} (and optionally log); got {spec!r}")
    for key in spec:
        if key not in ("low", "high", "log"):
            raise InputError(f"{where}.{key}", "unknown key; allowed: low, high, log")
    bounds = []
    for key in ("low", "high"):
        value = spec.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{where}.{key}", f"is required and must be a number; got {value!r}")
        bounds.append(float(value))
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise InputError(f"{where}.log", f"must be true or false; got {log!r}")
    return Prior(name, bounds[0], bounds[1], log, why="priors file")
