"""The dashboard's charts as Altair specifications (no Streamlit here, so they are tested alone).

Every chart has a title, axis titles with units, a legend titled by what its colours mean, and
an axis range chosen for the quantity: shares from 0 to 100%, ECR scores on their 1-7 scale
(or zoomed without a zero where the change is the point), model intensities from the data.
Columns are read by name; a series the table lacks is left out rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

ECR = "ECR scale, 1-7"
MODEL_UNITS = "model units"
SHARE = (0.0, 1.0)
ECR_RANGE = (1.0, 7.0)


def _alt() -> Any:
    import altair as alt

    return alt


def _y(title: str, domain: tuple[float, float] | None, percent: bool, zero: bool = True) -> Any:
    alt = _alt()
    scale = alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=zero)
    axis = alt.Axis(format="%") if percent else alt.Axis()
    return alt.Y("value:Q", title=title, scale=scale, axis=axis)


def grouped_bars(frame: pd.DataFrame, category: str, title: str, x_title: str, y_title: str) -> Any:
    """Shares (0-1) by ``category``, one bar per other column (model, published target ...)."""
    alt = _alt()
    groups = [c for c in frame.columns if c != category]
    long = frame.melt(id_vars=[category], value_vars=groups, var_name="source", value_name="value")
    return (
        alt.Chart(long, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{category}:N", title=x_title, sort=list(frame[category]), axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("source:N", sort=groups),
            y=_y(y_title, SHARE, percent=True),
            color=alt.Color("source:N", title="source", sort=groups),
            tooltip=[f"{category}:N", "source:N", alt.Tooltip("value:Q", format=".1%")],
        )
    )


def scatter(frame: pd.DataFrame, title: str, color: str | None = None) -> Any:
    """People in anxiety x avoidance space on the ECR's 1-7 scale (midpoint 4 marked)."""
    alt = _alt()
    enc: dict[str, Any] = {
        "x": alt.X("avoidance:Q", title=f"avoidance ({ECR})", scale=alt.Scale(domain=list(ECR_RANGE))),
        "y": alt.Y("anxiety:Q", title=f"anxiety ({ECR})", scale=alt.Scale(domain=list(ECR_RANGE))),
    }
    if color and color in frame:
        enc["color"] = alt.Color(f"{color}:N", title=color)
    points = alt.Chart(frame, title=title).mark_circle(size=14, opacity=0.5).encode(**enc)
    mid = pd.DataFrame({"v": [4.0]})
    rules = alt.Chart(mid).mark_rule(color="#999", strokeDash=[4, 4])
    return points + rules.encode(x="v:Q") + rules.encode(y="v:Q")


def lines(
    frame: pd.DataFrame,
    x: str,
    series: Mapping[str, str] | Sequence[str],
    *,
    title: str,
    x_title: str,
    y_title: str,
    domain: tuple[float, float] | None = None,
    percent: bool = False,
    zero: bool = True,
    legend: str = "series",
) -> Any:
    """Lines of ``series`` (column -> legend label, or columns) over ``x``; columns the frame
    lacks are left out."""
    alt = _alt()
    names = dict(series) if isinstance(series, Mapping) else {c: c for c in series}
    present = {c: n for c, n in names.items() if c in frame}
    data = frame.reset_index() if x not in frame else frame
    long = data[[x, *present]].rename(columns=present).melt(id_vars=[x], var_name=legend, value_name="value")
    return (
        alt.Chart(long, title=title)
        .mark_line(point=len(data) <= 12)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title),
            y=_y(y_title, domain, percent, zero),
            color=alt.Color(f"{legend}:N", title=legend, sort=list(present.values())),
            strokeDash=alt.StrokeDash(f"{legend}:N", legend=None, sort=list(present.values())),
            tooltip=[f"{x}:Q", f"{legend}:N", alt.Tooltip("value:Q", format=".3~g")],
        )
    )


def couple_panels(frame: pd.DataFrame) -> list[tuple[str, Any]]:
    """The four panels of a couple's days (a and b in each): (caption, chart)."""
    panels = [
        ("Bids and withdrawal (C6, C10, C15)", "bid / withdrawal", ["bid", "withdrawal"]),
        ("Response given and perceived (C7, C21)", "response", ["response", "perceived"]),
        ("Distress (C9)", "distress", ["distress"]),
        (
            "Beliefs: trust, expected availability, self-worth (C1, C2, C18)",
            "belief",
            ["trust", "other_availability", "self_worth"],
        ),
    ]
    out = []
    for caption, y_title, fields in panels:
        names = {f"{f}_{who}": f"{f.replace('_', ' ')} ({who})" for f in fields for who in ("a", "b")}
        series = {column: name for column, name in names.items() if column in frame}
        chart = lines(
            frame,
            "day",
            series,
            title=caption,
            x_title="day of the relationship",
            y_title=f"{y_title} ({MODEL_UNITS})",
            legend="partner",
        )
        out.append((caption, chart))
    return out
