"""Where the shipped corpus and annotations live.

An installed wheel carries them inside the package (``toolkit/_data``); a
source checkout or an editable install finds them beside the package.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ToolkitError

_PACKAGE = Path(__file__).resolve().parent
ANNOTATION_FILES = ("schema.json", "registry.jsonl")


def _default(name: str) -> Path:
    packaged = _PACKAGE / "_data" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def resolve_corpus_dir(corpus_dir: str | Path | None = None, *, must_exist: bool = True) -> Path:
    """The corpus folder: ``corpus_dir`` if given, else the shipped one.

    ``must_exist=False`` asks for a folder to write into (``ingest``): there
    the default is ``./corpus`` in the working directory, never the shipped
    data, and a folder inside the installed package is refused.
    """
    if must_exist:
        return _resolve(corpus_dir, "corpus", must_exist)
    path = Path(corpus_dir) if corpus_dir is not None else Path("corpus")
    if path.resolve().is_relative_to(_PACKAGE):
        raise ToolkitError("refusing to write inside the installed toolkit package; pass --corpus DIR",
                           file=path)
    return path


def resolve_annotations_dir(annotations_dir: str | Path | None = None, *, must_exist: bool = True) -> Path:
    """The annotations folder: ``annotations_dir`` if given, else the shipped one.

    An annotations folder holds ``schema.json`` and ``registry.jsonl``; a
    layer file it lacks is an empty layer.
    """
    path = _resolve(annotations_dir, "annotations", must_exist)
    if must_exist:
        missing = [name for name in ANNOTATION_FILES if not (path / name).is_file()]
        if missing:
            raise ToolkitError(f"not an annotations folder: no {' and no '.join(missing)}", file=path)
    return path


def _resolve(given: str | Path | None, name: str, must_exist: bool) -> Path:
    path = Path(given) if given is not None else _default(name)
    if must_exist and not path.is_dir():
        raise ToolkitError(f"no {name} folder here", file=path)
    return path
