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
    from ..display import printable
    from ..edition import render
    from ..edition.theme import Styles
    from ..layout import Layout

    render(out, corpus_dir=corpus, annotations_dir=annotations)
    for repeat in Styles(Layout.open(corpus_dir=corpus, annotations_dir=annotations).schema).repeats:
        typer.echo(printable(f"warning: {repeat}; the key still names each"), err=True)
    typer.echo(f"wrote {out}", err=True)
