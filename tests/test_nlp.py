from __future__ import annotations

import pytest
from spacy.language import Language

from toolkit import make_nlp
from toolkit.corpus import Corpus


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Iran[2] introduced", ["Iran", "[2]", "introduced"]),
        ("of Iraq.[4] At", ["of", "Iraq", ".", "[4]", "At"]),
        ("of Iran,”[6] severed", ["of", "Iran", ",", "”", "[6]", "severed"]),
        ("bulletins”[13] related", ["bulletins", "”", "[13]", "related"]),
        ("at present[10]. Instead", ["at", "present", "[10]", ".", "Instead"]),
        ("[1] Communist Current", ["[1]", "Communist", "Current"]),
        ("Committee[12], etc.", ["Committee", "[12]", ",", "etc", "."]),
        ("currently!—to transfer", ["currently", "!", "—", "to", "transfer"]),
    ],
)
def test_footnote_markers_are_tokens(nlp: Language, text: str, tokens: list[str]) -> None:
    assert [t.text for t in nlp(text)] == tokens


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("It split.[4] At the time it grew.", ["It split.[4]", "At the time it grew."]),
        ("They claimed to be “neutral!” but in reality did not.",
         ["They claimed to be “neutral!” but in reality did not."]),
        ("Essam Shukri... and others had come. Then", ["Essam Shukri... and others had come.", "Then"]),
        ("1. He split. He formed it.", ["1. He split.", "He formed it."]),
    ],
)
def test_rule_based_sentences(nlp: Language, text: str, sentences: list[str]) -> None:
    assert [s.text for s in nlp(text).sents] == sentences


def test_no_sentence_boundary_inside_a_name_or_date(shipped_corpus: Corpus, nlp: Language) -> None:
    corpus = shipped_corpus
    checked = 0
    for doc in corpus.docs(nlp):
        for layer in ("entities", "dates"):
            for span in doc.spans[layer]:
                assert not any(t.is_sent_start for t in span[1:]), (doc.user_data["block"], span.text)
                checked += 1
    assert checked == len(corpus.annotations("entities")) + len(corpus.annotations("dates"))


def test_an_installed_pipeline_keeps_its_own_components() -> None:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp = make_nlp(nlp)
    assert nlp.pipe_names == ["sentencizer", "toolkit_sentences"]
    assert [t.text for t in nlp("Iran[2]")] == ["Iran", "[2]"]
