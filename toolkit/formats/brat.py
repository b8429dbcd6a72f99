"""brat standoff: ``DOC.txt`` (the verbatim source, byte for byte) and ``DOC.ann``, with brat's configuration.

Offsets are code points into the ``.txt``, end exclusive, as brat counts
them. A span is a ``T`` line; what the toolkit says about it travels in the
lines brat has for it, and otherwise in ``#`` lines, which brat keeps and
shows as notes whatever their type:

===================================  ================================================================
ours                                 in the ``.ann``
===================================  ================================================================
layer and label                      the ``T`` line's type: the label itself where no other layer has
                                     it, else ``LAYER_LABEL`` (:func:`brat_names`)
an enum attribute, a TIMEX3 ``mod``  ``A1<TAB>mention T1 NAM``: a multi-valued brat attribute, its
                                     values declared in ``annotation.conf``
the layer's registry link            ``N1<TAB>Reference T1 registry:iraq<TAB>Iraq`` (brat's
                                     normalisation; the tail is the registry's name)
any other attribute (free strings,   ``#1<TAB>value T1<TAB>2012-06-29``; a list as its items joined by
TIMEX3 values, holders, lists)       spaces (``#2<TAB>about T4<TAB>iraq wcp-iraq``): brat attributes
                                     take declared values only, and these cannot be declared
note                                 ``#3<TAB>AnnotatorNotes T1<TAB>...``, brat's own notes
our id, annotator, review            ``#4<TAB>ToolkitId T1<TAB>e-0001``, ``Annotator``, ``Review``
===================================  ================================================================

An attribute name used by more than one layer is written ``LAYER_NAME``, as
labels are. A null attribute, an empty list and an empty string write no
line (import gives them back as null, or ``[]``). Notes and values are one
line each: a line break in one (or in a span's text) is refused on export,
as is a list item with a space in it, and a source with carriage returns
(brat reads the ``.txt`` with universal newlines, so its offsets would
differ from the source's). ``annotation.conf`` declares every type, the
attributes with their values, and how spans may overlap (``<OVERLAP>``:
within a layer as its overlap policy says, across layers freely), so that
brat's own ``verify_annotations`` finds nothing in an export.

On import :func:`read` takes what brat writes: every ``T`` line is a span
(``type`` and ``label`` the brat type; ``features`` the attributes, ``A``
and ``#`` lines by name, normalisations by database name, several of one
database as a list); ``AnnotatorNotes`` is the note. The fragments brat
makes of a selection across line breaks (``T1<TAB>ORG 0 4;5 14`` with a
line break between) are one span again (import then refuses it if it
crosses blocks, naming both); a truly discontinuous span is refused,
naming its line: a span of the toolkit is continuous. A ``T`` line's text
is checked against the source on import, after the text itself is. Relations, events (an event's trigger is a ``T``
line, so a span), equivalences, and attributes, normalisations or notes on
them are not spans: the document's ``unread`` says so for each, and import
lists them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

from ..display import quote
from ..errors import ToolkitError
from ..schema import LayerSchema, Schema
from .mapping import TypeMap
from .model import ExportContext, SourceDocument, Span

PATTERNS = ("*.ann",)

NOTE = "AnnotatorNotes"  # brat's own type of note
OWN = {"ToolkitId": "id", "Annotator": "annotator", "Review": "review"}  # our # line types -> Span fields
REFERENCE, REGISTRY = "Reference", "registry"  # the normalisation type brat writes, our database name
TOKEN = re.compile(r"[A-Za-z0-9_-]+")  # what brat takes as a type, attribute name or value in its configuration
# where Python's splitlines breaks a line, as brat (reading .ann lines through codecs) and bratly do
LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
PALETTE = ("#7fa2ff", "#ffccaa", "#a4bced", "#ffff99", "#8fb2ff", "#e3ccf5", "#aaffaa", "#ff9999", "#cce0ff",
           "#f1e3b4", "#b4f1e3", "#e0ccf5")


@dataclass(frozen=True, slots=True)
class Names:
    """How the schema's layers, labels and attributes are written in brat."""

    types: dict[tuple[str, str], str]  # (layer, label) -> brat type
    attributes: dict[tuple[str, str], str]  # (layer, attribute) -> brat attribute or note type
    values: dict[tuple[str, str], tuple[str, ...]]  # (layer, attribute) -> declared values: an A line
    links: dict[str, str]  # layer -> its registry link attribute: N lines


