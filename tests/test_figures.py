"""Reports and sensitivity read-outs as a researcher meets them: templates, tables, figures
that show one run per line, targets only where they apply, and honest sensitivity indices."""

from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import iwm
from iwm.study._labels import label, parameter_label
from iwm.study._report import Section, html_table, mean_ci, render_html
from iwm.study._run_report import arms_table, couples_sections, render_run, write_report
from iwm.study._sweep import SOBOL_MAX_CONF, sensitivity, sensitivity_warnings, sweep_from_mapping

TINY = {
    "seed": 3,
    "replicates": 2,
    "population": {"n": 300},
    "adult": {"years": 0.25},
    "recorders": {"people": False, "trajectories": None, "couples": [{"a": "anxious", "b": "avoidant", "days": 14}]},
}


@pytest.fixture(scope="module")
def low_risk_run(tmp_path_factory):
    data = {**TINY, "name": "tiny <b>low</b>", "arms": [{"name": "a"}, {"name": "b"}]}
    return iwm.run_scenario(data, tmp_path_factory.mktemp("low") / "run", workers=1)


@pytest.fixture(scope="module")
def high_risk_sweep(tmp_path_factory):
    base = {**TINY, "replicates": 1, "population": {"n": 300, "caregiving": "high-risk"}}
    sweep = {
        "name": "tiny-sweep",
        "scenario": base,
        "design": {"method": "grid"},
        "parameters": {"adult.params.protest": {"values": [0.2, 1.2]}},
        "outputs": ["end_secure", "partnered_end"],
    }
    return iwm.run_sweep(sweep, tmp_path_factory.mktemp("sweep") / "run", workers=1)


def test_the_template_ships_with_the_package():
    assert resources.files("iwm.study").joinpath("templates", "report.html.j2").is_file()


def test_pages_are_escaped_and_tables_trusted():
    page = render_html(
        "a <title>",
        "intro & <script>alert(1)</script>",
        [Section("h <i>", "t", None, html_table(pd.DataFrame({"x <y>": ["<b>"], "v": [0.5]})), ["careful <now>"])],
        ["page <warning>"],
    )
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<table" in page and "&lt;b&gt;" in page and "x &lt;y&gt;" in page  # the table's cells are escaped too
    assert 'class="warning">careful &lt;now&gt;' in page and "page &lt;warning&gt;" in page


def test_mean_ci_is_a_t_interval():
    mean, half = mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0 and half == pytest.approx(4.303 * 1.0 / np.sqrt(3), rel=1e-3)  # t(0.975, 2) = 4.303
    assert mean_ci([5.0]) == (5.0, 0.0)  # one replicate: no interval claimed


def test_labels_are_human_and_never_fail():
    assert label("end_secure") == "secure at end"
    assert label("a_column_added_later") == "a column added later"
    assert parameter_label("adult.params.protest") == "protest"
    assert parameter_label("adult.mechanisms.projection") == "projection (mechanism)"


def test_low_risk_report_draws_t1_escapes_the_name_and_transposes_arms(low_risk_run):
    page = write_report(low_risk_run.path).read_text()
    assert "tiny &lt;b&gt;low&lt;/b&gt;" in page and "<b>low" not in page
    assert "Hatched: the published low-risk distribution (T1" in page
    assert "95% CI over 2 replicates" in page
    table = arms_table(low_risk_run.table("summary"))
    assert "secure at end" in table and "end_secure" not in table  # outcomes are rows, with human labels
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", table)
    assert headers[:3] == ["outcome", "a", "b"]


def test_t1_is_not_drawn_for_high_risk_caregiving(high_risk_sweep):
    page = render_run(high_risk_sweep, iwm.sensitivity_of(high_risk_sweep))
    assert "does not apply and is not drawn" in page and "Hatched" not in page
    assert "Sensitivity" in page


def test_a_sweep_couple_is_one_task_not_a_sawtooth(high_risk_sweep):
    couples = high_risk_sweep.table("couples")
    assert couples["point"].nunique() == 2  # both points recorded the couple ...
    sections = couples_sections(couples, high_risk_sweep.manifest["sweep"]["points"])
    assert len(sections) == 1
    assert "sweep point 0 (protest = 0.2)" in sections[0].text  # ... the figure shows one of them, named


