"""Command-line interface: ``toolkit COMMAND``. One module per command, each a thin wrapper."""

from __future__ import annotations

import os
import sys

import typer

from ..errors import ToolkitError
from . import agree, extract, footnotes, ingest, render, schema, validate  # noqa: F401  (importing registers them)
from ._app import app


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status.

    0: success; 1: validation found errors; 2: unreadable input or bad arguments.
    """
    try:
        app(args=argv, prog_name="toolkit")
    except SystemExit as e:  # typer exits on success, --help and usage errors
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    except ToolkitError as e:
        typer.echo(f"toolkit: error: {e}", err=True)
        return 2
    except BrokenPipeError:
        # The reader went away (``| head``); keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0
