"""``toolkit revise``: a corrected or extended source, with every annotation carried over or reported."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import AnnotationsOpt, CorpusOpt, app

if TYPE_CHECKING:
    from ..anchoring import Outcome

ReportOpt = Annotated[Path | None, typer.Option("--report", help="Write the JSONL report here (default: stdout).")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print (or, with --report, write) the report; change "
                                                          "nothing else.")]


@app.command("revise")
def revise_command(
    sources: Annotated[list[Path], typer.Argument(help="The new version of the document's source (UTF-8 text); "
                                                       "or several, each named DOC.txt after its document.")],
    doc: Annotated[str | None, typer.Option("--doc", help="The id of the document one source revises "
                                                           "(default: the file's name without .txt).")] = None,
    corpus: CorpusOpt = None,
    annotations: AnnotationsOpt = None,
    dry_run: DryRunOpt = False,
    report: ReportOpt = None,
) -> None:
    """Make each source the current version of its document: block ids carried, every annotation kept, changed,
    orphaned or ambiguous (one report line each), all files replaced together, old sources kept under versions/."""
    from ..revision import revise

    check_report(report)
    revision = revise(sources, doc=doc, corpus_dir=corpus, annotations_dir=annotations, dry_run=dry_run)
    blocks = f"blocks: {len(revision.added)} new, {len(revision.retired)} retired"
    finish(revision.outcomes, report, f"revise {', '.join(revision.documents)}", blocks, dry_run)


def check_report(report: Path | None) -> None:
    """Refuse a report path that cannot be written before anything else is (the report comes last)."""
    from ..errors import ToolkitError

    if report is not None and (report.is_dir() or not report.parent.is_dir()):
        raise ToolkitError("the report cannot be written here (a folder, or in a folder that does not exist)",
                           file=report)


def finish(outcomes: list[Outcome], report: Path | None, what: str, extra: str, dry_run: bool) -> None:
    """Write the report (one line per annotation) and the summary on stderr."""
    from ..anchoring import summary
    from ..display import printable
    from ..jsonl import write_jsonl
    from ..revision import EXCEPTIONS

    write_jsonl(report, (o.report() for o in outcomes))
    layers = [o for o in outcomes if o.old.layer != EXCEPTIONS]
    counts = ", ".join(f"{n} {state}" for state, n in summary(layers).items())
    dropped = [o for o in outcomes if o.old.layer == EXCEPTIONS and o.new is None]
    tail = f"; exceptions dropped: {len(dropped)}" if dropped else ""
    note = " (dry run: nothing changed)" if dry_run else ""
    typer.echo(printable(f"{what}: {len(layers)} annotations: {counts}; {extra}{tail}{note}"), err=True)
