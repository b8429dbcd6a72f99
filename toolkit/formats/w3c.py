"""W3C Web Annotation Data Model, JSON-LD (``DOC.jsonld``): an AnnotationCollection of every span of a document.

The file is one JSON-LD document: an ``AnnotationCollection`` whose embedded
``first`` ``AnnotationPage`` lists the annotations in ``items`` (an ordered
list), in the document's reading order. Each annotation::

    {"id": "urn:toolkit:annotation:pwc:e-0001", "type": "Annotation", "toolkit:layer": "entities",
     "creator": {"id": "urn:toolkit:annotator:pass-b", "name": "pass-b"},
     "body": [{"type": "TextualBody", "purpose": "tagging", "value": "IDEOLOGY"},
              {"type": "SpecificResource", "purpose": "identifying", "source": "urn:toolkit:registry:worker-communism",
               "toolkit:attribute": "entity"},
              {"type": "TextualBody", "purpose": "describing", "value": "NAM", "toolkit:attribute": "mention"}],
     "target": {"type": "SpecificResource", "source": "urn:toolkit:doc:pwc",
                "selector": [{"type": "TextQuoteSelector", "exact": "Worker Communism",
                              "prefix": "Prospects of ", "suffix": "\\n\\nRezgar Akrawi\\n2025 / 7 / 3\\n\\nPr"},
                             {"type": "TextPositionSelector", "start": 13, "end": 29}]}}

- ``target.source`` is the document, ``urn:toolkit:doc:DOC``; the text the
  selectors count in is its verbatim source (``SOURCE.txt``), whole.
- ``TextPositionSelector`` counts Unicode code points, end exclusive, as
  the model requires ("in terms of unicode code points ..., not in terms of
  code units", sections 4.2.4 and 4.2.5): a JavaScript client counting UTF-16 units
  differs after a character outside the BMP. ``TextQuoteSelector`` has the
  quote and up to 32 code points before and after it (less at the ends).
- The label is a ``TextualBody`` with the purpose ``tagging``. Each value
  of an attribute is a body of its own, ``toolkit:attribute`` naming the
  attribute: a registry id (``registry_id``, ``registry_ids``, a holder that
  is a registry id) is a ``SpecificResource`` whose source is
  ``urn:toolkit:registry:ID``, with the purpose ``identifying`` for the
  layer's link to the registry and ``linking`` for any other; any other
  value is a ``TextualBody`` with the purpose ``describing``. A list keeps
  its order only as the bodies' order in the file (``body`` is a set in the
  model).
- ``note`` is a ``TextualBody`` with the purpose ``commenting``; the
  annotator is the ``creator``; the layer and ``review`` are
  ``toolkit:layer`` and ``toolkit:review``. ``toolkit:`` is
  ``urn:toolkit:vocab#``, declared in an extra context beside the W3C one.
- Ids are IRIs: ``urn:toolkit:annotation:DOC:ID`` (ids are unique within a
  document).

Every document is expanded with pyld before it is written, against the W3C
context shipped in ``contexts/anno.jsonld`` (:func:`document_loader`: no
network). Export only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote as iri_quote

from pyld import jsonld

from ..errors import ToolkitError
from ..jsonl import dumps
from ..schema import LayerSchema
from .model import ExportContext, SourceDocument, Span

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
VOCAB = "urn:toolkit:vocab#"
CONTEXT: list[Any] = [W3C_CONTEXT, {"toolkit": VOCAB}]
CONTEXT_AROUND = 32  # code points of prefix and suffix
CONTEXT_FILE = Path(__file__).parent / "contexts" / "anno.jsonld"  # see contexts/README.md: where it came from
REGISTRY_TYPES = ("registry_id", "registry_ids", "holder", "holders")


def document_iri(doc: str) -> str:
    return f"urn:toolkit:doc:{_part(doc)}"


def annotation_iri(doc: str, annotation: str) -> str:
    """The IRI of one of our annotations.

    >>> annotation_iri("pwc", "e-0001")
    'urn:toolkit:annotation:pwc:e-0001'
    """
    return f"urn:toolkit:annotation:{_part(doc)}:{_part(annotation)}"


def registry_iri(entity: str) -> str:
    return f"urn:toolkit:registry:{_part(entity)}"


def _part(value: str) -> str:
    return iri_quote(value, safe="-._~")


def export_document(doc: SourceDocument, context: ExportContext) -> dict[str, bytes]:
    assert doc.doc is not None
    items = [annotation(span, doc, context) for span in doc.spans]
    collection: dict[str, Any] = {"@context": CONTEXT, "id": f"{document_iri(doc.doc)}:annotations",
                                  "type": "AnnotationCollection"}
    record = context.documents.get(doc.doc)
    if record is not None:
        collection["label"] = record.title
    collection.update({"total": len(items),
                       "first": {"id": f"{document_iri(doc.doc)}:annotations:page1", "type": "AnnotationPage",
                                 "startIndex": 0, "items": items}})
    check(collection)
    return {f"{doc.doc}.jsonld": (json.dumps(collection, ensure_ascii=False, indent=2) + "\n").encode()}


def export_config(context: ExportContext) -> dict[str, bytes]:
    return {}


def annotation(span: Span, doc: SourceDocument, context: ExportContext) -> dict[str, Any]:
    """One Annotation: its bodies (label, attributes, note) and its target (quote and position)."""
    assert doc.doc is not None
    text = doc.text
    layer = context.schema.layer(span.type)
    record: dict[str, Any] = {"id": annotation_iri(doc.doc, span.id or f"{span.type}-{span.start}-{span.end}"),
                              "type": "Annotation", "toolkit:layer": span.type}
    if span.annotator is not None:
        record["creator"] = {"id": f"urn:toolkit:annotator:{_part(span.annotator)}", "name": span.annotator}
    bodies: list[dict[str, Any]] = [{"type": "TextualBody", "purpose": "tagging", "value": span.label}]
    for name, value in span.features.items():
        bodies.extend(_bodies(name, value, layer, context.registry))
    if span.note is not None:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": span.note})
    record["body"] = bodies
    quote = {"type": "TextQuoteSelector", "exact": text[span.start:span.end]}
    if span.start:
        quote["prefix"] = text[max(span.start - CONTEXT_AROUND, 0):span.start]
    if span.end < len(text):
        quote["suffix"] = text[span.end:span.end + CONTEXT_AROUND]
    record["target"] = {"type": "SpecificResource", "source": document_iri(doc.doc),
                        "selector": [quote, {"type": "TextPositionSelector", "start": span.start, "end": span.end}]}
    if span.review is not None:
        record["toolkit:review"] = span.review
    return record


def _bodies(name: str, value: Any, layer: LayerSchema, registry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A body per value of the attribute ``name`` (none for null)."""
    attribute = layer.attributes.get(name)
    kind = attribute.type if attribute is not None else "string"
    out = []
    for item in (value if isinstance(value, list) else [value]):
        if item is None:
            continue
        if kind in REGISTRY_TYPES and isinstance(item, str) and (kind.startswith("registry") or item in registry):
            out.append({"type": "SpecificResource", "purpose": "identifying" if name == layer.link else "linking",
                        "source": registry_iri(item), "toolkit:attribute": name})
        else:
            out.append({"type": "TextualBody", "purpose": "describing",
                        "value": item if isinstance(item, str) else dumps(item), "toolkit:attribute": name})
    return out


