"""The reading-order position of every block id of a corpus, in about 12 bytes a block.

A dict of every block id costs about 130 bytes a block (the id string, an
int, the table): at a million blocks it outweighs everything else a
streaming command holds. Here the whole corpus is kept as one sorted array
of 64-bit keys, the top bits of an id's hash above its position (8 bytes a
block, sorted in place, so building it costs no more), plus, per document,
the raw ids of its lines, compressed (about 3 bytes a block: ids of one
document share most of their characters). Exact answers come from a small
dict of one document's ids, rebuilt when a lookup moves to another
document; the layer files are in reading order and documents are read one
after another, so that happens about once per document per pass.

A key only says which document to look in: every answer is the document's
own dict, so a collision (two ids, one hash prefix) never gives a wrong
position, it costs one more document's dict.
"""

from __future__ import annotations

import json
import re
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy
from numpy.typing import NDArray

from .jsonl import lone_surrogate

# Block ids and the block an annotation belongs to, found in a raw line without parsing it.
PARAGRAPH = re.compile(rb'(?<!\\)"paragraph"\s*:\s*"((?:[^"\\]|\\.)*)"')
BLOCK_ID = re.compile(rb'(?<!\\)"id"\s*:\s*"((?:[^"\\]|\\.)*)"')
NEAR = 4  # documents whose dicts are kept: the one being read, the next ones layer files reach ahead into
CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class _Document:
    """The ids whose first occurrence is in one document: position and line of each."""

    positions: dict[str, int]
    lines: dict[str, int]


