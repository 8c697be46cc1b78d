"""The time zone every timestamp in the UI is shown in (UTC, this computer's, any IANA zone,
or "as recorded": each event in the UTC offset its ``startTime`` was written with).

Conversions use ``zoneinfo`` per instant, so daylight-saving changes are right for every
message, not just for "now". ``generation`` increments on each change so caches keyed
on formatted text (bubble sizes, date separators) know when to drop entries.

Every method that turns an instant into text takes the event's raw ``startTime`` as
``raw``: the "as recorded" mode reads the offset from it. A time that has no raw string
(an import's start, a conversation's last activity) is shown in UTC in that mode, and
says so.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from PySide6.QtCore import QObject, Qt, QTimeZone, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from msgcopy_viewer.core.events import format_utc_ms, recorded_offset_min

UTC_KEY = "UTC"
LOCAL_KEY = "local"
RECORDED_KEY = "recorded"
RECORDED_LABEL = "As recorded (each event's own offset)"


def system_zone_name() -> str | None:
    """The IANA name of this computer's zone, if Qt and zoneinfo both know it."""
    try:
        name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    except Exception:  # pragma: no cover - platform oddities
        return None
    if not name:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name


def local_label() -> str:
    name = system_zone_name()
    return f"Local ({name})" if name else "Local (this computer)"


@lru_cache(maxsize=1)
def all_zone_names() -> list[str]:
    return sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )


