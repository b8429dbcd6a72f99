"""Checks between the spans of one block: token alignment and each layer's overlap policy.

Both take time O(n log n) in the number of spans (plus tokenizing the
text around their boundaries), whatever their shape: all nested, all
crossing, all identical. Each root cause is reported once.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator

import numpy
from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc

from ..display import quote, quote_id
from ..models import Block
from ..schema import LayerSchema, Schema
from .findings import Finding, Where, finding
from .records import Located


def check_alignment(tokenize: Callable[[str], Doc], block: Block, located: list[Located]) -> Iterator[Finding]:
    """Error for every span boundary that falls inside a token of the toolkit's tokenizer.

    A block longer than ``PIECE`` characters is tokenized a piece at a time,
    cut between words (no token crosses a single space between two words),
    and only the pieces that hold a boundary: a Doc of a 50 MB block would
    take 4 GB.
    """
    if not located:
        return
    text = block.text
    wanted = sorted({o for item in located for o in (item.annotation.start, item.annotation.end)})
    starts: set[int] = set()
    ends: set[int] = set()
    inside: dict[int, str] = {}  # offset -> the token around it
    for lo, hi in _pieces(text, wanted):
        doc = tokenize(text[lo:hi])
        bounds = doc.to_array([IDX, LENGTH])  # token offsets as arrays: no Token object per token
        token_starts = bounds[:, 0] + lo
        token_ends = token_starts + bounds[:, 1]
        here = numpy.asarray(wanted[bisect_left(wanted, lo):bisect_right(wanted, hi)], dtype=numpy.int64)
        if not len(here) or not len(token_starts):
            continue
        n = len(token_starts)
        i = numpy.minimum(numpy.searchsorted(token_starts, here), n - 1)
        starts.update(here[token_starts[i] == here].tolist())
        j = numpy.minimum(numpy.searchsorted(token_ends, here), n - 1)
        ends.update(here[token_ends[j] == here].tolist())
        before = numpy.searchsorted(token_starts, here, side="right") - 1  # the last token starting before
        cut = (before >= 0) & (here < token_ends[numpy.maximum(before, 0)])
        for offset, k in zip(here[cut].tolist(), before[cut].tolist(), strict=True):
            inside[offset] = doc[k].text
    for item in located:
        a = item.annotation
        for name, offset, edges in (("start", a.start, starts), ("end", a.end, ends)):
            if offset not in edges:
                yield finding("E201", f"{name} {offset} of {quote(a.text)} falls inside the token "
                              f"{quote(inside.get(offset, '?'))}", file=item.file, line=item.line, id=a.id)


PIECE = 100_000  # characters
SHOWN = 5  # registry ids an I509 message names
_CUT = re.compile(r"(?<=\S )(?=\S)")  # one space between two words: no token crosses it


def _pieces(text: str, wanted: list[int]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the pieces of ``text`` that hold an offset of ``wanted`` (sorted)."""
    if len(text) <= PIECE:
        yield 0, len(text)
        return
    start = 0
    while start < len(text):
        cut = _CUT.search(text, start + PIECE)
        end = cut.start() if cut else len(text)
        i = bisect_left(wanted, start)
        if i < len(wanted) and wanted[i] <= end:
            yield start, end
        start = end


def check_overlaps(layer: LayerSchema, located: Iterable[Located]) -> Iterator[Finding]:
    """Crossing, duplicate and nested spans of one layer in one block, against its declared policy.

    A sweep over the spans sorted by (start, -end) keeps the open spans on a
    stack, each nested in the one below it. A span is reported once, for
    the first rule it breaks: a second span with the offsets and label of an
    earlier one (E302, against the first); a span that crosses the
    innermost open span (E301, against it); a span nested where the policy
    forbids it (E303, against the nearest outer span that forbids it).
    Spans with the same offsets are not nested in each other. A span that
    crosses (where the layer allows it) is checked for nesting, but is not
    the outer span of later ones.
    """
    items = sorted(located, key=lambda i: (i.annotation.start, -i.annotation.end))
    stack: list[Located] = []
    ends: list[int] = []  # -end of each span on the stack: ascending, for bisect
    forbidding: list[Located | None] = []  # the nearest span at or below each one whose policy forbids nesting
    same: dict[str, Located] = {}  # the first span of each label with the current offsets
    offsets, base = (-1, -1), 0  # the current offsets; where the spans with them begin on the stack
    for item in items:
        n = item.annotation
        where: Where = {"file": item.file, "line": item.line, "id": n.id}
        while stack and stack[-1].annotation.end <= n.start:
            stack.pop(), ends.pop(), forbidding.pop()
        if (n.start, n.end) != offsets:
            same, offsets, base = {}, (n.start, n.end), len(stack)
        first = same.setdefault(n.label, item)
        if first is not item and not layer.duplicates:
            yield finding("E302", f"same span and label as {quote_id(first.annotation.id)} "
                          f"({quote(first.annotation.text)})",
                          **where)
            continue
        crossing = bool(stack) and n.end > stack[-1].annotation.end
        if crossing and not layer.crossing:
            o = stack[-1].annotation
            yield finding("E301", f"{quote(n.text)} ({n.start}:{n.end}) crosses {quote_id(o.id)} {quote(o.text)} "
                          f"({o.start}:{o.end})", **where)
            continue
        # The innermost span that holds this one: below those it crosses and those with its offsets.
        holder = min(bisect_right(ends, -n.end), base) - 1
        outer = forbidding[holder] if holder >= 0 else None
        if outer is not None:
            yield finding("E303", f"{quote(n.text)} is nested in {quote_id(outer.annotation.id)} "
                          f"{quote(outer.annotation.text)}", **where)
        if not crossing:
            below = forbidding[-1] if forbidding else None
            stack.append(item)
            ends.append(-n.end)
            forbidding.append(below if _nesting_allowed(layer, item) else item)



