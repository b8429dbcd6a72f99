"""HTML output is safe whatever the data holds: escaping by construction in ``toolkit.render``.

Two halves. Hostile values written into a copy of the shipped data go through
the real loaders, ``toolkit render`` and ``Corpus.show``: each case must give
safe HTML or be refused (exit 2, ToolkitError). Refusal can hide an escaping
bug, so the render functions are also fed hostile records built in memory,
past every input check, and must give safe HTML with the value still shown.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import ToolkitError, load_corpus
from toolkit.checks import Checks
from toolkit.cli import main
from toolkit.corpus import Corpus
from toolkit.edition import HTML, render_page
from toolkit.edition.page import CSP as POLICY
from toolkit.edition.spans import Anchors, annotated_text, legend
from toolkit.edition.theme import FILLS, LINE_CHANNELS, LINES, Styles, stylesheet
from toolkit.footnotes import links_by_block
from toolkit.join import AnnotatedBlock
from toolkit.layout import Layout
from toolkit.models import Annotation, Block, RegistryEntity

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "autofocus": "' autofocus onfocus='alert(1)",
    "javascript": "javascript:alert(1)",
    "style": "</style><script>alert(1)</script>",
}

# What the page legitimately uses; anything else in the output came from data.
ELEMENTS = {"html", "head", "meta", "title", "style", "body", "header", "nav", "main", "article", "section",
            "figure", "figcaption", "dl", "dt", "dd", "details", "summary", "div", "h1", "h2", "h3", "p", "span", "a",
            "ul", "ol", "li"}
ATTRIBUTES = {"lang", "charset", "name", "content", "http-equiv", "id", "class", "href", "role", "tabindex",
              "aria-describedby", "aria-label", "aria-labelledby", "data-tip", "data-kind", "data-n"}
CLASSES = {"tk", "top", "toc", "index", "where", "muted", "legend", "block", "notes", "footnotes", "items", "fnref",
           "back", "shown", "block-id", "ann", "chip", "fill", "goes-on", "goes-on-from",
           *(f"c{i}" for i in range(len(FILLS["light"]))),
           *(f"k{i}" for i in range(len(LINES["light"]))), *(f"line{i}" for i in range(len(LINE_CHANNELS)))}
STYLESHEETS = {stylesheet(), stylesheet(page=True)}
CSP = "Content-Security-Policy"
SCHEMA = Layout.open().schema
STYLES = Styles(SCHEMA)


class SafetyCheck(HTMLParser):
    """Parses HTML, collecting every way it could run script or restyle the page, and the text it shows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.shown: list[str] = []  # text content and attribute values, unescaped
        self._style: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ELEMENTS:
            self.problems.append(f"element <{tag}>")
        if tag == "style":
            self._style = []
        if tag == "meta" and dict(attrs).get("http-equiv", CSP) != CSP:  # only the page's own policy
            self.problems.append(f"meta {attrs!r}")
        for name, value in attrs:
            if name.startswith("on") or name not in ATTRIBUTES:
                self.problems.append(f"attribute {name}={value!r} on <{tag}>")
            if name == "href" and not (value or "").startswith("#"):
                self.problems.append(f"href {value!r}")
            if name == "class" and not set((value or "").split()) <= CLASSES:
                self.problems.append(f"class {value!r}")
            self.shown.append(value or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._style is not None:
            if "".join(self._style) not in STYLESHEETS:
                self.problems.append(f"style {''.join(self._style)[:80]!r}")
            self._style = None

    def handle_data(self, data: str) -> None:
        if self._style is not None:
            self._style.append(data)
        else:
            self.shown.append(data)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        if decl != "DOCTYPE html":
            self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data!r}")


def check(html: str) -> SafetyCheck:
    """The parsed HTML; fails the test if it holds anything unsafe."""
    parsed = SafetyCheck()
    parsed.feed(html)
    parsed.close()
    assert not parsed.problems, parsed.problems
    assert parsed._style is None, "unclosed <style>"
    return parsed


