"""Checks between the spans of one block: token alignment and each layer's overlap policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from spacy.tokens import Doc

from ..models import Block
from .findings import Finding, Where, finding
from .records import Located
from .schema import LayerSchema


def check_alignment(tokenize: Callable[[str], Doc], block: Block, located: list[Located]) -> Iterator[Finding]:
    """Error for every span boundary that falls inside a token of the toolkit's tokenizer."""
    if not located:
        return
    doc = tokenize(block.text)
    starts = {t.idx for t in doc}
    ends = {t.idx + len(t) for t in doc}
    for item in located:
        a = item.annotation
        for name, offset, ok in (("start", a.start, a.start in starts), ("end", a.end, a.end in ends)):
            if not ok:
                token = next((t.text for t in doc if t.idx < offset < t.idx + len(t)), "?")
                yield finding("E201", f"{name} {offset} of {a.text!r} falls inside the token {token!r}",
                              file=item.file, line=item.line, id=a.id)


def check_overlaps(layer: LayerSchema, located: Iterable[Located]) -> Iterator[Finding]:
    """Crossing, duplicate and nested spans of one layer in one block, against its declared policy."""
    items = sorted(located, key=lambda i: (i.annotation.start, -i.annotation.end))
    for i, outer in enumerate(items):
        o = outer.annotation
        for inner in items[i + 1:]:
            n = inner.annotation
            if n.start >= o.end:
                break
            where: Where = {"file": inner.file, "line": inner.line, "id": n.id}
            if (n.start, n.end) == (o.start, o.end):
                if n.label == o.label and not layer.duplicates:
                    yield finding("E302", f"same span and label as {o.id} ({o.text!r})", **where)
            elif n.end > o.end:
                if not layer.crossing:
                    yield finding("E301", f"{n.text!r} ({n.start}:{n.end}) crosses {o.id} "
                                  f"{o.text!r} ({o.start}:{o.end})", **where)
            elif not _nesting_allowed(layer, outer):
                yield finding("E303", f"{n.text!r} is nested in {o.id} {o.text!r}", **where)


def _nesting_allowed(layer: LayerSchema, outer: Located) -> bool:
    if isinstance(layer.nesting, bool):
        return layer.nesting
    required = layer.nesting.get("outer", {})
    return all(outer.annotation.attrs.get(k) == v for k, v in required.items())
