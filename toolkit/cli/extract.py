"""``toolkit extract``: annotations as JSONL on stdout (or ``--out``)."""

from __future__ import annotations

import sys
from collections.abc import Generator
from pathlib import Path
from typing import Annotated

import typer

from ._app import AnnotationsOpt, CorpusOpt, EngineOpt, OutOpt, SchedulerOpt, app


@app.command("extract")
def extract_command(
    layer: Annotated[str, typer.Option(
        "--layer", help="A layer of the schema (entities, dates, claims, ...) or all.")] = "entities",
    label: Annotated[list[str] | None, typer.Option("--label", help="Keep this label (repeatable).")] = None,
    entity: Annotated[list[str] | None, typer.Option(
        "--entity", help="Keep mentions of this registry id, and claims held by or about it (repeatable).")] = None,
    context: Annotated[str, typer.Option("--context", help="none, sentence or paragraph.")] = "sentence",
    out: OutOpt = None,
    corpus: CorpusOpt = None,
    annotations: AnnotationsOpt = None,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="Worker processes (documents are shared out in order); with --engine dask, "
        "the workers of the local cluster.")] = 1,
    engine: EngineOpt = "processes",
    scheduler: SchedulerOpt = None,
    scratch: Annotated[Path | None, typer.Option(
        "--scratch", help="Folder for the workers' per-document files (on a cluster: a shared one; default: "
        "beside --out, else the system's temporary folder).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Write one JSON record per annotation, in reading order, with context and resolved footnotes."""
    from tqdm import tqdm

    from ..extraction import extract_jsonl
    from ..jsonl import write_jsonl

    if scratch is None and out is not None and engine == "dask":
        scratch = out.resolve().parent  # where the output goes is where the workers can write, on a cluster too
    pieces = extract_jsonl(layer=layer, labels=label or (), entities=entity or (), context=context,
                          corpus_dir=corpus, annotations_dir=annotations, n_process=workers, engine=engine,
                          scheduler=scheduler, scratch=scratch)
    # disable=None: a bar only when stderr is a terminal. Workers hand over whole documents.
    unit = " records" if workers == 1 and engine == "processes" else " documents"
    try:
        with tqdm(pieces, unit=unit, file=sys.stderr, disable=True if quiet else None) as progress:
            n = write_jsonl(out, progress)
    finally:
        # Stop the workers and remove their folder now, also when writing failed or a signal came,
        # rather than whenever the suspended generator is collected.
        if isinstance(pieces, Generator):
            pieces.close()
    if out is not None and not quiet:
        noun = unit.strip() if n != 1 else unit.strip()[:-1]
        typer.echo(f"wrote {n} {noun} to {out}", err=True)
