"""The sensitivity table of the calibration targets (iwm.study._sensitivity), on tiny budgets:
every target and parameter present, the same indices for the same seed whatever the workers,
zero for a parameter that acts after a target is computed, clearly more for a known driver,
and clear errors for bad names."""

from __future__ import annotations

import json
import math

import pytest

from iwm._errors import ParameterError
from iwm.study import _sensitivity as s
from iwm.study._calibration import ADULT_TARGETS, FORMATION_TARGETS, check_adult, check_formation

D_CUT = "InfantReadout.disorganization_cut"
ADULT_RATE = "AdultParams.evidence_rate"
TINY = s.Design(trajectories=2, n=500, seed=7)


@pytest.fixture(scope="module")
def every_target() -> s.Sensitivity:
    """Two parameters on all of T1-T6: a driver of infant D and an adult-life rate."""
    return s.analyse([D_CUT, ADULT_RATE], TINY)


def test_every_target_and_parameter_has_an_index(every_target):
    keys = [s.target_key(t) for t in (*FORMATION_TARGETS, *ADULT_TARGETS)]
    assert sorted(every_target.indices) == sorted(keys)
    assert sorted(every_target.baseline) == sorted(keys)
    for key, row in every_target.indices.items():
        assert sorted(row) == sorted([D_CUT, ADULT_RATE]), key
        for index in row.values():
            assert math.isfinite(index["mu_star"]) and index["mu_star"] >= 0, key
            assert math.isfinite(index["mu_star_conf"]) and math.isfinite(index["sigma"]), key


def test_a_parameter_that_acts_after_a_target_has_no_effect_on_it(every_target):
    # adult life starts after the infant assessment and does not touch the parents' generation
    for t in (*FORMATION_TARGETS,):
        assert every_target.indices[s.target_key(t)][ADULT_RATE]["mu_star"] == 0.0, t.quantity


def test_a_known_driver_has_a_clearly_larger_effect(every_target):
    # the infant D cut decides D (T1) and moves the D ratios (T2), less so since a common cut
    # shifts the D share of both mixes (the v2 reunion coding); the adult rate acts on T3/T4
    assert every_target.indices["T1 low-risk infant D share"][D_CUT]["scaled"] > 0.3  # 30% of the tolerance
    for quantity in ("T1 low-risk infant D share", "T2 D share high-risk / low-risk"):
        row = every_target.indices[quantity]
        assert row[D_CUT]["mu_star"] > 10 * row[ADULT_RATE]["mu_star"] + 1e-9, quantity
    assert every_target.indices["T3 adult (AAI) secure share"][ADULT_RATE]["mu_star"] > 0


def test_target_values_at_the_defaults_are_those_of_validate():
    """The sensitivity runs compute T1-T6 as `iwm validate` does (no second definition drifts)."""
    n, seed = 500, 11
    validate = [r.value for r in check_formation(n=n, seed=seed) + check_adult(n=n, seed=seed)]
    keys = [s.target_key(t) for t in (*FORMATION_TARGETS, *ADULT_TARGETS)]
    ours = s.target_values({}, n=n, seed=seed)
    assert [ours[k] for k in keys] == pytest.approx(validate, rel=0, abs=0)


def test_same_seed_same_indices_whatever_the_workers():
    params = ["FormationParams.effort", D_CUT, ADULT_RATE]
    design = s.Design(trajectories=2, n=500, seed=3, targets=("T1",))
    first = s.analyse(params, design, workers=1).to_dict()
    second = s.analyse(params, design, workers=2).to_dict()
    other_seed = s.analyse(params, s.Design(trajectories=2, n=500, seed=4, targets=("T1",))).to_dict()
    for d in (first, second, other_seed):
        d.pop("seconds")
    assert first == second
    assert first["indices"] != other_seed["indices"]
    assert sorted(first["indices"]) == sorted(s.target_key(t) for t in FORMATION_TARGETS[:4])


def test_markdown_has_every_target_and_parameter_and_writes_between_markers(every_target, tmp_path):
    text = s.markdown(every_target)
    for t in (*FORMATION_TARGETS, *ADULT_TARGETS):
        assert f"| {t.id} {t.quantity} |" in text
    for name in (D_CUT, ADULT_RATE):
        assert f"`{name}`" in text
    assert f"seed {TINY.seed}" in text and "2 trajectories" in text
    doc = tmp_path / "calibration.md"
    doc.write_text(f"before\n{s.START}\nold\n{s.END}\nafter\n", encoding="utf-8")
    assert s.write(doc, text)
    assert not s.write(doc, text)
    new = doc.read_text(encoding="utf-8")
    assert new.startswith("before\n") and new.endswith(f"{s.END}\nafter\n") and "\nold\n" not in new
    doc.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="sensitivity:start"):
        s.write(doc, text)


def test_the_command_writes_json(tmp_path, capsys):
    out = tmp_path / "s.json"
    argv = ["--parameters", f"{D_CUT},{ADULT_RATE}", "--targets", "T1", "--trajectories", "2", "--n", "500"]
    assert s.main([*argv, "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["method"] == "morris" and data["design"]["trajectories"] == 2
    assert [p["name"] for p in data["parameters"]] == [D_CUT, ADULT_RATE]
    assert len(data["indices"]) == 4


def test_default_factors_are_valid_and_in_range():
    assert 8 <= len(s.DEFAULT_FACTORS) <= 16
    for f in s.DEFAULT_FACTORS:
        lo, hi, _ = f.cls.ranges()[f.field]
        assert lo <= f.low < f.default < f.high <= hi, f.name
        assert f.why, f.name
    assert s.resolve(None) == s.DEFAULT_FACTORS


@pytest.mark.parametrize(
    ("parameters", "named"),
    [
        (["FormationParams.effort", "FormationParams.no_such_rate"], "FormationParams.no_such_rate"),
        (["FormationParams.effort", "NoSuchParams.effort"], "NoSuchParams.effort"),
        (["FormationParams.effort", "effort"], "effort"),
        (["FormationParams.effort"], "FormationParams.effort"),
        (["FormationParams.effort", "FormationParams.effort"], "FormationParams.effort"),
    ],
)
def test_bad_parameters_are_named(parameters, named):
    with pytest.raises(ParameterError, match=named.replace(".", r"\.")):
        s.analyse(parameters, TINY)


def test_a_range_outside_the_declared_bounds_is_named():
    with pytest.raises(ParameterError, match=r"FormationParams\.effort.*\[0, 1\]"):
        s.factor("FormationParams.effort", 0.5, 1.5)
    with pytest.raises(ParameterError, match="T7"):
        s.Design(targets=("T1", "T7"))
    with pytest.raises(ParameterError, match="trajectories"):
        s.Design(trajectories=1)
