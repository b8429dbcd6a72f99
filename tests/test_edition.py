"""The annotated edition without a browser: what the page and ``corpus.show`` hold, and the colours they use.

How it looks and behaves in a real browser is in ``test_browser.py``.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from spacy.language import Language

from toolkit.corpus import Corpus
from toolkit.edition.spans import Anchors, annotated_text
from toolkit.edition.theme import EDGES, FILLS, LINE_CHANNELS, LINES, Styles, stylesheet, theme_variables
from toolkit.footnotes import FootnoteLink
from toolkit.layout import Layout
from toolkit.models import Annotation, Block

from .conftest import ROOT, Finished, drop_records, find_record, rewrite_block_text, run_cli, starts_early


class Tree(HTMLParser):
    """The page's elements: each with its tag, attributes, parent and text (children's included)."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()
        self.by_id = {e.attrs["id"]: e for e in self.elements if "id" in e.attrs}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self._open[-1] if self._open else None)
        self.elements.append(element)
        if element.parent is not None:
            element.parent.children.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].children.append(data)


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self, skip: frozenset[str] = frozenset()) -> str:
        """The text a reader copies; elements with a class in ``skip`` left out."""
        return "".join(c if isinstance(c, str) else "" if c.classes & skip else c.text(skip) for c in self.children)

    def find(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.find(tag, cls))
        return found


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("render") / "essay.html"
    result = run_cli("render", "--out", out)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tree(page: str) -> Tree:
    return Tree(page)


def test_page_is_self_contained_and_runs_nothing(page: str, tree: Tree) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page
    metas = {e.attrs.get("name") or e.attrs.get("http-equiv"): e.attrs.get("content") for e in tree.elements
             if e.tag == "meta"}
    assert metas["viewport"] == "width=device-width, initial-scale=1"
    assert "default-src 'none'" in (metas["Content-Security-Policy"] or "")


def test_blocks_hold_their_text_and_nothing_else(tree: Tree, shipped_corpus: Corpus) -> None:
    """What a reader copies from a block is its verbatim text: no kind, no number, no note."""
    for block in shipped_corpus:
        element = tree.by_id[block.id]
        assert element.attrs["data-kind"] == block.kind
        assert element.text(skip=frozenset({"notes", "back"})).rstrip(" ") == block.text, block.id


def test_markers_link_to_their_bodies_and_back(tree: Tree, shipped_corpus: Corpus) -> None:
    resolved = [link for link in shipped_corpus.footnote_links()
                if isinstance(link, FootnoteLink) and link.status == "resolved"]
    assert resolved
    for link in resolved:
        marker = tree.by_id[f"_ref-{link.paragraph}-{link.start}"]
        assert marker.attrs["href"] == f"#{link.footnote}" and marker.text() == f"[{link.number}]"
        body = tree.by_id[str(link.footnote)]
        backs = [a for a in body.find("a", "back") if a.attrs["href"] == f"#{marker.attrs['id']}"]
        assert len(backs) == 1 and backs[0].attrs["aria-label"].startswith("back to the reference in Part ")


def test_every_annotation_is_one_focusable_element_that_describes_itself(tree: Tree,
                                                                         shipped_corpus: Corpus) -> None:
    for annotation in shipped_corpus.annotations():
        span = tree.by_id[annotation.id]
        assert span.attrs["tabindex"] == "0" and span.text() == annotation.text
        assert annotation.label in span.attrs["data-tip"]
        note = tree.by_id[span.attrs["aria-describedby"]]
        assert note.tag == "li" and annotation.label in note.text() and f"“{annotation.text}”" in note.text()
        assert note.parent is not None and note.parent.parent is not None and note.parent.parent.tag == "details"


