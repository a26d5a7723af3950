"""``iwm develop``: formation from caregiving, and the progress bar every command shares."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from iwm.measure._readout import ADULT_CATEGORIES, INFANT_CLASSES
from iwm.model._blocks import Progress
from iwm.study._mixes import develop


@contextmanager
def progress_bar(description: str, enabled: bool = True, percent: bool = False) -> Iterator[Progress]:
    """A rich progress bar on stderr; yields the ``progress(done, total)`` callback. It shows
    done/total, or with ``percent`` a percentage and the time left."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TaskProgressColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda done, total: None
        return
    with Bar(
        "[progress.description]{task.description}",
        BarColumn(),
        *((TaskProgressColumn(), TimeRemainingColumn()) if percent else (MofNCompleteColumn(),)),
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
        backend: Annotated[
            str | None,
            typer.Option(help="numpy (the reference) or numba (compiled); default numba when installed; same results"),
        ] = None,
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
                backend=backend,
            )
        summary = result.summary()
        if as_json:
            typer.echo(json.dumps(summary))
        else:
            print_summary(summary)
