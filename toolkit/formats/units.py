"""Offsets in UTF-16 code units (JavaScript string indices: Label Studio, doccano) and back.

Only formats that count in UTF-16 use this, at their own edge; everything
else counts code points.

>>> units = Utf16("a𝔸b")
>>> units.to_units(2), units.to_points(3), units.to_points(2) is None
(3, 2, True)
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right


class Utf16:
    """Code point offsets of one text to UTF-16 offsets and back."""

    def __init__(self, text: str) -> None:
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]  # code points that take two units
        self._starts = [p + n for n, p in enumerate(self._astral)]  # where each one starts, in units
        self._length = len(text) + len(self._astral)

    def to_units(self, point: int) -> int:
        return point + bisect_left(self._astral, point)

    def to_points(self, unit: int) -> int | None:
        """The code point offset at ``unit``; None inside a surrogate pair or outside the text."""
        if not 0 <= unit <= self._length:
            return None
        before = bisect_right(self._starts, unit - 2)  # astral characters that end at or before ``unit``
        if before < len(self._starts) and self._starts[before] == unit - 1:
            return None  # between the two halves of a pair
        return unit - before
