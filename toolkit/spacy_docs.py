"""Blocks and their annotations as spaCy Docs, every layer a span group.

Each Span carries its annotation id (``span.id_``) and label; entity spans
also carry the registry id (``span.kb_id_``). The full record is found by id
(``corpus.annotation(span.id_)``), never through ``Span._`` extensions, which
spaCy keys by offsets and so shares between layers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from spacy.tokens import Doc
from spacy.util import filter_spans

from .errors import ToolkitError
from .footnotes import FootnoteLink
from .models import Annotation, Block

FOOTNOTE_REFS = "footnote_refs"


def attach_spans(
    doc: Doc,
    block: Block,
    layers: Mapping[str, Sequence[Annotation]],
    links: Iterable[FootnoteLink] = (),
) -> Doc:
    """Add ``doc.spans[layer]`` for every layer, ``doc.ents``, and the footnote markers.

    Raises ToolkitError (naming the annotation) for a span that does not
    start and end on token boundaries: ``toolkit validate`` reports those.
    """
    doc.user_data.update(
        {"block": block.id, "doc": block.doc, "part": block.part, "kind": block.kind,
         "section": block.section})
    for layer, records in layers.items():
        spans = []
        for a in records:
            span = doc.char_span(a.start, a.end, label=a.label, kb_id=str(a.attrs.get("entity") or ""),
                                 span_id=a.id)
            if span is None:
                raise ToolkitError(
                    f"span {a.start}:{a.end} {a.text!r} does not align with token boundaries "
                    "(run 'toolkit validate')", record=a.id)
            spans.append(span)
        doc.spans[layer] = spans
        if layer == "entities":
            doc.ents = filter_spans(spans)
    refs = []
    for link in links:
        if link.paragraph == block.id and link.start is not None and link.end is not None:
            span = doc.char_span(link.start, link.end, label="FOOTNOTE_REF",
                                 kb_id=link.footnote or "", span_id=link.footnote or "")
            if span is None:
                raise ToolkitError("footnote marker is not a token of its own; build the "
                                   "pipeline with toolkit.make_nlp()", record=block.id)
            refs.append(span)
    doc.spans[FOOTNOTE_REFS] = refs
    return doc