def shows(parsed: SafetyCheck, value: str) -> bool:
    return any(value in s for s in parsed.shown)


@pytest.mark.parametrize("html", [
    "<p><script>alert(1)</script></p>", '<p title=""><img src=x onerror=alert(1)>"></p>',
    "<p title='' autofocus onfocus='alert(1)'></p>", '<a href="javascript:alert(1)">x</a>',
    "<style></style><script>alert(1)</script></style>", '<span class="ent x">x</span>',
    f"<style>{stylesheet()}</style><style>p {{}}</style>", "<!-- x -->", '<meta http-equiv="refresh">',
])
def test_the_check_catches_unsafe_html(html: str) -> None:
    parsed = SafetyCheck()
    parsed.feed(html)
    parsed.close()
    assert parsed.problems


# --- hostile values in a copy of the shipped data, through the loaders, the CLI and Corpus.show ---

SHOWN = ["pwc.front.title1", "pwc.p1.h2", "pwc.p1.para7", "pwc.p1.fn6", "pwc.p2.h4", "pwc.p2.para17"]
ENTITY = "hekmatist-wcp-iran"  # mentioned in pwc.p1.fn6 and claimed about in pwc.p1.para7
# Blocks with no annotation, marker or artefact in their first 40 characters: their text can be
# overwritten, in the block and in the verbatim source alike, and the data stays coherent.
FREE = ["pwc.p2.h4", "pwc.p2.para17"]


@dataclass
class Data:
    """The records of a writable data copy, to change and save back."""

    corpus: Path
    annotations: Path
    blocks: list[dict[str, Any]]
    document: dict[str, Any]
    registry: list[dict[str, Any]]
    layers: dict[str, list[dict[str, Any]]]
    source: str
    shown: list[str] = field(default_factory=lambda: list(SHOWN))

    @classmethod
    def load(cls, corpus: Path, annotations: Path) -> Data:
        document = json.loads((corpus / "pwc" / "document.json").read_text(encoding="utf-8"))
        return cls(corpus, annotations, _read(corpus / "pwc" / "blocks.jsonl"), document,
                   _read(annotations / "registry.jsonl"),
                   {layer: _read(annotations / f"{layer}.jsonl") for layer in SCHEMA.layers},
                   (corpus / "pwc" / document["source"]).read_bytes().decode("utf-8"))

    def save(self) -> None:
        source = self.source.encode("utf-8")
        if hashlib.sha256(source).hexdigest() != self.document["sha256"]:
            (self.corpus / "pwc" / self.document["source"]).write_bytes(source)
            self.document["sha256"] = hashlib.sha256(source).hexdigest()
        _write(self.corpus / "pwc" / "blocks.jsonl", self.blocks)
        (self.corpus / "pwc" / "document.json").write_text(json.dumps(self.document), encoding="utf-8")
        _write(self.annotations / "registry.jsonl", self.registry)
        for layer, records in self.layers.items():
            _write(self.annotations / f"{layer}.jsonl", records)

    def block(self, block_id: str) -> dict[str, Any]:
        return next(b for b in self.blocks if b["id"] == block_id)

    def last(self, layer: str) -> dict[str, Any]:
        """The last annotation of ``layer`` in pwc.p1.para7 (moving it to the end keeps reading order)."""
        return [a for a in self.layers[layer] if a["paragraph"] == "pwc.p1.para7"][-1]

    def lasts(self) -> list[dict[str, Any]]:
        return [self.last(layer) for layer in SCHEMA.layers]

    def entity(self) -> dict[str, Any]:
        return next(e for e in self.registry if e["id"] == ENTITY)

    def rename_block(self, old: str, new: str) -> None:
        self.block(old)["id"] = new
        for records in self.layers.values():
            for a in records:
                if a["paragraph"] == old:
                    a["paragraph"] = new
        for e in self.registry:
            e["footnotes"] = [new if f == old else f for f in e["footnotes"]]
        for d in (*self.document["dates"], *self.document["artefacts"]):
            if d["block"] == old:
                d["block"] = new
        self.shown = [new if b == old else b for b in self.shown]

    def rename_entity(self, old: str, new: str) -> None:
        self.entity()["id"] = new
        for a in self.layers["entities"]:
            if a["entity"] == old:
                a["entity"] = new
        for a in self.layers["claims"]:
            a["about"] = [new if x == old else x for x in a["about"]]
            a["holder"] = [new if x == old else x for x in a["holder"]]

    def overwrite_text(self, block_id: str, payload: str) -> None:
        """Put ``payload`` over the start of a block's text, in the block and the source (lengths kept)."""
        block = self.block(block_id)
        assert len(payload) <= 40 and block_id in FREE
        block["text"] = payload + block["text"][len(payload):]
        at = block["source_start"]
        self.source = self.source[:at] + payload + self.source[at + len(payload):]

    def insert(self, layer: str, record: dict[str, Any]) -> None:
        """Add an annotation to a layer file where reading order puts it (no block of FREE has any)."""
        order = {b["id"]: i for i, b in enumerate(self.blocks)}
        records = self.layers[layer]
        records.insert(sum(order[a["paragraph"]] <= order[record["paragraph"]] for a in records), record)


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _block_ids(d: Data, p: str) -> None:
    d.rename_block("pwc.p1.para7", p)
    d.rename_block("pwc.p1.fn6", p + " fn")
    d.rename_block("pwc.p1.h2", p + " h")
    d.rename_block("pwc.front.title1", p + " title")


