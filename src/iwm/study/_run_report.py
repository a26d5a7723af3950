"""One self-contained HTML report of a run folder (a scenario run or a sweep).

Figures (each only where the run recorded what it needs): infant classes and adult styles
beside the published targets that apply to the run's caregiving, trajectories in anxiety x
avoidance space, couples day by day (the pursue-withdraw cycle), therapy dose-response and
relapse, and sensitivity indices with their intervals. Summary columns are read by name, and a
figure or row whose columns the run lacks is left out, so the report follows the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from iwm.measure._readout import ADULT_CATEGORIES, INFANT_CLASSES
from iwm.study._labels import SHARES, label, labels, parameter_label
from iwm.study._report import (
    Section,
    _grouped_bars,
    _pyplot,
    colour,
    dyad_figure,
    figure_uri,
    html_table,
    mean_ci,
    percent_axis,
    render_html,
)
from iwm.study._store import Run
from iwm.study._task import CLIENT_OUTCOMES

T1 = {"A": 0.20, "B": 0.65, "C": 0.10, "D": 0.15}
"""Low-risk infant classes (van IJzendoorn et al. 1999), MODEL.md T1."""

_INFANT_TICKS = {"A": "A avoidant", "B": "B secure", "C": "C resistant", "D": "D disorganized"}
_STYLE_COLOURS = dict(zip(ADULT_CATEGORIES, ("#3b6ea5", "#c8553d", "#588b8b", "#8a5a9e"), strict=True))
ECR_AXIS = "(ECR scale, 1-7)"


def caregiving_of(scenario: Mapping[str, Any]) -> str:
    """The name of a scenario's caregiving ('parents: high-risk' for a two-generation run)."""
    pop = scenario.get("population") or {}
    if pop.get("parents") is not None:
        spec = pop["parents"]
        return f"parents: {spec if isinstance(spec, str) else spec.get('name', 'a custom mix')}"
    spec = pop.get("caregiving") or "low-risk"
    return spec if isinstance(spec, str) else str(spec.get("name", "a custom mix"))


def _ci_words(rows: Any) -> str:
    """What the error bars of ``rows`` (one arm's tasks) are taken over."""
    if len(rows) < 2:
        return ""
    if "point" in rows and rows["point"].nunique() > 1:
        return f"; error bars: 95% CI over {len(rows)} tasks (replicates and sweep points together)"
    return f"; error bars: 95% CI over {len(rows)} replicates"


def _first_arm(summary: Any) -> Any:
    return summary[summary["arm"] == summary["arm"].iloc[0]]


def styles_section(summary: Any, caregiving: str = "low-risk") -> list[Section]:
    """Infant classes (with T1 only where it applies: low-risk caregiving) and adult styles at
    18 and at the end by arm, each bar the mean over replicates with its 95% interval."""
    out: list[Section] = []
    first = _first_arm(summary)
    ci = _ci_words(first)
    if all(f"infant_{k}" in summary for k in INFANT_CLASSES):
        infant = {k: first[f"infant_{k}"].to_numpy() for k in INFANT_CLASSES}
        applies = caregiving == "low-risk"
        target = (
            "Hatched: the published low-risk distribution (T1, van IJzendoorn et al. 1999)."
            if applies
            else f"This run's caregiving is {caregiving}, so the low-risk distribution (T1) does not apply and is "
            "not drawn; in high-risk samples D is two to three times as frequent (T2, van IJzendoorn et al. "
            "1999; Cyr et al. 2010)."
        )
        out.append(
            Section(
                "Infants at 12 months",
                f"Reunion-episode classes from behaviour (C5), the same in every arm of a replicate{ci}. {target}",
                _grouped_bars(
                    "Infant classes at 12 months",
                    "share of infants",
                    INFANT_CLASSES,
                    [_INFANT_TICKS.get(k, k) for k in INFANT_CLASSES],
                    [("model", infant)],
                    ("T1 (published, low-risk)", T1) if applies else None,
                    xlabel="Strange Situation class",
                ),
            )
        )
    groups = []
    if all(f"at18_{k}" in summary for k in ADULT_CATEGORIES):
        groups.append(("at 18", {k: first[f"at18_{k}"].to_numpy() for k in ADULT_CATEGORIES}))
    if all(f"end_{k}" in summary for k in ADULT_CATEGORIES):
        years = float(summary["years"].mean()) if "years" in summary else float("nan")
        when = f"at {18 + years:g}" if years == years else "at the end"
        for arm, part in summary.groupby("arm", sort=False):
            groups.append((f"{arm} {when}", {k: part[f"end_{k}"].to_numpy() for k in ADULT_CATEGORIES}))
    if groups:
        out.append(
            Section(
                "Adult styles",
                "Quadrants of anxiety (self model, C1) and avoidance (other model, C2) at 18 and at the end of the "
                f"adult years, by arm; means over replicates{ci}.",
                _grouped_bars(
                    "Adult styles", "share of adults", ADULT_CATEGORIES, ADULT_CATEGORIES, groups, xlabel="style"
                ),
            )
        )
    return out


