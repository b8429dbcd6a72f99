"""Two versions of a source aligned character by character, and offsets carried from the old to the new.

The diff is diff-match-patch's (Myers' algorithm with its line-mode
speed-up), never one written here, shifted to word and sentence edges
(``diff_cleanupSemanticLossless``): a raw diff may match a deleted sentence's
last words with the next sentence's, cutting spans that nobody touched. A character of the old text *survives* when
it lies in a stretch both versions share; a span survives when its first and
last characters do, and then its new offsets follow from theirs. What a span
cannot be mapped through, the *changed region* says where to look for its
quote: the new text between the nearest survivors on either side.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

EQUAL, INSERT = 0, 1


@dataclass(frozen=True, slots=True)
class Span:
    """A span of the new text: where an old span went (``start``, ``end``) and whether its text is unchanged."""

    start: int
    end: int
    intact: bool


class Alignment:
    """The shared stretches of an old and a new text, and the inserted ones.

    >>> a = Alignment("the party s program", "the party’s new program")
    >>> a.span(0, 9), a.span(4, 19)
    (Span(start=0, end=9, intact=True), Span(start=4, end=23, intact=False))
    >>> a.span(9, 11) is None  # its first character, the space, is gone
    True
    """

    def __init__(self, old: str, new: str) -> None:
        differ = diff_match_patch()
        differ.Diff_Timeout = 0  # exact, however long it takes: a wrong alignment would move annotations wrongly
        self.old, self.new = old, new
        self.equal: list[tuple[int, int, int]] = []  # (old start, new start, length), in order
        self.inserted: list[tuple[int, int]] = []  # new-text ranges that the old text does not have
        i = j = 0
        diffs = differ.diff_main(old, new, False)
        differ.diff_cleanupSemanticLossless(diffs)
        for op, text in diffs:
            if op == EQUAL:
                self.equal.append((i, j, len(text)))
                i, j = i + len(text), j + len(text)
            elif op == INSERT:
                self.inserted.append((j, j + len(text)))
                j += len(text)
            else:
                i += len(text)
        self._starts = [start for start, _, _ in self.equal]

    @property
    def unchanged(self) -> bool:
        return self.old == self.new

    def position(self, i: int) -> int | None:
        """The new offset of old character ``i``, or None if it did not survive."""
        k = bisect_right(self._starts, i) - 1
        if k < 0:
            return None
        start, new_start, length = self.equal[k]
        return new_start + i - start if i < start + length else None

    def span(self, start: int, end: int) -> Span | None:
        """Where the old span ``[start, end)`` is in the new text, if its first and last characters survive."""
        first, last = self.position(start), self.position(end - 1)
        if first is None or last is None or last < first:
            return None
        new_end = last + 1
        return Span(first, new_end, self.new[first:new_end] == self.old[start:end])

    def region(self, start: int, end: int) -> tuple[int, int]:
        """The new text that replaced the old ``[start, end)``: between the nearest survivors around it."""
        k = bisect_right(self._starts, start - 1) - 1  # the last stretch that begins before the span
        before = 0
        if k >= 0:
            old_start, new_start, length = self.equal[k]
            before = new_start + min(start - old_start, length)
        k = bisect_right(self._starts, end) - 1  # the stretch around the span's end, or the next one
        if k >= 0 and end < self.equal[k][0] + self.equal[k][2]:
            after = self.equal[k][1] + end - self.equal[k][0]
        else:
            after = self.equal[k + 1][1] if k + 1 < len(self.equal) else len(self.new)
        return before, max(before, after)
