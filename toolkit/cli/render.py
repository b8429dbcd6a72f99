"""``toolkit render``: the annotated essay as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import AnnotationsOpt, CorpusOpt, app


@app.command("render")
def render_command(
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write (atomically).")],
    corpus: CorpusOpt = None,
    annotations: AnnotationsOpt = None,
) -> None:
    """Write the annotated edition: every layer highlighted, footnotes linked both ways, contents, key, index."""
    from ..edition import render

    render(out, corpus_dir=corpus, annotations_dir=annotations)
    typer.echo(f"wrote {out}", err=True)
