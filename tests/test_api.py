"""The public API: every name in ``toolkit.__all__`` stays what it is, whatever was imported before."""

from __future__ import annotations

import importlib
import pkgutil

import toolkit


def test_public_names_survive_importing_every_module() -> None:
    for module in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if module.name != "toolkit.__main__":  # running it is the CLI
            importlib.import_module(module.name)
    for name in toolkit.__all__:
        value = getattr(toolkit, name)
        assert callable(value) and not isinstance(value, type(toolkit)), name
