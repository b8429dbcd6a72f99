"""The annotation schema (``annotations/schema.json``): the layers, declared the way a UIMA type system is.

Every layer says what its file is, its labels, its attributes and their
types, how its spans may overlap, whether footnote markers may fall inside
them, and which attributes play a role elsewhere: ``key`` (what a span
denotes: compared across the corpus by ``validate``), ``names`` (records
whose text is a name every occurrence of which should be annotated) and
``ents`` (the spans that are also spaCy's ``doc.ents``). Loading, checks,
extraction, Docs, rendering and agreement all read it; nothing in the code
names a layer.

Attribute types:

- ``string``: any string (``enum`` may list the values allowed);
- ``registry_id``: the id of a registry entity with the span's label (the
  layer's link to the registry: ``kb_id`` of its Spans, ``canonical`` of its
  extracted records);
- ``registry_ids``: a list of registry ids;
- ``holder``: ``author``, ``unspecified`` or a registry id;
- ``holders``: a non-empty list of holders (``["author"]``, ``["wcp-iraq",
  "wcp-kurdistan"]``);
- ``timex3`` and ``timex3_mod``: a TIMEX3 value (checked against the label,
  the TIMEX3 type) and a TIMEX3 ``mod``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .display import quote
from .errors import ToolkitError
from .jsonl import read_json
from .models import is_valid_id
from .versions import check_version

TYPES = ("string", "registry_id", "registry_ids", "holder", "holders", "timex3", "timex3_mod")
LISTS = ("registry_ids", "holders")
RESERVED_FILES = ("registry.jsonl", "exceptions.jsonl", "orphans.jsonl", "schema.json")  # not a layer's to use
LAYER_KEYS = {"file", "description", "labels", "attributes", "overlap", "markers_inside", "key", "names", "ents"}


@dataclass(frozen=True, slots=True)
class Attribute:
    """One attribute of a layer's records."""

    name: str
    type: str
    required: bool
    enum: tuple[Any, ...] | None = None

    @property
    def is_list(self) -> bool:
        return self.type in LISTS

    @property
    def values(self) -> tuple[str, ...] | None:
        """The values it takes where the schema (or TIMEX3, for a ``mod``) closes the set; a list's never are.

        >>> Attribute("mod", "timex3_mod", False).values[:3], Attribute("value", "timex3", True).values
        (('AFTER', 'APPROX', 'BEFORE'), None)
        """
        from .timex import MODS

        if self.is_list:
            return None
        if self.enum is not None:
            return tuple(str(v) for v in self.enum)
        return tuple(sorted(MODS)) if self.type == "timex3_mod" else None

    @property
    def is_category(self) -> bool:
        """Compared as a category by ``agree`` (a list of holders as one category: usually one holder; the
        registry link is scored as linking instead)."""
        return self.type != "registry_ids"


@dataclass(frozen=True, slots=True)
class LayerSchema:
    """One layer as ``schema.json`` declares it."""

    name: str
    file: str
    labels: tuple[str, ...]
    attributes: dict[str, Attribute]
    crossing: bool
    duplicates: bool
    nesting: bool | dict[str, Any]
    markers_inside: bool = False
    key: str | None = None
    names: dict[str, Any] | None = None
    ents: bool = False
    description: str = ""

    @property
    def link(self) -> str | None:
        """The attribute that links a span to the registry (its first ``registry_id`` attribute)."""
        return next((a.name for a in self.attributes.values() if a.type == "registry_id"), None)

    def refers_to(self, record_attrs: dict[str, Any]) -> set[str]:
        """Every registry id the attributes of a record name (links, lists and holders)."""
        found: set[str] = set()
        for attribute in self.attributes.values():
            value = record_attrs.get(attribute.name)
            if attribute.type in ("registry_id", "holder") and isinstance(value, str):
                found.add(value)
            elif attribute.is_list and isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
        return found

    def is_name(self, record_attrs: dict[str, Any]) -> bool:
        """Whether a record's text is a name to look for elsewhere (``names``)."""
        return self.names is not None and all(record_attrs.get(k) == v for k, v in self.names.items())


@dataclass(frozen=True, slots=True)
class Schema:
    """The layers (in the order declared), the registry's labels and the strings declared ambiguous."""

    layers: dict[str, LayerSchema]
    registry_labels: frozenset[str]
    ambiguous: dict[str, str]
    version: str

    def layer(self, name: str) -> LayerSchema:
        """The layer ``name``; a ToolkitError listing the declared layers if there is none."""
        try:
            return self.layers[name]
        except KeyError:
            raise ToolkitError(f"unknown layer {quote(name)}; the schema declares "
                               f"{', '.join(self.layers)}") from None

    def chosen(self, wanted: Iterable[str] | None = None) -> list[LayerSchema]:
        """The layers asked for (None: all), in the schema's order; an unknown name is refused."""
        if wanted is None:
            return list(self.layers.values())
        names = {self.layer(name).name for name in wanted}
        return [layer for name, layer in self.layers.items() if name in names]