class BlockPositions(Mapping[str, int]):
    """Block id -> reading-order position, with the answers of :func:`raw_positions` over every document.

    An id gets the position of its first line with a readable id; an id
    read again later gets none of its own. ``repeated`` holds the ids read on
    more than one line (a block id used twice: an error, so a small set).
    """

    def __init__(self, files: Iterable[Path]) -> None:
        keys = array("q")
        starts = [0]
        self._lines: list[bytes] = []  # per document: its lines' raw ids (None: none readable), as compressed JSON
        repeated: set[str] = set()
        for path in files:
            raw = _raw_ids(path) if path.exists() else []
            first: set[str] = set()
            for block_id in raw:
                if block_id is None:
                    continue
                if block_id in first:
                    repeated.add(block_id)
                    continue
                first.add(block_id)
                keys.append(id_hash(block_id))
            self._lines.append(zlib.compress(json.dumps(raw).encode()))
            starts.append(len(keys))
        self._starts = starts
        self._elsewhere: dict[int, set[str]] = {}  # document -> its ids first read in an earlier document
        self._near: dict[int, _Document] = {}
        self._recent: dict[str, int] = {}
        self._shift = max(1, len(keys).bit_length())  # the bits of a position: the rest of a key is the hash's
        every = numpy.frombuffer(keys, dtype=numpy.int64) if keys else numpy.zeros(0, numpy.int64)
        every >>= self._shift
        every <<= self._shift
        for lo in range(0, len(every), CHUNK):  # a chunk at a time: no second array of the corpus's size
            every[lo:lo + CHUNK] |= numpy.arange(lo, min(lo + CHUNK, len(every)), dtype=numpy.int64)
        every.sort()
        self._keys: NDArray[numpy.int64] = every
        self.repeated = frozenset(repeated | self._drop_repeats())

    def _position(self, k: int) -> int:
        return int(self._keys[k]) & ((1 << self._shift) - 1)

    def _drop_repeats(self) -> set[str]:
        """Give up the positions of ids first read in an earlier document; the positions stay dense.

        Equal hash prefixes are the only places to look (an id read in two
        documents has one hash); two different ids with one prefix are kept.
        Each document involved is read once, in reading order, so even ids
        repeated in every document cost one pass over those documents.
        """
        prefixes = self._keys >> self._shift
        same = numpy.flatnonzero(prefixes[1:] == prefixes[:-1])
        if not len(same):
            return set()
        mask = (1 << self._shift) - 1
        involved = numpy.sort(self._keys[numpy.unique(numpy.concatenate([same, same + 1]))] & mask)
        first: set[str] = set()  # the ids at the involved positions met so far
        dropped: list[int] = []
        for document in numpy.unique([self.document_of(int(p)) for p in involved]):
            firsts = list(dict.fromkeys(i for i in self._raw(int(document)) if i is not None))
            lo, hi = self._starts[document], self._starts[document + 1]
            for position in involved[numpy.searchsorted(involved, lo):numpy.searchsorted(involved, hi)]:
                block_id = firsts[int(position) - lo]
                if block_id in first:
                    dropped.append(int(position))
                    self._elsewhere.setdefault(int(document), set()).add(block_id)
                else:
                    first.add(block_id)
        gone = numpy.array(dropped, dtype=numpy.int64)  # in reading order, so sorted
        positions = self._keys & mask
        keep = ~numpy.isin(positions, gone)
        kept = positions[keep]
        self._keys = (prefixes[keep] << self._shift) | (kept - numpy.searchsorted(gone, kept))
        self._starts = [start - int(numpy.searchsorted(gone, start)) for start in self._starts]
        return {block_id for ids in self._elsewhere.values() for block_id in ids}

    def _raw(self, document: int) -> list[str | None]:
        ids: list[str | None] = json.loads(zlib.decompress(self._lines[document]))
        return ids

    def document_of(self, position: int) -> int:
        """The index of the document (in the order the files were given) that holds ``position``."""
        return bisect_right(self._starts, position) - 1

    def _document(self, document: int) -> _Document:
        near = self._near.pop(document, None)
        if near is None:
            positions: dict[str, int] = {}
            lines: dict[str, int] = {}
            elsewhere = self._elsewhere.get(document, set())
            for line, block_id in enumerate(self._raw(document), start=1):
                if block_id is not None and block_id not in positions and block_id not in elsewhere:
                    positions[block_id] = self._starts[document] + len(positions)
                    lines[block_id] = line
            near = _Document(positions, lines)
            if len(self._near) >= NEAR:
                del self._near[next(iter(self._near))]  # the least recently used
        self._near[document] = near
        return near

    def _find(self, block_id: str) -> tuple[int, _Document] | None:
        """The document whose ids include ``block_id`` first, and its dict."""
        for document, near in self._near.items():
            if block_id in near.positions:
                self._recent = near.positions
                return document, near
        prefix = id_hash(block_id) >> self._shift
        k = int(numpy.searchsorted(self._keys, prefix << self._shift))
        while k < len(self._keys) and int(self._keys[k]) >> self._shift == prefix:  # more than once: a collision
            document = self.document_of(self._position(k))
            near = self._document(document)
            if block_id in near.positions:
                self._recent = near.positions
                return document, near
            k += 1
        return None

    def get(self, block_id: str, default: int | None = None) -> int | None:  # type: ignore[override]
        position = self._recent.get(block_id)  # the hot path: most lookups are in the document last asked for
        if position is not None:
            return position
        found = self._find(block_id)
        return default if found is None else found[1].positions[block_id]

    def __getitem__(self, block_id: str) -> int:
        found = self._find(block_id)
        if found is None:
            raise KeyError(block_id)
        return found[1].positions[block_id]

    def __contains__(self, block_id: object) -> bool:
        return isinstance(block_id, str) and self._find(block_id) is not None

    def first_line(self, block_id: str) -> tuple[int, int] | None:
        """(document index, line number) of the first line whose raw id is ``block_id``."""
        found = self._find(block_id)
        return None if found is None else (found[0], found[1].lines[block_id])

    def __len__(self) -> int:
        return self._starts[-1]

    def __iter__(self) -> Iterator[str]:
        for document in range(len(self._lines)):
            yield from self._document(document).positions


def id_hash(block_id: str) -> int:
    """Python's own hash of a string: fast, and cached on the string; the same for the life of the process,
    which is as long as an index lives (it never crosses to a worker)."""
    return hash(block_id)


def raw_string(pattern: re.Pattern[bytes], raw: bytes) -> str | None:
    """The JSON string value that ``pattern`` finds in a raw line, without parsing the line."""
    m = pattern.search(raw)
    if m is None:
        return None
    try:
        value = json.loads(b'"' + m.group(1) + b'"')
    except ValueError:
        return None
    return value if isinstance(value, str) and not lone_surrogate(value) else None


def _raw_ids(path: Path) -> list[str | None]:
    """The raw id of each line of a blocks.jsonl (None where none reads), without parsing the lines."""
    with path.open("rb") as f:
        return [raw_string(BLOCK_ID, raw) for raw in f]
