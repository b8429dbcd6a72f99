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
    from ..corpus import load_corpus
    from ..edition import render_page
    from ..jsonl import atomic_open

    data = load_corpus(corpus_dir=corpus, annotations_dir=annotations)
    title = " · ".join(d.title for d in data.documents.values())
    html = render_page(data.annotated_blocks(), data.registry, data.layout.schema, title=title)
    with atomic_open(out) as f:
        f.write(html)
    typer.echo(f"wrote {out}", err=True)
