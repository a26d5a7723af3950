"""Caregiving mixes from files (YAML or TOML), and formation from a mix given by name, object or file.

The model layer knows named mixes and :class:`~iwm.model._caregiving.CaregivingMix` objects only;
reading a user's file is input at the edge, so it lives here.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from typing import Any

from iwm._errors import InputError, ParameterError
from iwm._files import read_regular_file
from iwm._yaml import MAX_BYTES, read_yaml
from iwm.measure._formation import Development
from iwm.measure._readout import InfantReadout
from iwm.model._caregiving import MIXES, PROFILES, CaregiverProfile, CaregivingMix
from iwm.model._caregiving import resolve_mix as resolve_named_mix
from iwm.model._development import develop as develop_from_mix
from iwm.model._params import check_value


def resolve_mix(spec: str | CaregivingMix) -> CaregivingMix:
    """A mix by name, the mix itself, or a user mix file (YAML or TOML) by path."""
    if isinstance(spec, str) and spec not in MIXES and spec.endswith((".yaml", ".yml", ".toml")):
        return load_mix(spec)
    if isinstance(spec, str) and spec not in MIXES:
        raise ParameterError("caregiving", f"one of {', '.join(MIXES)} or a .yaml/.toml file", spec)
    return resolve_named_mix(spec)


def develop(
    caregiving: str | CaregivingMix | None = None,
    *,
    parents: str | CaregivingMix | None = None,
    infant_readout: InfantReadout | None = None,
    **kwargs: Any,
) -> Development:
    """Form a population of working models from birth to 18 (MODEL.md C5) and read it out.

    Give either ``caregiving`` (a named mix, a :class:`CaregivingMix` or a mix file) or
    ``parents`` (a mix that forms a parent generation first; the children are then raised by
    caregiving derived from their parents' working models). ``infant_readout`` sets how the
    reunion episode's behaviour is coded A/B/C/D. The other keywords (``n``, ``seed``,
    ``formation``, ``transmission``, ``reunion``, ``chunk_size``, ``workers``, ``progress``,
    ``backend``) are those of the model's :func:`iwm.model._development.develop`;
    ``chunk_size``, ``workers`` and ``backend`` change speed and memory, never results.
    """
    formed = develop_from_mix(
        None if caregiving is None else resolve_mix(caregiving),
        parents=None if parents is None else resolve_mix(parents),
        **kwargs,
    )
    return Development.of(formed, infant_readout=infant_readout)


def load_mix(path: str) -> CaregivingMix:
    """Read a user mix file.

    Format (YAML shown; TOML has the same keys)::

        name: my-sample
        components:
          - weight: 0.7
            profile: sensitive          # start from a named profile (optional)
            sensitivity: 0.9            # any of the four parameters and `spread` override
          - weight: 0.3
            sensitivity: 0.4
            consistency: 0.2
    """
    return mix_from_mapping(read_mix_file(path), where=str(path))


def read_mix_file(path: str | os.PathLike[str]) -> Any:
    """The parsed content of a mix file (YAML or TOML), not yet validated.

    Read with the limits of :mod:`iwm._yaml` (size, aliases, depth); a FIFO or a device is
    refused, never read."""
    import pathlib

    p = pathlib.Path(path)
    if p.suffix != ".toml":
        return read_yaml(p)
    raw = read_regular_file(p, max_bytes=MAX_BYTES, what="TOML file")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(str(p), f"cannot be read as UTF-8 text ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:  # the parser's errors carry their own line numbers
        raise InputError(str(p), f"not valid TOML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise InputError(str(p), "refused: nested too deeply to read") from None


def mix_from_mapping(data: Any, where: str) -> CaregivingMix:
    if not isinstance(data, Mapping):
        raise InputError(where, f"must be a mapping with keys `name` and `components`; got {type(data).__name__}")
    unknown = set(data) - {"name", "components"}
    if unknown:
        raise InputError(f"{where}: {sorted(unknown)[0]}", "unknown key; allowed: name, components")
    comps = data.get("components")
    if not isinstance(comps, list) or not comps:
        raise InputError(f"{where}: components", f"must be a non-empty list; got {comps!r}")
    parsed: list[tuple[float, CaregiverProfile]] = []
    for i, item in enumerate(comps):
        key = f"{where}: components[{i}]"
        if not isinstance(item, Mapping):
            raise InputError(key, f"must be a mapping; got {item!r}")
        item = dict(item)
        if "weight" not in item:
            raise InputError(f"{key}.weight", "is required (a number in [0, 1])")
        weight = item.pop("weight")
        try:
            check_value("weight", weight, 0, 1)
        except ParameterError as exc:
            raise InputError(f"{key}.weight", f"must be in [0, 1]; got {exc.value!r}") from None
        base = CaregiverProfile()
        if "profile" in item:
            name = item.pop("profile")
            if name not in PROFILES:
                raise InputError(f"{key}.profile", f"must be one of {', '.join(PROFILES)}; got {name!r}")
            base = PROFILES[name]
        try:
            profile = CaregiverProfile.from_mapping({**base.to_dict(), **item}, where="")
        except ParameterError as exc:
            raise InputError(f"{key}.{exc.name}", f"must be {exc.rule}; got {exc.value!r}") from None
        except InputError as exc:
            raise InputError(f"{key}.{exc.where}", exc.problem) from None
        parsed.append((float(weight), profile))
    total = sum(w for w, _ in parsed)
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise InputError(f"{where}: components[*].weight", f"must sum to 1; got {total:g}")
    name = data.get("name", where)
    return CaregivingMix(str(name), tuple(parsed))
