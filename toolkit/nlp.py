"""The spaCy pipeline: footnote-aware tokenization and rule-based sentences.

No statistical model is needed: :func:`make_nlp` returns a blank English
pipeline with two additions, and any installed pipeline can be passed in
instead (it gets the same tokenizer rules and keeps its own sentence
boundaries if it has a parser or senter).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

import numpy
import spacy
from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

from .errors import ToolkitError
from .models import Block

MARKER_PATTERN = r"\[\d+\]"
DASH_PATTERN = r"[!?.,;:]+(?=[—–])|[—–]"  # em and en dashes join words in this essay: "left—across", "2012–2013"
MARKER = re.compile(MARKER_PATTERN)
SENTENCE_END = re.compile(r"^[.!?]+$")
CLOSING = {"”", "’", '"', "'", ")", "]"}
SENTENCES = "toolkit_sentences"
RULES_APPLIED = "toolkit_tokenizer_rules"  # a flag in nlp.meta


def with_rules(nlp: Language, old: Tokenizer) -> Tokenizer:
    """``old`` with footnote markers and dashes split off: one new tokenizer with every rule.

    (Each setter of an existing tokenizer reloads its special cases.)
    """
    prefixes = [MARKER_PATTERN, *(nlp.Defaults.prefixes or ())]
    suffixes = [MARKER_PATTERN, *(nlp.Defaults.suffixes or ())]
    infixes = [DASH_PATTERN, *(nlp.Defaults.infixes or ())]
    return Tokenizer(
        nlp.vocab, rules=old.rules, prefix_search=compile_prefix_regex(prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer, token_match=old.token_match,
        url_match=old.url_match, faster_heuristics=old.faster_heuristics)


def tokenizer_factory() -> Callable[[Language], Tokenizer]:
    """``@tokenizers = "toolkit.Tokenizer.v1"`` in a spaCy config: the toolkit's tokenizer, for training.

    Registered through the ``spacy_tokenizers`` entry point (nothing is
    registered on import), so that a pipeline trained on ``export --format
    docbin`` splits text as the data was split.

    >>> import spacy
    >>> nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "toolkit.Tokenizer.v1"}}})
    >>> [t.text for t in nlp("Iran,”[6] left—across")]
    ['Iran', ',', '”', '[6]', 'left', '—', 'across']
    """
    default = registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp: Language) -> Tokenizer:
        return with_rules(nlp, default(nlp))

    return make


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
    if not nlp.meta.get(RULES_APPLIED):
        nlp.tokenizer = with_rules(nlp, cast(Tokenizer, nlp.tokenizer))
        nlp.meta[RULES_APPLIED] = True
    if not nlp.has_pipe(SENTENCES) and not ({"parser", "senter"} & set(nlp.pipe_names)):
        if not Language.has_factory(SENTENCES):
            Language.factory(SENTENCES, func=lambda nlp, name: SentenceRules())
        nlp.add_pipe(SENTENCES)
    return nlp


def block_text(nlp: Language, block: Block) -> str:
    """The text of ``block`` to make a Doc of; ToolkitError when it exceeds ``nlp.max_length``.

    spaCy's own guard (E088) would otherwise stop the stream with a ValueError.
    """
    if len(block.text) > nlp.max_length:
        raise ToolkitError(f"the block has {len(block.text)} characters, more than the pipeline takes "
                           f"(nlp.max_length = {nlp.max_length}); pass a pipeline with a larger max_length",
                           record=block.id)
    return block.text


class SentenceRules:
    """Rule-based sentence boundaries that keep footnote markers and closing quotes.

    A sentence ends at a token made of ``.``, ``!``, ``?`` or ``…``; closing
    quotes, brackets and footnote markers that follow stay in it, and the next
    sentence must not begin with a lower-case letter (``“neutral!” but``,
    ``Shukri... and others``). The number of a list item (``1.``) ends nothing.
    """

    END, CLOSE, LOWER, OTHER = 1, 2, 3, 0

    def __init__(self) -> None:
        self._kinds: dict[int, int] = {}  # per pipeline, by orth id: the rules read no text twice

    def _kind(self, doc: Doc, orth: int) -> int:
        text = doc.vocab.strings[orth]
        if SENTENCE_END.match(text) or text == "…":
            return self.END
        if text in CLOSING or MARKER.fullmatch(text):
            return self.CLOSE
        return self.LOWER if text[:1].islower() else self.OTHER

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        kinds = self._kinds
        orths = cast(list[int], doc.to_array(ORTH).tolist())  # to_array of one attribute: a 1-d array of ints
        # Written with one from_array call: setting token.is_sent_start token
        # by token makes spaCy rescan the Doc on every assignment.
        starts = numpy.full((len(doc), 1), -1, dtype="int64")
        starts[0, 0] = 1
        ended = False
        for i, orth in enumerate(orths):
            kind = kinds.get(orth)
            if kind is None:
                kind = kinds[orth] = self._kind(doc, orth)
            if i and ended and kind not in (self.END, self.CLOSE):
                if kind != self.LOWER:
                    starts[i, 0] = 1
                ended = False
            if kind == self.END:
                ended = not (i == 1 and doc.vocab.strings[orths[0]].isdigit())
        return doc.from_array([SENT_START], cast(Any, starts.astype("uint64")))  # spaCy encodes -1 so