def _block_texts(d: Data, p: str) -> None:
    for block_id in FREE:
        d.overwrite_text(block_id, p)


def _annotation_texts(d: Data, p: str) -> None:
    """Valid annotations of every layer whose text is ``p``."""
    d.overwrite_text("pwc.p2.para17", p)
    span = {"paragraph": "pwc.p2.para17", "start": 0, "end": len(p), "text": p}
    d.insert("entities", {"id": "e-9001", **span, "label": "ORG", "entity": "wcp-iraq", "mention": "NAM"})
    d.insert("dates", {"id": "d-9001", **span, "label": "DATE", "value": "2013", "mod": None})
    d.insert("claims", {"id": "c-9001", **span, "label": "CLAIM", "type": "fact", "holder": ["author"],
                        "about": ["wcp-iraq"]})


def _set_blocks(name: str) -> Callable[[Data, str], None]:
    def change(d: Data, p: str) -> None:
        for block_id in ("pwc.p1.para7", "pwc.p1.fn6"):
            d.block(block_id)[name] = p
    return change


def _set_document(name: str) -> Callable[[Data, str], None]:
    return lambda d, p: d.document.__setitem__(name, p)


def _set_entity(name: str, as_list: bool = False) -> Callable[[Data, str], None]:
    return lambda d, p: d.entity().__setitem__(name, [p] if as_list else p)


def _set_annotations(name: str, layer: str | None = None, as_list: bool = False) -> Callable[[Data, str], None]:
    def change(d: Data, p: str) -> None:
        for i, a in enumerate(d.lasts() if layer is None else [d.last(layer)]):
            a[name] = [p] if as_list else p + (f" {i}" if name == "id" else "")  # ids stay unique
    return change


