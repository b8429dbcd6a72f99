"""The spaCy pipeline: footnote-aware tokenization and rule-based sentences.

No statistical model is needed: :func:`make_nlp` returns a blank English
pipeline with two additions, and any installed pipeline can be passed in
instead (it gets the same tokenizer rules and keeps its own sentence
boundaries if it has a parser or senter).
"""

from __future__ import annotations

import re
from typing import cast

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

MARKER_PATTERN = r"\[\d+\]"
DASH_PATTERN = r"[!?.,;:]+(?=[—–])|[—–]"  # em and en dashes join words in this essay: "left—across", "2012–2013"
MARKER = re.compile(MARKER_PATTERN)
SENTENCE_END = re.compile(r"^[.!?]+$")
CLOSING = {"”", "’", '"', "'", ")", "]"}
SENTENCES = "toolkit_sentences"


def make_nlp(nlp: Language | None = None) -> Language:
    """Return ``nlp`` (default: blank English) with footnote markers as tokens and sentences.

    >>> nlp = make_nlp()
    >>> [t.text for t in nlp("Iran,”[6] severed")]
    ['Iran', ',', '”', '[6]', 'severed']
    >>> [s.text for s in nlp("It split.[4] The party grew.").sents]
    ['It split.[4]', 'The party grew.']
    """
    if nlp is None:
        nlp = spacy.blank("en")
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    # Rebuilt from the language defaults each time, so applying twice is harmless.
    prefixes = [MARKER_PATTERN, *(nlp.Defaults.prefixes or ())]
    suffixes = [MARKER_PATTERN, *(nlp.Defaults.suffixes or ())]
    infixes = [DASH_PATTERN, *(nlp.Defaults.infixes or ())]
    tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    if not nlp.has_pipe(SENTENCES) and not ({"parser", "senter"} & set(nlp.pipe_names)):
        if not Language.has_factory(SENTENCES):
            Language.component(SENTENCES, func=set_sentence_starts)
        nlp.add_pipe(SENTENCES)
    return nlp


def set_sentence_starts(doc: Doc) -> Doc:
    """Rule-based sentence boundaries that keep footnote markers and closing quotes.

    A sentence ends at ``.``, ``!``, ``?`` or an ellipsis; closing quotes,
    brackets and footnote markers that follow stay in it, and the next
    sentence must not begin with a lower-case letter (``“neutral!” but``,
    ``Shukri... and others``). The number of a list item (``1.``) ends nothing.
    """
    ended = False
    for i, token in enumerate(doc):
        text = token.text
        if i == 0:
            token.is_sent_start = True
        elif ended and not (text in CLOSING or MARKER.fullmatch(text) or SENTENCE_END.match(text)):
            token.is_sent_start = not text[:1].islower()
            ended = False
        else:
            token.is_sent_start = False
        if SENTENCE_END.match(text) or text == "…":
            ended = not (i == 1 and doc[0].text.isdigit())
    return doc
