"""The notebook view (``corpus.show``): chosen blocks, their footnotes under them, and a key.

It shares the page's escaping, spans and themes (light and dark follow the
notebook's theme). A notebook may show the same block twice, so its ids are
scoped to the view (a digest of what it shows) and its markers link nowhere:
the footnotes they point to are printed under the block.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..join import AnnotatedBlock
from ..models import Annotation, RegistryEntity
from ..schema import Schema
from .markup import element, text
from .spans import Anchors, annotated_text, legend, notes
from .theme import Styles, stylesheet


@dataclass(frozen=True, slots=True)
class HTML:
    """An HTML fragment that Jupyter displays rendered (``_repr_html_``), with its stylesheet.

    ``html`` is markup built by :mod:`toolkit.edition`; never wrap data in it directly.
    """

    html: str

    def _repr_html_(self) -> str:
        return element("style", stylesheet()) + element("div", self.html, {"class": "tk"})

    def __str__(self) -> str:
        return self.html


def render_blocks(selection: Iterable[tuple[AnnotatedBlock, Iterable[Annotation]]],
                  registry: Mapping[str, RegistryEntity], schema: Schema) -> HTML:
    """Blocks with the annotations to highlight in each, the bodies of their footnotes, and a key."""
    styles = Styles(schema)
    chosen = [(item, list(spans)) for item, spans in selection]
    digest = hashlib.blake2s(digest_size=5)
    for item, spans in chosen:
        digest.update("\0".join([item.block.id, *(a.id for a in spans)]).encode("utf-8", "surrogatepass"))
    out = []
    for n, (item, spans) in enumerate(chosen):
        anchors = Anchors(scope=f"tk-{digest.hexdigest()}-{n}")
        block = item.block
        html = annotated_text(block, spans, item.links, registry, styles, anchors)
        bodies = "".join(element("li", text(f"[{link.number}] {link.footnote_text}")) for link in item.links
                         if link.footnote and link.footnote_text is not None)
        footnotes = element("ol", bodies, {"class": "footnotes", "aria-label": "Footnotes"}) if bodies else ""
        out.append(element("div", element("div", text(block.id), {"class": "block-id"})
                           + element("p", html, {"class": "block", "data-kind": block.kind})
                           + footnotes + notes(spans, block.id, registry, styles, anchors), {"class": "shown"}))
    shown = [a for _, spans in chosen for a in spans]
    markers = any(link.footnote for item, _ in chosen for link in item.links)
    return HTML("".join(out) + legend(shown, styles, markers=markers))
