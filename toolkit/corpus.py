"""Load a corpus (documents, blocks, registry, annotation layers) into memory.

For notebooks and scripts that want lookups; the commands stream instead
(see :mod:`toolkit.stream`), holding one block at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from .checks import load_checks
from .display import quote
from .errors import ToolkitError
from .footnotes import FootnoteLink, resolve_footnotes
from .models import Annotation, Block, Document, RegistryEntity
from .paths import resolve_annotations_dir, resolve_corpus_dir
from .stream import document_dirs, iter_parts, read_document

if TYPE_CHECKING:
    from .render import HTML

LAYERS = Annotation.LAYERS
V = TypeVar("V")


class Corpus:
    """Documents, blocks in reading order, the entity registry and the annotation layers.

    >>> corpus = load_corpus()
    >>> corpus["pwc.p2.fn2"].text[:34]
    '[2] Worker-Communist Party of Iran'
    >>> corpus.footnote(part=2, number=2).id
    'pwc.p2.fn2'
    """

    def __init__(self, *, corpus_dir: Path, annotations_dir: Path, documents: dict[str, Document],
                 blocks: dict[str, Block], registry: dict[str, RegistryEntity],
                 layers: dict[str, list[Annotation]]) -> None:
        self.corpus_dir = corpus_dir
        self.annotations_dir = annotations_dir
        self.documents = documents
        self.entities = registry
        self._blocks = blocks
        self._layers = layers
        self._by_id = {a.id: a for anns in layers.values() for a in anns}
        self._by_block: dict[str, dict[str, list[Annotation]]] = defaultdict(lambda: defaultdict(list))
        for layer, anns in layers.items():
            for a in anns:
                self._by_block[a.paragraph][layer].append(a)

    def __iter__(self) -> Iterator[Block]:
        return iter(self._blocks.values())

    def __len__(self) -> int:
        return len(self._blocks)

    def __getitem__(self, block_id: str) -> Block:
        return _find(self._blocks, block_id, "block")

    def __contains__(self, block_id: object) -> bool:
        return block_id in self._blocks

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(v)} {k}" for k, v in self._layers.items())
        return f"<Corpus {len(self.documents)} documents, {len(self)} blocks, {len(self.entities)} entities; {counts}>"

    def footnote(self, *, part: int, number: int, doc: str | None = None) -> Block:
        """The footnote body printed as ``[number]`` in ``part`` (of ``doc``, if several)."""
        for block in self:
            if (block.kind == "footnote" and block.part == part and block.number == number
                    and (doc is None or block.doc == doc)):
                return block
        raise KeyError(f"no footnote [{number}] in part {part}")

    def entity(self, entity_id: str) -> RegistryEntity:
        """The registry record ``entity_id``."""
        return _find(self.entities, entity_id, "registry entity")

    def mentions(self, entity_id: str) -> list[Annotation]:
        """Every mention of a registry entity, in reading order."""
        self.entity(entity_id)
        return [a for a in self._layers.get("entities", []) if a.attrs.get("entity") == entity_id]

    def annotations(self, layer: str | None = None, *, label: str | None = None,
                    paragraph: str | None = None) -> list[Annotation]:
        """Annotations of one layer (default: all), optionally of one label or block."""
        if layer is not None and layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
        layers = [layer] if layer else list(self._layers)
        if paragraph is not None:
            in_block = self._by_block.get(paragraph, {})
            return [a for name in layers for a in in_block.get(name, []) if label is None or a.label == label]
        return [a for name in layers for a in self._layers.get(name, []) if label is None or a.label == label]

    def annotation(self, annotation_id: str) -> Annotation:
        """The annotation record with this id (``span.id_`` of a Span from :meth:`docs`)."""
        return _find(self._by_id, annotation_id, "annotation")

    def footnotes_of(self, entity_id: str) -> list[Block]:
        """The footnote blocks the registry lists as describing an entity."""
        return [self[fn] for fn in self.entity(entity_id).footnotes]

    def footnote_links(self) -> list[FootnoteLink]:
        """Every marker resolved within its part, then unreferenced and duplicate bodies."""
        return list(resolve_footnotes(self))

    def docs(self, nlp: Language | None = None, *, batch_size: int = 256) -> Iterator[Doc]:
        """One spaCy Doc per block, in reading order, streamed through ``nlp.pipe``.

        Every layer is a span group (``doc.spans["entities"]``, ``"dates"``,
        ``"claims"``, ``"footnote_refs"``); entities are also ``doc.ents``.
        ``doc.user_data`` holds ``block``, ``doc``, ``part``, ``kind`` and ``section``.
        """
        from .nlp import block_text, make_nlp
        from .spacy_docs import attach_spans

        nlp = make_nlp(nlp)
        links_by_block: dict[str, list[FootnoteLink]] = defaultdict(list)
        for link in resolve_footnotes(self):
            if link.paragraph is not None:
                links_by_block[link.paragraph].append(link)
        pairs = ((block_text(nlp, b), b) for b in self)
        for doc, block in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            layers = {layer: self._by_block[block.id][layer] for layer in self._layers}
            yield attach_spans(doc, block, layers, links_by_block.get(block.id, ()))


    def show(self, target: Any, *, layers: Iterable[str] = LAYERS) -> HTML:
        """An HTML view for Jupyter of a block (id or Block), a Doc, an annotation, or a list of them.

        Every layer in ``layers`` is highlighted; hovering shows labels,
        canonical names, date values and claim types; footnote markers show
        their footnote. Given annotations, only those are highlighted.
        """
        from .render import render_blocks

        items = target if isinstance(target, (list, tuple)) else [target]
        chosen: dict[str, list[Annotation] | None] = {}
        for item in items:
            if isinstance(item, Annotation):
                selected = chosen.setdefault(item.paragraph, [])
                if selected is not None:
                    selected.append(item)
            else:
                block_id = str(item.id if isinstance(item, Block) else
                               item.user_data.get("block") if isinstance(item, Doc) else item)
                self[block_id]  # a KeyError names an unknown block here
                chosen[block_id] = None
        links = [link for link in resolve_footnotes(self) if link.paragraph in chosen]
        selection = []
        for block_id, selected in chosen.items():
            in_block = self._by_block[block_id]
            selection.append((self[block_id], selected if selected is not None else
                              [a for layer in layers for a in in_block[layer]]))
        return render_blocks(selection, links, self.entities)

    def to_dataframe(self, layer: str = "entities", **options: Any) -> Any:
        """A pandas DataFrame with the columns of ``toolkit extract`` (``options`` as for :func:`toolkit.extract`)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe needs pandas: pip install 'toolkit[pandas]' (or pip install pandas)") from None
        from .extraction import extract

        records = extract(layer=layer, corpus_dir=self.corpus_dir, annotations_dir=self.annotations_dir, **options)
        frame = pd.DataFrame.from_records(list(records))
        if "part" in frame:
            frame["part"] = frame["part"].astype("Int64")  # front matter has no part: keep integers
        return frame


