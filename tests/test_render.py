from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from spacy.language import Language

from toolkit.corpus import Corpus
from toolkit.footnotes import FootnoteLink
from toolkit.render import Styles

from .conftest import ROOT, Finished, drop_records, find_record, rewrite_block_text, run_cli, starts_early


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


def test_markers_link_to_their_bodies_and_back(page: str, shipped_corpus: Corpus) -> None:
    corpus = shipped_corpus
    for link in corpus.footnote_links():
        if link.status == "resolved":
            assert isinstance(link, FootnoteLink)
            assert f'href="#{link.footnote}" id="ref-{link.paragraph}-{link.start}"' in page
            assert f'href="#ref-{link.paragraph}-{link.start}"' in page
            assert f'id="{link.footnote}"' in page


def test_every_annotation_and_entity_is_in_the_page(page: str, shipped_corpus: Corpus) -> None:
    corpus = shipped_corpus
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
    styles = Styles(corpus.layout.schema)
    assert "<style>" in html and f'class="{styles.of_label("entities", "ORG")}"' in html
    assert all(f'class="{styles.of(a)}"' in html for a in corpus.annotations(paragraph="pwc.p1.para7"))
    assert 'href="#pwc.p1.fn6"' in html  # the marker shows its footnote
    doc = next(d for d in corpus.docs(nlp) if d.user_data["block"] == "pwc.p1.para7")
    assert corpus.show(doc).html == corpus.show(corpus["pwc.p1.para7"]).html
    only = corpus.show(corpus.mentions("wcp-iraq")[:1]).html
    assert only.count('<span class="hl') == 1
    with pytest.raises(KeyError):
        corpus.show("pwc.nowhere")


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
    assert any("text/html" in o.get("data", {}) for o in shown)
    assert not [o for o in shown if o.get("output_type") == "error"]
