"""CoNLL IOB2/BILUO: seqeval reads the export and its own entity extraction finds exactly the outermost entities
of the corpus (token positions taken back to source offsets); spaCy's CoNLL converter reads it too."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from seqeval.metrics import classification_report, f1_score
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import BILOU, IOB2, Entities, Token
from spacy.training.converters.conll_ner_to_docs import conll_ner_to_docs

import toolkit
from toolkit.errors import ToolkitError
from toolkit.exporting import source_documents
from toolkit.formats import conll
from toolkit.formats.model import ExportContext, SourceDocument, Span
from toolkit.layout import Layout
from toolkit.readers import read_document
from toolkit.schema import Schema

from .conftest import session_pipeline

Sentence = list[tuple[str, str]]
SCHEMES: dict[str, type[Token]] = {"iob2": IOB2, "biluo": BILOU}


def context(scheme: str | None = None, schema: Schema | None = None) -> ExportContext:
    return ExportContext(schema or Layout.open().schema, {}, {}, session_pipeline,
                         {} if scheme is None else {"scheme": scheme})


@cache
def shipped() -> SourceDocument:
    layout = Layout.open()
    return next(source_documents(layout, layers=list(layout.schema.layers)))


@cache
def exported(scheme: str | None) -> str:
    files = conll.export_document(shipped(), context(scheme))
    assert list(files) == ["pwc.conll"]
    return files["pwc.conll"].decode("utf-8")


def parse(text: str) -> list[Sentence]:
    """The sentences of a CoNLL file, as a CoNLL reader takes them: the -DOCSTART- line left out."""
    sentences: list[Sentence] = []
    current: Sentence = []
    for line in [*text.split("\n"), ""]:
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
            continue
        token, tag = line.split()
        if token != "-DOCSTART-":
            current.append((token, tag))
    return sentences


def source_offsets(sentences: list[Sentence], source: str) -> list[list[tuple[int, int]]]:
    """Each token's offsets in the source, found by walking it: only whitespace may lie between tokens."""
    at, found = 0, []
    for sentence in sentences:
        offsets = []
        for token, _ in sentence:
            start = source.index(token, at)
            assert not source[at:start].strip(), (token, source[at:start])
            offsets.append((start, start + len(token)))
            at = start + len(token)
        found.append(offsets)
    assert not source[at:].strip() or "Add comment" in source[at:]  # only the residue no block holds is left
    return found


def outermost_entities() -> set[tuple[int, int, str]]:
    """Entities not inside another one, in source offsets, from the layer as the toolkit reads it."""
    layer = next(name for name, spec in Layout.open().schema.layers.items() if spec.ents)
    _, blocks = read_document("pwc")
    at = {b.id: b.source_start for b in blocks}
    spans = [(at[a.paragraph] + a.start, at[a.paragraph] + a.end, a.label) for a in toolkit.read_layer(layer)]
    return {s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)}


@pytest.mark.parametrize("scheme", ["iob2", "biluo"])
def test_seqeval_reads_it_and_finds_the_outermost_entities(scheme: str) -> None:
    sentences = parse(exported(scheme))
    tags = [[tag for _, tag in s] for s in sentences]
    assert f1_score(tags, tags, mode="strict", scheme=SCHEMES[scheme]) == 1.0  # well-formed in the strict scheme
    report = classification_report(tags, tags, mode="strict", scheme=SCHEMES[scheme], output_dict=True)
    offsets = source_offsets(sentences, shipped().text)
    found = {(offsets[e.sent_id][e.start][0], offsets[e.sent_id][e.end - 1][1], e.tag)
             for entities in Entities(tags, SCHEMES[scheme]).entities for e in entities}
    expected = outermost_entities()
    assert found == expected
    labels = {label for _, _, label in expected}
    assert {k for k in report if k not in ("micro avg", "macro avg", "weighted avg")} == labels
    assert sum(report[label]["support"] for label in labels) == len(expected)


def test_seqeval_get_entities_agrees_in_iob2() -> None:
    sentences = parse(exported("iob2"))
    # get_entities flattens the sentences with an "O" after each one: so do the offsets here, None for it
    flat: list[tuple[int, int] | None] = [pair for offsets in source_offsets(sentences, shipped().text)
                                          for pair in [*offsets, None]]
    found = set()
    for label, first, last in get_entities([[t for _, t in s] for s in sentences]):  # last inclusive
        start, end = flat[first], flat[last]
        assert start is not None and end is not None
        found.add((start[0], end[1], label))
    assert found == outermost_entities()


