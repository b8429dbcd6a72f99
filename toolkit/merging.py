"""The merge of ``toolkit import``: imported records matched with the records there now, each ending in one change.

Ids: a record that carries one of our ids keeps it; one without an id (or
with an id no record has any more) takes the id of the record with the same
block, offsets and label; a new one gets its layer's next id. An id already used elsewhere in the corpus (another
record, another document, the registry, or twice in the files) is a
conflict: the record gets a new id, and the change says so.

What the files say about a record of a format's own types is the whole
truth (a value cleared in the tool is cleared); a record read through a
declared mapping keeps from the record it matches whatever the mapping does
not give (attributes the tool has no place for, the note, the review). The
annotator is kept from the matched record where the file names none.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import Checks
from .display import quote
from .extraction import AnnotationFilter
from .models import Annotation, Block
from .schema import LayerSchema
from .validation.findings import Finding
from .validation.records import Located, check_annotation
from .validation.spans import check_alignment, check_overlaps
from .writers import canonical_annotation

if TYPE_CHECKING:
    from spacy.tokens import Doc

STATES = ("added", "changed", "moved", "removed", "unchanged", "conflict")
NUMBERED = re.compile(r"(.*?)(\d+)")


@dataclass(frozen=True, slots=True)
class Change:
    """What the import does to one record: ``old`` and ``new`` are canonical records (None: none)."""

    state: str
    layer: str
    doc: str
    id: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    file: str | None = None
    line: int | None = None
    tool_id: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Scope:
    """What the imported files are about, and whether they are the whole truth about it.

    ``layers`` and ``keep`` (the export's labels and entities) say which
    records the files are about. A record about which they say nothing is
    removed only where they are the whole truth (``removes``), and, for an
    export, only if the export held it (``exported``: document -> ids), so
    that a record added to the corpus since is never taken for one deleted.
    """

    layers: frozenset[str]
    keep: AnnotationFilter
    removes: bool
    exported: Mapping[str, frozenset[str]] | None = None

    def removable(self, doc: str, a: Annotation) -> bool:
        return self.removes and (self.exported is None or a.id in self.exported.get(doc, frozenset()))


@dataclass(frozen=True, slots=True)
class Placed:
    """An imported span in our terms, placed in its block (``annotation.id`` is "" where the file has none)."""

    annotation: Annotation
    file: Path
    line: int | None
    tool_id: str | None
    complete: bool  # of a format's own type: what the file leaves out is cleared, not kept


class Merge:
    """The records of every layer in scope after the import, and the change that brought each."""

    def __init__(self, records: Mapping[str, Mapping[str, list[Annotation]]], blocks: Mapping[str, Block],
                 checks: Checks, scope: Scope, *, annotator: str | None, tokenize: Callable[[str], Doc],
                 layer_files: Mapping[str, Path], carried: set[str]) -> None:
        self.records = records  # layer -> doc -> records now, in reading order
        self.blocks = blocks
        self.checks = checks
        self.scope = scope
        self.annotator = annotator
        self.tokenize = tokenize  # spans must fall on token boundaries (E201), as validate and the Docs want
        self.layer_files = layer_files
        self.result: dict[str, dict[str, list[Annotation]]] = {}  # layer -> doc -> records after
        self.fresh = {name: _Numbering(name, found) for name, found in records.items()}
        self.used = {a.id for found in records.values() for doc in found.values() for a in doc}
        self.used |= checks.registry.keys()  # ids are unique across the corpus, and never a registry id
        self.carried = carried  # every id the files carry: a new id is none of them either
        self.claimed: set[str] = set()  # ids the import has given so far

    def document(self, doc: str, placed: list[Placed], findings: list[Finding]) -> list[Change]:
        """Merge one document's imported records; their findings go to ``findings``."""
        schema = self.checks.schema
        current = {name: self.records[name].get(doc, []) for name in self.scope.layers}
        in_scope = {name: [a for a in found if self.scope.keep(a)] for name, found in current.items()}
        by_id = {a.id: a for found in in_scope.values() for a in found}
        by_span = {(a.layer, a.paragraph, a.start, a.end, a.label): a for a in by_id.values()}
        new: dict[str, list[Annotation]] = {name: [] for name in self.scope.layers}
        changes: list[Change] = []
        where: dict[str, Located] = {}  # id -> the imported record, at its file and line
        for item in placed:
            a = item.annotation
            old = by_id.get(a.id) if a.id else None
            if old is None and a.id not in self.used:  # no id, or one no record has now: the same span's record
                old = by_span.get((a.layer, a.paragraph, a.start, a.end, a.label))
            if old is not None and (old.id in self.claimed or old.layer != a.layer):
                old = None
            reason = None
            if old is None and a.id and (a.id in self.used or a.id in self.claimed):
                reason = f"id {quote(a.id)} is used by another record; given a new id"
            record = self._record(item, old, fresh=old is None and (reason is not None or not a.id))
            self.claimed.add(record.id)
            new[record.layer].append(record)
            spec = schema.layers[record.layer]
            where[record.id] = Located(record, item.file, item.line)
            findings.extend(check_annotation(where[record.id], self.blocks[record.paragraph], spec,
                                             self.checks.registry))
            state = "conflict" if reason else _state(old, record, spec)
            changes.append(Change(state, record.layer, doc, record.id, _canonical(old, spec),
                                  _canonical(record, spec), str(item.file), item.line, item.tool_id, reason))
        for name, found in in_scope.items():
            spec = schema.layers[name]
            kept = [a for a in current[name] if not self.scope.keep(a)]
            for a in found:
                if a.id in self.claimed:
                    continue
                if self.scope.removable(doc, a):
                    changes.append(Change("removed", name, doc, a.id, _canonical(a, spec), None))
                else:
                    kept.append(a)
            after = kept + new[name]
            self.result.setdefault(name, {})[doc] = after
            by_block: dict[str, list[Located]] = defaultdict(list)
            for a in after:
                by_block[a.paragraph].append(where.get(a.id) or Located(a, self.layer_files[name], None))
            findings.extend(f for items in by_block.values() for f in check_overlaps(spec, items))
        imported: dict[str, list[Located]] = defaultdict(list)
        for located in where.values():
            imported[located.annotation.paragraph].append(located)
        for block_id, items in imported.items():
            findings.extend(check_alignment(self.tokenize, self.blocks[block_id], items))
        return changes

    def _record(self, item: Placed, old: Annotation | None, *, fresh: bool) -> Annotation:
        """The imported record with its id, and from the record it matches what the file does not say."""
        a = item.annotation
        layer = self.checks.schema.layers[a.layer]
        if old is None:
            rid = self.fresh[a.layer].next(self.used, self.carried, self.claimed) if fresh else a.id
            return replace(a, id=rid, annotator=a.annotator or self.annotator, attrs=_with_defaults(a.attrs, layer))
        if item.complete:
            return replace(a, id=old.id, attrs=_with_defaults(a.attrs, layer), annotator=a.annotator or old.annotator)
        return replace(a, id=old.id, attrs=_ordered({**old.attrs, **a.attrs}, layer),
                       annotator=a.annotator or old.annotator, note=a.note if a.note is not None else old.note,
                       review=a.review if a.review is not None else old.review)

    def layers(self) -> dict[str, list[Annotation]]:
        """Every layer in scope, whole: the imported documents' records after, the other documents' as they were."""
        out = {}
        for name in self.scope.layers:
            merged = {**self.records[name], **self.result.get(name, {})}
            out[name] = [a for found in merged.values() for a in found]
        return out

    def untouched_ids(self) -> set[str]:
        """The ids of the layers not written (they must not be used again)."""
        return {a.id for name, found in self.records.items() if name not in self.scope.layers
                for records in found.values() for a in records}


def _with_defaults(attrs: Mapping[str, Any], layer: LayerSchema) -> dict[str, Any]:
    """Declared attributes the file leaves out: an empty list for a list attribute, null for an optional one.

    (A required one stays missing: the checks refuse the record, E403.)
    """
    return {name: attrs.get(name, [] if spec.is_list else None) for name, spec in layer.attributes.items()
            if name in attrs or spec.is_list or not spec.required}


def _ordered(attrs: Mapping[str, Any], layer: LayerSchema) -> dict[str, Any]:
    declared = [name for name in layer.attributes if name in attrs]
    return {name: attrs[name] for name in (*declared, *sorted(set(attrs) - set(declared)))}


def _state(old: Annotation | None, new: Annotation, layer: LayerSchema) -> str:
    if old is None:
        return "added"
    if (old.paragraph, old.start, old.end) != (new.paragraph, new.start, new.end):
        return "moved"
    return "unchanged" if _canonical(old, layer) == _canonical(new, layer) else "changed"


def _canonical(a: Annotation | None, layer: LayerSchema) -> dict[str, Any] | None:
    return None if a is None else canonical_annotation(a, layer)


class _Numbering:
    """Fresh ids of a layer: the prefix most of its ids have, the next number above every one used.

    >>> n = _Numbering("dates", {"pwc": [Annotation("dates", "d-0009", "b", 0, 1, "x", "DATE")]})
    >>> n.next(), n.next({"d-0011"}), _Numbering("quotes", {}).next()
    ('d-0010', 'd-0012', 'q-0001')
    """

    def __init__(self, layer: str, records: Mapping[str, list[Annotation]]) -> None:
        found = [m for doc in records.values() for a in doc if (m := NUMBERED.fullmatch(a.id))]
        prefixes = Counter(m.group(1) for m in found)
        self.prefix = prefixes.most_common(1)[0][0] if prefixes else f"{layer[0]}-"
        numbers = [m.group(2) for m in found if m.group(1) == self.prefix]
        self.width = max((len(n) for n in numbers), default=4)
        self.last = max((int(n) for n in numbers), default=0)

    def next(self, *taken: set[str]) -> str:
        """The next number's id that is in none of ``taken``."""
        while True:
            self.last += 1
            rid = f"{self.prefix}{self.last:0{self.width}d}"
            if not any(rid in ids for ids in taken):
                return rid
