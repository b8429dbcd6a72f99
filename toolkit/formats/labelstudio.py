"""Label Studio: a tasks file ``DOC.json`` per document and the labeling configuration ``config.xml`` beside them.

A task is ``{"data": {"text": SOURCE, "doc": DOC}, "annotations": [{"result":
[...]}]}``; each span is a region: a ``labels`` result of the layer's
``Labels`` control, and its attributes are results of per-region controls
sharing the region's ``id``. Offsets are UTF-16 code units, as Label
Studio's frontend counts JavaScript string indices; this module converts
them both ways (``value.text`` is checked against the text on import, so a
file counted in other units is refused, not shifted).

====================  ===========================================================================================
ours                  in the task
====================  ===========================================================================================
layer, label          ``from_name`` (the ``Labels`` control named after the layer), ``value.labels[0]``
an enum attribute,    a ``choices`` result of the per-region ``Choices`` control named after the attribute
a TIMEX3 ``mod``
any other attribute   a ``textarea`` result of a per-region ``TextArea`` (one entry, or one per item of a list)
note                  the region's ``meta.text`` (Label Studio's own region notes)
our id, annotator,    ``meta.toolkit`` on the ``labels`` result: ``{"id", "annotator", "review"}`` (Label Studio
review                keeps a region's ``meta`` as it is); the region's ``id`` is our id too where there is one
====================  ===========================================================================================

A control is named after its attribute where no other layer has one of
that name (else ``LAYER_ATTRIBUTE``); a null attribute or an empty list
writes no result. The configuration shows each layer's ``Labels``, and an
attribute's control only while a region of its layer is selected.

On import :func:`read` takes our export and Label Studio's own JSON export:
every task of the file is a document (``data.doc`` names it; a file of one
task without it is named by the file), every annotation of a task that was
not cancelled is read and their regions joined, and each region with
labels is a span (``type`` its ``from_name``, ``label`` its label,
``features`` its per-region choices and text areas by control name, one
value as a string, several as a list: the mapping splits a list attribute
given as one string at spaces and commas, so a one-item list travels whole
where its item has neither, as ids do). A region made in Label Studio has
no annotator (Label Studio's ``completed_by`` is a user number of its own
server). Predictions, relations and results about no region are not spans:
the document's ``unread`` says so for each, and import lists them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..display import quote, quote_id
from ..errors import ToolkitError
from ..jsonl import read_json
from ..schema import Schema
from .mapping import TypeMap
from .model import ExportContext, SourceDocument, Span
from .units import Utf16

PATTERNS = ("*.json",)
TEXT = "text"  # the Text tag's name, and the key of the source in a task's data
DOC = "doc"  # the key of the document id in a task's data
OWN = "toolkit"  # the key in a region's meta of what Label Studio has no field for
OWN_FIELDS = ("id", "annotator", "review")


@dataclass(frozen=True, slots=True)
class Controls:
    """How the schema's layers and attributes are named in the labeling configuration."""

    names: dict[tuple[str, str], str]  # (layer, attribute) -> control name
    choices: dict[tuple[str, str], tuple[str, ...]]  # (layer, attribute) -> its choices, where closed


def controls(schema: Schema) -> Controls:
    """The per-region controls of every attribute (refused, naming it, where two would share a name).

    >>> from toolkit.layout import Layout
    >>> named = controls(Layout.open().schema)
    >>> named.names["dates", "value"], named.choices["entities", "mention"]
    ('value', ('NAM', 'NOM'))
    """
    layers = schema.layers.values()
    count = Counter(name for layer in layers for name in layer.attributes)
    taken = {TEXT, *schema.layers}
    names = {(layer.name, name): name if count[name] == 1 and name not in taken else f"{layer.name}_{name}"
             for layer in layers for name in layer.attributes}
    clash = [n for n, k in Counter([*names.values(), *schema.layers, TEXT]).items() if k > 1]
    if clash:
        raise ToolkitError(f"the Label Studio control name {quote(clash[0])} would stand for two things of the "
                           "schema; rename one in schema.json")
    closed = {(layer.name, name): values for layer in layers for name, attribute in layer.attributes.items()
              if (values := attribute.values) is not None}
    return Controls(names, closed)


