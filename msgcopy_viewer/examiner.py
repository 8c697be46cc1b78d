"""Who is making a change: the examiner's name the audit log records.

``--examiner NAME`` on the command line, else the name saved by the app (Edit ▸ Examiner
Name…, key ``report/examiner`` of the settings file ``msgcopy-viewer.ini`` in the config
folder — the key the reports' export dialog keeps the examiner under too), else the
operating system's login name.
"""

from __future__ import annotations

import configparser
import getpass
from pathlib import Path

from msgcopy_viewer import paths

SETTINGS_FILE = "msgcopy-viewer.ini"  # the app's QSettings INI file (ui.settings)
EXAMINER_KEY = "report/examiner"  # shared with the reports' export dialog


def saved_examiner(data_dir: str | Path | None = None) -> str | None:
    """The name the app saved, read from its INI file without Qt."""
    path = paths.config_dir(data_dir) / SETTINGS_FILE
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    section, key = EXAMINER_KEY.split("/")
    try:
        parser.read(path, encoding="utf-8")
        raw = parser.get(section, key, fallback="")
    except (OSError, configparser.Error, UnicodeDecodeError):
        return None
    return " ".join(ini_string(raw).split()) or None


def ini_string(raw: str) -> str:
    """A string value as Qt's INI writer stores it: quoted when it holds a comma or
    spaces at its ends, with backslash escapes; ``@@`` for a leading ``@``."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    text = "".join(out)
    return text[1:] if text.startswith("@@") else text


def login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown examiner"


def examiner_name(given: str | None = None, data_dir: str | Path | None = None) -> str:
    if given and given.strip():
        return " ".join(given.split())
    return saved_examiner(data_dir) or login_name()
