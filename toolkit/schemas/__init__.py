"""JSON Schemas of the records the commands write (``toolkit schema NAME``)."""

from __future__ import annotations

from importlib.resources import files

from ..errors import ToolkitError

NAMES = ("entities", "dates", "claims", "footnotes", "findings", "blocks")


def read_schema_text(name: str) -> str:
    """The JSON Schema ``name`` as text."""
    if name not in NAMES:
        raise ToolkitError(f"no schema {name!r}; choose one of {', '.join(NAMES)}")
    return files(__package__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