def brat_names(schema: Schema) -> Names:
    """The brat names of everything the schema declares (refused, naming it, where brat cannot write one).

    >>> from toolkit.layout import Layout
    >>> names = brat_names(Layout.open().schema)
    >>> names.types["entities", "GPE"], names.values["entities", "mention"], names.links
    ('GPE', ('NAM', 'NOM'), {'entities': 'entity'})
    """
    layers = list(schema.layers.values())
    labels = Counter(label for layer in layers for label in layer.labels)
    attrs = Counter(name for layer in layers for name in layer.attributes)
    types = {(layer.name, label): label if labels[label] == 1 else f"{_token(layer.name)}_{label}"
             for layer in layers for label in layer.labels}
    attributes = {(layer.name, name): name if attrs[name] == 1 else f"{_token(layer.name)}_{name}"
                  for layer in layers for name in layer.attributes}
    reserved = {NOTE, *OWN}
    for (layer_name, item), name in [*types.items(), *attributes.items()]:
        if not TOKEN.fullmatch(name) or name in reserved:
            raise ToolkitError(f"{quote(item)} of layer {layer_name} cannot be a brat name (letters, digits, "
                               f"'_' and '-', not {', '.join(sorted(reserved))}): rename it in schema.json")
    clash = [n for n, k in Counter([*types.values(), *attributes.values()]).items() if k > 1]
    if clash:
        raise ToolkitError(f"the brat name {quote(clash[0])} would stand for two things of the schema; "
                           "rename one in schema.json")
    values = {}
    for layer in layers:
        for name, attribute in layer.attributes.items():
            declared = attribute.values
            if declared and name != layer.link and all(TOKEN.fullmatch(v) for v in declared):
                values[layer.name, name] = declared
    links = {layer.name: layer.link for layer in layers if layer.link is not None}
    return Names(types, attributes, values, links)


def export_document(doc: SourceDocument, context: ExportContext) -> dict[str, bytes]:
    names = brat_names(context.schema)
    if "\r" in doc.text:
        raise ToolkitError("the source has carriage returns, and brat reads a .txt with universal newlines (\\r\\n "
                           "as one character): its offsets would not be the source's", file=doc.file)
    lines: list[str] = []
    count = Counter[str]()

    def add(kind: str, body: str) -> None:
        count[kind] += 1
        lines.append(f"{kind}{count[kind]}\t{body}")

    for span in doc.spans:
        layer = context.schema.layer(span.type)
        brat_type = names.types.get((layer.name, span.label or ""))
        if brat_type is None:
            raise ToolkitError(f"the label {quote(span.label)} is not one of layer {layer.name}'s", record=span.id)
        text = doc.text[span.start:span.end]
        _one_line(text, "its text", span)
        add("T", f"{brat_type} {span.start} {span.end}\t{text}")
        target = f"T{count['T']}"
        for name in layer.attributes:
            value = span.features.get(name)
            if value is None or value in ("", []):
                continue
            brat = names.attributes[layer.name, name]
            if names.links.get(layer.name) == name:
                entity = context.registry.get(value)
                add("N", f"{REFERENCE} {target} {REGISTRY}:{value}\t{entity.name if entity else value}")
            elif (layer.name, name) in names.values:
                if value not in names.values[layer.name, name]:
                    raise ToolkitError(f"{name} {quote(value)} is not one of the values schema.json declares",
                                       record=span.id)
                add("A", f"{brat} {target} {value}")
            else:
                add("#", f"{brat} {target}\t{_note_value(value, name, span)}")
        for kind, value in ((NOTE, span.note), *((k, getattr(span, f)) for k, f in OWN.items())):
            if value is not None:
                _one_line(value, kind, span)
                add("#", f"{kind} {target}\t{value}")
    ann = "".join(line + "\n" for line in lines)
    return {f"{doc.doc}.txt": doc.text.encode("utf-8"), f"{doc.doc}.ann": ann.encode("utf-8")}


def export_config(context: ExportContext) -> dict[str, bytes]:
    """``annotation.conf`` and ``visual.conf``: every type and declared value the export writes."""
    names = brat_names(context.schema)
    layers = context.schema.layers
    head = "# Written by toolkit export from schema.json: each layer's labels, then the attributes brat can hold.\n"
    entities = [f"# {name}: {' '.join(layer.description.split())}".rstrip(": ") + "\n"
                + "".join(f"{names.types[name, label]}\n" for label in layer.labels) for name, layer in layers.items()]
    attributes = []
    for (layer_name, name), values in names.values.items():
        args = "|".join(names.types[layer_name, label] for label in layers[layer_name].labels)
        attributes.append(f"{names.attributes[layer_name, name]}\tArg:{args}, Value:{'|'.join(values)}\n")
    annotation = (head + "\n[entities]\n\n" + "\n".join(entities) + "\n[relations]\n\n"
                  + _overlaps(context.schema, names) + "\n[events]\n\n[attributes]\n\n" + "".join(attributes))
    colours = {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(names.types.values())}
    labels = [f"{names.types[key]} | {key[1]}\n" for key in names.types]
    labels += [f"{names.attributes[key]} | {key[1]}\n" for key in names.values]
    visual = (head + "\n[labels]\n\n" + "".join(labels) + "\n[drawing]\n\n"
              + "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken\n"
              + "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5\n"
              + "ATTRIBUTE_DEFAULT\tglyph:*\n\n"
              + "".join(f"{name}\tbgColor:{colour}\n" for name, colour in colours.items()))
    return {"annotation.conf": annotation.encode("utf-8"), "visual.conf": visual.encode("utf-8")}


