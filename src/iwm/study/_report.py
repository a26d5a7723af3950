"""HTML reports with embedded figures (matplotlib, rendered off-screen). Not part of the core."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import Any

import numpy as np

_COLOURS = ("#3b6ea5", "#c8553d", "#588b8b", "#8a5a9e")


def _figure_to_data_uri(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _grouped_bars(
    title: str,
    ylabel: str,
    labels: Sequence[str],
    ticks: Sequence[str],
    groups: Sequence[tuple[str, dict[str, float]]],
    reference: tuple[str, dict[str, float]] | None = None,
) -> str:
    """Bars of shares, one group per run (and an outlined reference group, if given)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    bars = len(groups) + (1 if reference else 0)
    width = 0.8 / bars
    x = np.arange(len(labels))
    for i, (name, shares) in enumerate(groups):
        colour = _COLOURS[i] if i < len(_COLOURS) else plt.get_cmap("tab10")(i % 10)
        ax.bar(x + i * width, [shares[k] for k in labels], width, label=name, color=colour)
    if reference:
        name, shares = reference
        ax.bar(
            x + len(groups) * width,
            [shares[k] for k in labels],
            width,
            label=name,
            color="none",
            edgecolor="black",
            hatch="//",
        )
    ax.set_xticks(x + width * (bars - 1) / 2, list(ticks))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False)
    uri = _figure_to_data_uri(fig)
    plt.close(fig)
    return uri


Section = tuple[str, str, str | None] | tuple[str, str, str | None, str]
"""(heading, text, image data URI or None[, trusted HTML such as a table, placed after it])."""


def render_html(title: str, intro: str, sections: list[Section], table: str = "") -> str:
    """A self-contained page of sections (see :data:`Section`)."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
        "color:#222}img{max-width:100%}table{border-collapse:collapse}td,th{padding:.25rem .6rem;"
        "border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}"
        ".note{color:#666;font-size:.9rem}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>",
        table,
    ]
    for heading, text, image, *extra in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2><p>{html.escape(text)}</p>")
        if image:
            parts.append(f"<img alt='{html.escape(heading)}' src='{image}'>")
        parts.extend(extra)
    parts.append(
        "<p class='note'>iwm is a research and teaching model. Nothing here is a clinical "
        "assessment of any real person.</p></body></html>"
    )
    return "".join(parts)


def dyad_figure(frame: Any, title: str) -> Any:
    """One couple's days (a table from :func:`iwm.dyad`) as four stacked panels: bids and
    withdrawal (the pursue-withdraw cycle, C15), responses received and perceived (C7, C21),
    distress (C9), trust and satisfaction (C18, C31). Returns a matplotlib figure."""
    plt = _pyplot()
    day = frame["day"].to_numpy()
    fig, axes = plt.subplots(4, 1, figsize=(9, 9), sharex=True)
    colours = {"a": _COLOURS[1], "b": _COLOURS[0]}
    panels = [
        ("bid intensity / withdrawal", [("bid", "-", "bid"), ("withdrawal", ":", "withdrawal")]),
        ("response", [("response", "-", "received"), ("perceived", "--", "perceived")]),
        ("distress", [("distress", "-", "distress")]),
        ("trust / satisfaction", [("trust", "-", "trust in partner"), ("satisfaction", "--", "satisfaction")]),
    ]
    for ax, (ylabel, series) in zip(axes, panels, strict=True):
        for who in ("a", "b"):
            for field, style, label in series:
                ax.plot(day, frame[f"{field}_{who}"], style, color=colours[who], lw=1, label=f"{who}: {label}")
        ax.set_ylabel(ylabel)
        ax.legend(frameon=False, fontsize=7, ncol=2, loc="upper right")
    axes[-1].set_xlabel("day")
    axes[0].set_title(title)
    fig.tight_layout()
    return fig


def figure_uri(fig: Any) -> str:
    """A matplotlib figure as an embeddable PNG data URI (the figure is closed)."""
    uri = _figure_to_data_uri(fig)
    _pyplot().close(fig)
    return uri
