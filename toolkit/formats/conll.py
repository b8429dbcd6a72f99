"""CoNLL-2003-style named entities (``DOC.conll``): one token a line, ``TOKEN TAG``, a blank line between sentences.

The file opens with ``-DOCSTART- O`` and a blank line, as CoNLL-2003 files
do (readers skip it; spaCy's ``convert --converter ner`` splits documents
there). Tokens are the toolkit tokenizer's over each block, sentences its
sentence rules (``context.nlp()``); whitespace tokens are left out, since a
line cannot hold one. Tags are IOB2 (``B-GPE``, ``I-GPE``, ``O``), or BILUO
(``U-GPE``, ``L-GPE``) with the option ``scheme="biluo"``.

The entities are the first layer the schema marks ``ents``. IOB has one tag
per token, so only the outermost spans are written (where spans overlap,
the longest, as in the toolkit's Docs' ``doc.ents``): what is nested inside
them (``Modarresi`` inside ``the Modarresi camp``), the other layers, the
attributes, ids, annotators, notes and reviews are not. An entity that
crosses a sentence boundary of the rules keeps the two sentences together.
Export only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator

from spacy.tokens import Doc
from spacy.util import filter_spans

from ..display import quote
from ..errors import ToolkitError
from ..schema import Schema
from .model import ExportContext, SourceDocument, Span

SCHEMES = ("iob2", "biluo")
DOCSTART = "-DOCSTART- O"


def export_document(doc: SourceDocument, context: ExportContext) -> dict[str, bytes]:
    scheme = context.options.get("scheme", "iob2")
    if scheme not in SCHEMES:
        raise ToolkitError(f"unknown scheme {quote(scheme)}; conll writes {', '.join(SCHEMES)}")
    layer = entity_layer(context.schema)
    pieces = [(b.source_start, b.text) for b in doc.blocks] or [(0, doc.text)]  # a document without blocks: one
    starts = [start for start, _ in pieces]
    spans: list[list[Span]] = [[] for _ in pieces]
    for span in doc.spans:
        if span.type == layer:
            spans[max(bisect_right(starts, span.start) - 1, 0)].append(span)
    lines = [DOCSTART, ""]
    parsed = context.nlp().pipe(text for _, text in pieces)
    for (start, _), tokens, inside in zip(pieces, parsed, spans, strict=True):
        for sentence in sentences(tokens, outermost(tokens, inside, start), scheme):
            lines.extend(f"{token} {tag}" for token, tag in sentence)
            lines.append("")
    return {f"{doc.doc}.conll": "\n".join(lines).encode()}


def export_config(context: ExportContext) -> dict[str, bytes]:
    return {}


def entity_layer(schema: Schema) -> str:
    """The first layer marked ``ents``: the one IOB tags.

    >>> from toolkit.layout import Layout
    >>> entity_layer(Layout.open().schema)
    'entities'
    """
    found = next((layer.name for layer in schema.layers.values() if layer.ents), None)
    if found is None:
        raise ToolkitError('no layer of the schema is marked "ents": true; conll writes that layer')
    return found


def outermost(doc: Doc, spans: Iterable[Span], offset: int) -> list[tuple[int, int, str]]:
    """The spans (source offsets; the block starts at ``offset``) as token ranges, the outermost only, in order."""
    found = []
    for span in spans:
        char_span = doc.char_span(span.start - offset, span.end - offset, label=span.label or "")
        if char_span is None:
            raise ToolkitError(f"span {span.start}:{span.end} {quote(doc.text[span.start - offset:span.end - offset])}"
                               " does not align with token boundaries", record=span.id, code="E201")
        found.append(char_span)
    return [(s.start, s.end, s.label_) for s in sorted(filter_spans(found), key=lambda s: s.start)]


def sentences(doc: Doc, entities: list[tuple[int, int, str]], scheme: str) -> Iterator[list[tuple[str, str]]]:
    """Each sentence as (token, tag) pairs, whitespace tokens left out; a sentence an entity runs on joins the next."""
    tags = ["O"] * len(doc)
    for start, end, label in entities:
        if scheme == "biluo" and end - start == 1:
            tags[start] = f"U-{label}"
            continue
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
        if scheme == "biluo":
            tags[end - 1] = f"L-{label}"
    inside = {i for start, end, _ in entities for i in range(start + 1, end)}
    sentence: list[tuple[str, str]] = []
    for token in doc:
        if token.is_sent_start and token.i not in inside and sentence:
            yield sentence
            sentence = []
        if token.is_space:
            continue
        if any(ch.isspace() for ch in token.text):
            raise ToolkitError(f"the token {quote(token.text)} holds a space: a CoNLL line cannot hold it")
        sentence.append((token.text, tags[token.i]))
    if sentence:
        yield sentence
