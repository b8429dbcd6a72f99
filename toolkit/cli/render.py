"""``toolkit render``: the annotated essay as one self-contained HTML page."""

from __future__ import annotations

from collections import defaultdict
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
    """Write every block with its layers highlighted, a legend, linked footnotes and an index of entities."""
    from ..corpus import load_corpus
    from ..jsonl import atomic_open
    from ..render import render_page

    data = load_corpus(corpus, annotations)
    title = " · ".join(d.title for d in data.documents.values())
    by_block = defaultdict(list)
    for annotation in data.annotations():
        by_block[annotation.paragraph].append(annotation)
    html = render_page(title, data, by_block, data.footnote_links(), data.entities)
    with atomic_open(out) as f:
        f.write(html)
    typer.echo(f"wrote {out}", err=True)
