"""The corpus cut into shards of whole documents, for workers (see :mod:`toolkit.parallel`).

Layer files are in reading order, so each document's records are one
contiguous slice of each file, found by binary search on byte offsets: a
shard is a document folder and the byte ranges of its records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from .checks import Checks
from .display import quote
from .errors import ToolkitError
from .join import AnnotatedBlock, LayerCursor, parts_of
from .jsonl import check_readable
from .layout import Layout, blocks_file
from .positions import PARAGRAPH, BlockPositions, raw_string
from .readers import placed_blocks, raw_positions, read_document_record

Section = tuple[int, int, int]  # start byte, end byte, first line; an empty slice: (n, n, line)
EMPTY: Section = (0, 0, 1)


@dataclass(frozen=True, slots=True)
class Shard:
    """One document and the slices of the layer files that annotate it: a worker's unit."""

    folder: Path
    files: dict[str, Path]  # layer -> its file
    sections: dict[str, Section]  # layer -> its slice of the file
    checks: Checks


def document_shards(layout: Layout, checks: Checks, *, layers: Iterable[str] | None = None) -> Iterator[Shard]:
    """Cut the corpus into one shard per document, reading only a few lines of each layer file.

    Shards come one by one, so workers can start on the first while the next
    is cut. A file out of order cannot go unnoticed: a record in another
    document's slice names a block the worker does not have, and the worker
    stops with an error.
    """
    for folder in layout.documents:
        read_document_record(folder)
    # The document of a block is the one its position falls in: no dict of every block id.
    positions = BlockPositions(check_readable(blocks_file(folder)) for folder in layout.documents)
    files = {layer.name: layout.layer_file(layer.name) for layer in layout.schema.chosen(layers)}
    return _shards(layout.documents, files, positions, checks)


def _shards(folders: tuple[Path, ...], files: dict[str, Path], positions: BlockPositions, checks: Checks
            ) -> Iterator[Shard]:
    """A layer without a file is an empty layer in every shard, as in a serial run."""
    slicers = [slices(path, positions, len(folders)) if path.exists() else repeat(EMPTY)
               for path in files.values()]
    for folder, *sections in zip(folders, *slicers, strict=False):  # the repeats are endless
        yield Shard(folder, files, dict(zip(files, sections, strict=True)), checks)


def slices(path: Path, positions: BlockPositions, n_docs: int) -> Iterator[Section]:
    """(start byte, end byte, first line) of each document's records in a sorted layer file, in order.

    ``positions`` gives the index of a block's document (``document_of``).
    """
    size = path.stat().st_size
    with path.open("rb") as f, path.open("rb") as counter:

        def line_start(offset: int) -> int:
            if offset <= 0:
                return 0
            f.seek(offset - 1)
            f.readline()
            return f.tell()

        def document_at(start: int) -> int:
            """The document of the first record at or after ``start`` (n_docs at the end)."""
            f.seek(start)
            for raw in iter(f.readline, b""):
                paragraph = raw_string(PARAGRAPH, raw)
                if paragraph is not None:
                    position = positions.get(paragraph)
                    if position is None:
                        raise ToolkitError(f"a record of unknown block {quote(paragraph)}", file=path, code="E103")
                    return positions.document_of(position)
            return n_docs

        start, line = 0, 1
        for k in range(n_docs):
            lo, hi = start, size
            while lo < hi:  # the first offset whose next record belongs to a later document than k
                mid = (lo + hi) // 2
                if document_at(line_start(mid)) > k:
                    hi = mid
                else:
                    lo = mid + 1
            end = size if k == n_docs - 1 else line_start(lo)
            yield start, end, line
            line += counter.read(end - start).count(b"\n")
            start = end


def shard_parts(shard: Shard) -> Iterator[list[AnnotatedBlock]]:
    """The parts of one shard's document, blocks joined with their annotations."""
    positions = raw_positions(blocks_file(shard.folder), {})
    cursors = [LayerCursor(shard.files[layer], layer, positions, section=section)
               for layer, section in shard.sections.items()]
    return parts_of(placed_blocks((shard.folder,), positions), cursors, shard.checks)
