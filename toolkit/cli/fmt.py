"""``toolkit fmt``: rewrite annotation files in canonical form and reading order (``--check``: only list them)."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import AnnotationsOpt, CorpusOpt, app


@app.command("fmt")
def fmt_command(
    annotations: AnnotationsOpt = None,
    corpus: CorpusOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Change nothing; exit 1 listing the files that would change.")
                     ] = False,
) -> None:
    """Rewrite the layer files and the registry in canonical form and reading order, each record checked."""
    from ..display import printable
    from ..formatting import fmt

    changed = fmt(corpus_dir=corpus, annotations_dir=annotations, check=check)
    for path in changed:
        typer.echo(printable(f"{'would reformat' if check else 'reformatted'} {path}"))
    if not changed:
        typer.echo("all files in canonical form", err=True)
    raise typer.Exit(1 if check and changed else 0)