def _with_ci(values: Any, share: bool) -> str:
    mean, half = mean_ci(values)
    if mean != mean:
        return "-"
    if share:
        return f"{mean:.1%}" + ((f" ±{half:.1%}" if half >= 0.0005 else " ±<0.1%") if half else "")
    shown = f"{mean:.3g}"
    decimals = len(shown.partition(".")[2]) if "e" not in shown else 3
    return shown + (f" ±{half:.{max(decimals, 1)}f}" if half else "")


ARM_OUTCOMES = (
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


def arms_table(summary: Any) -> str:
    """Outcomes (rows) by arm (columns): the mean over replicates (and sweep points) with its
    95% interval. Transposed, so any number of outcomes fits the page width."""
    import pandas as pd

    cols = [c for c in ARM_OUTCOMES if c in summary]
    arms = list(dict.fromkeys(summary["arm"]))
    table = pd.DataFrame(
        {str(arm): [_with_ci(summary.loc[summary["arm"] == arm, c], c in SHARES) for c in cols] for arm in arms},
        index=pd.Index([label(c) for c in cols], name="outcome"),
    )
    over = (
        "tasks (replicates and sweep points together)"
        if summary.get("point", pd.Series([0])).nunique() > 1
        else "replicates"
    )
    return html_table(table.reset_index(), caption=f"Mean ±95% CI over {over}; shares in %.")


def trajectories_section(traj: Any) -> Section:
    """Paths of a sample through anxiety x avoidance space, by style at 18, one panel per arm."""
    plt = _pyplot()
    arms = list(dict.fromkeys(traj["arm"]))[:4]
    fig, axes = plt.subplots(1, len(arms), figsize=(4.2 * len(arms), 4.4), squeeze=False)
    first_rep = traj[traj["replicate"] == traj["replicate"].min()]
    if "point" in first_rep:
        first_rep = first_rep[first_rep["point"] == first_rep["point"].min()]
    for ax, arm in zip(axes[0], arms, strict=True):
        mine = first_rep[first_rep["arm"] == arm]
        for pid in mine["person"].unique()[:60]:
            path = mine[mine["person"] == pid].sort_values("age")
            style = str(path["style_18"].iloc[0])
            ax.plot(path["avoidance"], path["anxiety"], color=_STYLE_COLOURS.get(style, "#777"), lw=0.5, alpha=0.35)
        for style, part in mine.groupby("style_18"):
            mean = part.groupby("age")[["anxiety", "avoidance"]].mean()
            ax.plot(
                mean["avoidance"],
                mean["anxiety"],
                "-o",
                color=_STYLE_COLOURS.get(str(style), "#777"),
                lw=2.2,
                ms=3,
                label=f"{style} at 18 (mean path)",
            )
        ax.axhline(4, color="#999", lw=0.6)
        ax.axvline(4, color="#999", lw=0.6)
        ax.set(
            xlim=(1, 7),
            ylim=(1, 7),
            xlabel=f"avoidance {ECR_AXIS}",
            ylabel=f"anxiety {ECR_AXIS}",
            title=f"arm: {arm}",
        )
    axes[0][0].legend(frameon=False, fontsize=7, loc="upper left")
    fig.suptitle("Paths through anxiety x avoidance space, age 18 onward", fontsize=11)
    fig.tight_layout()
    ages = sorted(traj["age"].unique())
    return Section(
        "Trajectories in anxiety x avoidance space",
        f"A fixed sample of people from 18 to {ages[-1]:g} (first replicate; up to four arms), coloured by their "
        "style at 18; thick lines are the mean path of each style; grey lines mark the scale midpoint 4. Lines "
        "stay near where they start: the models keep themselves alive through projection, repetition, defensive "
        "behaviour and avoided vulnerability (C21-C24); they bend toward security under a responsive partner or "
        "therapy (C25-C30).",
        figure_uri(fig),
    )


def couples_sections(couples: Any, points: Sequence[Mapping[str, Any]] = ()) -> list[Section]:
    """Each recorded couple of one task (first replicate, first arm and, in a sweep, the first
    point): several tasks' days on one axis would join different runs into one sawtooth line."""
    out: list[Section] = []
    first = couples[(couples["replicate"] == couples["replicate"].min()) & (couples["arm"] == couples["arm"].iloc[0])]
    where = ""
    if "point" in first and first["point"].nunique() > 1:
        point = first["point"].min()
        first = first[first["point"] == point]
        values = points[int(point)] if int(point) < len(points) else {}
        shown = ", ".join(
            f"{parameter_label(k)} = {v:.3g}" if isinstance(v, float) else f"{parameter_label(k)} = {v}"
            for k, v in values.items()
        )
        where = f" Shown at sweep point {int(point)}" + (f" ({shown})" if shown else "") + "; the others differ."
    for _, frame in first.groupby("couple_index", sort=True):
        name = str(frame["couple"].iloc[0])
        a, _, b = name.partition("-")
        out.append(
            Section(
                f"A couple day by day: {a} (a) and {b} (b)",
                "Bids and withdrawal, responses received and perceived, distress, trust and satisfaction, in the "
                "model's own units (first replicate, first arm)." + where + " Where a's bids rise after b "
                "withdraws and b withdraws after a's bids, that is the pursue-withdraw cycle (C15): not scripted, "
                "but emerging from hyperactivation (C6, C8) and deactivation (C10, C12).",
                figure_uri(dyad_figure(frame.sort_values("day").reset_index(drop=True), f"{a} (a) and {b} (b)")),
            )
        )
    return out


def _band(ax: Any, x: Any, groups: Any, column: str, style: str, colour_: Any, name: str) -> None:
    stats = [mean_ci(groups.get_group(w)[column]) for w in x]
    mean = np.array([m for m, _ in stats])
    half = np.array([h for _, h in stats])
    ax.plot(x, mean, style, color=colour_, label=name)
    if half.any():
        ax.fill_between(x, mean - half, mean + half, color=colour_, alpha=0.18, lw=0)


EFFECTS = {"clients_anxiety_d_end": "effect_anxiety", "clients_avoidance_d_end": "effect_avoidance"}


def versus_control(treated: Any) -> Any | None:
    """Each dose's ``_d_end`` minus that of the arm without sessions (0 weeks) of the same
    replicate and sweep point: the same clients under the same seed, so the difference is the
    effect of the sessions, in SDs of the whole sample. None without such an arm."""
    control = treated[treated["therapy_weeks"] == 0]
    if control.empty:
        return None
    keys = [k for k in ("point", "replicate") if k in treated]
    base = control.groupby(keys)[list(EFFECTS)].mean()
    joined = treated.join(base, on=keys, rsuffix="_control")
    for column, effect in EFFECTS.items():
        joined[effect] = joined[column] - joined[f"{column}_control"]
    return joined


def therapy_section(summary: Any) -> Section | None:
    """Dose-response (d in SDs of the whole sample: versus the arm without sessions where there
    is one) and earned security by weeks of therapy, with 95% bands."""
    needed = ("therapy_weeks", "clients_anxiety_d_end", "clients_avoidance_d_end")
    if not all(c in summary for c in needed):
        return None
    treated = summary[summary["therapy_weeks"].notna()]
    if treated.empty or treated["clients_anxiety_d_end"].isna().all():
        return None
    compared = versus_control(treated)
    if compared is not None:
        treated = compared
        anx, avo = EFFECTS["clients_anxiety_d_end"], EFFECTS["clients_avoidance_d_end"]
        ylabel = "d vs no sessions, to the end of the run\n(treated - untreated, SD of the whole sample)"
    else:
        anx, avo = "clients_anxiety_d_end", "clients_avoidance_d_end"
        ylabel = "change to the end of the run\n(d, SD of the whole sample)"
    groups = treated.groupby("therapy_weeks")
    weeks = np.array(sorted(groups.groups), dtype=float)
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    _band(left, weeks, groups, anx, "-o", colour(1), "anxiety")
    _band(left, weeks, groups, avo, "-o", colour(0), "avoidance")
    left.axhline(0, color="#999", lw=0.6)
    left.set(xlabel="weeks of therapy", ylabel=ylabel, title="Dose-response")
    left.legend(frameon=False, fontsize=8)
    for column, style, i, name in (
        ("clients_secure_post", "-o", 2, "at the end of therapy"),
        ("clients_secure_end", "--o", 3, "at the end of the run"),
    ):
        if column in treated:
            _band(right, weeks, groups, column, style, colour(i), name)
    percent_axis(right)
    right.set(xlabel="weeks of therapy", ylabel="share of clients secure", title="Earned security and relapse")
    right.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    cols = [c for c in ("clients", *EFFECTS.values(), *CLIENT_OUTCOMES[:7]) if c in treated]
    means = groups[cols].mean().reset_index()
    table = html_table(
        means.rename(columns=labels(means.columns)),
        formats={label("clients"): ",.0f", label("therapy_weeks"): ".0f"},
        percent=[label(c) for c in cols if c in SHARES],
        caption="Means over replicates (and sweep points); d in SD units.",
    )
    words = _ci_words(treated[treated["therapy_weeks"] == weeks[0]])
    ci = f" Bands{words.removeprefix('; error bars')}." if words else ""
    return Section(
        "Therapy: dose-response and relapse",
        "Clients treated for each number of weeks (arms or sweep points): the effect on anxiety and avoidance from "
        "the start of therapy to the end of the run (the same window at every dose), as d: a mean difference in SDs "
        "of the whole sample at the start of therapy; where an arm gives the same clients no sessions, d is treated "
        "minus untreated (the effect of the sessions), else the clients' change (the table also gives the change "
        "over the sessions themselves); and the share of clients secure at the end of therapy and at the end of the "
        "run. Therapy is a reliable, attuned relationship (C25) with awareness, regulation, integration and new "
        f"patterns (C26-C29); stress pulls former clients back toward their old pattern (relapse).{ci}",
        figure_uri(fig),
        table,
    )


_VALUES = {
    "sobol": (("S1", "first-order S1"), ("ST", "total ST")),
    "morris": (("mu_star", "Morris mu*"),),
    "grid": (("range", "range of level means"),),
}


def sensitivity_figure(frame: Any, method: str) -> Any:
    """One panel per output: a horizontal bar per parameter (S1 and ST for Sobol, mu* for
    Morris, the range for a grid) with its 95% interval where there is one."""
    plt = _pyplot()
    values = [(k, name) for k, name in _VALUES.get(method, ()) if k in frame]
    outputs = list(dict.fromkeys(frame["output"]))
    params = list(dict.fromkeys(frame["parameter"]))
    ncols = min(3, len(outputs))
    nrows = -(-len(outputs) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.0 * ncols, 0.5 + (0.45 * len(params) + 1.1) * nrows), squeeze=False
    )
    y = np.arange(len(params))
    height = 0.8 / max(1, len(values))
    for ax, output in zip(axes.flat, outputs, strict=False):
        mine = frame[frame["output"] == output].set_index("parameter")
        for j, (key, name) in enumerate(values):
            v = np.array([float(mine[key].get(p, np.nan)) for p in params])
            conf = f"{key}_conf"
            err = np.array([float(mine[conf].get(p, np.nan)) for p in params]) if conf in mine else None
            ax.barh(y + j * height, v, height, xerr=err, capsize=2, color=colour(j), label=name, error_kw={"lw": 0.8})
        ax.set_yticks(y + height * (len(values) - 1) / 2, [parameter_label(p) for p in params], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(label(output), fontsize=9)
        if method == "sobol":
            ax.axvspan(-0.5, 0, color="#eee", zorder=0)
            ax.axvspan(1, 1.5, color="#eee", zorder=0)
            ax.set_xlim(-0.25, 1.25)
            ax.set_xlabel("share of output variance", fontsize=8)
        else:
            ax.set_xlim(left=0)
            ax.set_xlabel(f"{dict(values).get(values[0][0], '') if values else ''} (units of the output)", fontsize=8)
    for ax in list(axes.flat)[len(outputs) :]:
        ax.set_visible(False)
    fig.suptitle({"sobol": "Sobol indices", "morris": "Morris screening"}.get(method, "Main effects"), fontsize=11)
    fig.tight_layout()
    if len(values) > 1:
        handles, names = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, names, frameon=False, fontsize=8, loc="upper right", ncol=len(values))
    return fig