def test_iob2_is_the_default_and_biluo_differs_only_in_its_tags() -> None:
    assert exported(None) == exported("iob2")
    iob, biluo = parse(exported("iob2")), parse(exported("biluo"))
    assert [[t for t, _ in s] for s in iob] == [[t for t, _ in s] for s in biluo]
    assert any(tag.startswith("U-") for s in biluo for _, tag in s)
    assert any(tag.startswith("L-") for s in biluo for _, tag in s)
    assert not any(tag[:2] in ("U-", "L-") for s in iob for _, tag in s)


def test_sentences_are_the_toolkits_rules_per_block() -> None:
    nlp = session_pipeline()
    expected = [[t.text for t in sentence if not t.is_space] for block in shipped().blocks
                for sentence in nlp(block.text).sents]
    assert [[t for t, _ in s] for s in parse(exported("iob2"))] == [s for s in expected if s]


def test_spacys_conll_converter_reads_the_same_entities() -> None:
    text = exported("iob2")
    (doc,) = conll_ner_to_docs(text, n_sents=10_000, no_print=True)  # type: ignore[no-untyped-call]  # spaCy's
    source = shipped().text
    # the converter joins tokens with a space: compare the text without its spaces
    found = Counter(("".join(e.text.split()), e.label_) for e in doc.ents)
    assert found == Counter(("".join(source[s:e].split()), label) for s, e, label in outermost_entities())


def test_the_layer_is_the_schemas_ents_layer_not_a_name() -> None:
    schema = Layout.open().schema
    renamed = Schema({("mentions" if n == "entities" else n): replace(spec, name="mentions") if n == "entities"
                      else spec for n, spec in schema.layers.items()},
                     schema.registry_labels, schema.ambiguous, schema.version)
    doc = SourceDocument("d", "Mansoor Hekmat spoke in Iran.",
                         (Span(0, 14, "mentions", "PERSON", {}), Span(24, 28, "dates", "DATE", {})))
    text = conll.export_document(doc, context(schema=renamed))["d.conll"].decode()
    assert parse(text) == [[("Mansoor", "B-PERSON"), ("Hekmat", "I-PERSON"), ("spoke", "O"), ("in", "O"),
                            ("Iran", "O"), (".", "O")]]
    no_ents = Schema({n: spec for n, spec in schema.layers.items() if not spec.ents}, schema.registry_labels,
                     schema.ambiguous, schema.version)
    with pytest.raises(ToolkitError, match='"ents"'):
        conll.export_document(doc, context(schema=no_ents))


def test_nested_entities_keep_the_outermost_and_one_token_entities_are_units() -> None:
    text = "The Worker-Communist Party of Iraq split. Iraq grew."
    party, iraq = text.index("The Worker"), text.index("Iraq")
    spans = (Span(party + 4, iraq + 4, "entities", "ORG", {}), Span(iraq, iraq + 4, "entities", "GPE", {}),
             Span(text.rindex("Iraq"), text.rindex("Iraq") + 4, "entities", "GPE", {}))
    doc = SourceDocument("d", text, spans)
    biluo = parse(conll.export_document(doc, context("biluo"))["d.conll"].decode())
    assert [[tag for _, tag in s] for s in biluo] == [
        ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "L-ORG", "O", "O"], ["U-GPE", "O", "O"]]


def test_an_entity_across_a_sentence_boundary_keeps_the_sentences_together() -> None:
    text = "He read What Is to Be Done? Lenin’s Pamphlet twice. Then he left."
    start, end = text.index("What"), text.index(" twice")
    assert len(list(session_pipeline()(text).sents)) == 3  # the rules end a sentence inside the title
    doc = SourceDocument("d", text, (Span(start, end, "entities", "WORK_OF_ART", {}),))
    sentences = parse(conll.export_document(doc, context())["d.conll"].decode())
    assert [s[-1][0] for s in sentences] == [".", "."]
    tags = [[tag for _, tag in s] for s in sentences]
    assert f1_score(tags, tags, mode="strict", scheme=IOB2) == 1.0
    assert get_entities(tags) == [("WORK_OF_ART", 2, 10)]


@pytest.mark.parametrize(("span", "message"), [
    (Span(0, 3, "entities", "GPE", {}, id="e-1"), "token boundaries"),
])
def test_what_cannot_be_written_is_refused(span: Span, message: str) -> None:
    with pytest.raises(ToolkitError, match=message) as caught:
        conll.export_document(SourceDocument("d", "Iraq’s party", (span,)), context())
    assert caught.value.record == span.id


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ToolkitError, match="unknown scheme 'bio'"):
        conll.export_document(shipped(), context("bio"))


def test_the_export_command_writes_it(tmp_path: Path) -> None:
    from toolkit.exporting import export

    written = export(format="conll", out=tmp_path, options={"scheme": "biluo"})
    assert (tmp_path / "pwc.conll") in written
    assert (tmp_path / "pwc.conll").read_text(encoding="utf-8") == exported("biluo")
