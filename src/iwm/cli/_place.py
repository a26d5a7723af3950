"""``iwm place``: put scored respondents into the model as working-model states."""

from __future__ import annotations

import dataclasses
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
        scored: Annotated[
            Path, typer.Argument(help="answers, or a file written by `iwm score` (csv, tsv, xlsx, parquet)")
        ],
        output: Annotated[Path, typer.Option("--output", "-o", help="where to write the placed states")],
        instrument: Annotated[str, typer.Option(help="which scores to read: ecr-r or ecr-s")] = "ecr-r",
        id_column: Annotated[str | None, typer.Option(help="respondent id column to carry over")] = None,
        caregiving: Annotated[
            str, typer.Option(help="mix of the reference population placement borrows from")
        ] = "low-risk",
        reference_n: Annotated[int, typer.Option(help="size of the reference population")] = 20_000,
        seed: Annotated[int, typer.Option(help="seed of the reference population")] = 0,
    ) -> None:
        """Place respondents into the model (research use only, not a diagnosis).

        With the instrument's item answers in the file: latent anxiety and avoidance estimated
        by EAP with a standard error per person, then the model state of the nearest model
        person; people outside the model's support are listed with a reason. With scores only:
        a working-model state whose read-out anxiety and avoidance equal the scores."""
        from iwm import Population, anxiety, avoidance, develop
        from iwm import place as place_people
        from iwm._errors import ParameterError
        from iwm.measure._io import write_table

        if instrument not in ("ecr-r", "ecr-s"):
            raise ParameterError("instrument", "one of ecr-r, ecr-s", instrument)
        if _has_items(scored, instrument):
            _place_from_items(scored, output, instrument, id_column, caregiving, reference_n, seed)
            return
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
        typer.echo(f"placed {len(table)} respondents into the model from scores only (no item answers in the file)")
        typer.echo(f"states written to {output}")
        if off:
            typer.echo(f"{off} lie beyond what the model produces; their residuals are in the file")
        for line in skipped:
            typer.echo(f"skipped {line}")


def _has_items(path: Path, instrument: str) -> bool:
    """Whether the file holds every item column of the instrument (then placement uses answers)."""
    from iwm.measure import INSTRUMENTS, read_responses

    columns = set(map(str, read_responses(path).data.columns))
    return set(INSTRUMENTS[instrument].item_columns) <= columns


def _place_from_items(
    path: Path, output: Path, instrument: str, id_column: str | None, caregiving: str, reference_n: int, seed: int
) -> None:
    """Measurement v2: EAP latents with standard errors from the answers, then the model state;
    respondents outside the model's support are listed with a reason."""
    from iwm import Population, develop
    from iwm.measure import INSTRUMENTS, read_responses, score
    from iwm.measure._channels import stream
    from iwm.measure._io import write_table
    from iwm.measure._items import estimate_latents
    from iwm.measure._latent import latent_dimensions
    from iwm.measure._placement import place_latent, placement_quality

    table = read_responses(path)
    key = id_column or "id"
    if key not in table.data.columns:
        raise InputError(f"{path}: column {key!r}", "not found; item answers need an id column (--id-column NAME)")
    inst = INSTRUMENTS[instrument]
    # only the id and the answers: a file written by `iwm score` also holds the scores
    answers = dataclasses.replace(table, data=table.data[[key, *inst.item_columns]])
    scored = score(inst, answers, id_column=key)
    answered = ~scored.keyed.isna().all(axis=1).to_numpy()
    estimate = estimate_latents(instrument, scored.keyed)
    reference = develop(caregiving, n=reference_n, seed=seed).population
    latents = latent_dimensions(reference, rng=stream(seed, "latent"))
    placed = place_latent(estimate.anxiety, estimate.avoidance, reference=reference, reference_latents=latents)
    ids = scored.table[key]
    out = pd.DataFrame({key: ids})
    out["anxiety_theta"] = estimate.anxiety
    out["anxiety_se"] = estimate.anxiety_se
    out["avoidance_theta"] = estimate.avoidance
    out["avoidance_se"] = estimate.avoidance_se
    out["in_support"] = placed.in_support
    out["reason"] = list(placed.reasons)
    for name in Population.field_names():
        out[name] = getattr(placed.population, name)
    keep = answered
    write_table(out[keep].reset_index(drop=True), output, inputs=[path])
    quality = placement_quality(reference, latents, stream(seed, "answers"), instrument=instrument)
    typer.echo(f"placed {int(keep.sum())} respondents from their {instrument} answers (EAP latents with SEs)")
    typer.echo(f"states written to {output}")
    typer.echo(
        "placement quality on {n:.0f} simulated people: recovery r anxiety {ar:.2f}, avoidance {vr:.2f}; "
        "95% interval coverage {ac:.2f} / {vc:.2f}".format(
            n=quality["n"],
            ar=quality["anxiety_recovery_r"],
            vr=quality["avoidance_recovery_r"],
            ac=quality["anxiety_coverage_95"],
            vc=quality["avoidance_coverage_95"],
        )
    )
    outside = [(i, r) for i, (r, k) in enumerate(zip(placed.reasons, keep, strict=True)) if r and k]
    typer.echo(f"{len(outside)} outside the model's support (placed on the nearest model person, listed here):")
    for i, reason in outside:
        typer.echo(f"  {ids.iloc[i]}: {reason}")
    for row in np.flatnonzero(~keep):
        typer.echo(f"skipped {ids.iloc[int(row)]}: no item answered")
