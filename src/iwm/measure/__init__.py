"""Measurement: scoring attachment questionnaires and simulating people's answers to them.

Scores the ECR-R (Fraley, Waller & Brennan 2000), the ECR-S (Wei, Russell, Mallinckrodt &
Vogel 2007) and the Relationship Questionnaire (Bartholomew & Horowitz 1991; dimensions of
Griffin & Bartholomew 1994), and lets a simulated population answer the ECR forms through a
graded-response model (Samejima 1969) so that the same scoring code reads it.

Research scoring for describing samples, never a clinical diagnosis of a person. Scoring keys
ship; the copyrighted item wording does not.

Typical use::

    from iwm import measure
    table = measure.read_responses("responses.csv")
    scored = measure.score("ecr-r", table)
    stats = measure.sample_statistics(scored)
"""

from iwm.measure._io import read_mapping, read_responses, read_responses_bytes, write_table
from iwm.measure._keys import CATEGORIES, INSTRUMENTS, Instrument, Subscale
from iwm.measure._reliability import (
    ItemTotal,
    SampleStatistics,
    SubscaleSummary,
    cronbach_alpha,
    mcdonald_omega,
    sample_statistics,
)
from iwm.measure._scoring import (
    MAX_MISSING_SHARE,
    Categorization,
    CellProblem,
    ResponseTable,
    ScoredSample,
    categorize,
    score,
)
from iwm.measure._simulate import MeasurementModel, measurement_model, simulate_responses

__all__ = [
    "CATEGORIES",
    "INSTRUMENTS",
    "MAX_MISSING_SHARE",
    "Categorization",
    "CellProblem",
    "Instrument",
    "ItemTotal",
    "MeasurementModel",
    "ResponseTable",
    "SampleStatistics",
    "ScoredSample",
    "Subscale",
    "SubscaleSummary",
    "categorize",
    "cronbach_alpha",
    "mcdonald_omega",
    "measurement_model",
    "read_mapping",
    "read_responses",
    "read_responses_bytes",
    "sample_statistics",
    "score",
    "simulate_responses",
    "write_table",
]
