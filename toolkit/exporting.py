"""``toolkit export``: each document, with its annotations, in the format of an annotation tool.

The unit is the document: its verbatim source, with every annotation's
offsets lifted from its block to the source (``source_start``). The filters
mean what they mean for ``extract``. Files are written to a staging folder
beside the output and moved into it together at the end, so an error or a
signal halfway leaves the output folder as it was. ``toolkit-export.json``
beside them records what was exported (format, documents and the sha256 of
their sources, layers, labels, entities, the ids of the records), so that
``import`` knows what the files are the whole truth about
(:mod:`toolkit.formats.manifest`). Files already in the output folder are
replaced only with ``force``: an annotator may be working on them.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as out:
...     [p.name for p in export(format="doccano", out=out)]
['pwc.jsonl', 'toolkit-export.json']
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any

from .checks import load_checks
from .display import quote
from .errors import ToolkitError
from .extraction import AnnotationFilter, check_filters
from .formats import exporter
from .formats.manifest import MANIFEST, Manifest
from .formats.model import ExportContext, SourceDocument, Span
from .join import AnnotatedBlock, iter_parts
from .layout import Layout
from .models import Annotation, Block
from .readers import read_document_record


def export(*, format: str, out: str | Path, docs: Iterable[str] = (), layers: Iterable[str] | None = None,
           labels: Iterable[str] = (), entities: Iterable[str] = (), options: Mapping[str, Any] | None = None,
           force: bool = False, corpus_dir: str | Path | None = None,
           annotations_dir: str | Path | None = None) -> list[Path]:
    """Write every document (or ``docs``) in ``format`` into the folder ``out``; the files written, sorted.

    ``layers`` (None: all), ``labels`` and ``entities`` filter as for
    :func:`toolkit.extract`. ``options`` go to the format (conll:
    ``{"scheme": "biluo"}``). A file of the same name in ``out`` is replaced
    only with ``force=True`` (nothing is written otherwise).
    """
    from .nlp import make_nlp

    writer = exporter(format)
    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    checks = load_checks(layout)
    chosen = [spec.name for spec in layout.schema.chosen(None if layers is None else list(layers))]
    labels, entities, docs = sorted(set(labels)), sorted(set(entities)), sorted(set(docs))
    check_filters(layout.schema, chosen, labels, entities, checks.registry)
    documents = {folder.name: read_document_record(folder) for folder in layout.documents}
    unknown = [d for d in docs if d not in documents]
    if unknown:
        raise ToolkitError(f"no document {', '.join(map(quote, unknown))} in the corpus; it has "
                           f"{', '.join(documents)}", file=layout.corpus_dir)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ToolkitError("is a file, not a folder", file=out)
    keep = AnnotationFilter(frozenset(labels), frozenset(entities), layout.schema)
    context = ExportContext(layout.schema, checks.registry, documents, cache(make_nlp), options or {})
    manifest = Manifest(format, chosen, labels, entities, {}, {}, dict(options or {}))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".toolkit-export-", dir=out.parent) as tmp:
        staged: list[str] = []
        for doc in source_documents(layout, layers=chosen, keep=keep, only=set(docs) or None):
            assert doc.doc is not None
            manifest.documents[doc.doc] = documents[doc.doc].sha256
            manifest.ids[doc.doc] = [span.id for span in doc.spans if span.id is not None]
            staged += _stage(Path(tmp), writer.export_document(doc, context))
        staged += _stage(Path(tmp), writer.export_config(context))
        staged += _stage(Path(tmp), {MANIFEST: manifest.to_bytes()})  # last: moved into place last
        return _move(Path(tmp), out, staged, force=force)


def source_documents(layout: Layout, *, layers: list[str], keep: AnnotationFilter | None = None,
                     only: set[str] | None = None) -> Iterator[SourceDocument]:
    """Each document as a tool sees it: its verbatim source and its annotations over it, in reading order."""
    checks = load_checks(layout)
    folders = {folder.name: folder for folder in layout.documents}
    parts = iter_parts(layout, checks, layers=layers)
    for doc, group in groupby(parts, key=lambda part: part[0].block.doc):
        items = [item for part in group for item in part]
        if only is not None and doc not in only:
            continue
        record = read_document_record(folders[doc])
        text = (folders[doc] / record.source).read_bytes().decode("utf-8")
        spans = tuple(lift(a, item.block) for item in items for a in _annotations(item, layers)
                      if keep is None or keep(a))
        yield SourceDocument(doc, text, spans, folders[doc] / record.source, tuple(item.block for item in items))


def lift(a: Annotation, block: Block) -> Span:
    """An annotation as a span over its document's source."""
    start = block.source_start + a.start
    return Span(start, start + (a.end - a.start), a.layer, a.label, dict(a.attrs), a.id, None, a.annotator, a.note,
                a.review)


def _annotations(item: AnnotatedBlock, layers: list[str]) -> list[Annotation]:
    """A block's annotations of every layer, in reading order (start, longer first, then layer)."""
    order = {name: i for i, name in enumerate(layers)}
    found = [a for name in layers for a in item.layers.get(name, [])]
    return sorted(found, key=lambda a: (a.start, -a.end, order[a.layer], a.id))


def _stage(folder: Path, files: Mapping[str, bytes]) -> list[str]:
    for name, content in files.items():
        if Path(name).name != name or name.startswith("."):
            raise ToolkitError(f"a format wrote the file name {quote(name)}, which is not a plain file name")
        (folder / name).write_bytes(content)
    return list(files)


def _move(staging: Path, out: Path, names: list[str], *, force: bool) -> list[Path]:
    """Move every staged file into ``out``, signals held back: the folder has the old files or the new ones.

    Every target is checked first, so that nothing is moved unless all can be.
    """
    from .interrupt import deferred

    if len(set(names)) < len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise ToolkitError(f"two documents would both write {quote(twice)}", file=out)
    for name in names:
        target = out / name
        if target.is_dir() or target.is_symlink():
            raise ToolkitError("is a folder or a link, not a file the export can replace", file=target)
        if target.exists() and not force:
            raise ToolkitError("file exists (an annotator may be working on it); pass --force (force=True) to "
                               "replace it, or export into another folder", file=target)
    with deferred():
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.chmod(staging / name, 0o644)
            os.replace(staging / name, out / name)
    return sorted(out / name for name in names)
