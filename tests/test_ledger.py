"""Every free parameter is in the calibration ledger (docs/calibration.md), with meaning, unit,
range, default and provenance, and the ledger is the one generated from the declarations."""

from __future__ import annotations

from pathlib import Path

from iwm.study import _ledger

DOC = Path(__file__).resolve().parents[1] / "docs" / "calibration.md"


def test_the_ledger_in_the_docs_is_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    section = text.split(_ledger.START, 1)[1].split(_ledger.END, 1)[0]
    assert section.strip() == _ledger.ledger_markdown().strip(), "run: python -m iwm.study._ledger --write"


def test_every_parameter_has_a_row_and_a_provenance():
    table = _ledger.ledger_markdown()
    classes = _ledger._all_params()
    assert len(classes) >= 11
    for cls in classes:
        for name in cls.ranges():
            assert f"| `{name}` |" in table, f"{cls.__name__}.{name}"
            assert _ledger.provenance(cls, name)