def export_document(doc: SourceDocument, context: ExportContext) -> dict[str, bytes]:
    named = controls(context.schema)
    units = Utf16(doc.text)
    results: list[dict[str, Any]] = []
    for n, span in enumerate(doc.spans, 1):
        layer = context.schema.layer(span.type)
        region = span.id or f"region{n}"
        where = {"start": units.to_units(span.start), "end": units.to_units(span.end)}
        text = doc.text[span.start:span.end]
        labels: dict[str, Any] = {"id": region, "from_name": layer.name, "to_name": TEXT, "type": "labels",
                                  "value": {**where, "text": text, "labels": [span.label]}}
        meta: dict[str, Any] = {"text": [span.note]} if span.note is not None else {}
        own = {key: getattr(span, key) for key in OWN_FIELDS if getattr(span, key) is not None}
        if own:
            meta[OWN] = own
        if meta:
            labels["meta"] = meta
        results.append(labels)
        for name in layer.attributes:
            value = span.features.get(name)
            if value is None or value == []:
                continue
            control = named.names[layer.name, name]
            items = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            if (layer.name, name) in named.choices:
                results.append({"id": region, "from_name": control, "to_name": TEXT, "type": "choices",
                                "value": {**where, "text": text, "choices": items}})
            else:
                results.append({"id": region, "from_name": control, "to_name": TEXT, "type": "textarea",
                                "value": {**where, "text": items}})
    task = {"data": {TEXT: doc.text, DOC: doc.doc}, "annotations": [{"result": results}]}
    return {f"{doc.doc}.json": (json.dumps([task], ensure_ascii=False, indent=1) + "\n").encode("utf-8")}


def export_config(context: ExportContext) -> dict[str, bytes]:
    """``config.xml``: the labeling configuration of the export (a project's Labeling Interface, as code)."""
    named = controls(context.schema)
    view = ElementTree.Element("View")
    # without it Label Studio collapses runs of spaces and counts offsets in what it shows
    ElementTree.SubElement(view, "Style").text = ".htx-text { white-space: pre-wrap; }"
    for layer in context.schema.layers.values():
        ElementTree.SubElement(view, "Header", value=f"{layer.name}: {layer.description}".rstrip(": "))
        labels = ElementTree.SubElement(view, "Labels", name=layer.name, toName=TEXT)
        for label in layer.labels:
            ElementTree.SubElement(labels, "Label", value=label)
    ElementTree.SubElement(view, "Text", name=TEXT, value=f"${TEXT}", granularity="symbol")
    for layer in context.schema.layers.values():
        if not layer.attributes:
            continue
        panel = ElementTree.SubElement(view, "View", visibleWhen="region-selected", whenTagName=layer.name)
        for name, attribute in layer.attributes.items():
            control = named.names[layer.name, name]
            ElementTree.SubElement(panel, "Header", value=f"{name} ({attribute.type}{', a list' * attribute.is_list})")
            if (layer.name, name) in named.choices:
                choices = ElementTree.SubElement(panel, "Choices", name=control, toName=TEXT, perRegion="true",
                                                 choice="single")
                for value in named.choices[layer.name, name]:
                    ElementTree.SubElement(choices, "Choice", value=value)
            else:
                area = {"name": control, "toName": TEXT, "perRegion": "true", "editable": "true"}
                if not attribute.is_list:
                    area["maxSubmissions"] = "1"
                ElementTree.SubElement(panel, "TextArea", area)
    ElementTree.indent(view)
    return {"config.xml": ElementTree.tostring(view, encoding="unicode").encode("utf-8") + b"\n"}


def read(path: Path) -> Iterator[SourceDocument]:
    """The documents of one tasks file (a ToolkitError names the file and the task or region)."""
    path = Path(path)
    tasks = read_json(path)
    if isinstance(tasks, dict):
        tasks = [tasks]  # Label Studio imports a single task too
    if not isinstance(tasks, list):
        raise ToolkitError("not a Label Studio tasks file: a list of tasks, each {\"data\": {\"text\": ...}, "
                           "\"annotations\": [...]}", file=path)
    docs = [_document(task, n, len(tasks), path) for n, task in enumerate(tasks, 1)]
    return iter(docs)


def default_mapping(schema: Schema) -> dict[str, TypeMap]:
    named = controls(schema)
    return {layer.name: TypeMap(layer.name, attributes={name: control for (lay, name), control in named.names.items()
                                                        if lay == layer.name and control != name})
            for layer in schema.layers.values()}


# --- reading -------------------------------------------------------------------------------------------------------

def _document(task: Any, n: int, count: int, path: Path) -> SourceDocument:
    where = f"task {quote_id(task['id'])}" if isinstance(task, dict) and "id" in task else f"task {n}"
    data = task.get("data") if isinstance(task, dict) else None
    text = data.get(TEXT) if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise ToolkitError(f'{where}: not a Label Studio task with a text (give "data": {{"{TEXT}": ...}})',
                           file=path, record=where)
    assert isinstance(data, dict) and isinstance(task, dict)
    doc = data.get(DOC)
    if doc is not None and not isinstance(doc, str):
        raise ToolkitError(f'{where}: "data.{DOC}" names a document: a string', file=path, record=where)
    if doc is None and count > 1:
        raise ToolkitError(f'{where}: a file of several tasks names each one\'s document in "data.{DOC}"',
                           file=path, record=where)
    annotations = task.get("annotations", [])
    if not isinstance(annotations, list):
        raise ToolkitError(f'{where}: "annotations" is a list', file=path, record=where)
    predictions = task.get("predictions") or []
    unread = ["a Label Studio prediction is not an annotation (accept it in Label Studio to import it)"
              for _ in (predictions if isinstance(predictions, list) else [predictions])]
    units = Utf16(text)
    spans: list[Span] = []
    for annotation in annotations:
        if not isinstance(annotation, dict) or not isinstance(annotation.get("result"), list):
            raise ToolkitError(f'{where}: an annotation is an object with a "result" list', file=path, record=where)
        if annotation.get("was_cancelled"):
            continue  # the annotator skipped the task: it says nothing
        spans += _regions(annotation["result"], text, units, path, where, unread)
    return SourceDocument(doc, text, tuple(spans), path, unread=tuple(unread))


