"""The annotated edition: the whole corpus as one self-contained, accessible HTML page.

Each document is an ``article``: its front matter and table of contents in
a header, a ``section`` per part (h2) with its sections (h3), paragraphs
numbered in the margin, list items and footnotes as lists, and under every
block the list of its annotations. The key comes after the first table of
contents; the index of entities, grouped by label, ends the page. A bar at
the top links to all three. The page loads nothing and runs no script: its
Content-Security-Policy forbids both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import groupby, takewhile
from pathlib import Path

from ..footnotes import FootnoteLink
from ..join import AnnotatedBlock
from ..models import Annotation, RegistryEntity
from ..schema import Schema
from .locations import Location, document_names, locate
from .markup import element, fragment, start_tag, text
from .spans import Anchors, annotated_text, legend, notes
from .theme import Styles, stylesheet


def render(out: str | Path | None = None, *, corpus_dir: str | Path | None = None,
           annotations_dir: str | Path | None = None) -> str:
    """The annotated edition of the corpus as one HTML page; with ``out``, also written there atomically.

    Every record is checked on the way in (as for ``load_corpus``); nothing is written if one is refused.

    >>> page = render()
    >>> page.startswith("<!DOCTYPE html>") and "Index of entities" in page
    True
    """
    from ..corpus import load_corpus
    from ..jsonl import atomic_open

    data = load_corpus(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    title = " · ".join(d.title for d in data.documents.values())
    html = render_page(data.annotated_blocks(), data.registry, data.layout.schema, title=title)
    if out is not None:
        with atomic_open(Path(out)) as f:
            f.write(html)
    return html


CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
PAGE = Anchors()
# The page's own ids start with "_", which no id from the data can (models.ID): they never collide.
KEY, INDEX = "_key", "_index"


def _toc(doc: str) -> str:
    return f"_toc-{doc}"


def render_page(items: Iterable[AnnotatedBlock], registry: Mapping[str, RegistryEntity], schema: Schema, *,
                title: str) -> str:
    """Every block with its layers, the footnotes linked both ways, a key, contents and an index of entities."""
    items = list(items)
    styles = Styles(schema)
    documents = [list(group) for _, group in groupby(items, key=lambda item: item.block.doc)]
    locations = locate((item.block for item in items), with_document=len(documents) > 1)
    backrefs: dict[str, list[FootnoteLink]] = defaultdict(list)
    for item in items:
        for link in item.links:
            if link.footnote:
                backrefs[link.footnote].append(link)
    page = _Page(styles, registry, locations, backrefs, document_names(item.block for item in items))
    key = legend((a for item in items for a in _annotations(item)), styles, markers=True, anchor=KEY)
    articles = [page.article(blocks, key if i == 0 else "") for i, blocks in enumerate(documents)]
    top = element("header", element("nav", element("ul", "".join(
        element("li", element("a", label, {"href": fragment(target)}))
        for label, target in (("Contents", _toc(documents[0][0].block.doc) if documents else INDEX),
                              ("Key", KEY), ("Index of entities", INDEX)))), {"aria-label": "Page"}),
        {"class": "top"})
    main = element("main", "".join(articles) + page.index(items))
    head = (start_tag("meta", {"charset": "utf-8"})
            + start_tag("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"})
            + start_tag("meta", {"http-equiv": "Content-Security-Policy", "content": CSP})
            + start_tag("meta", {"name": "color-scheme", "content": "light dark"})
            + element("title", text(title)) + element("style", stylesheet(page=True)))
    body = element("body", top + main, {"class": "tk"})
    return "<!DOCTYPE html>" + element("html", element("head", head) + body, {"lang": "en"}) + "\n"


def _headings(items: list[AnnotatedBlock]) -> dict[str, tuple[str, str]]:
    """The tag and text of every heading block: the title h1, a part's first heading h2, the others h3."""
    tags: dict[str, tuple[str, str]] = {}
    seen: set[int | None] = set()
    for item in items:
        block = item.block
        if block.kind == "title":
            tags[block.id] = ("h1", block.text)
        elif block.kind == "heading":
            tags[block.id] = ("h2" if block.part is None or block.part not in seen else "h3", block.text)
            seen.add(block.part)
    return tags


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _annotations(item: AnnotatedBlock) -> list[Annotation]:
    return [a for in_layer in item.layers.values() for a in in_layer]


