"""UIMA CAS XMI, as INCEpTION and WebAnno export and import it (``--format xmi``), through dkpro-cassis.

Export writes ``DOC.xmi`` per document and one ``TypeSystem.xml`` beside
them. The sofa is the document's whole verbatim source. Each layer is a
custom span type ``webanno.custom.<Layer>`` (``entities`` ->
``webanno.custom.Entities``) with a ``label`` feature, one feature per
declared attribute, and ``annotationId``, ``annotator``, ``note`` and
``review`` for what INCEpTION has no field of its own for. List attributes
are ``uima.cas.StringArray``: that is INCEpTION's own "Primitive: String
(multi-valued)" feature, so a list stays a list there and an id with a
space in it cannot split. An attribute whose name INCEpTION refuses as a
feature name (``type``, ``begin``, ``sofa`` ...: its restricted names) or
that is no Java identifier gets a feature name of its own (``type_``;
``time-zone`` -> ``timeZone``); :func:`default_mapping` maps it back. Beside
them go DKPro Core ``Sentence`` and ``Token`` annotations from the toolkit's
tokenizer and sentence rules (per block), and a ``DocumentMetaData`` naming
the document, so that INCEpTION opens the file as it is.

XMI counts UTF-16 code units; cassis converts them to code points in both
directions, so nothing here counts units. Every file is checked with
defusedxml before cassis parses it: a DTD, an entity declaration or an
external reference is refused, so nothing is fetched, read or expanded.

Import reads any CAS: every annotation that is not structure (tokens,
sentences, document metadata) is a span of its full UIMA type name, its
label the ``label`` feature if the type has one, else ``value`` (DKPro's
``NamedEntity``), its features the other primitive features (arrays and
lists as lists), ``tool_id`` its ``xmi:id``, ``line`` the line its element
starts on. Relations (types with ``Governor`` and ``Dependent``), features
that point at other feature structures and views other than the initial
one are not read: the document's ``unread`` names each. ``TypeSystem.xml``
(or ``typesystem.xml``, as DKPro Core's writer, and so INCEpTION's export,
names it) must be beside the ``.xmi``. The document is the one
``DocumentMetaData`` names (see :func:`_document_id`).

>>> from toolkit.layout import Layout
>>> schema = Layout.open().schema
>>> [layer_type(name) for name in schema.layers]
['webanno.custom.Entities', 'webanno.custom.Dates', 'webanno.custom.Claims']
>>> feature_names(schema.layers["claims"])
{'type': 'type_', 'holder': 'holder', 'about': 'about'}
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any
from xml.sax import InputSource, SAXParseException
from xml.sax.handler import ContentHandler

import cassis
from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from ..display import quote
from ..errors import ToolkitError
from ..schema import Attribute, LayerSchema, Schema
from .mapping import TypeMap
from .model import ExportContext, SourceDocument, Span

PATTERNS = ("*.xmi",)
TYPE_SYSTEM = "TypeSystem.xml"
# What import looks for beside an .xmi: ours (and cassis's habit), then DKPro Core's XmiWriter's, which INCEpTION's
# exports hold (a ZIP of USER.xmi, named by the data owner, and typesystem.xml).
TYPE_SYSTEM_NAMES = (TYPE_SYSTEM, "typesystem.xml")

CUSTOM = "webanno.custom."
DKPRO = "de.tudarmstadt.ukp.dkpro.core.api."
SENTENCE = DKPRO + "segmentation.type.Sentence"
TOKEN = DKPRO + "segmentation.type.Token"
METADATA = DKPRO + "metadata.type."  # DocumentMetaData, TagsetDescription ...: about the document, not in it
DOCUMENT_METADATA = METADATA + "DocumentMetaData"
DOCUMENT_ANNOTATION = "uima.tcas.DocumentAnnotation"
ANNOTATION = "uima.tcas.Annotation"
STRING, STRING_ARRAY, BOOLEAN = "uima.cas.String", "uima.cas.StringArray", "uima.cas.Boolean"

# Span field -> the feature that carries it (on our own types only: a type declaring ID_FEATURE)
SIDE = {"id": "annotationId", "annotator": "annotator", "note": "note", "review": "review"}
ID_FEATURE = SIDE["id"]
SIDE_DESCRIPTIONS = {
    "id": "The toolkit's id of the annotation: keep it (import matches records by it); empty on new ones.",
    "annotator": "Who made the annotation (the toolkit's annotator).",
    "note": "The toolkit's note on the annotation.",
    "review": "Why a person should look at the annotation again (the toolkit's review); clear it once checked.",
}
LABEL_FEATURES = ("label", "value")  # where a type's label is, in this order
RELATION_ENDS = ("Governor", "Dependent")  # the features of a relation (WebAnno's, INCEpTION's, DKPro's)
INITIAL_VIEW = "_InitialView"

# Feature names INCEpTION refuses (WebAnnoConst.RESTRICTED_FEATURE_NAMES, compared ignoring case), and the
# ones cassis renames because they are Python names.
RESTRICTED = frozenset(name.lower() for name in (
    "address", "begin", "end", "coveredText", "booleanValue", "doubleValue", "byteValue", "CAS", "CASImpl", "class",
    "featureValue", "floatValue", "longValue", "lowLevelCas", "printRefs", "sofa", "stringValue", "type",
    "typeIndexId", "view", "self"))
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # what XML 1.0 cannot carry

XMI = "http://www.omg.org/XMI"
XMI_ROOT = (XMI, "XMI")
TYPE_SYSTEM_ROOT = ("http://uima.apache.org/resourceSpecifier", "typeSystemDescription")
REFUSED = ("DTDs and entities are not accepted in XMI (a document type declaration, an entity or an external "
           "reference: refused before anything is expanded or fetched)")


# --- names ----------------------------------------------------------------------------------------------------------

def layer_type(layer: str) -> str:
    """The UIMA type of a layer: ``webanno.custom.`` and the layer's name in CamelCase.

    >>> layer_type("entities"), layer_type("named_entities"), layer_type("2023-notes")
    ('webanno.custom.Entities', 'webanno.custom.NamedEntities', 'webanno.custom.Layer2023Notes')
    """
    name = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", layer) if part)
    return CUSTOM + (name if name[:1].isalpha() else f"Layer{name}")


def feature_names(layer: LayerSchema) -> dict[str, str]:
    """Attribute -> the feature that holds it: the same name where INCEpTION accepts it as a feature name."""
    taken = {"label", *SIDE.values()}
    names = {}
    for attribute in layer.attributes:
        base = re.sub(r"[^A-Za-z0-9_]+([A-Za-z0-9]?)", lambda m: m.group(1).upper(), attribute)
        base = base if IDENTIFIER.fullmatch(base) else f"f{base}"
        name, n = base, 1
        while name.lower() in RESTRICTED or name in taken:
            n += 1
            name = f"{base}_" if n == 2 else f"{base}_{n}"
        taken.add(name)
        names[attribute] = name
    return names


# --- export ---------------------------------------------------------------------------------------------------------

def export_document(doc: SourceDocument, context: ExportContext) -> dict[str, bytes]:
    if doc.doc is None:
        raise ToolkitError("a document to export needs its id", file=doc.file)
    system = type_system(context.schema)
    _xml_text(doc.text, f"the source of document {doc.doc}", doc)
    cas = cassis.Cas(system, sofa_string=doc.text, sofa_mime="text/plain")
    document = context.documents.get(doc.doc)
    title = document.title if document is not None else None
    cas.add(system.get_type(DOCUMENT_METADATA)(begin=0, end=len(doc.text), language="x-unspecified",
                                                documentId=doc.doc, documentTitle=title, isLastSegment=False))
    _add_segmentation(cas, doc, context)
    layers = {name: (system.get_type(layer_type(name)), feature_names(spec))
              for name, spec in context.schema.layers.items()}
    strings = system.get_type(STRING_ARRAY)
    for span in doc.spans:
        if span.type not in layers:
            raise ToolkitError(f"span {span.id}: layer {quote(span.type)} is not in the schema", file=doc.file)
        uima_type, features = layers[span.type]
        values: dict[str, Any] = {"begin": span.start, "end": span.end, "label": span.label}
        for name, feature in features.items():
            value = span.features.get(name)
            if value is None:
                continue
            attribute = context.schema.layers[span.type].attributes[name]
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value) if attribute.is_list \
                else isinstance(value, str)
            if not ok:
                raise ToolkitError(f"attribute {name} of {span.id} is {quote(value)}: XMI features here are "
                                   f"{'lists of strings' if attribute.is_list else 'strings'}", file=doc.file,
                                   record=span.id)
            for text in value if isinstance(value, list) else [value]:
                _xml_text(text, f"attribute {name} of {span.id}", doc)
            values[feature] = strings(elements=list(value)) if attribute.is_list else value
        for field, feature in SIDE.items():
            value = getattr(span, field)
            if value is not None:
                _xml_text(value, f"{field} of {span.id}", doc)
                values[feature] = value
        if span.label is not None:
            _xml_text(span.label, f"the label of {span.id}", doc)
        cas.add(uima_type(**values))
    return {f"{doc.doc}.xmi": cas.to_xmi(pretty_print=True).encode("utf-8")}


def export_config(context: ExportContext) -> dict[str, bytes]:
    return {TYPE_SYSTEM: type_system(context.schema).to_xml().encode("utf-8")}


def type_system(schema: Schema) -> cassis.TypeSystem:
    """The DKPro Core types INCEpTION expects (as DKPro declares them; a subset of their features) and one
    custom span type per layer.

    INCEpTION's project settings import such a file as layers (Layers, Import, UIMA type system): each custom
    type becomes a span layer, a StringArray feature a multi-valued one, descriptions included.
    """
    system = cassis.TypeSystem()
    metadata = system.create_type(DOCUMENT_METADATA, supertypeName=DOCUMENT_ANNOTATION)
    for name in ("documentTitle", "documentId", "documentUri", "collectionId", "documentBaseUri"):
        system.create_feature(metadata, name, STRING)
    system.create_feature(metadata, "isLastSegment", BOOLEAN)
    for segment in (SENTENCE, TOKEN):
        system.create_feature(system.create_type(segment, supertypeName=ANNOTATION), "id", STRING)
    seen: dict[str, str] = {}
    for name, layer in schema.layers.items():
        type_name = layer_type(name)
        if type_name in seen:
            raise ToolkitError(f"layers {seen[type_name]} and {name} would both be the UIMA type {type_name}: "
                               "rename one in schema.json")
        seen[type_name] = name
        uima_type = system.create_type(type_name, supertypeName=ANNOTATION, description=layer.description or None)
        system.create_feature(uima_type, "label", STRING, description=f"One of {', '.join(layer.labels)}.")
        for attribute, feature in feature_names(layer).items():
            spec = layer.attributes[attribute]
            system.create_feature(uima_type, feature, STRING_ARRAY if spec.is_list else STRING,
                                  description=_described(spec))
        for field, feature in SIDE.items():
            system.create_feature(uima_type, feature, STRING, description=SIDE_DESCRIPTIONS[field])
    return system


def _described(attribute: Attribute) -> str:
    kind = f"{attribute.type}{', required' if attribute.required else ''}"
    values = f": one of {', '.join(map(str, attribute.enum))}" if attribute.enum else ""
    return f"The toolkit's attribute {attribute.name} ({kind}){values}."


def _add_segmentation(cas: cassis.Cas, doc: SourceDocument, context: ExportContext) -> None:
    """DKPro sentences and tokens of each block (the toolkit's tokenizer and sentence rules), in source offsets."""
    if not doc.blocks:
        return
    sentence, token = cas.typesystem.get_type(SENTENCE), cas.typesystem.get_type(TOKEN)
    for block, parsed in zip(doc.blocks, context.nlp().pipe(b.text for b in doc.blocks), strict=True):
        at = block.source_start
        for sent in parsed.sents:
            words = [t for t in sent if not t.is_space]
            if words:
                cas.add(sentence(begin=at + words[0].idx, end=at + words[-1].idx + len(words[-1].text)))
            for word in words:
                cas.add(token(begin=at + word.idx, end=at + word.idx + len(word.text)))


def _xml_text(text: str, what: str, doc: SourceDocument) -> None:
    bad = NOT_XML.search(text)
    if bad is not None:
        raise ToolkitError(f"{what} holds U+{ord(bad.group()):04X} at character {bad.start()}, which XML 1.0 "
                           "cannot carry (XMI is XML)", file=doc.file)


# --- import ---------------------------------------------------------------------------------------------------------

def read(path: Path) -> Iterator[SourceDocument]:
    """The one document of an ``.xmi`` file (its type system from ``TypeSystem.xml`` beside it)."""
    path = Path(path)
    data, lines = _checked_xml(path, XMI_ROOT, "an XMI file (root xmi:XMI)")
    system_file = next((path.parent / name for name in TYPE_SYSTEM_NAMES if (path.parent / name).is_file()), None)
    if system_file is None:
        raise ToolkitError(f"no {TYPE_SYSTEM} (or {TYPE_SYSTEM_NAMES[1]}) beside {path.name}: an XMI export keeps "
                           "its type system in that file, in the same folder", file=path.parent / TYPE_SYSTEM)
    system_data, _ = _checked_xml(system_file, TYPE_SYSTEM_ROOT, "a UIMA type system (root typeSystemDescription)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cassis warns when it renames a feature called type or self
        try:
            system = cassis.load_typesystem(BytesIO(system_data))
        except Exception as e:  # cassis raises what its parsing meets (ValueError, KeyError, ...) for a bad file
            raise ToolkitError(f"not a type system cassis can read: {_reason(e)}", file=system_file) from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cas = cassis.load_cas_from_xmi(BytesIO(data), typesystem=system)
        except Exception as e:  # likewise: an unknown type, a bad reference, a value of the wrong kind
            raise ToolkitError(f"not a CAS that {system_file.name} describes: {_reason(e)}", file=path) from None
    # cassis warns (and keeps the number) where an offset is no character boundary of the text in UTF-16 units
    unmapped = [w for w in caught if issubclass(w.category, UserWarning)]
    if unmapped:
        raise ToolkitError(f"cassis cannot read it as it is: {unmapped[0].message}", file=path)
    text = cas.sofa_string
    if not isinstance(text, str):
        raise ToolkitError("its sofa holds no text (sofaString)", file=path)
    spans, unread = _spans(cas, lines)
    return iter((SourceDocument(_document_id(cas), text, spans, path, unread=unread),))


def default_mapping(schema: Schema) -> dict[str, TypeMap]:
    return {layer_type(name): TypeMap(name, attributes=feature_names(layer)) for name, layer in schema.layers.items()}


class _Outline(ContentHandler):
    """The root element and the line of each element under it (by its ``xmi:id``), met while parsing.

    (The method names are SAX's.)
    """

    def __init__(self) -> None:
        super().__init__()
        self.root: tuple[str | None, str] | None = None
        self.lines: dict[str, int] = {}
        self._depth = 0
        self._locator: Any = None

    def setDocumentLocator(self, locator: Any) -> None:
        self._locator = locator

    def startElementNS(self, name: tuple[str | None, str], qname: Any, attrs: Any) -> None:
        if self._depth == 0:
            self.root = name
        elif self._depth == 1 and self._locator is not None:
            xmi_id = attrs.get((XMI, "id"))
            if xmi_id is not None:
                self.lines[xmi_id] = self._locator.getLineNumber()
        self._depth += 1

    def endElementNS(self, name: tuple[str | None, str], qname: Any) -> None:
        self._depth -= 1


def _checked_xml(path: Path, root: tuple[str, str], what: str) -> tuple[bytes, dict[str, int]]:
    """The file's bytes and its elements' lines, once defusedxml has parsed it: no DTD, entity or external
    reference."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ToolkitError(f"cannot read it: {e.strerror}", file=path) from None
    outline = _Outline()
    parser = DefusedExpatParser(namespaceHandling=1, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(outline)
    source = InputSource()
    source.setByteStream(BytesIO(data))
    try:
        parser.parse(source)
    except DefusedXmlException:
        raise ToolkitError(REFUSED, file=path) from None
    except SAXParseException as e:
        column = e.getColumnNumber()
        at = f", column {column + 1}" if column is not None else ""
        raise ToolkitError(f"not well-formed XML ({e.getMessage()}{at}); {what} was expected", file=path,
                           line=e.getLineNumber()) from None
    if outline.root != root:
        shown = outline.root[1] if outline.root else None
        raise ToolkitError(f"not {what}: its root element is {quote(shown)}", file=path)
    return data, outline.lines


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {quote(str(error), 200)}"


def _document_id(cas: cassis.Cas) -> str | None:
    """The document the CAS names: ``documentId`` of its DocumentMetaData, except in INCEpTION's exports.

    INCEpTION writes the annotator (the "data owner") into ``documentId`` and
    the document's name, the file it was uploaded as, into ``documentTitle``,
    with ``documentUri`` ending in ``/`` and that name: the document is then
    that name without its extension (``pwc.xmi`` -> ``pwc``).
    """
    if not cas.typesystem.contains_type(DOCUMENT_METADATA):
        return None
    for metadata in cas.select(DOCUMENT_METADATA):
        doc_id, title, uri = (metadata.get(name) for name in ("documentId", "documentTitle", "documentUri"))
        if isinstance(title, str) and title and isinstance(uri, str) and uri.endswith(f"/{title}"):
            return PurePosixPath(title).stem or title
        if isinstance(doc_id, str) and doc_id:
            return doc_id
    return None


def _spans(cas: cassis.Cas, lines: dict[str, int]) -> tuple[tuple[Span, ...], tuple[str, ...]]:
    """The spans of the CAS's text, and what it holds that is not one (relations, references, other views)."""
    system = cas.typesystem
    structure = system.get_type(DOCUMENT_ANNOTATION)
    unread = [f"the CAS view {quote(view.sofa.sofaID)} (a text of its own) is not read" for view in cas.views
              if view.sofa.sofaID != INITIAL_VIEW]
    spans = []
    for fs in sorted(cas.select(ANNOTATION), key=lambda fs: (fs.begin, -fs.end, fs.xmiID)):
        uima_type = fs.type
        if uima_type.name in (TOKEN, SENTENCE) or uima_type.name.startswith(METADATA) \
                or system.subsumes(structure, uima_type):
            continue
        declared = {_xml_name(f): f for f in uima_type.all_features}
        if all(end in declared for end in RELATION_ENDS):
            unread.append(f"the UIMA relation {uima_type.name} is not a span")
            continue
        ours = ID_FEATURE in declared
        label_feature = next((name for name in LABEL_FEATURES
                              if name in declared and declared[name].rangeType.name == STRING), None)
        skip = {"begin", "end", "sofa", label_feature, *(SIDE.values() if ours else ())}
        features = {}
        for name, feature in declared.items():
            if name in skip:
                continue
            value = fs.get(feature.name)
            if value is None:
                continue
            primitive = _primitive(system, feature, value)
            if primitive is None:
                unread.append(f"feature {name} of {uima_type.name} refers to other feature structures (not read)")
            else:
                features[name] = primitive
        label = fs.get(declared[label_feature].name) if label_feature else None
        side = {field: _string(fs, declared.get(feature)) if ours else None for field, feature in SIDE.items()}
        spans.append(Span(fs.begin, fs.end, uima_type.name, label if isinstance(label, str) else None, features,
                          side["id"], str(fs.xmiID), side["annotator"], side["note"], side["review"],
                          lines.get(str(fs.xmiID))))
    return tuple(spans), tuple(unread)


def _xml_name(feature: Any) -> str:
    """The feature's name as the file has it: cassis adds ``_`` to ``type`` and ``self`` (and says so)."""
    return str(feature.name[:-1] if getattr(feature, "_has_reserved_name", False) else feature.name)


def _string(fs: Any, feature: Any) -> str | None:
    value = fs.get(feature.name) if feature is not None else None
    return value if isinstance(value, str) else None


def _primitive(system: cassis.TypeSystem, feature: Any, value: Any) -> Any:
    """A primitive value as it is, an array or list of primitives as a list; references (None) are not features."""
    if value is None:
        return None
    range_type = feature.rangeType
    if system.is_primitive(range_type):
        return value
    if system.is_primitive_array(range_type):
        return list(value.elements)
    if system.is_primitive_list(range_type):
        items = []
        while value is not None and hasattr(value, "head"):
            items.append(value.head)
            value = value.tail
        return items
    return None
