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
from typing import TYPE_CHECKING

from .display import quote
from .errors import ToolkitError
from .models import Block, RegistryEntity
from .schema import Schema
from .validation.findings import Finding
from .validation.records import Located, check_annotation, check_registry
from .validation.spans import check_overlaps

if TYPE_CHECKING:
    from .layout import Layout


def refuse(findings: Iterable[Finding]) -> None:
    """Raise ToolkitError for the first error among ``findings``."""
    for f in findings:
        if f.severity == "error":
            raise ToolkitError(f.message, file=f.file, line=f.line, record=f.id, code=f.code)


@dataclass(frozen=True, slots=True)
class Checks:
    """What records are held to: the schema and the registry of one annotations folder.

    >>> from toolkit.layout import Layout
    >>> checks = load_checks(Layout.open())
    >>> list(checks.schema.layers), len(checks.registry)
    (['entities', 'dates', 'claims'], 58)
    """

    schema: Schema
    registry: dict[str, RegistryEntity]

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


def load_checks(layout: Layout) -> Checks:
    """Read and check the registry of the layout's annotations folder (its schema is read already)."""
    registry: dict[str, RegistryEntity] = {}
    refuse(check_registry(layout.registry_file, layout.schema, {}, registry, {}))
    return Checks(layout.schema, registry)

