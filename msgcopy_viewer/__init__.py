"""msgcopy-viewer: import, browse, search and export Message Copy SMS/MMS data."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # The version lives in pyproject.toml alone; the installed package metadata carries it.
    if name == "__version__":
        from msgcopy_viewer.about import version

        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
