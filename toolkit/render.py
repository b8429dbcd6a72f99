"""HTML views of annotated blocks: in a notebook (``corpus.show``) and as one page (``toolkit render``).

Every layer is drawn at once, overlaps included: a block's text is cut at
every span boundary, and each piece carries the classes of the spans that
cover it. The page needs no network access.

Data may hold anything, so markup is safe by construction: every element is
built by :func:`_element`, which escapes attribute values (quotes included);
text goes through :func:`_text`; class names come from fixed tables
(:data:`ENTITY_CLASSES`, :data:`LAYER_CLASSES`), never from data; and every
link is a fragment of the page (``#id``). No f-string here puts a data value
into markup by itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

from .footnotes import FootnoteLink
from .models import Annotation, Block, RegistryEntity

COLORS = {
    "PERSON": "#fde68a", "ORG": "#bfdbfe", "GPE": "#bbf7d0", "LOC": "#a7f3d0", "NORP": "#fbcfe8",
    "EVENT": "#fed7aa", "WORK_OF_ART": "#ddd6fe", "LANGUAGE": "#e5e7eb", "IDEOLOGY": "#fecaca",
}
# The class of an entity by its label; a label not listed here gets the neutral class.
ENTITY_CLASSES = {label: f"ent {label}" for label in COLORS}
NEUTRAL_ENTITY = "ent"
# The class of a span by its layer (entities by label, above); an undeclared layer gets none.
LAYER_CLASSES = {"dates": "date", "claims": "claim"}
CSS = """
.tk { font-family: Georgia, serif; line-height: 1.9; max-width: 52em; }
.tk p { margin: 0.4em 0; } .tk .kind { color: #6b7280; font: 11px sans-serif; margin-right: .5em; }
.tk .ent { border-radius: 3px; padding: 1px 0; } .tk .date { border-bottom: 3px double #0f766e; }
.tk .claim { text-decoration: underline 2px #9333ea; text-underline-offset: 4px; }
.tk .fnref { font-size: 75%; vertical-align: super; text-decoration: none; }
.tk .legend span { margin-right: .6em; padding: 1px 4px; font: 12px sans-serif; }
.tk .footnotes { font-size: 90%; border-top: 1px solid #d1d5db; }
.tk h1, .tk h2, .tk h3 { font-family: sans-serif; }
""" + "".join(f".tk .ent.{label} {{ background: {color}; }}\n" for label, color in COLORS.items())


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


def _title(a: Annotation, registry: dict[str, RegistryEntity]) -> str:
    """The hover text of a span (plain text: the caller escapes it)."""
    attrs = a.attrs
    if a.layer == "entities":
        key = attrs.get("entity")
        entity = registry.get(key) if isinstance(key, str) else None
        return f"{a.label} {attrs.get('mention', '')}: {entity.name if entity else key}"
    if a.layer == "dates":
        mod = f" {attrs['mod']}" if attrs.get("mod") else ""
        return f"{a.label} {attrs.get('value')}{mod}"
    about = attrs.get("about") or ()
    about_text = ", ".join(map(str, about)) if isinstance(about, (list, tuple)) else str(about)
    return f"CLAIM {attrs.get('type')} (holder: {attrs.get('holder')}; about: {about_text or '-'})"


def _classes(a: Annotation) -> str | None:
    if a.layer == "entities":
        return ENTITY_CLASSES.get(a.label, NEUTRAL_ENTITY)
    return LAYER_CLASSES.get(a.layer)


def render_block(block: Block, annotations: Iterable[Annotation], links: Iterable[FootnoteLink],
                 registry: dict[str, RegistryEntity], *, anchors: bool = True) -> str:
    """The block's text as HTML, every annotation highlighted, markers linked to their footnotes.

    >>> b = Block("d.p1.para1", "d", "paragraph", 1, None, "Iraq & Iran[1]", 0, 14)
    >>> a = Annotation("entities", "e-1", b.id, 0, 4, "Iraq", "GPE", {"entity": "iraq", "mention": "NAM"})
    >>> render_block(b, [a], [], {}, anchors=False)
    '<span class="ent GPE" title="GPE NAM: iraq">Iraq</span> &amp; Iran[1]'

    A label with no colour of its own gets the neutral class, whatever it holds:

    >>> odd = Annotation("entities", "e-2", b.id, 5, 6, "&", 'X" onmouseover="alert(1)', {"entity": "and"})
    >>> render_block(b, [odd], [], {}, anchors=False)[:40]
    'Iraq <span class="ent" title="X&quot; on'
    """
    annotations = list(annotations)
    refs = {link.start: link for link in links if link.start is not None and link.paragraph == block.id}
    cuts = {0, len(block.text)}
    for a in annotations:
        cuts |= {a.start, a.end}
    for start, link in refs.items():
        cuts |= {start, link.end or start}
    points = sorted(cuts)
    starts: dict[int, list[Annotation]] = defaultdict(list)
    for a in annotations:
        starts[a.start].append(a)
    out: list[str] = []
    for left, right in zip(points, points[1:], strict=False):
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
            piece = _element("span", piece, {"class": _classes(a), "title": _title(a, registry)})
        out.append(piece)
    return "".join(out)


def render_blocks(selection: Iterable[tuple[Block, Iterable[Annotation]]], links: Iterable[FootnoteLink],
                  registry: dict[str, RegistryEntity]) -> HTML:
    """Blocks with the annotations to highlight in each, headed by their ids: the notebook view.

    Without anchors, so that a block can be shown twice in one notebook.
    """
    links = list(links)
    return HTML("".join(
        _element("p", _element("span", _text(block.id), {"class": "kind"})
                 + render_block(block, annotations, links, registry, anchors=False))
        for block, annotations in selection))


def legend() -> str:
    """The colour key of the layers."""
    labels = "".join(_element("span", _text(label), {"class": ENTITY_CLASSES[label]}) for label in COLORS)
    return _element("div", labels + _element("span", "date (TIMEX3)", {"class": LAYER_CLASSES["dates"]})
                    + _element("span", "claim", {"class": LAYER_CLASSES["claims"]})
                    + _element("span", "[n] footnote"), {"class": "legend"})


def render_page(title: str, blocks: Iterable[Block], by_block: dict[str, list[Annotation]],
                links: list[FootnoteLink], registry: dict[str, RegistryEntity]) -> str:
    """The whole corpus as one self-contained HTML page."""
    by_paragraph: dict[str, list[FootnoteLink]] = defaultdict(list)
    backrefs: dict[str, list[FootnoteLink]] = defaultdict(list)
    for link in links:
        if link.paragraph is not None:
            by_paragraph[link.paragraph].append(link)
            if link.footnote:
                backrefs[link.footnote].append(link)
    body = [_element("h1", _text(title)), legend()]
    for block in blocks:
        html = render_block(block, by_block.get(block.id, ()), by_paragraph.get(block.id, ()), registry)
        if block.kind == "footnote":
            back = " ".join(_element("a", "↩", {"href": _fragment(f"ref-{l.paragraph or ''}-{l.start}"),
                                                "title": "back to the text"})
                            for l in backrefs.get(block.id, ()))
            body.append(_element("p", f"{html} {back}", {"class": "footnotes", "id": block.id}))
        elif block.kind in ("title", "heading"):
            body.append(_element("h2" if block.kind == "title" else "h3", html, {"id": block.id}))
        else:
            body.append(_element("p", _element("span", _text(block.kind), {"class": "kind"}) + html,
                                 {"id": block.id}))
    body.append(_entity_index(by_block, registry))
    head = '<meta charset="utf-8">' + _element("title", _text(title)) + _element("style", CSS)
    page = _element("head", head) + _element("body", _element("div", "".join(body), {"class": "tk"}))
    return "<!DOCTYPE html>" + _element("html", page, {"lang": "en"}) + "\n"


def _entity_index(by_block: dict[str, list[Annotation]], registry: dict[str, RegistryEntity]) -> str:
    mentions: dict[str, list[Annotation]] = defaultdict(list)
    for in_block in by_block.values():
        for a in in_block:
            key = a.attrs.get("entity")
            if a.layer == "entities" and isinstance(key, str):
                mentions[key].append(a)
    rows = []
    for entity in sorted(registry.values(), key=lambda e: (e.label, e.name)):
        links = ", ".join(_element("a", _text(a.paragraph), {"href": _fragment(a.id)}) for a in mentions[entity.id])
        rows.append(_element("li", (
            _element("span", _text(entity.name), {"class": ENTITY_CLASSES.get(entity.label, NEUTRAL_ENTITY)})
            + " " + _element("small", f"{_text(entity.label)} · {_text(entity.description)}") + "<br>" + links)))
    return _element("h2", "Index of entities", {"id": "index"}) + _element("ul", "".join(rows))
