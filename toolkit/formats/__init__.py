"""The formats of the tools annotators use, one module each, converting at their own edge.

Each module is an :class:`~toolkit.formats.model.Exporter` (``export_document``
and ``export_config``), and a two-way one also an :class:`~toolkit.formats.model.Importer`
(``read``, and ``default_mapping``: how its types read back into layers).
:mod:`toolkit.exchange` runs them (``toolkit export``, ``toolkit import``).

>>> sorted(FORMATS)
['brat', 'conll', 'docbin', 'doccano', 'labelstudio', 'prodigy', 'w3c', 'xmi']
"""

from __future__ import annotations

from importlib import import_module
from typing import cast

from ..display import quote
from ..errors import ToolkitError
from .model import Exporter, Importer

# name -> (module, extra it needs, or None)
FORMATS = {
    "xmi": ("xmi", "inception"),
    "brat": ("brat", None),
    "labelstudio": ("labelstudio", None),
    "prodigy": ("prodigy", None),
    "doccano": ("doccano", None),
    "docbin": ("docbin", None),
    "conll": ("conll", None),
    "w3c": ("w3c", "w3c"),
}


TWO_WAY = ("xmi", "brat", "labelstudio", "prodigy", "doccano")  # the others are export only


def exporter(name: str) -> Exporter:
    """The format module ``name``; a ToolkitError lists the formats, or names the extra to install."""
    return cast(Exporter, _module(name))


def importer(name: str) -> Importer:
    """The format module ``name`` if it reads back (a ToolkitError otherwise)."""
    if name in FORMATS and name not in TWO_WAY:
        raise ToolkitError(f"the {name} format is export only; import reads {', '.join(TWO_WAY)}")
    return cast(Importer, _module(name))


def _module(name: str) -> object:
    if name not in FORMATS:
        raise ToolkitError(f"unknown format {quote(name)}; the formats are {', '.join(FORMATS)}")
    module, extra = FORMATS[name]
    try:
        return import_module(f".{module}", __name__)
    except ModuleNotFoundError as e:
        if extra is None or not e.name or e.name.startswith("toolkit"):
            raise
        raise ToolkitError(f"the {name} format needs {e.name}: pip install 'standoff-toolkit[{extra}]' (in a checkout: "
                           f"pip install '.[{extra}]')") from None