def _nesting_allowed(layer: LayerSchema, outer: Located) -> bool:
    if isinstance(layer.nesting, bool):
        return layer.nesting
    required = layer.nesting.get("outer", {})
    return all(outer.annotation.attrs.get(k) == v for k, v in required.items())


def check_contained_links(schema: Schema, located: Iterable[Located]) -> Iterator[Finding]:
    """Info for each linked mention inside a span whose registry-id list does not name it (I509).

    A span of a layer with a ``registry_ids`` attribute (a claim's ``about``)
    that contains a span of a layer linked to the registry (an entity
    mention) should list that mention's id. Mentions are sorted by start, so
    each span looks only at the mentions that start inside it; identical
    mentions count once, and spans with the same offsets and lists share
    one answer. A list attribute that is not a list is E402 already.
    """
    linked: set[tuple[int, int, str]] = set()
    listing: list[tuple[Located, list[str]]] = []
    for item in located:
        layer = schema.layers[item.annotation.layer]
        link = layer.link
        if link is not None and isinstance(item.annotation.attrs.get(link), str):
            linked.add((item.annotation.start, item.annotation.end, item.annotation.attrs[link]))
        lists = [name for name, a in layer.attributes.items() if a.type == "registry_ids"]
        if lists:
            listing.append((item, lists))
    if not linked:
        return
    mentions = sorted(linked)
    starts = [start for start, _, _ in mentions]
    answers: dict[tuple[int, int, frozenset[str]], list[str]] = {}
    for item, lists in listing:
        a = item.annotation
        values = [a.attrs.get(name) for name in lists]
        if not all(isinstance(v, list) for v in values if v is not None):
            continue
        named = frozenset(v for value in values for v in (value or []) if isinstance(v, str))
        key = (a.start, a.end, named)
        if key not in answers:
            missing: dict[str, None] = {}
            for _, end, entity in mentions[bisect_left(starts, a.start):bisect_left(starts, a.end)]:
                if end <= a.end and entity not in named:
                    missing[entity] = None
            answers[key] = list(missing)
        missing_ids = answers[key]
        if missing_ids:
            shown = [quote(e) for e in missing_ids[:SHOWN]]
            if len(missing_ids) > SHOWN:
                shown.append(f"{len(missing_ids) - SHOWN} more")
            yield finding("I509", f"{quote(a.text)} holds mentions of {', '.join(shown)}, which "
                          f"{' or '.join(lists)} does not name", file=item.file, line=item.line, id=a.id)


def check_quotes(block: Block, located: Iterable[Located]) -> Iterator[Finding]:
    """Warn for a quotation opened inside a span and closed after it (W205).

    The block's quotation marks are found once; each span then costs a few
    binary searches, however long the block or the span. A curly “ is left
    open when the span holds more “ than ”; a straight ``"`` when the span
    holds an odd number of them and the last stands where a quotation opens
    (at the start, or after a space or an opening bracket or dash).
    """
    text = block.text
    opening = [m.start() for m in _OPENING.finditer(text)]
    closing = [m.start() for m in _CLOSING.finditer(text)]
    straight = [m.start() for m in _STRAIGHT.finditer(text)]
    if not opening and not straight:
        return
    for item in located:
        a = item.annotation
        first_open, last_open = bisect_left(opening, a.start), bisect_left(opening, a.end)
        open_at = -1
        if last_open - first_open > bisect_left(closing, a.end) - bisect_left(closing, a.start):
            open_at = opening[last_open - 1]
            closed_after = bisect_left(closing, a.end) < len(closing)
        else:
            first, last = bisect_left(straight, a.start), bisect_left(straight, a.end)
            if (last - first) % 2:
                at = straight[last - 1]
                if at == a.start or text[at - 1].isspace() or text[at - 1] in _OPENS:
                    open_at = at
            closed_after = last < len(straight)
        if open_at >= 0 and closed_after:
            yield finding("W205", f"{quote(a.text)} opens a quotation at {open_at} that closes after the span",
                          file=item.file, line=item.line, id=a.id)


_OPENING = re.compile("“")
_CLOSING = re.compile("”")
_STRAIGHT = re.compile('"')
_OPENS = "([{“‘—–-/"
