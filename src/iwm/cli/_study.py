"""Studies from files: ``iwm run``, ``sweep``, ``sensitivity``, ``query``, ``report`` and ``demo``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from iwm.cli._develop import progress_bar

Workers = Annotated[
    int | None, typer.Option(help="worker processes; default one per CPU (results do not depend on it)")
]
Scheduler = Annotated[
    str | None,
    typer.Option(help="run on Dask: 'local-cluster' or tcp://HOST:PORT (needs iwm[distributed])"),
]
Resume = Annotated[bool, typer.Option("--resume", help="finish an interrupted run in the same folder")]
Set = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="set a key path of the scenario, e.g. adult.params.protest=0.3 or arms[1].therapy.weeks=30 "
        "(repeatable; validated like the file; the run stores the result)",
    ),
]
N = Annotated[int | None, typer.Option("--n", help="people: the same as --set population.n=N")]
Years = Annotated[float | None, typer.Option("--years", help="adult years: the same as --set adult.years=Y")]
Seed = Annotated[int | None, typer.Option("--seed", help="the scenario seed: the same as --set seed=S")]

DEMO = "demo.yaml"


def bundled_scenario(name: str) -> str:
    """The text of a scenario shipped with iwm (``iwm/scenarios/NAME``)."""
    return resources.files("iwm").joinpath("scenarios", name).read_text(encoding="utf-8")


def _print_frame(frame: Any, fmt: str) -> None:
    if fmt == "csv":  # often redirected into a file a spreadsheet opens: no live formulas
        from iwm.measure._io import csv_text

        typer.echo(csv_text(frame), nl=False)
    elif fmt == "json":
        typer.echo(frame.to_json(orient="records"))
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console(highlight=False)
        names = [str(c) for c in frame.columns]
        cells = [[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row] for row in frame.itertuples(index=False)]
        widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
        if sum(w + 3 for w in widths) <= console.width:
            table = Table(show_edge=False)
            for col in names:
                table.add_column(col, justify="right", overflow="fold")
            for row in cells:
                table.add_row(*row)
            console.print(table)
            return
        # too wide for the terminal: transposed, one line per result column and a column per row
        widest = max([len(v) for r in cells for v in r] or [1])
        per = max(1, (console.width - max(map(len, names)) - 4) // (widest + 3))
        for start in range(0, max(1, len(cells)), per):
            rows = range(start, min(start + per, len(cells)))
            table = Table(show_edge=False, title=f"rows {start + 1}-{rows.stop} of {len(cells)}, transposed")
            table.add_column("column", no_wrap=True)
            for i in rows:
                table.add_column(f"row {i + 1}", justify="right", overflow="fold")
            for j, name in enumerate(names):
                table.add_row(name, *(cells[i][j] for i in rows))
            console.print(table)


def _with_ci(value: float, conf: float) -> str:
    return "-" if value != value else f"{value:.2f} ±{conf:.2f}"


_CAPTIONS = {
    "S1": "S1 first-order, ST total Sobol index (Saltelli et al. 2010); ± the 95% CI",
    "mu_star": "mu* mean absolute elementary effect (Morris 1991; Campolongo et al. 2007); ± the 95% CI",
    "range": "range: spread of the output's mean across the parameter's values",
}


def _short_flag(flag: str) -> str:
    """'S1 CI wide; ST outside [0, 1]; ST CI wide' -> 'S1:wide ST:out/wide' (wraps between indices)."""
    problems: dict[str, list[str]] = {}
    for part in filter(None, flag.split("; ")):
        key, _, what = part.partition(" ")
        problems.setdefault(key, []).append("out" if what.startswith("outside") else "wide")
    return " ".join(f"{key}:{'/'.join(whats)}" for key, whats in problems.items())


def print_sensitivity(indices: Any) -> None:
    """Sensitivity indices as one table per arm with their 95% intervals and flags, then the
    warnings in words (see :func:`iwm.study._sweep.sensitivity_warnings`)."""
    from rich.console import Console
    from rich.table import Table

    from iwm.study._labels import label, parameter_label
    from iwm.study._sweep import sensitivity_warnings

    console = Console(highlight=False)
    columns = [
        (key, head)
        for key, head in (
            ("S1", "S1"),
            ("ST", "ST"),
            ("mu_star", "Morris mu*"),
            ("sigma", "sigma"),
            ("range", "range"),
            ("levels", "levels"),
        )
        if key in indices
    ]
    for arm, part in indices.groupby("arm", sort=False):
        table = Table(title=f"Sensitivity, arm {arm!s}", caption=_CAPTIONS.get(columns[0][0], ""), show_edge=False)
        table.add_column("output", min_width=16)
        table.add_column("parameter", ratio=3)
        for _, head in columns:
            table.add_column(head, justify="right", no_wrap=True)
        if "warning" in part or "note" in part:
            table.add_column("check", min_width=11)
        for row in part.to_dict("records"):
            cells = [label(row["output"]), parameter_label(row["parameter"])]
            for key, _ in columns:
                value = row.get(key, float("nan"))
                if f"{key}_conf" in row:
                    cells.append(_with_ci(value, row[f"{key}_conf"]))
                else:
                    cells.append("-" if value != value else f"{value:.3g}")
            if "warning" in part or "note" in part:
                flag = row.get("warning") or row.get("note") or ""
                cells.append("" if flag != flag else _short_flag(str(flag)))
            table.add_row(*cells)
        console.print(table)
    if columns and columns[0][0] in ("S1", "mu_star"):
        console.print("check: 'wide' = 95% CI too wide to rank; 'out' = outside [0, 1] beyond its CI")
    for line in sensitivity_warnings(indices):
        console.print(f"warning: {line}")


@contextmanager
def interrupted_hint(out: Path) -> Iterator[None]:
    """Ctrl-C during a run: say how far it got and how to finish it, exit with status 130."""
    try:
        yield
    except KeyboardInterrupt:
        from iwm.study._store import MANIFEST, open_run

        done = ""
        if (out / MANIFEST).exists():
            s = open_run(out).status()
            done = f" after {s['done']} of {s['tasks']} tasks"
        typer.echo(f"iwm: stopped{done}; finish with the same command and --resume", err=True)
        raise typer.Exit(130) from None


def write_report(run_path: Path, out: Path | None = None) -> Path:
    from iwm.study._run_report import write_report as write  # lazy: the CLI starts fast

    return write(run_path, out)


def overrides(items: list[str] | None, n: int | None, years: float | None, seed: int | None) -> list[Any]:
    """The ``--set`` items and the ``--n``, ``--years``, ``--seed`` shortcuts, in that order."""
    from iwm.study._scenario import Override, parse_override

    out = [parse_override(item) for item in items or ()]
    for label, path, value in (("--n", "population.n", n), ("--years", "adult.years", years), ("--seed", "seed", seed)):
        if value is not None:
            out.append(Override(label, path, value))
    return out


def _finished(run: Any, say: Any) -> None:
    s = run.status()
    say(f"{s['done']} of {s['tasks']} tasks done in {run.path}")
    if not s["complete"]:
        say("  unfinished: run the same command with --resume")
    say(f'  query:  iwm query {run.path} "SELECT * FROM summary"')
    say(f"  report: iwm report {run.path}")


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run_cmd(
        scenario: Annotated[Path, typer.Argument(help="scenario file (YAML)")],
        out: Annotated[Path, typer.Option("--out", "-o", help="run folder (new, or the same one with --resume)")],
        workers: Workers = None,
        scheduler: Scheduler = None,
        resume: Resume = False,
        report: Annotated[bool, typer.Option(help="write report.html into the run folder at the end")] = False,
        set_: Set = None,
        n: N = None,
        years: Years = None,
        seed: Seed = None,
    ) -> None:
        """Run a scenario: every arm and replicate, each a task, stored as Parquet with a manifest."""
        from iwm.study._experiments import run_scenario
        from iwm.study._scenario import load_scenario

        study = load_scenario(scenario, overrides(set_, n, years, seed))
        with interrupted_hint(out), progress_bar("tasks", percent=True) as progress:
            run = run_scenario(study, out, workers=workers, scheduler=scheduler, resume=resume, progress=progress)
        _finished(run, typer.echo)
        if report:
            typer.echo(f"report: {write_report(run.path)}")

    @app.command("sweep")
    def sweep_cmd(
        sweep: Annotated[Path, typer.Argument(help="sweep file (YAML): scenario, parameters, design")],
        out: Annotated[Path, typer.Option("--out", "-o", help="run folder (new, or the same one with --resume)")],
        workers: Workers = None,
        scheduler: Scheduler = None,
        resume: Resume = False,
        set_: Set = None,
        n: N = None,
        years: Years = None,
        seed: Seed = None,
    ) -> None:
        """Run a sweep: a grid, Sobol or Morris design over scenario parameters (SALib).

        --set, --n, --years and --seed change the base scenario (not a swept parameter).
        """
        from iwm.study._experiments import run_sweep
        from iwm.study._sweep import load_sweep

        design = load_sweep(sweep, overrides(set_, n, years, seed))
        with interrupted_hint(out), progress_bar("tasks", percent=True) as progress:
            run = run_sweep(design, out, workers=workers, scheduler=scheduler, resume=resume, progress=progress)
        _finished(run, typer.echo)
        typer.echo(f"  indices: iwm sensitivity {run.path}")

    @app.command("sensitivity")
    def sensitivity_cmd(
        run: Annotated[Path, typer.Argument(help="a sweep's run folder")],
        fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
        seed: Annotated[int, typer.Option(help="seed of the bootstrap confidence intervals")] = 0,
    ) -> None:
        """Sensitivity indices of a sweep: Sobol S1/ST, Morris mu*, or a grid's main-effect ranges."""
        from iwm.study._experiments import sensitivity_of

        fmt = _format(fmt)
        indices = sensitivity_of(run, seed=seed)
        if fmt != "table":
            from iwm.study._sweep import sensitivity_warnings

            _print_frame(indices, fmt)
            for line in sensitivity_warnings(indices):  # stdout stays machine-readable
                typer.echo(f"iwm: warning: {line}", err=True)
        else:
            print_sensitivity(indices)

    @app.command("query")
    def query_cmd(
        run: Annotated[Path, typer.Argument(help="run folder")],
        sql: Annotated[
            str,
            typer.Argument(
                help="DuckDB SQL over the tables summary, people, trajectories, pairings, couples and tasks"
            ),
        ],
        fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    ) -> None:
        """SQL over a run's results (DuckDB; only finished tasks are visible)."""
        from iwm.study._store import open_run

        _print_frame(open_run(run).query(sql), _format(fmt))

    @app.command("report")
    def report_cmd(
        run: Annotated[Path, typer.Argument(help="run folder")],
        out: Annotated[Path | None, typer.Option("--out", "-o", help="HTML file (default RUN/report.html)")] = None,
    ) -> None:
        """One self-contained HTML report of a run or sweep: styles, trajectories, couples, therapy, sensitivity."""
        typer.echo(f"report: {write_report(run, out)}")

    @app.command()
    def demo(
        out: Annotated[Path, typer.Option("--out", "-o", help="run folder of the demo study")] = Path("iwm-demo"),
        n: Annotated[int | None, typer.Option("--n", help="people (default: the bundled scenario's)")] = None,
        workers: Annotated[int, typer.Option(help="worker processes")] = 2,
    ) -> None:
        """The main job: the bundled example study (formation, five adult years, therapy arms) and its report.

        Running it again finishes or reuses the same folder.
        """
        import yaml

        from iwm.study._experiments import run_scenario
        from iwm.study._scenario import scenario_from_mapping

        data = yaml.safe_load(bundled_scenario(DEMO))
        if n is not None:
            data["population"]["n"] = n
        scenario = scenario_from_mapping(data, f"iwm/scenarios/{DEMO}")
        say = typer.echo
        say(f"iwm demo: {scenario.description.strip()}")
        with progress_bar("demo tasks", percent=True) as progress:
            run = run_scenario(scenario, out, workers=workers, resume=True, progress=progress)
        s = run.query(
            "SELECT arm, avg(at18_secure) AS at18, avg(end_secure) AS end_secure, avg(aai_secure) AS aai_secure, "
            "avg(clients_anxiety_d_end) AS d, avg(clients_secure_end) AS earned, avg(years) AS years, "
            "avg(pursue_withdraw_anxious_avoidant) AS pw FROM summary GROUP BY arm ORDER BY min(task)"
        )
        for row in s.itertuples(index=False):
            therapy = f"; clients: anxiety d {row.d:+.2f}, secure {row.earned:.0%}" if row.d == row.d else ""
            say(f"  {row.arm:>14}: secure {row.at18:.0%} at 18 -> {row.end_secure:.0%} at {18 + row.years:g}{therapy}")
        say("  published adults (AAI, T3): secure 58%, dismissing 23%, preoccupied 19%")
        say(f"  anxious-avoidant couples' pursue-withdraw index: {s['pw'].iloc[0]:.2f} (C15)")
        say(f"Report written to {write_report(run.path).resolve()}")


def _format(fmt: str) -> str:
    if fmt not in ("table", "csv", "json"):
        from iwm._errors import ParameterError

        raise ParameterError("--format", "one of table, csv, json", fmt)
    return fmt
