"""``toolkit agree A B``: span-level agreement between two annotation folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import CorpusOpt, app


@app.command("agree")
def agree_command(
    first: Annotated[Path, typer.Argument(help="Annotations folder of the first pass (the reference).")],
    second: Annotated[Path, typer.Argument(help="Annotations folder of the second pass.")],
    corpus: CorpusOpt = None,
) -> None:
    """Precision, recall and F1 of SECOND against FIRST per layer, as JSONL."""
    from ..agreement import agree
    from ..jsonl import dumps

    for record in agree(first, second, corpus_dir=corpus):
        typer.echo(dumps(record))
