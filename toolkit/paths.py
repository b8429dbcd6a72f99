"""Where the shipped corpus and annotations live.

An installed wheel carries them inside the package (``toolkit/_data``); a
source checkout or an editable install finds them beside the package.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ToolkitError

_PACKAGE = Path(__file__).resolve().parent


def _default(name: str) -> Path:
    packaged = _PACKAGE / "_data" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def resolve_corpus_dir(corpus_dir: str | Path | None = None, *, must_exist: bool = True) -> Path:
    """The corpus folder: ``corpus_dir`` if given, else the shipped one."""
    return _resolve(corpus_dir, "corpus", must_exist)


def resolve_annotations_dir(annotations_dir: str | Path | None = None, *, must_exist: bool = True) -> Path:
    """The annotations folder: ``annotations_dir`` if given, else the shipped one."""
    return _resolve(annotations_dir, "annotations", must_exist)


def _resolve(given: str | Path | None, name: str, must_exist: bool) -> Path:
    path = Path(given) if given is not None else _default(name)
    if must_exist and not path.is_dir():
        raise ToolkitError(f"no {name} folder here", file=path)
    return path