def test_holders_and_about_are_shown_by_their_registry_names(tree: Tree, shipped_corpus: Corpus) -> None:
    registry = shipped_corpus.registry
    claims = shipped_corpus.annotations("claims")
    assert any(len(c.attrs["holder"]) > 1 for c in claims)
    for claim in claims:
        tip = tree.by_id[claim.id].attrs["data-tip"]
        holders = ", ".join(registry[h].name if h in registry else h for h in claim.attrs["holder"])
        assert f"holder: {holders}" in tip, claim.id
        assert all(registry[x].name in tip for x in claim.attrs["about"]), claim.id


def test_nested_spans_nest(tree: Tree, shipped_corpus: Corpus) -> None:
    """An entity inside an entity (or a date inside a claim) is an element inside the other's element."""
    inner = [(outer, a) for outer in shipped_corpus.annotations() for a in shipped_corpus.annotations(
             paragraph=outer.paragraph) if a is not outer and outer.start <= a.start and a.end <= outer.end
             and (outer.start, outer.end) != (a.start, a.end)]
    assert len({(o.layer, a.layer) for o, a in inner}) >= 3  # entity in entity, date in claim, entity in claim
    for outer, a in inner:
        parents = []
        node = tree.by_id[a.id].parent
        while node is not None:
            parents.append(node.attrs.get("id"))
            node = node.parent
        assert outer.id in parents, (outer.id, a.id)


def test_headings_follow_the_hierarchy_and_the_contents_list_them(tree: Tree, shipped_corpus: Corpus) -> None:
    levels = [int(e.tag[1]) for e in tree.elements if re.fullmatch(r"h[1-6]", e.tag)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))  # never skips a level
    blocks = list(shipped_corpus)
    assert tree.by_id["pwc.front.title1"].tag == "h1"
    for part in (1, 2):
        headings = [b for b in blocks if b.kind == "heading" and b.part == part]
        assert [tree.by_id[b.id].tag for b in headings] == ["h2"] + ["h3"] * (len(headings) - 1)
    (toc,) = [e for e in tree.elements if "toc" in e.classes]
    linked = {a.attrs["href"] for a in toc.find("a")}
    assert linked == {f"#{b.id}" for b in blocks if b.kind == "heading"} | {"#_index"}


def test_landmarks_and_the_links_at_the_top(tree: Tree) -> None:
    tags = Counter(e.tag for e in tree.elements)
    assert tags["main"] == 1 and tags["header"] >= 1 and tags["nav"] >= 2
    top = next(e for e in tree.elements if "top" in e.classes)
    assert [a.attrs["href"] for a in top.find("a")] == ["#_toc-pwc", "#_key", "#_index"]
    assert all(target[1:] in tree.by_id for target in ("#_toc-pwc", "#_key", "#_index"))


def test_legend_has_a_caption_and_only_the_labels_that_occur(tree: Tree, shipped_corpus: Corpus) -> None:
    legend = tree.by_id["_key"]
    assert legend.tag == "figure" and legend.find("figcaption")[0].text() == "Key to the highlighting"
    shown = {(row.find("dt")[0].text(), chip.text()) for row in legend.find("div") for chip in row.find("span", "chip")}
    used = {(a.layer, a.label) for a in shipped_corpus.annotations()}
    assert shown == used
    schema = shipped_corpus.layout.schema
    assert any(label not in {lab for _, lab in used} for label in schema.layers["entities"].labels)  # so it can fail


