"""A block's text as HTML: every annotation one element, nested as the spans nest, markers linked.

Spans of all layers are drawn at once. Each is one element that can take
focus and describes itself (``aria-describedby`` to its entry in the
block's list of annotations; on focus, a sheet shows the same words); only
where spans of different layers cross is one of them continued in a second
element, which carries its look but not its id.
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

REGISTRY_TYPES = ("registry_id", "registry_ids", "holder")


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
        return f"n-{a.id}" if self.scope is None else f"{self.scope}-{index}"

    def marker(self, link: FootnoteLink) -> str | None:
        return f"ref-{link.paragraph}-{link.start}" if self.scope is None else None


def attribute_values(a: Annotation, registry: Mapping[str, RegistryEntity], schema: Schema) -> list[tuple[str, str]]:
    """Each attribute of a span as (name, words): registry ids by their names, lists joined.

    >>> from toolkit.layout import Layout
    >>> a = Annotation("entities", "e-1", "b", 0, 4, "Iraq", "GPE", {"entity": "iraq", "mention": "NAM"})
    >>> attribute_values(a, {}, Layout.open().schema)
    [('entity', 'iraq'), ('mention', 'NAM')]
    """
    spec = schema.layers.get(a.layer)
    out = []
    for name, value in a.attrs.items():
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
    cuts = sorted({0, len(block.text)} | {i.start for i in items} | {i.end for i in items})
    out: list[str] = []
    open_items: list[_Item] = []
    tags: dict[int, str] = {}  # id(item) -> its tag, once opened
    for left, right in pairwise(cuts):
        wanted = [item for item in order if item.start <= left and right <= item.end]
        keep = 0
        while keep < min(len(wanted), len(open_items)) and wanted[keep] is open_items[keep]:
            keep += 1
        out.extend(f"</{tags[id(item)]}>" for item in reversed(open_items[keep:]))
        for item in wanted[keep:]:
            tag, attrs = _element_of(item, id(item) not in tags, registry, styles, anchors, notes)
            tags[id(item)] = tag
            out.append(start_tag(tag, attrs))
        open_items = wanted
        out.append(text(block.text[left:right]))
    out.extend(f"</{tags[id(item)]}>" for item in reversed(open_items))
    return "".join(out)


def _element_of(item: _Item, first: bool, registry: Mapping[str, RegistryEntity], styles: Styles,
                anchors: Anchors, notes: Mapping[str, str]) -> tuple[str, dict[str, object | None]]:
    """The tag and attributes of an item; a crossing span continued (``first`` false) has its look, not its id."""
    if item.link is not None:
        if anchors.scope is not None:  # the notebook shows the footnote under the block
            return "span", {"class": "fnref"}
        return "a", {"class": "fnref", "role": "doc-noteref", "href": fragment(item.link.footnote or ""),
                     "id": anchors.marker(item.link) if first else None}
    a = item.annotation
    assert a is not None
    attrs: dict[str, object | None] = {"class": styles.of(a.layer, a.label)}
    if first:
        attrs |= {"id": anchors.span(a), "tabindex": 0, "aria-describedby": notes[a.id]}
    attrs["data-tip"] = describe(a, registry, styles.schema)
    return "span", attrs


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
