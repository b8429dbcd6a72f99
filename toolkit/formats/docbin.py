"""spaCy training data (``DOC.spacy``): a DocBin with one Doc per block, made as the toolkit's own Docs are.

Each Doc is what :func:`toolkit.stream_docs` gives for the block: the
toolkit's tokenizer and sentence rules (``context.nlp()``), every layer as a
span group ``doc.spans[LAYER]`` (``span.label_`` our label, ``span.id_`` our
annotation id, ``span.kb_id_`` the registry id of a layer that links to the
registry), the layers the schema marks ``ents`` as ``doc.ents`` (where they
overlap, the longest span: ``doc.ents`` cannot nest), the footnote markers
as ``doc.spans["footnote_refs"]``, and in ``doc.user_data`` the block
(``block``, ``doc``, ``part``, ``kind``, ``section``) and, under
``annotations``, a table by annotation id of what a Span has no place for:
``{"layer", "attributes", "annotator", "note", "review"}`` (the DocBin is
written with ``store_user_data=True``; spaCy reads its lists back as
tuples). A ``Span._`` extension would not
do: spaCy keys those by offsets, so an entity and a claim with the same
offsets would share them.

``config.cfg`` beside the documents is spaCy's ``init config --lang en
--pipeline ner,spancat`` with the spancat's ``spans_key`` set to the first
``ents`` layer (ner learns its outermost spans, spancat all of them, nested
ones too): ``python -m spacy train config.cfg --paths.train DOC.spacy
--paths.dev DOC.spacy``. Export only.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import DocBin

from ..footnotes import links_by_block
from ..join import AnnotatedBlock
from ..models import Annotation, Block
from ..nlp import block_text
from ..spacy_docs import attach_spans
from .model import ExportContext, SourceDocument, Span

USER_DATA = "annotations"  # doc.user_data key of the table by annotation id


def export_document(doc: SourceDocument, context: ExportContext) -> dict[str, bytes]:
    nlp = context.nlp()
    # a document without blocks (made by hand, not exported) is one block
    blocks = doc.blocks or (Block(doc.doc or "", doc.doc or "", "paragraph", None, None, doc.text, 0, len(doc.text)),)
    links = links_by_block(blocks)
    items = [AnnotatedBlock(block, {layer: [] for layer in context.schema.layers}, links.get(block.id, []))
             for block in blocks]
    starts = [block.source_start for block in blocks]
    for span in doc.spans:
        item = items[max(bisect_right(starts, span.start) - 1, 0)]
        item.layers.setdefault(span.type, []).append(_annotation(span, item.block))
    docbin = DocBin(store_user_data=True)
    pairs = ((block_text(nlp, item.block), item) for item in items)
    for parsed, item in nlp.pipe(pairs, as_tuples=True):
        attach_spans(parsed, item, context.schema)
        parsed.user_data[USER_DATA] = {a.id: _side(a) for records in item.layers.values() for a in records}
        docbin.add(parsed)
    return {f"{doc.doc}.spacy": docbin.to_bytes()}


def export_config(context: ExportContext) -> dict[str, bytes]:
    """``config.cfg``: a blank English ner + spancat pipeline, spancat on the first ``ents`` layer, the toolkit's
    tokenizer (``toolkit.Tokenizer.v1``)."""
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=["ner", "spancat"], optimize="efficiency", gpu=False, silent=True)
    layer = next((spec.name for spec in context.schema.layers.values() if spec.ents), None)
    if layer is not None:
        config["components"]["spancat"]["spans_key"] = layer
    config["nlp"]["tokenizer"] = {"@tokenizers": "toolkit.Tokenizer.v1"}  # as the data was tokenized
    return {"config.cfg": config.to_str().encode()}


def _annotation(span: Span, block: Block) -> Annotation:
    start, end = span.start - block.source_start, span.end - block.source_start
    return Annotation(span.type, span.id or "", block.id, start, end, block.text[start:end], span.label or "",
                      dict(span.features), span.annotator, span.note, span.review)


def _side(a: Annotation) -> dict[str, object]:
    """What a Span cannot hold, for the table by annotation id."""
    side: dict[str, object] = {"layer": a.layer, "attributes": {k: v for k, v in a.attrs.items() if v is not None}}
    side.update({k: v for k, v in (("annotator", a.annotator), ("note", a.note), ("review", a.review))
                 if v is not None})
    return side
