"""``iwm score`` and ``iwm simulate-responses``: questionnaire scoring and simulated answers.

Research scoring, never a diagnosis. Answers are sensitive: these commands write only the output
file the user names (atomically), print summaries, and keep no cache or log.
"""

from __future__ import annotations

import dataclasses
import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from iwm._errors import ParameterError
from iwm.measure import (
    CATEGORIES,
    INSTRUMENTS,
    SampleStatistics,
    ScoredSample,
    read_mapping,
    read_responses,
    sample_statistics,
    score,
    write_table,
)
from iwm.measure._io import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS

_NOT_DIAGNOSIS = "Research scoring for describing samples; never a diagnosis of a person."


class InstrumentName(StrEnum):
    ecr_r = "ecr-r"
    ecr_s = "ecr-s"
    rq = "rq"


class EcrForm(StrEnum):
    ecr_r = "ecr-r"
    ecr_s = "ecr-s"


class CutName(StrEnum):
    midpoint = "midpoint"
    median = "median"


def _item_columns(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",")]
    if any(not name for name in names):
        raise ParameterError("--item-columns", "comma-separated column names, none empty", text)
    return names


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _print_summary(stats: SampleStatistics, scored: ScoredSample, output: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    inst = scored.instrument
    table = Table(title=f"{inst.title}: {stats.n} respondents")
    for header in ("subscale", "mean", "SD", "scored", "missing", "alpha", "omega"):
        table.add_column(header, justify="left" if header == "subscale" else "right")
    for s in stats.subscales:
        table.add_row(s.name, _fmt(s.mean), _fmt(s.sd), str(s.n_scored), str(s.n_missing), _fmt(s.alpha), _fmt(s.omega))
    console.print(table)
    console.print(f"{stats.correlation_name.replace('_', '-')} correlation: {_fmt(stats.correlation)}")
    if inst.has_quadrants:
        console.print(f"reliability: {stats.reliability_estimators}")
    cats = Table(title="Research categories", caption=stats.category_rule)
    cats.add_column("category")
    cats.add_column("share", justify="right")
    for name in CATEGORIES:
        cats.add_row(name, _fmt(stats.category_shares[name] * 100, 1) + "%")
    console.print(cats)
    for warning in stats.warnings:
        console.print(f"warning: {warning}")
    if scored.problems:
        report = Table(title=f"{len(scored.problems)} invalid cells scored as missing (--lenient)")
        for header in ("file", "row", "column", "value", "rule"):
            report.add_column(header)
        for p in scored.problems:
            report.add_row(p.source, str(p.row), p.column, repr(p.value), p.rule)
        console.print(report)
    console.print(f"scores written to {output}" if output else "no output file (-o) given")
    console.print(_NOT_DIAGNOSIS)


def register(app: typer.Typer) -> None:
    """Add the measurement commands to the ``iwm`` application."""

    @app.command("score")
    def score_command(
        instrument: Annotated[
            InstrumentName, typer.Argument(help="Questionnaire: ecr-r (36 items), ecr-s (12 items) or rq.")
        ],
        responses: Annotated[
            Path, typer.Argument(help="Respondents' answers: .csv, .tsv, .xlsx or .parquet, one row per respondent.")
        ],
        output: Annotated[
            Path | None,
            typer.Option(
                "-o",
                "--output",
                help="Scored file (.csv, .tsv, .xlsx, .parquet): every original column unchanged "
                "plus the scores. Written atomically; never the input file.",
            ),
        ] = None,
        id_column: Annotated[
            str, typer.Option("--id-column", help="Column holding each respondent's unique id.")
        ] = "id",
        item_columns: Annotated[
            str | None,
            typer.Option(
                "--item-columns", help="The file's item columns, comma-separated, in the instrument's item order."
            ),
        ] = None,
        mapping: Annotated[
            Path | None,
            typer.Option("--mapping", help="YAML file mapping each item (ecr_r_01 or 1) to the file's column."),
        ] = None,
        cut: Annotated[
            CutName,
            typer.Option("--cut", help="ECR quadrant cut: scale midpoint 4, or each dimension's sample median."),
        ] = CutName.midpoint,
        lenient: Annotated[
            bool, typer.Option("--lenient", help="Score invalid cells as missing and list each one.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with the sample summary.")] = False,
        encoding: Annotated[
            str | None, typer.Option("--encoding", help="Text encoding of a CSV/TSV that is not UTF-8 (e.g. cp1252).")
        ] = None,
        max_rows: Annotated[
            int, typer.Option("--max-rows", min=1, help="Refuse files with more respondents than this.")
        ] = DEFAULT_MAX_ROWS,
        max_bytes: Annotated[
            int, typer.Option("--max-bytes", min=1, help="Refuse files larger than this many bytes.")
        ] = DEFAULT_MAX_BYTES,
    ) -> None:
        """Score a questionnaire: subscale scores, reliability and research categories."""
        if item_columns is not None and mapping is not None:
            raise ParameterError("--item-columns", "not combined with --mapping", item_columns)
        table = read_responses(responses, encoding=encoding, max_rows=max_rows, max_bytes=max_bytes)
        columns = (
            _item_columns(item_columns)
            if item_columns is not None
            else read_mapping(mapping)
            if mapping is not None
            else None
        )
        scored = score(
            INSTRUMENTS[instrument.value], table, id_column=id_column, columns=columns, cut=cut.value, lenient=lenient
        )
        stats = sample_statistics(scored)
        if output is not None:
            write_table(scored.table, output, inputs=[responses, *([mapping] if mapping is not None else [])])
        if as_json:
            summary = stats.to_dict()
            summary["problems"] = [
                {"file": p.source, "row": p.row, "column": p.column, "value": p.value, "rule": p.rule}
                for p in scored.problems
            ]
            summary["output"] = str(output) if output is not None else None
            summary["note"] = _NOT_DIAGNOSIS
            typer.echo(json.dumps(summary, ensure_ascii=False, allow_nan=False))
        else:
            _print_summary(stats, scored, output)

    @app.command("simulate-responses")
    def simulate_command(
        output: Annotated[
            Path, typer.Option("-o", "--output", help="Where to write the answers (.csv, .tsv, .xlsx, .parquet).")
        ],
        instrument: Annotated[
            EcrForm, typer.Option("--instrument", help="Questionnaire the population answers.")
        ] = EcrForm.ecr_r,
        n: Annotated[int, typer.Option("--n", min=1, help="Number of simulated people.")] = 1000,
        seed: Annotated[int, typer.Option("--seed", min=0, help="Root random seed.")] = 0,
        caregiving: Annotated[
            str, typer.Option("--caregiving", help="Caregiving mix (or mix file) the population is formed under.")
        ] = "low-risk",
        acquiescence: Annotated[
            float,
            typer.Option(
                "--acquiescence",
                min=0.0,
                max=2.0,
                help="SD of each person's tendency to agree, in scale points (0: none).",
            ),
        ] = 0.0,
        careless: Annotated[
            float,
            typer.Option(
                "--careless", min=0.0, max=1.0, help="Share of respondents who answer every item at random (0-1)."
            ),
        ] = 0.0,
    ) -> None:
        """Simulated answers of a model population to the ECR-R or ECR-S: latent dimensions from
        each person's working model, answers from a graded response model (docs/measurement.md)."""
        from iwm import develop  # imported here so that scoring alone stays light
        from iwm.measure._channels import stream
        from iwm.measure._items import RESPONSES, answer
        from iwm.measure._latent import latent_dimensions

        params = dataclasses.replace(RESPONSES, acquiescence_sd=acquiescence, careless_share=careless)
        population = develop(caregiving, n=n, seed=seed).population
        anxiety, avoidance = latent_dimensions(population, rng=stream(seed, "latent"))
        answers = answer(INSTRUMENTS[instrument.value], anxiety, avoidance, stream(seed, "answers"), params)
        write_table(answers, output)
        typer.echo(
            f"wrote {len(answers)} simulated answers to the {instrument.value} ({caregiving}, seed {seed}) to {output}"
        )
