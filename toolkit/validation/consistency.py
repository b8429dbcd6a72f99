"""Corpus-wide consistency: strings annotated differently, names left unannotated.

Inspired by variation n-grams (nessie): the same string should get the same
analysis everywhere, unless the schema declares it ambiguous, and every
occurrence of an annotated name should be annotated, unless
``annotations/exceptions.jsonl`` lists it with a reason. A first pass over
the layer files gathers what these checks need, in memory that grows with
the number of distinct names, not with the corpus.

Names are searched in time linear in the text, however many there are: a
trie of their tokens (word runs and single other characters) is walked
from each word start. Only names of at most ``NAME_LIMIT`` (200)
characters are searched: a longer "name" is not a name, and searching for
it would cost its length at every place it might start. The variation check
still sees every annotated string, whatever its length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate, chain
from pathlib import Path
from typing import TypeAlias

from ..display import quote, quote_id
from ..jsonl import BadLine, iter_lines
from ..models import Block, RegistryEntity
from ..schema import Schema
from .findings import Finding, finding
from .records import Ids, Located

EXCEPTION_FIELDS = ("paragraph", "start", "end", "text", "reason")
PLACES_SHOWN = 20  # per analysis of a string
ANALYSES_SHOWN = 10  # per string
NAME_LIMIT = 200  # characters: longer annotated strings are not searched for as names

# A name's tokens: runs of word characters and single other characters. Both
# the names and the text are cut the same way, so a whole-word occurrence of
# a name is a run of the text's tokens equal to the name's tokens.
_TOKEN = re.compile(r"\w+|\W")
# A trie node: token -> node, or -> a name when it is the only name further
# down; the key "" (never a token) holds the name that ends here.
_Node: TypeAlias = "dict[str, _Node | str]"


@dataclass
class Survey:
    """What the first pass over the layer files learnt."""

    names: set[str] = field(default_factory=set)
    mentions: Counter[str] = field(default_factory=Counter)
    # (layer, casefolded text) -> analysis -> places "block:start"; plus the first record seen
    # (its file, line, id and text as messages quote it).
    analyses: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    first: dict[tuple[str, str], tuple[Path, int, str, str]] = field(default_factory=dict)
    # Every line a record of a known block with an offset, in reading order: the files cut into shards
    # exactly (see validation.run); anything else is reported by one serial walk.
    sorted: bool = True


def survey(schema: Schema, paths: dict[str, Path], ids: Ids, positions: Mapping[str, int] | None = None) -> Survey:
    """Read every layer file once: ids, annotated names, registry mention counts, analyses per string.

    What a layer contributes is what the schema declares: the registry
    entities its ``link`` attribute names are mentioned; records matching its
    ``names`` are names; its ``key`` is what the variation check compares.
    """
    result = Survey()
    for layer, path in paths.items():
        spec = schema.layers[layer]
        furthest = (-1, -1)
        for line, record in iter_lines(path):
            if isinstance(record, BadLine):
                result.sorted = False
                continue
            if positions is not None and result.sorted:
                paragraph, start = record.get("paragraph"), record.get("start")
                position = positions.get(paragraph, -1) if isinstance(paragraph, str) else -1
                if position < 0 or type(start) is not int or start < 0 or (position, start) < furthest:
                    result.sorted = False
                else:
                    furthest = (position, start)
            rid, text, label = record.get("id"), record.get("text"), record.get("label")
            if isinstance(rid, str):
                ids.mark(rid)
            if spec.link is not None:
                result.mentions[str(record.get(spec.link))] += 1
            if not isinstance(text, str) or not isinstance(label, str):
                continue
            if spec.is_name(record) and text.strip() and len(text) <= NAME_LIMIT:
                result.names.add(text)
            if spec.key is None:
                continue
            detail = record.get(spec.key)
            key = (layer, text.casefold())  # a sentence-initial "The Iranian party" is the same string
            places = result.analyses.setdefault(key, {}).setdefault(f"{label}/{detail}", [])
            if len(places) < PLACES_SHOWN:
                places.append(f"{quote_id(record.get('paragraph'))}:{quote_id(record.get('start'))}")
            if key not in result.first:
                result.first[key] = (path, line, str(rid), quote(text))
    return result



def check_variation(found: Survey, ambiguous: Iterable[str]) -> Iterator[Finding]:
    """The same surface string with different labels, entity ids or date values."""
    declared = frozenset(a.casefold() for a in ambiguous)
    for key, analyses in found.analyses.items():
        if len(analyses) < 2:
            continue
        layer, text = key
        path, line, rid, quoted = found.first[key]
        places = "; ".join(f"{place} {quote_id(analysis)}" for analysis, where in
                           list(analyses.items())[:ANALYSES_SHOWN] for place in where)
        if len(analyses) > ANALYSES_SHOWN:
            places += f"; and {len(analyses) - ANALYSES_SHOWN} more analyses"
        yield finding("I701" if text in declared else "W701",
                      f"{layer} {quoted} is annotated {len(analyses)} ways: {places}", file=path, line=line,
                      id=rid)


def read_exceptions(path: Path) -> tuple[dict[tuple[str, int, int], str], list[Finding]]:
    """Deliberately unannotated occurrences: (block, start, end) -> reason."""
    exceptions: dict[tuple[str, int, int], str] = {}
    problems: list[Finding] = []
    if not path.exists():
        return exceptions, problems
    for line, record in iter_lines(path):
        if isinstance(record, BadLine):
            problems.append(finding("E100", record.message, file=path, line=line))
        elif any(k not in record for k in EXCEPTION_FIELDS):
            missing = [k for k in EXCEPTION_FIELDS if k not in record]
            problems.append(finding("E101", f"missing fields {missing}", file=path, line=line))
        elif not (isinstance(record["paragraph"], str) and isinstance(record["reason"], str)
                  and all(type(record[k]) is int for k in ("start", "end"))):
            problems.append(finding("E101", "paragraph and reason must be strings, start and end integers",
                                    file=path, line=line))
        else:
            exceptions[(record["paragraph"], record["start"], record["end"])] = record["reason"]
    return exceptions, problems


class NameMatcher:
    r"""Whole-word occurrences of a set of names in a text: longest first, left to right, not overlapping.

    The matches are those of ``re.finditer`` with the alternation of the
    names, longest first, between ``(?<!\w)`` and ``(?!\w)``; but the time
    is linear in the text whatever the number of names (no more than
    ``NAME_LIMIT`` characters are compared from any one place), and the
    memory linear in the names. Names longer than ``NAME_LIMIT`` are left out.

    >>> matcher = NameMatcher(["Iraq", "Iraqi Kurdistan", "Kurdistan", "(HAYD)"])
    >>> list(matcher.occurrences("Iraqi Kurdistan, Iraq's Kurdistan2 (HAYD)"))
    [(0, 15), (17, 21), (35, 41)]
    """

    __slots__ = ("_root", "_starts")

    def __init__(self, names: Iterable[str]) -> None:
        self._root: _Node = {}
        for name in names:
            if 0 < len(name) <= NAME_LIMIT:
                self._add(name)
        word = sorted({t[0] for t in self._root if _is_word(t[0])})
        other = sorted(t for t in self._root if not _is_word(t[0]))
        # Where a name may start: a word run beginning with a first letter of a name, or a first
        # non-word character of a name; never just after a word character.
        starts = [f"[{''.join(map(re.escape, chars))}]{tail}" for chars, tail in ((word, r"\w*"), (other, ""))
                  if chars]
        self._starts = re.compile(rf"(?<!\w)(?:{'|'.join(starts)})") if starts else None

    def __bool__(self) -> bool:
        return self._starts is not None

    def _add(self, name: str) -> None:
        tokens = _TOKEN.findall(name)
        node = self._root
        for depth, token in enumerate(tokens):
            child = node.get(token)
            if child is None:
                node[token] = name
                return
            if isinstance(child, str):  # a lone name down here: give it a node, one token further down
                if child == name:
                    return
                others = _TOKEN.findall(child)
                child = {others[depth + 1] if depth + 1 < len(others) else "": child}
                node[token] = child
            node = child
        node[""] = name

    def occurrences(self, text: str) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of each occurrence, in order."""
        if self._starts is None:
            return
        done = 0
        for m in self._starts.finditer(text):
            start = m.start()
            if start < done:  # inside the previous occurrence
                continue
            end = self._longest(text, start, self._root.get(m.group()), m.end())
            if end >= 0:
                yield start, end
                done = end

    @staticmethod
    def _longest(text: str, start: int, node: _Node | str | None, at: int) -> int:
        """End of the longest name that starts at ``start`` (its first token ends at ``at``), or -1."""
        best = -1
        while node is not None:
            if isinstance(node, str):
                if text.startswith(node, start) and _word_ends(text, start + len(node)):
                    best = start + len(node)
                break
            if "" in node and _word_ends(text, at):
                best = at
            m = _TOKEN.match(text, at)
            if m is None:
                break
            node, at = node.get(m.group()), m.end()
        return best