def sobol_summary(n: int, f, noise: float = 0.0, seed: int = 0):
    """A fake sweep summary: the Sobol points of three parameters and an output f(x) (+ noise)."""
    sweep = sweep_from_mapping(
        {
            "scenario": {"population": {"n": 100}},
            "design": {"method": "sobol", "samples": n, "seed": 1},
            "parameters": {
                "adult.params.protest": {"low": 0.0, "high": 1.0},
                "adult.params.cooling": {"low": 0.0, "high": 1.0},
                "adult.params.perception_bias": {"low": 0.0, "high": 1.0},
            },
            "outputs": ["end_secure"],
        }
    )
    x = np.array(sweep.samples, dtype=float)
    y = f(x) + noise * np.random.default_rng(seed).standard_normal(len(x))
    summary = pd.DataFrame({"arm": "all", "point": np.arange(len(x)), "end_secure": y})
    return summary, sweep.describe()


def test_sobol_indices_carry_intervals_and_a_large_design_is_not_flagged():
    summary, desc = sobol_summary(1024, lambda x: x[:, 0] + 0.3 * x[:, 1])  # additive: S1 = ST, third is 0
    out = sensitivity(summary, desc).set_index("parameter")
    assert {"S1", "S1_conf", "ST", "ST_conf", "warning"} <= set(out.columns)
    assert out.loc["adult.params.protest", "S1"] == pytest.approx(1 / 1.09, abs=0.05)  # variances 1/12 : 0.09/12
    assert (out[["S1_conf", "ST_conf"]] < SOBOL_MAX_CONF).all().all()
    assert (out["warning"] == "").all() and sensitivity_warnings(out.reset_index()) == []


def test_a_small_noisy_sobol_design_is_flagged():
    summary, desc = sobol_summary(8, lambda x: x[:, 0], noise=0.5)
    out = sensitivity(summary, desc)
    assert out["warning"].str.contains("CI wide").any()
    lines = sensitivity_warnings(out)
    assert lines and "design.samples" in lines[-1]


def test_an_index_outside_0_1_beyond_its_interval_is_flagged():
    from iwm.study._sweep import index_warning

    assert "ST outside [0, 1]" in index_warning({"S1": 0.2, "S1_conf": 0.05, "ST": 1.6, "ST_conf": 0.05})
    assert index_warning({"S1": -0.03, "S1_conf": 0.05, "ST": 0.5, "ST_conf": 0.05}) == ""  # within its CI of 0


def test_a_figure_whose_column_is_gone_becomes_a_note_not_a_crash(low_risk_run, monkeypatch):
    original = low_risk_run.table

    def without_couple_index(name):
        table = original(name)
        return table.drop(columns=["couple_index"]) if name == "couples" else table

    monkeypatch.setattr(low_risk_run, "table", without_couple_index)
    page = render_run(low_risk_run)
    assert "Not shown: this run&#39;s tables have no column &#39;couple_index&#39;" in page
    assert "Adult styles" in page  # the rest of the report is there


def test_the_report_compares_each_dose_with_the_arm_without_sessions():
    """One effect size: treated minus untreated (same clients, same seed, same replicate), in
    SDs of the whole sample; the arm without sessions is 0 by construction."""
    import pandas as pd

    from iwm.study._run_report import versus_control

    summary = pd.DataFrame(
        {
            "replicate": [0, 0, 1, 1],
            "point": [0, 0, 0, 0],
            "therapy_weeks": [0, 20, 0, 20],
            "clients_anxiety_d_end": [-0.10, -0.40, -0.12, -0.38],
            "clients_avoidance_d_end": [0.0, -0.2, 0.02, -0.22],
        }
    )
    effects = versus_control(summary)
    assert effects.loc[effects["therapy_weeks"] == 0, "effect_anxiety"].tolist() == [0, 0]
    assert effects.loc[effects["therapy_weeks"] == 20, "effect_anxiety"].round(2).tolist() == [-0.30, -0.26]
    assert versus_control(summary[summary["therapy_weeks"] > 0]) is None
