"""The adult strategy and the next generation's caregiving come from the model's state.

Dose-response of each theoretical driver (Mikulincer & Shaver 2003, 2007), everything else
held fixed: the figure's uncertainty raises hyperactivation and with it vigilance; self-doubt
raises hyperactivation; the expected value of seeking closeness (C3) lowers deactivation; and
parents' states shape caregiving (secure sensitive, deactivating rejecting, hyperactivating
inconsistent, a dangerous-other model frightening; van IJzendoorn 1995).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import iwm
from iwm.model._adult import AdultParams, Mechanisms, _Adults, derive_strategy, population_strategy
from iwm.model._caregiving import TransmissionParams, caregiving_from_parents
from iwm.model._rng import block_generator

N = 2000
LEVELS = (0.1, 0.3, 0.5, 0.7, 0.9)


@pytest.fixture(scope="module")
def people() -> iwm.Population:
    return iwm.develop("low-risk", n=N, seed=31).population


def _with(pop: iwm.Population, **columns: float) -> iwm.Population:
    """``pop`` with some columns set to one value for everyone (Beta counts for beliefs)."""
    out = {}
    for name, value in columns.items():
        if name in ("availability", "self_worth", "danger"):
            total = 40.0  # a settled belief: 40 observations
            out[f"{name}_a"] = np.full(pop.n, value * total, np.float32)
            out[f"{name}_b"] = np.full(pop.n, (1 - value) * total, np.float32)
        else:
            out[name] = np.full(pop.n, value, np.float32)
    return dataclasses.replace(pop, **out)


def _uncertainty_levels(pop: iwm.Population) -> list[iwm.Population]:
    """The figure's response from near certain (A = .95) to a coin toss (A = .5)."""
    return [_with(pop, availability=a) for a in (0.95, 0.85, 0.75, 0.65, 0.5)]


def test_vigilance_grows_with_the_figures_uncertainty(people):
    appraisal, hyper = [], []
    for pop in _uncertainty_levels(people):
        s = _Adults.of(pop)
        derive_strategy(s, AdultParams(), Mechanisms())
        appraisal.append(float(s.appraisal.mean()))
        hyper.append(float(s.hyper.mean()))
    assert np.all(np.diff(hyper) > 0) and np.all(np.diff(appraisal) > 0)
    assert appraisal[-1] - appraisal[0] > 0.1  # a tenth more threat appraised, at least


def test_self_doubt_raises_hyperactivation(people):
    hyper = [float(population_strategy(_with(people, self_worth=w, self_reliance=0.0))[0].mean()) for w in LEVELS]
    assert np.all(np.diff(hyper) < 0)


def test_the_value_of_seeking_closeness_lowers_deactivation(people):
    """C3 falls with availability and rises with danger; deactivation follows it."""
    deact = [float(population_strategy(_with(people, availability=a))[1].mean()) for a in LEVELS]
    assert np.all(np.diff(deact) < 0)
    feared = [float(population_strategy(_with(people, danger=d))[1].mean()) for d in (0.0, 0.2, 0.4)]
    assert np.all(np.diff(feared) > 0)


def _care(pop: iwm.Population) -> iwm.Caregivers:
    return caregiving_from_parents(pop, block_generator(1, 0, 0), TransmissionParams())


def test_parents_states_shape_caregiving(people):
    secure = _with(people, availability=0.85, self_worth=0.8, danger=0.02, signalling=1.0, suppression=0.0)
    secure = _with(secure, activation_threshold=0.2, self_reliance=0.0)
    deactivating = _with(secure, availability=0.3, suppression=0.7, activation_threshold=0.8, self_reliance=0.5)
    hyperactivating = _with(secure, availability=0.5, self_worth=0.3, signalling=1.6, activation_threshold=0.05)
    frightened = _with(secure, danger=0.6)
    care = {k: _care(p) for k, p in (("s", secure), ("d", deactivating), ("h", hyperactivating), ("f", frightened))}
    assert care["s"].sensitivity.mean() > max(care["d"].sensitivity.mean(), care["h"].sensitivity.mean()) + 0.05
    assert care["d"].rejection.mean() > care["s"].rejection.mean() + 0.3
    assert care["h"].consistency.mean() < care["s"].consistency.mean() - 0.3
    assert care["f"].frightening.mean() > care["s"].frightening.mean() + 0.3
    # the transmission gap: sensitivity varies among parents of the same state
    assert care["s"].sensitivity.std() > 0.1
