"""A declared mapping: which of a tool's types, labels and features become which layers, labels and attributes.

A mapping file is JSON::

    {"types": {
       "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity": {
          "layer": "entities",                          the layer its spans go to
          "labels": {"PER": "PERSON", "ORG": "ORG"},    tool label -> ours (absent: the same; a label
                                                        missing from a given table is not imported)
          "label": "PERSON",                            or one label for every span of the type
          "attributes": {"entity": "identifier"},       our attribute <- the tool's feature (absent: the same name)
          "strip": {"entity": "https://kb.example/"},   a prefix removed from the value (knowledge-base IRIs)
          "set": {"mention": "NAM"}}}}                  values for what the tool does not have

On the command line ``--map TYPE=LAYER`` (or ``TYPE=LAYER:LABEL``) says the
same for one type without a file. Each format has a default mapping that
reads back what it exports; a declared one adds to it and wins over it. A
type that no mapping names is never imported: it is listed in the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..display import quote
from ..errors import ToolkitError
from ..jsonl import read_json
from ..schema import Schema
from .model import Span

TYPE_KEYS = {"layer", "label", "labels", "attributes", "strip", "set"}
LIST_SPLIT = re.compile(r"[\s,]+")
UNMAPPED = "(map it to a layer: --map TYPE=LAYER, or a mapping file)"


@dataclass(frozen=True, slots=True)
class TypeMap:
    """How the spans of one of the tool's types become annotations of one layer."""

    layer: str
    label: str | None = None
    labels: Mapping[str, str] | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    strip: Mapping[str, str] = field(default_factory=dict)
    set: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Mapped:
    """A span in our terms: its layer, label and attributes."""

    layer: str
    label: str
    attrs: dict[str, Any]


def parse_mapping(spec: Mapping[str, Any], schema: Schema, *, where: str | Path = "mapping") -> dict[str, TypeMap]:
    """Check a mapping's JSON (``{"types": {...}}``) against the schema; tool type -> TypeMap.

    >>> from toolkit.layout import Layout
    >>> m = parse_mapping({"types": {"NE": {"layer": "entities", "set": {"mention": "NAM"}}}}, Layout.open().schema)
    >>> m["NE"].layer, dict(m["NE"].set)
    ('entities', {'mention': 'NAM'})
    """
    types = spec.get("types") if isinstance(spec, Mapping) else None
    if not isinstance(types, Mapping) or set(spec) - {"types"}:
        raise ToolkitError('a mapping is an object {"types": {TYPE: {"layer": ...}, ...}}', file=where)
    out = {}
    for name, rules in types.items():
        if not isinstance(rules, Mapping) or not isinstance(rules.get("layer"), str):
            raise ToolkitError(f"type {quote(name)}: give at least its \"layer\"", file=where)
        unknown = set(rules) - TYPE_KEYS
        if unknown:
            raise ToolkitError(f"type {quote(name)}: unknown keys {', '.join(map(quote, sorted(unknown)))}; a type "
                               f"takes {', '.join(sorted(TYPE_KEYS))}", file=where)
        layer = schema.layer(rules["layer"])
        for key in ("labels", "attributes", "strip", "set"):
            if not isinstance(rules.get(key, {}), Mapping):
                raise ToolkitError(f"type {quote(name)}: {quote(key)} is an object", file=where)
        for key in ("attributes", "strip", "set"):
            wrong = sorted(set(rules.get(key, {})) - set(layer.attributes))
            if wrong:
                raise ToolkitError(f"type {quote(name)}: {', '.join(map(quote, wrong))} in {quote(key)} is not an "
                                   f"attribute of {layer.name} ({', '.join(layer.attributes)})", file=where)
        out[str(name)] = TypeMap(layer.name, rules.get("label"), rules.get("labels"), rules.get("attributes", {}),
                                 rules.get("strip", {}), rules.get("set", {}))
    return out


def read_mapping(given: Iterable[str], schema: Schema) -> dict[str, TypeMap]:
    """Mappings from the command line: paths of mapping files, or ``TYPE=LAYER[:LABEL]``; later ones win."""
    out: dict[str, TypeMap] = {}
    for item in given:
        path = Path(item)
        if "=" in item and not path.is_file():
            name, _, target = item.rpartition("=")
            layer, _, label = target.partition(":")
            out.update(parse_mapping({"types": {name: {"layer": layer, **({"label": label} if label else {})}}},
                                     schema, where=f"--map {item}"))
        else:
            out.update(parse_mapping(read_json(path), schema, where=path))
    return out


def apply(span: Span, types: Mapping[str, TypeMap], schema: Schema) -> Mapped | str:
    """The span in our terms, or why it is not imported (its type or label is not mapped).

    Features go to the attributes they are mapped to; a list attribute given
    as one string (``"a b"`` or ``"a,b"``: tools without lists) is split.
    """
    rule = types.get(span.type)
    if rule is None:
        return f"type {quote(span.type)} is not mapped {UNMAPPED}"
    if rule.label is not None:
        label = rule.label
    elif span.label is None:
        return f"type {quote(span.type)} has no label and its mapping gives none"
    elif rule.labels is not None:
        if span.label not in rule.labels:
            return f"label {quote(span.label)} of type {quote(span.type)} is not mapped"
        label = rule.labels[span.label]
    else:
        label = span.label
    layer = schema.layers[rule.layer]
    attrs: dict[str, Any] = {}
    for name, attribute in layer.attributes.items():
        value = span.features.get(rule.attributes.get(name, name))
        if value is None or value == "":
            if name in rule.set:
                attrs[name] = rule.set[name]
            continue
        prefix = rule.strip.get(name)
        if prefix and isinstance(value, str) and value.startswith(prefix):
            value = value[len(prefix):]
        if attribute.is_list and isinstance(value, str):
            value = [v for v in LIST_SPLIT.split(value) if v]
        attrs[name] = value
    return Mapped(rule.layer, label, attrs)


def identity(schema: Schema, types: Mapping[str, str] | None = None) -> dict[str, TypeMap]:
    """The mapping of a format that writes each layer as a type of its own (``types``: layer -> type name)."""
    return {(types or {}).get(name, name): TypeMap(name) for name in schema.layers}
