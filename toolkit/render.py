"""HTML views of annotated blocks: in a notebook (``corpus.show``) and as one page (``toolkit render``).

Every layer is drawn at once, overlaps included: a block's text is cut at
every span boundary, and each piece carries the classes of the spans that
cover it. Styles follow the schema: a layer that links to the registry gets
a background colour per label, every other layer a line of its own. The
page needs no network access.

Data may hold anything, so markup is safe by construction: every element is
built by :func:`_element`, which escapes attribute values (quotes included);
text goes through :func:`_text`; class names come from fixed tables
(:data:`LABEL_COLORS`, :data:`LINE_STYLES`, by position), never from data;
and every link is a fragment of the page (``#id``). No f-string here puts a
data value into markup by itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from itertools import pairwise

from .footnotes import FootnoteLink
from .join import AnnotatedBlock
from .models import Annotation, Block, RegistryEntity
from .schema import Schema

LABEL_COLORS = ("#fde68a", "#bfdbfe", "#bbf7d0", "#a7f3d0", "#fbcfe8", "#fed7aa", "#ddd6fe", "#e5e7eb", "#fecaca",
                "#c7d2fe", "#fef08a", "#99f6e4")
LINE_STYLES = (
    "border-bottom: 3px double #0f766e;",
    "text-decoration: underline 2px #9333ea; text-underline-offset: 4px;",
    "border-bottom: 2px dotted #b45309;",
    "text-decoration: underline wavy #2563eb; text-underline-offset: 3px;",
    "outline: 1px dashed #6b7280;",
)
CSS = """
.tk { font-family: Georgia, serif; line-height: 1.9; max-width: 52em; }
.tk p { margin: 0.4em 0; } .tk .kind { color: #6b7280; font: 11px sans-serif; margin-right: .5em; }
.tk .hl { border-radius: 3px; padding: 1px 0; }
.tk .fnref { font-size: 75%; vertical-align: super; text-decoration: none; }
.tk .legend span { margin-right: .6em; padding: 1px 4px; font: 12px sans-serif; }
.tk .footnotes { font-size: 90%; border-top: 1px solid #d1d5db; }
.tk h1, .tk h2, .tk h3 { font-family: sans-serif; }
""" + "".join(f".tk .c{i} {{ background: {color}; }}\n" for i, color in enumerate(LABEL_COLORS)) + "".join(
    f".tk .s{i} {{ {style} }}\n" for i, style in enumerate(LINE_STYLES))


def _text(value: object) -> str:
    """``value`` as element content: every character that could start markup escaped.

    >>> _text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return escape(str(value), quote=True)


def _attrs(attrs: Mapping[str, object | None]) -> str:
    """Attributes (names are the code's own; ``None`` leaves one out), every value escaped."""
    return "".join(f' {name}="{escape(str(value), quote=True)}"' for name, value in attrs.items()
                   if value is not None)


def _element(tag: str, inner: str = "", attrs: Mapping[str, object | None] | None = None) -> str:
    """``<tag attrs>inner</tag>``; ``inner`` is markup built here (by ``_element`` or ``_text``).

    >>> _element("a", _text("x<y"), {"href": _fragment('" onclick="alert(1)'), "title": None})
    '<a href="#&quot; onclick=&quot;alert(1)">x&lt;y</a>'
    """
    return f"<{tag}{_attrs(attrs or {})}>{inner}</{tag}>"


def _fragment(target: str) -> str:
    """A link within the page to the element with id ``target`` (escaped with the other attributes)."""
    return "#" + target


@dataclass(frozen=True, slots=True)
class HTML:
    """An HTML fragment that Jupyter displays rendered (``_repr_html_``).

    ``html`` is markup built by this module; never wrap data in it directly.
    """

    html: str

    def _repr_html_(self) -> str:
        return _element("style", CSS) + _element("div", self.html, {"class": "tk"})

    def __str__(self) -> str:
        return self.html


class Styles:
    """The class of every span, from the schema: ``hl cN`` (a label's colour) or ``sN`` (a layer's line)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._colours: dict[tuple[str, str], str] = {}
        self._lines: dict[str, str] = {}
        for name, layer in schema.layers.items():
            if layer.link is not None:
                for i, label in enumerate(layer.labels):
                    self._colours[(name, label)] = f"hl c{i % len(LABEL_COLORS)}"
            else:
                self._lines[name] = f"s{len(self._lines) % len(LINE_STYLES)}"

    def of(self, a: Annotation) -> str:
        """The class of a span (a label the schema does not declare: the neutral ``hl``)."""
        return self._lines.get(a.layer) or self._colours.get((a.layer, a.label), "hl")

    def of_label(self, layer: str, label: str) -> str:
        return self._colours.get((layer, label), "hl")

    def legend(self) -> str:
        """The key of every layer's styles."""
        items = []
        for name, layer in self.schema.layers.items():
            if name in self._lines:
                items.append(_element("span", _text(name), {"class": self._lines[name]}))
            else:
                items.extend(_element("span", _text(label), {"class": self._colours[(name, label)]})
                             for label in layer.labels)
        return _element("div", "".join(items) + _element("span", "[n] footnote"), {"class": "legend"})


def _title(a: Annotation, registry: Mapping[str, RegistryEntity], schema: Schema) -> str:
    """The hover text of a span: its label and attributes, registry ids with their names (plain text)."""
    spec = schema.layers.get(a.layer)
    parts = []
    for name, value in a.attrs.items():
        kind = spec.attributes[name].type if spec is not None and name in spec.attributes else "string"
        values = value if isinstance(value, list) else [value]
        if kind in ("registry_id", "registry_ids", "holder"):
            values = [registry[v].name if isinstance(v, str) and v in registry else v for v in values]
        parts.append(f"{name}: {', '.join(map(str, values)) or '-'}")
    return f"{a.label} ({'; '.join(parts)})" if parts else a.label


def render_block(block: Block, annotations: Iterable[Annotation], links: Iterable[FootnoteLink],
                 registry: Mapping[str, RegistryEntity], styles: Styles, *, anchors: bool = True) -> str:
    """The block's text as HTML, every annotation highlighted, markers linked to their footnotes.

    >>> from toolkit.layout import Layout
    >>> styles = Styles(Layout.open().schema)
    >>> b = Block("d.p1.para1", "d", "paragraph", 1, None, "Iraq & Iran[1]", 0, 14)
    >>> a = Annotation("entities", "e-1", b.id, 0, 4, "Iraq", "GPE", {"entity": "iraq", "mention": "NAM"})
    >>> render_block(b, [a], [], {}, styles, anchors=False)
    '<span class="hl c2" title="GPE (entity: iraq; mention: NAM)">Iraq</span> &amp; Iran[1]'

    A label the schema does not declare gets the neutral class, whatever it holds:

    >>> odd = Annotation("entities", "e-2", b.id, 5, 6, "&", 'X" onmouseover="alert(1)', {"entity": "and"})
    >>> render_block(b, [odd], [], {}, styles, anchors=False)[:40]
    'Iraq <span class="hl" title="X&quot; onm'
    """
    annotations = list(annotations)
    refs = {link.start: link for link in links if link.paragraph == block.id}
    cuts = {0, len(block.text)}
    for a in annotations:
        cuts |= {a.start, a.end}
    for start, link in refs.items():
        cuts |= {start, link.end}
    points = sorted(cuts)
    starts: dict[int, list[Annotation]] = defaultdict(list)
    for a in annotations:
        starts[a.start].append(a)
    out: list[str] = []
    for left, right in pairwise(points):
        if anchors:
            out.extend(_element("a", "", {"id": a.id}) for a in starts.get(left, ()))
        piece = _text(block.text[left:right])
        ref = refs.get(left)
        if ref is not None and ref.footnote:
            piece = _element("a", piece, {
                "class": "fnref", "href": _fragment(ref.footnote),
                "id": f"ref-{block.id}-{left}" if anchors else None, "title": ref.footnote_text or ""})
        for a in sorted((a for a in annotations if a.start <= left and right <= a.end),
                        key=lambda a: (a.end - a.start)):
            piece = _element("span", piece, {"class": styles.of(a), "title": _title(a, registry, styles.schema)})
        out.append(piece)
    return "".join(out)


def render_blocks(selection: Iterable[tuple[AnnotatedBlock, Iterable[Annotation]]],
                  registry: Mapping[str, RegistryEntity], schema: Schema) -> HTML:
    """Blocks with the annotations to highlight in each, headed by their ids: the notebook view.

    Without anchors, so that a block can be shown twice in one notebook.
    """
    styles = Styles(schema)
    return HTML("".join(
        _element("p", _element("span", _text(item.block.id), {"class": "kind"})
                 + render_block(item.block, annotations, item.links, registry, styles, anchors=False))
        for item, annotations in selection))


def render_page(title: str, items: Iterable[AnnotatedBlock], registry: Mapping[str, RegistryEntity],
                schema: Schema) -> str:
    """The whole corpus as one self-contained HTML page."""
    styles = Styles(schema)
    items = list(items)
    backrefs: dict[str, list[FootnoteLink]] = defaultdict(list)
    for item in items:
        for link in item.links:
            if link.footnote:
                backrefs[link.footnote].append(link)
    body = [_element("h1", _text(title)), styles.legend()]
    for item in items:
        block = item.block
        annotations = [a for in_layer in item.layers.values() for a in in_layer]
        html = render_block(block, annotations, item.links, registry, styles)
        if block.kind == "footnote":
            back = " ".join(_element("a", "↩", {"href": _fragment(f"ref-{link.paragraph}-{link.start}"),
                                                "title": "back to the text"})
                            for link in backrefs.get(block.id, ()))
            body.append(_element("p", f"{html} {back}", {"class": "footnotes", "id": block.id}))
        elif block.kind in ("title", "heading"):
            body.append(_element("h2" if block.kind == "title" else "h3", html, {"id": block.id}))
        else:
            body.append(_element("p", _element("span", _text(block.kind), {"class": "kind"}) + html,
                                 {"id": block.id}))
    body.append(_entity_index(items, registry, styles))
    head = '<meta charset="utf-8">' + _element("title", _text(title)) + _element("style", CSS)
    page = _element("head", head) + _element("body", _element("div", "".join(body), {"class": "tk"}))
    return "<!DOCTYPE html>" + _element("html", page, {"lang": "en"}) + "\n"


def _entity_index(items: list[AnnotatedBlock], registry: Mapping[str, RegistryEntity], styles: Styles) -> str:
    """Every registry entity with links to its mentions (spans of the layers that link to the registry)."""
    links = {name: layer.link for name, layer in styles.schema.layers.items() if layer.link}
    mentions: dict[str, list[Annotation]] = defaultdict(list)
    for item in items:
        for name, link in links.items():
            for a in item.layers.get(name, ()):
                key = a.attrs.get(link)
                if isinstance(key, str):
                    mentions[key].append(a)
    first = next(iter(links), None)
    rows = []
    for entity in sorted(registry.values(), key=lambda e: (e.label, e.name)):
        anchors = ", ".join(_element("a", _text(a.paragraph), {"href": _fragment(a.id)}) for a in mentions[entity.id])
        label_class = styles.of_label(first, entity.label) if first is not None else "hl"
        rows.append(_element("li", (
            _element("span", _text(entity.name), {"class": label_class})
            + " " + _element("small", f"{_text(entity.label)} · {_text(entity.description)}") + "<br>" + anchors)))
    return _element("h2", "Index of entities", {"id": "index"}) + _element("ul", "".join(rows))
