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
4. Ids are matched, and records merged, as :mod:`toolkit.merging` says.
5. The imported documents' records of the imported layers (the *scope*:
   what the export's ``toolkit-export.json`` names, narrowed by ``layers``;
   or ``layers`` alone) are replaced by what the files hold; every record
   ends in one change: added, changed (label or attributes), moved (other
   offsets or block), removed, unchanged, or conflict (a new id). Files
   that name no scope (a tool's own project, read through a mapping: its
   layers are the ones the mapping targets) add and change records, and
   never remove one.
6. The layer files that change are written through the write path (checked
   again, canonical, reading order) and replaced together; ``dry_run``
   writes nothing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .checks import Checks, load_checks
from .display import quote
from .errors import ToolkitError
from .extraction import AnnotationFilter
from .formats import importer
from .formats.manifest import MANIFEST, Manifest, read_manifest
from .formats.mapping import Mapped, TypeMap, apply, read_mapping
from .formats.model import SourceDocument, Span
from .join import iter_parts
from .layout import Layout
from .merging import STATES, Change, Merge, Placed, Scope
from .models import Annotation, Block, is_valid_id
from .readers import read_document_record
from .schema import LayerSchema, Schema
from .validation.findings import Finding, finding
from .writers import layer_lines, writable, write_files


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
    whole truth about (default: what the export's manifest names, else the
    layers the mapping gives spans to, and then nothing is removed; with a
    manifest, ``layers`` can only narrow it); ``annotator`` for new records
    that name none. Raises :class:`ImportRefused` (with every finding) when
    a record breaks the rules, ToolkitError when a file cannot be read.
    """
    from .nlp import make_nlp

    reader = importer(format)
    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    if not dry_run:
        writable(layout.annotations_dir)
    schema = layout.schema
    given = Path(path)
    files = _files(given, reader.PATTERNS)
    folder = given if given.is_dir() else given.parent
    manifest = read_manifest(folder)
    if manifest is not None and manifest.format != format:
        raise ToolkitError(f"an export in the {manifest.format} format, not {format}", file=folder / MANIFEST)
    own = reader.default_mapping(schema)
    declared = read_mapping(mapping, schema)
    types = {**own, **declared}
    scope = _scope(schema, layers, manifest, types, folder / MANIFEST)
    checks = load_checks(layout)
    corpus = _Corpus.read(layout, checks)
    skipped: Counter[str] = Counter()
    placed: dict[str, list[Placed]] = {}
    findings: list[Finding] = []
    complete = own.keys() - declared.keys()  # the format's own types, read back as it wrote them
    for file in files:
        for source in reader.read(file):
            doc = corpus.document_of(source, file, manifest)
            if doc in placed:
                raise ToolkitError(f"document {quote(doc)} is imported twice (also from another file)", file=file)
            placed[doc] = list(_place(source, doc, corpus, types, complete, scope.layers, skipped, findings, file))
            skipped.update(source.unread)
    carried = {item.annotation.id for found in placed.values() for item in found if item.annotation.id}
    merge = Merge(corpus.records, corpus.blocks, checks, scope, annotator=annotator, tokenize=make_nlp().tokenizer,
                  layer_files={name: layout.layer_file(name) for name in schema.layers}, carried=carried)
    changes = [change for doc, found in placed.items() for change in merge.document(doc, found, findings)]
    if any(f.severity == "error" for f in findings):
        raise ImportRefused(findings)
    result = Imported(changes, dict(sorted(skipped.items())), findings)
    if dry_run or all(c.state == "unchanged" for c in changes):
        return result
    lines = layer_lines(layout, checks, corpus.blocks, merge.layers(), taken=merge.untouched_ids())
    contents = {layout.layer_file(name): found for name, found in lines.items()
                if _changed(layout.layer_file(name), found)}
    write_files(layout, contents)
    return replace(result, written=sorted(contents))


def _changed(path: Path, lines: list[str]) -> bool:
    return not path.is_file() or path.read_text(encoding="utf-8") != "".join(line + "\n" for line in lines)


def _scope(schema: Schema, layers: Iterable[str] | None, manifest: Manifest | None,
           types: Mapping[str, TypeMap], manifest_file: Path) -> Scope:
    """What the files are about: the manifest's scope (``layers`` may narrow it), ``layers``, or the mapping's."""
    if manifest is not None:
        exported = {spec.name for spec in schema.chosen(manifest.layers)}
        chosen = exported if layers is None else {spec.name for spec in schema.chosen(list(layers))}
        if chosen - exported:
            raise ToolkitError(f"layer {', '.join(map(quote, sorted(chosen - exported)))} is not in this export (it "
                               f"holds {', '.join(sorted(exported))})", file=manifest_file)
        keep = AnnotationFilter(frozenset(manifest.labels), frozenset(manifest.entities), schema)
        ids = {doc: frozenset(found) for doc, found in manifest.ids.items()}
        return Scope(frozenset(chosen), keep, removes=True, exported=ids)
    everything = AnnotationFilter(frozenset(), frozenset(), schema)
    if layers is not None:
        return Scope(frozenset(spec.name for spec in schema.chosen(list(layers))), everything, removes=True)
    return Scope(frozenset(rule.layer for rule in types.values()), everything, removes=False)


def _files(path: Path, patterns: tuple[str, ...]) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ToolkitError("no such file or folder", file=path)
    found = sorted({p for pattern in patterns for p in path.glob(pattern) if p.is_file() and p.name != MANIFEST})
    if not found:
        raise ToolkitError(f"no file to import here (looked for {', '.join(patterns)})", file=path)
    return found


@dataclass
class _Corpus:
    """The corpus held for the merge: blocks, each document's blocks by source offset, every record."""

    layout: Layout
    blocks: dict[str, Block]
    by_doc: dict[str, list[Block]]
    records: dict[str, dict[str, list[Annotation]]]  # layer -> doc -> records, in reading order
    folders: dict[str, Path]  # document -> its folder
    starts: dict[str, list[int]]  # document -> the source_start of each of its blocks, for a binary search

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
        starts = {doc: [b.source_start for b in found] for doc, found in by_doc.items()}
        return cls(layout, blocks, dict(by_doc), records, {f.name: f for f in layout.documents}, starts)

    def document_of(self, source: SourceDocument, file: Path, manifest: Manifest | None) -> str:
        """The corpus document the file is about; its text must be that document's verbatim source."""
        doc = source.doc or file.stem
        if not is_valid_id(doc) or doc not in self.folders:
            raise ToolkitError(f"no document {quote(doc)} in the corpus (the file names it)", file=file)
        if manifest is not None and doc not in manifest.documents:
            raise ToolkitError(f"document {quote(doc)} is not in this export ({MANIFEST} names "
                               f"{', '.join(manifest.documents) or 'none'}): a file left from another export?",
                               file=file)
        folder = self.folders[doc]
        text = (folder / read_document_record(folder).source).read_bytes().decode("utf-8")
        if source.text != text:
            at = next((i for i, (a, b) in enumerate(zip(text, source.text, strict=False)) if a != b),
                      min(len(text), len(source.text)))
            line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
            raise ToolkitError(f"the text differs from the source of document {quote(doc)} at line {line}, column "
                               f"{column} ({quote(text[at:at + 20])} in the source, "
                               f"{quote(source.text[at:at + 20])} here): import brings annotations of the same text "
                               "back (correct a source with toolkit revise)", file=source.text_file or file)
        return doc

    def block_at(self, doc: str, start: int, end: int) -> tuple[Block | None, Block | None]:
        """The blocks holding the first and the last character of ``start:end`` (None: no block there)."""
        blocks, starts = self.by_doc.get(doc, []), self.starts.get(doc, [])

        def holding(offset: int) -> Block | None:
            i = bisect_right(starts, offset) - 1
            return blocks[i] if i >= 0 and offset < blocks[i].source_end else None

        return holding(start), holding(end - 1)


def _place(source: SourceDocument, doc: str, corpus: _Corpus, types: Mapping[str, TypeMap], complete: set[str],
           layers: frozenset[str], skipped: Counter[str], findings: list[Finding], file: Path) -> Iterator[Placed]:
    schema = corpus.layout.schema
    for span in source.spans:
        mapped = apply(span, types, schema)
        if isinstance(mapped, str):
            skipped[mapped] += 1
            continue
        if mapped.layer not in layers:
            skipped[f"layer {quote(mapped.layer)} is not imported (not in the scope of this import)"] += 1
            continue
        if span.quote is not None and span.quote != source.text[span.start:span.end]:
            findings.append(finding("E106", f"the file gives the text {quote(span.quote)} for {span.start}:{span.end}, "
                                    f"but the source has {quote(source.text[span.start:span.end])} there",
                                    file=file, line=span.line, id=span.id or span.tool_id))
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
        yield Placed(annotation, file, span.line, span.tool_id, span.type in complete)


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


