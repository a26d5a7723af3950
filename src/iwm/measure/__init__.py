"""Measurement: everything that observes the model or real people.

This layer holds the read-outs of the model (adult dimensions and categories, infant classes:
:mod:`._readout`; the read-outs of a formation, :mod:`._formation`, and of adult relationships
by pairing of styles, :mod:`._relationships`), placing real people into the model (:mod:`._placement`, :mod:`._people`),
sample statistics (:mod:`._stats`), and the questionnaires: scoring keys, scoring,
reliability, simulated answers and file input/output. It may import :mod:`iwm.model`, never
:mod:`iwm.study`, :mod:`iwm.cli` or :mod:`iwm.app`; the model never imports it (import-linter
contracts in ``pyproject.toml``): a read-out measures the model, it never drives it.

Measurement v2 (``docs/measurement.md``): latent dimensions from the model's state
(:mod:`._latent`), item answers and EAP estimates through a graded response model in the
``mirt`` package (:mod:`._items`), an interview channel (:mod:`._interview`), both channels on
one population (:mod:`._channels`), and placement with standard errors (:mod:`._placement`).

Questionnaires: scoring attachment questionnaires and simulating people's answers to them.

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

from iwm.measure._channels import Channels, measure_channels
from iwm.measure._interview import INTERVIEW_CATEGORIES, Interview, InterviewParams, interview
from iwm.measure._io import read_mapping, read_responses, read_responses_bytes, write_table
from iwm.measure._items import LatentEstimate, ResponseParams, answer, estimate_latents
from iwm.measure._keys import CATEGORIES, INSTRUMENTS, Instrument, Subscale
from iwm.measure._latent import LatentParams, latent_dimensions
from iwm.measure._placement import LatentPlacement, Placement, place, place_latent
from iwm.measure._readout import adult_category, anxiety, avoidance, measured_columns
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
    "INTERVIEW_CATEGORIES",
    "MAX_MISSING_SHARE",
    "Categorization",
    "CellProblem",
    "Channels",
    "Instrument",
    "Interview",
    "InterviewParams",
    "ItemTotal",
    "LatentEstimate",
    "LatentParams",
    "LatentPlacement",
    "MeasurementModel",
    "Placement",
    "ResponseParams",
    "ResponseTable",
    "SampleStatistics",
    "ScoredSample",
    "Subscale",
    "SubscaleSummary",
    "adult_category",
    "answer",
    "anxiety",
    "avoidance",
    "categorize",
    "cronbach_alpha",
    "estimate_latents",
    "interview",
    "latent_dimensions",
    "mcdonald_omega",
    "measure_channels",
    "measured_columns",
    "measurement_model",
    "place",
    "place_latent",
    "read_mapping",
    "read_responses",
    "read_responses_bytes",
    "sample_statistics",
    "score",
    "simulate_responses",
    "write_table",
]
