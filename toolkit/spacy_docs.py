"""Blocks and their annotations as spaCy Docs, every layer a span group.

Each Span carries its annotation id (``span.id_``) and label; entity spans
also carry the registry id (``span.kb_id_``). The full record is found by id
(``corpus.annotation(span.id_)``), never through ``Span._`` extensions, which
spaCy keys by offsets and so shares between layers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .display import quote
from .errors import ToolkitError
from .footnotes import FootnoteLink
from .models import Annotation, Block

if TYPE_CHECKING:
    from .stream import Shard

FOOTNOTE_REFS = "footnote_refs"
T = TypeVar("T")


def attach_spans(
    doc: Doc,
    block: Block,
    layers: Mapping[str, Sequence[Annotation]],
    links: Iterable[FootnoteLink] = (),
) -> Doc:
    """Add ``doc.spans[layer]`` for every layer, ``doc.ents``, and the footnote markers.

    Raises ToolkitError (naming the annotation) for a span that does not
    start and end on token boundaries: ``toolkit validate`` reports those.
    """
    doc.user_data.update(
        {"block": block.id, "doc": block.doc, "part": block.part, "kind": block.kind,
         "section": block.section})
    starts = {offset: i for i, offset in enumerate(doc.to_array(IDX).tolist())}
    ends = {offset + length: i for i, (offset, length) in enumerate(doc.to_array([IDX, LENGTH]).tolist())}
    for layer, records in layers.items():
        spans = []
        for a in records:
            first, last = starts.get(a.start), ends.get(a.end)
            span = None if first is None or last is None else Span(
                doc, first, last + 1, label=a.label, kb_id=str(a.attrs.get("entity") or ""), span_id=a.id)
            if span is None:
                raise ToolkitError(
                    f"span {a.start}:{a.end} {quote(a.text)} does not align with token boundaries",
                    file=f"{a.layer}.jsonl", record=a.id, code="E201")
            spans.append(span)
        doc.spans[layer] = spans
        if layer == "entities":
            doc.ents = filter_spans(spans)
    refs = []
    for link in links:
        if link.paragraph == block.id and link.start is not None and link.end is not None:
            span = doc.char_span(link.start, link.end, label="FOOTNOTE_REF",
                                 kb_id=link.footnote or "", span_id=link.footnote or "")
            if span is None:
                raise ToolkitError("footnote marker is not a token of its own; build the "
                                   "pipeline with toolkit.make_nlp()", record=block.id)
            refs.append(span)
    doc.spans[FOOTNOTE_REFS] = refs
    return doc


def stream_docs(corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None, *,
                nlp: Language | None = None, batch_size: int = 256) -> Iterator[Doc]:
    """One Doc per block of the corpus, with every layer attached, holding one part at a time.

    Unlike :meth:`toolkit.Corpus.docs` it does not load the corpus into
    memory first. To spread the work over processes, see :func:`map_docs`.

    >>> doc = next(stream_docs())
    >>> doc.user_data["block"], [s.text for s in doc.spans["entities"]]
    ('pwc.front.title1', ['Worker Communism'])
    """
    from .nlp import block_text, make_nlp
    from .stream import iter_parts

    parts = iter_parts(corpus_dir, annotations_dir)
    pipeline = make_nlp(nlp)
    pairs = ((block_text(pipeline, item.block), item) for part in parts for item in part)
    return (attach_spans(doc, item.block, item.layers, item.links)
            for doc, item in pipeline.pipe(pairs, as_tuples=True, batch_size=batch_size))


def map_docs(func: Callable[[Doc], T], corpus_dir: str | Path | None = None,
             annotations_dir: str | Path | None = None, *, nlp: Language | None = None,
             n_process: int = 1) -> Iterator[T]:
    """``func(doc)`` for the Doc of every block, in reading order, in ``n_process`` processes.

    Docs are built where ``func`` runs and only its results travel back, so
    the work spreads over the processes (shipping Docs between processes
    would cost as much as spaCy's DocBin). ``func`` must be picklable: a
    module-level function.

    >>> next(map_docs(len))  # tokens of the title block
    4
    """
    if n_process < 1:
        raise ToolkitError("n_process must be at least 1")
    if n_process == 1:
        return (func(doc) for doc in stream_docs(corpus_dir, annotations_dir, nlp=nlp))
    from .stream import document_shards

    shards = document_shards(corpus_dir, annotations_dir)
    return _map_in_workers(func, shards, nlp, n_process)


def _map_in_workers(func: Callable[[Doc], T], shards: Iterable[Shard], nlp: Language | None,
                    n_process: int) -> Iterator[T]:
    import multiprocessing

    with multiprocessing.Pool(n_process, initializer=_init_worker, initargs=(nlp,)) as pool:
        for results in pool.imap(partial(_map_shard, func), shards):
            yield from results


_WORKER_NLP: list[Language] = []


def _init_worker(nlp: Language | None) -> None:
    from .interrupt import setup_worker
    from .nlp import make_nlp

    setup_worker()  # Ctrl-C reaches workers too: the parent alone stops the pool, and workers die with it
    _WORKER_NLP.append(make_nlp(nlp))


def _map_shard(func: Callable[[Doc], T], shard: Shard) -> list[T]:
    from .nlp import block_text
    from .stream import shard_parts

    pipeline = _WORKER_NLP[0]
    pairs = ((block_text(pipeline, item.block), item) for part in shard_parts(shard) for item in part)
    return [func(attach_spans(doc, item.block, item.layers, item.links))
            for doc, item in pipeline.pipe(pairs, as_tuples=True, batch_size=256)]
