"""Reliability estimators against hand computation and known population values; the wrong
reverse key warning."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from iwm.measure import (
    cronbach_alpha,
    mcdonald_omega,
    read_responses,
    sample_statistics,
    score,
    simulate_responses,
)
from iwm.measure._reliability import corrected_item_total, one_factor_loadings


def test_alpha_by_hand() -> None:
    # item 1: 1,2,3,4 (variance 5/3); item 2: 2,3,3,5 (variance 4.75/3);
    # sum: 3,5,6,9 (variance 18.75/3 = 6.25); alpha = 2 (1 - 3.25 / 6.25) = 0.96
    items = np.array([[1, 2], [2, 3], [3, 3], [4, 5]], dtype=float)
    assert cronbach_alpha(items) == pytest.approx(0.96)
    with_gap = np.vstack([items, [[np.nan, 1.0]]])  # listwise deletion drops the incomplete row
    assert cronbach_alpha(with_gap) == pytest.approx(0.96)


def test_alpha_and_omega_undefined_cases() -> None:
    assert math.isnan(cronbach_alpha(np.ones((5, 1))))
    assert math.isnan(cronbach_alpha(np.ones((5, 3))))  # no variance
    assert math.isnan(mcdonald_omega(np.random.default_rng(0).normal(size=(50, 2))))


def _congeneric(loadings: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=(n, 1))
    unique = rng.normal(size=(n, loadings.size)) * np.sqrt(1 - loadings**2)
    return factor * loadings + unique


def test_omega_recovers_population_value() -> None:
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    # omega = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) = 9 / (9 + 3.1)
    truth = 9 / 12.1
    items = _congeneric(loadings, n=20_000, seed=11)
    assert mcdonald_omega(items) == pytest.approx(truth, abs=0.01)
    fitted, uniqueness = one_factor_loadings(np.corrcoef(items, rowvar=False))
    np.testing.assert_allclose(fitted, loadings, atol=0.03)
    np.testing.assert_allclose(uniqueness, 1 - loadings**2, atol=0.03)
    # congeneric items: alpha is a lower bound of omega
    assert cronbach_alpha(items) < mcdonald_omega(items)


def test_omega_equals_alpha_for_parallel_items() -> None:
    items = _congeneric(np.full(6, 0.7), n=20_000, seed=12)
    assert mcdonald_omega(items) == pytest.approx(cronbach_alpha(items), abs=0.005)


def test_corrected_item_total_excludes_the_item() -> None:
    x = np.array([[1, 1, 5], [2, 2, 4], [3, 3, 3], [4, 4, 2]], dtype=float)
    r = corrected_item_total(x)
    # item 3 against items 1+2 (2,4,6,8): perfectly reversed
    assert r[2] == pytest.approx(-1.0)
    # item 1 against items 2+3 (6,6,6,6): the rest does not vary -> undefined
    assert math.isnan(r[0])


def _simulated_ecr_r(n: int = 600, seed: int = 5) -> object:
    rng = np.random.default_rng(seed)
    anx = np.clip(rng.normal(3.5, 1.1, n), 1, 7)
    avo = np.clip(rng.normal(3.5, 1.1, n), 1, 7)
    return simulate_responses("ecr-r", anx, avo, rng)


def test_no_warning_on_correctly_keyed_data() -> None:
    stats = sample_statistics(score("ecr-r", _simulated_ecr_r()))
    assert stats.warnings == ()
    assert all(it.r > 0.4 for it in stats.item_total)


def test_warning_when_answers_were_already_reversed() -> None:
    answers = _simulated_ecr_r()
    answers["ecr_r_09"] = 8 - answers["ecr_r_09"]  # reversed once too often
    answers["ecr_r_19"] = 8 - answers["ecr_r_19"]  # a non-reversed item reversed by mistake
    stats = sample_statistics(score("ecr-r", answers))
    flagged = {w.split()[0] for w in stats.warnings}
    assert flagged == {"ecr_r_09", "ecr_r_19"}
    assert any("reverse keyed" in w and "wrong reverse key" in w for w in stats.warnings)


def test_statistics_of_golden_sample(data_dir: Path) -> None:
    stats = sample_statistics(score("ecr-r", read_responses(data_dir / "ecr_r_responses.csv")))
    assert stats.n == 8
    anxiety = stats.subscales[0]
    assert (anxiety.name, anxiety.n_scored, anxiety.n_missing) == ("anxiety", 7, 1)
    # anxiety scores in eighteenths: 72, 114, 30, 108, 90, 70, 86 -> mean 570 / 18 / 7
    assert anxiety.mean == pytest.approx(570 / 126)
    # midpoint categories: secure a01 a06, preoccupied a02, dismissing a03, fearful a04 a08
    assert stats.n_categorized == 6
    assert stats.category_shares == pytest.approx(
        {"secure": 2 / 6, "preoccupied": 1 / 6, "dismissing": 1 / 6, "fearful": 2 / 6}
    )
    summary = stats.to_dict()
    assert {"n", "scores", "reliability", "categories"} <= summary.keys()


def test_rq_statistics_have_no_internal_consistency(data_dir: Path) -> None:
    stats = sample_statistics(score("rq", read_responses(data_dir / "rq_responses.csv")))
    assert [s.name for s in stats.subscales] == ["self", "other"]
    assert all(math.isnan(s.alpha) and math.isnan(s.omega) for s in stats.subscales)
    assert stats.correlation_name == "self_other"
    # forced choices: secure, fearful, preoccupied, (none), dismissing
    assert stats.category_shares == pytest.approx(
        {"secure": 0.25, "preoccupied": 0.25, "dismissing": 0.25, "fearful": 0.25}
    )


def test_library_estimators_match_the_previous_implementation() -> None:
    """pingouin's alpha and statsmodels' omega agree with iwm's former hand-written
    estimators (tests/measure/_previous_reliability.py) on congeneric and on ECR-R items."""
    from _previous_reliability import previous_alpha, previous_omega

    congeneric = _congeneric(np.array([0.8, 0.7, 0.6, 0.5, 0.4]), n=3000, seed=13)
    answers = score("ecr-r", _simulated_ecr_r(n=800, seed=7)).keyed.to_numpy(dtype=float)[:, :18]
    for items in (congeneric, answers):
        assert cronbach_alpha(items) == pytest.approx(previous_alpha(items), abs=1e-10)
        # two maximum-likelihood fits of the same model: the same optimum up to their tolerances
        assert mcdonald_omega(items) == pytest.approx(previous_omega(items), abs=2e-3)
