"""``iwm couples``, ``iwm dyad`` and ``iwm ablate``: adult relationships from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from iwm._errors import InputError, ParameterError

MECHANISM_HELP = (
    "comma-separated perpetuation mechanisms to switch off: "
    "projection, repetition_compulsion, defensive_behaviours, vulnerability_avoidance"
)


def parse_mechanisms(text: str | None) -> Any:
    """``--without`` as typed (commas; hyphens or spaces for underscores) -> Mechanisms."""
    from iwm.model._adult import Mechanisms

    mech = Mechanisms()
    if not text:
        return mech
    names = [part.strip().lower().replace("-", "_").replace(" ", "_") for part in text.split(",") if part.strip()]
    for name in names:
        if name not in Mechanisms.names():
            raise ParameterError("--without", f"mechanism names among {', '.join(Mechanisms.names())}", name)
    return mech.without(*names)


def _population(
    caregiving: str | None,
    n: int,
    seed: int,
    workers: int,
    from_scores: Path | None,
    anxiety_column: str,
    avoidance_column: str,
    id_column: str | None,
    reference_n: int,
) -> tuple[Any, str]:
    """The adults to simulate: formed under ``caregiving``, or placed from a scored file."""
    from iwm.cli._develop import progress_bar
    from iwm.cli._place import read_scored_dimensions
    from iwm.measure._placement import place
    from iwm.study._mixes import develop

    mix = caregiving or "low-risk"
    if from_scores is None:
        with progress_bar(f"forming {mix}") as progress:
            return develop(mix, n=n, seed=seed, workers=workers, progress=progress).population, mix
    _, anx, avo, skipped = read_scored_dimensions(from_scores, anxiety_column, avoidance_column, id_column)
    for line in skipped:
        typer.echo(f"iwm: skipped {from_scores}: {line}", err=True)
    if len(anx) == 0:
        raise InputError(str(from_scores), "no respondent with both scores")
    with progress_bar(f"forming the reference population ({mix})") as progress:
        reference = develop(mix, n=reference_n, seed=seed, workers=workers, progress=progress).population
    return place(anx, avo, reference=reference).population, f"{from_scores.name} (placed; reference {mix})"


def _fmt(x: Any, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def _print_couples(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    head = f"{summary['caregiving']}: n={summary['n']:,}, {summary['years']:g} years, seed={summary['seed']}"
    if summary["mechanisms_off"]:
        head += f", off: {', '.join(summary['mechanisms_off'])}"
    pairs = Table(title=f"Couples at the end by style when they met ({head})")
    for col in ("pairing", "couples", "expected if random", "ratio"):
        pairs.add_column(col, justify="left" if col == "pairing" else "right")
    for r in summary["pairings"]:
        ratio = r["observed"] / r["expected"] if r["expected"] > 0 else None
        pairs.add_row(r["pairing"], str(r["observed"]), f"{r['expected']:.1f}", _fmt(ratio))
    console.print(pairs)
    by = Table(title="Relationships by pairing (every couple-day of the run)", show_edge=False)
    by.caption = (
        "formed: couples that formed; years: couple-years; satisf.: satisfaction; confl.: conflict; "
        "brk/y: breakups per couple-year; PW: "
        "pursue-withdraw index (bid on day t, partner's withdrawal on t+1)"
    )
    for col in ("pairing", "formed", "years", "satisf.", "confl.", "brk/y", "PW"):
        by.add_column(col, justify="left" if col == "pairing" else "right", no_wrap=col == "pairing")
    for r in summary["by_pairing"]:
        by.add_row(
            r["pairing"],
            _fmt(r["couples"], ".0f"),
            _fmt(r["couple_years"], ".0f"),
            _fmt(r["satisfaction"]),
            _fmt(r["conflict"]),
            _fmt(r["breakups_per_year"]),
            _fmt(r["pursue_withdraw"]),
        )
    console.print(by)
    singles = Table(title="Single people by style at the start")
    for col in ("style", "people", "single at end", "single-years", "loneliness"):
        singles.add_column(col, justify="left" if col == "style" else "right")
    for r in summary["singles"]:
        singles.add_row(
            r["style"],
            str(r["people"]),
            _fmt(r["share_single_at_end"], ".1%"),
            _fmt(r["single_years"], ".0f"),
            _fmt(r["loneliness"]),
        )
    console.print(singles)
    st = summary["stability"]
    console.print(
        f"Stability start -> end: r(anxiety) {_fmt(st['anxiety_r'])}, r(avoidance) {_fmt(st['avoidance_r'])}; "
        f"insecure at the start who are secure at the end: {_fmt(st['insecure_to_secure'], '.1%')}"
    )


def _short_condition(name: str) -> str:
    """'no repetition compulsion' -> 'no repetition' (the first word names the mechanism)."""
    words = name.split()
    return " ".join(words[:2]) if words[:1] == ["no"] else name


def _print_ablation(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        show_edge=False,
        title=f"Perpetuation mechanisms off in turn ({result['caregiving']}: n={result['n']:,}, "
        f"{result['years']:g} years, seed={result['seed']})",
    )
    table.caption = (
        "no X: that mechanism switched off; r: start-end correlation; |d|: mean absolute change; "
        "to sec: insecure at the start, secure at the "
        "end; pre anx: mean anxiety change of the preoccupied; dis avo: mean avoidance change of the dismissing"
    )
    cols = [
        ("condition", "condition"),
        ("r anx", "anxiety_r"),
        ("r avo", "avoidance_r"),
        ("|d| anx", "anxiety_change"),
        ("|d| avo", "avoidance_change"),
        ("to sec", "insecure_to_secure"),
        ("pre anx", "anxious_anxiety_change"),
        ("dis avo", "avoidant_avoidance_change"),
    ]
    for title, _ in cols:
        if title == "condition":
            table.add_column(title, no_wrap=True)
        else:
            table.add_column(title, justify="right")
    for row in result["conditions"]:
        cells = [_short_condition(row["condition"])]
        for _, key in cols[1:]:
            cells.append(_fmt(row[key], ".1%" if key == "insecure_to_secure" else ".2f"))
        table.add_row(*cells)
    Console().print(table)
    _print_partnering(result)


def _print_partnering(result: dict[str, Any]) -> None:
    """Who is partnered at the end of each condition: an ablation must not shut people out."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False, title="Partnered at the end")
    table.caption = "all: every adult; dismissing: the dismissing at the start"
    table.add_column("condition", no_wrap=True)
    table.add_column("all", justify="right")
    table.add_column("dismissing", justify="right")
    for row in result["conditions"]:
        table.add_row(
            _short_condition(row["condition"]),
            _fmt(row["partnered_at_end"], ".1%"),
            _fmt(row["dismissing_partnered_at_end"], ".1%"),
        )
    Console().print(table)


