"""``iwm develop`` and ``iwm demo`` (filled in with the formation engine)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def demo() -> None:
        """Run the main demonstration job."""
        typer.echo("iwm demo: not yet available")
