from __future__ import annotations

import pytest

import iwm

PURE = ("sensitive", "inconsistent", "rejecting", "frightening")


@pytest.fixture(scope="session")
def pure_runs() -> dict[str, iwm.Development]:
    """One formed population per pure kind of caregiving (n = 8192: a proportion's SE < .006)."""
    return {kind: iwm.develop(kind, n=8192, seed=101) for kind in PURE}


@pytest.fixture(scope="session")
def low_risk() -> iwm.Development:
    return iwm.develop("low-risk", n=20_000, seed=102)
