"""The momentary state around the chronic model (issue "Working model v2", item 5): the day moves
the state, the state relaxes toward the trait and slowly moves it; a prime shifts it for a
while; life events enter as evidence; test-retest falls with the interval."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import iwm
from iwm.model._adult import AdultParams
from iwm.model._life_events import LifeEventParams
from iwm.study._retest import retest_by_interval

STILL = AdultParams(momentary_rate=0.0)
"""The ablation: days leave the momentary state alone (it can only relax)."""


@pytest.fixture(scope="module")
def formed():
    return iwm.develop("low-risk", n=4096, seed=41).population


@pytest.fixture(scope="module")
def couples(formed):
    """2,048 couples paired by index (by history, not by style), 8 weeks, one seed: with the
    momentary state and without it."""
    a, b = formed.take(slice(0, 2048)), formed.take(slice(2048, 4096))
    return {
        "plain": iwm.simulate_couples(a, b, days=56, seed=42),
        "still": iwm.simulate_couples(a, b, days=56, seed=42, params=STILL),
    }


def _within_week_changes(trace):
    """Absolute day-to-day change of a read-out on days inside a week (the chronic model is
    revised only at the week's end, so without a momentary state these are all 0)."""
    days = trace.shape[0]
    inside = [t for t in range(1, days) if t % 7 != 0]
    return np.abs(trace[inside] - trace[[t - 1 for t in inside]])


def test_the_state_fluctuates_day_to_day(couples):
    """With the momentary state, a questionnaire answered on consecutive days inside a week
    differs; without it (the ablation), it cannot."""
    for dim in ("anxiety", "avoidance"):
        moving = _within_week_changes(couples["plain"][dim])
        still = _within_week_changes(couples["still"][dim])
        assert float(still.max()) == 0.0, dim
        assert float(moving.mean()) > 0.01, dim


def test_the_state_returns_toward_the_trait(formed):
    """Half a year of life builds momentary deviations; four more weeks in which days no longer
    move the state (the ablation) bring them back to the trait: the mean absolute deviation falls
    to under a tenth (0.9 ** 28 is about 0.05)."""
    lived = iwm.live(formed, years=0.5, seed=43).end
    before = np.abs(lived.availability_state).mean()
    assert before > 0.01
    after = iwm.live(lived, years=4 / 52, seed=44, params=STILL).end
    for name in ("availability_state", "self_worth_state", "suppression_state"):
        assert np.abs(getattr(after, name)).mean() < np.abs(getattr(lived, name)).mean() / 10, name


def test_a_prime_shifts_the_state_and_it_fades(formed):
    """Every other person (by index, not by style) is reminded of a secure figure on the first
    day; the same people in the same weeks without the prime are the control. A week later the
    primed feel more available others and more worth and read less avoidant, by many standard
    errors; five weeks later under a third of the shift in felt availability is left."""
    people = np.arange(formed.n) % 2 == 0
    prime = iwm.Prime(people=people, day=0)

    def shift(weeks: int) -> dict[str, np.ndarray]:
        plain = iwm.live(formed, years=weeks / 52, seed=48).end
        primed = iwm.live(formed, years=weeks / 52, seed=48, prime=prime).end
        return {
            "availability": (primed.felt_availability - plain.felt_availability)[people],
            "worth": (primed.felt_self_worth - plain.felt_self_worth)[people],
            "avoidance": (iwm.measure.avoidance(primed) - iwm.measure.avoidance(plain))[people],
        }

    week, later = shift(1), shift(5)
    for key, sign in (("availability", 1), ("worth", 1), ("avoidance", -1)):
        d = sign * week[key]
        assert d.mean() > 5 * d.std() / np.sqrt(d.size), key
    assert abs(later["availability"].mean()) < week["availability"].mean() / 3


def test_a_loss_moves_the_beliefs(formed):
    """People picked by history (they lost someone during the year) against those who did not,
    living the same weeks in the same communities: expected availability, chronic and as felt
    at the year's end, falls further for the bereaved."""
    losses = LifeEventParams(loss_rate=1.0, trauma_rate=0.0, illness_rate=0.0)
    life = iwm.live(formed, years=1, seed=45, events=losses)
    hit = life.events > 0
    assert 0.2 < hit.mean() < 0.8
    change = life.end.other_availability - life.start.other_availability
    diff = change[hit].mean() - change[~hit].mean()
    se = np.sqrt(change[hit].var() / hit.sum() + change[~hit].var() / (~hit).sum())
    assert diff < -5 * se
    felt = life.end.felt_availability - life.start.felt_availability
    assert felt[hit].mean() < felt[~hit].mean()


def test_a_loss_lowers_the_momentary_state_in_its_week(formed):
    """One week at the highest loss rate (about one in ten lose someone): the momentary expected
    availability of the bereaved is lower than that of those who lived the same week without."""
    losses = LifeEventParams(loss_rate=5.0, trauma_rate=0.0, illness_rate=0.0)
    life = iwm.live(formed, years=1 / 52, seed=47, events=losses)
    hit = life.events > 0
    assert 0.05 < hit.mean() < 0.2
    state = life.end.availability_state
    assert state[hit].mean() < state[~hit].mean() - 0.05


def test_the_read_out_reads_the_momentary_state(formed):
    """A day of lower felt worth reads as more anxiety, a day of lower felt availability or
    more deactivation as more avoidance (for everyone not already at a bound)."""
    down = np.full(formed.n, -0.1, np.float32)
    worse = iwm.measure.anxiety(formed.replace(self_worth_state=down)) - iwm.measure.anxiety(formed)
    assert (worse > 0).mean() > 0.95
    for change in ({"availability_state": down}, {"suppression_state": -down}):
        worse = iwm.measure.avoidance(formed.replace(**change)) - iwm.measure.avoidance(formed)
        assert (worse > 0).mean() > 0.95, change


def test_a_formed_population_has_no_momentary_deviation(formed):
    for name in ("availability_state", "self_worth_state", "suppression_state"):
        assert np.array_equal(getattr(formed, name), np.zeros(formed.n, np.float32)), name
    assert dataclasses.replace(formed).self_worth_state.shape == (formed.n,)


def test_bids_stay_bounded_when_today_hides_less_than_the_strategy(formed):
    """Today's deactivation scales the bid relative to the chronic strategy; for someone whose
    strategy hides nearly all need (suppression .99) on a day they hide none, that factor is
    about 100, and the bid must still lie in [0, max_bid] (C8: no one clings or protests
    without limit). Protest after the partner's absence is not hidden by the chronic strategy,
    so before the bound was applied again such bids reached about 100."""
    from iwm.model._life import simulate_couples

    full = np.full(formed.n, 1.0, np.float32)
    open_today = formed.replace(suppression=0.99 * full, suppression_state=-0.99 * full)
    a, b = open_today.take(slice(0, 2048)), open_today.take(slice(2048, 4096))
    bids = simulate_couples(a, b, days=14, seed=44)["bid"]
    max_bid = AdultParams().max_bid
    assert (bids > 0).mean() > 0.3  # need is shown
    assert (bids >= max_bid).sum() > 0  # the bound is reached
    assert float(bids.max()) <= max_bid


def test_test_retest_falls_with_the_interval_and_is_below_frozen():
    """Fixed seed, 8,192 people (the SE of r near .9 is about .002): one-year test-retest of
    both dimensions is below .98 (the frozen model gave .995 and .997) and above 0, and the
    five-year one is lower still."""
    out = retest_by_interval(n=8192, seed=46, intervals=(1, 5), burn_in=0.5, events=False)
    one, five = out["rows"]
    for dim in ("anxiety_r", "avoidance_r"):
        assert 0 < one[dim] < 0.98, dim
        assert five[dim] < one[dim] - 0.02, dim


def test_retest_refuses_bad_intervals():
    with pytest.raises(iwm.ParameterError, match="intervals"):
        retest_by_interval(n=10, intervals=())
    with pytest.raises(iwm.ParameterError, match="intervals"):
        retest_by_interval(n=10, intervals=(0.0,))
