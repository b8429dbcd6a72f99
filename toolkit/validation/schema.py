"""The annotation schema (``annotations/schema.json``): labels, attributes, overlap policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import srsly

from ..errors import ToolkitError
from ..jsonl import check_readable


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


def read_schema(annotations_dir: Path) -> Schema:
    """Read and check ``schema.json``; raise ToolkitError if it cannot be used."""
    path = check_readable(annotations_dir / "schema.json")
    try:
        raw = srsly.read_json(path)
        layers = {
            name: LayerSchema(
                name=name,
                labels=frozenset(spec["labels"]),
                attributes=dict(spec.get("attributes", {})),
                crossing=bool(spec["overlap"]["crossing"]),
                duplicates=bool(spec["overlap"]["duplicates"]),
                nesting=spec["overlap"]["nesting"],
            )
            for name, spec in raw["layers"].items()
        }
        return Schema(layers, frozenset(raw["registry"]["labels"]),
                      frozenset(raw.get("ambiguous", {})))
    except ValueError as e:
        raise ToolkitError(f"invalid JSON: {e}", file=path) from None
    except (KeyError, TypeError, AttributeError) as e:
        raise ToolkitError(f"schema is missing or mistypes {e}", file=path) from None
