"""The measurement's reference constants follow their rule (docs/measurement.md): recomputed
from the reference population (low-risk adults at 23, seed 1, n = 20,000) they equal the
values shipped in iwm.measure._latent. A model change that moves them fails here until they
are recomputed (``iwm.study._calibration.reference_constants``) and pasted in."""

from __future__ import annotations

import pytest

from iwm.measure import _latent
from iwm.study._calibration import reference_constants


def test_shipped_reference_constants_follow_their_rule():
    got = reference_constants(workers=2)
    assert _latent.REFERENCE_AVAILABILITY_SD == pytest.approx(got["REFERENCE_AVAILABILITY_SD"], abs=5e-5)
    for name in ("anxiety_center", "anxiety_spread", "avoidance_center", "avoidance_spread"):
        assert getattr(_latent.LATENT, name) == pytest.approx(got[name], abs=5e-4), name
