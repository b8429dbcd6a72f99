"""W3C Web Annotation JSON-LD: pyld expands every annotation with the shipped W3C context alone (no network), into
the W3C's IRIs, and the expanded graph says what the corpus says; the selectors point at the quoted text."""

from __future__ import annotations

import hashlib
import json
import re
import socket
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

import toolkit
from toolkit.errors import ToolkitError
from toolkit.exporting import source_documents
from toolkit.formats import w3c
from toolkit.formats.model import ExportContext, SourceDocument, Span
from toolkit.layout import Layout
from toolkit.readers import read_document, read_document_record

from .conftest import session_pipeline

CONTEXT_FILE = Path(w3c.__file__).parent / "contexts" / "anno.jsonld"
OA = "http://www.w3.org/ns/oa#"
AS = "http://www.w3.org/ns/activitystreams#"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
TOOLKIT = "urn:toolkit:vocab#"


def context() -> ExportContext:
    layout = Layout.open()
    documents = {folder.name: read_document_record(folder) for folder in layout.documents}
    return ExportContext(layout.schema, toolkit.read_registry(), documents, session_pipeline)


@cache
def exported() -> tuple[SourceDocument, dict[str, Any]]:
    layout = Layout.open()
    doc = next(source_documents(layout, layers=list(layout.schema.layers)))
    files = w3c.export_document(doc, context())
    assert list(files) == ["pwc.jsonld"]
    return doc, json.loads(files["pwc.jsonld"])


class Loader:
    """Serves the shipped copy of the W3C context for its IRI; any other URL raises. Counts what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        self.asked.append(url)
        if url != "http://www.w3.org/ns/anno.jsonld":
            raise jsonld.JsonLdError(f"not served: {url}", "jsonld.LoadDocumentError", code="loading document failed")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection or resolve a name fails the test."""
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"the network was touched: {args}")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@cache
def expanded() -> tuple[list[dict[str, Any]], list[str]]:
    loader = Loader()
    _, document = exported()
    return jsonld.expand(document, {"documentLoader": loader}), loader.asked


def items() -> list[dict[str, Any]]:
    (collection,) = expanded()[0]
    assert collection["@type"] == [AS + "OrderedCollection"]  # the W3C context's AnnotationCollection
    (page,) = collection[AS + "first"]
    assert page["@type"] == [AS + "OrderedCollectionPage"]
    found: list[dict[str, Any]] = page[AS + "items"][0]["@list"]
    return found


def one(node: dict[str, Any], iri: str) -> Any:
    (value,) = node[iri]
    return value.get("@value", value.get("@id", value)) if isinstance(value, dict) else value


def test_pyld_expands_every_annotation_with_the_local_context_only(no_network: None) -> None:
    loader = Loader()
    _, document = exported()
    (collection,) = jsonld.expand(document, {"documentLoader": loader})
    assert set(loader.asked) == {"http://www.w3.org/ns/anno.jsonld"}
    annotations = collection[AS + "first"][0][AS + "items"][0]["@list"]
    assert len(annotations) == document["total"] == len(document["first"]["items"])
    assert all(a["@type"] == [OA + "Annotation"] for a in annotations)
    nquads = jsonld.to_rdf(document, {"documentLoader": loader, "format": "application/n-quads"})
    assert f"<{OA}hasTarget>" in nquads and f"<{OA}TextPositionSelector>" in nquads


def test_a_context_from_elsewhere_would_need_the_network_and_is_refused(no_network: None) -> None:
    document = {"@context": "http://example.org/other.jsonld", "id": "urn:x", "type": "Annotation"}
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(document, {"documentLoader": Loader()})
    with pytest.raises(jsonld.JsonLdError):
        w3c.expand(document)


def test_the_expanded_graph_says_what_the_corpus_says() -> None:
    schema = Layout.open().schema
    registry = toolkit.read_registry()
    by_id = {}
    for node in items():
        keys = set(node)
        assert {OA + "hasBody", OA + "hasTarget", "@id", "@type"} <= keys
        by_id[node["@id"]] = node
    n = 0
    for layer, spec in schema.layers.items():
        for a in toolkit.read_layer(layer):
            n += 1
            node = by_id[f"urn:toolkit:annotation:pwc:{a.id}"]
            assert one(node, TOOLKIT + "layer") == layer
            tags, values, notes = [], defaultdict(list), []
            for body in node[OA + "hasBody"]:
                purpose = one(body, OA + "hasPurpose")
                if purpose == OA + "tagging":
                    assert body["@type"] == [OA + "TextualBody"]
                    tags.append(one(body, RDF_VALUE))
                elif purpose == OA + "commenting":
                    notes.append(one(body, RDF_VALUE))
                else:
                    name = one(body, TOOLKIT + "attribute")
                    if body["@type"] == [OA + "SpecificResource"]:
                        source = one(body, OA + "hasSource")
                        assert source.startswith("urn:toolkit:registry:")
                        entity = source.removeprefix("urn:toolkit:registry:")
                        assert entity in registry
                        assert purpose == OA + ("identifying" if name == spec.link else "linking")
                        values[name].append(entity)
                    else:
                        assert purpose == OA + "describing"
                        values[name].append(one(body, RDF_VALUE))
            assert tags == [a.label]
            expected = {k: v if isinstance(v, list) else [v] for k, v in a.attrs.items() if v not in (None, [])}
            assert dict(values) == expected
            assert notes == ([a.note] if a.note is not None else [])
            if a.annotator is None:
                assert OA + "annotatedBy" not in node and "http://purl.org/dc/terms/creator" not in node
            else:
                (creator,) = node["http://purl.org/dc/terms/creator"]
                assert one(creator, "http://xmlns.com/foaf/0.1/name") == a.annotator
            assert (one(node, TOOLKIT + "review") if TOOLKIT + "review" in node else None) == a.review
    assert n == len(by_id)