def _dyad_person_summary(frame: Any, side: str, spec: str, start: tuple[float, float]) -> dict[str, Any]:
    """One partner's summary: the read-outs before the first day (``start``), and the trace's."""
    return {
        "given": spec,
        "anxiety_start": start[0],
        "avoidance_start": start[1],
        "anxiety_end": float(frame[f"anxiety_{side}"].iloc[-1]),
        "avoidance_end": float(frame[f"avoidance_{side}"].iloc[-1]),
        "mean_bid": float(frame[f"bid_{side}"].mean()),
        "mean_withdrawal": float(frame[f"withdrawal_{side}"].mean()),
        "mean_satisfaction": float(frame[f"satisfaction_{side}"].mean()),
    }


def _write_trace(frame: Any, path: Path, inputs: dict[str, Any]) -> None:
    from iwm._files import atomic_write

    if path.suffix.lower() == ".csv":
        from iwm.measure._io import csv_text

        text = csv_text(frame).encode("utf-8")

        def write(handle: BinaryIO) -> None:
            handle.write(text)

        atomic_write(path, write)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"iwm": json.dumps(inputs).encode()})
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def _check_output(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise InputError(str(path), "already exists; choose another path or pass --force to replace it")
    if path.suffix.lower() not in {".parquet", ".csv"}:
        raise InputError(str(path), f"must end in .parquet or .csv; got {path.suffix or 'no suffix'!r}")


def register(app: typer.Typer) -> None:
    @app.command()
    def couples(
        n: Annotated[int, typer.Option("--n", help="number of adults (ignored with --from-scores)")] = 20_000,
        years: Annotated[float, typer.Option(help="years of adult life after 18")] = 5.0,
        seed: Annotated[int, typer.Option(help="seed of the whole run")] = 0,
        caregiving: Annotated[
            str | None, typer.Option(help="caregiving mix the adults were raised under (default low-risk), or a file")
        ] = None,
        from_scores: Annotated[
            Path | None, typer.Option("--from-scores", help="a file written by `iwm score`: simulate these respondents")
        ] = None,
        instrument: Annotated[
            str, typer.Option(help="instrument of --from-scores: ecr-r or ecr-s (names the score columns)")
        ] = "ecr-r",
        anxiety_column: Annotated[
            str | None, typer.Option(help="anxiety column of --from-scores (default: INSTRUMENT_anxiety)")
        ] = None,
        avoidance_column: Annotated[
            str | None, typer.Option(help="avoidance column of --from-scores (default: INSTRUMENT_avoidance)")
        ] = None,
        id_column: Annotated[str | None, typer.Option(help="respondent id column of --from-scores")] = None,
        reference_n: Annotated[int, typer.Option(help="size of the reference population for placement")] = 20_000,
        without: Annotated[str | None, typer.Option("--without", help=MECHANISM_HELP)] = None,
        workers: Annotated[int, typer.Option(help="worker processes (results do not depend on it)")] = 1,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    ) -> None:
        """Adults date, pair and break up: pairings by style, outcomes by pairing, loneliness of singles."""
        from iwm.cli._develop import progress_bar
        from iwm.study._life import live

        mechanisms = parse_mechanisms(without)
        if instrument not in ("ecr-r", "ecr-s"):
            raise ParameterError("--instrument", "one of ecr-r, ecr-s", instrument)
        prefix = instrument.replace("-", "_")
        people, label = _population(
            caregiving,
            n,
            seed,
            workers,
            from_scores,
            anxiety_column or f"{prefix}_anxiety",
            avoidance_column or f"{prefix}_avoidance",
            id_column,
            reference_n,
        )
        with progress_bar("adult life") as progress:
            life = live(people, years=years, seed=seed, mechanisms=mechanisms, workers=workers, progress=progress)
        summary = {**life.summary(), "caregiving": label}
        if as_json:
            typer.echo(json.dumps(summary))
        else:
            _print_couples(summary)

    @app.command()
    def dyad(
        output: Annotated[Path, typer.Option("--output", "-o", help="trace file (.parquet or .csv)")],
        a: Annotated[
            str,
            typer.Option(
                "--a", help="partner a: a style (secure, anxious, avoidant, disorganized) or ANXIETY,AVOIDANCE"
            ),
        ] = "anxious",
        b: Annotated[str, typer.Option("--b", help="partner b: as --a")] = "avoidant",
        days: Annotated[int, typer.Option(help="days to simulate")] = 90,
        seed: Annotated[int, typer.Option(help="seed")] = 0,
        plot: Annotated[Path | None, typer.Option(help="also draw the trace to this .png")] = None,
        without: Annotated[str | None, typer.Option("--without", help=MECHANISM_HELP)] = None,
        force: Annotated[bool, typer.Option("--force", help="replace existing output files")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    ) -> None:
        """One couple, day by day: bids, responses, perceptions, distress, beliefs and satisfaction."""
        import iwm
        from iwm._files import atomic_write
        from iwm.measure._people import parse_person, person
        from iwm.measure._readout import anxiety, avoidance
        from iwm.model._life import pursue_withdraw_index
        from iwm.study._couples import dyad as simulate_dyad
        from iwm.study._report import _pyplot, dyad_figure

        mechanisms = parse_mechanisms(without)
        spec_a, spec_b = parse_person(a), parse_person(b)
        _check_output(output, force)
        if plot is not None:
            if plot.suffix.lower() != ".png":
                raise InputError(str(plot), f"must end in .png; got {plot.suffix or 'no suffix'!r}")
            if plot.exists() and not force:
                raise InputError(str(plot), "already exists; choose another path or pass --force to replace it")
        people = {"a": person(spec_a), "b": person(spec_b)}
        # the read-outs before the first day (the trace records each day after it is lived)
        start = {side: (float(anxiety(pop)[0]), float(avoidance(pop)[0])) for side, pop in people.items()}
        for side, spec in (("a", spec_a), ("b", spec_b)):
            if isinstance(spec, tuple):  # scores the model cannot reach are placed as near as it can
                got = start[side]
                if max(abs(got[0] - spec[0]), abs(got[1] - spec[1])) > 0.05:
                    typer.echo(
                        f"iwm: note: --{side} {spec[0]:g},{spec[1]:g} placed at the nearest state the model "
                        f"produces: anxiety {got[0]:.2f}, avoidance {got[1]:.2f}",
                        err=True,
                    )
        frame = simulate_dyad(people["a"], people["b"], days=days, seed=seed, mechanisms=mechanisms)
        inputs = {
            "a": a,
            "b": b,
            "days": days,
            "seed": seed,
            "mechanisms_off": list(mechanisms.switched_off()),
            "iwm": iwm.__version__,
        }
        _write_trace(frame, output, inputs)
        if plot is not None:
            fig = dyad_figure(
                frame,
                f"a = {a} (anxiety {start['a'][0]:.1f}, avoidance {start['a'][1]:.1f}), "
                f"b = {b} (anxiety {start['b'][0]:.1f}, avoidance {start['b'][1]:.1f})",
            )
            atomic_write(plot, lambda tmp: fig.savefig(tmp, format="png", dpi=110))
            _pyplot().close(fig)
        summary: dict[str, Any] = {
            "a": _dyad_person_summary(frame, "a", a, start["a"]),
            "b": _dyad_person_summary(frame, "b", b, start["b"]),
            "pursue_withdraw_a_to_b": pursue_withdraw_index(
                frame["bid_a"].to_numpy(), frame["withdrawal_b"].to_numpy()
            ),
            "pursue_withdraw_b_to_a": pursue_withdraw_index(
                frame["bid_b"].to_numpy(), frame["withdrawal_a"].to_numpy()
            ),
            "days": days,
            "seed": seed,
            "output": str(output),
            "plot": None if plot is None else str(plot),
        }
        if as_json:
            typer.echo(json.dumps(summary))
            return
        for side in ("a", "b"):
            s = summary[side]
            typer.echo(
                f"{side} ({s['given']}): anxiety {s['anxiety_start']:.2f} -> {s['anxiety_end']:.2f}, "
                f"avoidance {s['avoidance_start']:.2f} -> {s['avoidance_end']:.2f}; mean bid {s['mean_bid']:.2f}, "
                f"withdrawal {s['mean_withdrawal']:.2f}, satisfaction {s['mean_satisfaction']:.2f}"
            )
        typer.echo(
            f"pursue-withdraw index a -> b {_fmt(summary['pursue_withdraw_a_to_b'])}, "
            f"b -> a {_fmt(summary['pursue_withdraw_b_to_a'])}"
        )
        typer.echo(f"trace written to {output}" + (f", plot to {plot}" if plot else ""))

    @app.command()
    def ablate(
        n: Annotated[int, typer.Option("--n", help="number of adults")] = 20_000,
        years: Annotated[float, typer.Option(help="years of adult life after 18")] = 10.0,
        seed: Annotated[int, typer.Option(help="seed of every condition")] = 0,
        caregiving: Annotated[str | None, typer.Option(help="caregiving mix (default low-risk), or a file")] = None,
        workers: Annotated[int, typer.Option(help="worker processes (results do not depend on it)")] = 1,
        as_json: Annotated[bool, typer.Option("--json", help="print one JSON object on stdout")] = False,
    ) -> None:
        """The same adults with each perpetuation mechanism (C21-C24) off in turn, and all off."""
        from iwm.cli._develop import progress_bar
        from iwm.study._couples import ablate as run_ablation

        people, label = _population(caregiving, n, seed, workers, None, "", "", None, 0)
        with progress_bar("conditions") as progress:
            rows = run_ablation(people, years=years, seed=seed, workers=workers, progress=progress)
        result = {"n": n, "years": years, "seed": seed, "caregiving": label, "conditions": rows}
        if as_json:
            typer.echo(json.dumps(result))
        else:
            _print_ablation(result)