def test_entity_index_groups_counts_and_places(tree: Tree, shipped_corpus: Corpus) -> None:
    index = tree.by_id["_index"]
    groups = {h3.text().split(" · ")[0]: h3 for h3 in index.find("h3")}
    registry = shipped_corpus.registry
    assert set(groups) == {e.label for e in registry.values()}
    entries = index.find("li")
    assert len(entries) == len(registry)
    for entry in entries:
        name = entry.find("span", "chip")[0].text()
        (entity,) = [e for e in registry.values() if e.name == name]
        mentions = shipped_corpus.mentions(entity.id)
        assert entry.find("span", "muted")[0].text() == f"{len(mentions)} mention{'s' if len(mentions) != 1 else ''}"
        links = entry.find("a")
        per_block = Counter(m.paragraph for m in mentions)
        assert len(links) == len(per_block)  # one place per block, with its count
        for link in links:
            target = link.attrs["href"][1:]
            (mention,) = [m for m in mentions if m.id == target]
            assert re.fullmatch(r"(Front matter|Part [12]), .+", link.text()) and "pwc." not in link.text()
            assert mention.id == min((m for m in mentions if m.paragraph == mention.paragraph),
                                     key=lambda m: m.start).id
    for label, heading in groups.items():
        entities = [e for e in registry.values() if e.label == label]
        count = sum(len(shipped_corpus.mentions(e.id)) for e in entities)
        assert heading.text() == (f"{label} · {len(entities)} {'entity' if len(entities) == 1 else 'entities'}, "
                                  f"{count} {'mention' if count == 1 else 'mentions'}")


def test_locations_read_as_a_reader_counts(tree: Tree, shipped_corpus: Corpus) -> None:
    paragraphs = [b for b in shipped_corpus if b.kind == "paragraph" and b.part == 2]
    assert tree.by_id[paragraphs[4].id].attrs["data-n"] == "¶5"
    summaries = [e.find("summary")[0].text() for e in tree.elements if e.tag == "details"]
    first_item = next(b for b in shipped_corpus if b.kind == "list_item" and b.part == 2)
    after = [b for b in paragraphs if b.source_start < first_item.source_start]
    assert any(s.endswith(f"in Part 2, ¶{len(after)}, item 1") for s in summaries)
    assert any(s.endswith("in Part 1, note 6") for s in summaries)


def test_crossing_spans_are_continued_and_markers_never_cut() -> None:
    """Shipped data has no crossing spans; other data may, across layers: each stays one span to the reader."""
    text = "The Worker-Communist Party[1] of Iraq said so."
    block = Block("d.p1.para1", "d", "paragraph", 1, None, text, 0, len(text))
    party = Annotation("entities", "e-1", block.id, 4, 26, text[4:26], "ORG", {"entity": "wcp", "mention": "NAM"})
    # The claim begins inside the party and ends after it.
    claim = Annotation("claims", "c-1", block.id, 15, 38, text[15:38], "CLAIM",
                       {"type": "fact", "holder": ["author"], "about": ["wcp"]})
    odd = Annotation("dates", "t-1", block.id, 27, 42, text[27:42], "DATE", {"value": "2004"})  # starts inside [1]
    link = FootnoteLink("resolved", "d", 1, 1, block.id, 26, 29, "d.p1.fn1", "A note")
    html = annotated_text(block, [party, claim, odd], [link], {}, Styles(Layout.open().schema), Anchors())
    view = Tree(html)
    pieces = {a.id: [e for e in view.elements if e.attrs.get("aria-describedby") == f"_n-{a.id}"]
              for a in (party, claim, odd)}
    assert [len(p) for p in pieces.values()] == [1, 2, 2]  # the later of two crossing spans is continued
    shown = {claim.id: text[15:38], odd.id: text[29:42]}  # the date's start moved to the marker's end
    for annotation in (claim, odd):
        first, *rest = pieces[annotation.id]
        assert first.attrs["id"] == annotation.id and first.attrs["tabindex"] == "0" and "goes-on" in first.classes
        assert [("id" in e.attrs, e.attrs["tabindex"], "goes-on-from" in e.classes) for e in rest] == [
            (False, "-1", True)]
        assert "".join(e.text() for e in (first, *rest)) == shown[annotation.id]
    (marker,) = [e for e in view.elements if e.tag == "a"]
    assert marker.text() == "[1]"  # whole, though a date begins inside it
    assert "".join(c if isinstance(c, str) else c.text() for c in Tree(f"<p>{html}</p>").elements[0].children) == text