class TimeZoneSettings(QObject):
    """Current display zone; emits ``changed`` (with its key) when it changes."""

    changed = Signal(str)

    def __init__(self, key: str = UTC_KEY, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._key = UTC_KEY
        self._tz: tzinfo = UTC
        self.generation = 0
        self.set_zone(key, emit=False)

    # -- state ---------------------------------------------------------------------------
    @property
    def key(self) -> str:
        """``"UTC"``, ``"local"`` or an IANA name."""
        return self._key

    @property
    def tzinfo(self) -> tzinfo:
        return self._tz

    @property
    def recorded(self) -> bool:
        """Whether times are shown in the offset each event was recorded in."""
        return self._key == RECORDED_KEY

    def label(self) -> str:
        if self._key == UTC_KEY:
            return "UTC"
        if self._key == RECORDED_KEY:
            return RECORDED_LABEL
        if self._key == LOCAL_KEY:
            return local_label()
        return self._key

    def set_zone(self, key: str, *, emit: bool = True) -> bool:
        """Switch zone; returns False (and keeps the current one) for an unknown name."""
        key = (key or "").strip()
        tz: tzinfo
        if key.lower() in ("utc", "z", "etc/utc", "gmt+0"):
            key, tz = UTC_KEY, UTC
        elif key.lower() == RECORDED_KEY or key == RECORDED_LABEL:
            key, tz = RECORDED_KEY, UTC  # per event; UTC where an event has no offset
        elif key.lower() == LOCAL_KEY or key.lower().startswith("local"):
            key = LOCAL_KEY
            name = system_zone_name()
            tz = zoneinfo.ZoneInfo(name) if name else _SystemLocal()
        else:
            try:
                tz = zoneinfo.ZoneInfo(key)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                return False
        if key == self._key and self.generation:
            return True
        self._key, self._tz = key, tz
        self.generation += 1
        if emit:
            self.changed.emit(key)
        return True

    # -- conversions ---------------------------------------------------------------------
    def to_datetime(self, ms: int, raw: str | None = None) -> datetime:
        dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
        if self._key == RECORDED_KEY:
            offset = recorded_offset_min(raw)
            if offset is None:
                return dt
            return dt.astimezone(_offset_zone(offset))
        if isinstance(self._tz, _SystemLocal):
            return dt.astimezone()
        return dt.astimezone(self._tz)

    def day_key(self, ms: int, raw: str | None = None) -> int:
        """An integer that is equal for instants on the same calendar day in this zone."""
        return self.to_datetime(ms, raw).toordinal()

    # -- formatting ----------------------------------------------------------------------
    def date_separator(self, ms: int, raw: str | None = None) -> str:
        """``Monday, 16 September 2024``"""
        d = self.to_datetime(ms, raw)
        return f"{d:%A}, {d.day} {d:%B %Y}"

    def time_text(self, ms: int, raw: str | None = None) -> str:
        """``19:30`` (time under a bubble)"""
        return f"{self.to_datetime(ms, raw):%H:%M}"

    def datetime_text(self, ms: int, raw: str | None = None) -> str:
        """``2024-09-16 19:30`` (conversation list, search results); in the "as recorded"
        mode a time without a raw string ends in `` UTC``."""
        text = f"{self.to_datetime(ms, raw):%Y-%m-%d %H:%M}"
        if self._key == RECORDED_KEY and recorded_offset_min(raw) is None:
            text += " UTC"
        return text

    def short_text(self, ms: int, now_ms: int | None = None, raw: str | None = None) -> str:
        """Time today, else the date (conversation list)."""
        d = self.to_datetime(ms, raw)
        if now_ms is not None and self.day_key(now_ms) == d.toordinal():
            return f"{d:%H:%M}"
        return f"{d:%Y-%m-%d}"

    def zone_suffix(self, ms: int, raw: str | None = None) -> str:
        d = self.to_datetime(ms, raw)
        off = d.utcoffset()
        minutes = int(off.total_seconds() // 60) if off is not None else 0
        sign = "+" if minutes >= 0 else "-"
        hh, mm = divmod(abs(minutes), 60)
        name = d.tzname() or ""
        return f"{name} (UTC{sign}{hh:02d}:{mm:02d})".strip()

    def full_text(self, ms: int, raw: str | None = None) -> str:
        """``2024-09-16 21:30:39.090 CEST (UTC+02:00)``"""
        d = self.to_datetime(ms, raw)
        return f"{d:%Y-%m-%d %H:%M:%S}.{ms % 1000:03d} {self.zone_suffix(ms, raw)}"

    def tooltip(self, ms: int, start_raw: str | None = None) -> str:
        lines = [self.full_text(ms, start_raw), f"UTC: {format_utc_ms(ms)}"]
        if start_raw is not None:
            lines.append(f"startTime (as received): {start_raw}")
        return "\n".join(lines)

    def format(self, ms: int, fmt: str = "datetime", start_raw: str | None = None) -> str:
        """``fmt``: separator | time | datetime | short | full | tooltip"""
        if fmt == "separator":
            return self.date_separator(ms, start_raw)
        if fmt == "time":
            return self.time_text(ms, start_raw)
        if fmt == "short":
            return self.short_text(ms, raw=start_raw)
        if fmt == "full":
            return self.full_text(ms, start_raw)
        if fmt == "tooltip":
            return self.tooltip(ms, start_raw)
        return self.datetime_text(ms, start_raw)


@lru_cache(maxsize=256)
def _offset_zone(minutes: int) -> tzinfo:
    """A fixed offset, named for what it is: ``as recorded (UTC+01:00)`` in ``full_text``."""
    return timezone(timedelta(minutes=minutes), "as recorded")


class _SystemLocal(tzinfo):
    """Marker for "the C library's local zone" when no IANA name is known."""

    def utcoffset(self, dt: datetime | None):  # pragma: no cover - only via astimezone()
        return None

    def dst(self, dt: datetime | None):  # pragma: no cover
        return None

    def tzname(self, dt: datetime | None):  # pragma: no cover
        return "Local"


class TimeZoneCombo(QComboBox):
    """Editable, searchable zone picker: ``UTC``, ``Local (…)``, then every IANA zone."""

    def __init__(self, tz: TimeZoneSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(20)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(16)
        self.setAccessibleName("Time zone")
        self.setToolTip("Time zone for every timestamp shown (type to search)")
        model = QStandardItemModel(self)
        for key, text in [
            (UTC_KEY, "UTC"),
            (LOCAL_KEY, local_label()),
            (RECORDED_KEY, RECORDED_LABEL),
        ]:
            item = QStandardItem(text)
            item.setData(key, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
        for name in all_zone_names():
            item = QStandardItem(name)
            item.setData(name, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
        self.setModel(model)
        completer = QCompleter(model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self._sync()
        self.activated.connect(self._on_activated)
        edit = self.lineEdit()
        if edit is not None:
            edit.editingFinished.connect(self._on_edited)
        tz.changed.connect(self._sync)

    def _on_activated(self, row: int) -> None:
        key = self.itemData(row, Qt.ItemDataRole.UserRole)
        if key:
            self._tz.set_zone(str(key))

    def _on_edited(self) -> None:
        text = self.currentText().strip()
        row = self.findText(text, Qt.MatchFlag.MatchFixedString)
        key = self.itemData(row, Qt.ItemDataRole.UserRole) if row >= 0 else text
        if not self._tz.set_zone(str(key)):
            self._sync()

    def _sync(self, *_args: object) -> None:
        for row in range(self.count()):
            if self.itemData(row, Qt.ItemDataRole.UserRole) == self._tz.key:
                if self.currentIndex() != row:
                    self.setCurrentIndex(row)
                self.setEditText(self.itemText(row))
                return
