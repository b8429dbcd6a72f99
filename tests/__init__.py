"""The test suite: a package, so that ``from .conftest import ...`` resolves for mypy as it does for pytest."""
