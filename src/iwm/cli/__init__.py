"""The ``iwm`` command line. Each command group lives in its own module and registers itself.

The top layer (docs/architecture.md): commands parse options, call :mod:`iwm.study`,
:mod:`iwm.measure` or :mod:`iwm.model`, and format what comes back; they hold no science of
their own. It may import every layer below; :mod:`iwm.app` and it are independent of each
other (import-linter contract in ``pyproject.toml``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

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
    from iwm.cli import _place

    _place.register(app)
    from iwm.cli import _relationships

    _relationships.register(app)
    from iwm.cli import _change

    _change.register(app)
    from iwm.cli import _validate

    _validate.register(app)
    from iwm.cli import _retest

    _retest.register(app)
    from iwm.cli import _interview

    _interview.register(app)
    from iwm.cli import _study

    _study.register(app)
    from iwm.cli import _app

    _app.register(app)
    from iwm.cli import _fit

    _fit.register(app)  # the commands are always listed; running them needs the `fit` extra
    try:  # measurement commands register when present
        from iwm.cli import _measure  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # pragma: no cover - only while that module is absent
        return
    _measure.register(app)


def _print_version(value: bool) -> None:
    if value:
        from iwm._version import __version__

        typer.echo(f"iwm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="print the version and exit"),
    ] = False,
) -> None:
    """Simulate internal working models of attachment (a research and teaching model, never a
    clinical diagnosis)."""


_register()


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code != 0:  # click returns 130 after Ctrl-C in this mode
            if code == 130:
                typer.echo("iwm: interrupted", err=True)
            sys.exit(code)
    except IwmError as exc:
        typer.echo(f"iwm: error: {_as_option(exc, sys.argv[1:])}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("iwm: aborted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors (bad flag, bad value) in non-standalone mode
        format_message = getattr(exc, "format_message", None)
        message = " ".join(str(format_message() if format_message else exc).split())
        value = _given_value(getattr(getattr(exc, "param", None), "opts", ()), sys.argv[1:])
        if value is not None and repr(value) not in message:
            message += f"; got {value!r}"
        typer.echo(f"iwm: error: {message}", err=True)
        sys.exit(2)


def _as_option(exc: IwmError, argv: Sequence[str]) -> str:
    """A parameter the user gave as an option is named as the option (``--n``, not ``n``)."""
    from iwm._errors import ParameterError

    if isinstance(exc, ParameterError) and not exc.name.startswith("-"):
        flag = "--" + exc.name.replace("_", "-")
        if any(token == flag or token.startswith(flag + "=") for token in argv):
            return str(ParameterError(flag, exc.rule, exc.value))
    return str(exc)


def _given_value(opts: Sequence[str], argv: Sequence[str]) -> str | None:
    """The value the user typed after one of ``opts`` (``--n abc`` or ``--n=abc``), if any."""
    for i, token in enumerate(argv):
        for opt in opts:
            if token == opt and i + 1 < len(argv):
                return argv[i + 1]
            if token.startswith(opt + "="):
                return token[len(opt) + 1 :]
    return None
