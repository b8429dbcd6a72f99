"""``toolkit export``: documents and their annotations in the format of an annotation tool."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import AnnotationsOpt, CorpusOpt, app


@app.command("export")
def export_command(
    output_format: Annotated[str, typer.Option(
        "--format", help="xmi, brat, labelstudio, prodigy, doccano, docbin, conll or w3c.")],
    out: Annotated[Path, typer.Option("--out", help="The folder to write into (one file or set of files per "
                                      "document, the format's configuration beside them).")],
    doc: Annotated[list[str] | None, typer.Option("--doc", help="Export this document (repeatable; default: all).")
                   ] = None,
    layer: Annotated[list[str] | None, typer.Option(
        "--layer", help="A layer of the schema, or all (repeatable; default: all).")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="Keep this label (repeatable).")] = None,
    entity: Annotated[list[str] | None, typer.Option(
        "--entity", help="Keep mentions of this registry id, and claims held by or about it (repeatable).")] = None,
    scheme: Annotated[str, typer.Option("--scheme", help="conll: iob2 or biluo.")] = "iob2",
    force: Annotated[bool, typer.Option("--force", help="Replace files of the same name in --out (an annotator "
                                        "may be working on them).")] = False,
    corpus: CorpusOpt = None,
    annotations: AnnotationsOpt = None,
) -> None:
    """Write each document's verbatim source and its annotations (source offsets) for an annotation tool."""
    from ..display import printable
    from ..exporting import export

    layers = None if not layer or "all" in layer else layer
    options = {"scheme": scheme} if output_format == "conll" else {}
    written = export(format=output_format, out=out, docs=doc or (), layers=layers, labels=label or (),
                     entities=entity or (), options=options, force=force, corpus_dir=corpus,
                     annotations_dir=annotations)
    typer.echo(printable(f"wrote {len(written)} files to {out}"), err=True)