def _overlaps(schema: Schema, names: Names) -> str:
    """brat's overlap rules (``<OVERLAP>``, Arg1 inside Arg2): within a layer what its policy allows, across
    layers anything; brat cannot condition nesting on an attribute (``{"outer": ...}``): validate checks that."""
    def types(layer: LayerSchema) -> str:
        return "|".join(names.types[layer.name, label] for label in layer.labels)

    rules = ["# how spans may overlap: within a layer as schema.json's overlap policy says, across layers freely\n"]
    layers = list(schema.layers.values())
    for layer in layers:
        kinds = [kind for kind, allowed in (("contain", layer.nesting is not False), ("equal", layer.duplicates),
                                            ("cross", layer.crossing)) if allowed]
        if kinds:
            rules.append(f"<OVERLAP>\tArg1:{types(layer)}, Arg2:{types(layer)}, <OVL-TYPE>:{'|'.join(kinds)}\n")
    rules += [f"<OVERLAP>\tArg1:{types(a)}, Arg2:{types(b)}, <OVL-TYPE>:<ANY>\n" for a, b in combinations(layers, 2)]
    return "".join(rules)


def read(path: Path) -> Iterator[SourceDocument]:
    """The document of one ``.ann`` file and the ``.txt`` beside it (a ToolkitError names file and line)."""
    path = Path(path)
    text = _text(path.with_suffix(".txt"))
    spans, unread = _spans(_text(path), text, path)
    return iter([SourceDocument(None, text, spans, path, unread=unread, text_file=path.with_suffix(".txt"))])


def default_mapping(schema: Schema) -> dict[str, TypeMap]:
    names = brat_names(schema)
    out = {}
    for layer in schema.layers.values():
        attributes = {name: REGISTRY if names.links.get(layer.name) == name else names.attributes[layer.name, name]
                      for name in layer.attributes}
        renamed = {name: brat for name, brat in attributes.items() if brat != name}
        for label in layer.labels:
            out[names.types[layer.name, label]] = TypeMap(layer.name, label=label, attributes=renamed)
    return out


# --- reading -------------------------------------------------------------------------------------------------------

@dataclass
class _Entity:
    """A T line being read, and what the lines after it say about it."""

    line: int
    tool_id: str
    type: str
    start: int
    end: int
    features: dict[str, Any]
    fields: dict[str, str]  # id, annotator, note, review
    said: dict[str, int]  # feature or field -> the line that gave it (one value each)
    quote: str | None  # the T line's text (import checks it against the source)

    def set(self, key: str, value: Any, line: int, path: Path, *, into: dict[str, Any]) -> None:
        if key in self.said:
            raise ToolkitError(f"a second {quote(key)} for {self.tool_id} (the first is on line {self.said[key]}); "
                               "brat keeps one", file=path, line=line)
        self.said[key] = line
        into[key] = value

    def span(self) -> Span:
        return Span(self.start, self.end, self.type, self.type, self.features, self.fields.get("id"), self.tool_id,
                    self.fields.get("annotator"), self.fields.get("note"), self.fields.get("review"), self.line,
                    self.quote)


NORMALISATION = re.compile(r"(\S+) (\S+) (\S+?):(\S+)$")  # brat's own: TYPE TARGET DB:ID
NOT_SPANS = {"R": ("relation", "a relation"), "E": ("event", "an event"), "*": ("equivalence", "an equivalence")}
LINE_KINDS = {"A": "attribute", "M": "attribute", "N": "normalisation", "#": "note"}


