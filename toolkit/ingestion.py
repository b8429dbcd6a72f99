"""Segment a plain-text essay into blocks with exact offsets into the source.

The layout understood is the one of the shipped essay: a title line, a byline,
datelines, part headings ending in ``Part One``/``Part Two``, headings in
title case, numbered list items, ``Footnotes`` sections of ``[N] text`` lines,
separator lines, and web-page residue at the end. Anything the rules cannot
place makes :func:`segment` raise :class:`ToolkitError` with the line number:
it never guesses silently.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ToolkitError
from .jsonl import check_readable
from .models import KINDS, Artefact, Block, Document, Excluded, PrintedDate

ORDINALS = {w: i for i, w in enumerate(
    ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], start=1)}
PART = re.compile(r"\bPart\s+(One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|\d+)\s*$", re.I)
FOOTNOTES_HEADING = re.compile(r"^(Foot)?notes\s*:?\s*$", re.I)
FOOTNOTE = re.compile(r"^\[(\d+)\]\s*\S")
LIST_ITEM = re.compile(r"^(\d+)\.\s+\S")
TRUNCATED_ITEM = re.compile(r"^\d+\.\s*(\.{3,}|…+)\s*$")
SEPARATOR = re.compile(r"^\s*([*=_~#-])\1{2,}\s*$")
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"], start=1)}
NUMERIC_DATE = re.compile(r"^(\d{4})\s*/\s*(\d{1,2})\s*/\s*(\d{1,2})$")
WORDY_DATE = re.compile(r"\b(\d{1,2})\s+([A-Z][a-z]+)\s+(\d{4})\b")
DATELINE_CUE = re.compile(r"\bpublished\b", re.I)
RESIDUE = [re.compile(p) for p in (
    r"^Add comment$",
    r"^Rate the article$",
    r"^Bad\b.*\bVery good$",
    r"^Result\s*:.*\bvote\b",
)]
RESIDUE_REASON = (
    "web-page residue after the essay (comment and rating widgets, vote result, "
    "runs of no-break spaces): not part of the essay"
)
SMALL_WORDS = {"with", "from", "into", "onto", "over", "upon", "than", "that", "this", "while"}
TWO_LETTER_WORDS = {"am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my", "no",
                    "of", "on", "or", "so", "to", "up", "us", "we"}
LOST_APOSTROPHE = [
    re.compile(r"\b[A-Za-z]+ (s)\b(?![-’'])"),
    re.compile(r"\b([A-Z][a-z]) [a-z]{3,}\b"),
]


@dataclass(slots=True)
class _Line:
    number: int
    start: int
    end: int
    text: str


def _lines(source: str) -> list[_Line]:
    lines = []
    offset = 0
    for number, raw in enumerate(source.split("\n"), start=1):
        start, end = offset, offset + len(raw)
        if number == 1 and raw.startswith("\ufeff"):
            start += 1
        if raw.endswith("\r"):
            end -= 1
        lines.append(_Line(number, start, end, source[start:end]))
        offset += len(raw) + 1
    return lines


def _is_blank(line: _Line) -> bool:
    return not line.text.strip()


def _is_title_case(text: str) -> bool:
    words = re.findall(r"[A-Za-z][\w’'-]*", text)
    significant = [w for w in words if len(w) >= 4 and w.lower() not in SMALL_WORDS]
    return bool(words) and words[0][0].isupper() and bool(significant) and all(
        w[0].isupper() for w in significant)


def _part_number(line: _Line) -> int | None:
    m = PART.search(line.text)
    if not m or not _is_title_case(line.text) or len(line.text) > 150:
        return None
    word = m.group(1).lower()
    return int(word) if word.isdigit() else ORDINALS[word]


def dateline_value(text: str) -> str | None:
    """The ISO date of a dateline, or None if ``text`` is not one.

    >>> dateline_value("Originally published in Arabic – 29 June 2012")
    '2012-06-29'
    >>> dateline_value("2025 / 7 / 3")
    '2025-07-03'
    """
    text = text.strip()
    if len(text) > 100:
        return None
    m = NUMERIC_DATE.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}"
    m = WORDY_DATE.search(text)
    if m and DATELINE_CUE.search(text) and m.group(2).lower() in MONTHS:
        return f"{int(m.group(3)):04d}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    return None


def _residue_start(lines: list[_Line]) -> int:
    """Index of the first line of trailing web residue (len(lines) if none)."""
    i = len(lines)
    first_content = len(lines)
    while i > 0:
        line = lines[i - 1]
        if _is_blank(line):
            if line.text:  # whitespace-only lines such as runs of U+00A0 are residue too
                first_content = i - 1
            i -= 1
        elif any(p.match(line.text.strip()) for p in RESIDUE):
            first_content = i - 1
            i -= 1
        else:
            break
    for line in lines[:i]:
        if any(p.match(line.text.strip()) for p in RESIDUE):
            raise ToolkitError(
                f"web-page residue ({line.text.strip()!r}) inside the essay, not at its end",
                line=line.number)
    return first_content


class _Segmenter:
    def __init__(self, doc: str) -> None:
        self.doc = doc
        self.blocks: list[Block] = []
        self.counters: dict[tuple[str, str], int] = {}
        self.part: int | None = None
        self.section: str | None = None
        self.in_footnotes = False
        self.seen_body = False  # a paragraph or list item in the current part
        self.footnote_numbers: set[tuple[int | None, int]] = set()

    def add(self, line: _Line, kind: str, *, number: int | None = None) -> None:
        scope = "front" if self.part is None else f"p{self.part}"
        short = KINDS[kind]
        if kind == "footnote":
            assert number is not None
            if (self.part, number) in self.footnote_numbers:
                raise ToolkitError(f"footnote [{number}] appears twice in this part", line=line.number)
            self.footnote_numbers.add((self.part, number))
            block_id = f"{self.doc}.{scope}.fn{number}"
        else:
            key = ("sep" if kind == "separator" else scope, short)
            self.counters[key] = self.counters.get(key, 0) + 1
            local = f"{short}{self.counters[key]}"
            block_id = f"{self.doc}.{local}" if kind == "separator" else f"{self.doc}.{scope}.{local}"
        part = None if kind == "separator" else self.part
        section = None if kind == "separator" else self.section
        self.blocks.append(Block(block_id, self.doc, kind, part, section, line.text,
                                 line.start, line.end, number))

    def start_part(self, line: _Line, number: int) -> None:
        expected = 1 if self.part is None else self.part + 1
        if number != expected:
            raise ToolkitError(f"part {number} follows part {self.part or 'none'}; expected part {expected}",
                               line=line.number)
        self.part, self.section, self.in_footnotes, self.seen_body = number, line.text, False, False
        self.add(line, "heading")

    def body_line(self, line: _Line) -> None:
        text = line.text
        if SEPARATOR.match(text):
            self.in_footnotes = False
            self.add(line, "separator")
            return
        part = _part_number(line)
        if part is not None and part != self.part:
            self.start_part(line, part)
            return
        if self.in_footnotes:
            m = FOOTNOTE.match(text)
            if not m:
                raise ToolkitError(
                    "line in a footnotes section is not a footnote '[N] text' "
                    "(footnote bodies are one line each)", line=line.number)
            self.add(line, "footnote", number=int(m.group(1)))
            return
        if FOOTNOTES_HEADING.match(text):
            self.section, self.in_footnotes = text.strip(), True
            self.add(line, "heading")
            return
        if FOOTNOTE.match(text):
            raise ToolkitError("footnote '[N] text' outside a Footnotes section", line=line.number)
        m = LIST_ITEM.match(text)
        if m:
            self.seen_body = True
            self.add(line, "list_item", number=int(m.group(1)))
        elif dateline_value(text):
            self.add(line, "dateline")
        elif len(text) <= 150 and _is_title_case(text) and not text.rstrip().endswith((".", ",", ";", ":")):
            self.section = text
            self.add(line, "heading")
        elif not self.seen_body and not text.rstrip().endswith((".", "?", "!", '"', "”", ")")):
            self.add(line, "subtitle")
        else:
            self.seen_body = True
            self.add(line, "paragraph")


def segment(source: str, *, doc: str, source_name: str) -> tuple[Document, list[Block]]:
    """Split the essay ``source`` into a document record and blocks in reading order.

    >>> document, blocks = segment("A Title\\n\\nAn Author\\n\\nIt begins here.\\n", doc="d", source_name="d.txt")
    >>> [(b.id, b.kind) for b in blocks], blocks[-1].text
    ([('d.front.title1', 'title'), ('d.front.byline1', 'byline'), ('d.p1.para1', 'paragraph')], 'It begins here.')
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", doc):
        raise ToolkitError(f"document id {doc!r} must be lower-case letters, digits, '-' or '_'")
    lines = _lines(source)
    end = _residue_start(lines)
    content = [line for line in lines[:end] if not _is_blank(line)]
    if not content:
        raise ToolkitError("no essay text found (the file is empty or holds only residue)")
    seg = _Segmenter(doc)
    title = content[0]
    if len(title.text) > 200 or title.text.rstrip().endswith("."):
        raise ToolkitError("the first line does not look like a title (too long, or a sentence)",
                           line=title.number)
    seg.add(title, "title")
    has_parts = any(_part_number(line) for line in content)
    rest = content[1:]
    if rest and len(rest[0].text) <= 60 and not re.search(r"\d", rest[0].text) and _part_number(rest[0]) is None:
        seg.add(rest[0], "byline")
        rest = rest[1:]
    for line in rest:
        if seg.part is None:
            part = _part_number(line)
            if part is not None:
                seg.start_part(line, part)
            elif dateline_value(line.text):
                seg.add(line, "dateline")
            elif has_parts and _is_title_case(line.text) and len(line.text) <= 150:
                seg.section = line.text
                seg.add(line, "heading")
            elif has_parts:
                raise ToolkitError("text before the first part heading that is neither a heading "
                                   "nor a dateline", line=line.number)
            else:
                seg.part = 1
                seg.body_line(line)
        else:
            seg.body_line(line)
    document = _document(source, doc=doc, source_name=source_name, blocks=seg.blocks,
                         excluded_from=lines[end].start if end < len(lines) else None)
    return document, seg.blocks


