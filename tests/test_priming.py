"""Security priming: a momentary state around the chronic model (issue "Working model v2",
item 5). A reminder of a secure figure lowers appraised threat and raises the care one expects
for a few days, then fades; the chronic model moves only through what is lived meanwhile."""

from __future__ import annotations

import numpy as np
import pytest

import iwm

DAYS, ON = 60, 14


@pytest.fixture(scope="module")
def traces():
    """The same 2,000 couples (people formed under low-risk caregiving, paired by index, so by
    history, not by style) with and without a prime for partner a on day 14, one seed."""
    pop = iwm.develop("low-risk", n=4000, seed=31).population
    a, b = pop.take(slice(0, 2000)), pop.take(slice(2000, 4000))
    people = np.r_[np.ones(2000, bool), np.zeros(2000, bool)]
    plain = iwm.simulate_couples(a, b, days=DAYS, seed=32)
    primed = iwm.simulate_couples(a, b, days=DAYS, seed=32, prime=iwm.Prime(people=people, day=ON))
    return plain, primed


def test_before_the_prime_nothing_differs(traces):
    plain, primed = traces
    for field in ("felt", "bid", "perceived", "distress"):
        assert np.array_equal(plain[field][:ON], primed[field][:ON]), field


def test_a_prime_lowers_felt_need_and_raises_the_care_perceived(traces):
    """On the day of the prime the primed partner feels less need under the same stressors and
    reads the same kind of answer as kinder; the differences are many standard errors wide."""
    plain, primed = traces
    felt = primed["felt"][ON, 0] - plain["felt"][ON, 0]
    perceived = primed["perceived"][ON, 0] - plain["perceived"][ON, 0]
    assert felt.mean() < -5 * felt.std() / np.sqrt(felt.size)
    assert perceived.mean() > 5 * perceived.std() / np.sqrt(perceived.size)


def test_the_effect_fades_within_days(traces):
    """Two-day half-life: three weeks later the momentary effect on felt need is under a tenth
    of what it was on the day (what remains comes from the days lived while primed)."""
    plain, primed = traces
    on_day = abs(np.mean(primed["felt"][ON, 0] - plain["felt"][ON, 0]))
    later = abs(np.mean(primed["felt"][ON + 21 :, 0] - plain["felt"][ON + 21 :, 0]))
    assert later < on_day / 10


def test_the_chronic_model_is_not_rewritten_by_the_prime(traces):
    """A week after the prime, beliefs differ only by what was perceived meanwhile: far less
    than the momentary shift in perceived care."""
    plain, primed = traces
    belief = np.abs(primed["other_availability"][ON + 7, 0] - plain["other_availability"][ON + 7, 0]).mean()
    moment = np.abs(primed["perceived"][ON, 0] - plain["perceived"][ON, 0]).mean()
    assert belief < moment / 5


def test_a_prime_from_a_scenario_runs_and_a_wrong_size_is_refused(tmp_path):
    pop = iwm.develop("low-risk", n=100, seed=1).population
    with pytest.raises(iwm.ParameterError, match=r"prime\.people"):
        iwm.live(pop, years=0.1, seed=1, prime=iwm.Prime(people=np.ones(5, bool)))
    run = iwm.run_scenario(
        {
            "population": {"n": 500},
            "adult": {"years": 0.2},
            "arms": [{"name": "plain"}, {"name": "primed", "prime": {"day": 3, "params": {"strength": 1.0}}}],
        },
        tmp_path / "run",
        workers=1,
    )
    summary = run.table("summary").set_index("arm")
    assert set(summary.index) == {"plain", "primed"}
    with pytest.raises(iwm.InputError, match=r"prime.*strength"):
        iwm.run_scenario(
            {"population": {"n": 100}, "arms": [{"name": "x", "prime": {"params": {"strength": 2}}}]},
            tmp_path / "bad",
            workers=1,
        )
