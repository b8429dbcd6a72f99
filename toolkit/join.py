"""The join of layers to blocks: each layer file walked alongside the blocks, one document part at a time.

Layer files are kept in reading order (block order, then start offset;
``toolkit fmt`` writes them so, ``validate`` reports records out of order as
E110), so the annotations of a block are taken as the block goes by and
nothing else is held in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from .checks import Checks
from .display import quote
from .errors import ToolkitError
from .footnotes import FootnoteLink, links_by_block
from .layout import Layout
from .models import ANNOTATION_FIELDS, Annotation, Block
from .readers import block_positions, checked_records, placed_blocks, read_document_record
from .validation.records import Located


class LayerCursor:
    """Walks one layer file alongside the blocks, in reading order.

    A record of an unknown block (E103) or out of order (E110) is refused.
    ``section`` limits it to a slice of the file: (start byte, end byte, first line).
    """

    def __init__(self, path: Path, layer: str, positions: dict[str, int], *,
                 section: tuple[int, int, int] | None = None) -> None:
        self.path = path
        self.layer = layer
        self.positions = positions
        empty = section is not None and section[0] == section[1]
        self._records: Iterator[tuple[int, dict[str, Any]]] = (
            checked_records(path, ANNOTATION_FIELDS, section) if path.exists() and not empty else iter(()))
        self._pending: tuple[int, Located] | None = None  # position, record
        self._last = (-1, -1)
        self._advance()

    def _advance(self) -> None:
        item = next(self._records, None)
        if item is None:
            self._pending = None
            return
        line, record = item
        annotation = Annotation.from_dict(record, layer=self.layer)
        position = self.positions.get(annotation.paragraph)
        if position is None:
            raise ToolkitError(f"no block {quote(annotation.paragraph)} in the corpus", file=self.path, line=line,
                               record=annotation.id, code="E103")
        if (position, annotation.start) < self._last:
            raise ToolkitError("record out of reading order: layer files are sorted by block, then start "
                               "(toolkit fmt sorts them)", file=self.path, line=line, record=annotation.id, code="E110")
        self._last = (position, annotation.start)
        self._pending = (position, Located(annotation, self.path, line))

    def take(self, block_id: str) -> list[Located]:
        """The records of ``block_id``; blocks must be asked for in reading order."""
        position = self.positions[block_id]
        taken = []
        while self._pending is not None and self._pending[0] <= position:
            taken.append(self._pending[1])
            self._advance()
        return taken


@dataclass(frozen=True, slots=True)
class AnnotatedBlock:
    """A block with its annotations per layer and the footnote links of its markers."""

    block: Block
    layers: dict[str, list[Annotation]]
    links: list[FootnoteLink]


def iter_parts(layout: Layout, checks: Checks, *, layers: Iterable[str] | None = None
               ) -> Iterator[list[AnnotatedBlock]]:
    """Stream the corpus one document part at a time, blocks joined with their annotations.

    A part is the smallest unit in which footnote markers can be resolved (its
    bodies close it), so it is what is held in memory, never the corpus.
    ``layers`` defaults to every layer the schema declares. Every record is
    checked as it goes by (:mod:`toolkit.checks`). Checks the layer files'
    presence at the call.
    """
    positions = block_positions(layout)
    cursors = [LayerCursor(layout.layer_file(layer.name), layer.name, positions)
               for layer in layout.schema.chosen(layers)]
    for folder in layout.documents:
        read_document_record(folder)  # its record is checked too, though the parts do not carry it
    return parts_of(placed_blocks(layout.documents, positions), cursors, checks)


def parts_of(blocks: Iterable[Block], cursors: list[LayerCursor], checks: Checks) -> Iterator[list[AnnotatedBlock]]:
    """Group ``blocks`` into document parts and join each block with what the cursors hold for it."""
    seen: set[str] = set()  # annotation ids of the current document
    document = None
    for (doc, _), group in groupby(blocks, key=lambda b: (b.doc, b.part)):
        if doc != document:
            document, seen = doc, set()
        part = list(group)
        links = links_by_block(part)
        annotated = []
        for block in part:
            located = {c.layer: c.take(block.id) for c in cursors}
            checks.annotations(block, located, seen)
            layers = {name: [item.annotation for item in items] for name, items in located.items()}
            annotated.append(AnnotatedBlock(block, layers, links.get(block.id, [])))
        yield annotated
