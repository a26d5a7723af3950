"""The dashboard's charts: titled, with axis titles and units, sensible ranges and legends, and
tolerant of the model's columns changing (a missing series is left out, never a KeyError)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("altair")

from iwm.app import _charts as charts
from iwm.app._logic import sample_tables


def spec(chart) -> dict:
    return chart.to_dict()


def encodings(d: dict) -> list[dict]:
    """The encodings of a chart and of every layer in it."""
    out = [d["encoding"]] if "encoding" in d else []
    for layer in d.get("layer", []):
        out += encodings(layer)
    return out


def title_of(d: dict) -> str:
    t = d.get("title") or next((layer.get("title") for layer in d.get("layer", []) if layer.get("title")), "")
    return t["text"] if isinstance(t, dict) else t


def test_share_bars_run_from_0_to_100_percent_with_a_legend():
    frame = pd.DataFrame({"class": ["A", "B"], "model": [0.3, 0.7], "published (T1)": [0.2, 0.65]})
    d = spec(charts.grouped_bars(frame, "class", "Infant classes", "Strange Situation class", "share of infants"))
    enc = d["encoding"]
    assert title_of(d) == "Infant classes"
    assert enc["x"]["title"] == "Strange Situation class" and enc["y"]["title"] == "share of infants"
    assert enc["y"]["scale"]["domain"] == [0.0, 1.0] and enc["y"]["axis"]["format"] == "%"
    assert enc["color"]["title"] == "source"


def test_scatter_is_on_the_ecr_scale_with_the_midpoint_marked():
    frame = pd.DataFrame({"avoidance": [2.0, 5.0], "anxiety": [3.0, 6.0], "style": ["secure", "fearful"]})
    d = spec(charts.scatter(frame, "Adults", color="style"))
    points = encodings(d)[0]
    assert points["x"]["title"] == "avoidance (ECR scale, 1-7)" and points["x"]["scale"]["domain"] == [1.0, 7.0]
    assert points["y"]["scale"]["domain"] == [1.0, 7.0] and points["color"]["title"] == "style"
    assert len(d["layer"]) == 3  # the points and the two midpoint rules


def test_lines_leave_out_a_series_the_model_no_longer_has():
    frame = pd.DataFrame({"day": np.arange(5), "bid_a": np.ones(5), "bid_b": np.zeros(5), "extra_a": np.ones(5)})
    panels = charts.couple_panels(frame)  # no withdrawal, response, distress or beliefs in this table
    assert panels[0][0].startswith("Bids and withdrawal")
    d = spec(panels[0][1])
    assert d["encoding"]["x"]["title"] == "day of the relationship"
    assert d["encoding"]["y"]["title"] == "bid / withdrawal (model units)"
    data = next(iter(d["datasets"].values()))
    assert {row["partner"] for row in data} == {"bid (a)", "bid (b)"}


def test_share_lines_have_a_percent_axis_and_scores_a_zoomed_one():
    frame = pd.DataFrame({"week": [0, 4, 8], "secure": [0.1, 0.2, 0.3], "anxiety": [5.0, 4.8, 4.7]})
    share = spec(charts.lines(frame, "week", ["secure"], title="t", x_title="week", y_title="s", domain=(0, 1),
                              percent=True))  # fmt: skip
    assert share["encoding"]["y"]["scale"]["domain"] == [0, 1] and share["encoding"]["y"]["axis"]["format"] == "%"
    score = spec(charts.lines(frame, "week", ["anxiety"], title="t", x_title="week", y_title="a", zero=False))
    assert score["encoding"]["y"]["scale"]["zero"] is False


def test_questionnaire_statistics_become_tables_not_json():
    stats = {
        "n": 3,
        "scores": {"anxiety": {"mean": 4.0, "sd": 1.0, "n_scored": 3, "n_missing": 0}},
        "reliability": {"anxiety": {"alpha": 0.9, "omega": None}},
        "correlation": {"anxiety_avoidance": 0.31},
        "categories": {"rule": "quadrant rule", "shares": {"secure": 0.5, "fearful": 0.5}},
        "warnings": ["only 3 complete responses"],
        "a_key_added_later": {"x": 1},
    }
    t = sample_tables(stats)
    assert t["subscales"].columns.tolist() == ["subscale", "mean", "SD", "scored", "missing", "alpha", "omega"]
    assert t["subscales"].loc[0, "alpha"] == 0.9
    assert t["categories"]["share"].sum() == pytest.approx(1.0)
    assert "anxiety-avoidance correlation: 0.31" in t["notes"] and t["warnings"] == ["only 3 complete responses"]
    assert sample_tables({"n": 0})["subscales"].empty  # an instrument without scores still renders
