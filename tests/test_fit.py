"""`iwm fit` plumbing (issue 18): data formats, priors, summaries and simulation always run;
training, saving and sampling the estimator run where the `fit` extra is installed
(``make fit``) and are skipped cleanly elsewhere. Budgets are tiny: these test the plumbing,
not the recovery study (that is `iwm fit-check`, a study whose figures go into the docs)."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest

from iwm._errors import InputError
from iwm.measure._simulate import simulate_responses
from iwm.study._fit import (
    Budget,
    Design,
    FitUnavailable,
    SimJob,
    require_fit,
    simulate_sample,
    training_set,
)
from iwm.study._fit_data import FitData, load_data, read_couples, read_infants, read_questionnaire
from iwm.study._fit_priors import DEFAULT_PRIORS, PriorSet, load_priors
from iwm.study._fit_summaries import questionnaire_names, summarize, summary_names

TINY = Budget(
    simulations=24, epochs=1, batch_size=8, posterior_samples=40, predictive=3, max_n=80, depth=1, width=8, checks=10
)


def _scored(tmp_path, anxiety, avoidance, name="sample.csv"):
    path = tmp_path / name
    pd.DataFrame({"id": range(1, len(anxiety) + 1), "anxiety": anxiety, "avoidance": avoidance}).to_csv(
        path, index=False
    )
    return path


# ---------------------------------------------------------------- data formats (no bayesflow)


def test_scored_sample_reads(tmp_path):
    data = load_data(_scored(tmp_path, [2.0, 3.5, 6.0], [1.5, 4.5, 5.0]))
    assert data.n == 3 and data.instrument == "ecr-r"
    np.testing.assert_allclose(data.anxiety, [2.0, 3.5, 6.0])


def test_scored_value_out_of_range_names_file_row_and_column(tmp_path):
    path = _scored(tmp_path, [2.0, 8.5, 3.0], [1.5, 4.5, 5.0])
    with pytest.raises(InputError) as err:
        load_data(path)
    text = str(err.value)
    assert str(path) in text and "row 3" in text and "column anxiety" in text and "[1, 7]" in text and "8.5" in text


def test_scored_text_cell_names_column(tmp_path):
    path = _scored(tmp_path, [2.0, 3.0, 3.0], [1.5, "high", 5.0])
    with pytest.raises(InputError, match=r"row 3, column avoidance: must be a number; got 'high'"):
        load_data(path)


def test_unknown_columns_are_refused_with_the_columns_listed(tmp_path):
    path = tmp_path / "other.csv"
    pd.DataFrame({"id": [1, 2], "anx": [2, 3]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"other.csv: neither scored .* columns: id, anx"):
        load_data(path)


def test_missing_scored_column_named(tmp_path):
    path = tmp_path / "half.csv"
    pd.DataFrame({"anxiety": [2, 3]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"half.csv, column avoidance"):
        read_questionnaire(path, instrument="scored")


def test_raw_items_are_scored_and_bad_cells_named(tmp_path):
    rng = np.random.default_rng(4)
    answers = simulate_responses("ecr-s", np.full(30, 3.0), np.full(30, 5.0), rng)
    good = tmp_path / "raw.csv"
    answers.to_csv(good, index=False)
    data = load_data(good)
    assert data.instrument == "ecr-s" and data.n == 30
    assert abs(data.avoidance.mean() - 5.0) < 0.5 and abs(data.anxiety.mean() - 3.0) < 0.5
    answers.loc[4, "ecr_s_03"] = 9
    bad = tmp_path / "raw_bad.csv"
    answers.to_csv(bad, index=False)
    with pytest.raises(InputError) as err:
        load_data(bad)
    assert "raw_bad.csv" in str(err.value) and "row 6" in str(err.value) and "ecr_s_03" in str(err.value)


def test_infant_counts_file_and_errors(tmp_path):
    path = tmp_path / "infants.csv"
    pd.DataFrame({"class": ["A", "B", "C", "D"], "count": [20, 60, 10, 10]}).to_csv(path, index=False)
    assert read_infants(str(path)) == {"A": 20, "B": 60, "C": 10, "D": 10}
    pd.DataFrame({"class": ["A", "B"], "count": [20, 2.5]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"infants.csv, row 3, column count: count must be a whole number"):
        read_infants(str(path))
    pd.DataFrame({"class": ["A", "E"], "count": [20, 2]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"infants.csv, row 3, column class: class must be A, B, C or D; got 'E'"):
        read_infants(str(path))
    with pytest.raises(InputError, match="add up to 0"):
        read_infants({"A": 0})


def test_couples_and_data_file(tmp_path):
    assert read_couples({"partnered_end": 0.6}) == {"partnered_end": 0.6}
    with pytest.raises(InputError, match=r"couples: satisfaction_mean: must be a number in \[0, 1\]; got 1.5"):
        read_couples({"satisfaction_mean": 1.5})
    _scored(tmp_path, [2.0, 3.0, 4.0], [2.0, 5.0, 3.0])
    spec = tmp_path / "data.yaml"
    spec.write_text("questionnaire: sample.csv\ninfants: {A: 1, B: 3}\ncouples: {partnered_end: 0.5}\n")
    data = load_data(spec)
    assert data.infants == {"A": 1, "B": 3, "C": 0, "D": 0} and data.couples == {"partnered_end": 0.5}
    assert summary_names(data)[-5:] == ["infant_A", "infant_B", "infant_C", "infant_D", "partnered_end"]
    spec.write_text("questionnaire: sample.csv\ninfant: {A: 1}\n")
    with pytest.raises(InputError, match=r"data.yaml: infant: unknown key"):
        load_data(spec)


# ---------------------------------------------------------------- priors (no bayesflow)


def test_default_priors_are_valid_and_inside_the_ledger():
    priors = PriorSet()
    assert 4 <= len(priors.priors) <= 6
    draws = priors.draw(np.random.default_rng(0), 200)
    for j, p in enumerate(DEFAULT_PRIORS):
        assert draws[:, j].min() >= p.low and draws[:, j].max() <= p.high


def test_scenario_at_sets_the_mix_and_key_paths():
    priors = PriorSet()
    theta = [0.1, 0.2, 0.3, 0.7, 0.2]
    data = priors.scenario_at(theta, n=50)
    weights = {c["profile"]: c["weight"] for c in data["population"]["caregiving"]["components"]}
    assert weights == pytest.approx({"sensitive": 0.4, "inconsistent": 0.1, "rejecting": 0.2, "frightening": 0.3})
    assert data["population"]["formation"]["learning_rate"] == 0.7 and data["population"]["n"] == 50


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "parameters:\n  population.formation.nonsense: {low: 0, high: 1}\n",
            "parameters.population.formation.nonsense",
        ),
        ("parameters:\n  population.formation.learning_rate: {low: 0, high: 99}\n", "learning_rate"),
        ("parameters:\n  population.formation.learning_rate: {low: 2, high: 1}\n", "needs low < high"),
        (
            "parameters:\n  caregiving.rejecting: {low: 0, high: 0.6}\n  caregiving.frightening: {low: 0, high: 0.6}\n",
            "add up to at most 1; got 1.2",
        ),
        ("parameters:\n  caregiving.sensitive: {low: 0, high: 0.5}\n", "not a caregiving share"),
        ("parameters:\n  population.formation.learning_rate: {low: 0.1}\n", "high: is required"),
        ("prior:\n  x: 1\n", "prior: unknown key"),
    ],
)
def test_bad_priors_files_are_refused_naming_the_parameter(tmp_path, text, match):
    path = tmp_path / "priors.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=match) as err:
        load_priors(path)
    assert "priors.yaml" in str(err.value)


def test_priors_file_with_log_prior_and_scenario(tmp_path):
    path = tmp_path / "priors.yaml"
    path.write_text(
        "parameters:\n  population.formation.learning_rate: {low: 0.05, high: 2, log: true}\n"
        "scenario:\n  adult: {years: 1}\n"
    )
    priors = load_priors(path)
    assert priors.names == ["population.formation.learning_rate"] and priors.adult_years == 1.0
    draws = priors.draw(np.random.default_rng(1), 2000)[:, 0]
    assert np.median(draws) == pytest.approx(np.sqrt(0.05 * 2), rel=0.15)  # log-uniform: geometric midpoint


# ---------------------------------------------------------------- summaries and simulation (no bayesflow)


def test_summaries_are_the_documented_statistics():
    anx = np.array([1.0, 2.0, 5.0, 6.0])
    avo = np.array([2.0, 5.0, 3.0, 6.0])
    stats = dict(zip(questionnaire_names(), summarize(FitData("t", anx, avo)), strict=True))
    assert stats["anxiety_mean"] == 3.5 and stats["avoidance_q50"] == 4.0
    assert stats["anxiety_sd"] == pytest.approx(np.std(anx, ddof=1))
    assert stats["anxiety_avoidance_r"] == pytest.approx(np.corrcoef(anx, avo)[0, 1])
    assert [stats[f"share_{k}"] for k in ("secure", "preoccupied", "dismissing", "fearful")] == [0.25, 0.25, 0.25, 0.25]


def test_simulation_is_deterministic_and_the_executor_does_not_matter():
    priors, design = PriorSet(), Design(n=60, instrument="ecr-r", infants=50)
    theta1, x1 = training_set(priors, design, 3, seed=7, workers=1)
    theta2, x2 = training_set(priors, design, 3, seed=7, workers=2)
    np.testing.assert_array_equal(theta1, theta2)
    np.testing.assert_array_equal(x1, x2)
    assert x1.shape == (3, len(design.names()))
    _, x3 = training_set(priors, design, 3, seed=8, workers=1)
    assert not np.array_equal(x1, x3)


def test_simulated_infants_follow_the_caregiving_share():
    """The simulator answers its parameters: more frightening caregiving, more D infants (C5)."""
    priors, design = PriorSet(), Design(n=600, instrument=None, infants=600)
    d_share = {}
    for frightening in (0.0, 0.35):
        theta = [0.0, 0.0, frightening, 0.5, 0.15]
        job = SimJob(0, priors.scenario_at(theta, design.n), seed=11, design=design)
        _, stats = simulate_sample(job)
        d_share[frightening] = dict(zip(design.names(), stats, strict=True))["infant_D"]
    assert d_share[0.35] > d_share[0.0] + 0.1


def test_fit_module_imports_without_bayesflow_and_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "bayesflow", None)  # an import of it now fails
    with pytest.raises(FitUnavailable, match="make fit"):
        require_fit()


# ---------------------------------------------------------------- the estimator (needs the fit extra)

needs_fit = pytest.mark.skipif(importlib.util.find_spec("bayesflow") is None, reason="the fit extra is not installed")


@pytest.fixture(scope="module")
def trained():
    pytest.importorskip("bayesflow")
    from iwm.study._fit import Estimator

    priors = PriorSet(DEFAULT_PRIORS[:2] + DEFAULT_PRIORS[3:4])
    design = Design(n=TINY.max_n, instrument=None)
    theta, x = training_set(priors, design, TINY.simulations, seed=5, workers=1)
    return priors, design, theta, x, Estimator.train(priors, design, theta, x, TINY, seed=5)


@needs_fit
def test_posterior_has_the_right_shape_and_stays_in_the_prior(trained):
    priors, _design, _, x, est = trained
    draws = est.sample(x[:2], TINY.posterior_samples, seed=1)
    assert draws.shape == (2, TINY.posterior_samples, len(priors.priors))
    for j, p in enumerate(priors.priors):
        assert draws[..., j].min() >= p.low and draws[..., j].max() <= p.high


@needs_fit
def test_training_with_a_seed_is_deterministic(trained):
    from iwm.study._fit import Estimator

    priors, design, theta, x, est = trained
    again = Estimator.train(priors, design, theta, x, TINY, seed=5)
    np.testing.assert_array_equal(est.sample(x[:1], 20, seed=3), again.sample(x[:1], 20, seed=3))


@needs_fit
def test_saved_estimator_reloads_and_gives_the_same_samples(trained, tmp_path):
    from iwm.study._fit import Estimator

    _, _, _, x, est = trained
    est.save(tmp_path / "estimator")
    loaded = Estimator.load(tmp_path / "estimator")
    assert loaded.names == est.names and loaded.design == est.design
    np.testing.assert_array_equal(est.sample(x[:2], 20, seed=9), loaded.sample(x[:2], 20, seed=9))


@needs_fit
def test_a_second_data_set_costs_no_training_simulations(trained, tmp_path, monkeypatch):
    from iwm.study import _fit

    _, design, _, _, est = trained
    rng = np.random.default_rng(2)
    data = FitData("second", rng.uniform(1, 7, design.n), rng.uniform(1, 7, design.n), instrument=None)

    def refuse(*args, **kwargs):
        raise AssertionError("training simulations were run")

    monkeypatch.setattr(_fit, "training_set", refuse)
    result = _fit.fit(data, budget=TINY, seed=1, workers=1, estimator=est)
    assert result.posterior.shape == (TINY.posterior_samples, len(est.priors.priors))
    assert list(result.predictive["statistic"]) == est.names
    paths = _fit.write_fit(result, tmp_path / "out", save_estimator=False)
    assert pd.read_parquet(paths["posterior"]).shape == result.posterior.shape
    assert paths["pairs"].stat().st_size > 0 and "## Fit to data" in paths["report"].read_text()
    other = FitData("third", data.anxiety, data.avoidance, instrument=None, infants={"A": 1, "B": 1, "C": 0, "D": 0})
    with pytest.raises(InputError, match="third: has other statistics"):
        _fit.fit(other, budget=TINY, seed=1, workers=1, estimator=est)


@needs_fit
def test_fit_check_reports_every_parameter_with_the_documented_fields():
    from iwm.study._fit_check import fit_check

    priors = PriorSet(DEFAULT_PRIORS[2:4])
    result = fit_check(priors, budget=TINY, seed=3, n=TINY.max_n, infants=40, workers=1)
    doc = result.to_json()
    assert [p["name"] for p in doc["parameters"]] == priors.names
    for p in doc["parameters"]:
        assert {"name", "identifiable", "recovered", "recovery_r", "sbc_p", "coverage_90"} <= set(p)
        assert p["identifiable"] == (p["recovered"] and p["calibrated"])
        assert 0 <= p["coverage_90"] <= 1
        assert set(p["by_data"]) == {"questionnaire", "questionnaire+infants"}


def test_the_shipped_example_sample_reads():
    from pathlib import Path

    spec = Path(__file__).resolve().parent.parent / "examples" / "fit" / "data.yaml"
    data = load_data(spec)
    assert data.n == 500 and data.instrument == "ecr-r" and data.infant_total == 100
    assert len(summarize(data)) == len(summary_names(data)) == len(questionnaire_names()) + 4


def _cli(*args: str):
    import subprocess

    return subprocess.run([sys.executable, "-m", "iwm", *args], capture_output=True, text=True, timeout=300)


def test_cli_fit_names_the_bad_file_row_and_column(tmp_path):
    """A bad file is reported before any library loads: one line on stderr, exit code 2."""
    path = _scored(tmp_path, [2.0, 9.0], [1.5, 4.5])
    done = _cli("fit", str(path), "--budget", "tiny", "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert done.stderr.startswith("iwm: error: ") and "row 3, column anxiety: must be in [1, 7]" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(importlib.util.find_spec("bayesflow") is not None, reason="the fit extra is installed")
def test_cli_fit_without_the_extra_says_how_to_install(tmp_path):
    done = _cli("fit", str(_scored(tmp_path, [2.0, 3.0], [1.5, 4.5])), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "install the fit extra: `make fit`" in done.stderr
    assert not (tmp_path / "out").exists()


@needs_fit
def test_fit_check_adds_couple_data_when_the_study_has_adult_years():
    """With adult years in the priors' scenario, the check trains a third estimator on the
    questionnaire, infant and couple statistics together and reports its verdicts."""
    from iwm.study._fit_check import KINDS, fit_check

    priors = PriorSet(DEFAULT_PRIORS[2:4], scenario={"adult": {"years": 0.5}})
    assert priors.adult_years == 0.5
    result = fit_check(priors, budget=TINY, seed=3, n=TINY.max_n, infants=40, workers=1)
    doc = result.to_json()
    assert list(dict.fromkeys(r["data"] for r in doc["table"])) == list(KINDS)
    assert not doc["notes"]
    for p in doc["parameters"]:
        assert p["data"] == "questionnaire+infants+couples"
        assert set(p["by_data"]) == set(KINDS)
