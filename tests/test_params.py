"""Parameter and caregiving-file validation: each error names the field, the rule and the value."""

from __future__ import annotations

import pytest

import iwm
from iwm import InputError, ParameterError


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"exploration": 1.3}, "`exploration` must be in [0.01, 1]; got 1.3"),
        ({"episodes_per_week": 2.5}, "`episodes_per_week` must be an integer in [1, 7]; got 2.5"),
        ({"plasticity_floor": float("nan")}, "`plasticity_floor` must be in [0.01, 1]; got nan"),
        ({"relief": "big"}, "`relief` must be a number in [0, 3]; got 'big'"),
    ],
)
def test_formation_params_validate(kwargs, fragment):
    with pytest.raises(ParameterError) as err:
        iwm.FormationParams(**kwargs)
    assert fragment in str(err.value)


def test_params_are_frozen_and_declare_ranges():
    p = iwm.FormationParams()
    with pytest.raises(AttributeError):
        p.exploration = 0.3  # type: ignore[misc]
    ranges = iwm.FormationParams.ranges()
    assert ranges["exploration"][:2] == (0.01, 1)
    assert all(lo <= getattr(p, k) <= hi for k, (lo, hi, _) in ranges.items())


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"n": 0}, "n"), ({"seed": -1}, "seed"), ({"workers": 0}, "workers"), ({"chunk_size": 0}, "chunk_size")],
)
def test_develop_validates_arguments(kwargs, name):
    args = {"n": 10, "seed": 1, **kwargs}
    with pytest.raises(ParameterError, match=f"`{name}` must be"):
        iwm.develop("low-risk", **args)


def test_develop_needs_exactly_one_source():
    with pytest.raises(ParameterError):
        iwm.develop(n=10, seed=1)
    with pytest.raises(ParameterError):
        iwm.develop("low-risk", parents="low-risk", n=10, seed=1)


def test_unknown_mix_name():
    with pytest.raises(ParameterError, match="got 'medium-risk'"):
        iwm.develop("medium-risk", n=10, seed=1)


GOOD_YAML = """
name: my-sample
components:
  - weight: 0.7
    profile: sensitive
  - weight: 0.3
    sensitivity: 0.4
    consistency: 0.2
"""


def test_user_mix_yaml_and_toml(tmp_path):
    y = tmp_path / "mix.yaml"
    y.write_text(GOOD_YAML)
    mix = iwm.load_mix(str(y))
    assert mix.name == "my-sample" and len(mix.components) == 2
    assert mix.components[1][1].sensitivity == 0.4
    t = tmp_path / "mix.toml"
    t.write_text('name = "t"\n[[components]]\nweight = 1.0\nprofile = "rejecting"\nrejection = 0.9\n')
    tmix = iwm.load_mix(str(t))
    assert tmix.components[0][1].rejection == 0.9
    assert tmix.components[0][1].consistency == iwm.PROFILES["rejecting"].consistency
    run = iwm.develop(str(y), n=500, seed=1, formation=iwm.FormationParams(years=1))
    assert run.caregiving == "my-sample"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("components:\n  - weight: 0.5\n    sensitivity: 0.9\n", ["components[*].weight", "sum to 1", "0.5"]),
        ("components:\n  - weight: 1\n    sensitivity: 1.4\n", ["components[0].sensitivity", "[0, 1]", "1.4"]),
        ("components:\n  - weight: 1\n    warmth: 0.4\n", ["components[0].warmth", "unknown parameter"]),
        ("components:\n  - weight: 1\n    profile: cold\n", ["components[0].profile", "cold"]),
        ("components:\n  - sensitivity: 0.3\n", ["components[0].weight", "required"]),
        ("components: []\n", ["components", "non-empty"]),
        ("- just\n- a list\n", ["mapping"]),
        ("components: [\n", ["not valid YAML"]),
        ("colour: blue\ncomponents: []\n", ["colour", "unknown key"]),
    ],
)
def test_bad_mix_files_name_the_field(tmp_path, text, fragments):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        iwm.load_mix(str(path))
    message = str(err.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_and_undecodable_mix_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        iwm.load_mix(str(tmp_path / "absent.yaml"))
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        iwm.load_mix(str(bad))