def read_schema(path: Path) -> Schema:
    """Read and check ``schema.json``; raise ToolkitError, naming what is wrong, if it cannot be used.

    >>> schema = read_schema(Path("annotations/schema.json"))
    >>> list(schema.layers), schema.layers["entities"].link, schema.layers["claims"].markers_inside
    (['entities', 'dates', 'claims'], 'entity', True)
    """
    raw = read_json(path)
    try:
        if not isinstance(raw, dict):
            raise ValueError("the schema should be a JSON object")
        version = check_version(raw, path)
        layers = {name: _layer(name, spec) for name, spec in _object(raw, "the schema", "layers").items()}
        files = [layer.file for layer in layers.values()]
        clash = {f for f in files if files.count(f) > 1} | {f for f in files if f in RESERVED_FILES}
        if clash:
            raise ValueError(f"layer file {quote(sorted(clash)[0])} is used twice or is not a layer's to use")
        ambiguous = _object(raw, "the schema", "ambiguous", required=False)
        if not all(isinstance(v, str) for v in ambiguous.values()):
            raise ValueError("'ambiguous' should map strings to the reason they are ambiguous")
        return Schema(layers, frozenset(_strings(_object(raw, "the schema", "registry"), "registry", "labels")),
                      dict(ambiguous), version)
    except ValueError as e:
        raise ToolkitError(str(e), file=path, code="E101") from None



def _layer(name: str, spec: Any) -> LayerSchema:
    if not isinstance(spec, dict) or not is_valid_id(name):
        raise ValueError(f"layer {quote(name)} should be an object named like an id")
    unknown = sorted(set(spec) - LAYER_KEYS)
    if unknown:
        raise ValueError(f"layer {name}: unknown key {quote(unknown[0])}; a layer may have "
                         f"{', '.join(sorted(LAYER_KEYS))}")
    file = spec.get("file", f"{name}.jsonl")
    if not isinstance(file, str) or not file.endswith(".jsonl") or not is_valid_id(file):
        raise ValueError(f"'file' of layer {name} should be a file name ending in .jsonl")
    attributes = {attr: _attribute(name, attr, rules)
                  for attr, rules in _object(spec, f"layer {name}", "attributes", required=False).items()}
    overlap = _object(spec, f"layer {name}", "overlap")
    nesting = overlap.get("nesting")
    if not isinstance(nesting, bool) and not (isinstance(nesting, dict) and isinstance(nesting.get("outer"), dict)):
        raise ValueError(f"'nesting' of layer {name} should be true, false or {{\"outer\": {{...}}}}")
    for rule in ("crossing", "duplicates"):
        if not isinstance(overlap.get(rule), bool):
            raise ValueError(f"{quote(rule)} of layer {name} should be true or false")
    for flag in ("markers_inside", "ents"):
        if not isinstance(spec.get(flag, False), bool):
            raise ValueError(f"{quote(flag)} of layer {name} should be true or false")
    key = spec.get("key")
    if key is not None and (not isinstance(key, str) or key not in attributes):
        raise ValueError(f"'key' of layer {name} should name one of its attributes")
    names = spec.get("names")
    if names is not None and not (isinstance(names, dict) and set(names) <= set(attributes)):
        raise ValueError(f"'names' of layer {name} should be an object of its attributes and their values")
    description = spec.get("description", "")
    if not isinstance(description, str):
        raise ValueError(f"'description' of layer {name} should be a string")
    return LayerSchema(name=name, file=file, labels=_strings(spec, f"layer {name}", "labels"),
                       attributes=attributes, crossing=overlap["crossing"], duplicates=overlap["duplicates"],
                       nesting=nesting, markers_inside=spec.get("markers_inside", False), key=key, names=names,
                       ents=spec.get("ents", False), description=description)


def _attribute(layer: str, name: str, rules: Any) -> Attribute:
    where = f"attribute {quote(name)} of layer {layer}"
    if not is_valid_id(name) or name in ("id", "paragraph", "start", "end", "text", "label", "annotator", "note",
                                                   "review"):
        raise ValueError(f"{where} should be named like an id and not like a common field")
    if not isinstance(rules, dict) or not isinstance(rules.get("required", False), bool):
        raise ValueError(f"{where} should be an object with a true or false 'required'")
    kind = str(rules.get("type", "string"))
    if kind not in TYPES:
        raise ValueError(f"'type' of {where} should be one of {', '.join(TYPES)}")
    enum = rules.get("enum")
    if enum is not None and not isinstance(enum, list):
        raise ValueError(f"'enum' of {where} should be a list")
    return Attribute(name, kind, rules.get("required", False), tuple(enum) if enum is not None else None)


def _object(parent: Any, where: str, key: str, *, required: bool = True) -> dict[str, Any]:
    value = parent.get(key, None if required else {}) if isinstance(parent, dict) else None
    if not isinstance(value, dict):
        raise ValueError(f"{where} should have an object {quote(key)}")
    return value


def _strings(parent: dict[str, Any], where: str, key: str) -> tuple[str, ...]:
    value = parent.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value) or len(set(value)) < len(value):
        raise ValueError(f"{where} should have a list of distinct strings {quote(key)}")
    return tuple(value)
