"""The graded-response measurement model: round trip to the latent ECR metric, realistic
reliability, reverse keying and parameter checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from iwm import ParameterError
from iwm.measure import (
    INSTRUMENTS,
    measurement_model,
    read_responses,
    sample_statistics,
    score,
    simulate_responses,
    write_table,
)


def _population(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    rng = np.random.default_rng(seed)
    anxiety = np.clip(rng.normal(3.5, 1.1, n), 1, 7)
    avoidance = np.clip(rng.normal(3.5, 1.1, n), 1, 7)
    return anxiety, avoidance, rng


def test_ecr_r_round_trip_recovers_latent_values() -> None:
    anxiety, avoidance, rng = _population(n=2000, seed=2024)
    answers = simulate_responses("ecr-r", anxiety, avoidance, rng)
    scored = score("ecr-r", answers)
    got_anx = scored.scores["ecr_r_anxiety"].to_numpy()
    got_avo = scored.scores["ecr_r_avoidance"].to_numpy()
    assert np.corrcoef(got_anx, anxiety)[0, 1] >= 0.9
    assert np.corrcoef(got_avo, avoidance)[0, 1] >= 0.9
    # same metric: the scored mean item score sits close to the latent value on average
    assert abs(np.mean(got_anx - anxiety)) < 0.1
    assert abs(np.mean(got_avo - avoidance)) < 0.1
    stats = sample_statistics(scored)
    for sub in stats.subscales:
        assert sub.alpha >= 0.85, sub
        assert sub.alpha <= 0.97, sub  # realistic, not perfect (published about .90-.95)
        assert sub.omega == pytest.approx(sub.alpha, abs=0.02)


def test_ecr_s_reliability_is_realistic() -> None:
    anxiety, avoidance, rng = _population(n=2000, seed=7)
    stats = sample_statistics(score("ecr-s", simulate_responses("ecr-s", anxiety, avoidance, rng)))
    for sub in stats.subscales:  # published: about .77-.86 (Wei et al. 2007)
        assert 0.75 <= sub.alpha <= 0.92, sub


def test_expected_score_tracks_latent_value_inside_the_scale() -> None:
    rng = np.random.default_rng(3)
    for theta in (2.0, 3.0, 4.0, 5.0, 6.0):
        latent = np.full(4000, theta)
        scored = score("ecr-r", simulate_responses("ecr-r", latent, latent, rng))
        assert scored.scores["ecr_r_anxiety"].mean() == pytest.approx(theta, abs=0.15)
        assert scored.scores["ecr_r_avoidance"].mean() == pytest.approx(theta, abs=0.15)


def test_reversed_items_are_answered_in_reverse() -> None:
    rng = np.random.default_rng(4)
    n = 500
    answers = simulate_responses("ecr-r", np.full(n, 1.0), np.full(n, 7.0), rng)
    inst = INSTRUMENTS["ecr-r"]
    for item in inst.subscale("avoidance").items:
        mean = answers[inst.column(item)].mean()
        if inst.is_reversed(item):
            assert mean < 2.0  # a high-avoidance person answers a reversed item low
        else:
            assert mean > 6.0
    assert answers[inst.column(9)].mean() > 6.0  # low anxiety, reversed anxiety item: high


def test_output_shape_and_determinism() -> None:
    anxiety, avoidance, _ = _population(n=50, seed=1)
    a = simulate_responses("ecr-s", anxiety, avoidance, np.random.default_rng(9))
    b = simulate_responses("ecr-s", anxiety, avoidance, np.random.default_rng(9))
    assert list(a.columns) == ["id", *INSTRUMENTS["ecr-s"].item_columns]
    assert a.equals(b)
    assert a["id"].tolist() == list(range(1, 51))
    items = a.drop(columns="id").to_numpy()
    assert items.dtype.kind == "i" and items.min() >= 1 and items.max() <= 7


def test_simulated_file_reads_back_through_the_same_scoring(tmp_path: Path) -> None:
    anxiety, avoidance, rng = _population(n=200, seed=8)
    answers = simulate_responses("ecr-r", anxiety, avoidance, rng)
    write_table(answers, tmp_path / "sim.csv")
    from_file = score("ecr-r", read_responses(tmp_path / "sim.csv"))
    in_memory = score("ecr-r", answers)
    np.testing.assert_allclose(
        from_file.scores["ecr_r_anxiety"].to_numpy(), in_memory.scores["ecr_r_anxiety"].to_numpy()
    )


def test_measurement_model_parameters() -> None:
    model = measurement_model("ecr-r")
    assert model.thresholds.shape == (36, 6)
    assert np.all(np.diff(model.thresholds, axis=1) == pytest.approx(1.0))
    for sub in INSTRUMENTS["ecr-r"].subscales:
        idx = [i - 1 for i in sub.items]
        # locations average to zero per subscale, so the mean item score tracks the latent value
        assert model.thresholds[idx, 0].mean() == pytest.approx(1.5)
    assert 1.2 <= model.discrimination.min() and model.discrimination.max() <= 2.0


@pytest.mark.parametrize(
    ("anxiety", "avoidance", "match"),
    [
        ([4.0, 8.0], [4.0, 4.0], "anxiety"),
        ([4.0, 4.0], [4.0, float("nan")], "avoidance"),
        ([4.0, 4.0], [4.0], "avoidance"),
        ([[4.0]], [[4.0]], "anxiety"),
    ],
)
def test_bad_latent_values(anxiety: list[float], avoidance: list[float], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        simulate_responses("ecr-r", np.asarray(anxiety), np.asarray(avoidance), np.random.default_rng(0))


def test_bad_rng_and_instrument() -> None:
    with pytest.raises(ParameterError, match="rng"):
        simulate_responses("ecr-r", np.ones(2), np.ones(2), 42)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="instrument"):
        simulate_responses("rq", np.ones(2), np.ones(2), np.random.default_rng(0))
    with pytest.raises(ParameterError, match="instrument"):
        simulate_responses("ecr", np.ones(2), np.ones(2), np.random.default_rng(0))
