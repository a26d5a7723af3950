"""Adult life in a population: the partner market, outcomes by pairing, perpetuation
mechanisms (C13, C15, C21-C24, C31), targets T3 and T4, and the contract (determinism,
chunk and worker invariance, nobody in two couples).

Populations of 16,384 people (four communities) over 5-10 years; a share of the insecure
(about 7,000 people) has an SE below .006, so the margins asserted (.02 or more) are more
than three SEs, and ablations share seeds with the intact run (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pytest

import iwm

N = 4 * 4096


@pytest.fixture(scope="module")
def formed() -> iwm.Population:
    return iwm.develop("low-risk", n=N, seed=21).population


@pytest.fixture(scope="module")
def life(formed) -> iwm.AdultLife:
    return iwm.live(formed, years=5, seed=3)


@pytest.fixture(scope="module")
def ablation(formed) -> dict[str, dict]:
    return {row["condition"]: row for row in iwm.ablate(formed, years=10, seed=3)}


def rows(table, key="pairing"):
    return {r[key]: r for r in table}


def test_nobody_is_in_two_couples(life):
    partner = life.partner
    paired = np.flatnonzero(partner >= 0)
    assert paired.size > 0.4 * N
    np.testing.assert_array_equal(partner[partner[paired]], paired)  # partners are mutual
    assert not np.any(partner[paired] == paired)
    pairings = life.pairings()
    assert sum(r["observed"] for r in pairings) * 2 == paired.size
    assert sum(r["expected"] for r in pairings) == pytest.approx(paired.size / 2)


def test_some_stay_single_and_the_insecure_are_lonelier(life):
    singles = rows(life.singles(), "style")
    assert 0.02 < singles["secure"]["share_single_at_end"] < singles["dismissing"]["share_single_at_end"]
    for style in ("preoccupied", "dismissing", "fearful"):
        assert singles[style]["loneliness"] > singles["secure"]["loneliness"] + 0.05


def test_c13_avoidant_commit_less_and_leave_more(life):
    paired = life.partner >= 0
    style = life.style_start
    secure, dismissing = paired & (style == 0), paired & (style == 2)
    assert life.commitment[dismissing].mean() < life.commitment[secure].mean() - 0.1
    by = rows(life.by_pairing())
    assert by["secure-dismissing"]["breakups_per_year"] > 3 * by["secure-secure"]["breakups_per_year"]


def test_avoidant_raised_people_partner_at_a_distance_not_out_of_relationships():
    """Avoidance shows as distance and low commitment inside relationships, not as exclusion
    from them (Simpson 1990; Kirkpatrick & Davis 1994; the investment model, Rusbult 1983).

    Groups are picked by caregiving history, never by a read-out: raised by a clearly rejecting
    caregiver (rejection above .6; about 2,650 of 16,384, 95% of them dismissing at 18) against
    raised by a sensitive one (sensitivity above .7, rejection below .3; about 11,500), living
    the same five years. Documented floors (measured, seed 3, with acceptance judged against
    one's comparison level: 99% of the rejecting-raised have had a partner and 66% have one at
    the end; before, with acceptance by a fixed threshold, 75% and 28%): at least 90% ever
    partnered and fewer than half single at the end (SEs below .01, so nine SEs of slack or
    more). Inside relationships they commit less (measured .15 against .63) and, each with a
    sensitively raised partner for a year, keep more distance (a difference of 0.2 pooled SDs
    or more, as in the signature tests)."""
    run = iwm.develop("low-risk", n=N, seed=21)
    care = run.caregivers
    rejected = care.rejection > 0.6
    sensitive = (care.sensitivity > 0.7) & (care.rejection < 0.3)
    life = iwm.live(run.population, years=5, seed=3)
    ever = life.single_days < 5 * 364
    paired = life.partner >= 0
    assert ever[rejected].mean() > 0.9
    assert paired[rejected].mean() > 0.5
    assert life.commitment[paired & rejected].mean() < life.commitment[paired & sensitive].mean() - 0.2
    rng = np.random.default_rng(7)
    k = 600
    a_rej = run.population.take(rng.choice(np.flatnonzero(rejected), k, replace=False))
    a_sens = run.population.take(rng.choice(np.flatnonzero(sensitive), k, replace=False))
    partners = run.population.take(rng.choice(np.flatnonzero(sensitive), k, replace=False))
    far = iwm.simulate_couples(a_rej, partners, days=364, seed=1)["distance"][:, 0].mean(axis=0)
    near = iwm.simulate_couples(a_sens, partners, days=364, seed=1)["distance"][:, 0].mean(axis=0)
    assert far.mean() - near.mean() > 0.2 * np.sqrt((far.var() + near.var()) / 2)


def test_c15_pursue_withdraw_by_pairing(life):
    by = rows(life.by_pairing())
    assert by["preoccupied-dismissing"]["pursue_withdraw"] > by["secure-secure"]["pursue_withdraw"] + 0.2


def test_c31_secure_couples_are_the_most_satisfied_and_fight_least(life):
    by = [r for r in life.by_pairing() if r["couple_years"] >= 20]
    best = max(by, key=lambda r: r["satisfaction"])
    least_conflict = min(by, key=lambda r: r["conflict"])
    assert best["pairing"] == "secure-secure"
    assert least_conflict["pairing"] in {"secure-secure", "dismissing-dismissing", "secure-dismissing"}


def deviation(life: iwm.AdultLife) -> float:
    table = life.pairings()
    total = sum(r["observed"] for r in table)
    return sum(abs(r["observed"] - r["expected"]) for r in table) / total


def test_c22_repetition_compulsion_pairs_people_with_confirming_partners(formed, life):
    """Familiarity moves pairings away from random, and toward anxious-avoidant couples, against
    the same run with C22 off (measured, seed 3: deviation .40 against .37; 253 against 193
    preoccupied-dismissing couples)."""
    by = rows(life.pairings())
    off = iwm.live(formed, years=5, seed=3, mechanisms=iwm.Mechanisms().without("repetition_compulsion"))
    assert deviation(life) > deviation(off) + 0.02
    off_by = rows(off.pairings())
    assert off_by["preoccupied-dismissing"]["observed"] < by["preoccupied-dismissing"]["observed"]


@pytest.mark.xfail(
    strict=True,
    reason="open (issue 15 item 6): since acceptance is judged against one's comparison level, the "
    "dismissing, who expect little, accept most candidates and are accepted by few, so those left "
    "single meet and pair with each other (dismissing-dismissing 4.4 times chance) and "
    "preoccupied-dismissing couples fall to .78 times chance (1.73 before; seed 3)",
)
def test_c22_anxious_avoidant_couples_are_more_common_than_chance(life):
    """Anxious-avoidant couples above chance, as in dating couples (Kirkpatrick & Davis 1994)."""
    by = rows(life.pairings())
    assert by["preoccupied-dismissing"]["observed"] > 1.5 * by["preoccupied-dismissing"]["expected"]


def test_who_expects_little_accepts_more_and_is_accepted_less(formed):
    """Entry by comparison level (Thibaut & Kelley 1959; Rusbult 1980), by caregiving history:
    people raised by a clearly rejecting caregiver expect little of a partner and so say yes to
    more of the same 2,000 candidates than the sensitively raised (measured .82 against .60),
    with or without familiarity (C22 off: .84; it picks, it does not exclude), while the
    candidates, judging them by their own comparison levels, accept them less (.38 against .76).
    Means of 2,000 chances each, SEs below .01."""
    from iwm.model._adult import AdultParams, Mechanisms, _Adults, derive_strategy
    from iwm.model._partner_choice import acceptance, attraction

    run = iwm.develop("low-risk", n=N, seed=21)
    care = run.caregivers
    rng = np.random.default_rng(5)
    k = 2000
    rejected = rng.choice(np.flatnonzero(care.rejection > 0.6), k, replace=False)
    sensitive = rng.choice(np.flatnonzero((care.sensitivity > 0.7) & (care.rejection < 0.3)), k, replace=False)
    candidates = rng.choice(N, k, replace=False)
    p, m = AdultParams(), Mechanisms()
    s = _Adults.of(run.population)
    derive_strategy(s, p, m)

    def yes(chooser, candidate, mech=m):
        return acceptance(attraction(chooser, candidate, s, p, mech), p).mean()

    assert yes(rejected, candidates) > yes(sensitive, candidates) + 0.1
    no_c22 = m.without("repetition_compulsion")
    assert yes(rejected, candidates, no_c22) > yes(sensitive, candidates, no_c22) + 0.1
    assert abs(yes(rejected, candidates, no_c22) - yes(rejected, candidates)) < 0.05
    assert yes(candidates, rejected) < yes(candidates, sensitive) - 0.2


def test_ablate_reports_every_condition(ablation):
    assert list(ablation) == [
        "all on",
        "no projection",
        "no repetition compulsion",
        "no defensive behaviours",
        "no vulnerability avoidance",
        "all off",
    ]
    for row in ablation.values():
        assert -1 <= row["anxiety_r"] <= 1 and -1 <= row["avoidance_r"] <= 1
        assert 0 <= row["insecure_to_secure"] <= 1


def test_models_are_stable_but_not_destiny(ablation):
    on = ablation["all on"]
    assert 0.6 < on["anxiety_r"] < 0.95 and 0.8 < on["avoidance_r"] < 0.99
    assert 0.05 < on["insecure_to_secure"] < 0.5  # earned security through relationships (C30)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # C21: beliefs update on the event as it was, so insecure models revise faster
        ("no projection", {"anxiety_r": -1, "insecure_to_secure": +1}),
        # C23: no clinging, protest or distancing, so partners stop confirming the model
        ("no defensive behaviours", {"anxiety_r": -1, "insecure_to_secure": +1}),
        # C24: shown need gets answered, so avoidant models revise faster: read on avoidance,
        # the dimension of hidden need (measured, seed 21: avoidance r .896 -> .867, anxiety r
        # .600 -> .589, too close to call since childhood leaves discounted evidence)
        ("no vulnerability avoidance", {"avoidance_r": -1, "avoidant_avoidance_change": -1}),
        ("all off", {"anxiety_r": -1, "insecure_to_secure": +1}),
    ],
)
def test_each_ablation_loosens_the_models(ablation, condition, expected):
    on, off = ablation["all on"], ablation[condition]
    for key, sign in expected.items():
        assert sign * (off[key] - on[key]) > 0.02, (condition, key, on[key], off[key])


def test_without_repetition_compulsion_insecurely_raised_people_revise_further():
    """C22's ablation keeps people pairing (it removes the pull toward confirming partners, not
    attraction itself), so its effect is small. The group is picked by history, not by a
    read-out: people whose caregiver was insensitive (sensitivity below .5; about a fifth of a
    low-risk sample). Same people, same seed, so the comparison is paired: without repetition
    compulsion their anxiety plus avoidance ends lower after ten years (paired t test,
    p < .05; the effect is about .02 ECR points, which is what a fair ablation leaves)."""
    from scipy import stats

    run = iwm.develop("low-risk", n=N, seed=21)
    raised_insecurely = run.caregivers.sensitivity < 0.5
    on = iwm.live(run.population, years=10, seed=3)
    off = iwm.live(run.population, years=10, seed=3, mechanisms=iwm.Mechanisms().without("repetition_compulsion"))

    def insecurity(life: iwm.AdultLife) -> np.ndarray:  # of the chronic model, not the day's state
        end = life.end.trait()
        return (iwm.anxiety(end) + iwm.avoidance(end))[raised_insecurely]

    diff = insecurity(off) - insecurity(on)
    assert diff.mean() < 0
    assert stats.ttest_1samp(diff, 0).pvalue < 0.05
    assert (off.partner >= 0).mean() > 0.9 * (on.partner >= 0).mean()


def test_all_off_revises_most(ablation):
    i2s = {k: r["insecure_to_secure"] for k, r in ablation.items()}
    assert i2s["all off"] == max(i2s.values())


def test_live_is_chunk_and_worker_invariant(formed):
    pop = formed.take(slice(0, 2 * 4096 + 1500))
    a = iwm.live(pop, years=0.5, seed=8)
    b = iwm.live(pop, years=0.5, seed=8, chunk_size=4096, workers=2)
    np.testing.assert_array_equal(a.partner, b.partner)
    for name in iwm.Population.field_names():
        np.testing.assert_array_equal(getattr(a.end, name), getattr(b.end, name))
    assert a.summary() == b.summary()
    c = iwm.live(pop, years=0.5, seed=9)
    assert not np.array_equal(a.partner, c.partner)


def test_a_community_does_not_depend_on_who_else_is_simulated(formed):
    whole = iwm.live(formed.take(slice(0, 3 * 4096)), years=0.25, seed=4)
    first = iwm.live(formed.take(slice(0, 4096)), years=0.25, seed=4)
    np.testing.assert_array_equal(whole.partner[:4096], first.partner)
    np.testing.assert_array_equal(whole.end.self_worth_a[:4096], first.end.self_worth_a)


def test_adult_targets_t3_t4():
    results = iwm.check_adult(n=30_000, seed=2024)
    assert {r.target.id for r in results} == {"T3", "T4"}
    failed = [r.to_dict() for r in results if not r.passed]
    assert not failed, failed


def test_parameters_and_mechanisms_are_validated(formed):
    with pytest.raises(iwm.ParameterError, match="stress_scale"):
        iwm.AdultParams(stress_scale=-1)
    with pytest.raises(iwm.ParameterError, match="mechanism"):
        iwm.Mechanisms().without("denial")
    with pytest.raises(iwm.ParameterError, match="years"):
        iwm.live(formed, years=0, seed=1)
    assert iwm.Mechanisms.none().switched_off() == iwm.Mechanisms.names()
