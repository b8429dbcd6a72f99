"""HTML views of annotated blocks: in a notebook (``corpus.show``) and as one page (``toolkit render``).

Every layer is drawn at once, overlaps included: a block's text is cut at
every span boundary, and each piece carries the classes of the spans that
cover it. All text is escaped; the page needs no network access.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from .footnotes import FootnoteLink
from .models import Annotation, Block, RegistryEntity

COLORS = {
    "PERSON": "#fde68a", "ORG": "#bfdbfe", "GPE": "#bbf7d0", "LOC": "#a7f3d0", "NORP": "#fbcfe8",
    "EVENT": "#fed7aa", "WORK_OF_ART": "#ddd6fe", "LANGUAGE": "#e5e7eb", "IDEOLOGY": "#fecaca",
}
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


@dataclass(frozen=True, slots=True)
class HTML:
    """An HTML fragment that Jupyter displays rendered (``_repr_html_``)."""

    html: str

    def _repr_html_(self) -> str:
        return f"<style>{CSS}</style><div class='tk'>{self.html}</div>"

    def __str__(self) -> str:
        return self.html


def _title(a: Annotation, registry: dict[str, RegistryEntity]) -> str:
    if a.layer == "entities":
        entity = registry.get(a.attrs.get("entity", ""))
        return f"{a.label} {a.attrs.get('mention', '')}: {entity.name if entity else a.attrs.get('entity')}"
    if a.layer == "dates":
        mod = f" {a.attrs['mod']}" if a.attrs.get("mod") else ""
        return f"{a.label} {a.attrs.get('value')}{mod}"
    about = ", ".join(a.attrs.get("about") or ())
    return f"CLAIM {a.attrs.get('type')} (holder: {a.attrs.get('holder')}; about: {about or '-'})"


def _classes(a: Annotation) -> str:
    return {"entities": f"ent {a.label}", "dates": "date", "claims": "claim"}.get(a.layer, a.layer)


def render_block(block: Block, annotations: Iterable[Annotation], links: Iterable[FootnoteLink],
                 registry: dict[str, RegistryEntity], *, anchors: bool = True) -> str:
    """The block's text as HTML, every annotation highlighted, markers linked to their footnotes.

    >>> b = Block("d.p1.para1", "d", "paragraph", 1, None, "Iraq & Iran[1]", 0, 14)
    >>> a = Annotation("entities", "e-1", b.id, 0, 4, "Iraq", "GPE", {"entity": "iraq", "mention": "NAM"})
    >>> render_block(b, [a], [], {}, anchors=False)
    '<span class="ent GPE" title="GPE NAM: iraq">Iraq</span> &amp; Iran[1]'
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
            out.extend(f'<a id="{escape(a.id)}"></a>' for a in starts.get(left, ()))
        piece = escape(block.text[left:right])
        ref = refs.get(left)
        if ref is not None and ref.footnote:
            back = f' id="ref-{escape(block.id)}-{left}"' if anchors else ""
            piece = (f'<a class="fnref" href="#{escape(ref.footnote)}"{back} '
                     f'title="{escape(ref.footnote_text or "")}">{piece}</a>')
        for a in sorted((a for a in annotations if a.start <= left and right <= a.end),
                        key=lambda a: (a.end - a.start)):
            piece = f'<span class="{_classes(a)}" title="{escape(_title(a, registry))}">{piece}</span>'
        out.append(piece)
    return "".join(out)


def legend() -> str:
    """The colour key of the layers."""
    labels = "".join(f'<span class="ent {label}">{label}</span>' for label in COLORS)
    return (f'<div class="legend">{labels}<span class="date">date (TIMEX3)</span>'
            f'<span class="claim">claim</span><span>[n] footnote</span></div>')


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
    body = [f"<h1>{escape(title)}</h1>", legend()]
    for block in blocks:
        html = render_block(block, by_block.get(block.id, ()), by_paragraph.get(block.id, ()), registry)
        if block.kind == "footnote":
            back = " ".join(f'<a href="#ref-{escape(l.paragraph or "")}-{l.start}" title="back to the text">↩</a>'
                            for l in backrefs.get(block.id, ()))
            body.append(f'<p class="footnotes" id="{escape(block.id)}">{html} {back}</p>')
        elif block.kind in ("title", "heading"):
            level = "h2" if block.kind == "title" else "h3"
            body.append(f'<{level} id="{escape(block.id)}">{html}</{level}>')
        else:
            body.append(f'<p id="{escape(block.id)}"><span class="kind">{escape(block.kind)}</span>{html}</p>')
    body.append(_entity_index(by_block, registry))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body><div class='tk'>{''.join(body)}</div></body></html>\n")


def _entity_index(by_block: dict[str, list[Annotation]], registry: dict[str, RegistryEntity]) -> str:
    mentions: dict[str, list[Annotation]] = defaultdict(list)
    for in_block in by_block.values():
        for a in in_block:
            if a.layer == "entities":
                mentions[a.attrs.get("entity", "")].append(a)
    rows = []
    for entity in sorted(registry.values(), key=lambda e: (e.label, e.name)):
        links = ", ".join(f'<a href="#{escape(a.id)}">{escape(a.paragraph)}</a>' for a in mentions[entity.id])
        rows.append(f'<li><span class="ent {escape(entity.label)}">{escape(entity.name)}</span> '
                    f'<small>{escape(entity.label)} · {escape(entity.description)}</small><br>{links}</li>')
    return f"<h2 id='index'>Index of entities</h2><ul>{''.join(rows)}</ul>"