def _regions(results: list[Any], text: str, units: Utf16, path: Path, where: str, unread: list[str]) -> list[Span]:
    """The labelled regions of one annotation, with their per-region results; what is not one goes to ``unread``."""
    regions: dict[str, dict[str, Any]] = {}  # region id -> the span's fields, in the order of the labels results
    per_region: list[tuple[str, dict[str, Any]]] = []
    for result in results:
        if not isinstance(result, dict) or not isinstance(result.get("value", {}), dict):
            raise ToolkitError(f"{where}: a result is an object with a \"value\" object", file=path, record=where)
        kind, region = result.get("type"), result.get("id")
        if kind in ("labels", "choices", "textarea") and not isinstance(result.get("value"), dict):
            raise ToolkitError(f"{where}: a {kind} result has a \"value\" object", file=path,
                               record=str(region))
        if kind == "relation":
            unread.append("a Label Studio relation is not a span")
        elif kind == "labels":
            if not isinstance(region, str) or region in regions:
                raise ToolkitError(f"{where}: a region needs an id of its own (a string)", file=path,
                                   record=str(region))
            regions[region] = _labelled(result, text, units, path)
        else:
            per_region.append((str(kind), result))
    features: dict[str, dict[str, Any]] = {region: {} for region in regions}
    for kind, result in per_region:
        region = result.get("id")
        if region not in regions or kind not in ("choices", "textarea"):
            unread.append(f"the Label Studio {kind} result {quote(result.get('from_name'))} is about no labelled "
                          "region")
            continue
        value = result["value"].get(kind if kind == "choices" else "text")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ToolkitError(f"{where}: the {kind} of {quote(result.get('from_name'))} is a list of strings",
                               file=path, record=region)
        if value:
            features[region][str(result.get("from_name"))] = value[0] if len(value) == 1 else value
        if "meta" in result:
            regions[region].setdefault("meta", result["meta"])
    return [_span(region, fields, features[region], path) for region, fields in regions.items()]


def _labelled(result: dict[str, Any], text: str, units: Utf16, path: Path) -> dict[str, Any]:
    region, value = result["id"], result["value"]
    start, end = value.get("start"), value.get("end")
    if type(start) is not int or type(end) is not int:
        raise ToolkitError("a text region has whole-number \"start\" and \"end\"", file=path, record=region)
    first, last = units.to_points(start), units.to_points(end)
    if first is None or last is None or first > last:
        raise ToolkitError(f"{start}-{end} is not a stretch of the text (UTF-16 code units: "
                           f"{units.to_units(len(text))} of them)", file=path, record=region)
    quoted = value.get("text")
    if quoted is not None and not isinstance(quoted, str):
        raise ToolkitError("its \"text\" is a string", file=path, record=region)
    labels = value.get("labels", [])
    if not isinstance(labels, list) or len(labels) > 1 or not all(isinstance(v, str) for v in labels):
        raise ToolkitError(f"its labels {quote(labels)} are not one label: a span of the toolkit has one; give "
                           "the region one label in Label Studio, or one region per label", file=path, record=region)
    return {"start": first, "end": last, "type": str(result.get("from_name")), "label": labels[0] if labels else None,
            "quote": quoted, **({"meta": result["meta"]} if "meta" in result else {})}


def _span(region: str, fields: Mapping[str, Any], features: dict[str, Any], path: Path) -> Span:
    meta = fields.get("meta", {})
    if not isinstance(meta, dict):
        raise ToolkitError("its \"meta\" is an object", file=path, record=region)
    own = meta.get(OWN, {})
    notes = meta.get("text", [])
    if not isinstance(own, dict) or not isinstance(notes, list) or not all(
            isinstance(v, str) for v in [*notes, *(own[k] for k in OWN_FIELDS if own.get(k) is not None)]):
        raise ToolkitError(f"its \"meta\" has \"text\" (a list of strings) and {quote(OWN)} (strings)", file=path,
                           record=region)
    return Span(fields["start"], fields["end"], fields["type"], fields["label"], features, own.get("id"), region,
                own.get("annotator"), "\n".join(notes) if notes else None, own.get("review"), quote=fields["quote"])
