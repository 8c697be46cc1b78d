""" "Also in this message": the parts no slide shows, each viewable and actionable."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QMenu,
    QScrollArea,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.core.sizes import human_size
from msgcopy_viewer.store.messages import Part
from msgcopy_viewer.ui.mms.image_view import ImageView, plain_label
from msgcopy_viewer.ui.mms.media_player import MediaPlayerWidget
from msgcopy_viewer.ui.mms.part_info import part_description
from msgcopy_viewer.ui.mms.part_view import (
    PartFrame,
    RenderContext,
    add_part_actions,
    make_part_widget,
)
from msgcopy_viewer.ui.plain_text import menu_title, set_tooltip

_ICONS = {
    "image": QStyle.StandardPixmap.SP_FileIcon,
    "audio": QStyle.StandardPixmap.SP_MediaVolume,
    "video": QStyle.StandardPixmap.SP_MediaPlay,
    "text": QStyle.StandardPixmap.SP_FileDialogDetailedView,
    "contact": QStyle.StandardPixmap.SP_DirHomeIcon,
}


def unreferenced_parts(ctx: RenderContext) -> list[Part]:
    """Parts that no slide shows (the SMIL itself excluded)."""
    shown = {item.get("part") for slide in ctx.envelope.slides for item in slide.get("items") or []}
    return [p for p in ctx.parts if not p.is_smil and not p.in_smil and p.index not in shown]


class PartsStrip(QWidget):
    """A row of chips, one per part not shown by the slides; clicking one shows it below."""

    partSelected = Signal(int)

    def __init__(self, ctx: RenderContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mmsPartsStrip")
        self._ctx = ctx
        self.parts = unreferenced_parts(ctx)
        self.buttons: dict[int, QToolButton] = {}
        self.detail: QWidget | None = None
        self.selected: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.title = plain_label(f"Also in this message ({len(self.parts)})", self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        row_widget = QWidget(self)
        row = QHBoxLayout(row_widget)
        row.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        for part in self.parts:
            button = QToolButton(row_widget)
            button.setObjectName(f"mmsPartChip{part.index}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setIcon(
                self.style().standardIcon(_ICONS.get(part.kind, QStyle.StandardPixmap.SP_FileIcon))
            )
            button.setText(menu_title(f"{part.label} · {human_size(part.size)}"))
            set_tooltip(button, part_description(part))
            button.setCheckable(True)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
            menu = QMenu(button)
            show = menu.addAction("Show")
            show.triggered.connect(button.click)
            add_part_actions(menu, ctx.actions, part)
            button.setMenu(menu)
            self.group.addButton(button, part.index)
            self.buttons[part.index] = button
            row.addWidget(button)
        row.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(row_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedHeight(row_widget.sizeHint().height() + 18)
        layout.addWidget(scroll)
        self._detail_layout = QVBoxLayout()
        layout.addLayout(self._detail_layout)
        self.group.idClicked.connect(self.show_part)
        self.setVisible(bool(self.parts))

    def show_part(self, index: int) -> None:
        """Show part ``index`` (one of the strip's) under the strip; click again to hide."""
        part = self._ctx.part(index)
        if part is None or index not in self.buttons:
            return
        if self.detail is not None:
            self._release(self.detail.content if isinstance(self.detail, PartFrame) else None)
            self._detail_layout.removeWidget(self.detail)
            self.detail.deleteLater()
            self.detail = None
            if self.selected == index:  # a second click closes it
                self.selected = None
                self.group.setExclusive(False)
                self.buttons[index].setChecked(False)
                self.group.setExclusive(True)
                return
        self.selected = index
        self.buttons[index].setChecked(True)
        content = make_part_widget(self._ctx, part, fit="meet")
        content.setMinimumHeight(200 if part.kind in ("image", "video", "contact") else 80)
        self.detail = PartFrame(self._ctx, part, content, self)
        self._detail_layout.addWidget(self.detail)
        self.partSelected.emit(index)

    def _release(self, content: QWidget | None) -> None:
        if isinstance(content, MediaPlayerWidget):
            content.stop()
            if content in self._ctx.players:
                self._ctx.players.remove(content)
        if isinstance(content, ImageView):
            content.stop()
            if content in self._ctx.images:
                self._ctx.images.remove(content)

    def detail_content(self) -> QWidget | None:
        return self.detail.content if isinstance(self.detail, PartFrame) else None
