"""The data model: small typed records, independent of any file format.

Offsets are Unicode code points, end exclusive. Block offsets point into the
verbatim source; annotation offsets point into the block's ``text``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

from .display import quote

# Ids of documents, blocks, annotations and registry entities: safe in file names, URLs, HTML and terminals.
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")
ID_RULE = "is not an id: up to 200 letters, digits, '.', '_', ':' or '-', starting with a letter or digit"

# Block kinds, and how each is written in block ids (``pwc.p1.para3``).
KINDS = {
    "title": "title", "byline": "byline", "dateline": "date", "subtitle": "sub", "heading": "h",
    "paragraph": "para", "list_item": "li", "footnote": "fn", "separator": "sep",
}


@dataclass(frozen=True, slots=True)
class Excluded:
    """A source range that no block covers, and why."""

    source_start: int
    source_end: int
    reason: str


@dataclass(frozen=True, slots=True)
class Artefact:
    """A flaw of the source kept verbatim and reported (never silently fixed)."""

    kind: str
    block: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class PrintedDate:
    """A date printed in the source (a dateline), with its ISO value."""

    block: str
    text: str
    value: str


@dataclass(frozen=True, slots=True)
class SourceVersion:
    """One version of a document's source: its digest, when it became current, and where it is kept.

    ``file`` is relative to the document folder (None for the current version: the source itself);
    ``states`` counts what the revision that made it current did to the annotations (None for the first).
    """

    sha256: str
    length: int
    date: str | None = None
    file: str | None = None
    states: dict[str, int] | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """One essay: where it came from and what was left out of it."""

    id: str
    title: str
    author: str | None
    dates: tuple[PrintedDate, ...]
    source: str
    sha256: str
    length: int
    excluded: tuple[Excluded, ...] = ()
    artefacts: tuple[Artefact, ...] = ()
    retired: tuple[str, ...] = ()  # block ids that named blocks since deleted: never given again
    history: tuple[SourceVersion, ...] = ()  # every version of the source, oldest first, the current one last

    def to_dict(self) -> dict[str, Any]:
        from .versions import FIELD, FORMAT_VERSION

        d = {FIELD: FORMAT_VERSION, **asdict(self), "retired": list(self.retired)}
        if not self.history:
            del d["history"]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        return cls(
            id=d["id"],
            title=d["title"],
            author=d.get("author"),
            dates=tuple(PrintedDate(**x) for x in d.get("dates", ())),
            source=d["source"],
            sha256=d["sha256"],
            length=d["length"],
            excluded=tuple(Excluded(**x) for x in d.get("excluded", ())),
            artefacts=tuple(Artefact(**x) for x in d.get("artefacts", ())),
            retired=tuple(d.get("retired", ())),
            history=tuple(SourceVersion(**x) for x in d.get("history", ())),
        )


@dataclass(frozen=True, slots=True)
class Block:
    """A heading, paragraph, list item or footnote body, with its place in the source.

    ``number`` is the printed number of a footnote (``[3]``) or list item (``3.``).
    """

    id: str
    doc: str
    kind: str
    part: int | None
    section: str | None
    text: str
    source_start: int
    source_end: int
    number: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.number is None:
            del d["number"]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Block:
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})


@dataclass(frozen=True, slots=True)
class RegistryEntity:
    """A canonical real-world entity that mentions link to."""

    id: str
    label: str
    name: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    footnotes: tuple[str, ...] = ()
    source: str | None = None  # "essay": all it says is in the text; "external": something comes from outside

    def to_dict(self) -> dict[str, Any]:
        record = {**asdict(self), "aliases": list(self.aliases), "footnotes": list(self.footnotes)}
        if self.source is None:
            del record["source"]
        return record

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RegistryEntity:
        return cls(
            id=d["id"],
            label=d["label"],
            name=d["name"],
            aliases=tuple(d.get("aliases", ())),
            description=d.get("description", ""),
            footnotes=tuple(d.get("footnotes", ())),
            source=d.get("source"),
        )


TRAILING = ("annotator", "note", "review")  # the optional fields every annotation record may have, last


@dataclass(frozen=True, slots=True)
class Annotation:
    """A standoff span of one block in one layer.

    ``attrs`` holds the layer's own attributes, as ``schema.json`` declares
    them (``entity`` and ``mention`` for entities, say).
    """

    COMMON: ClassVar[tuple[str, ...]] = ("id", "paragraph", "start", "end", "text", "label")

    layer: str
    id: str
    paragraph: str
    start: int
    end: int
    text: str
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)
    annotator: str | None = None
    note: str | None = None
    review: str | None = None  # why a person should look at it again (a revision changed its text)

    def to_dict(self) -> dict[str, Any]:
        """The JSONL record (without ``layer``: the file says it)."""
        d: dict[str, Any] = {k: getattr(self, k) for k in self.COMMON}
        d.update(self.attrs)
        for name in TRAILING:
            if getattr(self, name) is not None:
                d[name] = getattr(self, name)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, layer: str) -> Annotation:
        attrs = {k: v for k, v in d.items() if k not in cls.COMMON and k not in TRAILING}
        return cls(
            layer=layer,
            id=d["id"],
            paragraph=d["paragraph"],
            start=d["start"],
            end=d["end"],
            text=d["text"],
            label=d["label"],
            attrs=attrs,
            annotator=d.get("annotator"),
            note=d.get("note"),
            review=d.get("review"),
        )


# Field specs shared by the loader (which stops at the first problem) and the
# validator (which reports them all): name -> (accepted types, required).
FieldSpec = dict[str, tuple[tuple[type, ...], bool]]
_OPT_STR = (str, type(None))
_OPT_INT = (int, type(None))
BLOCK_FIELDS: FieldSpec = {
    "id": ((str,), True), "doc": ((str,), True), "kind": ((str,), True),
    "part": (_OPT_INT, True), "section": (_OPT_STR, True), "text": ((str,), True),
    "source_start": ((int,), True), "source_end": ((int,), True), "number": (_OPT_INT, False),
}
DOCUMENT_FIELDS: FieldSpec = {
    "id": ((str,), True), "title": ((str,), True), "author": (_OPT_STR, False), "dates": ((list,), False),
    "source": ((str,), True), "sha256": ((str,), True), "length": ((int,), True),
    "excluded": ((list,), False), "artefacts": ((list,), False), "retired": ((list,), False),
    "history": ((list,), False), "format_version": ((str,), True),
}
# The records listed inside document.json.
DOCUMENT_LISTS: dict[str, FieldSpec] = {
    "dates": {"block": ((str,), True), "text": ((str,), True), "value": ((str,), True)},
    "excluded": {"source_start": ((int,), True), "source_end": ((int,), True), "reason": ((str,), True)},
    "artefacts": {"kind": ((str,), True), "block": ((str,), True), "start": ((int,), True), "end": ((int,), True),
                  "text": ((str,), True)},
    "history": {"sha256": ((str,), True), "length": ((int,), True), "date": (_OPT_STR, False),
                "file": (_OPT_STR, False), "states": ((dict, type(None)), False)},
}
REGISTRY_FIELDS: FieldSpec = {
    "id": ((str,), True), "label": ((str,), True), "name": ((str,), True),
    "aliases": ((list,), True), "description": ((str,), True), "footnotes": ((list,), True),
    "source": (_OPT_STR, False),
}
SOURCES = ("essay", "external")  # where a registry record's name and description come from
ANNOTATION_FIELDS: FieldSpec = {
    "id": ((str,), True), "paragraph": ((str,), True), "start": ((int,), True),
    "end": ((int,), True), "text": ((str,), True), "label": ((str,), True),
    "annotator": (_OPT_STR, False), "note": (_OPT_STR, False), "review": (_OPT_STR, False),
}


def field_problems(record: dict[str, Any], spec: FieldSpec) -> list[str]:
    """Missing or mistyped fields of ``record`` (``bool`` is not accepted as ``int``).

    >>> field_problems({"id": 3}, {"id": ((str,), True), "text": ((str,), True)})
    ["field 'id' should be str, not int", "missing field 'text'"]
    """
    problems = []
    for name, (types, required) in spec.items():
        if name not in record:
            if required:
                problems.append(f"missing field {name!r}")
            continue
        value = record[name]
        if isinstance(value, bool) or not isinstance(value, types):
            wanted = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            problems.append(f"field {name!r} should be {wanted}, not {type(value).__name__}")
    return problems


def document_name_problem(doc: str, source: str) -> tuple[str, str] | None:
    """(code, message) when a document's id or source file name would not name a place in its folder.

    >>> document_name_problem("pwc", "essay.txt") is None, document_name_problem("pwc", "../x.txt")[0]
    (True, 'E101')
    """
    if not is_valid_id(doc):
        return "E111", f"document id {quote(doc)} {ID_RULE}"
    if Path(source).name != source or source in ("", ".", ".."):
        return "E101", f"source {quote(source)} is not a file name in the document folder"
    return None


def is_valid_id(value: str) -> bool:
    """Ids are short and plain, so that they are safe in file names, URLs, HTML and terminals.

    >>> is_valid_id("pwc.p2.fn13"), is_valid_id("e-0001"), is_valid_id('x" onfocus="alert(1)')
    (True, True, False)
    """
    return ID.fullmatch(value) is not None
