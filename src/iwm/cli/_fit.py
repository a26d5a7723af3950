"""Fitting the model to data: ``iwm fit`` and ``iwm fit-check`` (docs/fitting.md; needs the `fit` extra)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from iwm.cli._study import Scheduler, Workers

Budget = Annotated[
    str, typer.Option("--budget", help="tiny (a first look), small (minutes) or full (the published study)")
]
FitSeed = Annotated[int, typer.Option("--seed", help="root seed of simulations, training and posterior draws")]
Priors = Annotated[
    Path | None, typer.Option("--priors", help="priors file (YAML): parameters {low, high}, optional scenario")
]


@contextmanager
def stage_bars(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """Rich progress bars on stderr, one per stage (simulate, train, predict, ...)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda stage, done, total: None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, object] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        yield update


def register(app: typer.Typer) -> None:
    @app.command("fit")
    def fit_cmd(
        data: Annotated[
            Path, typer.Argument(help="questionnaire file (scored or raw ECR-R/ECR-S), or a data file (YAML)")
        ],
        out: Annotated[
            Path, typer.Option("--out", "-o", help="folder for posterior, plots, checks and estimator")
        ] = Path("iwm-fit"),
        priors: Priors = None,
        budget: Budget = "small",
        seed: FitSeed = 0,
        estimator: Annotated[
            Path | None,
            typer.Option("--estimator", help="reuse a trained estimator folder (OUT/estimator): no new training"),
        ] = None,
        instrument: Annotated[
            str, typer.Option(help="a questionnaire file's kind: auto, scored, ecr-r or ecr-s")
        ] = "auto",
        workers: Workers = None,
        scheduler: Scheduler = None,
    ) -> None:
        """Fit free parameters of the model to a sample by neural posterior estimation (BayesFlow)."""
        from iwm.study._fit import Estimator, fit, require_fit, write_fit
        from iwm.study._fit_data import load_data
        from iwm.study._fit_priors import load_priors

        sample = load_data(data, instrument=instrument)  # a bad file is reported before the libraries load
        require_fit()
        if estimator is not None and priors is not None:
            typer.echo("iwm: note: --priors is ignored with --estimator (the estimator keeps its own)", err=True)
        reuse = Estimator.load(estimator) if estimator is not None else None
        prior_set = load_priors(priors) if reuse is None else None
        with stage_bars() as progress:
            result = fit(
                sample,
                prior_set,
                budget=budget,
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                estimator=reuse,
                progress=progress,
            )
        paths = write_fit(result, out, save_estimator=reuse is None)
        for row in result.summary.itertuples(index=False):
            typer.echo(
                f"  {row.parameter}: {row.mean:.3g} [{row.q05:.3g}, {row.q95:.3g}] contraction {row.contraction:.2f}"
            )
        inside = int(result.predictive["inside"].sum())
        typer.echo(f"  predictive check: {inside}/{len(result.predictive)} statistics inside 5-95%")
        for note in result.info["notes"]:
            typer.echo(f"  note: {note}")
        typer.echo(f"fit written to {out} ({', '.join(p.name for p in paths.values())})")

    @app.command("fit-check")
    def fit_check_cmd(
        priors: Priors = None,
        budget: Budget = "small",
        seed: FitSeed = 0,
        n: Annotated[
            int | None, typer.Option("--n", help="respondents per simulated sample (default 1000, at most max_n)")
        ] = None,
        infants: Annotated[int, typer.Option("--infants", help="classified infants per simulated sample")] = 100,
        as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="also write check.json and the table here")
        ] = None,
        workers: Workers = None,
        scheduler: Scheduler = None,
    ) -> None:
        """Recovery, calibration (SBC) and identifiability of the fit on simulated data with known truth."""
        from iwm._files import atomic_write_text
        from iwm.study._fit import budget_of, require_fit
        from iwm.study._fit_check import fit_check, identifiability_markdown
        from iwm.study._fit_priors import load_priors

        prior_set = load_priors(priors)
        size = n if n is not None else min(1000, budget_of(budget).max_n)
        require_fit()
        with stage_bars(not as_json) as progress:
            result = fit_check(
                prior_set,
                budget=budget,
                seed=seed,
                n=size,
                infants=infants,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
            )
        document = result.to_json()
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            atomic_write_text(out / "check.json", json.dumps(document, indent=1))
            atomic_write_text(out / "identifiability.md", identifiability_markdown(result))
        if as_json:
            typer.echo(json.dumps(document))
            return
        typer.echo(identifiability_markdown(result))
        for p in document["parameters"]:
            typer.echo(
                f"  {p['name']}: identifiable {p['identifiable']}, r {p['recovery_r']}, SBC p {p['sbc_p']}, "
                f"coverage90 {p['coverage_90']}"
            )
