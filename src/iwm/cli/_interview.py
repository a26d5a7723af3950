"""``iwm interview``: the interview channel (an Adult Attachment Interview-like classification)
of a model population, and its agreement with the same people's self-report."""

from __future__ import annotations

import json
from typing import Annotated

import typer

_NOTE = "A simulated research interview of model people; never a clinical classification of a person."


def register(app: typer.Typer) -> None:
    @app.command()
    def interview(
        n: Annotated[int, typer.Option("--n", min=1, help="Number of simulated adults.")] = 4000,
        seed: Annotated[int, typer.Option("--seed", min=0, help="Root random seed.")] = 0,
        caregiving: Annotated[
            str, typer.Option("--caregiving", help="Caregiving mix (or mix file) the population is formed under.")
        ] = "low-risk",
        years: Annotated[
            float, typer.Option("--years", min=0.0, max=60.0, help="Years of adult life after formation (T3 uses 5).")
        ] = 5.0,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Interview a model population: AAI-like classes (secure-autonomous, dismissing,
        preoccupied, plus unresolved) from how each working model is processed, with coder
        error; and agreement with the same people's ECR-R self-report (docs/measurement.md)."""
        from iwm.measure._channels import measure_channels
        from iwm.study._life import live
        from iwm.study._mixes import develop

        population = develop(caregiving, n=n, seed=seed).population
        if years > 0:
            population = live(population, years=years, seed=seed).end
        channels = measure_channels(population, seed)
        agreement = {k: (None if isinstance(v, float) and v != v else v) for k, v in channels.agreement().items()}
        summary = {
            "n": n,
            "seed": seed,
            "caregiving": caregiving,
            "years_of_adult_life": years,
            "shares": channels.interview.shares(),
            "self_report_shares": channels.self_report_shares(),
            "agreement_with_self_report": {
                "kappa": agreement["kappa"],
                "kappa_of": "secure vs insecure: interview class vs ECR-R both scores <= 4 (Cohen 1960)",
                "r": agreement["r"],
                "r_ci_95": [agreement["r_ci_low"], agreement["r_ci_high"]],
                "r_of": "interview coherence (minus incoherence) with ECR-R security (minus mean score)",
                "published": "mean r = .09 (Roisman et al. 2007, meta-analysis, N = 961)",
            },
            "note": _NOTE,
        }
        if as_json:
            typer.echo(json.dumps(summary))
            return
        shares = channels.interview.shares()
        typer.echo(f"interviewed {n} model adults ({caregiving}, seed {seed}, {years:g} years of adult life)")
        for name in ("secure", "dismissing", "preoccupied", "unresolved"):
            typer.echo(f"  {name:12s} {shares[name]:6.1%}")
        if agreement["r"] is None:
            typer.echo("agreement with self-report: undefined (too few people, or no spread)")
        else:
            typer.echo(
                f"agreement with self-report: kappa {agreement['kappa']:.2f}, r {agreement['r']:.2f} "
                f"(95% CI {agreement['r_ci_low']:.2f} to {agreement['r_ci_high']:.2f}); published mean r = .09"
            )
        typer.echo(_NOTE)
