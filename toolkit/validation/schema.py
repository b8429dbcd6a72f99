"""The annotation schema (``annotations/schema.json``): labels, attributes, overlap policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..display import quote
from ..errors import ToolkitError
from ..jsonl import read_json
from ..models import is_valid_id


@dataclass(frozen=True, slots=True)
class LayerSchema:
    name: str
    labels: frozenset[str]
    attributes: dict[str, dict[str, Any]]
    crossing: bool
    duplicates: bool
    nesting: bool | dict[str, Any]


@dataclass(frozen=True, slots=True)
class Schema:
    layers: dict[str, LayerSchema]
    registry_labels: frozenset[str]
    ambiguous: frozenset[str]


KINDS = ("registry_id", "registry_ids", "holder", "timex3", "timex3_mod")


def read_schema(annotations_dir: Path) -> Schema:
    """Read and check ``schema.json``; raise ToolkitError, naming what is wrong, if it cannot be used."""
    path = annotations_dir / "schema.json"
    raw = read_json(path)
    try:
        layers = {name: _layer(name, spec) for name, spec in _object(raw, "the schema", "layers").items()}
        return Schema(layers, _strings(_object(raw, "the schema", "registry"), "registry", "labels"),
                      frozenset(_object(raw, "the schema", "ambiguous", required=False)))
    except ValueError as e:
        raise ToolkitError(str(e), file=path, code="E101") from None


def _layer(name: str, spec: Any) -> LayerSchema:
    if not isinstance(spec, dict) or not is_valid_id(name):
        raise ValueError(f"layer {quote(name)} should be an object named like an id")
    attributes = _object(spec, f"layer {name}", "attributes", required=False)
    for attribute, rules in attributes.items():
        where = f"attribute {quote(attribute)} of layer {name}"
        if not isinstance(rules, dict) or not isinstance(rules.get("required", False), bool):
            raise ValueError(f"{where} should be an object with a true or false 'required'")
        if "enum" in rules and not isinstance(rules["enum"], list):
            raise ValueError(f"'enum' of {where} should be a list")
        if rules.get("kind", KINDS[0]) not in KINDS:
            raise ValueError(f"'kind' of {where} should be one of {', '.join(KINDS)}")
    overlap = _object(spec, f"layer {name}", "overlap")
    nesting = overlap.get("nesting")
    if not isinstance(nesting, bool) and not (isinstance(nesting, dict) and isinstance(nesting.get("outer"), dict)):
        raise ValueError(f"'nesting' of layer {name} should be true, false or {{\"outer\": {{...}}}}")
    for key in ("crossing", "duplicates"):
        if not isinstance(overlap.get(key), bool):
            raise ValueError(f"{quote(key)} of layer {name} should be true or false")
    return LayerSchema(name=name, labels=_strings(spec, f"layer {name}", "labels"), attributes=dict(attributes),
                       crossing=overlap["crossing"], duplicates=overlap["duplicates"], nesting=nesting)


def _object(parent: Any, where: str, key: str, *, required: bool = True) -> dict[str, Any]:
    value = parent.get(key, None if required else {}) if isinstance(parent, dict) else None
    if not isinstance(value, dict):
        raise ValueError(f"{where} should have an object {quote(key)}")
    return value


def _strings(parent: dict[str, Any], where: str, key: str) -> frozenset[str]:
    value = parent.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where} should have a list of strings {quote(key)}")
    return frozenset(value)
