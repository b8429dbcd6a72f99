"""Prodigy span JSONL (``DOC.jsonl``): one task per document, the whole verbatim source as its text.

A record is what Prodigy's ``spans.manual`` and ``ner.manual`` read and
write::

    {"text": SOURCE, "meta": {"doc": "pwc"},
     "tokens": [{"text": "Prospects", "start": 0, "end": 9, "id": 0, "ws": true}, ...],
     "spans": [{"start": 13, "end": 29, "token_start": 2, "token_end": 3, "label": "IDEOLOGY",
                "layer": "entities", "id": "e-0001", "attributes": {"entity": "worker-communism", "mention": "NAM"},
                "annotator": "pass-b"}, ...]}

``token_end`` is inclusive, as in Prodigy. The tokens are the toolkit
tokenizer's over each block (what ``validate`` and the Docs align spans to)
and over the text between blocks, so every span falls on token boundaries;
over the shipped corpus they are the tokens of the whole source.

Prodigy keeps extra keys on spans; ours are

| key | what |
| --- | --- |
| ``layer`` | our layer (Prodigy's ``label`` is our label; two layers may share a label) |
| ``id`` | our annotation id |
| ``attributes`` | the layer's attributes, non-null ones (lists as lists) |
| ``annotator``, ``note``, ``review`` | as in the layer records, where set |

and ``meta.doc`` names the document. Reading, a span's type is its
``layer``; a span without one (a record Prodigy wrote from its own
annotation) has the type ``spans``, to be mapped (``--map spans=entities``),
its other keys Prodigy does not use are its features, and the task's
``_annotator_id`` is its annotator. A record whose
``answer`` is ``reject`` or ``ignore`` is refused, naming its line: its spans
are not annotations, and leaving it out in silence would lose the
difference; keep the accepted records (``answer == "accept"``) of a
``prodigy db-out`` and read those. Nothing else of a task is read
(Prodigy's hashes, ``_view_id``, the ``relations`` of ``rel.manual``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..display import quote
from ..errors import ToolkitError
from ..jsonl import dumps, read_jsonl
from ..schema import Schema
from .mapping import TypeMap, identity
from .model import ExportContext, SourceDocument, Span

PATTERNS = ("*.jsonl",)
FOREIGN_TYPE = "spans"  # the type of a span Prodigy wrote without our layer
OURS = ("layer", "id", "attributes", "annotator", "note", "review")
PRODIGY_KEYS = ("start", "end", "token_start", "token_end", "label", "text", "source", "input_hash", "answer")
ANSWERS = ("accept", "reject", "ignore")


def export_document(doc: SourceDocument, context: ExportContext) -> dict[str, bytes]:
    """``DOC.jsonl``: one Prodigy task holding the whole source and every span."""
    tokens = source_tokens(doc, context)
    first_of = {t["start"]: t["id"] for t in tokens}
    last_of = {t["end"]: t["id"] for t in tokens}
    spans = []
    for span in doc.spans:
        if span.start not in first_of or span.end not in last_of:
            raise ToolkitError(f"span {span.start}:{span.end} {quote(doc.text[span.start:span.end])} does not "
                               "align with token boundaries", record=span.id, code="E201")
        record: dict[str, Any] = {"start": span.start, "end": span.end, "token_start": first_of[span.start],
                                  "token_end": last_of[span.end], "label": span.label, "layer": span.type}
        if span.id is not None:
            record["id"] = span.id
        record["attributes"] = {k: v for k, v in span.features.items() if v is not None}
        for name in ("annotator", "note", "review"):
            if getattr(span, name) is not None:
                record[name] = getattr(span, name)
        spans.append(record)
    task = {"text": doc.text, "meta": {"doc": doc.doc}, "tokens": tokens, "spans": spans}
    return {f"{doc.doc}.jsonl": (dumps(task) + "\n").encode()}


def export_config(context: ExportContext) -> dict[str, bytes]:
    return {}


def source_tokens(doc: SourceDocument, context: ExportContext) -> list[dict[str, Any]]:
    """Prodigy's tokens over the whole source: each block and each stretch between blocks tokenized on its own.

    Whitespace tokens (``"\\n\\n"`` between blocks) are kept, as Prodigy's
    own tokenizer keeps them, so the tokens cover the text and a Doc made
    from them has the text of the source.
    """
    cuts = sorted({0, len(doc.text), *(b.source_start for b in doc.blocks), *(b.source_end for b in doc.blocks)})
    tokens: list[dict[str, Any]] = []
    for start, end in pairwise(cuts):
        for token in context.tokenize(doc.text[start:end]):
            at = start + token.idx
            tokens.append({"text": token.text, "start": at, "end": at + len(token.text), "id": len(tokens),
                           "ws": bool(token.whitespace_)})
    return tokens


def read(path: Path) -> Iterator[SourceDocument]:
    """The documents of a Prodigy JSONL file, one per task (``meta.doc`` names ours)."""
    records = read_jsonl(path)  # checks the file at the call
    return (_document(task, path, line) for line, task in records)


def _document(task: Any, path: Path, line: int) -> SourceDocument:
    def fail(message: str) -> ToolkitError:
        record = task.get("_task_hash") if isinstance(task, dict) else None
        return ToolkitError(message, file=path, line=line, record=None if record is None else str(record))

    if not isinstance(task, dict) or not isinstance(task.get("text"), str):
        raise fail('not a Prodigy task: a JSON object with a "text" string')
    answer = task.get("answer", "accept")
    if answer != "accept":
        if answer in ANSWERS:
            raise fail(f"the task's answer is {quote(answer)}: its spans are not annotations; keep the accepted "
                       "tasks (answer \"accept\") and read those")
        raise fail(f"unknown answer {quote(answer)}; Prodigy answers {', '.join(ANSWERS)}")
    text: str = task["text"]
    tokens = task.get("tokens")
    if tokens is not None and not (isinstance(tokens, list) and all(_is_token(t) for t in tokens)):
        raise fail('"tokens" should be a list of {"text", "start", "end", "id"} objects')
    raw_spans = task.get("spans", [])
    if not isinstance(raw_spans, list):
        raise fail('"spans" should be a list')
    annotator = task.get("_annotator_id")  # Prodigy's "DATASET-SESSION": who made the spans made in Prodigy
    annotator = annotator if isinstance(annotator, str) else None
    spans = tuple(_span(s, n, text, tokens, fail, line, annotator) for n, s in enumerate(raw_spans, 1))
    meta = task.get("meta")
    doc = meta.get("doc") if isinstance(meta, dict) else None
    return SourceDocument(doc if isinstance(doc, str) else None, text, spans, file=path)


def _is_token(token: Any) -> bool:
    return isinstance(token, dict) and all(type(token.get(k)) is int for k in ("start", "end", "id"))


def _span(span: Any, n: int, text: str, tokens: list[dict[str, Any]] | None, fail: Callable[[str], ToolkitError],
          line: int, annotator: str | None) -> Span:
    where = f"span {n}"
    if not isinstance(span, dict):
        raise fail(f"{where} is not an object")
    start, end, label = span.get("start"), span.get("end"), span.get("label")
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
        raise fail(f"{where}: start {start!r} and end {end!r} should be offsets into the text, start < end "
                   f"<= {len(text)}")
    if not isinstance(label, str):
        raise fail(f"{where}: no label")
    if tokens is not None and ("token_start" in span or "token_end" in span):
        first, last = span.get("token_start"), span.get("token_end")  # token_end inclusive
        if not (type(first) is int and type(last) is int and 0 <= first <= last < len(tokens)
                and tokens[first]["start"] == start and tokens[last]["end"] == end):
            raise fail(f"{where}: tokens {first!r}..{last!r} (token_end inclusive) do not cover {start}:{end}")
    attributes = span.get("attributes", {})
    if not isinstance(attributes, dict):
        raise fail(f"{where}: \"attributes\" should be an object")
    for name in ("layer", "id", "annotator", "note", "review"):
        if span.get(name) is not None and not isinstance(span[name], str):
            raise fail(f"{where}: {quote(name)} should be a string")
    features = {k: v for k, v in span.items() if k not in OURS and k not in PRODIGY_KEYS} | attributes
    layer = span.get("layer")
    if layer is None:  # a span made in Prodigy: who made it is the task's annotator
        return Span(start, end, FOREIGN_TYPE, label, features, annotator=annotator, line=line)
    return Span(start, end, layer, label, features, id=span.get("id"), annotator=span.get("annotator"),
                note=span.get("note"), review=span.get("review"), line=line)


def default_mapping(schema: Schema) -> dict[str, TypeMap]:
    """Our exports read back by their ``layer`` key; Prodigy's own spans (type ``spans``) need ``--map``."""
    return identity(schema)