@cache
def local_context() -> dict[str, Any]:
    """The W3C context shipped with the toolkit (``contexts/anno.jsonld``), parsed."""
    data: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    return data


def document_loader() -> Callable[[str, Any], dict[str, Any]]:
    """A pyld document loader that serves the shipped W3C context and refuses every other URL."""
    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url.rstrip("/") != W3C_CONTEXT:
            raise jsonld.JsonLdError(f"only {W3C_CONTEXT} is served here (no network), not {url}",
                                     "jsonld.LoadDocumentError", {"url": url}, code="loading document failed")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": W3C_CONTEXT,
                "document": local_context()}
    return load


def expand(document: Any) -> list[dict[str, Any]]:
    """``jsonld.expand`` with the local W3C context only."""
    expanded: list[dict[str, Any]] = jsonld.expand(document, {"documentLoader": document_loader()})
    return expanded


def check(collection: dict[str, Any]) -> None:
    """Expand the collection; every item must come out an oa:Annotation (a ToolkitError otherwise)."""
    try:
        (node,) = expand(collection)
        (page,) = node["http://www.w3.org/ns/activitystreams#first"]
        (items,) = page["http://www.w3.org/ns/activitystreams#items"]
        annotations = [item for item in items["@list"] if "http://www.w3.org/ns/oa#Annotation" in item["@type"]]
    except (jsonld.JsonLdError, ValueError, KeyError, TypeError) as e:
        raise ToolkitError(f"the JSON-LD does not expand with the W3C context to a collection of annotations: "
                           f"{type(e).__name__} {e}") from None
    if len(annotations) != collection["total"]:
        raise ToolkitError("the JSON-LD does not expand to one oa:Annotation per span")
