"""HTML reports with embedded figures (matplotlib, rendered off-screen). Not part of the core.

Pages are Jinja2 templates (``templates/*.html.j2``, autoescaped); tables go through the pandas
Styler. Every figure has a title, axis titles with units, a legend where there are groups, and
95% intervals across replicates where there are several.
"""

from __future__ import annotations

import base64
import dataclasses
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

_COLOURS = ("#3b6ea5", "#c8553d", "#588b8b", "#8a5a9e")

MODEL_UNITS = "model units"
"""Unit of the model's daily intensities (bids, withdrawal, responses, distress): they have no
natural scale outside the model, so axes say so rather than pretending a unit."""


def colour(i: int) -> Any:
    """The i-th group colour: the house four, then tab10."""
    return _COLOURS[i] if i < len(_COLOURS) else _pyplot().get_cmap("tab10")(i % 10)


def _figure_to_data_uri(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def mean_ci(values: Any, level: float = 0.95) -> tuple[float, float]:
    """Mean of replicate values and the half-width of its t interval (0 for one value; NaNs
    are left out). The replicates are independent seeds, so their spread is the sampling error."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), 0.0
    if v.size == 1:
        return float(v[0]), 0.0
    half = stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
    return float(v.mean()), float(half)


def percent_axis(ax: Any, axis: str = "y", top: float = 1.0) -> None:
    """A share axis from 0 to ``top`` (100% by default) labelled in percent."""
    from matplotlib.ticker import PercentFormatter

    getattr(ax, f"set_{axis}lim")(0, top)
    getattr(ax, f"{axis}axis").set_major_formatter(PercentFormatter(1.0, decimals=0))


def _grouped_bars(
    title: str,
    ylabel: str,
    labels: Sequence[str],
    ticks: Sequence[str],
    groups: Sequence[tuple[str, Mapping[str, Any]]],
    reference: tuple[str, Mapping[str, float]] | None = None,
    xlabel: str = "",
) -> str:
    """Bars of shares (0-1), one group per run or arm, with 95% intervals when a group's value
    is a list of replicate values (an outlined, hatched reference group if given)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 3.8))
    bars = len(groups) + (1 if reference else 0)
    width = 0.8 / bars
    x = np.arange(len(labels))
    for i, (name, shares) in enumerate(groups):
        stats = [mean_ci(np.atleast_1d(shares[k])) for k in labels]
        means, halves = [m for m, _ in stats], [h for _, h in stats]
        err = halves if any(halves) else None
        ax.bar(x + i * width, means, width, yerr=err, capsize=2, label=name, color=colour(i), error_kw={"lw": 0.8})
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
    percent_axis(ax)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    uri = _figure_to_data_uri(fig)
    plt.close(fig)
    return uri


@dataclasses.dataclass(frozen=True)
class Section:
    """One part of a report: a heading, a paragraph, an optional figure (PNG data URI), an
    optional table (HTML from :func:`html_table`, trusted) and warnings shown in red."""

    heading: str
    text: str
    image: str | None = None
    table: str = ""
    warnings: Sequence[str] = ()


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("iwm.study", "templates"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(title: str, intro: str, sections: Sequence[Section], warnings: Sequence[str] = ()) -> str:
    """A self-contained page (template ``report.html.j2``): the title, the intro, warnings
    for the whole page, then the sections. Text is escaped; tables are trusted HTML."""
    from markupsafe import Markup

    shown = [dataclasses.replace(s, table=Markup(s.table)) for s in sections]  # trusted: built by html_table
    return (
        _environment()
        .get_template("report.html.j2")
        .render(title=title, intro=intro, sections=shown, warnings=list(warnings))
    )


def html_table(
    frame: Any,
    formats: Mapping[str, str] | None = None,
    percent: Sequence[str] = (),
    caption: str = "",
    index: bool = False,
    left: Sequence[str] = (),
) -> str:
    """A table as HTML through the pandas Styler: cells escaped, numbers formatted per column
    (``formats`` maps a column to a format spec, ``percent`` lists share columns shown as %),
    missing values as '-'. With ``index`` the row labels are shown (a transposed table). The
    first column and those in ``left`` (text) are aligned left, the others right."""
    formats = dict(formats or {})
    styler = frame.style.format(precision=3, na_rep="-", escape="html", thousands=",")
    styler = styler.format_index(escape="html", axis=1).format_index(escape="html", axis=0)
    for col in frame.columns:
        if col in percent:
            styler = styler.format("{:.1%}", subset=[col], na_rep="-")
        elif col in formats:
            styler = styler.format("{:" + formats[col] + "}", subset=[col], na_rep="-")
    if left:
        styler = styler.set_properties(subset=list(left), **{"text-align": "left"})
        columns = list(frame.columns)
        styler = styler.set_table_styles(
            [{"selector": f"th.col{columns.index(c)}", "props": "text-align: left"} for c in left], overwrite=False
        )
    if not index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return str(styler.to_html(table_attributes='class="data"', doctype_html=False))


def dyad_figure(frame: Any, title: str) -> Any:
    """One couple's days (a table from :func:`iwm.dyad`) as four stacked panels: bids and
    withdrawal (the pursue-withdraw cycle, C15), responses received and perceived (C7, C21),
    distress (C9), trust and satisfaction (C18, C31). Returns a matplotlib figure.

    Columns are read by name; a panel's series that the table lacks is left out."""
    plt = _pyplot()
    day = frame["day"].to_numpy()
    fig, axes = plt.subplots(4, 1, figsize=(9, 9.5), sharex=True)
    colours = {"a": _COLOURS[1], "b": _COLOURS[0]}
    panels = [
        (f"bid / withdrawal\n({MODEL_UNITS})", [("bid", "-", "bid"), ("withdrawal", ":", "withdrawal")]),
        (f"response\n({MODEL_UNITS})", [("response", "-", "received"), ("perceived", "--", "perceived")]),
        (f"distress\n({MODEL_UNITS})", [("distress", "-", "distress")]),
        (
            f"trust / satisfaction\n({MODEL_UNITS})",
            [("trust", "-", "trust in partner"), ("satisfaction", "--", "satisfaction")],
        ),
    ]
    for ax, (ylabel, series) in zip(axes, panels, strict=True):
        for who in ("a", "b"):
            for field, style, label in series:
                if f"{field}_{who}" in frame:
                    ax.plot(day, frame[f"{field}_{who}"], style, color=colours[who], lw=1, label=f"{who}: {label}")
        ax.set_ylabel(ylabel, fontsize=9)
        ax.margins(x=0)
        if ax.has_data():
            low = min(0.0, ax.get_ylim()[0])
            ax.set_ylim(low, ax.get_ylim()[1])
            ax.legend(frameon=False, fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes[-1].set_xlabel("day of the relationship")
    axes[0].set_title(title)
    fig.tight_layout()
    return fig


def figure_uri(fig: Any) -> str:
    """A matplotlib figure as an embeddable PNG data URI (the figure is closed)."""
    uri = _figure_to_data_uri(fig)
    _pyplot().close(fig)
    return uri
