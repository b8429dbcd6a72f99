from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import pytest

from toolkit import load_corpus
from toolkit.render import Styles

from .conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("render") / "essay.html"
    result = run_cli("render", "--out", out)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8")


def test_page_is_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page


def test_markers_link_to_their_bodies_and_back(page: str) -> None:
    corpus = load_corpus()
    for link in corpus.footnote_links():
        if link.status == "resolved":
            assert f'href="#{link.footnote}" id="ref-{link.paragraph}-{link.start}"' in page
            assert f'href="#ref-{link.paragraph}-{link.start}"' in page
            assert f'id="{link.footnote}"' in page


def test_every_annotation_and_entity_is_in_the_page(page: str) -> None:
    corpus = load_corpus()
    for annotation in corpus.annotations():
        assert f'<a id="{annotation.id}"></a>' in page
    index = page.split("Index of entities", 1)[1]
    for entity in corpus.registry.values():
        assert f">{entity.name}</span>" in index.replace("&#x27;", "'")
        for mention in corpus.mentions(entity.id):
            assert f'href="#{mention.id}"' in index
    assert "legend" in page and "Prospects of Worker Communism" in page


def test_text_is_escaped(data_copy: tuple[Path, Path], tmp_path: Path) -> None:
    corpus_dir, annotations = data_copy
    payload = "<script>alert(1)</script>"
    # Over the start of the title, in the block and in the verbatim source alike: coherent data.
    path = corpus_dir / "pwc" / "blocks.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    block = json.loads(lines[0])
    block["text"] = payload + block["text"][len(payload):]
    lines[0] = json.dumps(block)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    document = json.loads((corpus_dir / "pwc" / "document.json").read_text(encoding="utf-8"))
    source_path = corpus_dir / "pwc" / document["source"]
    source = source_path.read_bytes().decode("utf-8")
    start = block["source_start"]
    source = (source[:start] + payload + source[start + len(payload):]).encode("utf-8")
    source_path.write_bytes(source)
    document["sha256"] = hashlib.sha256(source).hexdigest()
    (corpus_dir / "pwc" / "document.json").write_text(json.dumps(document), encoding="utf-8")
    (annotations / "entities.jsonl").write_text(
        "\n".join(l for l in (annotations / "entities.jsonl").read_text(encoding="utf-8").splitlines()
                  if '"pwc.front.title1"' not in l) + "\n", encoding="utf-8")
    out = tmp_path / "x.html"
    assert run_cli("render", "--out", out, "--corpus", corpus_dir, "--annotations", annotations).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_show_in_a_notebook() -> None:
    corpus = load_corpus()
    html = corpus.show("pwc.p1.para7")._repr_html_()
    styles = Styles(corpus.layout.schema)
    assert "<style>" in html and f'class="{styles.of_label("entities", "ORG")}"' in html
    assert all(f'class="{styles.of(a)}"' in html for a in corpus.annotations(paragraph="pwc.p1.para7"))
    assert 'href="#pwc.p1.fn6"' in html  # the marker shows its footnote
    doc = next(d for d in corpus.docs() if d.user_data["block"] == "pwc.p1.para7")
    assert corpus.show(doc).html == corpus.show(corpus["pwc.p1.para7"]).html
    only = corpus.show(corpus.mentions("wcp-iraq")[:1]).html
    assert only.count('<span class="hl') == 1
    with pytest.raises(KeyError):
        corpus.show("pwc.nowhere")


def test_to_dataframe_has_the_extract_columns() -> None:
    corpus = load_corpus()
    frame = corpus.to_dataframe("dates")
    from toolkit import extract

    assert list(frame.columns) == list(next(extract(layer="dates")))
    assert len(frame) == len(corpus.annotations("dates"))
    assert str(frame["part"].dtype) == "Int64"


def test_to_dataframe_without_pandas_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'standoff-toolkit\[pandas\]'"):
        load_corpus().to_dataframe()


def test_example_notebook_runs_top_to_bottom() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / "examples" / "corpus-tour.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "stored outputs"
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError if a cell fails
    shown = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert any("text/html" in o.get("data", {}) for o in shown)
