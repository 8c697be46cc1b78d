"""The media gallery (a dock): thumbnails of every image and video of the case or of the
conversation shown, with date and sender; double-click opens the message; the selection
is saved with ``sha256sum`` and CSV manifests (``export.media.extract_selected``, the
same writer as ``extract-media``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.ui.models.gallery_model import ICON, GalleryModel
from msgcopy_viewer.ui.widgets.shown_text import ShownTextDelegate

# the conversation shown in the browser (None: none), for the "This conversation" scope
ConversationSource = Callable[[], str | None]


class GalleryView(QListView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)  # only the first item is measured, none decoded
        self.setIconSize(QSize(ICON, ICON))
        self.setGridSize(QSize(ICON + 24, ICON + 48))
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAccessibleName("Media gallery")
        self.setItemDelegate(ShownTextDelegate(self))  # a sender's bidi override as a token


class GalleryPanel(QWidget):
    messageRequested = Signal(int)  # rowid

    def __init__(self, tz=None, thumbnails=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._conn = None
        self._case = None
        self.conversation_source: ConversationSource | None = None
        self.model = GalleryModel(tz, thumbnails, self)
        self.view = GalleryView(self)
        self.view.setModel(self.model)
        self.scope = QComboBox(self)
        self.scope.setAccessibleName("Gallery scope")
        self.scope.addItem("Whole case", "case")
        self.scope.addItem("This conversation", "conversation")
        self.save_button = QPushButton("Save Selected…", self)
        self.save_button.setToolTip("Save the selected media to a new folder with manifests")
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        row.addWidget(self.scope)
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(row)
        lay.addWidget(self.view, 1)
        self.scope.currentIndexChanged.connect(self.reload)
        self.save_button.clicked.connect(self.save_dialog)
        self.view.activated.connect(self._on_activated)
        self.view.doubleClicked.connect(self._on_activated)

    def set_connection(self, conn, case=None) -> None:
        self._conn, self._case = conn, case
        self.reload()

    def reload(self, *_a: object) -> None:
        conv = None
        if self.scope.currentData() == "conversation" and self.conversation_source is not None:
            conv = self.conversation_source()
        self.model.set_source(self._conn, conv)
        if self.model.canFetchMore():
            self.model.fetchMore()
        self.status.setText(
            f"{self.model.rowCount()}{'+' if self.model.canFetchMore() else ''} images and videos"
        )

    def selection(self) -> list[tuple[int, int]]:
        """(message rowid, part index) of the selected thumbnails, in the order shown."""
        out = []
        for index in sorted(self.view.selectionModel().selectedIndexes(), key=lambda i: i.row()):
            it = self.model.item(index.row())
            if it is not None:
                out.append((it.message_rowid, it.part.index))
        return out

    def save_to(self, folder: Path) -> str:
        """Save the selection into ``folder`` (new or empty); returns the outcome in words."""
        from msgcopy_viewer.export.media import MediaExportError, extract_selected

        if self._case is None:
            return "No case is open."
        chosen = self.selection()
        if not chosen:
            return "Select the thumbnails to save first."
        try:
            result = extract_selected(self._case, folder, chosen)
        except (MediaExportError, OSError) as exc:
            return f"Not saved: {exc}"
        return f"Saved {result.files} files to {result.outdir} (manifest.sha256, manifest.csv)"

    def save_dialog(self) -> None:
        parent = QFileDialog.getExistingDirectory(self, "Save the selected media into…")
        if not parent:
            return
        folder = Path(parent) / time.strftime("media-%Y%m%d-%H%M%S")
        text = self.save_to(folder)
        if text.startswith("Saved"):
            self.status.setText(text)
        else:
            QMessageBox.warning(self, "Save Media", text)

    def _on_activated(self, index: QModelIndex) -> None:
        it = self.model.item(index.row())
        if it is not None:
            self.messageRequested.emit(it.message_rowid)
