"""``iwm therapy`` (a dose-response trial) and ``iwm life`` (a whole adult life course)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from iwm._errors import InputError, ParameterError

COMPONENT_HELP = "comma-separated therapy components to switch off: awareness, regulation, integration, new_patterns"


def parse_weeks(text: str) -> tuple[int, ...]:
    """``0,10,20,40`` -> (0, 10, 20, 40); a clear error naming the option otherwise."""
    weeks = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit():
            raise ParameterError("--weeks", "comma-separated whole numbers of weeks, e.g. 0,10,20,40", text)
        weeks.append(int(part))
    if not weeks:
        raise ParameterError("--weeks", "at least one number of weeks", text)
    return tuple(weeks)


def parse_components(text: str | None) -> tuple[str, ...]:
    from iwm.model._therapy import Components

    if not text:
        return ()
    names = tuple(p.strip().lower().replace("-", "_").replace(" ", "_") for p in text.split(",") if p.strip())
    for name in names:
        if name not in Components.names():
            raise ParameterError("--without", f"component names among {', '.join(Components.names())}", name)
    return names


def _fmt(x: Any, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def dose_figure(result: dict[str, Any]) -> Any:
    """Dose-response: the effect on anxiety and avoidance (d, treated minus waitlist) and earned security by weeks."""
    from iwm.study._report import _pyplot, percent_axis

    plt = _pyplot()
    doses = result["doses"]
    weeks = [d["weeks"] for d in doses]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.plot(weeks, [d["anxiety_d"] for d in doses], "o-", label="anxiety")
    left.plot(weeks, [d["avoidance_d"] for d in doses], "s-", label="avoidance")
    left.axhline(0, color="grey", lw=0.8)
    left.set_xlabel("weeks of therapy")
    left.set_ylabel("d, treated - waitlist (SD of whole sample)")
    left.set_title("Dose-response", fontsize=10)
    left.legend(frameon=False)
    right.plot(weeks, [d["earned_secure"] for d in doses], "o-", label="at the end of therapy")
    right.plot(weeks, [d["earned_secure_follow_up"] for d in doses], "s--", label="one year later")
    right.set_xlabel("weeks of therapy")
    right.set_ylabel("share of clients secure")
    right.set_title("Earned security", fontsize=10)
    percent_axis(right)
    right.legend(frameon=False)
    off = ", without " + ", ".join(result["components_off"]) if result["components_off"] else ""
    fig.suptitle(f"Therapy for {result['style']} clients (n = {result['n']:,}{off})")
    fig.tight_layout()
    return fig


def register(app: typer.Typer) -> None:
    @app.command()
    def therapy(
        style: Annotated[str, typer.Option(help="clients' style: secure, anxious, avoidant, disorganized")] = "anxious",
        n: Annotated[int, typer.Option("--n", help="number of clients")] = 2000,
        weeks: Annotated[str, typer.Option(help="doses: weeks of weekly sessions, comma-separated")] = "0,10,20,40",
        seed: Annotated[int, typer.Option(help="seed of every arm")] = 0,
        without: Annotated[str | None, typer.Option("--without", help=COMPONENT_HELP)] = None,
        plot: Annotated[Path | None, typer.Option(help="draw the dose-response to this .png")] = None,
        force: Annotated[bool, typer.Option("--force", help="replace an existing plot")] = False,
        workers: Annotated[int, typer.Option(help="worker processes (results do not depend on it)")] = 1,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    ) -> None:
        """A dose-response trial: the same clients treated for each number of weeks, life going on."""
        from iwm._files import atomic_write
        from iwm.cli._develop import progress_bar
        from iwm.measure._people import style_name
        from iwm.study._report import _pyplot
        from iwm.study._trials import therapy_trial

        style_name(style)
        doses = parse_weeks(weeks)
        off = parse_components(without)
        if plot is not None:
            if plot.suffix.lower() != ".png":
                raise InputError(str(plot), f"must end in .png; got {plot.suffix or 'no suffix'!r}")
            if plot.exists() and not force:
                raise InputError(str(plot), "already exists; choose another path or pass --force to replace it")
        with progress_bar("therapy arms") as progress:
            result = therapy_trial(style, n=n, weeks=doses, seed=seed, without=off, workers=workers, progress=progress)
        if plot is not None:
            fig = dose_figure(result)
            atomic_write(plot, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
            _pyplot().close(fig)
            result["plot"] = str(plot)
        if as_json:
            typer.echo(json.dumps(result))
            return
        from rich.console import Console
        from rich.table import Table

        title = f"Therapy for {style} clients (n={n:,}, seed={seed})"
        if off:
            title += f", without {', '.join(off)}"
        table = Table(title=title)
        table.caption = (
            "d: treated minus waitlist at the end of therapy, in SDs of the whole sample (95% bootstrap CI in"
            " --json); secure: earned security of the treated; relapse: secure at the end, insecure a year later"
        )
        for col in ("weeks", "d anxiety", "d avoidance", "secure at end", "secure +1 y", "relapse"):
            table.add_column(col, justify="right")
        for d in result["doses"]:
            table.add_row(
                str(d["weeks"]),
                _fmt(d["anxiety_d"]),
                _fmt(d["avoidance_d"]),
                _fmt(d["earned_secure"], ".1%"),
                _fmt(d["earned_secure_follow_up"], ".1%"),
                _fmt(d["relapse"], ".1%"),
            )
        Console().print(table)

    @app.command()
    def life(
        n: Annotated[int, typer.Option("--n", help="number of people")] = 20_000,
        years: Annotated[float, typer.Option(help="years of adult life after 18")] = 30.0,
        seed: Annotated[int, typer.Option(help="seed")] = 0,
        caregiving: Annotated[str, typer.Option(help="caregiving mix of childhood, or a file")] = "low-risk",
        therapy_share: Annotated[float, typer.Option(help="share of the insecure at 18 offered therapy")] = 0.1,
        therapy_weeks: Annotated[int, typer.Option(help="weeks of therapy for the therapy arm")] = 20,
        therapy_start: Annotated[
            float | None, typer.Option(help="years after 18 when therapy starts (default: 5, or half the run)")
        ] = None,
        workers: Annotated[int, typer.Option(help="worker processes (results do not depend on it)")] = 1,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    ) -> None:
        """A life course: childhood, then adult years with partners, life events and a therapy arm."""
        from iwm.cli._develop import progress_bar
        from iwm.study._trials import life_course

        with progress_bar("life course") as progress:
            result = life_course(
                n=n,
                years=years,
                seed=seed,
                caregiving=caregiving,
                therapy_share=therapy_share,
                therapy_weeks=therapy_weeks,
                therapy_start_years=therapy_start if therapy_start is not None else min(5.0, years / 2),
                workers=workers,
                progress=progress,
            )
        if as_json:
            typer.echo(json.dumps(result))
            return
        from rich.console import Console
        from rich.table import Table

        console = Console()
        cats = result["transitions"]["categories"]
        table = Table(title=f"Categories at 18 (rows) and at {18 + years:g} (columns), n={n:,}, seed={seed}")
        table.add_column("at 18")
        for c in cats:
            table.add_column(c, justify="right")
        for c, row in zip(cats, result["transitions"]["counts"], strict=True):
            table.add_row(c, *map(str, row))
        console.print(table)
        e = result["earned_secure"]
        console.print(
            f"Earned security (insecure at 18, secure at the end): all {_fmt(e['all_insecure_at_18'], '.1%')}, "
            f"therapy arm ({result['therapy']['clients']:,} people, {therapy_weeks} weeks) "
            f"{_fmt(e['therapy_arm'], '.1%')}, no therapy {_fmt(e['no_therapy'], '.1%')}"
        )
        st = Table(title="Stability by interval (mean correlation between snapshots that far apart)")
        for col in ("years apart", "r anxiety", "r avoidance"):
            st.add_column(col, justify="right")
        for row in result["stability"]:
            st.add_row(str(row["years"]), _fmt(row["anxiety_r"]), _fmt(row["avoidance_r"]))
        console.print(st)
        console.print(f"Negative life events per person: {result['life_events_per_person']:.2f}")
