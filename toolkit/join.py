"""The join of layers to blocks: each layer file walked alongside the blocks, one document part at a time.

Layer files are kept in reading order (block order, then start offset;
``toolkit fmt`` writes them so, ``validate`` reports records out of order as
E110), so the annotations of a block are taken as the block goes by and
nothing else is held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from .checks import Checks
from .display import quote
from .errors import ToolkitError
from .footnotes import FootnoteLink, links_by_block
from .jsonl import BadLine, iter_lines
from .layout import Layout
from .models import ANNOTATION_FIELDS, Annotation, Block
from .readers import block_positions, checked_records, placed_blocks, read_document_record
from .validation.findings import Finding, finding
from .validation.records import Located

Raw = tuple[int, dict[str, Any]]  # line, record


class LayerCursor:
    """Walks one layer file alongside the blocks, in reading order: the one join of a layer to the blocks.

    Strict (every reader): a bad line (E100), bad fields (E101), a record of an
    unknown block (E103) or out of order (E110) raises ToolkitError at once.
    Lenient (``validate``, which reports everything): ``problems`` collects
    the E100 and E110 findings and reading goes on; records of unknown blocks
    are ``unplaced`` (E103 is for the caller to judge), records of an earlier
    block than one already seen are ``late``; fields are the caller's to check.
    ``section`` limits the walk to a slice of the file: (start byte, end byte, first line).
    """

    def __init__(self, path: Path, layer: str, positions: Mapping[str, int], *,
                 section: tuple[int, int, int] | None = None, problems: list[Finding] | None = None,
                 seen: Callable[[int, dict[str, Any]], None] | None = None) -> None:
        self.path = path
        self.layer = layer
        self.positions = positions
        self.unplaced: list[Raw] = []
        self.late: list[Raw] = []
        self._problems = problems
        self._seen = seen
        empty = section is not None and section[0] == section[1]
        lines: Iterable[tuple[int, dict[str, Any] | BadLine]] = iter(())
        if path.exists() and not empty:
            lines = iter_lines(path, section=section) if problems is not None else checked_records(
                path, ANNOTATION_FIELDS, section)
        self._lines = iter(lines)
        self._furthest = (-1, -1)  # (position, start) of the record furthest into the corpus so far
        self._pending: tuple[int, int, dict[str, Any]] | None = self._next()  # position, line, record

    def _next(self) -> tuple[int, int, dict[str, Any]] | None:
        for line, record in self._lines:
            if isinstance(record, BadLine):  # lenient only: the strict lines raise E100 themselves
                self._problem("E100", record.message, line, None)
                continue
            if self._seen is not None:
                self._seen(line, record)
            paragraph = record.get("paragraph")
            position = self.positions.get(paragraph) if isinstance(paragraph, str) else None
            if position is None:
                if self._problems is None:
                    raise ToolkitError(f"no block {quote(paragraph)} in the corpus", file=self.path, line=line,
                                       record=_id(record), code="E103")
                self.unplaced.append((line, record))
                continue
            start = record.get("start")
            if type(start) is not int or start < 0:  # no offset (E101, E104 of its own): ordered by its block alone
                start = self._furthest[1] if position == self._furthest[0] else -1
            here = (position, start)
            if here < self._furthest:
                self._problem("E110", f"{quote(paragraph)}:{start} comes before the previous record: layer files are "
                              "in reading order, by block, then start (toolkit fmt sorts them)", line, record)
                if position < self._furthest[0]:
                    self.late.append((line, record))
                    continue
            self._furthest = max(self._furthest, here)
            return position, line, record
        return None

    def _problem(self, code: str, message: str, line: int, record: dict[str, Any] | None) -> None:
        rid = _id(record) if record is not None else None
        if self._problems is None:
            raise ToolkitError(message, file=self.path, line=line, record=rid, code=code)
        self._problems.append(finding(code, message, file=self.path, line=line, id=rid))

    def orphans(self, position: int) -> list[Raw]:
        """Records met before the block at ``position`` that belong to no usable block (lenient)."""
        while self._pending is not None and self._pending[0] < position:
            self.unplaced.append(self._pending[1:])
            self._pending = self._next()
        unplaced, self.unplaced = self.unplaced, []
        return unplaced

    def records(self, position: int) -> Iterator[Raw]:
        """The records of the block at ``position``, as read; blocks must be asked for in reading order."""
        while self._pending is not None and self._pending[0] <= position:
            yield self._pending[1:]
            self._pending = self._next()

    def take(self, block_id: str) -> list[Located]:
        """The annotations of ``block_id`` (strict: their fields were checked as they were read)."""
        return [Located(Annotation.from_dict(record, layer=self.layer), self.path, line)
                for line, record in self.records(self.positions[block_id])]


def _id(record: dict[str, Any]) -> str | None:
    rid = record.get("id")
    return rid if isinstance(rid, str) else None


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