def test_several_documents_share_one_page_without_clashes(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import generate

    generate(tmp_path, blocks=300)
    out = tmp_path / "page.html"
    result = run_cli("render", "--out", out, "--corpus", tmp_path / "corpus", "--annotations", tmp_path / "annotations")
    assert result.returncode == 0, result.stderr
    tree = Tree(out.read_text(encoding="utf-8"))
    ids = [e.attrs["id"] for e in tree.elements if "id" in e.attrs]
    assert len(ids) == len(set(ids))
    articles = [e for e in tree.elements if e.tag == "article"]
    assert len(articles) >= 2
    names = []
    for article in articles:
        (nav,) = [e for e in article.find("nav") if "toc" in e.classes]
        names.append(nav.attrs["aria-label"])
        assert len(article.find("h1")) == 1
    assert len(set(names)) == len(names)  # each table of contents named by its document (their titles are alike)
    assert all(name.endswith(f"({article.attrs['id']})") for name, article in zip(names, articles, strict=True))
    places = [a.text() for a in tree.by_id["_index"].find("a")]
    assert places and all(re.match(r".+ \(syn\d+\), (Front matter|Part \d), ", p) for p in places)
    assert all(href[1:] in tree.by_id for href in (a.attrs["href"] for a in tree.elements if a.tag == "a"))


def test_text_is_escaped(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus_dir, annotations = data_copy
    payload = "<script>alert(1)</script>"
    # Over the start of the title, in the block and in the verbatim source alike: coherent data.
    title = find_record(corpus_dir / "pwc" / "blocks.jsonl", id="pwc.front.title1")[1]["text"]
    rewrite_block_text(corpus_dir, "pwc.front.title1", title[:len(payload)], payload)
    assert drop_records(annotations / "entities.jsonl", paragraph="pwc.front.title1")  # they no longer quote it
    out = tmp_path / "x.html"
    assert run_cli("render", "--out", out, "--corpus", corpus_dir, "--annotations", annotations).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_show_in_a_notebook(shipped_corpus: Corpus, nlp: Language) -> None:
    corpus = shipped_corpus
    html = corpus.show("pwc.p1.para7")._repr_html_()
    assert html.startswith(f"<style>{stylesheet()}</style>")  # the page's themes, the notebook's own selectors
    view = Tree(html)
    annotations = corpus.annotations(paragraph="pwc.p1.para7")
    spans = [e for e in view.elements if "ann" in e.classes and "tabindex" in e.attrs]
    assert len(spans) == len(annotations) and all("id" not in e.attrs for e in spans)  # ids are the page's
    assert {view.by_id[e.attrs["aria-describedby"]].tag for e in spans} == {"li"}
    assert not [e for e in view.elements if e.tag == "a"]  # no dead links: the footnotes are shown instead
    bodies = [li.text() for ol in view.elements if "footnotes" in ol.classes for li in ol.find("li")]
    assert bodies == [corpus["pwc.p1.fn6"].text]  # the marker [6] of Part One, in full
    (legend,) = [e for e in view.elements if e.tag == "figure"]
    chips = {c.text() for c in legend.find("span", "chip")}
    assert chips == {a.label for a in annotations}
    doc = next(d for d in corpus.docs(nlp) if d.user_data["block"] == "pwc.p1.para7")
    assert corpus.show(doc).html == corpus.show(corpus["pwc.p1.para7"]).html
    only = Tree(corpus.show(corpus.mentions("wcp-iraq")[:1]).html)
    assert len([e for e in only.elements if "ann" in e.classes]) == 1
    assert {c.text() for e in only.elements if e.tag == "figure" for c in e.find("span", "chip")} == {"ORG"}
    with pytest.raises(KeyError):
        corpus.show("pwc.nowhere")


# --- colours: contrast, distinctness, one channel per layer ---

def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> tuple[float, float, float]:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return r, g, b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""
    la, lb = (0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b_) for r, g, b_ in (_rgb(a), _rgb(b)))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def themes_in(css: str) -> list[dict[str, str]]:
    """Every block of custom properties in a stylesheet: each theme as the stylesheet states it."""
    return [dict(re.findall(r"--([\w-]+):\s*(#[0-9a-f]{6})", block))
            for block in re.findall(r"\{([^{}]*--fg:[^{}]*)\}", css)]


@pytest.mark.parametrize("css", [stylesheet(), stylesheet(page=True)], ids=["notebook", "page"])
def test_every_colour_pair_in_the_stylesheet_has_contrast(css: str) -> None:
    """Every pair that meets on the page, in every theme block: text 4.5:1, lines and rings 3:1.

    Links never sit on a fill (markers may not fall inside entities: ``markers_inside`` is false for every
    linked layer), so link colours are checked against the page only.
    """
    themes = themes_in(css)
    assert len(themes) >= 4  # light, dark by system, dark and light by notebook theme (and print)
    for theme in themes:
        fills = [v for k, v in theme.items() if re.fullmatch(r"f\d+", k)]
        assert len(fills) == len(FILLS["light"])
        text_pairs = [("fg", "bg"), ("muted", "bg"), ("link", "bg"), ("sheet-fg", "sheet")]
        for fg, bg in text_pairs:
            assert contrast(theme[fg], theme[bg]) >= 4.5, (fg, bg, theme[fg], theme[bg])
        for fill in fills:  # text on every annotation background
            assert contrast(theme["fg"], fill) >= 4.5, (theme["fg"], fill)
        for name, colour in theme.items():  # lines, borders and the focus ring against the page: 3:1
            if re.fullmatch(r"[el]\d+", name) or name in ("focus", "rule"):
                assert contrast(colour, theme["bg"]) >= 3, (name, colour, theme["bg"])


# Machado, Oliveira and Fernandes (2009), severity 1: how three kinds of colour-blind readers see a colour.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
    "none": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}


