"""Block ids used twice (E102), found in a walk over the documents without a set of every block id."""

from __future__ import annotations

from pathlib import Path

from ..jsonl import BadLine, iter_lines
from ..layout import blocks_file
from ..models import BLOCK_FIELDS, field_problems
from ..positions import BlockPositions


class UsedIds:
    """The ids of the usable block lines met so far in a walk, each with its line: what a dict of them would answer.

    Only the current document's ids are kept, and the few that could come
    back in a later document. The raw scan behind ``positions`` read each
    line's id, which is normally the id the line parses to; so an id that
    comes back in a later document is one the raw scan read on more than one
    line (``positions.repeated``, ids used twice: few) or one of a line whose
    raw id is not its parsed id (against the rule that the id comes first: few). Those
    lines are kept. Any other id is on one line only, and the raw scan says
    which: an earlier document's line is read again to see whether it was a
    usable block line with that id (only ever for a line of the second kind).
    """

    def __init__(self, folders: tuple[Path, ...], positions: BlockPositions) -> None:
        self._folders = folders
        self._positions = positions  # of ``folders``, in the same order
        self._here: dict[str, int] = {}  # id -> line, in the current document
        self._kept: dict[str, int] = {}  # id -> line, of the lines that could come back in a later document
        self._document = -1

    def enter(self, document: int) -> None:
        """Start on ``folders[document]``: the previous document's ids are let go."""
        self._here, self._document = {}, document

    def earlier(self, block_id: str) -> int | None:
        """The line of an earlier usable block line with ``block_id``, if there is one."""
        line = self._here.get(block_id)
        if line is None:
            line = self._kept.get(block_id)
        if line is not None or block_id in self._positions.repeated:
            return line
        first = self._positions.first_line(block_id)
        if first is None or first[0] >= self._document:
            return None
        return first[1] if _usable(blocks_file(self._folders[first[0]]), first[1], block_id) else None

    def add(self, block_id: str, line: int) -> None:
        """A usable block line with an id not used before."""
        self._here[block_id] = line
        if block_id in self._positions.repeated or self._positions.first_line(block_id) != (self._document, line):
            self._kept[block_id] = line


def _usable(path: Path, line: int, block_id: str) -> bool:
    """Whether ``line`` of ``path`` is a block record with ``block_id`` and every field of its type."""
    for number, record in iter_lines(path):
        if number >= line:
            return (number == line and not isinstance(record, BadLine) and not field_problems(record, BLOCK_FIELDS)
                    and record["id"] == block_id)
    return False