class _Page:
    """The pieces of the page, sharing its styles, registry, locations and footnote back-links."""

    def __init__(self, styles: Styles, registry: Mapping[str, RegistryEntity], locations: Mapping[str, Location],
                 backrefs: Mapping[str, list[FootnoteLink]], names: Mapping[str, str]) -> None:
        self.styles, self.registry, self.locations, self.backrefs = styles, registry, locations, backrefs
        self.names = names  # what a reader calls each document

    def article(self, items: list[AnnotatedBlock], key: str) -> str:
        """One document: a header (front matter, contents, ``key``), then a section per part."""
        doc = items[0].block.doc
        front = list(takewhile(lambda item: item.block.part is None, items))
        headings = _headings(items)
        header = element("header", self._blocks(front, headings) + self._contents(doc, headings) + key)
        body = []
        for part, group in groupby(items[len(front):], key=lambda item: item.block.part):
            run = list(group)
            blocks = self._blocks(run, headings)
            if part is None:
                body.append(blocks)
                continue
            first = next((it.block.id for it in run if headings.get(it.block.id, ("",))[0] == "h2"), None)
            body.append(element("section", blocks, {"aria-labelledby": first}))
        return element("article", header + "".join(body), {"id": doc})

    def _contents(self, doc: str, headings: Mapping[str, tuple[str, str]]) -> str:
        """The table of contents: the h2 headings, each with its h3 headings, and the index."""
        entries: list[tuple[str, list[str]]] = []
        for block_id, (tag, words) in headings.items():
            link = element("a", text(words), {"href": fragment(block_id)})
            if tag == "h2":
                entries.append((link, []))
            elif tag == "h3" and entries:
                entries[-1][1].append(link)
        rows = "".join(element("li", link + (element("ol", "".join(element("li", s) for s in subs)) if subs else ""))
                       for link, subs in entries)
        rows += element("li", element("a", "Index of entities", {"href": fragment(INDEX)}))
        return element("nav", element("h2", "Contents", {"id": _toc(doc)}) + element("ol", rows),
                       {"class": "toc", "aria-label": f"Contents: {self.names[doc]}"})

    def _blocks(self, items: list[AnnotatedBlock], headings: Mapping[str, tuple[str, str]]) -> str:
        """Blocks in order; runs of list items and of footnotes become lists."""
        out = []
        for kind, group in groupby(items, key=lambda it: it.block.kind):
            run = list(group)
            if kind in ("list_item", "footnote"):
                list_class = "items" if kind == "list_item" else "footnotes"
                out.append(element("ol", "".join(self._block(it, headings, "li") for it in run),
                                   {"class": list_class}))
            else:
                out.extend(self._block(it, headings, None) for it in run)
        return "".join(out)

    def _block(self, item: AnnotatedBlock, headings: Mapping[str, tuple[str, str]], tag: str | None) -> str:
        block = item.block
        annotations = _annotations(item)
        html = annotated_text(block, annotations, item.links, self.registry, self.styles, PAGE)
        location = self.locations[block.id]
        panel = notes(annotations, location.long, self.registry, self.styles, PAGE)
        attrs: dict[str, object | None] = {"id": block.id, "class": "block", "data-kind": block.kind}
        if block.kind == "footnote":
            back = "".join(element("a", "↩", {"class": "back", "href": fragment(Anchors.marker(link)),
                                              "aria-label": f"back to the reference in "
                                                            f"{self.locations[link.paragraph].long}"})
                           for link in self.backrefs.get(block.id, ()))
            return element("li", html + " " + back + panel, attrs)
        if tag == "li":
            return element("li", html + panel, attrs)
        if block.id in headings:
            return element(headings[block.id][0], html, attrs) + panel
        if block.kind == "separator":
            return element("div", html, attrs | {"role": "separator"})
        if block.kind == "paragraph":
            attrs["data-n"] = location.short
        return element("p", html, attrs) + panel

    def index(self, items: list[AnnotatedBlock]) -> str:
        """Every registry entity by label: canonical name, description, mention count, where it is mentioned.

        An entity's name wears the colour its label has in the first layer that links to the registry.
        """
        linked = {name: layer.link for name, layer in self.styles.schema.layers.items() if layer.link}
        mentions: dict[str, list[Annotation]] = defaultdict(list)
        for item in items:
            for name, attribute in linked.items():
                for a in item.layers.get(name, ()):
                    key = a.attrs.get(attribute)
                    if isinstance(key, str):
                        mentions[key].append(a)
        first_layer = next(iter(linked), None)
        groups = []
        by_label = groupby(sorted(self.registry.values(), key=lambda e: (self._label_rank(e.label), e.name)),
                           key=lambda e: e.label)
        for position, (label, group) in enumerate(by_label):
            entities = list(group)
            count = sum(len(mentions[e.id]) for e in entities)
            heading_id = f"{INDEX}-{position}"
            summary = element("span", text(f" · {_count(len(entities), 'entity', 'entities')}, "
                                           f"{_count(count, 'mention', 'mentions')}"), {"class": "muted"})
            rows = "".join(self._index_entry(e, mentions[e.id], first_layer) for e in entities)
            groups.append(element("section", element("h3", text(label) + summary, {"id": heading_id})
                                  + element("ul", rows), {"aria-labelledby": heading_id}))
        return element("section", element("h2", "Index of entities", {"id": f"{INDEX}-title"}) + "".join(groups),
                       {"class": "index", "id": INDEX, "aria-labelledby": f"{INDEX}-title"})

    def _label_rank(self, label: str) -> tuple[int, str]:
        """Labels in the order the linked layers declare them; others after, alphabetically."""
        labels = [label for layer in self.styles.schema.layers.values() if layer.link for label in layer.labels]
        return (labels.index(label) if label in labels else len(labels), label)

    def _index_entry(self, entity: RegistryEntity, mentions: list[Annotation], layer: str | None) -> str:
        by_block: dict[str, list[Annotation]] = defaultdict(list)
        for a in mentions:
            by_block[a.paragraph].append(a)
        places = []
        for block_id, found in by_block.items():
            where = self.locations[block_id].long
            times = element("span", text(f" ×{len(found)}"), {"class": "muted"}) if len(found) > 1 else ""
            places.append(element("a", text(where), {"href": fragment(found[0].id)}) + times)
        name = element("span", text(entity.name), {"class": self.styles.chip(layer, entity.label) if layer else "chip"})
        count = _count(len(mentions), "mention", "mentions")
        return element("li", name + " " + element("span", text(count), {"class": "muted"})
                       + element("div", text(entity.description), {"class": "muted"})
                       + element("div", "".join(places), {"class": "where"}))
