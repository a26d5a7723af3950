"""Signatures of C1, C2 and C5 (MODEL.md): each is a claim of attachment theory.

Populations are 8192-20000 people, so a share has a standard error below .006 and the
margins asserted below (at least .1 between compared shares) are many SEs wide.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import iwm
from iwm import ADULT_CATEGORIES, INFANT_CLASSES

EXPECTED_MAJORITY = {"sensitive": "B", "inconsistent": "C", "rejecting": "A", "frightening": "D"}


@pytest.mark.parametrize("kind", list(EXPECTED_MAJORITY))
def test_caregiver_type_gives_its_infant_class(pure_runs, kind):
    """C5: consistent -> B, inconsistent -> C, rejecting -> A, frightening -> D."""
    shares = pure_runs[kind].infant_shares()
    expected = EXPECTED_MAJORITY[kind]
    assert shares[expected] > 0.5, shares
    assert max(shares, key=shares.get) == expected


@pytest.mark.parametrize(
    ("kind", "category"),
    [("sensitive", "secure"), ("inconsistent", "preoccupied"), ("rejecting", "dismissing")],
)
def test_caregiver_type_gives_its_adult_category(pure_runs, kind, category):
    shares = pure_runs[kind].adult_shares()
    assert shares[category] > 0.5, shares


def test_frightening_caregiving_leaves_fear_in_the_adult(pure_runs):
    """Disorganization's adult counterparts are the avoidant quadrants with a dangerous other."""
    pop = pure_runs["frightening"].population
    shares = pure_runs["frightening"].adult_shares()
    assert shares["fearful"] > shares["secure"] + 0.5
    others = [pure_runs[k].population.other_danger.mean() for k in ("sensitive", "inconsistent", "rejecting")]
    assert pop.other_danger.mean() > 3 * max(others)


def test_styles_sit_in_their_quadrant_of_self_and_other(low_risk):
    """C1/C2: Bartholomew & Horowitz (1991) model of self x model of other, by category."""
    pop = low_risk.population
    cat = low_risk.adult_category
    self_model = pop.self_model
    other_model = pop.other_availability - pop.other_danger
    mean = {c: (self_model[cat == i].mean(), other_model[cat == i].mean()) for i, c in enumerate(ADULT_CATEGORIES)}
    assert mean["secure"][0] > mean["preoccupied"][0] and mean["secure"][1] > mean["dismissing"][1]
    assert mean["dismissing"][0] > mean["fearful"][0] and mean["dismissing"][0] > mean["preoccupied"][0]
    assert mean["preoccupied"][1] > mean["dismissing"][1] and mean["preoccupied"][1] > mean["fearful"][1]
    assert mean["fearful"][0] < mean["secure"][0] and mean["fearful"][1] < mean["secure"][1]


def test_other_model_signatures(pure_runs):
    """C2: anxious: other uncertain; avoidant: other unavailable; disorganized: dangerous yet sought."""

    def unpredictability(kind):
        a = pure_runs[kind].population.other_availability
        return float(np.mean(4 * a * (1 - a)))

    assert unpredictability("inconsistent") > max(unpredictability(k) for k in ("sensitive", "rejecting"))
    availability = {k: float(np.median(r.population.other_availability)) for k, r in pure_runs.items()}
    assert availability["rejecting"] == min(availability.values())
    assert availability["sensitive"] == max(availability.values())
    # the frightening caregiver also comforts: the other stays more available than a rejecting one
    assert availability["frightening"] > availability["rejecting"]


def test_strategies_are_learned_not_assigned(pure_runs):
    """C5: signalling grows with an inconsistent caregiver, suppression with a rejecting one."""
    sig = {k: float(r.population.signalling.mean()) for k, r in pure_runs.items()}
    sup = {k: float(r.population.suppression.mean()) for k, r in pure_runs.items()}
    assert sig["inconsistent"] > sig["sensitive"] + 0.3
    assert sup["rejecting"] > sup["sensitive"] + 0.3
    assert sup["rejecting"] == max(sup.values())


def test_without_learning_no_strategy_differences():
    """Ablation: with the learning rate at 0, caregiving no longer shapes the strategy."""
    frozen = iwm.FormationParams(learning_rate=0.0, years=4)
    gains = [
        iwm.develop(k, n=4096, seed=5, formation=frozen).population.expressed_gain
        for k in ("inconsistent", "rejecting")
    ]
    for g in gains:
        assert np.all(g == frozen.initial_gain)


def _infant_shares_by_level(field: str, levels: tuple[float, ...], klass: str) -> list[float]:
    shares = []
    for level in levels:
        profile = dataclasses.replace(iwm.PROFILES["sensitive"], **{field: level})
        mix = iwm.CaregivingMix(f"{field}={level}", ((1.0, profile),))
        run = iwm.develop(mix, n=8192, seed=6, formation=iwm.FormationParams(years=1))
        shares.append(run.infant_shares()[klass])
    return shares


def test_dose_response_frightening_to_disorganization():
    """More frightening behaviour -> more D, monotone (n = 8192: SE of a difference < .008,
    so a drop of .025 would be three SEs), from a low base to nearly all."""
    shares = _infant_shares_by_level("frightening", (0.0, 0.05, 0.1, 0.2, 0.4), "D")
    assert np.all(np.diff(shares) > -0.025), shares
    assert shares[0] < 0.1 and shares[-1] > 0.8, shares


def test_dose_response_sensitivity_to_security():
    """More sensitivity -> more B: rising up to moderate sensitivity, then a plateau well above
    the low end (consistency carries much of responsiveness, which is why the sensitivity-
    security correlation is modest, T6)."""
    shares = _infant_shares_by_level("sensitivity", (0.1, 0.3, 0.5, 0.7, 0.9), "B")
    assert shares[0] < shares[1] < shares[2], shares
    assert min(shares[2:]) > shares[0] + 0.1, shares


