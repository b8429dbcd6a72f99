"""doccano sequence-labelling JSONL: ``{"text": ..., "label": [[start, end, "LABEL"], ...]}``, one document a line.

Offsets are UTF-16 code units (doccano's frontend counts JavaScript string
indices). doccano keeps any other key of a record as the example's
metadata, and writes it back on export: ``doc`` names the document and
``toolkit`` holds, for each exported span, what doccano has no place for
(layer, our id, attributes, annotator, note, review), keyed by its
``[start, end, label]`` (a span relabelled in doccano keeps its entry by
its offsets). A span made in doccano has no such entry: its type
is ``doccano``, for ``--map doccano=LAYER``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..jsonl import dumps, read_jsonl
from ..schema import Schema
from .mapping import TypeMap, identity
from .model import ExportContext, SourceDocument, Span
from .units import Utf16

PATTERNS = ("*.jsonl",)
FOREIGN = "doccano"  # the type of spans that doccano made


def export_document(doc: SourceDocument, context: ExportContext) -> dict[str, bytes]:
    units = Utf16(doc.text)
    labels, extra = [], []
    for span in doc.spans:
        triple = [units.to_units(span.start), units.to_units(span.end), span.label]
        labels.append(triple)
        extra.append({"span": triple, "layer": span.type, "id": span.id, "attributes": dict(span.features),
                      **{k: v for k, v in (("annotator", span.annotator), ("note", span.note),
                                           ("review", span.review)) if v is not None}})
    record = {"text": doc.text, "label": labels, "doc": doc.doc, "toolkit": extra}
    return {f"{doc.doc}.jsonl": (dumps(record) + "\n").encode()}


def export_config(context: ExportContext) -> dict[str, bytes]:
    return {}


def read(path: Path) -> Iterator[SourceDocument]:
    for line, record in read_jsonl(path):
        text = record.get("text")
        if not isinstance(text, str) or not isinstance(record.get("label", []), list):
            raise ToolkitError('not a doccano record: give "text" (a string) and "label" (a list of '
                               "[start, end, label])", file=path, line=line)
        doc = record.get("doc")
        yield SourceDocument(doc if isinstance(doc, str) else None, text, _spans(record, text, path, line), path)


def default_mapping(schema: Schema) -> dict[str, TypeMap]:
    return identity(schema)


def _spans(record: dict[str, Any], text: str, path: Path, line: int) -> tuple[Span, ...]:
    units = Utf16(text)
    entries = record.get("toolkit") or []
    if not isinstance(entries, list):
        raise ToolkitError('"toolkit" (what doccano has no place for) is a list', file=path, line=line)
    # An entry belongs to the span at its offsets: the label may have been changed in doccano.
    extra: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for entry in entries:
        at = entry.get("span") if isinstance(entry, dict) else None
        if not (isinstance(at, list) and len(at) == 3 and all(type(v) is int for v in at[:2])):
            raise ToolkitError('an entry of "toolkit" has the "span" [start, end, label] it is about', file=path,
                               line=line)
        extra.setdefault((at[0], at[1]), []).append(entry)
    spans = []
    for n, item in enumerate(record.get("label", [])):
        if not (isinstance(item, list) and len(item) == 3 and all(type(v) is int for v in item[:2])
                and isinstance(item[2], str)):
            raise ToolkitError(f"label {n + 1} is not [start, end, label]", file=path, line=line)
        start, end = units.to_points(item[0]), units.to_points(item[1])
        if start is None or end is None:
            raise ToolkitError(f"label {n + 1}: {item[0]}:{item[1]} is not a range of the text in UTF-16 units",
                               file=path, line=line)
        queue = extra.get((item[0], item[1]), [])
        same = [e for e in queue if e["span"][2] == item[2]]  # the span as exported, else one relabelled
        ours = (same or queue or [{}])[0]
        if ours:
            queue.remove(ours)
        layer, attributes = ours.get("layer"), ours.get("attributes")
        spans.append(Span(start, end, layer if isinstance(layer, str) else FOREIGN, item[2],
                          attributes if isinstance(attributes, dict) else {}, _text(ours, "id"), f"label {n + 1}",
                          _text(ours, "annotator"), _text(ours, "note"), _text(ours, "review"), line))
    return tuple(spans)


def _text(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return value if isinstance(value, str) else None