def sensitivity_section(indices: Any, method: str) -> Section | None:
    from iwm.study._sweep import sensitivity_warnings

    if indices is None or indices.empty:
        return None
    values = [k for k, _ in _VALUES.get(method, ()) if k in indices]
    if not values:
        return None
    frame = indices[indices["arm"] == indices["arm"].iloc[0]].dropna(subset=values)
    if frame.empty:
        return None
    explain = {
        "sobol": "First-order (S1) and total (ST) Sobol indices (Saltelli et al. 2010): the share of an output's "
        "variance due to each parameter alone, and all of it that involves the parameter. Error bars: 95% "
        "bootstrap CI (SALib); the grey bands lie outside [0, 1], where no share of variance can be.",
        "morris": "Morris mu* (Campolongo et al. 2007): the mean absolute elementary effect of each parameter, "
        "in the output's units; error bars: 95% bootstrap CI (SALib).",
        "grid": "For a grid: the spread of each output's mean across each parameter's values (a main-effect "
        "screen; no interval).",
    }[method]
    arm = f" Arm shown: {frame['arm'].iloc[0]}." if indices["arm"].nunique() > 1 else ""
    shown = frame.drop(columns=["arm"]).assign(
        output=lambda f: f["output"].map(label), parameter=lambda f: f["parameter"].map(parameter_label)
    )
    shown = shown.rename(
        columns={
            "mu_star": "mu*",
            "mu_star_conf": "mu* CI ±",
            "S1_conf": "S1 CI ±",
            "ST_conf": "ST CI ±",
            "warning": "check",
        }
    )
    return Section(
        "Sensitivity",
        explain + " Replicates are averaged per point first." + arm,
        figure_uri(sensitivity_figure(frame, method)),
        html_table(
            shown,
            caption="Indices with the half-width of their 95% CI.",
            left=[c for c in ("parameter", "check", "note") if c in shown],
        ),
        warnings=sensitivity_warnings(frame),
    )


