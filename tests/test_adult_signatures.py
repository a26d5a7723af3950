"""Signatures of the adult constructs C6-C20 (MODEL.md section 1), in fixed couples.

People of each group are those most exposed to one kind of caregiving (groups are picked by
their history, never by a read-out of their model), 600 per group, and each is paired with a
secure partner (or, where a pairing is the point, with a partner of a given style) for a
year of days. The disorganization signatures (C16, C17, C19, C20) pick their groups by
caregiving history instead: 600 people raised by frightening caregivers against 600 raised
by sensitive, inconsistent and rejecting ones, each with a partner raised sensitively, so the
groups never depend on the read-out the signature is about. Differences are compared with
the spread of the per-person statistic: with 600 people per group the standard error of a
group mean is about 4% of its SD, so the margins asserted (at least .2 SD unless stated) are
five standard errors or more.
"""

from __future__ import annotations

import numpy as np
import pytest

import iwm

K = 600
DAYS = 364


HISTORY = {
    "secure": ("sensitive", "sensitivity", 1),
    "anxious": ("inconsistent", "consistency", -1),
    "avoidant": ("rejecting", "rejection", 1),
    "disorganized": ("frightening", "frightening", 1),
}
"""Each group is picked by its caregiving history (C5), never by a read-out of the model the
mechanism itself uses: the K of 4096 children raised by one kind of caregiving who got the
most of its defining behaviour (most sensitive, least consistent, most rejecting, most
frightening). Inconsistent care teaches hyperactivation, rejecting care deactivation,
frightening care fear of the figure (Ainsworth et al. 1978; Main & Hesse 1990)."""


@pytest.fixture(scope="module")
def styles() -> dict[str, iwm.Population]:
    out = {}
    for i, (style, (kind, behaviour, sign)) in enumerate(HISTORY.items()):
        formed = iwm.develop(kind, n=4096, seed=11 + i)
        most = np.argsort(-sign * getattr(formed.caregivers, behaviour), kind="stable")[:K]
        out[style] = formed.population.take(np.sort(most))
    return out


HISTORIES = ("sensitive", "inconsistent", "rejecting", "frightening")


@pytest.fixture(scope="module")
def raised() -> dict[str, iwm.Population]:
    """600 people of each kind of childhood (one pure kind of caregiving each)."""
    rng = np.random.default_rng(5)
    out = {}
    for kind in HISTORIES:
        pop = iwm.develop(kind, n=4096, seed=11).population
        out[kind] = pop.take(rng.choice(pop.n, K, replace=False))
    return out


@pytest.fixture(scope="module")
def by_history(raised) -> dict[str, dict[str, np.ndarray]]:
    """A year with a partner raised sensitively, for each kind of childhood."""
    return {kind: couples(raised, kind, "sensitive") for kind in HISTORIES}


def couples(styles, a: str, b: str, mechanisms=None, seed=1) -> dict[str, np.ndarray]:
    """Trace of K couples; returns each field as (days, couples) for partner a, and b's as *_b."""
    trace = iwm.simulate_couples(styles[a], styles[b], days=DAYS, seed=seed, mechanisms=mechanisms)
    out = {f: v[:, 0] for f, v in trace.items()}
    out.update({f"{f}_b": v[:, 1] for f, v in trace.items()})
    return out


@pytest.fixture(scope="module")
def with_secure(styles) -> dict[str, dict[str, np.ndarray]]:
    return {style: couples(styles, style, "secure") for style in styles}


