"""Where a block is, as a reader says it: "Part 2, ¶5", "Part 1, note 3", "Part 2, ¶9, item 1".

Block ids are names, not positions (an inserted paragraph takes a new id),
so locations are counted here in reading order: paragraphs per part, list
items after the paragraph that introduces them, footnotes by their printed
number, headings by their text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Block

HEADING_CHARS = 40


@dataclass(frozen=True, slots=True)
class Location:
    """A block's place: ``short`` within its part ("¶5"), ``long`` on the whole page ("Part 2, ¶5")."""

    short: str
    long: str


def document_names(blocks: Iterable[Block]) -> dict[str, str]:
    """What a reader calls each document: its title, with its id where two documents share a title.

    >>> document_names([Block("a.t", "a", "title", None, None, "Essay", 0, 5),
    ...                 Block("b.t", "b", "title", None, None, "Essay", 0, 5)])
    {'a': 'Essay (a)', 'b': 'Essay (b)'}
    """
    titles: dict[str, str] = {}
    for block in blocks:
        titles.setdefault(block.doc, block.text if block.kind == "title" else block.doc)
        if block.kind == "title" and titles[block.doc] == block.doc:
            titles[block.doc] = block.text
    shared = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    return {doc: f"{title} ({doc})" if title in shared else title for doc, title in titles.items()}


def locate(blocks: Iterable[Block], *, with_document: bool = False) -> dict[str, Location]:
    """The location of every block, by id (``with_document``: each prefixed by its document's name).

    >>> blocks = [Block("d.p2.h1", "d", "heading", 2, None, "Schisms", 0, 7),
    ...           Block("d.p2.para1", "d", "paragraph", 2, None, "Text", 8, 12),
    ...           Block("d.p2.li1", "d", "list_item", 2, None, "1. One", 13, 19, number=1),
    ...           Block("d.p2.fn1", "d", "footnote", 2, None, "[1] A note", 20, 30, number=1)]
    >>> [loc.long for loc in locate(blocks).values()]
    ['Part 2, “Schisms”', 'Part 2, ¶1', 'Part 2, ¶1, item 1', 'Part 2, note 1']
    """
    blocks = list(blocks)
    names = document_names(blocks)
    out: dict[str, Location] = {}
    paragraphs: dict[tuple[str, int | None], int] = {}
    for block in blocks:
        where = (block.doc, block.part)
        if block.kind == "paragraph":
            paragraphs[where] = paragraphs.get(where, 0) + 1
        short = _short(block, paragraphs.get(where, 0))
        part = f"Part {block.part}" if block.part is not None else "Front matter"
        prefix = f"{names[block.doc]}, " if with_document else ""
        out[block.id] = Location(short, f"{prefix}{part}, {short}")
    return out


def _short(block: Block, paragraph: int) -> str:
    if block.kind == "paragraph":
        return f"¶{paragraph}"
    if block.kind == "list_item":
        item = f"item {block.number}" if block.number is not None else "list item"
        return f"¶{paragraph}, {item}" if paragraph else item
    if block.kind == "footnote":
        return f"note {block.number}" if block.number is not None else "note"
    if block.kind == "heading":
        heading = block.text if len(block.text) <= HEADING_CHARS else block.text[:HEADING_CHARS - 1].rstrip() + "…"
        return f"“{heading}”"
    return block.kind.replace("_", " ")
