"""A block's text as HTML: every annotation one element, nested as the spans nest, markers linked.

Spans of all layers are drawn at once. Each is one element that can take
focus and describes itself (``aria-describedby`` to its entry in the
block's list of annotations; on focus, a sheet shows the same words). Only
where two spans cross is the later one continued in a second element: it
has the same look and words, open on the side where it goes on
(``goes-on``, ``goes-on-from``), takes focus when tapped but is not a tab
stop, and has no id. A footnote marker is never cut: a span boundary
inside one is moved to its edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from ..footnotes import FootnoteLink
from ..models import Annotation, Block, RegistryEntity
from ..schema import Schema
from .markup import element, fragment, start_tag, text
from .theme import Styles

REGISTRY_TYPES = ("registry_id", "registry_ids", "holder", "holders")


@dataclass(frozen=True, slots=True)
class Anchors:
    """How the elements of one view are named: the page's stable ids, or a notebook cell's own.

    On the page a span's id is its annotation's id and markers link to their
    footnotes; a notebook view (``scope``) gives its notes ids of its own and
    shows the footnotes under the block, so its markers link nowhere.
    """

    scope: str | None = None

    def span(self, a: Annotation) -> str | None:
        return a.id if self.scope is None else None

    def note(self, a: Annotation, index: int) -> str:
        return f"_n-{a.id}" if self.scope is None else f"{self.scope}-{index}"

    @staticmethod
    def marker(link: FootnoteLink) -> str:
        """The id of a marker on the page (a notebook view does not link its markers)."""
        return f"_ref-{link.paragraph}-{link.start}"


def attribute_values(a: Annotation, registry: Mapping[str, RegistryEntity], schema: Schema) -> list[tuple[str, str]]:
    """Each attribute of a span that has a value, as (name, words): registry ids by their names, lists joined.

    >>> from toolkit.layout import Layout
    >>> a = Annotation("entities", "e-1", "b", 0, 4, "Iraq", "GPE", {"entity": "iraq", "mention": "NAM"})
    >>> attribute_values(a, {}, Layout.open().schema)
    [('entity', 'iraq'), ('mention', 'NAM')]
    """
    spec = schema.layers.get(a.layer)
    out = []
    for name, value in a.attrs.items():
        if value is None:
            continue
        kind = spec.attributes[name].type if spec is not None and name in spec.attributes else "string"
        values = value if isinstance(value, list) else [value]
        if kind in REGISTRY_TYPES:
            values = [registry[v].name if isinstance(v, str) and v in registry else v for v in values]
        out.append((name, ", ".join(map(str, values)) or "-"))
    return out


def describe(a: Annotation, registry: Mapping[str, RegistryEntity], schema: Schema) -> str:
    """What a span is, in words (plain text, one line per attribute): the focus sheet's text."""
    lines = [f"{a.label} ({a.layer})"]
    lines += [f"{name}: {value}" for name, value in attribute_values(a, registry, schema)]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Item:
    start: int
    end: int
    rank: int  # among items with the same range: lower is outer
    annotation: Annotation | None = None
    link: FootnoteLink | None = None