CHANGES: dict[str, Callable[[Data, str], None]] = {
    "block.id": _block_ids,
    "block.doc": _set_blocks("doc"),
    "block.kind": _set_blocks("kind"),
    "block.section": _set_blocks("section"),
    "block.text": _block_texts,
    "document.title": _set_document("title"),
    "document.author": _set_document("author"),
    "registry.id": lambda d, p: d.rename_entity(ENTITY, p),
    "registry.label": _set_entity("label"),
    "registry.name": _set_entity("name"),
    "registry.aliases": _set_entity("aliases", as_list=True),
    "registry.description": _set_entity("description"),
    "registry.footnotes": _set_entity("footnotes", as_list=True),
    "annotation.id": _set_annotations("id"),
    "annotation.text": _annotation_texts,
    "annotation.label": _set_annotations("label"),
    "annotation.note": _set_annotations("note"),
    "annotation.annotator": _set_annotations("annotator"),
    "entities.entity": _set_annotations("entity", "entities"),
    "entities.mention": _set_annotations("mention", "entities"),
    "dates.value": _set_annotations("value", "dates"),
    "dates.mod": _set_annotations("mod", "dates"),
    "claims.type": _set_annotations("type", "claims"),
    "claims.holder": _set_annotations("holder", "claims", as_list=True),
    "claims.about": _set_annotations("about", "claims", as_list=True),
}
# Fields whose value the page / the notebook view shows (as text or in an attribute) when accepted:
# escaped, never dropped.
IN_PAGE = {"block.id", "block.kind", "block.text", "document.title", "registry.label", "registry.name",
           "registry.description", "annotation.id", "annotation.text", "annotation.label", "entities.entity",
           "entities.mention", "dates.value", "dates.mod", "claims.type", "claims.holder", "claims.about"}
