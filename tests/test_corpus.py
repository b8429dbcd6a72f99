from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from toolkit import ToolkitError, load_corpus
from toolkit.corpus import Corpus
from toolkit.footnotes import links_by_block

from .conftest import ANNOTATIONS, DROP, edit_record


@pytest.fixture(scope="module")
def corpus(shipped_corpus: Corpus) -> Corpus:
    return shipped_corpus


def test_lookups(corpus: Corpus) -> None:
    blocks = list(corpus)
    assert blocks[0].id == "pwc.front.title1" and len(corpus) == len(blocks)
    assert "pwc.p2.fn13" in corpus and corpus["pwc.p2.fn13"].number == 13
    assert corpus.footnote(part=1, number=2).text.startswith("[2] Iranian Communist Party")
    assert corpus.footnote(part=2, number=2).text.startswith("[2] Worker-Communist Party of Iran")
    assert corpus.entity("mansoor-hekmat").label == "PERSON"
    mentions = corpus.mentions("mansoor-hekmat")
    assert mentions and {m.text for m in mentions} <= {"Mansoor Hekmat", "Hekmat"}
    assert corpus.annotation(mentions[0].id) is mentions[0]
    with pytest.raises(KeyError, match="no block"):
        corpus["pwc.p9.para1"]
    with pytest.raises(ToolkitError, match="unknown layer"):
        corpus.annotations("gossip")


def test_docs_carry_every_layer(corpus: Corpus, nlp: Language) -> None:
    docs = corpus.docs(nlp)
    assert iter(docs) is docs
    total = {"entities": 0, "dates": 0, "claims": 0, "footnote_refs": 0}
    for doc in docs:
        block = corpus[doc.user_data["block"]]
        assert doc.text == block.text and doc.user_data["part"] == block.part
        for key in total:
            total[key] += len(doc.spans[key])
        for span in doc.spans["entities"]:
            record = corpus.annotation(span.id_)
            assert (span.start_char, span.end_char, span.label_) == (record.start, record.end, record.label)
            assert span.kb_id_ == record.attrs["entity"]
        for span in doc.spans["footnote_refs"]:
            assert corpus[span.kb_id_].part == block.part
        assert all(e.label_ for e in doc.ents)
    records = {layer: len(corpus.annotations(layer)) for layer in ("entities", "dates", "claims")}
    markers = sum(len(links) for links in links_by_block(corpus).values())
    assert total == {**records, "footnote_refs": markers} and min(total.values()) > 0


def test_same_offsets_in_two_layers_keep_their_own_records(corpus: Corpus, nlp: Language) -> None:
    # "Worker-Communist Party of Kurdistan" is both an entity and the end of a claim: ids keep them apart.
    doc = next(d for d in corpus.docs(nlp) if d.user_data["block"] == "pwc.p1.para8")
    ids = {s.id_ for key in ("entities", "claims") for s in doc.spans[key]}
    assert {corpus.annotation(i).layer for i in ids} == {"entities", "claims"}


def test_malformed_file_names_file_and_line(data_copy: tuple[Path, Path]) -> None:
    corpus_dir, annotations = data_copy
    line = edit_record(annotations / "dates.jsonl", "d-0007", start=DROP)
    with pytest.raises(ToolkitError, match=rf"dates.jsonl:{line} \(record d-0007\): E101 missing field 'start'"):
        load_corpus(corpus_dir=corpus_dir, annotations_dir=annotations)


def test_streaming_loader_matches_the_in_memory_one(corpus: Corpus, nlp: Language) -> None:
    from toolkit import stream_docs

    def view(docs: Iterable[Doc]) -> list[tuple[str, list[tuple[str, int, int, str, str, str]]]]:
        return [(d.user_data["block"], [(k, s.start_char, s.end_char, s.label_, s.id_, s.kb_id_)
                                        for k in sorted(d.spans) for s in d.spans[k]]) for d in docs]

    assert view(stream_docs(nlp=nlp)) == view(corpus.docs(nlp))


def _span_count(doc: Doc) -> tuple[str, int]:
    return doc.user_data["block"], sum(len(doc.spans[key]) for key in doc.spans)


def test_map_docs_in_two_processes_keeps_reading_order(nlp: Language) -> None:
    from toolkit import map_docs

    one = list(map_docs(_span_count, nlp=nlp))
    assert one == list(map_docs(_span_count, nlp=nlp, n_process=2))
    assert one[0] == ("pwc.front.title1", 1)


def test_public_api_is_small_and_importable() -> None:
    import toolkit

    assert sorted(toolkit.__all__) == sorted(toolkit._WHERE)
    for name in toolkit.__all__:
        assert getattr(toolkit, name) is not None
    assert callable(toolkit.validate)  # the function, not the toolkit.validation package


@pytest.mark.parametrize(("start", "end", "aligned"), [
    (0, 3, True),  # the first token
    (4, 15, True),  # two tokens
    (16, 19, True),  # the last word, before the full stop
    (19, 20, True),  # the full stop: the last token
    (1, 3, False),  # starts inside a token
    (4, 8, False),  # ends inside a token
    (16, 21, False),  # ends past the text
    (20, 21, False),  # starts past the last token
])
def test_spans_become_token_spans_only_on_token_boundaries(nlp: Language, start: int, end: int,
                                                           aligned: bool) -> None:
    from toolkit.join import AnnotatedBlock
    from toolkit.models import Annotation, Block
    from toolkit.schema import read_schema
    from toolkit.spacy_docs import attach_spans

    text = "The Tudeh Party met."
    block = Block("d.p1", "d", "paragraph", 1, None, text, 0, len(text))
    mention = Annotation("entities", "e-1", block.id, start, end, text[start:end], "ORG",
                         {"entity": "tudeh-party", "mention": "NAM"})
    item = AnnotatedBlock(block, {"entities": [mention]}, [])
    schema = read_schema(ANNOTATIONS / "schema.json")
    if aligned:
        doc = attach_spans(nlp(text), item, schema)
        [span] = doc.spans["entities"]
        assert (span.start_char, span.end_char, span.id_, span.kb_id_) == (start, end, "e-1", "tudeh-party")
    else:
        with pytest.raises(ToolkitError, match=r"E201.*does not align"):
            attach_spans(nlp(text), item, schema)
