"""The corpus in memory: the streaming core (:mod:`toolkit.join`), materialised, with lookups and a write path.

For notebooks and scripts; the commands stream instead, holding one document
part at a time. Annotations can be added and removed, and :meth:`Corpus.save`
writes the layers back (checked, in canonical form, atomically).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from .checks import Checks, load_checks
from .display import quote
from .errors import ToolkitError
from .footnotes import FootnoteBody, FootnoteLink, resolve_footnotes
from .join import AnnotatedBlock, iter_parts
from .layout import Layout
from .models import Annotation, Block, Document, RegistryEntity
from .readers import read_document_record

if TYPE_CHECKING:
    from .edition import HTML

V = TypeVar("V")


class Corpus:
    """Documents, blocks in reading order with their annotations, the registry, and the schema.

    >>> corpus = load_corpus()
    >>> corpus["pwc.p2.fn2"].text[:34]
    '[2] Worker-Communist Party of Iran'
    >>> corpus.footnote(part=2, number=2).id
    'pwc.p2.fn2'
    >>> corpus.registry["wcp-iraq"].name
    'Worker-Communist Party of Iraq'
    """

    def __init__(self, layout: Layout, checks: Checks, documents: dict[str, Document],
                 items: list[AnnotatedBlock]) -> None:
        self.layout = layout
        self.documents = documents
        self.registry: dict[str, RegistryEntity] = checks.registry
        self._checks = checks
        self._items = {item.block.id: item for item in items}
        self._by_id = {a.id: a for item in items for anns in item.layers.values() for a in anns}

    @property
    def corpus_dir(self) -> Path:
        return self.layout.corpus_dir

    @property
    def annotations_dir(self) -> Path:
        return self.layout.annotations_dir

    @property
    def layers(self) -> list[str]:
        """The layers the schema declares, in its order."""
        return list(self.layout.schema.layers)

    def __iter__(self) -> Iterator[Block]:
        return (item.block for item in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, block_id: str) -> Block:
        return _find(self._items, block_id, "block").block

    def __contains__(self, block_id: object) -> bool:
        return block_id in self._items

    def __repr__(self) -> str:
        documents = f"{len(self.documents)} document{'s' if len(self.documents) != 1 else ''}"
        spans = ", ".join(f"{layer} {len(self.annotations(layer))}" for layer in self.layers)
        return (f"<Corpus: {documents}, {len(self)} blocks, {len(self.registry)} registry entries; "
                f"spans per layer: {spans}>")

    def footnote(self, *, part: int, number: int, doc: str | None = None) -> Block:
        """The footnote body printed as ``[number]`` in ``part`` (of ``doc``, if several)."""
        for block in self:
            if (block.kind == "footnote" and block.part == part and block.number == number
                    and (doc is None or block.doc == doc)):
                return block
        raise KeyError(f"no footnote [{number}] in part {part}")

    def entity(self, entity_id: str) -> RegistryEntity:
        """The registry record ``entity_id``."""
        return _find(self.registry, entity_id, "registry entity")

    def mentions(self, entity_id: str) -> list[Annotation]:
        """Every span linked to a registry entity (in the layers that link to the registry), in reading order."""
        self.entity(entity_id)
        links = {name: layer.link for name, layer in self.layout.schema.layers.items() if layer.link}
        return [a for a in self.annotations() if a.layer in links and a.attrs.get(links[a.layer]) == entity_id]

    def annotations(self, layer: str | None = None, *, label: str | None = None,
                    paragraph: str | None = None) -> list[Annotation]:
        """Annotations of one layer (default: all), optionally of one label or block, in reading order."""
        names = [spec.name for spec in self.layout.schema.chosen(None if layer is None else [layer])]
        items = [_find(self._items, paragraph, "block")] if paragraph is not None else self._items.values()
        return [a for item in items for name in names for a in item.layers.get(name, ())
                if label is None or a.label == label]

    def annotation(self, annotation_id: str) -> Annotation:
        """The annotation record with this id (``span.id_`` of a Span from :meth:`docs`)."""
        return _find(self._by_id, annotation_id, "annotation")

    def footnotes_of(self, entity_id: str) -> list[Block]:
        """The footnote blocks the registry lists as describing an entity."""
        return [self[fn] for fn in self.entity(entity_id).footnotes]

    def annotated_blocks(self) -> list[AnnotatedBlock]:
        """Every block with its annotations per layer and its footnote links, in reading order."""
        return list(self._items.values())

    def footnote_links(self) -> list[FootnoteLink | FootnoteBody]:
        """Every marker resolved within its part, then unreferenced and duplicate bodies."""
        return list(resolve_footnotes(self))

    def add(self, annotation: Annotation) -> None:
        """Add an annotation, checked as a reader checks it (its block, span, label, attributes, overlaps)."""
        from .writers import layer_lines

        item = _find(self._items, annotation.paragraph, "block")
        if annotation.id in self._by_id:
            raise ToolkitError(f"id {quote(annotation.id)} is used already", record=annotation.id, code="E102")
        spec = self.layout.schema.layer(annotation.layer)
        in_block = [*item.layers.get(spec.name, []), annotation]
        layer_lines(self.layout, self._checks, {item.block.id: item.block}, {spec.name: in_block})
        item.layers[spec.name] = sorted(in_block, key=lambda a: (a.start, -a.end, a.id))
        self._by_id[annotation.id] = annotation

    def remove(self, annotation_id: str) -> Annotation:
        """Remove the annotation with this id, and return it."""
        annotation = self.annotation(annotation_id)
        in_block = self._items[annotation.paragraph].layers[annotation.layer]
        in_block.remove(annotation)
        del self._by_id[annotation_id]
        return annotation

    def save(self, *, annotations_dir: str | Path | None = None) -> None:
        """Write every layer (and the registry) to ``annotations_dir`` (default: where they were read from).

        Checked and in canonical form, like ``toolkit fmt``; each file is
        replaced only when all are written. Saving elsewhere writes
        ``schema.json`` there too, so that the folder can be read back.
        """
        from .writers import layer_lines, registry_lines, write_files

        target = Path(annotations_dir) if annotations_dir is not None else self.annotations_dir
        layout = Layout(self.corpus_dir, target, self.layout.documents, self.layout.schema)
        blocks = {item.block.id: item.block for item in self._items.values()}
        layers = {name: self.annotations(name) for name in self.layers}
        lines = layer_lines(layout, self._checks, blocks, layers)
        contents = {layout.layer_file(name): lines[name] for name in self.layers}
        contents[layout.registry_file] = registry_lines(layout, self.registry.values())
        if target.resolve() != self.annotations_dir.resolve():  # the folder must read back the same
            for source, copy in ((self.layout.schema_file, layout.schema_file),
                                 (self.layout.exceptions_file, layout.exceptions_file)):
                if source.exists():
                    contents[copy] = source.read_text(encoding="utf-8").splitlines()
        write_files(layout, contents)

    def docs(self, nlp: Language | None = None, *, batch_size: int = 256) -> Iterator[Doc]:
        """One spaCy Doc per block, in reading order, streamed through ``nlp.pipe``.

        Every layer is a span group (``doc.spans["entities"]`` ...), and so are
        the footnote markers (``doc.spans["footnote_refs"]``); the layer the
        schema marks ``ents`` is also ``doc.ents``. ``doc.user_data`` holds
        ``block``, ``doc``, ``part``, ``kind`` and ``section``.
        """
        from .nlp import make_nlp
        from .spacy_docs import docs_of

        return docs_of(self._items.values(), self.layout.schema, make_nlp(nlp), batch_size=batch_size)

    def show(self, target: Any, *, layers: Iterable[str] | None = None) -> HTML:
        """An HTML view for Jupyter of a block (id or Block), a Doc, an annotation, or a list of them.

        Every layer in ``layers`` (default: all) is highlighted, with a key;
        a span shows its label and attributes when clicked, tapped or reached
        with Tab; the footnotes of the block's markers are printed under it.
        Given annotations, only those are highlighted.
        """
        from .edition import render_blocks

        names = [spec.name for spec in self.layout.schema.chosen(layers)]
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
                _find(self._items, block_id, "block")
                chosen[block_id] = None
        selection = []
        for block_id, selected in chosen.items():
            annotated = self._items[block_id]
            shown = selected if selected is not None else [a for name in names for a in annotated.layers.get(name, ())]
            selection.append((annotated, shown))
        return render_blocks(selection, self.registry, self.layout.schema)

    def to_dataframe(self, layer: str = "entities", **options: Any) -> Any:
        """A pandas DataFrame with the columns of ``toolkit extract`` (``options`` as for :func:`toolkit.extract`)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe needs pandas: pip install 'standoff-toolkit[pandas]'") from None
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


def load_corpus(*, corpus_dir: str | Path | None = None, annotations_dir: str | Path | None = None) -> Corpus:
    """Load the corpus (default: the shipped one) and its annotations into memory.

    Every record is checked as it is read (:mod:`toolkit.checks`); input
    that breaks the rules raises ToolkitError naming the code, file, line
    and record.
    """
    layout = Layout.open(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    checks = load_checks(layout)
    documents = {d.id: d for d in map(read_document_record, layout.documents)}
    items: list[AnnotatedBlock] = []
    ids: set[str] = set()
    for part in iter_parts(layout, checks):
        for item in part:
            items.append(item)
            for layer, in_layer in item.layers.items():
                for a in in_layer:
                    if a.id in ids:  # within a document the reader refused it already, with its line
                        raise ToolkitError(f"id {quote(a.id)} is used in two documents",
                                           file=layout.layer_file(layer), record=a.id, code="E102")
                    ids.add(a.id)
    return Corpus(layout, checks, documents, items)
