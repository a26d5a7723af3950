"""One self-contained HTML report of a run folder (a scenario run or a sweep).

Figures (each only where the run recorded what it needs): infant classes and adult styles
beside the published targets, trajectories in anxiety x avoidance space, couples day by day
(the pursue-withdraw cycle), therapy dose-response and relapse, and sensitivity indices.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

from iwm.measure._readout import ADULT_CATEGORIES, INFANT_CLASSES
from iwm.study._report import _COLOURS, Section, _grouped_bars, _pyplot, dyad_figure, figure_uri, render_html
from iwm.study._store import Run
from iwm.study._task import CLIENT_OUTCOMES

T1 = {"A": 0.20, "B": 0.65, "C": 0.10, "D": 0.15}
"""Low-risk infant classes (van IJzendoorn et al. 1999), MODEL.md T1."""

_STYLE_COLOURS = dict(zip(ADULT_CATEGORIES, ("#3b6ea5", "#c8553d", "#588b8b", "#8a5a9e"), strict=True))


def _html_table(frame: Any, formats: dict[str, str] | None = None) -> str:
    formats = formats or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for c in frame.columns:
            v = row[c]
            if v is None or (isinstance(v, float) and np.isnan(v)):
                text = "-"
            elif isinstance(v, float | np.floating):
                text = format(v, formats.get(c, ".3g"))
            else:
                text = str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _arm_means(summary: Any) -> Any:
    return summary.groupby("arm", sort=False).mean(numeric_only=True)


def styles_section(summary: Any) -> list[Section]:
    means = _arm_means(summary)
    out: list[Section] = []
    if all(f"infant_{k}" in means for k in INFANT_CLASSES):
        first = means.iloc[0]
        infant = {k: float(first[f"infant_{k}"]) for k in INFANT_CLASSES}
        out.append(
            (
                "Infants at 12 months",
                "Reunion-episode classes from behaviour (C5), the same in every arm of a replicate. Hatched: "
                "the published low-risk distribution (T1, van IJzendoorn et al. 1999).",
                _grouped_bars(
                    "Infant classes", "share", INFANT_CLASSES, INFANT_CLASSES, [("model", infant)], ("T1", T1)
                ),
            )
        )
    groups = [
        (f"at 18 ({arm})" if len(means) > 1 else "at 18", {k: float(row[f"at18_{k}"]) for k in ADULT_CATEGORIES})
        for arm, row in means.iloc[:1].iterrows()
    ]
    if "end_secure" in means:
        years = float(means["years"].iloc[0])
        groups += [
            (f"{arm} at {18 + years:g}", {k: float(row[f"end_{k}"]) for k in ADULT_CATEGORIES})
            for arm, row in means.iterrows()
        ]
    out.append(
        (
            "Adult styles",
            "Quadrants of anxiety (self model, C1) and avoidance (other model, C2) at 18 and at the end of the "
            "adult years, by arm; means over replicates.",
            _grouped_bars("Adult styles", "share of adults", ADULT_CATEGORIES, ADULT_CATEGORIES, groups),
        )
    )
    return out


def trajectories_section(traj: Any) -> Section:
    """Paths of a sample through anxiety x avoidance space, by style at 18, one panel per arm."""
    plt = _pyplot()
    arms = list(dict.fromkeys(traj["arm"]))[:4]
    fig, axes = plt.subplots(1, len(arms), figsize=(4.2 * len(arms), 4.2), squeeze=False)
    first_rep = traj[traj["replicate"] == traj["replicate"].min()]
    for ax, arm in zip(axes[0], arms, strict=True):
        mine = first_rep[first_rep["arm"] == arm]
        people = mine["person"].unique()[:60]
        for pid in people:
            path = mine[mine["person"] == pid].sort_values("age")
            ax.plot(
                path["avoidance"], path["anxiety"], color=_STYLE_COLOURS[path["style_18"].iloc[0]], lw=0.5, alpha=0.35
            )
        for style, part in mine.groupby("style_18"):
            mean = part.groupby("age")[["anxiety", "avoidance"]].mean()
            ax.plot(
                mean["avoidance"],
                mean["anxiety"],
                "-o",
                color=_STYLE_COLOURS[str(style)],
                lw=2.2,
                ms=3,
                label=f"{style} (mean)",
            )
        ax.axhline(4, color="#999", lw=0.6)
        ax.axvline(4, color="#999", lw=0.6)
        ax.set(xlim=(1, 7), ylim=(1, 7), xlabel="avoidance", ylabel="anxiety", title=str(arm))
    axes[0][0].legend(frameon=False, fontsize=7, loc="upper left")
    fig.tight_layout()
    ages = sorted(traj["age"].unique())
    return (
        "Trajectories in anxiety x avoidance space",
        f"A fixed sample of people from 18 to {ages[-1]:g} (first replicate; up to four arms), coloured by their "
        "style at 18; thick lines are the "
        "mean path of each style. Lines stay near where they start: the models keep themselves alive through "
        "projection, repetition, defensive behaviour and avoided vulnerability (C21-C24); they bend toward "
        "security under a responsive partner or therapy (C25-C30).",
        figure_uri(fig),
    )


def couples_sections(couples: Any) -> list[Section]:
    out: list[Section] = []
    first = couples[(couples["replicate"] == couples["replicate"].min()) & (couples["arm"] == couples["arm"].iloc[0])]
    for _, frame in first.groupby("couple_index", sort=True):
        label = str(frame["couple"].iloc[0])
        a, b = label.split("-")
        out.append(
            (
                f"A couple day by day: {a} (a) and {b} (b)",
                "Bids and withdrawal, responses received and perceived, distress, trust and satisfaction. Where a's "
                "bids rise after b withdraws and b withdraws after a's bids, that is the pursue-withdraw cycle (C15): "
                "not scripted, but emerging from hyperactivation (C6, C8) and deactivation (C10, C12).",
                figure_uri(dyad_figure(frame.sort_values("day").reset_index(drop=True), f"{a} (a) and {b} (b)")),
            )
        )
    return out


def therapy_section(summary: Any) -> Section | None:
    treated = summary[summary["therapy_weeks"].notna()] if "therapy_weeks" in summary else summary.iloc[:0]
    if treated.empty or treated["clients_anxiety_d"].isna().all():
        return None
    by = treated.groupby("therapy_weeks").mean(numeric_only=True).sort_index()
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    weeks = by.index.to_numpy(dtype=float)
    left.plot(weeks, by["clients_anxiety_d_end"], "-o", color=_COLOURS[1], label="anxiety")
    left.plot(weeks, by["clients_avoidance_d_end"], "-o", color=_COLOURS[0], label="avoidance")
    left.axhline(0, color="#999", lw=0.6)
    left.set(xlabel="weeks of therapy", ylabel="change to the end (Cohen's d)", title="Dose-response")
    left.legend(frameon=False)
    right.plot(weeks, by["clients_secure_post"], "-o", color=_COLOURS[2], label="secure at the end of therapy")
    right.plot(weeks, by["clients_secure_end"], "--o", color=_COLOURS[3], label="secure at the end of the run")
    right.set(xlabel="weeks of therapy", ylabel="share of clients", title="Earned security and relapse")
    right.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    table = _html_table(
        by.reset_index()[["therapy_weeks", "clients", *CLIENT_OUTCOMES[:7]]].rename(
            columns=lambda c: c.replace("clients_", "")
        ),
        {"clients": ".0f", "therapy_weeks": ".0f"},
    )
    return (
        "Therapy: dose-response and relapse",
        "Clients treated for each number of weeks (arms or sweep points): change of anxiety and avoidance from the "
        "start of therapy to the end of the run (the same window at every dose; the table also gives the change "
        "over the sessions themselves), and the share of clients secure at the end of therapy and at the end of the "
        "run. Therapy is a reliable, attuned relationship (C25) with awareness, regulation, integration and new "
        "patterns (C26-C29); stress pulls former clients back toward their old pattern (relapse).",
        figure_uri(fig),
        table,
    )


def sensitivity_section(indices: Any, method: str) -> Section | None:
    if indices is None or indices.empty:
        return None
    value = {"sobol": "ST", "morris": "mu_star"}.get(method, "range")
    if value not in indices:
        return None
    plt = _pyplot()
    frame = indices[indices["arm"] == indices["arm"].iloc[0]].dropna(subset=[value])
    outputs = list(dict.fromkeys(frame["output"]))
    params = list(dict.fromkeys(frame["parameter"]))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(outputs) * max(1, len(params)) / 2), 3.8))
    width = 0.8 / max(1, len(params))
    x = np.arange(len(outputs))
    for i, p in enumerate(params):
        vals = [float(frame[(frame["output"] == o) & (frame["parameter"] == p)][value].iloc[0]) for o in outputs]
        ax.bar(x + i * width, vals, width, label=p, color=_COLOURS[i % len(_COLOURS)])
    ax.set_xticks(x + width * (len(params) - 1) / 2, outputs, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel({"ST": "total Sobol index ST", "mu_star": "Morris mu*", "range": "range of level means"}[value])
    ax.legend(frameon=False, fontsize=7)
    fig.tight_layout()
    explain = {
        "ST": "Total-order Sobol indices (Saltelli et al. 2010): the share of an output's variance that involves "
        "each parameter.",
        "mu_star": "Morris mu* (Campolongo et al. 2007): the mean absolute elementary effect of each parameter.",
        "range": "For a grid: the spread of each output's mean across each parameter's values.",
    }[value]
    return (
        "Sensitivity",
        explain + " Replicates are averaged per point first.",
        figure_uri(fig),
        _html_table(frame.drop(columns=["arm"])),
    )


def arms_table(summary: Any) -> str:
    cols = [
        c
        for c in (
            "at18_secure",
            "end_secure",
            "aai_secure",
            "aai_dismissing",
            "aai_preoccupied",
            "unresolved",
            "anxiety_mean_end",
            "avoidance_mean_end",
            "anxiety_r",
            "insecure_to_secure",
            "partnered_end",
            "satisfaction_mean",
            "pursue_withdraw_anxious_avoidant",
        )
        if c in summary
    ]
    means = _arm_means(summary)[cols].reset_index()
    return _html_table(means)


def pairings_table(pairings: Any) -> str:
    agg = pairings.groupby("pairing", sort=False).agg(
        couples=("observed", "mean"),
        expected=("expected", "mean"),
        satisfaction=("satisfaction", "mean"),
        conflict=("conflict", "mean"),
        breakups_per_year=("breakups_per_year", "mean"),
        pursue_withdraw=("pursue_withdraw", "mean"),
    )
    return _html_table(agg.reset_index(), {"couples": ".1f", "expected": ".1f"})


def render_run(run: Run, sensitivity: Any = None) -> str:
    """The report of a run folder as one HTML page (images embedded; no outside links)."""
    m = run.manifest
    status = run.status()
    names = run.table_names()
    summary = run.table("summary")
    sc = m["scenario"]
    sections: list[Section] = list(styles_section(summary))
    if "end_secure" in summary:
        sections.append(("Arms", "Means over replicates (and sweep points).", None, arms_table(summary)))
    if "trajectories" in names:
        sections.append(trajectories_section(run.table("trajectories")))
    if "couples" in names:
        sections += couples_sections(run.table("couples"))
    if "pairings" in names:
        sections.append(
            (
                "Who pairs with whom",
                "Couples at the end by the partners' styles when they met, against the count expected at random "
                "(repetition compulsion, C22), with satisfaction (C31), conflict, breakups and the pursue-withdraw "
                "index (C15); means over tasks.",
                None,
                pairings_table(run.table("pairings")),
            )
        )
    therapy = therapy_section(summary)
    if therapy is not None:
        sections.append(therapy)
    if m["kind"] == "sweep" and sensitivity is not None:
        section = sensitivity_section(sensitivity, m["sweep"]["spec"]["design"]["method"])
        if section is not None:
            sections.append(section)
    pop = sc["population"]
    adult = sc.get("adult") or {}
    caregiving = pop.get("parents") or pop.get("caregiving") or "low-risk"
    intro = (
        f"{m['kind'].capitalize()} '{m['name']}': {pop['n']:,} people raised under "
        f"{caregiving if isinstance(caregiving, str) else caregiving.get('name', 'a custom mix')} caregiving, "
        f"{adult.get('years', 0):g} adult years, arms: {', '.join(a['name'] for a in sc['arms'])}; "
        f"{sc['replicates']} replicate(s), seed {m['seed_entropy']}; {status['done']} of {status['tasks']} tasks "
        f"finished; iwm {m['iwm_version']}. {sc.get('description', '')}"
    )
    return render_html(f"iwm report: {m['name']}", intro, sections)


def write_report(run_path: Path, out: Path | None = None) -> Path:
    """Write the report of the run folder ``run_path`` (``report.html`` in it by default), atomically."""
    from iwm._errors import InputError
    from iwm._files import atomic_write_text
    from iwm.study._experiments import sensitivity_of
    from iwm.study._store import open_run

    run = open_run(run_path)
    indices = sensitivity_of(run) if run.kind == "sweep" and run.status()["complete"] else None
    target = Path(out) if out is not None else run.path / "report.html"
    if target.is_dir():
        raise InputError(str(target), "is a folder; name the report file, e.g. report.html")
    page = render_run(run, indices)
    try:
        return atomic_write_text(target, page)
    except OSError as exc:  # a full or read-only disk, a missing folder: no half report is left
        raise InputError(str(target), f"cannot write the report ({exc.strerror or exc})") from None
