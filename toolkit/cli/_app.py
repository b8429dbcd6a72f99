"""The typer application that every command module registers on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="toolkit",
    help="Annotated-text corpus toolkit: ingest essays, resolve footnotes, extract and validate annotations.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="Corpus folder (default: the shipped corpus).")]
AnnotationsOpt = Annotated[
    Path | None, typer.Option("--annotations", help="Annotations folder (default: the shipped annotations).")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write JSONL here (atomically) instead of stdout.")]
EngineOpt = Annotated[str, typer.Option(
    "--engine", help="processes (this machine) or dask (a dask.bag on a Dask cluster; the dask extra).")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", help="With --engine dask: the scheduler's address (tcp://host:8786); default: a local cluster "
    "of --workers workers.")]
