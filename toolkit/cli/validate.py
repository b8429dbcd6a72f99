"""``toolkit validate``: report every problem of the corpus and its annotations."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import AnnotationsOpt, CorpusOpt, EngineOpt, SchedulerOpt, app

if TYPE_CHECKING:
    from ..validation import Finding


@app.command("validate")
def validate_command(
    corpus: CorpusOpt = None,
    annotations: AnnotationsOpt = None,
    output_format: Annotated[str, typer.Option(
        "--format", help="text (grouped, with a summary) or json (one finding per line).")] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors for the exit status.")] = False,
    show_info: Annotated[bool, typer.Option("--info", help="Also show info findings in text output.")] = False,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="Worker processes (documents are shared out); with --engine dask, the workers "
        "of the local cluster.")] = 1,
    engine: EngineOpt = "processes",
    scheduler: SchedulerOpt = None,
) -> None:
    """Exit 0 when there are no errors, 1 when there are (or warnings with --strict), 2 when inputs are unreadable."""
    from ..jsonl import dumps
    from ..validation import validate

    if output_format not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--format")
    findings = validate(corpus_dir=corpus, annotations_dir=annotations, n_process=workers, engine=engine,
                        scheduler=scheduler)
    counts = Counter(f.severity for f in findings)
    if output_format == "json":
        for f in findings:
            typer.echo(dumps(f.to_dict()))
    else:
        echo_findings(findings, show_info=show_info)
    failed = counts["error"] > 0 or (strict and counts["warning"] > 0)
    raise typer.Exit(1 if failed else 0)


def echo_findings(findings: list[Finding], *, show_info: bool, summary: bool = True, err: bool = False) -> None:
    """Findings grouped by file, each with its hint; then the counts (on stderr)."""
    from ..display import printable, quote_id

    current = None
    for f in findings:
        if f.severity == "info" and not show_info:
            continue
        if f.file != current:
            current = f.file
            typer.echo(typer.style(printable(current or "(corpus)"), bold=True), err=err)
        where = f":{f.line}" if f.line is not None else ""
        record = f" [{quote_id(f.id)}]" if f.id else ""
        typer.echo(printable(f"  {where:>6} {f.code} {f.severity}{record}: {f.message}"), err=err)
        typer.echo(f"         hint: {f.hint}", err=err)
    if summary:
        counts = Counter(f.severity for f in findings)
        typer.echo(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info", err=True)
