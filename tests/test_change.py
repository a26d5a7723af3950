"""Change (C25-C30): therapy dose-response, component ablations, corrective relationships,
life events, relapse and earned security.

Clients are 1,000 people of a style in a population formed under balanced caregiving
(everyone else is the world they date in); arms share the seed (common random numbers), so
differences between arms are due to the arm. Margins are set well above the run-to-run
spread seen across seeds while writing them (about .02 for shares, .05 for d).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import iwm
from iwm.model._life_events import LifeEventParams
from iwm.model._therapy import Components, Therapy
from iwm.study._trials import clients_of_style, life_course, therapy_trial

N_CLIENTS = 1000


@pytest.fixture(scope="module")
def anxious_trial() -> dict:
    return therapy_trial("anxious", n=N_CLIENTS, weeks=(0, 10, 20, 40), seed=5)


def test_dose_response_is_monotone(anxious_trial):
    doses = anxious_trial["doses"]
    assert [d["weeks"] for d in doses] == [0, 10, 20, 40]
    anx = [d["anxiety_d"] for d in doses]
    secure = [d["earned_secure"] for d in doses]
    lo, hi = doses[0]["anxiety_d_ci"]
    assert lo < 0 < hi  # 0 weeks is the null trial: treated and waitlist differ by chance alone
    assert all(later < earlier - 0.1 for earlier, later in itertools.pairwise(anx))
    assert all(later > earlier for earlier, later in itertools.pairwise(secure))
    assert doses[-1]["anxiety_d_ci"][1] < 0  # the 40-week effect's interval excludes 0
    assert doses[-1]["waitlist_secure"] < doses[-1]["earned_secure"]
    assert {"avoidance_d", "avoidance_d_ci", "anxiety_d_follow_up", "earned_secure_follow_up", "relapse"} <= set(
        doses[0]
    )


def test_the_trial_is_randomized_and_the_waitlist_lives_the_same_weeks(anxious_trial):
    """Half the clients wait; both arms share the seed and the world, so the 0-week dose is a
    null trial, and the effect size uses the whole sample's SD, not the clients' restricted one."""
    assert anxious_trial["treated"] + anxious_trial["waitlist"] == N_CLIENTS
    assert abs(anxious_trial["treated"] - anxious_trial["waitlist"]) <= 1
    assert "whole sample" in anxious_trial["effect_size"]
    assert anxious_trial["reference_sd"]["anxiety"] > 0.5  # the general population's spread


@pytest.fixture(scope="module")
def arms() -> dict:
    """Disorganized clients (the ones every component acts on), 40 weeks, each component off."""
    pop, clients = clients_of_style("disorganized", N_CLIENTS, seed=6)
    out = {"population": pop, "clients": clients}
    for name in ("none", "all", *Components.names()):
        weeks = 0 if name == "none" else 40
        comp = Components() if name in ("none", "all") else Components().without(name)
        life = iwm.live(pop, years=40 / 52, seed=6, therapy=Therapy(clients=clients, weeks=weeks, components=comp))
        out[name] = life.end.take(clients)
    return out


def couples_after(arms, arm: str, days: int = 182) -> dict[str, np.ndarray]:
    """The clients after therapy, each with a secure partner, day by day."""
    people = arms[arm]
    secure = iwm.develop("sensitive", n=people.n, seed=7).population
    trace = iwm.simulate_couples(people, secure, days=days, seed=8)
    return {f: v[:, 0] for f, v in trace.items()}


def test_the_no_therapy_control_changes_little(arms):
    pop, clients = arms["population"], arms["clients"]
    before = pop.take(clients).trait()  # the chronic models, without the day's momentary state
    control = np.abs(iwm.anxiety(arms["none"].trait()) - iwm.anxiety(before)).mean()
    treated = np.abs(iwm.anxiety(arms["all"].trait()) - iwm.anxiety(before)).mean()
    assert control < 0.25 * treated


def test_awareness_lowers_the_projection_bias(arms):
    def bias(arm):
        t = couples_after(arms, arm)
        ambiguous = np.abs(t["response"] - 0.5) < 0.2
        return np.abs(t["perceived"] - t["response"])[ambiguous].mean()

    assert arms["all"].awareness.mean() > 0.5 > arms["awareness"].awareness.mean()
    assert bias("all") < 0.8 * bias("awareness")


def test_regulation_speeds_distress_recovery(arms):
    def persistence(arm):
        d = couples_after(arms, arm)["distress"]
        x = d - d.mean(axis=0)
        return ((x[1:] * x[:-1]).sum(axis=0) / np.maximum((x * x).sum(axis=0), 1e-12)).mean()

    assert arms["all"].regulation.mean() > arms["regulation"].regulation.mean() + 0.2
    assert persistence("all") < persistence("regulation") - 0.02


def test_integration_makes_the_disorganized_coherent(arms):
    def switches(arm):
        approached = couples_after(arms, arm)["approached"].astype(np.int8)
        return np.abs(np.diff(approached, axis=0)).sum(axis=0).mean()

    assert arms["all"].other_danger.mean() < 0.7 * arms["integration"].other_danger.mean()
    assert switches("all") < 0.85 * switches("integration")
    assert switches("all") < 0.85 * switches("none")


def test_new_patterns_carry_over_to_the_partner(arms):
    def satisfaction(arm):
        return couples_after(arms, arm)["satisfaction"][-28:].mean()

    assert satisfaction("all") > satisfaction("new_patterns") + 0.03
    assert satisfaction("new_patterns") > satisfaction("none")


def test_avoidant_clients_bring_fewer_bids_into_the_room():
    def gained_evidence(style):
        pop, clients = clients_of_style(style, 500, seed=9)
        life = iwm.live(pop, years=20 / 52, seed=9, therapy=Therapy(clients=clients, weeks=20))
        before, after = pop.take(clients), life.end.take(clients)
        control = iwm.live(pop, years=20 / 52, seed=9).end.take(clients)
        total = after.availability_a + after.availability_b
        return np.mean(total - (control.availability_a + control.availability_b)), before

    avoidant, _ = gained_evidence("avoidant")
    anxious, _ = gained_evidence("anxious")
    assert 0 < avoidant < 0.5 * anxious


def test_a_secure_partner_is_corrective_but_less_than_therapy(arms):
    pop, clients = clients_of_style("anxious", N_CLIENTS, seed=10)
    anxious = pop.take(clients)
    secure = iwm.develop("sensitive", n=anxious.n, seed=11).population
    insecure_partner = anxious.take(np.roll(np.arange(anxious.n), 1))
    days = 40 * 7
    with_secure = iwm.simulate_couples(anxious, secure, days=days, seed=12)["anxiety"][:, 0]
    with_anxious = iwm.simulate_couples(anxious, insecure_partner, days=days, seed=12)["anxiety"][:, 0]
    corrective = (with_secure[-1] - with_secure[0]).mean() - (with_anxious[-1] - with_anxious[0]).mean()
    treated = iwm.live(pop, years=40 / 52, seed=10, therapy=Therapy(clients=clients, weeks=40)).end.take(clients)
    untreated = iwm.live(pop, years=40 / 52, seed=10).end.take(clients)
    therapy_effect = (iwm.anxiety(treated) - iwm.anxiety(untreated)).mean()
    assert corrective < -0.05  # a secure partner lowers anxiety (C30)
    assert therapy_effect < corrective  # therapy more


def test_negative_life_events_raise_insecurity():
    pop = iwm.develop("low-risk", n=8192, seed=13).population
    calm = iwm.live(pop, years=3, seed=13)
    hard = iwm.live(pop, years=3, seed=13, events=LifeEventParams(loss_rate=0.5, trauma_rate=0.2))
    secure = iwm.ADULT_CATEGORIES.index("secure")
    assert hard.events.mean() > 1
    assert (hard.style_end != secure).mean() > (calm.style_end != secure).mean() + 0.02
    assert hard.end.other_danger.mean() > calm.end.other_danger.mean()


def test_stress_brings_an_earlier_pattern_back():
    stressful = LifeEventParams(loss_rate=2.0, trauma_rate=0.0, relapse=0.8)
    steady = LifeEventParams(loss_rate=2.0, trauma_rate=0.0, relapse=0.0)
    with_relapse = therapy_trial("anxious", n=600, weeks=(30,), seed=14, events=stressful)["doses"][0]
    without = therapy_trial("anxious", n=600, weeks=(30,), seed=14, events=steady)["doses"][0]
    assert with_relapse["relapse"] > without["relapse"] + 0.05


def test_life_course_reports_earned_security():
    result = life_course(n=8192, years=8, seed=15, therapy_share=0.3, therapy_start_years=1)
    earned = result["earned_secure"]
    assert earned["therapy_arm"] > earned["no_therapy"] + 0.02
    counts = np.array(result["transitions"]["counts"])
    assert counts.sum() == 8192
    assert [row["years"] for row in result["stability"]] == [1, 5]
    assert result["stability"][0]["anxiety_r"] > result["stability"][1]["anxiety_r"]
    assert len(result["shares_by_year"]) == 9


def test_therapy_runs_are_worker_invariant():
    pop, clients = clients_of_style("anxious", 300, seed=16)
    args = dict(years=0.5, seed=16, therapy=Therapy(clients=clients, weeks=10), events=LifeEventParams(loss_rate=1))
    a = iwm.live(pop, **args)
    b = iwm.live(pop, **args, workers=2, chunk_size=4096)
    for name in iwm.Population.field_names():
        np.testing.assert_array_equal(getattr(a.end, name), getattr(b.end, name))
    np.testing.assert_array_equal(a.events, b.events)


def test_bad_therapy_input_is_named():
    pop = iwm.develop("low-risk", n=100, seed=1).population
    with pytest.raises(iwm.ParameterError, match=r"therapy\.clients"):
        iwm.live(pop, years=1, seed=1, therapy=Therapy(clients=np.ones(5, bool)))
    with pytest.raises(iwm.ParameterError, match="component"):
        Components().without("hypnosis")
    with pytest.raises(iwm.ParameterError, match="weeks"):
        Therapy(clients=np.ones(5, bool), weeks=-1)
