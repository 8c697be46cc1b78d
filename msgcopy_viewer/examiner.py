"""Who is making a change: the examiner's name the audit log records.

``--examiner NAME`` on the command line, else the name saved in the app's settings
(``settings.json``, key ``examiner``; Edit ▸ Examiner Name… in the app), else the
operating system's login name.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from msgcopy_viewer import paths

SETTINGS_FILE = "settings.json"
KEY = "examiner"


def saved_examiner(data_dir: str | Path | None = None) -> str | None:
    path = paths.config_dir(data_dir) / SETTINGS_FILE
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = obj.get(KEY) if isinstance(obj, dict) else None
    return " ".join(value.split()) or None if isinstance(value, str) else None


def login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown examiner"


def examiner_name(given: str | None = None, data_dir: str | Path | None = None) -> str:
    if given and given.strip():
        return " ".join(given.split())
    return saved_examiner(data_dir) or login_name()
