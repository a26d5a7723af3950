"""Declared parameters: each range is written once and drives validation, CLI flags and files.

A parameter set is a frozen, keyword-only dataclass whose fields are declared with
:func:`bounded`. Creating one validates every field, so an invalid set never exists.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from iwm._errors import InputError, ParameterError


def bounded(default: float, lo: float, hi: float, doc: str, *, integer: bool = False) -> Any:
    """Declare a parameter with its default, closed range [lo, hi] and a one-line meaning."""
    return dataclasses.field(default=default, metadata={"range": (lo, hi), "doc": doc, "integer": integer})


def _fmt(x: float) -> str:
    if isinstance(x, int):
        return str(x)
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def check_value(name: str, value: object, lo: float, hi: float, *, integer: bool = False) -> float:
    """Return ``value`` as a number if it is finite and in [lo, hi], else raise ParameterError."""
    kind = "an integer" if integer else "a number"
    span = f"[{_fmt(lo)}, {_fmt(hi)}]"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(name, f"{kind} in {span}", value)
    if integer and not float(value).is_integer():
        raise ParameterError(name, f"{kind} in {span}", value)
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ParameterError(name, f"in {span}", value)
    return float(value)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Params:
    """Base of every parameter set: validates declared ranges on creation."""

    label: ClassVar[str] = "params"

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            spec = f.metadata.get("range")
            if spec is None:
                continue
            value = getattr(self, f.name)
            check_value(f.name, value, *spec, integer=f.metadata.get("integer", False))
            if f.metadata.get("integer"):
                object.__setattr__(self, f.name, int(value))

    @classmethod
    def ranges(cls) -> dict[str, tuple[float, float, str]]:
        """Every declared parameter: name -> (lo, hi, meaning)."""
        return {
            f.name: (*f.metadata["range"], f.metadata["doc"]) for f in dataclasses.fields(cls) if "range" in f.metadata
        }

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str = "") -> Self:
        """Build from a mapping (a file section); unknown keys and bad values name their place."""
        known = {f.name for f in dataclasses.fields(cls)}
        prefix = f"{where}." if where else ""
        for key in values:
            if key not in known:
                raise InputError(
                    f"{prefix}{key}" if where else str(key),
                    f"unknown parameter of {cls.label}; allowed: {', '.join(sorted(known))}",
                )
        try:
            return cls(**dict(values))
        except ParameterError as exc:
            raise ParameterError(f"{prefix}{exc.name}", exc.rule, exc.value) from None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Switches:
    """Base of a set of named on/off mechanisms (all fields bool, on by default)."""

    label: ClassVar[str] = "switch"

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def none(cls) -> Self:
        """Every switch off."""
        return cls(**dict.fromkeys(cls.names(), False))

    def without(self, *names: str) -> Self:
        """A copy with the named switches off; an unknown name is a ParameterError."""
        for name in names:
            if name not in self.names():
                raise ParameterError(self.label, f"one of {', '.join(self.names())}", name)
        return dataclasses.replace(self, **dict.fromkeys(names, False))

    def switched_off(self) -> tuple[str, ...]:
        return tuple(name for name in self.names() if not getattr(self, name))