def _lab(colour: str, matrix: tuple[tuple[float, ...], ...]) -> tuple[float, float, float]:
    rgb = [_linear(c) for c in _rgb(colour)]
    r, g, b = (min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix)
    x, y, z = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
               (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("vision", CVD)
@pytest.mark.parametrize("palette", [FILLS, LINES], ids=["fills", "lines"])
def test_label_colours_stay_apart_for_colour_blind_readers(palette: dict[str, tuple[str, ...]], theme: str,
                                                          vision: str) -> None:
    """Every pair of colours of a channel (and each against the page) differs by a CIE76 ΔE of 10 or more."""
    colours = [*palette[theme], theme_variables(theme)["bg"]]
    for a, b in itertools.combinations(colours, 2):
        assert math.dist(_lab(a, CVD[vision]), _lab(b, CVD[vision])) >= 10, (a, b)


def test_every_label_gets_its_own_colour_and_every_layer_its_own_channel(shipped_corpus: Corpus) -> None:
    schema = shipped_corpus.layout.schema
    styles = Styles(schema)
    looks = {(layer, label): styles.of(layer, label) for layer, spec in schema.layers.items() for label in spec.labels}
    assert len(set(looks.values())) == len(looks)  # every label of every layer
    channels = {layer: {c for c in styles.of(layer, spec.labels[0]).split() if c == "fill" or c.startswith("line")}
                for layer, spec in schema.layers.items()}
    assert all(len(c) == 1 for c in channels.values()) and len({*map(frozenset, channels.values())}) == len(channels)
    assert len(set(LINE_CHANNELS)) == len(LINE_CHANNELS) and len(set(EDGES["light"])) == len(EDGES["light"])
    assert len({*LINES["light"]}) == len(LINES["light"]) and len({*LINES["dark"]}) == len(LINES["dark"])


def test_labels_beyond_the_palette_are_named(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus_dir, annotations = data_copy
    assert Styles(Layout.open().schema).repeats == []
    schema = json.loads((annotations / "schema.json").read_text(encoding="utf-8"))
    schema["layers"]["entities"]["labels"].append("FACILITY")
    (annotations / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    result = run_cli("render", "--out", tmp_path / "x.html", "--corpus", corpus_dir, "--annotations", annotations)
    assert result.returncode == 0, result.stderr
    assert "warning: label FACILITY of layer entities shares its colour with an earlier label" in result.stderr


def test_print_keeps_colours_and_drops_the_chrome() -> None:
    printed = stylesheet(page=True).split("@media print {", 1)[1]
    assert "print-color-adjust: exact" in printed
    hidden = re.search(r"([^{}]*)\{ display: none; \}", printed)
    assert hidden is not None
    assert {".tk .top", ".tk .toc", ".tk .notes", ".tk .back"} <= {s.strip() for s in hidden.group(1).split(",")}
    assert ".fnref" not in hidden.group(1)  # footnote numbers stay



def test_to_dataframe_has_the_extract_columns(shipped_corpus: Corpus) -> None:
    corpus = shipped_corpus
    frame = corpus.to_dataframe("dates")
    from toolkit import extract

    assert list(frame.columns) == list(next(extract(layer="dates")))
    assert len(frame) == len(corpus.annotations("dates"))
    assert str(frame["part"].dtype) == "Int64"


def test_to_dataframe_without_pandas_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                          shipped_corpus: Corpus) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'standoff-toolkit\[pandas\]'"):
        shipped_corpus.to_dataframe()


NOTEBOOK = ROOT / "examples" / "corpus-tour.ipynb"
# Executes the notebook top to bottom in a real kernel; writes the executed copy to WORKDIR/executed.ipynb.
EXECUTE = """
import sys, nbclient, nbformat
path, out = sys.argv[1], sys.argv[2]
notebook = nbformat.read(path, as_version=4)
client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                 resources={"metadata": {"path": sys.argv[3]}})
client.execute()  # raises CellExecutionError if a cell fails
nbformat.write(notebook, out)
"""


@starts_early(lambda workdir: [sys.executable, "-c", EXECUTE, str(NOTEBOOK), str(workdir / "executed.ipynb"),
                               str(NOTEBOOK.parent)])
def test_example_notebook_runs_top_to_bottom(early: Finished) -> None:
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "stored outputs"
    assert early.returncode == 0, early.stderr[-3000:]  # a cell that fails stops the run: CellExecutionError
    executed = nbformat.read(early.workdir / "executed.ipynb", as_version=4)
    assert [c.source for c in executed.cells] == [c.source for c in notebook.cells]
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert all(cell.get("execution_count") for cell in code)  # every cell ran
    shown = [o for cell in code for o in cell.outputs]
    assert not [o for o in shown if o.get("output_type") == "error" or o.get("name") == "stderr"]
    by_source = {cell.source.splitlines()[-1]: cell.outputs for cell in code}
    summary = by_source["corpus"][0]["data"]["text/plain"]
    assert re.fullmatch(r"<Corpus: 1 document, \d+ blocks, \d+ registry entries; spans per layer: entities \d+, "
                        r"dates \d+, claims \d+>", summary)
    assert "canonical" in by_source["mentions.head()"][0]["data"]["text/html"]  # the table itself
    assert 'class="tk"' in by_source['corpus.show("pwc.p1.para7")'][0]["data"]["text/html"]
    assert [o["output_type"] for o in code[-1].outputs] == ["execute_result"]  # no warning on the way
    assert "<iframe srcdoc=" in code[-1].outputs[0]["data"]["text/html"]
    text = json.dumps([o.get("data", o.get("text")) for o in shown])
    assert str(ROOT) not in text and str(Path.home()) not in text  # no machine's paths
