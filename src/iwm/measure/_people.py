"""Single people for experiments: a typical person of a style, or a person with given scores.

A style is never set by a label (MODEL.md section 2): a "typical anxious person" is a model
person formed from caregiving, the one at the middle of the preoccupied quadrant of a
reference population that has every kind of caregiving in it, placed exactly on that
quadrant's median anxiety and avoidance (:func:`iwm.place`).
"""

from __future__ import annotations

import functools

import numpy as np

from iwm._errors import ParameterError
from iwm.measure._placement import place
from iwm.measure._readout import ADULT_CATEGORIES, adult_category, anxiety, avoidance
from iwm.model._caregiving import PROFILES, CaregivingMix
from iwm.model._population import Population

STYLES = {
    "secure": "secure",
    "anxious": "preoccupied",
    "preoccupied": "preoccupied",
    "avoidant": "dismissing",
    "dismissing": "dismissing",
    "disorganized": "fearful",
    "fearful": "fearful",
}
"""Names a style can be given by, and the adult category each stands for."""

BALANCED = CaregivingMix("balanced", tuple((0.25, profile) for profile in PROFILES.values()))
"""Equal shares of the four kinds of caregiving: every style well represented."""

REFERENCE_N = 16384
REFERENCE_SEED = 0


@functools.lru_cache(maxsize=4)
def reference_population(n: int = REFERENCE_N, seed: int = REFERENCE_SEED) -> Population:
    """People formed under :data:`BALANCED` caregiving (cached: it takes about a second)."""
    from iwm.model._development import develop

    return develop(BALANCED, n=n, seed=seed).population


def style_name(style: str) -> str:
    """The adult category a style name stands for; a clear error for an unknown name."""
    key = style.strip().lower()
    if key not in STYLES:
        raise ParameterError("style", f"one of {', '.join(STYLES)}", style)
    return STYLES[key]


def typical_scores(style: str, reference: Population | None = None) -> tuple[float, float]:
    """Median anxiety and avoidance of the style's quadrant in the reference population."""
    ref = reference if reference is not None else reference_population()
    code = ADULT_CATEGORIES.index(style_name(style))
    mine = adult_category(ref) == code
    return float(np.median(anxiety(ref)[mine])), float(np.median(avoidance(ref)[mine]))


def person(spec: str | tuple[float, float], reference: Population | None = None) -> Population:
    """One person: a style name (typical of that style) or (anxiety, avoidance) on the ECR metric."""
    ref = reference if reference is not None else reference_population()
    anx, avo = typical_scores(spec, ref) if isinstance(spec, str) else spec
    return place(np.array([anx]), np.array([avo]), reference=ref).population


def parse_person(text: str) -> str | tuple[float, float]:
    """``anxious`` or ``5.2,2.1`` (anxiety, avoidance) as typed on a command line."""
    if "," not in text:
        style_name(text)
        return text
    parts = text.split(",")
    if len(parts) != 2:
        raise ParameterError("person", "a style name or ANXIETY,AVOIDANCE", text)
    try:
        anx, avo = float(parts[0]), float(parts[1])
    except ValueError:
        raise ParameterError("person", "a style name or two numbers ANXIETY,AVOIDANCE", text) from None
    for name, value in (("anxiety", anx), ("avoidance", avo)):
        if not 1 <= value <= 7:
            raise ParameterError(name, "in [1, 7] (ECR metric)", value)
    return anx, avo