IN_SHOW = IN_PAGE - {"block.kind", "document.title", "registry.label", "registry.description", "annotation.id"}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("name", CHANGES)
def test_hostile_data_renders_safely_or_is_refused(name: str, payload: str, data_copy: tuple[Path, Path],
                                                   tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus_dir, annotations_dir = data_copy
    data = Data.load(corpus_dir, annotations_dir)
    CHANGES[name](data, payload)
    data.save()

    out = tmp_path / "page.html"
    code = main(["render", "--out", str(out), "--corpus", str(corpus_dir), "--annotations", str(annotations_dir)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2:
        assert err.startswith("toolkit: error:") and not out.exists(), err
    else:
        page = check(out.read_text(encoding="utf-8"))
        assert name not in IN_PAGE or shows(page, payload)

    try:
        corpus = load_corpus(corpus_dir=corpus_dir, annotations_dir=annotations_dir)
    except ToolkitError:
        return
    view = check(corpus.show(data.shown)._repr_html_())
    assert name not in IN_SHOW or shows(view, payload)


# --- hostile records built in memory, past every input check: escaping by construction ---

@dataclass
class Hostile:
    blocks: list[Block]
    annotations: list[Annotation]
    registry: dict[str, RegistryEntity]

    def by_block(self) -> dict[str, list[Annotation]]:
        grouped: dict[str, list[Annotation]] = defaultdict(list)
        for a in self.annotations:
            grouped[a.paragraph].append(a)
        return grouped

    def items(self) -> list[AnnotatedBlock]:
        links = links_by_block(self.blocks)
        items = []
        for block in self.blocks:
            layers: dict[str, list[Annotation]] = defaultdict(list)
            for a in self.by_block().get(block.id, ()):
                layers[a.layer].append(a)
            items.append(AnnotatedBlock(block, dict(layers), links.get(block.id, [])))
        return items

    def corpus(self) -> Corpus:
        return Corpus(Layout.open(), Checks(SCHEMA, self.registry), {}, self.items())


def hostile(p: str) -> Hostile:
    """Every string field of every record set to ``p``, around a footnote marker and a known label."""
    text = f"{p} Iraq[1] {p}"
    iraq = text.index("Iraq")
    para = Block(p, p, p, 1, p, text, 0, len(text))
    blocks = [Block(p + "t", p, "title", 1, p, p, 0, len(p)), Block(p + "h", p, "heading", 1, p, p, 0, len(p)),
              para, Block(p + "fn", p, "footnote", 1, p, f"[1] {p}", 0, len(p) + 4, number=1)]
    e = {"annotator": p, "note": p}
    annotations = [
        Annotation("entities", p, p, 0, len(p), p, p, {"entity": p, "mention": p}, **e),
        Annotation("entities", p + "2", p, 1, 4, text[1:4], p, {"entity": "iraq", "mention": p}, **e),  # cuts p
        Annotation("entities", p + "3", p, iraq, iraq + 4, "Iraq", "GPE", {"entity": "iraq", "mention": "NAM"}),
        Annotation("dates", p + "4", p, 0, len(text), text, p, {"value": p, "mod": p}, **e),
        Annotation("claims", p + "5", p, 2, len(text) - 1, text[2:-1], p,
                   {"type": p, "holder": [p], "about": [p, p]}, **e),
        Annotation("claims", p + "6", p, 0, 1, text[:1], p, {"type": p, "holder": p, "about": p}, **e),  # no lists
        Annotation(p, p + "7", p, 0, len(p), p, p, {p: p}, **e),  # a layer nobody declared
        Annotation("entities", p + "8", p + "h", 0, len(p), p, p, {"entity": p, "mention": p}, **e),
    ]
    registry = {
        p: RegistryEntity(p, p, p, (p,), p, (p,)),
        "iraq": RegistryEntity("iraq", "GPE", p, (p,), p, (p + "fn",)),
    }
    return Hostile(blocks, annotations, registry)


PAYLOAD = pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())


@PAYLOAD
@pytest.mark.parametrize("anchors", [Anchors(), Anchors(scope="tk-0")], ids=["page", "notebook"])
def test_annotated_text_escapes_every_field(payload: str, anchors: Anchors) -> None:
    h = hostile(payload)
    links = [link for links in links_by_block(h.blocks).values() for link in links]
    assert any(link.footnote == payload + "fn" for link in links)
    for block in h.blocks:
        html = annotated_text(block, h.by_block().get(block.id, ()), links, h.registry, STYLES, anchors)
        assert shows(check(html), payload)
        assert shows(check(HTML(html)._repr_html_()), payload)


@PAYLOAD
def test_render_page_escapes_every_field(payload: str) -> None:
    h = hostile(payload)
    page = render_page(h.items(), h.registry, SCHEMA, title=payload)
    assert page.startswith("<!DOCTYPE html>")
    assert f'content="{escape(POLICY)}"' in page  # and should anything slip through, the browser runs no script
    parsed = check(page)
    assert shows(parsed, f"#{payload}fn") and shows(parsed, f"_ref-{payload}-")  # fragments, escaped


@PAYLOAD
def test_show_escapes_every_field(payload: str) -> None:
    h = hostile(payload)
    corpus = h.corpus()
    for target in ([b.id for b in h.blocks], h.blocks, h.annotations, payload):
        view = corpus.show(target)
        assert shows(check(view._repr_html_()), payload)
        check(str(view))


@PAYLOAD
def test_legend_is_safe_and_shows_what_occurs(payload: str) -> None:
    h = hostile(payload)
    parsed = check(legend(h.annotations, STYLES, markers=True, anchor="_key"))
    assert shows(parsed, "GPE") and shows(parsed, "entities")
    # undeclared labels and layers, a label never used, a layer whose records all have undeclared labels: absent
    assert not any(shows(parsed, absent) for absent in (payload, "PERSON", "claims"))


@PAYLOAD
def test_classes_come_from_a_fixed_table(payload: str) -> None:
    h = hostile(payload)
    html = annotated_text(h.blocks[2], h.by_block()[payload], [], h.registry, STYLES, Anchors(scope="tk"))
    assert f'<span class="{STYLES.of("entities", "GPE")}"' in html  # a known label keeps its colour
    assert '<span class="ann fill" ' in html  # an unknown label: its layer's look, no colour
    assert '<span class="ann" ' in html  # an unknown layer: no look at all


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_any_text_in_any_field_is_safe(p: str, q: str) -> None:
    h = hostile(p + q)
    page = render_page(h.items(), h.registry, SCHEMA, title=q)
    check(page)
    check(h.corpus().show([b.id for b in h.blocks])._repr_html_())