def pairings_table(pairings: Any) -> str:
    agg = pairings.groupby("pairing", sort=False).agg(
        couples=("observed", "mean"),
        expected=("expected", "mean"),
        satisfaction=("satisfaction", "mean"),
        conflict=("conflict", "mean"),
        breakups_per_year=("breakups_per_year", "mean"),
        pursue_withdraw=("pursue_withdraw", "mean"),
    )
    frame = agg.reset_index()
    return html_table(
        frame.rename(columns=labels(frame.columns)),
        {label("couples"): ",.1f", label("expected"): ",.1f"},
        caption="Means over tasks.",
    )


def _guarded(heading: str, build: Any, *args: Any) -> list[Section]:
    """A figure's sections, or one note where the run lacks a column the figure reads (a run
    written by another version of the model): the rest of the report still renders."""
    try:
        out = build(*args)
    except KeyError as exc:
        return [Section(heading, f"Not shown: this run's tables have no column {exc.args[0]!r}, which it needs.")]
    if out is None:
        return []
    return list(out) if isinstance(out, list) else [out]


def _pairings(table: Any) -> Section:
    return Section(
        "Who pairs with whom",
        "Couples at the end by the partners' styles when they met, against the count expected at random "
        "(repetition compulsion, C22), with satisfaction (C31), conflict, breakups and the pursue-withdraw "
        "index (C15); means over tasks.",
        None,
        pairings_table(table),
    )


