"""The app's assets: icons, the threading rule text, desktop integration files.

This folder is installed as the package ``msgcopy_viewer.resources`` (see pyproject.toml);
the app reads it with ``importlib.resources``, never through a path into the source tree.
"""
