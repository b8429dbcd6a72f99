"""JSON Schemas of the records the commands write (``toolkit schema NAME``).

``blocks``, ``footnotes`` and ``findings`` are fixed; the schema of a
layer's extracted records is generated from ``schema.json``: the fields of
every record, then the layer's attributes with their types.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from ..errors import ToolkitError
from ..schema import Attribute, LayerSchema, Schema

FIXED = ("footnotes", "findings", "blocks")
_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"}, "registry_id": {"type": "string"}, "holder": {"type": "string"},
    "timex3": {"type": "string"}, "timex3_mod": {"type": "string"},
    "registry_ids": {"type": "array", "items": {"type": "string"}},
    "holders": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
}


def schema_names(schema: Schema) -> list[str]:
    """Every name ``toolkit schema`` knows: the layers, then the fixed schemas."""
    return [*schema.layers, *FIXED]


def json_schema(name: str, schema: Schema) -> dict[str, Any]:
    """The JSON Schema ``name``: a layer of ``schema`` or one of the fixed ones.

    >>> from toolkit.layout import Layout
    >>> s = json_schema("claims", Layout.open().schema)
    >>> s["properties"]["about"], s["properties"]["layer"]
    ({'type': 'array', 'items': {'type': 'string'}}, {'const': 'claims'})
    """
    if name in schema.layers:
        return _layer_schema(schema.layers[name])
    if name in FIXED:
        return _read(name)
    raise ToolkitError(f"no schema {name!r}; choose one of {', '.join(schema_names(schema))}")


def _read(name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(files(__package__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))
    return value


def _layer_schema(layer: LayerSchema) -> dict[str, Any]:
    out = _read("annotation")
    out["$id"] = f"toolkit/{layer.name}.schema.json"
    out["title"] = f"Record of layer {layer.name} (toolkit extract --layer {layer.name})"
    props = out["properties"]
    props["layer"] = {"const": layer.name}
    props["label"] = {"enum": list(layer.labels)}
    for attribute in layer.attributes.values():
        props[attribute.name] = _attribute(attribute)
    if layer.link is not None:
        props["canonical"] = {"type": ["string", "null"], "description": "the registry name of the linked entity"}
        props["entity_footnotes"] = {"type": "array", "items": {"$ref": "#/$defs/footnote"},
                                     "description": "footnotes the registry lists for the entity"}
    out["required"] = [*out["required"], *layer.attributes,
                       *(("canonical", "entity_footnotes") if layer.link else ())]
    return out


def _attribute(attribute: Attribute) -> dict[str, Any]:
    if attribute.enum is not None:
        values = list(attribute.enum)
        return {"enum": values if attribute.required or attribute.is_list else [*values, None]}
    spec = dict(_TYPES[attribute.type])
    if not attribute.required:
        spec.pop("minItems", None)  # extract writes [] for an absent list
    if not attribute.required and not attribute.is_list:
        spec["type"] = [spec["type"], "null"]
    return spec
