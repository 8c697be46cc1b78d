"""Manage Tags…: the case's tag list — add, rename, recolour, delete (with confirmation).

Every change goes through the ``AnnotationController`` (one transaction with its audit
rows, one undoable step). Deleting asks first and says how many messages and
conversations carry the tag; undo puts it back on exactly those.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.core.wording import counted
from msgcopy_viewer.store.annotations import Tag
from msgcopy_viewer.ui.models.tag_models import TagListModel
from msgcopy_viewer.ui.widgets.annotate_actions import AnnotationController

# colours a new tag gets in turn (the examiner can change them)
PALETTE = ("#d81b60", "#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41")


class ManageTagsDialog(QDialog):
    def __init__(self, controller: AnnotationController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Manage Tags")
        self.setAccessibleName("Manage the case's tags")
        self.controller = controller
        self.model = TagListModel(self)
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setAccessibleName("Tags of the case")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.add_button = QPushButton("&Add…", self)
        self.rename_button = QPushButton("&Rename…", self)
        self.colour_button = QPushButton("&Colour…", self)
        self.delete_button = QPushButton("&Delete…", self)
        self.close_button = QPushButton("Close", self)
        self.hint = QLabel(
            "Changes are recorded in the case's audit log; Edit ▸ Undo takes them back.", self
        )
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setWordWrap(True)
        buttons = QVBoxLayout()
        for b in (self.add_button, self.rename_button, self.colour_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        lay = QVBoxLayout(self)
        lay.addLayout(row, 1)
        lay.addWidget(self.hint)
        # the dialogs it opens (kept so tests and the window can reach them)
        self.name_input: QInputDialog | None = None
        self.colour_input: QColorDialog | None = None
        self.confirm: QMessageBox | None = None
        self._renaming: str | None = None
        self._deleting: str | None = None
        self.delete_confirm_button: object = None

        self.add_button.clicked.connect(self.ask_new_tag)
        self.rename_button.clicked.connect(self.ask_rename)
        self.colour_button.clicked.connect(self.ask_colour)
        self.delete_button.clicked.connect(self.ask_delete)
        self.close_button.clicked.connect(self.close)
        self.controller.changed.connect(self.reload)
        self.list.selectionModel().currentChanged.connect(self._update_buttons)
        self.reload()

    # -- state --------------------------------------------------------------------------------
    def reload(self) -> None:
        current = self.current_tag()
        case = self.controller.case
        self.model.reload(case.conn if case is not None else None)
        row = self.model.row_of(current.name) if current is not None else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row, 0))
        self._update_buttons()

    def current_tag(self) -> Tag | None:
        return self.model.tag_at(self.list.currentIndex().row())

    def select(self, name: str) -> bool:
        row = self.model.row_of(name)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row, 0))
        return row >= 0

    def _update_buttons(self, *_a: object) -> None:
        writable = self.controller.case is not None and not self.controller.case.readonly
        has = self.current_tag() is not None
        self.add_button.setEnabled(writable)
        for b in (self.rename_button, self.colour_button, self.delete_button):
            b.setEnabled(writable and has)

    def next_colour(self) -> str:
        return PALETTE[self.model.rowCount() % len(PALETTE)]

    # -- add ----------------------------------------------------------------------------------
    def ask_new_tag(self) -> None:
        dlg = self._name_dialog("Add Tag", "Name of the new tag:", "")
        dlg.textValueSelected.connect(self._new_tag_named)
        dlg.open()

    def _new_tag_named(self, name: str) -> None:
        self.add_tag(name, self.next_colour())

    def add_tag(self, name: str, colour: str) -> Tag | None:
        tag = self.controller.create_tag(name, colour)
        if tag is not None:
            self.select(tag.name)
        return tag

    # -- rename -------------------------------------------------------------------------------
    def ask_rename(self) -> None:
        tag = self.current_tag()
        if tag is None:
            return
        self._renaming = tag.name
        dlg = self._name_dialog("Rename Tag", f"New name for the tag {tag.name}:", tag.name)
        dlg.textValueSelected.connect(self._renamed)
        dlg.open()

    def _renamed(self, name: str) -> None:
        if self._renaming is not None:
            self.rename_tag(self._renaming, name)

    def rename_tag(self, old: str, new: str) -> Tag | None:
        tag = self.controller.update_tag(old, new_name=new)
        if tag is not None:
            self.select(tag.name)
        return tag

    # -- colour -------------------------------------------------------------------------------
    def ask_colour(self) -> None:
        tag = self.current_tag()
        if tag is None:
            return
        dlg = QColorDialog(QColor(tag.color), self)
        dlg.setWindowTitle(f"Colour of the tag {tag.name}")
        dlg.colorSelected.connect(self._colour_chosen)
        self.colour_input = dlg
        self._renaming = tag.name
        dlg.open()

    def _colour_chosen(self, colour: QColor) -> None:
        if self._renaming is not None and colour.isValid():
            self.recolour_tag(self._renaming, colour.name())

    def recolour_tag(self, name: str, colour: str) -> Tag | None:
        return self.controller.update_tag(name, color=colour)

    # -- delete -------------------------------------------------------------------------------
    def ask_delete(self) -> QMessageBox | None:
        """Ask before deleting the current tag, saying what carries it."""
        tag = self.current_tag()
        if tag is None:
            return None
        messages, conversations = self.controller.tag_usage(tag.name)
        self._deleting = tag.name
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete Tag")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"Delete the tag {tag.name}?\n\nIt is on {counted(messages, 'message')} and "
            f"{counted(conversations, 'conversation')}; it will be taken from them. "
            "The deletion is recorded in the audit log; Edit ▸ Undo puts the tag back."
        )
        self.delete_confirm_button = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(self._delete_answered)
        self.confirm = box
        box.open()
        return box

    def _delete_answered(self, button: object) -> None:
        if button is self.delete_confirm_button and self._deleting is not None:
            self.controller.delete_tag(self._deleting)
            self._deleting = None

    # -- helpers ------------------------------------------------------------------------------
    def _name_dialog(self, title: str, label: str, value: str) -> QInputDialog:
        dlg = QInputDialog(self)
        dlg.setWindowTitle(title)
        dlg.setLabelText(label)
        for text in dlg.findChildren(QLabel):  # the label names the tag: plain text
            text.setTextFormat(Qt.TextFormat.PlainText)
        dlg.setTextValue(value)
        self.name_input = dlg
        return dlg