def render_run(run: Run, sensitivity: Any = None) -> str:
    """The report of a run folder as one HTML page (images embedded; no outside links)."""
    m = run.manifest
    status = run.status()
    names = run.table_names()
    summary = run.table("summary")
    sc = m["scenario"]
    caregiving = caregiving_of(sc)
    sections = _guarded("Infants and adult styles", styles_section, summary, caregiving)
    if "end_secure" in summary:
        sections += _guarded("Arms", lambda s: Section("Arms", "Outcomes by arm.", None, arms_table(s)), summary)
    if "trajectories" in names:
        sections += _guarded("Trajectories", trajectories_section, run.table("trajectories"))
    if "couples" in names:
        points = (m.get("sweep") or {}).get("points", [])
        sections += _guarded("A couple day by day", couples_sections, run.table("couples"), points)
    if "pairings" in names:
        sections += _guarded("Who pairs with whom", _pairings, run.table("pairings"))
    sections += _guarded("Therapy", therapy_section, summary)
    warnings: list[str] = []
    if m["kind"] == "sweep" and sensitivity is not None:
        found = _guarded("Sensitivity", sensitivity_section, sensitivity, m["sweep"]["spec"]["design"]["method"])
        sections += found
        if any(s.warnings for s in found):
            warnings.append("Some sensitivity indices are not trustworthy: see the Sensitivity section.")
    pop = sc["population"]
    adult = sc.get("adult") or {}
    intro = (
        f"{m['kind'].capitalize()} '{m['name']}': {pop['n']:,} people raised under {caregiving} caregiving, "
        f"{adult.get('years', 0):g} adult years, arms: {', '.join(a['name'] for a in sc['arms'])}; "
        f"{sc['replicates']} replicate(s), seed {m['seed_entropy']}; {status['done']} of {status['tasks']} tasks "
        f"finished; iwm {m['iwm_version']}. {sc.get('description', '')}"
    )
    return render_html(f"iwm report: {m['name']}", intro, sections, warnings)


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