def _find(table: Mapping[str, V], key: str, what: str) -> V:
    try:
        return table[key]
    except KeyError:
        raise KeyError(f"no {what} {key!r} in the corpus") from None


def load_corpus(corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None) -> Corpus:
    """Load the corpus (default: the shipped one) and its annotations into memory.

    Every record is checked as it is read (:mod:`toolkit.checks`); input
    that breaks the rules raises ToolkitError naming the code, file, line
    and record.
    """
    cdir = resolve_corpus_dir(corpus_dir)
    adir = resolve_annotations_dir(annotations_dir)
    checks = load_checks(adir)
    documents = {d.id: d for d in map(read_document, document_dirs(cdir))}
    blocks: dict[str, Block] = {}
    layers: dict[str, list[Annotation]] = {layer: [] for layer in checks.layers()}
    ids: set[str] = set()
    for part in iter_parts(cdir, adir, checks=checks):
        for item in part:
            blocks[item.block.id] = item.block
            for layer, annotations in item.layers.items():
                for a in annotations:
                    if a.id in ids:  # within a document the reader refused it already, with its line
                        raise ToolkitError(f"id {quote(a.id)} is used in two documents",
                                           file=adir / f"{layer}.jsonl", record=a.id, code="E102")
                    ids.add(a.id)
                layers[layer].extend(annotations)
    return Corpus(corpus_dir=cdir, annotations_dir=adir, documents=documents, blocks=blocks,
                  registry=checks.registry, layers=layers)