def test_sensitive_period():
    """Plasticity falls with age and stays above zero (C5, C30)."""
    p = iwm.FormationParams()
    ages = np.linspace(0, 18, 50)
    weights = np.array([p.plasticity_at(a) for a in ages])
    assert weights[0] == pytest.approx(1.0)
    assert np.all(np.diff(weights) < 0)
    assert weights[-1] > p.plasticity_floor > 0


def test_early_caregiving_weighs_more_than_late():
    """Sensitive period: the first years' evidence dominates the beliefs held at 18."""
    p = iwm.FormationParams()
    first3 = sum(p.plasticity_at(t / 52) for t in range(3 * 52))
    last3 = sum(p.plasticity_at(t / 52) for t in range(15 * 52, 18 * 52))
    assert first3 > 2.5 * last3


def test_population_state_fields_and_readouts(low_risk):
    pop = low_risk.population
    assert pop.n == 20_000
    for name in iwm.Population.field_names():
        col = getattr(pop, name)
        assert col.dtype == np.float32 and col.shape == (pop.n,)
        assert np.all(np.isfinite(col))
    assert np.all(pop.awareness == 0)  # C4: the model works outside awareness by default
    assert np.all((pop.plasticity > 0) & (pop.plasticity < 1))
    anx, avo = iwm.anxiety(pop), iwm.avoidance(pop)
    assert anx.min() >= 1 and anx.max() <= 7 and avo.min() >= 1 and avo.max() <= 7
    assert set(np.unique(low_risk.infant)) <= set(range(len(INFANT_CLASSES)))
    # C3: the relationship expectation is higher for secure than for fearful people
    v = pop.relationship_expectation
    cat = low_risk.adult_category
    assert v[cat == 0].mean() > v[cat == 3].mean() + 0.2


def test_perception_bias_scales_with_ambiguity_and_awareness():
    """C7/C21/C4: an ambiguous response is read toward the expectation; awareness undoes it."""
    r = np.array([0.0, 0.5, 1.0], dtype=np.float32)
    expected = np.full(3, 0.1, dtype=np.float32)
    seen = iwm.perceive(r, expected, 0.6, 0.0)
    assert seen[0] == 0.0 and seen[2] == 1.0  # clear responses are seen as they are
    assert seen[1] < 0.5
    assert iwm.perceive(r, expected, 0.6, 1.0)[1] == pytest.approx(0.5)


def test_more_episodes_per_week_keep_the_signatures():
    """Episodes can be more frequent than weekly; the caregiver signatures still hold."""
    p = iwm.FormationParams(episodes_per_week=2, years=1)
    assert p.episodes == 104 and p.infant_episode == 104
    for kind, klass in (("sensitive", "B"), ("rejecting", "A"), ("frightening", "D")):
        shares = iwm.develop(kind, n=4096, seed=8, formation=p).infant_shares()
        assert max(shares, key=shares.get) == klass, (kind, shares)


def _separated(high: np.ndarray, low: np.ndarray, sds: float) -> bool:
    pooled = np.sqrt((high.var() + low.var()) / 2)
    return bool(high.mean() - low.mean() > sds * pooled)


def test_reunion_behaviour_follows_caregiving_history(pure_runs):
    """The reunion episode (C5, Ainsworth et al. 1978; Main & Solomon 1990) is behaviour, by
    history: after rejecting care the infant hides its need, after inconsistent care it
    protests and stays unsettled, after frightening care it alternates and freezes; each
    against infants of sensitive caregivers (8192 each: SE of a mean difference about .016 SD,
    so half an SD is thirty SEs)."""
    b = {k: r.infant_behaviour for k, r in pure_runs.items()}
    assert set(b["sensitive"]) == {
        "proximity_seeking",
        "contact_maintenance",
        "avoidance",
        "resistance",
        "alternation",
        "freezing",
    }
    assert _separated(b["rejecting"]["avoidance"], b["sensitive"]["avoidance"], 1.0)
    assert _separated(b["inconsistent"]["resistance"], b["sensitive"]["resistance"], 0.5)
    assert _separated(b["sensitive"]["contact_maintenance"], b["inconsistent"]["contact_maintenance"], 0.5)
    disorganized = {k: v["alternation"] + v["freezing"] for k, v in b.items()}
    for other in ("sensitive", "inconsistent", "rejecting"):
        assert _separated(disorganized["frightening"], disorganized[other], 1.0)


def test_infant_codes_come_from_behaviour_alone(low_risk):
    """The coder sees behaviour columns only: the codes of the formed population are those of
    its behaviour table, and D overrides any organized class (Main & Solomon 1990)."""
    from iwm.measure._readout import code_infants

    behaviour = low_risk.infant_behaviour
    np.testing.assert_array_equal(code_infants(behaviour), low_risk.infant)
    one = {k: np.array([0.0], np.float32) for k in behaviour}
    one.update(avoidance=np.array([1.0], np.float32), alternation=np.array([1.0], np.float32))
    assert INFANT_CLASSES[code_infants(one)[0]] == "D"
    one["alternation"][0] = 0.0
    assert INFANT_CLASSES[code_infants(one)[0]] == "A"


def test_without_fear_in_the_reunion_no_frightened_infant_is_disorganized():
    """Ablation: with no fear of the caregiver in the reunion, frightening care no longer gives
    D (the conflict of approach and fear is what codes as D)."""
    from iwm.model._reunion import ReunionParams

    fearless = ReunionParams(fear_weight=0.0)
    run = iwm.develop("frightening", n=4096, seed=8, formation=iwm.FormationParams(years=1.1), reunion=fearless)
    assert run.infant_shares()["D"] < 0.05
