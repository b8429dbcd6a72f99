"""``toolkit import``: annotations brought back from an annotation tool, checked and merged into the layer files.

1. The files are read by their format (``toolkit.formats``); a declared
   mapping says which of the tool's types become which layers (each
   format's own exports map back by themselves). Spans of types that no
   mapping names are never imported: they are counted in the result.
2. Each file names a document of the corpus (or its file name does), and
   its text must be that document's verbatim source. Each span is placed in
   the block that holds it, through the blocks' source offsets; a span that
   crosses a block boundary, or lies outside every block, is refused.
3. Every record is checked with the codes of ``validate`` (offsets, quote,
   labels, attributes, registry ids, dates, span edges, token boundaries,
   the overlap policy),
   located at the imported file and line; any error refuses the whole
   import and nothing is written.
4. Ids: a span that carries one of our ids keeps it; one without an id takes
   the id of the existing record with the same block, offsets and label; a
   new one gets the next id of its layer. An id already used elsewhere is a
   conflict: the record gets a new id, and the change says so.
5. The imported documents' records of the imported layers (the *scope*:
   what the export named in ``toolkit-export.json``, or ``layers``) are
   replaced by what the files hold; every record ends in one change: added,
   changed (label or attributes), moved (other offsets or block), removed,
   unchanged, or conflict (a new id). Files that name no scope (a tool's own
   project, read through a mapping: its layers are the ones the mapping
   targets) add and change records, and never remove one.
   What a file does not say (an attribute the tool has no place for, an
   annotator or note) is kept from the record it matches.
6. The layer files are written through the write path (checked again,
   canonical, reading order) and replaced together; ``dry_run`` writes nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import Checks, load_checks
from .display import quote
from .errors import ToolkitError
from .exporting import MANIFEST
from .extraction import AnnotationFilter
from .formats import importer
from .formats.mapping import Mapped, TypeMap, apply, read_mapping
from .formats.model import SourceDocument, Span
from .join import iter_parts
from .jsonl import read_json
from .layout import Layout
from .models import Annotation, Block
from .readers import read_document_record
from .schema import LayerSchema, Schema
from .validation.findings import Finding, finding
from .validation.records import Located, check_annotation
from .validation.spans import check_alignment, check_overlaps
from .writers import canonical_annotation, layer_lines, writable, write_files

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
        return {"state": self.state, "layer": self.layer, "doc": self.doc, "id": self.id, "old": self.old,
                "new": self.new, "file": self.file, "line": self.line, "tool_id": self.tool_id,
                "reason": self.reason}


@dataclass(frozen=True)
class Imported:
    """The result of an import: every change, the spans not imported (why -> how many), the files written."""

    changes: list[Change]
    skipped: dict[str, int]
    findings: list[Finding] = field(default_factory=list)  # warnings and info: they do not stop an import
    written: list[Path] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, int]]:
        """``"DOC LAYER"`` -> state -> count."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for c in self.changes:
            counts[f"{c.doc} {c.layer}"][c.state] += 1
        return {key: {state: n for state in STATES if (n := counts[key][state])} for key in sorted(counts)}