def annotated_text(block: Block, annotations: Iterable[Annotation], links: Iterable[FootnoteLink],
                   registry: Mapping[str, RegistryEntity], styles: Styles, anchors: Anchors) -> str:
    """The block's text with every annotation and footnote marker as elements.

    >>> from toolkit.layout import Layout
    >>> styles = Styles(Layout.open().schema)
    >>> b = Block("d.p1.para1", "d", "paragraph", 1, None, "Iraq & Iran", 0, 11)
    >>> a = Annotation("entities", "e-1", b.id, 0, 4, "Iraq", "GPE", {"entity": "iraq", "mention": "NAM"})
    >>> print(annotated_text(b, [a], [], {}, styles, Anchors(scope="x")))
    <span class="ann fill c2" tabindex="0" aria-describedby="x-0" data-tip="GPE (entities)
    entity: iraq
    mention: NAM">Iraq</span> &amp; Iran
    """
    annotations = list(annotations)
    layer_rank = {name: i for i, name in enumerate(styles.schema.layers)}
    items = [_Item(a.start, a.end, layer_rank.get(a.layer, len(layer_rank)), annotation=a) for a in annotations]
    items += [_Item(link.start, link.end, len(layer_rank) + 1, link=link) for link in links
              if link.paragraph == block.id and link.footnote and link.start < link.end]
    notes = {a.id: anchors.note(a, i) for i, a in enumerate(annotations)}
    order = sorted(items, key=lambda item: (item.start, -item.end, item.rank))
    markers = [(item.start, item.end) for item in items if item.link is not None]
    cuts = sorted({0, len(block.text)} | {cut for i in items for cut in (i.start, i.end)
                                          if not any(start < cut < end for start, end in markers)})
    out: list[str] = []
    open_items: list[_Item] = []
    begun: set[int] = set()  # id() of the items with an element so far
    starts: dict[int, tuple[int, str, bool]] = {}  # id(item) -> where its open element's start tag is, tag, first

    def close(item: _Item, at: int) -> None:
        where, tag, first = starts.pop(id(item))
        if at < item.end:  # cut short by a crossing span: open on its right side
            out[where] = start_tag(tag, _attributes(item, first, True, registry, styles, anchors, notes))
        out.append(f"</{tag}>")

    for left, right in pairwise(cuts):
        wanted = [item for item in order if item.start <= left and right <= item.end]
        keep = 0
        while keep < min(len(wanted), len(open_items)) and wanted[keep] is open_items[keep]:
            keep += 1
        for item in reversed(open_items[keep:]):
            close(item, left)
        for item in wanted[keep:]:
            first = id(item) not in begun
            begun.add(id(item))
            tag = "a" if item.link is not None and anchors.scope is None else "span"
            starts[id(item)] = (len(out), tag, first)
            out.append(start_tag(tag, _attributes(item, first, False, registry, styles, anchors, notes)))
        open_items = wanted
        out.append(text(block.text[left:right]))
    for item in reversed(open_items):
        close(item, len(block.text))
    return "".join(out)


def _attributes(item: _Item, first: bool, goes_on: bool, registry: Mapping[str, RegistryEntity], styles: Styles,
                anchors: Anchors, notes: Mapping[str, str]) -> dict[str, object | None]:
    """The attributes of an item's element: its first (``first``), or a piece after a crossing.

    ``goes_on``: the span does not end with this element (a span it crosses ends inside it).
    """
    if item.link is not None:
        if anchors.scope is not None:  # the notebook shows the footnote under the block
            return {"class": "fnref"}
        return {"class": "fnref", "role": "doc-noteref", "href": fragment(item.link.footnote or ""),
                "id": anchors.marker(item.link)}
    a = item.annotation
    assert a is not None
    pieces = (" goes-on" if goes_on else "") + ("" if first else " goes-on-from")
    return {"class": styles.of(a.layer, a.label) + pieces, "id": anchors.span(a) if first else None,
            "tabindex": 0 if first else -1, "aria-describedby": notes[a.id],
            "data-tip": describe(a, registry, styles.schema)}


def notes(annotations: Iterable[Annotation], where: str, registry: Mapping[str, RegistryEntity], styles: Styles,
          anchors: Anchors) -> str:
    """The block's annotations as a list that opens (``details``): what each span describes itself by."""
    annotations = list(annotations)
    if not annotations:
        return ""
    rows = []
    for i, a in enumerate(annotations):
        words = "; ".join(f"{name}: {value}" for name, value in attribute_values(a, registry, styles.schema))
        link = element("a", "show", {"href": fragment(a.id), "aria-label": f"show “{a.text}” in the text"}) \
            if anchors.scope is None else ""
        parts = [element("span", text(a.label), {"class": styles.chip(a.layer, a.label)}), text(f"“{a.text}”")]
        parts += [text(words)] if words else []
        parts += [link] if link else []
        rows.append(element("li", " ".join(parts), {"id": anchors.note(a, i)}))
    count = f"{len(annotations)} annotation{'s' if len(annotations) != 1 else ''} in {where}"
    return element("details", element("summary", text(count)) + element("ul", "".join(rows)), {"class": "notes"})


def legend(annotations: Iterable[Annotation], styles: Styles, *, markers: bool, anchor: str | None = None) -> str:
    """The key to the highlighting: a chip per label that occurs, per layer, and the footnote marker."""
    rows = []
    for layer, labels in styles.legend_entries(annotations).items():
        chips = "".join(element("span", text(label), {"class": styles.chip(layer, label)}) for label in labels)
        rows.append(element("div", element("dt", text(layer)) + element("dd", chips)))
    if markers:
        rows.append(element("div", element("dt", "footnotes") + element("dd", (
            element("span", "[1]", {"class": "fnref"}) + " a marker: " + text(
                "select it to read its footnote" if anchor else "its footnote is shown under the block")))))
    return element("figure", element("figcaption", "Key to the highlighting") + element("dl", "".join(rows)),
                   {"class": "legend", "id": anchor})
