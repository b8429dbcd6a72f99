"""The version of the on-disk format, written in ``document.json`` and ``schema.json``.

``MAJOR.MINOR``: a reader reads every minor version of its major version
(a minor version only adds optional fields); a newer major version is
refused with a message saying so, never half-read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .display import quote

FORMAT_VERSION = "1.0"
FIELD = "format_version"
_VERSION = re.compile(r"(\d+)\.(\d+)")


def check_version(record: dict[str, Any], path: Path) -> str:
    """The format version of a ``document.json`` or ``schema.json`` record; ValueError if it cannot be read.

    >>> check_version({"format_version": "1.3"}, Path("schema.json"))
    '1.3'
    >>> check_version({"format_version": "2.0"}, Path("schema.json"))
    Traceback (most recent call last):
    ValueError: format_version '2.0': written for a newer toolkit (this one reads format 1.x); upgrade the toolkit
    """
    value = record.get(FIELD)
    m = _VERSION.fullmatch(value) if isinstance(value, str) else None
    if m is None:
        found = "it is missing" if value is None else f"not {quote(value)}"
        raise ValueError(f"{FIELD} should be a string MAJOR.MINOR, like {quote(FORMAT_VERSION)}: {found}")
    if int(m.group(1)) > int(FORMAT_VERSION.split(".", maxsplit=1)[0]):
        raise ValueError(f"{FIELD} {quote(value)}: written for a newer toolkit (this one reads format "
                         f"{FORMAT_VERSION.split('.', maxsplit=1)[0]}.x); upgrade the toolkit")
    if int(m.group(1)) < 1:
        raise ValueError(f"{FIELD} {quote(value)} is older than any format this toolkit reads")
    return str(value)
