"""``iwm retest``: test-retest r of the adult dimensions by interval (the state around the trait)."""

from __future__ import annotations

import json
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def retest(
        n: Annotated[int, typer.Option("--n", min=3, help="people (20,000 keeps sampling error small)")] = 20_000,
        seed: Annotated[int, typer.Option(help="seed")] = 2024,
        caregiving: Annotated[str, typer.Option(help="caregiving the population is formed under")] = "low-risk",
        interval: Annotated[
            list[float] | None, typer.Option("--interval", help="retest interval in years (repeatable)")
        ] = None,
        burn_in: Annotated[float, typer.Option(help="years of adult life before the first occasion")] = 1.0,
        events: Annotated[bool, typer.Option(help="negative life events (loss, trauma, illness)")] = True,
        workers: Annotated[int, typer.Option(help="worker processes (results do not depend on it)")] = 1,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    ) -> None:
        """Live a formed population through adult life and report the test-retest r of anxiety
        and avoidance (read from the momentary state) at each interval (default 1, 5, 10, 20 years)."""
        from iwm.study._retest import INTERVALS, retest_by_interval

        out = retest_by_interval(
            n=n,
            seed=seed,
            caregiving=caregiving,
            intervals=tuple(interval) if interval else INTERVALS,
            burn_in=burn_in,
            events=events,
            workers=workers,
        )
        if as_json:
            typer.echo(json.dumps(out))
            return
        typer.echo(
            f"test-retest of the adult dimensions, n={n:,}, seed={seed}, {caregiving}, first occasion after "
            f"{burn_in:g} years of adult life, life events {'on' if events else 'off'}"
        )
        typer.echo(f"{'interval (years)':>17} {'anxiety r':>10} {'avoidance r':>12}")
        for row in out["rows"]:
            anx, avo = row["anxiety_r"], row["avoidance_r"]
            typer.echo(
                f"{row['interval_years']:>17g} {'-' if anx is None else f'{anx:.3f}':>10} "
                f"{'-' if avo is None else f'{avo:.3f}':>12}"
            )
