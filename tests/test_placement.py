"""Placing scored people into the model (questionnaire dimensions -> working-model state)."""

from __future__ import annotations

import numpy as np
import pytest

import iwm


@pytest.fixture(scope="module")
def reference() -> iwm.Population:
    return iwm.develop("low-risk", n=8192, seed=21).population


def test_scores_inside_what_the_model_produces_are_matched(reference):
    """Targets: combinations the model produces in the interior of its range (each dimension
    between its 10th and 90th percentile), moved by up to .2 on each dimension. Near the
    model's edges a target may be unreachable; that case is reported (next test)."""
    anx_ref, avo_ref = iwm.anxiety(reference), iwm.avoidance(reference)
    interior = np.flatnonzero(
        (anx_ref > np.quantile(anx_ref, 0.1))
        & (anx_ref < np.quantile(anx_ref, 0.9))
        & (avo_ref > np.quantile(avo_ref, 0.1))
        & (avo_ref < np.quantile(avo_ref, 0.9))
    )
    rng = np.random.default_rng(3)
    pick = rng.choice(interior, 500, replace=False)
    anx = anx_ref[pick] + rng.uniform(-0.2, 0.2, 500)
    avo = avo_ref[pick] + rng.uniform(-0.2, 0.2, 500)
    placed = iwm.place(anx, avo, reference=reference)
    assert placed.population.n == 500
    np.testing.assert_allclose(iwm.anxiety(placed.population), anx, atol=0.02)
    np.testing.assert_allclose(iwm.avoidance(placed.population), avo, atol=0.02)
    # certainty is kept: the evidence behind each belief is the reference person's
    base = reference.take(placed.reference_index)
    np.testing.assert_allclose(
        placed.population.availability_a + placed.population.availability_b,
        base.availability_a + base.availability_b,
        rtol=1e-5,
    )


def test_unreachable_scores_are_reported_not_hidden(reference):
    placed = iwm.place(np.array([1.0, 4.0]), np.array([1.0, 4.0]), reference=reference)
    assert abs(placed.avoidance_residual[0]) > 0.1  # below the model's avoidance floor
    assert abs(placed.avoidance_residual[1]) < 0.02


def test_placed_people_keep_their_quadrant(reference):
    anx = np.array([2.5, 5.5, 2.5, 5.5])
    avo = np.array([2.5, 2.5, 5.5, 5.5])
    placed = iwm.place(anx, avo, reference=reference)
    assert list(iwm.adult_category(placed.population)) == [0, 1, 2, 3]


def test_bad_scores_are_rejected(reference):
    with pytest.raises(iwm.ParameterError, match="`anxiety` must be in \\[1, 7\\]; got 8"):
        iwm.place(np.array([8.0]), np.array([3.0]), reference=reference)
    with pytest.raises(iwm.ParameterError, match="got nan"):
        iwm.place(np.array([3.0]), np.array([np.nan]), reference=reference)
