"""``toolkit import``: annotations brought back from an annotation tool, checked and merged."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import AnnotationsOpt, CorpusOpt, app


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="A file, or a folder of exported files.")],
    input_format: Annotated[str, typer.Option(
        "--format", help="xmi, brat, labelstudio, prodigy or doccano (docbin, conll and w3c are export only).")],
    mapping: Annotated[list[str] | None, typer.Option(
        "--map", help="A mapping file (JSON), or TYPE=LAYER[:LABEL]: which of the tool's types become which "
        "layers (repeatable; the format's own exports need none).")] = None,
    layer: Annotated[list[str] | None, typer.Option(
        "--layer", help="The layers the files are the whole truth about (repeatable; default: what the export "
        "named, else the layers the mapping gives spans to, and then nothing is removed).")] = None,
    annotator: Annotated[str | None, typer.Option("--annotator", help="Annotator of new records that name none."
                                                  )] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing; print what would be added, changed, "
                                          "moved and removed.")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Write the changes as JSONL here (default: stdout with --dry-run, else none).")] = None,
    corpus: CorpusOpt = None,
    annotations: AnnotationsOpt = None,
) -> None:
    """Read the files, check every record with validate's codes, match ids, and replace the layer files together.

    Exit 0 when merged (or nothing to change), 1 when records break the rules (all listed, nothing written), 2 when a file cannot be read.
    """  # noqa: E501  (one line: the help shows a docstring's line breaks)
    from ..display import printable
    from ..importing import ImportRefused, import_
    from ..jsonl import write_jsonl
    from .validate import echo_findings

    try:
        result = import_(path, format=input_format, mapping=mapping or (), layers=layer, annotator=annotator,
                         dry_run=dry_run, corpus_dir=corpus, annotations_dir=annotations)
    except ImportRefused as refused:
        echo_findings(refused.findings, show_info=False, err=True)  # stdout carries only the changes
        typer.echo("toolkit: import refused: nothing was written", err=True)
        raise typer.Exit(1) from None
    if report is not None or dry_run:
        write_jsonl(report, (c.to_dict() for c in result.changes if c.state != "unchanged"))
    echo_findings(result.findings, show_info=False, summary=False, err=True)
    for reason, n in result.skipped.items():
        typer.echo(printable(f"not imported: {n} × {reason}"), err=True)
    for key, counts in result.summary().items():
        typer.echo(printable(f"{key}: " + ", ".join(f"{n} {state}" for state, n in counts.items())), err=True)
    done = "would write" if dry_run else "wrote"
    files = ", ".join(str(p) for p in result.written) if result.written else "nothing"
    typer.echo(printable(f"{done} {files}" if not dry_run else "dry run: nothing written"), err=True)
