"""Each dashboard page under Streamlit's headless test harness (AppTest): it renders, says what
the user is looking at (naming constructs), and answers its form without an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

import iwm

st_testing = pytest.importorskip("streamlit.testing.v1")

PAGES = Path(iwm.__file__).parent / "app" / "views"
TIMEOUT = 180


def page(name: str) -> st_testing.AppTest:
    at = st_testing.AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def intro(at: st_testing.AppTest) -> str:
    return at.markdown[0].value


def errors(at: st_testing.AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize("name", ["formation", "couple", "therapy", "questionnaires", "runs"])
def test_every_page_explains_itself_with_construct_ids(name):
    at = page(name)
    assert at.title and at.title[0].value
    text = intro(at)
    assert 2 <= text.count(". ") + 1 <= 5, text  # two or three sentences (a few more allowed for lists)
    assert "C1" in text or "C2" in text or "C6" in text or "C25" in text, text
    assert "clinical diagnosis" in at.caption[0].value


def test_formation_page_forms_a_population():
    at = page("formation")
    n = next(s for s in at.slider if s.label == "children")
    n.set_value(2000)
    at.button[0].click().run()
    assert not at.exception and not errors(at)
    assert at.subheader[0].value == "2,000 children"
    assert len(at.get("vega_lite_chart")) == 3  # infants, adults, anxiety x avoidance


def test_formation_page_custom_profile():
    at = page("formation")
    at.radio[0].set_value("one caregiver profile")
    next(s for s in at.slider if s.label == "frightening").set_value(0.8)
    next(s for s in at.slider if s.label == "children").set_value(1000)
    at.button[0].click().run()
    assert not at.exception and not errors(at)
    assert at.subheader[0].value == "1,000 children"


def test_couple_page_compares_mechanisms():
    at = page("couple")
    next(s for s in at.slider if s.label == "days").set_value(28)
    at.multiselect[0].set_value(["projection"])
    at.button[0].click().run()
    assert not at.exception and not errors(at)
    table = at.dataframe[0].value
    assert table["condition"].tolist() == ["all mechanisms on", "without projection"]
    assert [s.value for s in at.subheader] == ["all mechanisms on", "without projection"]


def test_couple_page_by_scores():
    at = page("couple")
    at.radio(key="how_a").set_value("scores").run()
    at.slider(key="anx_a").set_value(6.0)
    next(s for s in at.slider if s.label == "days").set_value(14)
    at.button[0].click().run()
    assert not at.exception and not errors(at)
    assert at.dataframe[0].value.shape[0] == 1


def test_therapy_page_runs_a_small_trial():
    at = page("therapy")
    next(s for s in at.slider if s.label == "clients").set_value(100)
    next(s for s in at.slider if s.label == "Weeks for the trajectory").set_value(10)
    doses = next(m for m in at.multiselect if m.label == "Doses (weeks)")
    doses.set_value([0, 10])
    at.button[0].click().run()
    assert not at.exception and not errors(at)
    assert at.dataframe[0].value["weeks of therapy"].tolist() == [0, 10]
    assert at.metric[0].label.startswith("Secure clients")


def test_therapy_page_components_can_be_switched_off():
    at = page("therapy")
    next(m for m in at.multiselect if m.label == "Components").set_value(["regulation"])
    next(s for s in at.slider if s.label == "clients").set_value(100)
    next(m for m in at.multiselect if m.label == "Doses (weeks)").set_value([20])
    next(s for s in at.slider if s.label == "Weeks for the trajectory").set_value(5)
    at.button[0].click().run()
    assert not at.exception and not errors(at)


def test_questionnaires_page_waits_for_an_upload():
    at = page("questionnaires")
    assert [s.value for s in at.selectbox][:1] == ["ecr-r"]
    assert not at.dataframe  # nothing scored before a file arrives


def test_questionnaires_page_states_the_upload_limit_it_enforces():
    from iwm.app._logic import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB

    at = page("questionnaires")
    assert at.get("file_uploader")[0].proto.max_upload_size_mb == MAX_UPLOAD_MB  # the widget says "5MB per file"
    assert MAX_UPLOAD_BYTES == MAX_UPLOAD_MB * 1024 * 1024  # the same limit when scoring
    assert any(f"up to {MAX_UPLOAD_MB} MB" in c.value for c in at.caption)


def test_runs_page_lists_and_queries_runs(tmp_path, monkeypatch):
    iwm.run_scenario({"name": "tiny", "population": {"n": 500}, "adult": {"years": 0.25}}, tmp_path / "tiny", workers=1)
    monkeypatch.setenv("IWM_RUNS", str(tmp_path))
    at = page("runs")
    assert at.dataframe[0].value["run"].tolist() == ["tiny"]
    next(b for b in at.button if b.label == "Run the query").click().run()
    assert not at.exception and not errors(at)
    assert at.dataframe[1].value["tasks"].tolist() == [1]
    next(b for b in at.button if b.label == "Write the report").click().run()
    assert (tmp_path / "tiny" / "report.html").exists()


def test_runs_page_with_no_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("IWM_RUNS", str(tmp_path / "empty"))
    at = page("runs")
    assert "No run folders" in at.info[0].value
