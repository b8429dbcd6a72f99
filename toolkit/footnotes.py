"""Footnote markers and their resolution, per document and part.

Numbering restarts in every part, so a marker ``[2]`` in Part Two resolves to
Part Two's footnote 2, never to Part One's. Resolution streams: it holds one
part's markers and bodies at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import groupby
from typing import Any

from .models import Block

MARKER = re.compile(r"\[(\d+)\]")
BODY_LABEL = re.compile(r"^\[(\d+)\]\s*")


@dataclass(frozen=True, slots=True)
class Marker:
    """A footnote marker ``[N]`` at ``start:end`` of a block's text."""

    paragraph: str
    start: int
    end: int
    number: int


@dataclass(frozen=True, slots=True)
class FootnoteLink:
    """A marker and the footnote body it points to: ``status`` is ``resolved`` or ``unresolved`` (no body)."""

    status: str
    doc: str
    part: int | None
    number: int
    paragraph: str
    start: int
    end: int
    footnote: str | None = None
    footnote_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class FootnoteBody:
    """A body no marker links to: ``status`` is ``unreferenced``, or ``duplicate`` (a second body with its number)."""

    status: str
    doc: str
    part: int | None
    number: int
    footnote: str
    footnote_text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def footnote_text(block: Block) -> str:
    """A footnote body without its printed label: ``[3] Text`` -> ``Text``."""
    return BODY_LABEL.sub("", block.text, count=1)


def find_markers(block: Block) -> list[Marker]:
    """The markers in a block; a footnote body's own leading label is not one.

    >>> b = Block("d.p1.para1", "d", "paragraph", 1, None, "Iran,”[6] and Iraq.[4]", 0, 22)
    >>> [(m.number, m.start, m.end) for m in find_markers(b)]
    [(6, 6, 9), (4, 19, 22)]
    """
    skip = 0
    if block.kind == "footnote":
        label = BODY_LABEL.match(block.text)
        skip = label.end() if label else 0
    return [Marker(block.id, m.start(), m.end(), int(m.group(1)))
            for m in MARKER.finditer(block.text, skip)]


def resolve_footnotes(blocks: Iterable[Block]) -> Iterator[FootnoteLink | FootnoteBody]:
    """Resolve every marker of ``blocks`` (in reading order) within its document and part.

    Yields the markers of each part in order, then its unreferenced and
    duplicate bodies.
    """
    for (doc, part), group in groupby(blocks, key=lambda b: (b.doc, b.part)):
        yield from resolve_part(doc, part, list(group))


def links_by_block(blocks: Iterable[Block]) -> dict[str, list[FootnoteLink]]:
    """Block id -> the links of its markers, in order: the one place they are built for readers.

    >>> b = Block("d.p1.para1", "d", "paragraph", 1, None, "Iraq.[1]", 0, 8)
    >>> fn = Block("d.p1.fn1", "d", "footnote", 1, None, "[1] A note.", 9, 20, number=1)
    >>> [(link.start, link.footnote) for link in links_by_block([b, fn])["d.p1.para1"]]
    [(5, 'd.p1.fn1')]
    """
    found: dict[str, list[FootnoteLink]] = {}
    for link in resolve_footnotes(blocks):
        if isinstance(link, FootnoteLink):
            found.setdefault(link.paragraph, []).append(link)
    return found


def resolve_part(doc: str, part: int | None, blocks: list[Block]) -> Iterator[FootnoteLink | FootnoteBody]:
    bodies: dict[int, Block] = {}
    duplicates: list[Block] = []
    for block in blocks:
        if block.kind == "footnote" and block.number is not None:
            if block.number in bodies:
                duplicates.append(block)
            else:
                bodies[block.number] = block
    referenced: set[int] = set()
    for block in blocks:
        for marker in find_markers(block):
            body = bodies.get(marker.number)
            if body is not None:
                referenced.add(marker.number)
            yield FootnoteLink(
                status="resolved" if body else "unresolved", doc=doc, part=part,
                number=marker.number, paragraph=marker.paragraph, start=marker.start,
                end=marker.end, footnote=body.id if body else None,
                footnote_text=footnote_text(body) if body else None)
    for number, body in bodies.items():
        if number not in referenced:
            yield FootnoteBody("unreferenced", doc, part, number, body.id, footnote_text(body))
    for body in duplicates:
        yield FootnoteBody("duplicate", doc, part, body.number or 0, body.id, footnote_text(body))
