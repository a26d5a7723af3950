"""``iwm develop`` (formation from caregiving) and ``iwm demo`` (the main job)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from iwm._calibration import adult_values
from iwm._develop import Development, Progress, develop
from iwm._life import AdultLife, dyad, live
from iwm._people import person
from iwm._readout import AAI_CATEGORIES, ADULT_CATEGORIES, INFANT_CLASSES


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Progress]:
    """A rich progress bar on stderr; yields the ``progress(done, total)`` callback."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda done, total: None
        return
    with Bar(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_summary(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    title = f"{summary['caregiving']}: n={summary['n']:,}, seed={summary['seed']}"
    infant = Table(title=f"Infants at 12 months ({title})")
    for k in INFANT_CLASSES:
        infant.add_column(k, justify="right")
    infant.add_row(*(f"{summary['infant'][k]:.1%}" for k in INFANT_CLASSES))
    console.print(infant)
    adult = Table(title="Adults at 18")
    for k in ADULT_CATEGORIES:
        adult.add_column(k, justify="right")
    adult.add_column("anxiety", justify="right")
    adult.add_column("avoidance", justify="right")
    adult.add_row(
        *(f"{summary['adult'][k]:.1%}" for k in ADULT_CATEGORIES),
        f"{summary['anxiety_mean']:.2f}",
        f"{summary['avoidance_mean']:.2f}",
    )
    console.print(adult)
    if "transmission" in summary:
        t = summary["transmission"]
        console.print(
            f"Transmission: parent secure/insecure vs infant B/non-B agreement {t['concordance']:.1%}, "
            f"kappa {t['kappa']:.2f}; caregiver sensitivity - infant security r = "
            f"{summary['sensitivity_security_r']:.2f}"
        )


def register(app: typer.Typer) -> None:
    @app.command("develop")
    def develop_cmd(
        caregiving: Annotated[
            str | None,
            typer.Option(
                help="caregiving mix: low-risk, high-risk, maltreated, "
                "sensitive, inconsistent, rejecting, frightening, or a .yaml/.toml file"
            ),
        ] = None,
        parents: Annotated[
            str | None,
            typer.Option(
                help="form a parent generation under this mix; children are "
                "raised by caregiving derived from their parents' models"
            ),
        ] = None,
        n: Annotated[int, typer.Option("--n", help="number of children")] = 100_000,
        seed: Annotated[int, typer.Option(help="seed of the whole run")] = 0,
        workers: Annotated[int, typer.Option(help="worker processes (results do not depend on it)")] = 1,
        chunk_size: Annotated[int, typer.Option(help="people per task (results do not depend on it)")] = 32768,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    ) -> None:
        """Form a population from birth to 18: infant A/B/C/D shares and adult categories."""
        if caregiving is None and parents is None:
            caregiving = "low-risk"
        if caregiving is not None and parents is not None:
            raise typer.BadParameter("give --caregiving or --parents, not both")
        with progress_bar("forming working models") as progress:
            result = develop(
                caregiving,
                parents=parents,
                n=n,
                seed=seed,
                workers=workers,
                chunk_size=chunk_size,
                progress=progress,
            )
        summary = result.summary()
        if as_json:
            typer.echo(json.dumps(summary))
        else:
            print_summary(summary)

    @app.command()
    def demo(
        out: Annotated[Path, typer.Option("--out", "-o", help="folder for the report")] = Path("iwm-demo"),
        n: Annotated[int, typer.Option("--n", help="children per population")] = 20_000,
        seed: Annotated[int, typer.Option(help="seed")] = 7,
    ) -> None:
        """The main job: low-risk and high-risk formation side by side, as an HTML report."""
        say = typer.echo
        say("iwm demo: two populations of children, raised from birth to 18.")
        say("  Each week a child is distressed, signals, and a caregiver responds; the child learns")
        say("  what signalling gets it and updates its beliefs about itself and others (C1-C5).")
        runs: list[Development] = []
        for mix in ("low-risk", "high-risk"):
            with progress_bar(f"forming {mix}") as progress:
                run = develop(mix, n=n, seed=seed, progress=progress)
            runs.append(run)
            s = run.infant_shares()
            say(
                f"  {mix:>9}: infants B {s['B']:.0%}, A {s['A']:.0%}, C {s['C']:.0%}, D {s['D']:.0%}; "
                f"adults secure {run.adult_shares()['secure']:.0%}"
            )
        say("  High-risk caregiving (more frightening behaviour) roughly doubles disorganization (T2).")
        say("iwm demo: the low-risk population lives five adult years: dating, couples, breakups (C6-C24).")
        with progress_bar("adult life") as progress:
            life = live(runs[0].population, years=5, seed=seed, progress=progress)
        organized = dict(zip(AAI_CATEGORIES, adult_values(life.end)[:3], strict=True))
        say(
            f"  at 23: secure {organized['secure']:.0%}, dismissing {organized['dismissing']:.0%}, "
            f"preoccupied {organized['preoccupied']:.0%} (published adults: 58%, 23%, 19%; T3)"
        )
        by = {r["pairing"]: r for r in life.by_pairing()}
        say(
            "  pursue-withdraw index: anxious-avoidant couples "
            f"{by['preoccupied-dismissing']['pursue_withdraw']:.2f}, secure couples "
            f"{by['secure-secure']['pursue_withdraw']:.2f}"
        )
        report = write_demo_report(runs, life, out, seed)
        say(f"Report written to {report.resolve()}")


def write_demo_report(runs: list[Development], life: AdultLife, out: Path, seed: int) -> Path:
    from iwm._calibration import ADULT_TARGETS
    from iwm._files import atomic_write_text
    from iwm._report import (
        adult_figure,
        adult_targets_figure,
        dyad_figure,
        figure_uri,
        infant_figure,
        pairing_table,
        render_html,
        space_figure,
        summary_table,
    )

    organized = dict(zip(AAI_CATEGORIES, adult_values(life.end)[:3], strict=True))
    published = {t.quantity.split()[-2]: t.target for t in ADULT_TARGETS[:3]}
    couple = dyad(person("anxious"), person("avoidant"), days=120, seed=seed)
    page = render_html(
        "iwm demo: how caregiving becomes a working model, and how the model lives on",
        "Two simulated populations, one raised under low-risk caregiving and one under high-risk "
        "caregiving, from birth to 18; then the low-risk population lives five years of adult "
        "relationships. Strategies are learned from the caregiver's responses, never assigned by "
        "label; adult behaviour follows from each person's model.",
        [
            (
                "Infants at 12 months",
                "Reunion-episode classification from behaviour: proximity seeking, avoidance, "
                "resistance and approach-fear conflict (C5). Hatched bars: the published low-risk "
                "distribution (T1, van IJzendoorn et al. 1999).",
                infant_figure(runs, targets={"A": 0.20, "B": 0.65, "C": 0.10, "D": 0.15}),
            ),
            (
                "Adults at 18 in anxiety x avoidance space",
                "Each point is one person; the lines are the scale midpoints that separate the "
                "four categories (C1, C2).",
                space_figure(runs),
            ),
            ("Adult categories", "Quadrant shares at the end of formation.", adult_figure(runs)),
            (
                "Adults at 23, after five years of relationships",
                "Organized classes (secure, or the dominant strategy) beside the published AAI "
                "distribution of non-clinical adults (T3, Bakermans-Kranenburg & van IJzendoorn 2009).",
                adult_targets_figure(organized, published, "Adults at 23 (AAI classes, T3)"),
            ),
            (
                "Who pairs with whom, and how it goes",
                "Couples at the end by the partners' styles when they met, against the count "
                "expected if the same people had paired at random (repetition compulsion, C22), "
                "with satisfaction, conflict, breakups and the pursue-withdraw index (C15, C31) "
                "over every couple-day of the five years.",
                None,
                pairing_table(life.pairings(), life.by_pairing()),
            ),
            (
                "An anxious and an avoidant partner, 120 days",
                "A typical preoccupied person (a) and a typical dismissing one (b). The bids of a "
                "rise after b withdraws, and b withdraws after a's bids: the pursue-withdraw cycle, "
                "not scripted but emerging from hyperactivation (C6, C8) and deactivation (C10, C12).",
                figure_uri(dyad_figure(couple, "anxious (a) and avoidant (b)")),
            ),
        ],
        table=summary_table(runs),
    )
    return atomic_write_text(out / "report.html", page)