def _spans(ann: str, text: str, path: Path) -> tuple[tuple[Span, ...], tuple[str, ...]]:
    """The spans of an .ann, and why each of its other lines is not one."""
    entities: dict[str, _Entity] = {}
    others: dict[str, str] = {}  # ids of relations and events -> what they are
    unread: list[str] = []
    later: list[tuple[int, str, str, str]] = []  # A, N and # lines, read once every T line is known
    for number, raw in enumerate(ann.split("\n"), 1):
        line = raw.removesuffix("\r")
        if not line.strip():
            continue
        tool_id, tab, rest = line.partition("\t")
        if not tab or not tool_id:
            raise ToolkitError("not a brat annotation line (an id, a tab, then the annotation)", file=path,
                               line=number)
        if tool_id in entities or (tool_id in others and tool_id != "*"):
            raise ToolkitError(f"the id {tool_id} is used twice", file=path, line=number)
        kind = tool_id[0]
        if kind == "T":
            entities[tool_id] = _entity(tool_id, rest, text, path, number)
        elif kind in NOT_SPANS:
            what, others[tool_id] = NOT_SPANS[kind]
            label = re.split(r"[\s:]", rest, maxsplit=1)[0]
            unread.append(f"brat {what} {quote(label)} is not a span" + " (its trigger is)" * (kind == "E"))
        elif kind in "ANM#":
            later.append((number, tool_id, *rest.partition("\t")[::2]))
        else:
            raise ToolkitError(f"{quote(tool_id)} is not a brat annotation id (T, R, E, A, M, N, # or *)",
                               file=path, line=number)
    for number, tool_id, data, tail in later:
        about = _attach(entities, others, number, tool_id, data, tail, path)
        if about is not None:
            unread.append(about)
    return tuple(entity.span() for entity in entities.values()), tuple(unread)


def _entity(tool_id: str, rest: str, text: str, path: Path, number: int) -> _Entity:
    """A T line; the fragments brat makes of a selection across line breaks are one span again."""
    data, _, quoted = rest.partition("\t")
    kind, _, where = data.partition(" ")
    fragments = [re.fullmatch(r"(\d+) (\d+)\s*", part) for part in where.split(";")]
    if not kind or not all(fragments):
        raise ToolkitError(f"{tool_id}: not a text span (TYPE START END, then a tab and its text)", file=path,
                           line=number)
    bounds = [(int(m[1]), int(m[2])) for m in fragments if m]
    for (_, end), (start, _) in pairwise(bounds):
        if start < end or text[end:start].strip():
            raise ToolkitError(f"{tool_id} is a discontinuous span ({where}): a span of the toolkit is continuous; "
                               "make it one span in brat, or one span per fragment", file=path, line=number)
    start, end = bounds[0][0], bounds[-1][1]
    return _Entity(number, tool_id, kind, start, end, {}, {}, {}, quoted if len(bounds) == 1 else None)


def _attach(entities: dict[str, _Entity], others: dict[str, str], number: int, tool_id: str, data: str, tail: str,
            path: Path) -> str | None:
    """Give an A, M, N or # line to the span it is about; if it is about a relation or event, say so."""
    kind = tool_id[0]
    if kind == "N":
        match = NORMALISATION.fullmatch(data)
        parts = [match[1], match[2], match[3], match[4]] if match else []
    else:
        parts = data.split(" ", 2)
    if len(parts) < 2:
        raise ToolkitError(f"{tool_id}: not a brat {'note' if kind == '#' else 'attribute or normalisation'} "
                           "(TYPE TARGET ...)", file=path, line=number)
    name, target = parts[0], parts[1]
    entity = entities.get(target)
    if entity is None:
        if target in others:
            return f"brat {LINE_KINDS[kind]} {quote(name)} of {others[target]} is not about a span"
        raise ToolkitError(f"{tool_id}: {target} is not an annotation of this file", file=path, line=number)
    if kind == "#":
        value = tail
        if name == NOTE:
            entity.set("note", value, number, path, into=entity.fields)
        elif name in OWN:
            entity.set(OWN[name], value, number, path, into=entity.fields)
        else:
            entity.set(name, value, number, path, into=entity.features)
    elif kind == "N":
        database, reference = parts[2], parts[3]
        before = entity.features.get(database)
        entity.features[database] = reference if before is None else [*_listed(before), reference]
    else:  # A, or M (brat's old modifiers): a value, or none for a binary attribute
        entity.set(name, parts[2] if len(parts) > 2 else True, number, path, into=entity.features)
    return None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- helpers -------------------------------------------------------------------------------------------------------

def _token(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _note_value(value: Any, name: str, span: Span) -> str:
    if isinstance(value, list):
        items = [str(v) for v in value]
        bad = next((v for v in items if not v or re.search(r"[\s,]", v)), None)
        if bad is not None:
            raise ToolkitError(f"{name}: the item {quote(bad)} cannot travel in a brat note (its items are "
                               "joined by spaces)", record=span.id)
        return " ".join(items)
    text = str(value)
    _one_line(text, name, span)
    return text


def _one_line(text: str, what: str, span: Span) -> None:
    if LINE_BREAK.search(text):  # a tab is fine: brat takes everything after the line's second tab
        raise ToolkitError(f"{what} holds a line break, which a brat .ann line cannot", record=span.id)


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ToolkitError("no such file (brat keeps DOC.txt beside DOC.ann)", file=path) from None
    except UnicodeDecodeError as e:
        raise ToolkitError(f"not UTF-8 (byte {e.start})", file=path) from None
    except OSError as e:
        raise ToolkitError(f"cannot be read: {e.strerror}", file=path) from None