def test_every_position_selects_its_quote_and_the_context_around_it() -> None:
    _, blocks = read_document("pwc")
    at = {b.id: b.source_start for b in blocks}
    source = exported()[0].text
    corpus = {f"urn:toolkit:annotation:pwc:{a.id}": (at[a.paragraph] + a.start, at[a.paragraph] + a.end, a.text)
              for layer in Layout.open().schema.layers for a in toolkit.read_layer(layer)}
    for node in items():
        (target,) = node[OA + "hasTarget"]
        assert one(target, OA + "hasSource") == "urn:toolkit:doc:pwc"
        selectors = {s["@type"][0]: s for s in target[OA + "hasSelector"]}
        assert set(selectors) == {OA + "TextQuoteSelector", OA + "TextPositionSelector"}
        quote, position = selectors[OA + "TextQuoteSelector"], selectors[OA + "TextPositionSelector"]
        start, end = int(one(position, OA + "start")), int(one(position, OA + "end"))
        exact = one(quote, OA + "exact")
        assert source[start:end] == exact
        assert (start, end, exact) == corpus[node["@id"]]
        assert one(quote, OA + "prefix") == source[max(0, start - 32):start]
        assert one(quote, OA + "suffix") == source[end:end + 32]


def test_positions_count_code_points() -> None:
    text = "𝔸 Iraq and Iran"
    doc = SourceDocument("d", text, (Span(text.index("Iran"), len(text), "entities", "GPE",
                                          {"entity": "iran", "mention": "NAM"}, id="e-1"),))
    document = json.loads(w3c.export_document(doc, context())["d.jsonld"])
    (item,) = document["first"]["items"]
    quote, position = item["target"]["selector"]
    assert (position["start"], position["end"]) == (11, 15)  # 12 and 16 in UTF-16 units
    assert quote == {"type": "TextQuoteSelector", "exact": "Iran", "prefix": "𝔸 Iraq and "}  # no suffix at the end
    assert "label" not in document  # no document record in the context: no title


def test_the_ids_are_iris_of_ours() -> None:
    _, document = exported()
    ids = [item["id"] for item in document["first"]["items"]]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"urn:toolkit:annotation:pwc:[a-z]-\d{4}", i) for i in ids)
    assert document["label"] == read_document_record(Layout.open().documents[0]).title


def test_the_shipped_context_is_the_w3cs() -> None:
    """The file the README describes: same bytes, and the terms the Recommendation's context defines."""
    readme = (CONTEXT_FILE.parent / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(CONTEXT_FILE.read_bytes()).hexdigest()
    assert f"**sha256:** `{digest}`" in readme
    terms = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert terms["oa"] == OA and terms["as"] == AS
    assert terms["Annotation"] == "oa:Annotation"
    assert terms["target"] == {"@type": "@id", "@id": "oa:hasTarget"}
    assert terms["exact"] == "oa:exact" and terms["start"] == {"@id": "oa:start", "@type": "xsd:nonNegativeInteger"}
    assert terms["items"] == {"@type": "@id", "@id": "as:items", "@container": "@list"}


def test_a_document_that_would_not_expand_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Callable[[str, Any], dict[str, Any]]:
        def load(url: str, options: Any = None) -> dict[str, Any]:
            return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                    "document": {"@context": {"type": {"@id": "@type", "@type": "@vocab", "@container": "@list"}}}}
        return load
    monkeypatch.setattr(w3c, "document_loader", broken)
    doc = SourceDocument("d", "Iran", (Span(0, 4, "entities", "GPE", {}, id="e-1"),))
    with pytest.raises(ToolkitError, match="does not expand"):
        w3c.export_document(doc, context())


def test_the_export_command_writes_it(tmp_path: Path) -> None:
    from toolkit.exporting import export

    written = export(format="w3c", out=tmp_path)
    assert tmp_path / "pwc.jsonld" in written
    assert json.loads((tmp_path / "pwc.jsonld").read_text(encoding="utf-8")) == exported()[1]
