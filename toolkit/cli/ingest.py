"""``toolkit ingest``: build a document's corpus files from a plain-text essay."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import app


@app.command("ingest")
def ingest_command(
    source: Annotated[Path, typer.Argument(help="The essay, UTF-8 plain text.")],
    doc: Annotated[str, typer.Option("--doc", help="Document id (lower case, digits, '-', '_').")],
    corpus: Annotated[Path | None, typer.Option("--corpus", help="Corpus folder to write into (default: "
                                                "./corpus; never the shipped one).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing corpus files.")] = False,
) -> int:
    """Segment SOURCE into blocks and write CORPUS/DOC/ (source copy, document.json, blocks.jsonl)."""
    from ..ingestion import ingest

    folder = ingest(source, doc=doc, corpus_dir=corpus, force=force)
    typer.echo(f"wrote {folder}", err=True)
    return 0
