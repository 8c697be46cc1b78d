"""Side panel for the selected message: provenance, warnings, MIME parts, the raw event."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QSize, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.core.sizes import human_size
from msgcopy_viewer.store.annotations import marks_for
from msgcopy_viewer.store.browse import batch_info, message_occurrences
from msgcopy_viewer.store.messages import Message, get_message
from msgcopy_viewer.ui.delegates.paint_util import make_layout
from msgcopy_viewer.ui.plain_text import plain_tooltip, set_tooltip, shown
from msgcopy_viewer.ui.widgets.flow_layout import FlowLayout

Index = QModelIndex | QPersistentModelIndex
RAW_LIMIT = 20000  # characters of a huge field shown before "Show all"


def pretty_event(raw: str, limit: int | None = RAW_LIMIT) -> tuple[str, bool]:
    """The event JSON pretty-printed; string fields longer than ``limit`` shortened.
    Returns (text, truncated)."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return raw, False
    truncated = False

    def shorten(value):
        nonlocal truncated
        if isinstance(value, str) and limit is not None and len(value) > limit:
            truncated = True
            return value[:limit] + f"… [{len(value) - limit:,} more characters — Show all]"
        if isinstance(value, dict):
            return {k: shorten(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shorten(v) for v in value]
        return value

    return json.dumps(shorten(obj), indent=2, ensure_ascii=False), truncated


class WrappingValueDelegate(QStyledItemDelegate):
    """The Value column wraps at word boundaries, and anywhere in a word too long for a
    line (a SHA-256, a path), so every value is readable whole in a narrow panel; the row
    grows instead."""

    PAD = 4

    def _width(self, option: QStyleOptionViewItem, index: Index) -> int:
        view = option.widget
        if isinstance(view, QTreeWidget):
            return view.header().sectionSize(index.column())
        return option.rect.width()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not text:
            return hint
        room = max(20, self._width(option, index) - 2 * self.PAD)
        _layout, _natural, height = make_layout(str(text), option.font, room)
        return QSize(hint.width(), max(hint.height(), int(height + 0.999) + 2 * self.PAD))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        if not text:
            return
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        layout, _natural, _height = make_layout(
            text, opt.font, max(20, opt.rect.width() - 2 * self.PAD)
        )
        painter.save()
        painter.setPen(opt.palette.color(role))
        painter.setClipRect(opt.rect)
        layout.draw(painter, QPointF(opt.rect.left() + self.PAD, opt.rect.top() + self.PAD))
        painter.restore()


def _stored(item: QTreeWidgetItem, col: int) -> str:
    """The value of a cell as stored (the cell may show it with invisible characters
    made visible)."""
    value = item.data(col, Qt.ItemDataRole.UserRole)
    return value if isinstance(value, str) else item.text(col)


class Inspector(QWidget):
    def __init__(self, tz, parent=None) -> None:
        super().__init__(parent)
        self.names: Any = None  # NameLabels: says where each name shown came from
        self._tz = tz
        self._case = None
        self._row: Message | None = None
        self._raw: str | None = None
        self.setAccessibleName("Message inspector")
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Inspector sections")

        # details
        self.details = QTreeWidget(self)
        self.details.setColumnCount(2)
        self.details.setHeaderLabels(["Field", "Value"])
        self.details.setAccessibleName("Message details and provenance")
        self.details.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.details.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.details.setWordWrap(True)
        self.details.setUniformRowHeights(False)
        self.details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details.setItemDelegateForColumn(1, WrappingValueDelegate(self.details))
        # a narrower or wider panel re-wraps the values
        self.details.header().sectionResized.connect(self._rewrap)
        self.tabs.addTab(self.details, "Details")

        # parts
        self.parts = QTreeWidget(self)
        self.parts.setHeaderLabels(["#", "Type", "Detected", "Name", "Size", "In SMIL", "SHA-256"])
        self.parts.setAccessibleName("MMS parts")
        self.parts.setRootIsDecorated(True)
        self.parts_index = self.tabs.addTab(self.parts, "MIME parts")

        # raw
        raw_page = QWidget(self)
        self.raw = QPlainTextEdit(raw_page)
        self.raw.setReadOnly(True)
        self.raw.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setAccessibleName("Raw event JSON")
        self.show_all = QPushButton("Show all", raw_page)
        self.show_all.setAccessibleName("Show the whole raw event")
        self.show_all.clicked.connect(self._show_all)
        rl = QVBoxLayout(raw_page)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.raw, 1)
        rl.addWidget(self.show_all, 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(raw_page, "Raw event")

        # Invisible and bidirectional control characters (U+202E, U+200B …) from the
        # evidence are shown as tokens (⟦U+202E⟧) unless the user turns that off; the
        # copy buttons always copy the text as stored.
        self.show_invisible = QCheckBox("Show invisible characters", self)
        self.show_invisible.setChecked(True)
        self.show_invisible.setAccessibleName("Show invisible and bidirectional characters")
        set_tooltip(
            self.show_invisible,
            "Show zero-width, bidirectional and control characters as ⟦U+…⟧ tokens, so that "
            "a name such as invoice⟦U+202E⟧gpj.exe cannot pass for invoice.exe.jpg",
        )
        self.show_invisible.toggled.connect(self._reload)

        # copy buttons
        self.copy_id = QPushButton("Copy ID", self)
        self.copy_id.setAccessibleName("Copy the message ID")
        self.copy_sha = QPushButton("Copy file SHA-256", self)
        self.copy_sha.setAccessibleName("Copy the source file SHA-256")
        self.copy_path = QPushButton("Copy source path", self)
        self.copy_path.setAccessibleName("Copy the source file path")
        self.copy_json = QPushButton("Copy raw JSON", self)
        self.copy_json.setAccessibleName("Copy the raw event JSON")
        self.copy_value = QPushButton("Copy value", self)
        self.copy_value.setAccessibleName("Copy the selected value")
        self.copy_id.clicked.connect(lambda: self._copy(self._row.id if self._row else ""))
        self.copy_sha.clicked.connect(
            lambda: self._copy(self._row.source.sha256 or "" if self._row else "")
        )
        self.copy_path.clicked.connect(lambda: self._copy(self.source_path()))
        self.copy_json.clicked.connect(lambda: self._copy(self._raw or ""))
        self.copy_value.clicked.connect(self._copy_selected)
        # The buttons wrap onto a second row in a narrow panel instead of setting a wide
        # minimum width for the whole window.
        buttons = FlowLayout()
        for b in (self.copy_id, self.copy_sha, self.copy_path, self.copy_json, self.copy_value):
            buttons.addWidget(b)
        buttons.addWidget(self.show_invisible)

        self.empty = QLabel("Select a message to see where it came from.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.empty, 1)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(buttons)
        self._buttons = [
            self.copy_id,
            self.copy_sha,
            self.copy_path,
            self.copy_json,
            self.copy_value,
        ]
        tz.changed.connect(self._reload)
        self.show_message(None, None)

    # -- API -------------------------------------------------------------------------------
    def message(self) -> Message | None:
        return self._row

    def source_path(self) -> str:
        if self._row is None:
            return ""
        src = self._row.source
        root = src.root.rstrip("/\\")
        return f"{root}/{src.path}" if root else src.path

    def show_rowid(self, case, rowid: int | None) -> Message | None:
        row = get_message(case.conn, rowid) if case is not None and rowid is not None else None
        self.show_message(case, row)
        return row

    def show_message(self, case, row: Message | None) -> None:
        self._case, self._row = case, row
        has = row is not None
        self.empty.setVisible(not has)
        self.tabs.setVisible(has)
        for b in self._buttons:
            b.setEnabled(has)
        self.details.clear()
        self.parts.clear()
        self.raw.clear()
        self._raw = None
        if row is None:
            return
        self._fill_details(case, row)
        self._fill_parts(row)
        self.tabs.setTabEnabled(self.parts_index, row.is_mms)
        self._raw = row.raw_event or ""
        text, truncated = pretty_event(self._raw)
        self.raw.setPlainText(self._shown(text, multiline=True))
        self.show_all.setVisible(truncated)

    def details_text(self) -> str:
        """Everything in the Details tab as ``Field: value`` lines (tests, copying)."""
        lines = []
        for i in range(self.details.topLevelItemCount()):
            top = self.details.topLevelItem(i)
            if top is None:
                continue
            lines.append(top.text(0))
            for j in range(top.childCount()):
                c = top.child(j)
                if c is None:
                    continue
                lines.append(f"  {c.text(0)}: {c.text(1)}")
        return "\n".join(lines)

    # -- filling ---------------------------------------------------------------------------
    def _section(self, title: str, rows: list[tuple[str, str]]) -> QTreeWidgetItem:
        top = QTreeWidgetItem(self.details, [title])
        f = top.font(0)
        f.setBold(True)
        top.setFont(0, f)
        top.setFirstColumnSpanned(True)
        for k, v in rows:
            child = QTreeWidgetItem(top, [k, self._shown(v)])
            child.setData(1, Qt.ItemDataRole.UserRole, v)  # the value as stored, for copying
            child.setToolTip(1, plain_tooltip(v))
        top.setExpanded(True)
        return top

    def _fill_details(self, case, row: Message) -> None:
        tz = self._tz
        self._section(
            "Message",
            [
                ("Direction", "sent (mo)" if row.direction == "mo" else "received (mt)"),
                ("Type", row.type.upper()),
                *([("Kind", row.report_summary())] if row.is_report else []),
                ("Time", tz.full_text(row.start_ms, row.start_raw)),
                ("UTC", tz.tooltip(row.start_ms).split("\n")[1].removeprefix("UTC: ")),
                ("startTime (raw)", row.start_raw),
                ("Other party", row.other_party),
                ("Sender", row.sender or ""),
                # this event's subscriberParty as received ("" where the event had none)
                ("Subscriber", row.sub_mobile or ""),
                ("Domain", row.sub_domain or ""),
                ("DID", row.sub_did or ""),
                ("Subscriber ID", row.sub_subr_id or ""),
                ("Participants", ", ".join(row.participants)),
                ("Content type", row.content_type or ""),
                ("Subject", row.subject or ""),
                ("Message ID", row.id),
            ],
        )
        self._fill_marks(case, row)
        src = row.source
        batch = batch_info(case.conn, src.batch_id)
        prov = [
            ("Source path", src.path),
            ("Root", src.root),
            ("File SHA-256", src.sha256 or "(not recorded)"),
            ("Index in file", str(src.index)),
            ("Import batch", str(src.batch_id)),
        ]
        if batch is not None:
            prov.append(
                (
                    "Imported",
                    f"{tz.full_text(batch.started_ms)} ({batch.origin}, "
                    f"{batch.status}, {batch.program_version})",
                )
            )
        self._section("Provenance (first seen)", prov)
        occ = message_occurrences(case.conn, row.rowid)
        occ_rows = [
            (
                f"#{n + 1}",
                f"{o.root.rstrip('/')}/{o.path} · event {o.index} · SHA-256 "
                f"{o.sha256 or '—'} · batch {o.batch_id}",
            )
            for n, o in enumerate(occ)
        ]
        self._section(f"Seen in {len(occ)} place{'s' if len(occ) != 1 else ''}", occ_rows)
        warn_rows = [(f"{n + 1}", w) for n, w in enumerate(row.warnings)]
        self._section(
            f"Warnings ({len(row.warnings)})" if row.warnings else "Warnings: none",
            warn_rows,
        )

    def _fill_marks(self, case, row: Message) -> None:
        """The examiner's tags, note and bookmark, and where each name shown came from."""
        marks = marks_for(case.conn, [row.rowid]).get(row.rowid)
        if marks is not None:
            rows = [("Tags", ", ".join(t.name for t in marks.tags) or "none")]
            if marks.note is not None:
                rows.append(("Note", marks.note))
            rows.append(("Bookmarked", "yes" if marks.bookmarked else "no"))
            self._section("Examiner", rows)
        if self.names is None:
            return
        named = []
        for number in dict.fromkeys([row.other_party, row.sender or "", *row.participants]):
            entry = self.names.lookup(number, row.subscriber_key) if number else None
            if entry is not None:
                named.append((number, f"{entry.name} — {entry.provenance}"))
        if named:
            self._section("Names", named)

    def _fill_parts(self, row: Message) -> None:
        contacts = row.envelope.contacts if row.envelope is not None else ()
        for p in row.parts:
            in_smil = "SMIL" if p.is_smil else ("yes" if p.in_smil else "no")
            values = [
                str(p.index),
                p.content_type,
                p.detected_type or "",
                p.name or "",
                human_size(p.size),
                in_smil,
                p.sha256,
            ]
            item = self._part_item(self.parts, values)
            for c in contacts:
                if c.part != p.index:
                    continue
                phones = ", ".join(c.phones)
                self._part_item(item, ["", "contact", "", c.name or "", "", "", phones])
                item.setExpanded(True)
        for col in range(6):
            self.parts.resizeColumnToContents(col)

    def _part_item(self, parent, values: list[str]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [self._shown(v) for v in values])
        for col, v in enumerate(values):
            item.setData(col, Qt.ItemDataRole.UserRole, v)
            if v:
                item.setToolTip(col, plain_tooltip(v))
        return item

    def _shown(self, text: str, *, multiline: bool = False) -> str:
        return shown(text, multiline=multiline) if self.show_invisible.isChecked() else text

    # -- actions ---------------------------------------------------------------------------
    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    def _copy_selected(self) -> None:
        item = self.details.currentItem() if self.tabs.currentIndex() == 0 else None
        part = self.parts.currentItem()
        if self.tabs.currentWidget() is self.parts and part is not None:
            item = part
            self._copy("\t".join(_stored(item, c) for c in range(self.parts.columnCount())))
            return
        if item is not None:
            self._copy(_stored(item, 1) or item.text(0))

    def _rewrap(self, section: int, _old: int, new: int) -> None:
        if section == 1:
            self.details.scheduleDelayedItemsLayout()

    def _show_all(self) -> None:
        if self._raw is not None:
            text, _t = pretty_event(self._raw, None)
            self.raw.setPlainText(self._shown(text, multiline=True))
            self.show_all.setVisible(False)

    def _reload(self, *_a: object) -> None:
        if self._row is not None and self._case is not None:
            self.show_message(self._case, self._row)
