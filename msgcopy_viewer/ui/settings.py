"""The app's remembered settings: one INI file (QSettings) in the config folder.

Window size and position, splitter positions, the chosen time zone and theme, and the
recent cases live in ``<config>/msgcopy-viewer.ini``. Earlier versions kept the time zone
in ``settings.json`` and the recent cases in ``recent-cases.json``; they are read once
into the INI file (and left in place, unchanged) when it does not have them yet.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QRect, QSettings

log = logging.getLogger(__name__)

SETTINGS_FILE = "msgcopy-viewer.ini"
MAX_RECENT = 10


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return default


class AppSettings:
    def __init__(self, config_dir: Path) -> None:
        self.config_dir = Path(config_dir)
        self.path = self.config_dir / SETTINGS_FILE
        try:
            self.config_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("cannot create %s: %s", self.config_dir, exc)
        self.qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        self._migrate_json()

    def _migrate_json(self) -> None:
        if self.qs.contains("migrated/json"):
            return
        old = _read_json(self.config_dir / "settings.json", {})
        if isinstance(old, dict) and isinstance(old.get("time_zone"), str):
            self.qs.setValue("view/time_zone", old["time_zone"])
        recent = _read_json(self.config_dir / "recent-cases.json", [])
        if isinstance(recent, list) and recent:
            self.qs.setValue("recent/cases", [p for p in recent if isinstance(p, str)])
        self.qs.setValue("migrated/json", True)
        self.sync()

    def sync(self) -> None:
        self.qs.sync()
        if self.qs.status() != QSettings.Status.NoError:
            log.warning("cannot save %s (%s)", self.path, self.qs.status().name)

    # -- plain values ----------------------------------------------------------------------
    def text(self, key: str, default: str = "") -> str:
        value = self.qs.value(key, default)
        return value if isinstance(value, str) else default

    def set_text(self, key: str, value: str) -> None:
        self.qs.setValue(key, value)
        self.sync()

    def strings(self, key: str) -> list[str]:
        value = self.qs.value(key, [])
        if isinstance(value, str):  # an INI list of one is read back as a string
            return [value]
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    def set_strings(self, key: str, values: list[str]) -> None:
        if values:
            self.qs.setValue(key, list(values))
        else:
            self.qs.remove(key)
        self.sync()

    def rect(self, key: str) -> QRect | None:
        value = self.qs.value(key)
        return value if isinstance(value, QRect) and value.isValid() else None

    def set_rect(self, key: str, rect: QRect) -> None:
        self.qs.setValue(key, rect)

    def flag(self, key: str) -> bool:
        value = self.qs.value(key, False)
        return value is True or (isinstance(value, str) and value.lower() == "true")

    def set_flag(self, key: str, value: bool) -> None:
        self.qs.setValue(key, bool(value))

    def bytes(self, key: str) -> QByteArray | None:
        value = self.qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes(self, key: str, value: QByteArray) -> None:
        self.qs.setValue(key, value)


class RecentCases:
    """Most recently used case files, newest first."""

    KEY = "recent/cases"

    def __init__(self, settings: AppSettings) -> None:
        self.settings = settings
        self._items: list[str] = settings.strings(self.KEY)[:MAX_RECENT]

    def items(self) -> list[Path]:
        return [Path(p) for p in self._items]

    def _save(self) -> None:
        self.settings.set_strings(self.KEY, self._items)

    def add(self, case_path: Path) -> None:
        key = str(Path(case_path).absolute())
        self._items = [key] + [p for p in self._items if p != key]
        del self._items[MAX_RECENT:]
        self._save()

    def remove(self, case_path: Path) -> None:
        key = str(Path(case_path).absolute())
        if key in self._items:
            self._items.remove(key)
            self._save()

    def clear(self) -> None:
        self._items = []
        self._save()
