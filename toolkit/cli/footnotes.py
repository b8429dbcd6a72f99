"""``toolkit footnotes``: the footnote resolution report as JSONL."""

from __future__ import annotations

from ._app import CorpusOpt, OutOpt, app


@app.command("footnotes")
def footnotes_command(corpus: CorpusOpt = None, out: OutOpt = None) -> int:
    """One record per marker (resolved or unresolved), then unreferenced and duplicate bodies."""
    from ..footnotes import resolve_footnotes
    from ..jsonl import write_jsonl
    from ..layout import Layout
    from ..readers import iter_blocks

    write_jsonl(out, (link.to_dict() for link in resolve_footnotes(iter_blocks(Layout.open(corpus_dir=corpus)))))
    return 0
