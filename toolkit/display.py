"""Values from data, made safe to show in a message or on a terminal.

Data may hold anything: a 50 MB string, terminal escape sequences, a
``<script>`` tag. Messages quote values through :func:`quote` (at most about
80 characters, with the full length), and the CLI passes every line it
prints through :func:`printable`. HTML has its own single escaping path in
:mod:`toolkit.edition.markup`.
"""

from __future__ import annotations

import re
from typing import Any

QUOTE_LIMIT = 80
# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of a value, cut to about ``limit`` characters with its length.

    >>> quote("Iraq")
    "'Iraq'"
    >>> quote("Kurdistan " * 100)
    "'Kurdistan Kurdistan Kurdistan Kurdistan Kurdistan Kurdistan Kurdistan Kurdistan '… (1000 characters)"
    """
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value)} characters)"
    text = repr(value)
    if len(text) > limit + 2:
        return f"{text[:limit]}… ({len(text)} characters as written)"
    return text


def quote_id(value: Any) -> str:
    """An id or an offset as a message shows it: as it is when short and plain, else through :func:`quote`.

    >>> quote_id("pwc.p1.para3"), quote_id(42), quote_id("a b")
    ('pwc.p1.para3', '42', "'a b'")
    """
    text = value if isinstance(value, str) else str(value) if type(value) is int else None
    if text is not None and len(text) <= QUOTE_LIMIT and text.isprintable() and " " not in text:
        return text
    return quote(value)


def printable(text: str) -> str:
    r"""``text`` with control characters shown as escapes, so data cannot drive the terminal.

    Tabs and newlines are kept (they are the message's own layout).

    >>> printable("a\x1b[2Jb")
    'a\\x1b[2Jb'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)
