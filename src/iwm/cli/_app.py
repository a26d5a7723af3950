"""``iwm app``: the web dashboard (Streamlit), on this machine only unless told otherwise."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from iwm._errors import ParameterError

MAX_UPLOAD_MB = 50
"""Streamlit's server-wide cap on an upload; the questionnaire page's widget sets its own lower
limit (``iwm.app._logic.MAX_UPLOAD_MB``), which its label states."""


def streamlit_command(host: str, port: int) -> list[str]:
    """The ``streamlit run`` command line of the dashboard: headless, no usage statistics."""
    main = resources.files("iwm").joinpath("app", "main.py")
    return [
        sys.executable, "-m", "streamlit", "run", str(main),
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.maxUploadSize", str(MAX_UPLOAD_MB),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "viewer",
    ]  # fmt: skip


def register(app: typer.Typer) -> None:
    @app.command("app")
    def app_cmd(
        host: Annotated[str, typer.Option(help="address to listen on (127.0.0.1: this machine only)")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="port")] = 8501,
        runs: Annotated[Path, typer.Option(help="folder of run folders for the Runs page")] = Path("runs"),
    ) -> None:
        """Start the web dashboard: formation, a couple, therapy, questionnaires and runs."""
        try:
            import streamlit  # noqa: F401
        except ImportError:
            raise ParameterError(
                "app", "available with the dashboard extra: pip install 'iwm[app]'", "iwm app"
            ) from None
        if not 1 <= port <= 65535:
            raise ParameterError("--port", "in [1, 65535]", port)
        env = {**os.environ, "IWM_RUNS": str(runs)}
        typer.echo(f"iwm dashboard on http://{host}:{port} (Ctrl-C stops it)")
        sys.stdout.flush()
        # become the Streamlit server (same process), so stopping `iwm app` stops the server
        command = streamlit_command(host, port)
        os.execve(command[0], command, env)
