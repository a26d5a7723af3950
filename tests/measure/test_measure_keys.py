"""The shipped scoring keys match their primary sources (cited in iwm/measure/_keys.py)."""

from __future__ import annotations

import pytest

from iwm import ParameterError
from iwm.measure import INSTRUMENTS, Subscale


def test_ecr_r_key() -> None:
    # Fraley, Waller & Brennan (2000); key on Fraley's ECR-R page.
    inst = INSTRUMENTS["ecr-r"]
    assert (inst.low, inst.high, inst.n_items) == (1, 7, 36)
    assert inst.columns[0] == "ecr_r_01" and inst.columns[-1] == "ecr_r_36"
    anxiety, avoidance = inst.subscale("anxiety"), inst.subscale("avoidance")
    assert anxiety.items == tuple(range(1, 19))
    assert avoidance.items == tuple(range(19, 37))
    assert anxiety.reversed_items == (9, 11)
    assert avoidance.reversed_items == (20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36)


def test_ecr_s_key() -> None:
    # Wei, Russell, Mallinckrodt & Vogel (2007), appendix.
    inst = INSTRUMENTS["ecr-s"]
    assert (inst.low, inst.high, inst.n_items) == (1, 7, 12)
    assert inst.subscale("anxiety").items == (2, 4, 6, 8, 10, 12)
    assert inst.subscale("anxiety").reversed_items == (8,)
    assert inst.subscale("avoidance").items == (1, 3, 5, 7, 9, 11)
    assert inst.subscale("avoidance").reversed_items == (1, 5, 9)


def test_rq_key() -> None:
    # Bartholomew & Horowitz (1991); dimensions of Griffin & Bartholomew (1994).
    inst = INSTRUMENTS["rq"]
    assert inst.columns == ("rq_secure", "rq_fearful", "rq_preoccupied", "rq_dismissing", "rq_choice")
    assert inst.n_items == 4 and inst.choice_column == "rq_choice"
    weights = {s.name: dict(zip(inst.item_columns, s.contrast or (), strict=True)) for s in inst.subscales}
    # self = (secure + dismissing) - (fearful + preoccupied)
    assert weights["self"] == {"rq_secure": 1, "rq_dismissing": 1, "rq_fearful": -1, "rq_preoccupied": -1}
    # other = (secure + preoccupied) - (fearful + dismissing)
    assert weights["other"] == {"rq_secure": 1, "rq_preoccupied": 1, "rq_fearful": -1, "rq_dismissing": -1}
    assert {inst.choice_codes[c] for c in "abcd"} == {"secure", "fearful", "preoccupied", "dismissing"}


def test_no_item_wording_ships() -> None:
    # Keys only: item text is copyrighted and must never appear in the package.
    import iwm.measure._keys as keys

    source = open(keys.__file__, encoding="utf-8").read().lower()
    for fragment in (
        "afraid that i will lose",
        "worry a lot about my relationships",
        "comfortable depending on romantic partners",
    ):
        assert fragment not in source


def test_subscale_is_validated() -> None:
    with pytest.raises(ParameterError, match="reversed_items"):
        Subscale(name="x", items=(1, 2), reversed_items=(3,))
    with pytest.raises(ParameterError, match="contrast"):
        Subscale(name="x", items=(1, 2), contrast=(1, 2))
