"""The widget that shows one part of an MMS, whatever its kind, plus its action menu."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QMenu, QPlainTextEdit, QVBoxLayout, QWidget

from msgcopy_viewer.core.vcard import decode_charset
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Contact, Envelope, Message, Part
from msgcopy_viewer.ui.mms.contact_card import ContactCards
from msgcopy_viewer.ui.mms.image_loader import ImageLoader
from msgcopy_viewer.ui.mms.image_view import ImageView, PartPlaceholder
from msgcopy_viewer.ui.mms.media_player import MediaPlayerWidget
from msgcopy_viewer.ui.mms.part_actions import PartActions
from msgcopy_viewer.ui.plain_text import shown

#: Text parts longer than this are shown truncated (the full text is one Save away).
MAX_TEXT_CHARS = 200_000


@dataclass(eq=False)
class RenderContext:
    """What every part widget of one open message needs."""

    case: Case
    case_path: Path
    loader: ImageLoader
    actions: PartActions
    message: Message
    players: list[MediaPlayerWidget] = field(default_factory=list)
    images: list[ImageView] = field(default_factory=list)

    @property
    def parts(self) -> tuple[Part, ...]:
        return self.message.parts

    @property
    def envelope(self) -> Envelope:
        return self.message.envelope or Envelope()

    def part(self, index: object) -> Part | None:
        return None if index is None else self.message.part(index)

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return self.envelope.contacts


class TextPartView(QPlainTextEdit):
    """A text part: plain text only, read-only, scrollable (SMIL ``fit="scroll"``)."""

    def __init__(self, part: Part, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mmsText")
        self.part = part
        self.setReadOnly(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS] + "\n[…] (truncated; save the part to read all of it)"
        self.setPlainText(shown(text, multiline=True))  # U+202E and the like as tokens


def make_part_widget(
    ctx: RenderContext, part: Part | None, *, fit: str | None = None, src: str = ""
) -> QWidget:
    """The widget for ``part`` (never raises: unknown or missing parts get a placeholder)."""
    if part is None:
        return PartPlaceholder(
            None,
            f"The presentation refers to '{src}', which is not in the message." if src else "",
            None,
            title="Missing part",
        )
    kind = part.kind
    if kind == "image":
        view = ImageView(part, ctx.loader, ctx.actions, fit)
        ctx.images.append(view)
        return view
    if kind in ("audio", "video"):
        player = MediaPlayerWidget(part, ctx.actions.data(part), ctx.actions)
        ctx.players.append(player)
        return player
    if kind == "contact":
        return ContactCards(part, ctx.contacts, ctx.case, ctx.actions, message_id=ctx.message.id)
    if kind in ("text", "smil"):
        data = ctx.actions.data(part)
        if data is None:
            return PartPlaceholder(part, "its bytes are missing from the case", ctx.actions,
                                   title="This text cannot be shown")  # fmt: skip
        return TextPartView(part, decode_charset(data, part.charset))
    return PartPlaceholder(
        part,
        "this kind of attachment is not shown inside the viewer; save it or open it externally",
        ctx.actions,
        title="Attachment",
    )


class PartFrame(QFrame):
    """Wraps a part's widget; right-click offers Save / Copy / Open externally."""

    def __init__(
        self,
        ctx: RenderContext,
        part: Part | None,
        content: QWidget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mmsPartFrame")
        self.part = part
        self.content = content
        self._ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(content)
        if part is not None:
            self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self.customContextMenuRequested.connect(self._menu)
            if not isinstance(content, QPlainTextEdit):  # a text view keeps its own menu
                content.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)

    def _menu(self, pos: QPoint) -> None:
        if self.part is None:
            return
        menu = QMenu(self)
        add_part_actions(menu, self._ctx.actions, self.part)
        menu.exec(self.mapToGlobal(pos))


def add_part_actions(menu: QMenu, actions: PartActions, part: Part) -> list[QAction]:
    """Add Save / Copy / Open externally for ``part`` to ``menu``."""
    created = []
    save = menu.addAction("Save…")
    save.triggered.connect(lambda _checked=False, p=part: actions.save(p))
    copy = menu.addAction("Copy")
    copy.triggered.connect(lambda _checked=False, p=part: actions.copy(p))
    open_ext = menu.addAction("Open externally")
    open_ext.triggered.connect(lambda _checked=False, p=part: actions.open_externally(p))
    created.extend([save, copy, open_ext])
    return created
