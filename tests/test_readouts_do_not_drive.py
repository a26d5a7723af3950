"""A read-out measures the model; it never drives it (issue 15, item 10).

Every adult read-out of :mod:`iwm.measure` (dimensions, categories, the summaries' statistics
and the tables by pairing) is made to raise, wherever it was imported, and the model is run:
formation over two generations (caregiving from the parents' models), adult life with life
events and snapshots, and fixed couples. The model must run, and every state it returns must
equal that of a run with the read-outs in place. (The infant coding of the reunion episode
inside formation is left in place: it is moved out by another item of the issue.)
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import iwm
from iwm.measure import _readout, _relationships, _stats
from iwm.model._development import develop
from iwm.model._life import live, simulate_couples
from iwm.model._life_events import LifeEventParams
from iwm.model._population import Population

READ_OUTS = {
    _readout: (
        "anxiety",
        "avoidance",
        "anxiety_of",
        "avoidance_of",
        "categorize",
        "adult_category",
        "organized_category",
        "self_report_category",
        "unresolved",
        "measured_columns",
    ),
    _stats: ("shares", "pearson", "concordance_kappa", "correlation_or_none"),
    _relationships: ("style_at_meeting", "record_pairings", "pairing_totals", "person_pairing", "pairing_index"),
}


def _raise_everywhere(monkeypatch: pytest.MonkeyPatch) -> int:
    """Replace each read-out by a function that raises, in every iwm module holding it."""
    patched = 0
    for module, names in READ_OUTS.items():
        for name in names:
            original = getattr(module, name)

            def boom(*args, _name=name, **kwargs):
                raise AssertionError(f"the model called the read-out {_name}")

            for mod in [m for k, m in sys.modules.items() if k == "iwm" or k.startswith("iwm.")]:
                if getattr(mod, name, None) is original:
                    monkeypatch.setattr(mod, name, boom)
                    patched += 1
    return patched


def _run() -> dict[str, object]:
    formed = develop(parents="low-risk", n=3000, seed=21)
    life = live(formed.population, years=1.0, seed=22, snapshot_years=(0.5,), events=LifeEventParams())
    a, b = formed.population.take(slice(0, 64)), formed.population.take(slice(64, 128))
    trace = simulate_couples(a, b, days=30, seed=23)
    return {"formed": formed, "life": life, "trace": trace}


def _columns(pop: Population) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in pop.columns().items()}


def _assert_same_population(x: Population, y: Population) -> None:
    cx, cy = _columns(x), _columns(y)
    assert cx.keys() == cy.keys()
    for k in cx:
        np.testing.assert_array_equal(cx[k], cy[k], err_msg=k)


@pytest.fixture(scope="module")
def unpatched() -> dict[str, object]:
    return _run()


def test_the_read_outs_really_raise_when_patched(monkeypatch, unpatched):
    assert _raise_everywhere(monkeypatch) >= 20
    with pytest.raises(AssertionError, match="read-out anxiety"):
        iwm.anxiety(unpatched["formed"].population)
    with pytest.raises(AssertionError, match="read-out adult_category"):
        iwm.develop("low-risk", n=64, seed=1).adult_shares()


def test_the_model_runs_unchanged_without_its_read_outs(monkeypatch, unpatched):
    _raise_everywhere(monkeypatch)
    patched = _run()
    f0, f1 = unpatched["formed"], patched["formed"]
    _assert_same_population(f0.population, f1.population)
    _assert_same_population(f0.parents.population, f1.parents.population)
    for k, v in f0.caregivers.columns().items():
        np.testing.assert_array_equal(v, f1.caregivers.columns()[k], err_msg=k)
    for k, v in f0.infant_behaviour.items():
        np.testing.assert_array_equal(v, f1.infant_behaviour[k], err_msg=k)
    l0, l1 = unpatched["life"], patched["life"]
    _assert_same_population(l0.end, l1.end)
    _assert_same_population(l0.snapshots[0], l1.snapshots[0])
    for name in ("partner", "single_days", "lonely", "breakups", "commitment", "satisfaction", "events"):
        np.testing.assert_array_equal(getattr(l0, name), getattr(l1, name), err_msg=name)
    for k, v in l0.relationships.items():
        np.testing.assert_array_equal(v, l1.relationships[k], err_msg=k)
    for k, v in unpatched["trace"].items():
        np.testing.assert_array_equal(v, patched["trace"][k], err_msg=k)


def test_the_strategy_is_a_function_of_state_not_of_the_read_out_weights():
    """Changing the read-out's weights changes what is measured, never what happens."""
    formed = develop("low-risk", n=512, seed=5)
    a, b = formed.population.take(slice(0, 256)), formed.population.take(slice(256, 512))
    base = iwm.simulate_couples(a, b, days=14, seed=6)
    other = iwm.simulate_couples(a, b, days=14, seed=6, readout=iwm.AdultReadout(anxiety_self=0.5, avoidance_other=5.0))
    for field in iwm.TRACE_FIELDS:
        if field in ("anxiety", "avoidance"):
            assert not np.array_equal(base[field], other[field])
        else:
            np.testing.assert_array_equal(base[field], other[field], err_msg=field)
