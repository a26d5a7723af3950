"""iwm: internal working models of attachment, simulated.

A population is columns of arrays (:class:`Population`); childhood formation from
caregiving is :func:`develop`, the one entry point for making people. A research and
teaching model, never a clinical diagnosis of a real person.
"""

from iwm._calibration import FORMATION_TARGETS, Target, TargetResult, check_formation
from iwm._caregiving import (
    MIXES,
    PROFILES,
    CaregiverProfile,
    Caregivers,
    CaregivingMix,
    TransmissionParams,
    caregiving_from_parents,
    draw_caregivers,
    load_mix,
    resolve_mix,
)
from iwm._develop import Development, Generation, develop
from iwm._errors import InputError, IwmError, ParameterError
from iwm._formation import FormationParams
from iwm._perception import perceive
from iwm._population import Population
from iwm._readout import (
    ADULT_CATEGORIES,
    INFANT_CLASSES,
    AdultReadout,
    InfantReadout,
    adult_category,
    anxiety,
    avoidance,
    categorize,
)

__version__ = "0.1.0"

__all__ = [
    "ADULT_CATEGORIES",
    "FORMATION_TARGETS",
    "INFANT_CLASSES",
    "MIXES",
    "PROFILES",
    "AdultReadout",
    "CaregiverProfile",
    "Caregivers",
    "CaregivingMix",
    "Development",
    "FormationParams",
    "Generation",
    "InfantReadout",
    "InputError",
    "IwmError",
    "ParameterError",
    "Population",
    "Target",
    "TargetResult",
    "TransmissionParams",
    "__version__",
    "adult_category",
    "anxiety",
    "avoidance",
    "caregiving_from_parents",
    "categorize",
    "check_formation",
    "develop",
    "draw_caregivers",
    "load_mix",
    "perceive",
    "resolve_mix",
]