def per_person(x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Mean over days for each person (optionally over the masked days only)."""
    if mask is None:
        return x.mean(axis=0)
    return np.nansum(np.where(mask, x, 0), axis=0) / np.maximum(mask.sum(axis=0), 1)


def separated(high: np.ndarray, low: np.ndarray, sds: float = 0.2) -> bool:
    """Group means differ by more than ``sds`` pooled SDs, in the stated direction."""
    pooled = np.sqrt((high.var() + low.var()) / 2)
    return bool(high.mean() - low.mean() > sds * pooled)


def test_c6_anxious_bid_more_and_more_intensely_per_stressor(with_secure):
    anx, sec = with_secure["anxious"], with_secure["secure"]
    for t in (anx, sec):
        t["rate"] = per_person(t["bid"] > 0)

    # intensity: bid per unit of stressor on days with a bid
    def intensity(t):
        return per_person(t["bid"] / np.maximum(t["stressor"], 0.05), t["bid"] > 0)

    assert separated(anx["rate"], sec["rate"])
    assert separated(intensity(anx), intensity(sec))


def test_c7_anxious_read_an_ambiguous_response_as_more_rejecting(with_secure):
    def misread(t):  # perceived minus actual, on days with an ambiguous response
        ambiguous = np.abs(t["response"] - 0.5) < 0.15
        return per_person(t["perceived"] - t["response"], ambiguous)

    anx, sec = misread(with_secure["anxious"]), misread(with_secure["secure"])
    assert separated(sec, anx, 0.5)
    assert anx.mean() < 0 < sec.mean()


def test_c8_anxious_escalate_after_the_partner_was_away(with_secure):
    def escalation(t):
        away_before = np.zeros_like(t["bid"], dtype=bool)
        away_before[1:] = t["withdrawal_b"][:-1] >= 0.99  # partner away (or fully withdrawn) yesterday
        gain = t["bid"] / np.maximum(t["felt"], 0.05)
        active = t["bid"] > 0
        return per_person(gain, active & away_before) - per_person(gain, active & ~away_before)

    anx, sec = escalation(with_secure["anxious"]), escalation(with_secure["secure"])
    assert separated(anx, sec, 0.5)
    assert anx.mean() > 0


def test_c9_anxious_distress_recovers_slower_and_swings_wider(with_secure):
    def lag1(x):
        x = x - x.mean(axis=0)
        return (x[1:] * x[:-1]).sum(axis=0) / np.maximum((x * x).sum(axis=0), 1e-12)

    anx, sec = with_secure["anxious"]["distress"], with_secure["secure"]["distress"]
    assert separated(lag1(anx), lag1(sec))
    assert separated(anx.std(axis=0), sec.std(axis=0))


def test_c10_pursuit_raises_the_partners_withdrawal_more_when_the_partner_is_avoidant(styles):
    def slopes(t):  # partner b's response today, and withdrawal tomorrow, on partner a's bid today
        bid = t["bid"]
        response = np.polyfit(bid.ravel(), t["response_given_b"].ravel(), 1)[0]
        withdrawal = np.polyfit(bid[:-1].ravel(), t["withdrawal_b"][1:].ravel(), 1)[0]
        return response, withdrawal

    resp_avoidant, withdraw_avoidant = slopes(couples(styles, "anxious", "avoidant"))
    resp_secure, withdraw_secure = slopes(couples(styles, "anxious", "secure"))
    assert resp_secure < 0 and resp_avoidant < 0  # intense bids overwhelm any partner a little
    assert withdraw_avoidant > 0.05 and withdraw_avoidant > 3 * max(withdraw_secure, 0.01)


def test_c11_avoidant_express_less_need_than_they_feel(with_secure):
    def hidden(t):
        return per_person(1 - t["expressed"] / np.maximum(t["felt"], 1e-6), t["felt"] > 0.05)

    av, sec = hidden(with_secure["avoidant"]), hidden(with_secure["secure"])
    assert av.mean() > 0.5 and separated(av, sec, 1.0)


def test_c12_avoidant_distance_rises_after_closeness(with_secure):
    def distancing(t):  # the distance kept after a day, on that day's closeness, given the day before's
        close, dist = t["closeness"][1:].ravel(), t["distance"]
        x = np.column_stack([close, dist[:-1].ravel(), np.ones(close.size)])
        return np.linalg.lstsq(x, dist[1:].ravel(), rcond=None)[0][0]

    av, sec = distancing(with_secure["avoidant"]), distancing(with_secure["secure"])
    assert av > 0.05 and av > sec + 0.05


def test_c14_avoidant_partners_matter_less(styles):
    p = iwm.AdultParams()
    av = iwm.model._adult.partner_importance(styles["avoidant"].self_reliance, p)
    sec = iwm.model._adult.partner_importance(styles["secure"].self_reliance, p)
    assert separated(sec, av, 1.0)


def test_c15_pursue_withdraw_emerges_in_anxious_avoidant_couples(styles, with_secure):
    mixed = couples(styles, "anxious", "avoidant")
    secure = with_secure["secure"]
    pw_mixed = iwm.pursue_withdraw_index(mixed["bid"], mixed["withdrawal_b"])
    pw_secure = iwm.pursue_withdraw_index(secure["bid"], secure["withdrawal_b"])
    assert pw_mixed > 0.3 and pw_mixed > pw_secure + 0.2


def test_c16_approach_and_fear_are_both_high_after_frightening_care(by_history):
    approach = {k: per_person(t["approach_drive"]) for k, t in by_history.items()}
    fear = {k: per_person(t["fear_drive"]) for k, t in by_history.items()}
    assert separated(approach["frightening"], approach["sensitive"])
    for other in ("sensitive", "inconsistent", "rejecting"):
        assert separated(fear["frightening"], fear[other], 1.0)


def test_c17_after_frightening_care_approach_and_withdrawal_alternate_most(by_history):
    """The alternation comes from a choice between close values (no noise term of its own)."""

    def switches(t):
        return np.abs(np.diff(t["approached"].astype(np.int8), axis=0)).sum(axis=0)

    dis = switches(by_history["frightening"])
    for other in ("sensitive", "inconsistent", "rejecting"):
        assert separated(dis, switches(by_history[other]), 0.5)


def test_c17_without_fear_the_alternation_fades(by_history, raised):
    """Ablation: with the fear drive at 0 the same people, with the same partners and days,
    switch far less: the alternation is the approach-fear conflict."""

    def switches(approached):
        return np.abs(np.diff(approached.astype(np.int8), axis=0)).sum(axis=0)

    fearless = iwm.AdultParams(fear_weight=0.0)
    t = iwm.simulate_couples(raised["frightening"], raised["sensitive"], days=DAYS, seed=1, params=fearless)
    assert separated(switches(by_history["frightening"]["approached"]), switches(t["approached"][:, 0]), 1.0)


def test_c18_trust_falls_faster_than_it_rises(with_secure):
    def rates(t):
        before, after = t["trust"][:-1], t["trust"][1:]
        surprise = t["perceived"][1:] - before
        shown = (t["bid"][1:] > 0) & (np.abs(surprise) > 0.05)
        rate = (after - before) / np.where(shown, surprise * np.minimum(t["bid"][1:], 1), 1)
        return per_person(rate, shown & (surprise > 0)), per_person(rate, shown & (surprise < 0))

    for style in ("secure", "disorganized"):
        up, down = rates(with_secure[style])
        assert np.median(down) > 1.1 * np.median(up) > 0
    up_s, down_s = rates(with_secure["secure"])
    up_d, down_d = rates(with_secure["disorganized"])
    assert np.median(down_d / up_d.clip(1e-6)) > np.median(down_s / up_s.clip(1e-6))  # fear makes trust fragile


def test_c19_distress_varies_most_after_frightening_care(by_history):
    sd = {k: t["distress"].std(axis=0) for k, t in by_history.items()}
    for other in ("sensitive", "inconsistent", "rejecting"):
        assert separated(sd["frightening"], sd[other], 0.5)


def test_c19_the_conflict_itself_is_distressing(styles):
    """Ablation: without the stress of the conflict, the disorganized's distress varies less."""
    on = couples(styles, "disorganized", "secure")["distress"].std(axis=0)
    calm = iwm.AdultParams(conflict_stress=0.0)
    t = iwm.simulate_couples(styles["disorganized"], styles["secure"], days=DAYS, seed=1, params=calm)
    assert separated(on, t["distress"][:, 0].std(axis=0), 0.5)


@pytest.mark.xfail(
    strict=True,
    reason="open: the frightened give low responses on most days (low responsiveness, high distress), "
    "so their day-to-day spread is not the largest; reported to the lead",
)
def test_c20_partners_find_those_raised_by_frightening_caregivers_least_predictable(by_history):
    # what partner b gets from partner a, day by day: a's responses to b
    spread = {k: t["response_given"].std(axis=0) for k, t in by_history.items()}
    for other in ("sensitive", "inconsistent", "rejecting"):
        assert separated(spread["frightening"], spread[other], 0.5)


def test_c21_without_projection_the_perceived_response_is_the_actual_one(styles):
    off = couples(styles, "anxious", "avoidant", mechanisms=iwm.Mechanisms().without("projection"))
    on = couples(styles, "anxious", "avoidant")
    np.testing.assert_array_equal(off["perceived"], np.clip(off["response"], 0, 1))
    assert np.abs(on["perceived"] - on["response"]).mean() > 0.02


def test_c23_defensive_behaviours_make_the_model_come_true(styles):
    """Confirmation: with the same partners, the responses insecure people's bids actually get
    (before any misperception) fall short of what secure people's bids get, as their models
    predict; clinging, protest and distancing make part of the gap. The gap is paired (same
    partners, same draws), so its seed-to-seed SD is small (about .002 over seeds 2-4). Since
    beliefs stay learnable (issue 15, item 1) switching the behaviours off shrinks it by
    .013-.020 (formation seeds 11, 21, 31; .022-.025 before, when childhood left everyone the
    same saturated evidence), so the bound is .01, five of those SDs; the clearest case is
    still the anxiously raised, whose clinging and protest cost them about half of their
    shortfall."""

    def gaps(mech):
        pop = iwm.Population.concat([styles[s] for s in ("secure", "anxious", "avoidant", "disorganized")])
        partner = pop.take(np.random.default_rng(2).permutation(pop.n))
        t = iwm.simulate_couples(pop, partner, days=DAYS, seed=3, mechanisms=mech)
        got = per_person(t["response"][:, 0], t["bid"][:, 0] > 0)
        return got[:K].mean() - got[K:].mean(), got[:K].mean() - got[K : 2 * K].mean()

    (on, anxious_on), (off, anxious_off) = (
        gaps(iwm.Mechanisms()),
        gaps(iwm.Mechanisms().without("defensive_behaviours")),
    )
    assert on > 0.05 and on > off + 0.01
    assert anxious_off < anxious_on * 2 / 3


def test_c24_hidden_need_is_never_answered(styles):
    on = couples(styles, "avoidant", "secure")
    off = couples(styles, "avoidant", "secure", mechanisms=iwm.Mechanisms().without("vulnerability_avoidance"))
    shown_on, shown_off = per_person(np.minimum(on["bid"], 1)), per_person(np.minimum(off["bid"], 1))
    assert separated(shown_off, shown_on, 1.0)
    # and so the model gets less of the evidence that would revise it
    change_on = on["other_availability"][-1] - on["other_availability"][0]
    change_off = off["other_availability"][-1] - off["other_availability"][0]
    assert separated(change_off, change_on, 0.5)


def test_traces_are_deterministic(styles):
    a = iwm.simulate_couples(styles["anxious"], styles["avoidant"], days=30, seed=9)
    b = iwm.simulate_couples(styles["anxious"], styles["avoidant"], days=30, seed=9)
    c = iwm.simulate_couples(styles["anxious"], styles["avoidant"], days=30, seed=10)
    assert all(np.array_equal(a[f], b[f]) for f in a)
    assert not np.array_equal(a["stressor"], c["stressor"])
