"""Ablations remove their own mechanism and nothing else; change is reported as shifts, not
only correlations (issue "Working model v2", items 6 and 8)."""

from __future__ import annotations

import numpy as np
import pytest

import iwm
from iwm.measure._change import change_metrics, mean_with_ci


@pytest.fixture(scope="module")
def rows():
    pop = iwm.develop("low-risk", n=8192, seed=21).population
    return {r["condition"]: r for r in iwm.ablate(pop, years=2, seed=22)}


def test_each_ablation_keeps_people_pairing(rows):
    """Switching a perpetuation mechanism off must not stop people from forming couples: with
    8,192 people about 5,000 are partnered, so a 20% band is over ten standard errors wide and
    still catches a collapse such as the one C22's ablation used to cause (partnering fell by
    more than half when familiarity lost its weight along with its selectivity)."""
    base = rows["all on"]["partnered_at_end"]
    assert base > 0.5
    for name, row in rows.items():
        assert row["partnered_at_end"] == pytest.approx(base, rel=0.2), name


def test_no_single_ablation_shuts_the_avoidant_out(rows):
    """The dismissing at the start stay partnered at about the all-on rate when any one
    mechanism is off: between 0.8 and 1.75 times it (measured, seed 22, two years, with
    acceptance judged against one's comparison level: all on 56%, each ablation 50-56%; about
    1,700 dismissing, so an SE near .012 and the lowest, C22 off at .89 times, more than three
    SEs above the bound). An ablation may raise their partnering through its own mechanism
    but must never shut them out; all off is the sum of four mechanisms and is not held to the
    band."""
    base = rows["all on"]["dismissing_partnered_at_end"]
    assert base > 0.1
    for name, row in rows.items():
        if name != "all off":
            assert 0.8 * base < row["dismissing_partnered_at_end"] < 1.75 * base, name


def test_change_metrics_come_with_intervals(rows):
    for name, row in rows.items():
        for dim in ("anxiety", "avoidance"):
            lo, hi = row[f"{dim}_shift_ci"]
            assert lo <= row[f"{dim}_shift"] <= hi, name
        assert 0 <= row["category_changed"] <= 1


def test_vulnerability_avoidance_ablation_speeds_avoidant_revision(rows):
    """C24's signature on the new metrics: with need shown, avoidance falls further (the CIs of
    the two mean shifts do not overlap)."""
    on, off = rows["all on"]["avoidance_shift_ci"], rows["no vulnerability avoidance"]["avoidance_shift_ci"]
    assert off[1] < on[0]


def test_change_metrics_of_no_change_are_zero():
    pop = iwm.develop("low-risk", n=2000, seed=3).population
    m = change_metrics(pop, pop)
    assert m["category_changed"] == 0
    assert m["anxiety_shift"] == 0 and m["avoidance_shift"] == 0
    assert m["secure_to_insecure"] == 0 and m["insecure_to_secure"] == 0


def test_mean_with_ci_matches_a_t_interval():
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 2.0, 400)
    mean, (lo, hi) = mean_with_ci(x)
    assert mean == pytest.approx(x.mean())
    assert (hi - lo) / 2 == pytest.approx(1.966 * x.std(ddof=1) / np.sqrt(400), rel=1e-3)
    assert mean_with_ci(np.array([]))[0] is None
    assert mean_with_ci(np.array([1.0]))[1] is None


@pytest.fixture(scope="module")
def raised():
    return iwm.develop("low-risk", n=8192, seed=21)


def test_no_single_ablation_shuts_out_the_rejection_raised(raised):
    """The same band by history, not by the read-out: people raised by a clearly rejecting
    caregiver (rejection above .6; about 1,300 of 8,192) stay partnered at between 0.8 and
    1.25 times the all-on rate with any one mechanism off (measured, seed 22, two years: all
    on 56%, each ablation 51-56%; SE near .014, so the lowest, C22 off at .91 times, sits
    about five SEs above the bound). Familiarity (C22) decides whom they pick, the comparison
    level whether they accept: switching C22 off must not change whether they partner much."""
    rejected = raised.caregivers.rejection > 0.6
    on = iwm.Mechanisms()
    share = {}
    for mech in [on, *(on.without(name) for name in on.names())]:
        life = iwm.live(raised.population, years=2, seed=22, mechanisms=mech)
        share[mech.switched_off()] = float(np.mean(life.partner[rejected] >= 0))
    base = share[()]
    assert base > 0.4
    for off, value in share.items():
        assert 0.8 * base < value < 1.25 * base, off
