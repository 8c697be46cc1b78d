"""Where msgcopy-viewer keeps its files (platformdirs, overridable with --data-dir): data,
config and logs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "msgcopy-viewer"
ENV_DATA_DIR = "MSGCOPY_VIEWER_DATA_DIR"


def data_dir(override: str | Path | None = None) -> Path:
    """The data folder: ``override``, else $MSGCOPY_VIEWER_DATA_DIR, else the platform's."""
    if override:
        return Path(override).expanduser().absolute()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().absolute()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_case_path(override: str | Path | None = None) -> Path:
    return data_dir(override) / "default.mcase"


def demo_case_path(override: str | Path | None = None) -> Path:
    return data_dir(override) / "demo" / "demo.mcase"


def demo_corpus_dir(override: str | Path | None = None) -> Path:
    return data_dir(override) / "demo" / "corpus"


def config_dir(override: str | Path | None = None) -> Path:
    """The config folder (recent cases, settings): ``config`` in the data folder when one
    is given (``--data-dir`` or $MSGCOPY_VIEWER_DATA_DIR: tests, demos), else the
    platform's."""
    if override or os.environ.get(ENV_DATA_DIR):
        return data_dir(override) / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def log_dir(override: str | Path | None = None) -> Path:
    if override or os.environ.get(ENV_DATA_DIR):
        return data_dir(override) / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
