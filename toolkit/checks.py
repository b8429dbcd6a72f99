"""The checks every reader runs on what it reads: it refuses the first error.

``toolkit validate`` reports every problem; the commands and loaders that
consume the data (extract, render, footnotes, agree, ``load_corpus``,
``docs``, ``stream_docs``, ``to_dataframe``) run the same checks on each
record, and on the spans of each block, and stop at the first error with
a :class:`~toolkit.ToolkitError` naming its code, file, line and record.
Checks across records (string variation, unannotated names, ids unique
across documents) stay in ``validate``. Warnings do not stop a reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .display import quote
from .errors import ToolkitError
from .models import Block, RegistryEntity
from .validation.findings import Finding
from .validation.records import Located, check_annotation, check_registry
from .validation.schema import Schema, read_schema
from .validation.spans import check_overlaps


def refuse(findings: Iterable[Finding]) -> None:
    """Raise ToolkitError for the first error among ``findings``."""
    for f in findings:
        if f.severity == "error":
            raise ToolkitError(f.message, file=f.file, line=f.line, record=f.id, code=f.code)


@dataclass(frozen=True, slots=True)
class Checks:
    """What records are held to: the schema and the registry of one annotations folder.

    >>> checks = load_checks()
    >>> sorted(checks.schema.layers), len(checks.registry)
    (['claims', 'dates', 'entities'], 58)
    """

    schema: Schema
    registry: dict[str, RegistryEntity]

    def layers(self, wanted: Iterable[str] | None = None) -> list[str]:
        """The layers asked for (default: every layer the schema declares), in the schema's order."""
        if wanted is None:
            return list(self.schema.layers)
        wanted = list(wanted)
        unknown = [name for name in wanted if name not in self.schema.layers]
        if unknown:
            raise ToolkitError(f"unknown layer {quote(unknown[0])}; the schema declares "
                               f"{', '.join(self.schema.layers)}")
        return [name for name in self.schema.layers if name in wanted]

    def annotations(self, block: Block, layers: Mapping[str, list[Located]], seen: set[str]) -> None:
        """Refuse the first error among the annotations of ``block``, per record and per layer.

        ``seen`` holds the ids met so far in the document; ids must also not
        be registry ids.
        """
        for name, items in layers.items():
            layer = self.schema.layers[name]
            for item in items:
                refuse(check_annotation(item, block, layer, self.registry))
                a = item.annotation
                if a.id in seen or a.id in self.registry:
                    raise ToolkitError(f"id {quote(a.id)} is used twice", file=item.file, line=item.line,
                                       record=a.id, code="E102")
                seen.add(a.id)
            refuse(check_overlaps(layer, items))


def load_checks(annotations_dir: str | Path | None = None) -> Checks:
    """Read and check ``schema.json`` and ``registry.jsonl`` of an annotations folder (default: the shipped one)."""
    from .paths import resolve_annotations_dir

    adir = resolve_annotations_dir(annotations_dir)
    schema = read_schema(adir)
    registry: dict[str, RegistryEntity] = {}
    refuse(check_registry(adir / "registry.jsonl", schema, {}, registry, {}))
    return Checks(schema, registry)

