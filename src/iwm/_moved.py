"""Old import paths: the private modules that moved into the layer packages (iwm 0.2).

``import iwm._adult`` and the like fail with a message that names the new home, instead of a
bare ``ModuleNotFoundError``. The public names were and stay importable from :mod:`iwm`.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

MOVED = {
    "_adult": "iwm.model._adult",
    "_calibration": "iwm.study._calibration",
    "_caregiving": "iwm.model._caregiving (mix files: iwm.study._mixes)",
    "_change": "iwm.model._therapy (life events: iwm.model._life_events)",
    "_develop": "iwm.model._development (with mix files: iwm.study._mixes.develop)",
    "_executors": "iwm.study._executors",
    "_experiments": "iwm.study._experiments",
    "_formation": "iwm.model._formation",
    "_life": "iwm.model._life",
    "_params": "iwm.model._params",
    "_people": "iwm.measure._people",
    "_perception": "iwm.model._perception",
    "_placement": "iwm.measure._placement",
    "_population": "iwm.model._population",
    "_readout": "iwm.measure._readout",
    "_report": "iwm.study._report",
    "_rng": "iwm.model._rng",
    "_run_report": "iwm.study._run_report",
    "_scenario": "iwm.study._scenario",
    "_stats": "iwm.measure._stats",
    "_store": "iwm.study._store",
    "_study": "iwm.study._task",
    "_sweep": "iwm.study._sweep",
    "_tasks": "iwm.model._blocks",
    "_trials": "iwm.study._trials",
}


class MovedModuleError(ModuleNotFoundError):
    """An old private module path of iwm; the message names the new one."""


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        head, _, name = fullname.partition(".")
        if head == "iwm" and name in MOVED:
            raise MovedModuleError(
                f"{fullname} moved to {MOVED[name]} (see docs/architecture.md); "
                "public names are importable from iwm itself",
                name=fullname,
            )
        return None


def install() -> None:
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
