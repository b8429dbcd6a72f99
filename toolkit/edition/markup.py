"""The one path by which anything reaches HTML: elements built here, every value escaped.

Data may hold anything, so markup is safe by construction: every element is
built by :func:`element`, which escapes attribute values (quotes included);
text goes through :func:`text`; class names come from fixed tables, never
from data; and every link is a fragment of the page (``#id``). No f-string
in :mod:`toolkit.edition` puts a data value into markup by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape


def text(value: object) -> str:
    """``value`` as element content: every character that could start markup escaped.

    >>> text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return escape(str(value), quote=True)


def attributes(attrs: Mapping[str, object | None]) -> str:
    """Attributes (names are the code's own; ``None`` leaves one out), every value escaped."""
    return "".join(f' {name}="{escape(str(value), quote=True)}"' for name, value in attrs.items()
                   if value is not None)


def element(tag: str, inner: str = "", attrs: Mapping[str, object | None] | None = None) -> str:
    """``<tag attrs>inner</tag>``; ``inner`` is markup built here (by ``element`` or ``text``).

    >>> element("a", text("x<y"), {"href": fragment('" onclick="alert(1)'), "title": None})
    '<a href="#&quot; onclick=&quot;alert(1)">x&lt;y</a>'
    """
    return f"{start_tag(tag, attrs or {})}{inner}</{tag}>"


def start_tag(tag: str, attrs: Mapping[str, object | None]) -> str:
    """A start tag alone: of an element without content (``meta``), or one closed later by the caller.

    >>> start_tag("meta", {"name": "viewport", "content": "width=device-width"})
    '<meta name="viewport" content="width=device-width">'
    """
    return f"<{tag}{attributes(attrs)}>"


def fragment(target: str) -> str:
    """A link within the page to the element with id ``target`` (escaped with the other attributes)."""
    return "#" + target