def _document(source: str, *, doc: str, source_name: str, blocks: list[Block],
              excluded_from: int | None) -> Document:
    by_kind = {b.kind: b for b in reversed(blocks)}
    excluded: tuple[Excluded, ...] = ()
    if excluded_from is not None:
        excluded = (Excluded(excluded_from, len(source), RESIDUE_REASON),)
    dates = tuple(PrintedDate(b.id, b.text, dateline_value(b.text) or "")
                  for b in blocks if b.kind == "dateline")
    return Document(
        id=doc,
        title=by_kind["title"].text,
        author=by_kind["byline"].text if "byline" in by_kind else None,
        dates=dates,
        source=source_name,
        sha256=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        length=len(source),
        excluded=excluded,
        artefacts=tuple(_artefacts(blocks)),
    )


def _artefacts(blocks: list[Block]) -> list[Artefact]:
    found: list[Artefact] = []
    for b in blocks:
        in_block: list[Artefact] = []
        if b.kind == "separator":
            in_block.append(Artefact("separator", b.id, 0, len(b.text), b.text))
        if b.kind == "list_item" and TRUNCATED_ITEM.match(b.text):
            in_block.append(Artefact("truncated_list_item", b.id, 0, len(b.text), b.text))
        for pattern in LOST_APOSTROPHE:
            for m in pattern.finditer(b.text):
                if m.group(1).lower() in TWO_LETTER_WORDS:
                    continue
                in_block.append(Artefact("apostrophe_lost_as_space", b.id, m.start(), m.end(), m.group()))
        found.extend(sorted(in_block, key=lambda a: a.start))
    return found


def read_source(path: str | Path) -> str:
    """Read a UTF-8 essay; a decoding error names the line."""
    path = check_readable(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ToolkitError(f"not UTF-8 (byte 0x{data[e.start]:02x})", file=path, line=line) from None


def ingest(source_path: str | Path, *, doc: str, corpus_dir: str | Path | None = None,
           force: bool = False) -> Path:
    """Build ``CORPUS/DOC/`` (verbatim source, ``document.json``, ``blocks.jsonl``).

    Returns the document's folder. Existing files are replaced only with
    ``force=True``. The three files are replaced together or not at all:
    each is written to a temporary file first, and the renames run with
    signals held back (:func:`toolkit.interrupt.deferred`).
    """
    from .writers import write_document

    source_path = Path(source_path)
    source = read_source(source_path)
    try:
        document, blocks = segment(source, doc=doc, source_name=source_path.name)
    except ToolkitError as e:
        raise ToolkitError(e.message, file=source_path, line=e.line) from None
    return write_document(document, blocks, source_path.read_bytes(), corpus_dir=corpus_dir, force=force)
