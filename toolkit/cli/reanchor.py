"""``toolkit reanchor``: annotations whose offsets no longer fit, re-attached by their quotes."""

from __future__ import annotations

from ._app import AnnotationsOpt, CorpusOpt, app
from .revise import DryRunOpt, ReportOpt, check_report, finish


@app.command("reanchor")
def reanchor_command(
    corpus: CorpusOpt = None,
    annotations: AnnotationsOpt = None,
    dry_run: DryRunOpt = False,
    report: ReportOpt = None,
) -> None:
    """Re-attach, by quote, annotations whose offsets do not fit the text (hand edits, files made against
    another version); what cannot be placed once goes to orphans.jsonl. One report line per annotation."""
    from ..anchoring import reanchor

    check_report(report)
    outcomes = reanchor(corpus_dir=corpus, annotations_dir=annotations, dry_run=dry_run)
    moved = sum(1 for o in outcomes if o.new is not None and o.new is not o.old)
    finish(outcomes, report, "reanchor", f"moved: {moved}", dry_run)