class ImportRefused(ToolkitError):
    """What the files hold breaks the rules: every error found, as findings; nothing was written."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        first = next(f for f in findings if f.severity == "error")
        errors = sum(f.severity == "error" for f in findings)
        more = f" (and {errors - 1} more errors)" if errors > 1 else ""
        super().__init__(f"{first.message}{more}", file=first.file, line=first.line, record=first.id,
                         code=first.code)


def import_(path: str | Path, *, format: str, mapping: Iterable[str] = (), layers: Iterable[str] | None = None,
            annotator: str | None = None, dry_run: bool = False, corpus_dir: str | Path | None = None,
            annotations_dir: str | Path | None = None) -> Imported:
    """Read ``path`` (a file, or a folder of exported files) in ``format`` and merge it into the layer files.

    ``mapping``: mapping files or ``TYPE=LAYER[:LABEL]`` (see
    :mod:`toolkit.formats.mapping`); ``layers``: the layers the files are the
    whole truth about (default: what the export's manifest says, else the
    layers the mapping gives spans to, and then nothing is removed); ``annotator`` for new records that
    name none. Raises :class:`ImportRefused` (with every finding) when a
    record breaks the rules, ToolkitError when a file cannot be read.
    """
    from .nlp import make_nlp

    reader = importer(format)
    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    if not dry_run:
        writable(layout.annotations_dir)
    schema = layout.schema
    files = _files(Path(path), reader.PATTERNS)
    manifest = _manifest(Path(path))
    types = {**reader.default_mapping(schema), **read_mapping(mapping, schema)}
    scope = _scope(schema, layers, manifest, types)
    checks = load_checks(layout)
    corpus = _Corpus.read(layout, checks)
    skipped: Counter[str] = Counter()
    placed: dict[str, list[_Placed]] = {}
    findings: list[Finding] = []
    for file in files:
        for source in reader.read(file):
            doc = corpus.document_of(source, file)
            if doc in placed:
                raise ToolkitError(f"document {quote(doc)} is imported twice (also from another file)", file=file)
            placed[doc] = list(_place(source, doc, corpus, types, schema, scope.layers, skipped, findings, file))
            skipped.update(source.unread)
    merge = _Merge(corpus, checks, scope, annotator, make_nlp().tokenizer)
    changes = [change for doc, spans in placed.items() for change in merge.document(doc, spans, findings)]
    if any(f.severity == "error" for f in findings):
        raise ImportRefused(findings)
    result = Imported(changes, dict(sorted(skipped.items())), findings)
    if dry_run or all(c.state == "unchanged" for c in changes):
        return result
    lines = layer_lines(layout, checks, corpus.blocks, merge.layers(), taken=merge.untouched_ids())
    contents = {layout.layer_file(name): records for name, records in lines.items()}
    write_files(layout, contents)
    return replace(result, written=sorted(contents))


@dataclass(frozen=True)
class _Scope:
    """What the imported files are about: these layers, records passing ``keep``; whether they are the whole truth.

    Only then (an export's manifest, or layers named) does a record the files
    no longer hold count as removed; files without either (a tool's own
    project, read through a mapping) add and change, never remove.
    """

    layers: frozenset[str]
    keep: AnnotationFilter
    removes: bool


def _scope(schema: Schema, layers: Iterable[str] | None, manifest: dict[str, Any] | None,
           types: Mapping[str, TypeMap]) -> _Scope:
    labels: list[str] = []
    entities: list[str] = []
    if layers is not None:
        chosen = {spec.name for spec in schema.chosen(list(layers))}
    elif manifest is not None:
        chosen = {spec.name for spec in schema.chosen(manifest.get("layers") or None)}
        labels, entities = manifest.get("labels") or [], manifest.get("entities") or []
    else:
        chosen = {rule.layer for rule in types.values()}
    return _Scope(frozenset(chosen), AnnotationFilter(frozenset(labels), frozenset(entities), schema),
                  removes=layers is not None or manifest is not None)


def _files(path: Path, patterns: tuple[str, ...]) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ToolkitError("no such file or folder", file=path)
    found = sorted({p for pattern in patterns for p in path.glob(pattern) if p.is_file() and p.name != MANIFEST})
    if not found:
        raise ToolkitError(f"no file to import here (looked for {', '.join(patterns)})", file=path)
    return found


def _manifest(path: Path) -> dict[str, Any] | None:
    """The export's ``toolkit-export.json`` in the folder (or beside the file), if there is one."""
    found = (path if path.is_dir() else path.parent) / MANIFEST
    if not found.is_file():
        return None
    manifest = read_json(found)
    if not isinstance(manifest, dict) or not all(isinstance(manifest.get(k, []), list)
                                                 for k in ("layers", "labels", "entities")):
        raise ToolkitError("not an export manifest: layers, labels and entities are lists", file=found)
    return manifest


@dataclass(frozen=True, slots=True)
class _Placed:
    """An imported span in our terms, placed in its block."""

    annotation: Annotation  # id None-like ("") until the merge gives it one
    span: Span
    file: Path
    carried_id: str | None


@dataclass
class _Corpus:
    """The corpus held for the merge: blocks, each document's blocks by source offset, every record."""

    layout: Layout
    blocks: dict[str, Block]
    by_doc: dict[str, list[Block]]
    records: dict[str, dict[str, list[Annotation]]]  # layer -> doc -> records, in reading order

    @classmethod
    def read(cls, layout: Layout, checks: Checks) -> _Corpus:
        blocks: dict[str, Block] = {}
        by_doc: dict[str, list[Block]] = defaultdict(list)
        records: dict[str, dict[str, list[Annotation]]] = {name: defaultdict(list) for name in layout.schema.layers}
        for part in iter_parts(layout, checks):
            for item in part:
                blocks[item.block.id] = item.block
                by_doc[item.block.doc].append(item.block)
                for name, found in item.layers.items():
                    records[name][item.block.doc].extend(found)
        return cls(layout, blocks, dict(by_doc), records)

    def document_of(self, source: SourceDocument, file: Path) -> str:
        """The corpus document the file is about; its text must be that document's verbatim source."""
        doc = source.doc or file.stem
        folder = self.layout.corpus_dir / doc
        if doc not in self.by_doc and not (folder / "document.json").is_file():
            raise ToolkitError(f"no document {quote(doc)} in the corpus (the file names it)", file=file)
        text = (folder / read_document_record(folder).source).read_bytes().decode("utf-8")
        if source.text != text:
            at = next((i for i, (a, b) in enumerate(zip(text, source.text, strict=False)) if a != b),
                      min(len(text), len(source.text)))
            line = text.count("\n", 0, at) + 1
            raise ToolkitError(f"the text differs from the source of document {quote(doc)} at line {line}, "
                               f"character {at} (import brings annotations of the same text back: correct a "
                               "source with toolkit revise)", file=file)
        return doc

    def block_at(self, doc: str, start: int, end: int) -> tuple[Block | None, Block | None]:
        """The blocks holding the first and the last character of ``start:end`` (None: no block there)."""
        blocks = self.by_doc.get(doc, [])
        starts = [b.source_start for b in blocks]

        def holding(offset: int) -> Block | None:
            i = bisect_right(starts, offset) - 1
            return blocks[i] if i >= 0 and offset < blocks[i].source_end else None

        return holding(start), holding(end - 1)


def _place(source: SourceDocument, doc: str, corpus: _Corpus, types: Mapping[str, TypeMap], schema: Schema,
           layers: frozenset[str], skipped: Counter[str], findings: list[Finding], file: Path) -> Iterator[_Placed]:
    for span in source.spans:
        mapped = apply(span, types, schema)
        if isinstance(mapped, str):
            skipped[mapped] += 1
            continue
        if mapped.layer not in layers:
            skipped[f"layer {quote(mapped.layer)} is not imported (not in the scope of this import)"] += 1
            continue
        first, last = corpus.block_at(doc, span.start, span.end) if span.start < span.end else (None, None)
        if first is None or last is None or first.id != last.id:
            findings.append(finding("E104", _outside(span, first, last, source.text), file=file, line=span.line,
                                    id=span.id or span.tool_id))
            continue
        start, end = span.start - first.source_start, span.end - first.source_start
        annotation = Annotation(mapped.layer, span.id or "", first.id, start, end, first.text[start:end],
                                mapped.label, _attributes(mapped, schema.layers[mapped.layer]), span.annotator,
                                span.note, span.review)
        yield _Placed(annotation, span, file, span.id)


def _outside(span: Span, first: Block | None, last: Block | None, text: str) -> str:
    shown = quote(text[span.start:span.end]) if 0 <= span.start < span.end <= len(text) else "(no text)"
    what = f"span {span.start}:{span.end} {shown}"
    if span.start >= span.end:
        return f"{what} is empty or reversed"
    if first is not None and last is not None:
        return f"{what} crosses from block {first.id} into block {last.id}: a span lies inside one block"
    return f"{what} is not inside a block (it covers text no block holds: a separator line, web residue)"


def _attributes(mapped: Mapped, layer: LayerSchema) -> dict[str, Any]:
    """Every declared attribute the file gives, in the schema's order."""
    return {name: mapped.attrs[name] for name in layer.attributes if name in mapped.attrs}


class _Merge:
    """The imported records of each document and layer in scope, matched with the records there now."""

    def __init__(self, corpus: _Corpus, checks: Checks, scope: _Scope, annotator: str | None,
                 tokenize: Callable[[str], Doc]) -> None:
        self.tokenize = tokenize  # spans must fall on token boundaries (E201), as validate and the Docs want
        self.corpus = corpus
        self.checks = checks
        self.scope = scope
        self.annotator = annotator
        self.result: dict[str, dict[str, list[Annotation]]] = {}  # layer -> doc -> new records
        self.fresh = {name: _Numbering(name, records) for name, records in corpus.records.items()}

    def document(self, doc: str, placed: list[_Placed], findings: list[Finding]) -> list[Change]:
        schema = self.checks.schema
        keep = self.scope.keep
        current = {name: self.corpus.records[name].get(doc, []) for name in self.scope.layers}
        in_scope = {name: [a for a in records if keep(a)] for name, records in current.items()}
        outside = {a.id for name, records in self.corpus.records.items() for a in records.get(doc, [])
                   if name not in self.scope.layers or not keep(a)}
        by_id = {a.id: a for records in in_scope.values() for a in records}
        by_span = {(a.layer, a.paragraph, a.start, a.end, a.label): a for a in by_id.values()}
        claimed: set[str] = set()
        new: dict[str, list[Annotation]] = {name: [] for name in self.scope.layers}
        changes: list[Change] = []
        where: dict[str, Located] = {}  # id -> the imported record, at its file and line
        for item in placed:
            a = item.annotation
            old = by_id.get(a.id) if a.id else by_span.get((a.layer, a.paragraph, a.start, a.end, a.label))
            if old is not None and (old.id in claimed or old.layer != a.layer):
                old = None
            reason = None
            if old is None and a.id and (a.id in outside or a.id in self.checks.registry or a.id in claimed
                                         or a.id in by_id):
                reason = f"id {quote(a.id)} is used by another record; given a new id"
            taken = outside | claimed | self.checks.registry.keys() | (by_id.keys() - {old.id} if old else by_id.keys())
            record = self._record(a, old, reason is not None, taken)
            claimed.add(record.id)
            new[record.layer].append(record)
            spec = schema.layers[record.layer]
            where[record.id] = Located(record, item.file, item.span.line)
            findings.extend(check_annotation(where[record.id], self.corpus.blocks[record.paragraph], spec,
                                             self.checks.registry))
            state = "conflict" if reason else _state(old, record, spec)
            changes.append(Change(state, record.layer, doc, record.id, _canonical(old, spec), _canonical(record, spec),
                                  str(item.file), item.span.line, item.span.tool_id, reason))
        for name, records in in_scope.items():
            spec = schema.layers[name]
            kept = [a for a in current[name] if not keep(a)]
            for a in records:
                if a.id in claimed:
                    continue
                if self.scope.removes:
                    changes.append(Change("removed", name, doc, a.id, _canonical(a, spec), None))
                else:
                    kept.append(a)
            self.result.setdefault(name, {})[doc] = kept + new[name]
            by_block: dict[str, list[Located]] = defaultdict(list)
            layer_file = self.corpus.layout.layer_file(name)
            for a in kept + new[name]:
                by_block[a.paragraph].append(where.get(a.id) or Located(a, layer_file, None))
            findings.extend(f for items in by_block.values() for f in check_overlaps(spec, items))
        imported: dict[str, list[Located]] = defaultdict(list)
        for located in where.values():
            imported[located.annotation.paragraph].append(located)
        for block_id, items in imported.items():
            findings.extend(check_alignment(self.tokenize, self.corpus.blocks[block_id], items))
        return changes

    def _record(self, a: Annotation, old: Annotation | None, conflict: bool, taken: set[str]) -> Annotation:
        """The imported record with its id, and what the file does not say taken from the record it matches."""
        if old is None:
            rid = a.id if a.id and not conflict else self.fresh[a.layer].next(taken)
            return replace(a, id=rid, annotator=a.annotator or self.annotator,
                           attrs=_with_defaults(a.attrs, self.checks.schema.layers[a.layer]))
        attrs = {**old.attrs, **a.attrs}
        return replace(a, id=old.id, attrs=_ordered(attrs, self.checks.schema.layers[a.layer]),
                       annotator=a.annotator or old.annotator, note=a.note if a.note is not None else old.note,
                       review=a.review if a.review is not None else old.review)

    def layers(self) -> dict[str, list[Annotation]]:
        """Every layer in scope, whole: the imported documents' new records, the other documents' as they were."""
        out = {}
        for name in self.scope.layers:
            records = self.corpus.records[name]
            out[name] = [a for doc in records.keys() | self.result.get(name, {}).keys()
                         for a in self.result.get(name, {}).get(doc, records.get(doc, []))]
        return out

    def untouched_ids(self) -> dict[str, set[str]]:
        """Per document, the ids of the layers not written (they must not be used again)."""
        taken: dict[str, set[str]] = defaultdict(set)
        for name, records in self.corpus.records.items():
            if name not in self.scope.layers:
                for doc, found in records.items():
                    taken[doc].update(a.id for a in found)
        return taken


def _with_defaults(attrs: Mapping[str, Any], layer: LayerSchema) -> dict[str, Any]:
    """Declared attributes the file leaves out: null, or an empty list for a list attribute."""
    return {name: attrs.get(name, [] if spec.is_list else None) for name, spec in layer.attributes.items()
            if name in attrs or not spec.required}


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
    >>> n.next(set()), n.next({"d-0011"}), _Numbering("quotes", {}).next(set())
    ('d-0010', 'd-0012', 'q-0001')
    """

    def __init__(self, layer: str, records: Mapping[str, list[Annotation]]) -> None:
        found = [m for doc in records.values() for a in doc if (m := NUMBERED.fullmatch(a.id))]
        prefixes = Counter(m.group(1) for m in found)
        self.prefix = prefixes.most_common(1)[0][0] if prefixes else f"{layer[0]}-"
        numbers = [m.group(2) for m in found if m.group(1) == self.prefix]
        self.width = max((len(n) for n in numbers), default=4)
        self.last = max((int(n) for n in numbers), default=0)

    def next(self, taken: set[str]) -> str:
        """The next number's id that is not in ``taken``."""
        while True:
            self.last += 1
            rid = f"{self.prefix}{self.last:0{self.width}d}"
            if rid not in taken:
                return rid
