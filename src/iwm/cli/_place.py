"""``iwm place``: put scored respondents into the model as working-model states."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from iwm._errors import InputError


def read_scored_dimensions(
    path: Path, anxiety_column: str, avoidance_column: str, id_column: str | None
) -> tuple[pd.Series, np.ndarray, np.ndarray, list[str]]:
    """Ids, anxiety and avoidance of a scored file; respondents with a missing score are left
    out and listed (file row and reason), an unreadable cell is an error naming row and column."""
    from iwm.measure import read_responses

    table = read_responses(path)
    data = table.data
    for column in (anxiety_column, avoidance_column, *([id_column] if id_column else [])):
        if column not in data.columns:
            raise InputError(
                f"{path}: column {column!r}", f"not found; columns are {', '.join(map(str, data.columns))}"
            )
    values = {}
    for column in (anxiety_column, avoidance_column):
        numbers = np.full(len(data), np.nan)
        for i, cell in enumerate(data[column].tolist()):
            text = "" if cell is None else str(cell).strip()
            if text == "" or text.lower() == "nan":
                continue
            try:
                number = float(text)
            except ValueError:
                raise InputError(
                    f"{path}: row {table.rows[i]}, column {column!r}", f"not a number; got {text!r}"
                ) from None
            if not (math.isfinite(number) and 1 <= number <= 7):
                raise InputError(
                    f"{path}: row {table.rows[i]}, column {column!r}", f"must be in [1, 7] (ECR metric); got {text!r}"
                )
            numbers[i] = number
        values[column] = numbers
    anx, avo = values[anxiety_column], values[avoidance_column]
    ids = data[id_column] if id_column else pd.Series(table.rows, name="row")
    missing = np.isnan(anx) | np.isnan(avo)
    skipped = [f"row {table.rows[i]}: a score is missing" for i in np.flatnonzero(missing)]
    keep = ~missing
    return ids[keep].reset_index(drop=True), anx[keep], avo[keep], skipped


def register(app: typer.Typer) -> None:
    @app.command()
    def place(
        scored: Annotated[Path, typer.Argument(help="a file written by `iwm score` (csv, tsv, xlsx, parquet)")],
        output: Annotated[Path, typer.Option("--output", "-o", help="where to write the placed states")],
        instrument: Annotated[str, typer.Option(help="which scores to read: ecr-r or ecr-s")] = "ecr-r",
        id_column: Annotated[str | None, typer.Option(help="respondent id column to carry over")] = None,
        caregiving: Annotated[
            str, typer.Option(help="mix of the reference population placement borrows from")
        ] = "low-risk",
        reference_n: Annotated[int, typer.Option(help="size of the reference population")] = 20_000,
        seed: Annotated[int, typer.Option(help="seed of the reference population")] = 0,
    ) -> None:
        """Place scored respondents into the model: each becomes a working-model state whose
        anxiety and avoidance equal their scores (research use only, not a diagnosis)."""
        from iwm import Population, anxiety, avoidance, develop
        from iwm import place as place_people
        from iwm._errors import ParameterError
        from iwm.measure._io import write_table

        if instrument not in ("ecr-r", "ecr-s"):
            raise ParameterError("instrument", "one of ecr-r, ecr-s", instrument)
        prefix = instrument.replace("-", "_")
        ids, anx, avo, skipped = read_scored_dimensions(scored, f"{prefix}_anxiety", f"{prefix}_avoidance", id_column)
        if len(anx) == 0:
            raise InputError(str(scored), "no respondent has both scores")
        reference = develop(caregiving, n=reference_n, seed=seed).population
        placed = place_people(anx, avo, reference=reference)
        table = pd.DataFrame({ids.name or "row": ids})
        for name in Population.field_names():
            table[name] = getattr(placed.population, name)
        table["anxiety"] = anxiety(placed.population)
        table["avoidance"] = avoidance(placed.population)
        table["anxiety_residual"] = placed.anxiety_residual
        table["avoidance_residual"] = placed.avoidance_residual
        write_table(table, output, inputs=[scored])
        off = int(np.sum((np.abs(placed.anxiety_residual) > 0.05) | (np.abs(placed.avoidance_residual) > 0.05)))
        typer.echo(f"placed {len(table)} respondents into the model; states written to {output}")
        if off:
            typer.echo(f"{off} lie beyond what the model produces; their residuals are in the file")
        for line in skipped:
            typer.echo(f"skipped {line}")
