"""Blocks and their annotations as spaCy Docs, every layer a span group.

Each Span carries its annotation id (``span.id_``) and label; entity spans
also carry the registry id (``span.kb_id_``). The full record is found by id
(``corpus.annotation(span.id_)``), never through ``Span._`` extensions, which
spaCy keys by offsets and so shares between layers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc, Span
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
    starts = {offset: i for i, offset in enumerate(doc.to_array(IDX).tolist())}
    ends = {offset + length: i for i, (offset, length) in enumerate(doc.to_array([IDX, LENGTH]).tolist())}
    for layer, records in layers.items():
        spans = []
        for a in records:
            first, last = starts.get(a.start), ends.get(a.end)
            span = None if first is None or last is None else Span(
                doc, first, last + 1, label=a.label, kb_id=str(a.attrs.get("entity") or ""), span_id=a.id)
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


def stream_docs(corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None, *,
                nlp: Language | None = None, n_process: int = 1, batch_size: int = 256) -> Iterator[Doc]:
    """One Doc per block of the corpus, with every layer attached, holding one part at a time.

    Unlike :meth:`toolkit.Corpus.docs` it does not load the corpus into
    memory first; ``n_process`` is passed to ``nlp.pipe``.

    >>> doc = next(stream_docs())
    >>> doc.user_data["block"], [s.text for s in doc.spans["entities"]]
    ('pwc.front.title1', ['Worker Communism'])
    """
    from .nlp import make_nlp
    from .stream import iter_parts

    parts = iter_parts(corpus_dir, annotations_dir)
    pipeline = make_nlp(nlp)
    pairs = ((item.block.text, item) for part in parts for item in part)
    return (attach_spans(doc, item.block, item.layers, item.links)
            for doc, item in pipeline.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process))
