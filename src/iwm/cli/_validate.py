"""``iwm validate``: the calibration targets of MODEL.md section 3, run against the model."""

from __future__ import annotations

import json
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        n: Annotated[
            int, typer.Option("--n", help="people per population (30,000 keeps sampling error small)")
        ] = 30_000,
        seed: Annotated[int, typer.Option(help="seed")] = 2024,
        workers: Annotated[int, typer.Option(help="worker processes (results do not depend on it)")] = 1,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    ) -> None:
        """Run the calibration targets T1-T10: target, source, model value, tolerance and pass for each.

        Exits with status 1 if a target is missed."""
        from iwm.study._calibration import check_adult, check_formation

        steps: list[str] = []

        def step(what: str) -> None:
            steps.append(what)
            if not as_json:
                typer.echo(f"running: {what}", err=True)

        results = check_formation(n=n, seed=seed, workers=workers, progress=step)
        results += check_adult(n=n, seed=seed, workers=workers, progress=step, measurement=True)
        rows = [r.to_dict() for r in results]
        passed = all(r["pass"] for r in rows)
        if as_json:
            typer.echo(json.dumps({"n": n, "seed": seed, "passed": passed, "targets": rows}, allow_nan=False))
        else:
            from rich.console import Console
            from rich.table import Table

            table = Table(
                title=f"Calibration and measurement targets (MODEL.md section 3), n={n:,} per population, seed={seed}"
            )
            for col in ("id", "quantity", "target", "tolerance", "model", "pass", "src"):
                table.add_column(col, justify="right" if col in ("target", "model") else "left")
            sources = list(dict.fromkeys(r["source"] for r in rows))  # long citations: numbered below
            for r in rows:
                table.add_row(
                    r["id"],
                    r["quantity"],
                    f"{r['target']:g}",
                    r["tolerance"],
                    "-" if r["model"] is None else f"{r['model']:.3f}",
                    "yes" if r["pass"] else "NO",
                    f"[{sources.index(r['source']) + 1}]",
                )
            console = Console(highlight=False)
            console.print(table)
            for i, source in enumerate(sources, 1):
                console.print(f"\\[{i}] {source}")
        if not passed:
            raise typer.Exit(1)
