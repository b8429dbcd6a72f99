"""Command-line interface: ``toolkit COMMAND``. One module per command, each a thin wrapper."""

from __future__ import annotations

import contextlib
import os
import signal
import sys

import typer

from ..display import printable
from ..errors import ToolkitError
from ..interrupt import Interrupted, signals_raise
from . import agree, export, extract, fmt, footnotes, import_, ingest, reanchor, render, revise, schema, validate  # noqa: F401  (importing registers them)
from ._app import app


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status.

    0: success; 1: validation found errors; 2: unreadable input or bad arguments;
    128 + N: stopped by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP), with
    every file left as it was or complete, never half-written.
    """
    try:
        # Signals raise, so every ``with`` unwinds: temp files, temp folders and worker pools go.
        with signals_raise():
            app(args=argv, prog_name="toolkit")
    except SystemExit as e:  # typer exits on success, --help and usage errors
        # On a closed pipe (``| head``) typer's click swallows the BrokenPipeError, swaps sys.stdout for
        # its PacifyFlushWrapper and exits 1; the reader going away is not an error.
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            return 0
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    except ToolkitError as e:
        typer.echo(printable(f"toolkit: error: {e}"), err=True)
        return 2
    except (Interrupted, KeyboardInterrupt) as e:
        signum = e.signum if isinstance(e, Interrupted) else int(signal.SIGINT)
        with contextlib.suppress(OSError):  # after a hangup the terminal may be gone
            typer.echo(f"toolkit: interrupted ({signal.Signals(signum).name}); no file half-written", err=True)
        return 128 + signum
    except BrokenPipeError:
        # The reader went away (``| head``); keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:  # a path the command cannot write or read: a file where a folder should be, no room
        where = f"{e.filename}: " if e.filename else ""
        typer.echo(printable(f"toolkit: error: {where}{e.strerror or e}"), err=True)
        return 2
    return 0
