"""The ``iwm`` command line. Each command group lives in its own module and registers itself."""

from __future__ import annotations

import sys

import typer

from iwm._errors import IwmError

app = typer.Typer(
    name="iwm",
    help="Simulate internal working models of attachment (a research and teaching model, never a clinical diagnosis).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from iwm.cli import _develop

    _develop.register(app)
    try:  # measurement commands register when present
        from iwm.cli import _measure  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # pragma: no cover - only while that module is absent
        return
    _measure.register(app)


@app.callback()
def _root() -> None:
    """Simulate internal working models of attachment (a research and teaching model, never a
    clinical diagnosis)."""


_register()


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        app(standalone_mode=False)
    except IwmError as exc:
        typer.echo(f"iwm: error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("iwm: aborted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors (bad flag, bad value) in non-standalone mode
        format_message = getattr(exc, "format_message", None)
        message = format_message() if format_message else str(exc)
        typer.echo(f"iwm: error: {' '.join(str(message).split())}", err=True)
        sys.exit(2)