def _word_ends(text: str, at: int) -> bool:
    """No word character at ``at``: what ``(?!\\w)`` asserts."""
    return at >= len(text) or not _is_word(text[at])


def _is_word(char: str) -> bool:
    """A word character, as ``\\w`` matches them in a ``str`` pattern."""
    return char.isalnum() or char == "_"


def name_pattern(registry: Iterable[RegistryEntity], found: Survey) -> NameMatcher | None:
    """The matcher of every registry alias and annotated name (None if there is none to search)."""
    aliases = (alias for entity in registry for alias in entity.aliases if isinstance(alias, str) and alias.strip())
    matcher = NameMatcher(chain(aliases, found.names))
    return matcher if matcher else None


def check_unannotated(block: Block, path: Path, line: int, pattern: NameMatcher | None,
                      located: list[Located], exceptions: dict[tuple[str, int, int], str],
                      schema: Schema) -> Iterator[Finding]:
    """Occurrences of registry aliases and annotated names in a block that no span of a layer with a ``key`` covers."""
    if pattern is None:
        return
    spans = sorted((i.annotation.start, i.annotation.end) for i in located
                   if schema.layers[i.annotation.layer].key is not None)
    starts = [start for start, _ in spans]
    reach = list(accumulate((end for _, end in spans), max))  # furthest end of the spans up to each one
    for start, end in pattern.occurrences(block.text):
        covered = bisect_right(starts, start)
        if covered and reach[covered - 1] >= end:
            continue
        name = quote(block.text[start:end])
        reason = exceptions.get((block.id, start, end))
        if reason is not None:
            yield finding("I702", f"{name} at {start}:{end} left unannotated: {quote(reason)}",
                          file=path, line=line, id=block.id)
        else:
            yield finding("W702", f"{name} at {start}:{end} is not annotated", file=path, line=line, id=block.id)
