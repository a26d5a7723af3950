"""iwm: internal working models of attachment, simulated.

A population is columns of arrays (:class:`Population`); childhood formation from
caregiving is :func:`develop`, the one entry point for making people, and :func:`live` takes
them through adult relationships. A study is a scenario file run by :func:`run_scenario` (or a
sweep by :func:`run_sweep`) into a run folder that :func:`open_run` reads back. A research
and teaching model, never a clinical diagnosis of a real person.
"""

from iwm import _moved
from iwm._errors import InputError, IwmError, ParameterError
from iwm._version import __version__
from iwm.measure._formation import Development
from iwm.measure._people import STYLES, person, reference_population
from iwm.measure._placement import Placement, place
from iwm.measure._readout import (
    AAI_CATEGORIES,
    ADULT_CATEGORIES,
    INFANT_CLASSES,
    SELF_REPORT_CATEGORIES,
    AdultReadout,
    InfantReadout,
    adult_category,
    anxiety,
    avoidance,
    categorize,
    organized_category,
    self_report_category,
    unresolved,
)
from iwm.measure._relationships import PAIRINGS
from iwm.model._adult import AdultParams, Mechanisms
from iwm.model._caregiving import (
    MIXES,
    PROFILES,
    CaregiverProfile,
    Caregivers,
    CaregivingMix,
    TransmissionParams,
    caregiving_from_parents,
    draw_caregivers,
)
from iwm.model._development import Formation, Generation
from iwm.model._formation import FormationParams
from iwm.model._life import pursue_withdraw_index
from iwm.model._life_events import LifeEventParams
from iwm.model._perception import perceive
from iwm.model._population import Population
from iwm.model._priming import Prime, PrimeParams
from iwm.model._therapy import Components, Therapy, TherapyParams
from iwm.study._calibration import (
    ADULT_TARGETS,
    FORMATION_TARGETS,
    MEASUREMENT_TARGETS,
    Target,
    TargetResult,
    check_adult,
    check_formation,
)
from iwm.study._couples import ablate, dyad
from iwm.study._experiments import run_scenario, run_sweep, sensitivity_of
from iwm.study._life import TRACE_FIELDS, AdultLife, live, simulate_couples
from iwm.study._mixes import develop, load_mix, resolve_mix
from iwm.study._scenario import Scenario, load_scenario
from iwm.study._store import Run, open_run
from iwm.study._sweep import Sweep, load_sweep
from iwm.study._trials import cohens_d, life_course, therapy_trial

_moved.install()

__all__ = [
    "AAI_CATEGORIES",
    "ADULT_CATEGORIES",
    "ADULT_TARGETS",
    "FORMATION_TARGETS",
    "INFANT_CLASSES",
    "MEASUREMENT_TARGETS",
    "MIXES",
    "PAIRINGS",
    "PROFILES",
    "SELF_REPORT_CATEGORIES",
    "STYLES",
    "TRACE_FIELDS",
    "AdultLife",
    "AdultParams",
    "AdultReadout",
    "CaregiverProfile",
    "Caregivers",
    "CaregivingMix",
    "Components",
    "Development",
    "Formation",
    "FormationParams",
    "Generation",
    "InfantReadout",
    "InputError",
    "IwmError",
    "LifeEventParams",
    "Mechanisms",
    "ParameterError",
    "Placement",
    "Population",
    "Prime",
    "PrimeParams",
    "Run",
    "Scenario",
    "Sweep",
    "Target",
    "TargetResult",
    "Therapy",
    "TherapyParams",
    "TransmissionParams",
    "__version__",
    "ablate",
    "adult_category",
    "anxiety",
    "avoidance",
    "caregiving_from_parents",
    "categorize",
    "check_adult",
    "check_formation",
    "cohens_d",
    "develop",
    "draw_caregivers",
    "dyad",
    "life_course",
    "live",
    "load_mix",
    "load_scenario",
    "load_sweep",
    "open_run",
    "organized_category",
    "perceive",
    "person",
    "place",
    "pursue_withdraw_index",
    "reference_population",
    "resolve_mix",
    "run_scenario",
    "run_sweep",
    "self_report_category",
    "sensitivity_of",
    "simulate_couples",
    "therapy_trial",
    "unresolved",
]
