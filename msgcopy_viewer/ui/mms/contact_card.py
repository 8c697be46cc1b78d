"""vCards in an MMS shown as contact cards (photo, name, organisation, phones, e-mails,
addresses), or as their raw text when the card could not be parsed."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMetaMethod, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Contact, Part
from msgcopy_viewer.ui.mms.image_loader import decode_image
from msgcopy_viewer.ui.mms.image_view import plain_label
from msgcopy_viewer.ui.mms.part_actions import PartActions
from msgcopy_viewer.ui.plain_text import shown

PHOTO_SIZE = 72


def _initials_pixmap(name: str | None, size: int = PHOTO_SIZE) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#8a9bb0"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(0, 0, size, size)
    letters = "".join(w[0] for w in (name or "?").split()[:2]).upper() or "?"
    font = QFont()
    font.setPixelSize(size // 3)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, letters)
    painter.end()
    return pix


class ContactNameRequests(QObject):
    """Where "Use this contact's name" goes: the open case's address book listens (the
    MMS viewer reads the case read-only and does not write to it itself)."""

    requested = Signal(object, object)  # Contact, message id (str)

    def listening(self) -> bool:
        return self.isSignalConnected(QMetaMethod.fromSignal(self.requested))


CONTACT_NAME_REQUESTS = ContactNameRequests()


class ContactCard(QFrame):
    """One contact from a vCard part."""

    def __init__(
        self,
        contact: Contact,
        part: Part | None,
        case: Case,
        actions: PartActions | None,
        parent: QWidget | None = None,
        message_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.message_id = message_id
        self.setObjectName("mmsContactCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.contact = contact
        self.part = part
        self._actions = actions
        self.parsed = contact.parsed
        self.has_photo = False
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.photo_label = QLabel(self)
        self.photo_label.setFixedSize(QSize(PHOTO_SIZE, PHOTO_SIZE))
        self.photo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_label.setPixmap(self._photo(case, contact))
        top.addWidget(self.photo_label, 0, Qt.AlignmentFlag.AlignTop)

        info = QVBoxLayout()
        name = contact.name or "(no name)"
        self.name_label = plain_label(str(name), self)
        font = self.name_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.name_label.setFont(font)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info.addWidget(self.name_label)
        self.org_label = plain_label(contact.org or "", self)
        self.org_label.setVisible(bool(contact.org))
        info.addWidget(self.org_label)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.field_labels: dict[str, list[QLabel]] = {"phone": [], "email": [], "address": []}
        row = 0
        for key, title, values in (
            ("phones", "Phone", contact.phones),
            ("emails", "E-mail", contact.emails),
            ("addresses", "Address", contact.addresses),
        ):
            for value in values:
                head = plain_label(title, self, wrap=False)
                head.setStyleSheet("color: palette(mid);")
                value_label = plain_label(str(value), self)
                value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(head, row, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(value_label, row, 1)
                self.field_labels[
                    {"phones": "phone", "emails": "email"}.get(key, "address")
                ].append(value_label)
                row += 1
        info.addLayout(grid)
        top.addLayout(info, 1)
        outer.addLayout(top)

        self.raw_view: QPlainTextEdit | None = None
        if not self.parsed:
            note = plain_label(
                "This card could not be read fully; its text is shown as received:", self
            )
            outer.addWidget(note)
            self.raw_view = QPlainTextEdit(self)
            self.raw_view.setReadOnly(True)
            self.raw_view.setPlainText(shown(contact.raw or "", multiline=True))
            self.raw_view.setMinimumHeight(100)
            outer.addWidget(self.raw_view)

        buttons = QHBoxLayout()
        self.use_name_button = QPushButton("Use this contact's name", self)
        self.use_name_button.setToolTip(
            "Show this name with the contact's numbers everywhere in the case"
        )
        self.use_name_button.setEnabled(
            bool(contact.name and contact.phones and message_id)
            and CONTACT_NAME_REQUESTS.listening()
        )
        self.use_name_button.clicked.connect(self._use_name)
        buttons.addWidget(self.use_name_button)
        buttons.addStretch(1)
        self.save_button = QPushButton("Save as .vcf…", self)
        self.save_button.setEnabled(part is not None and actions is not None)
        self.save_button.clicked.connect(self._save)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)

    def _photo(self, case: Case, contact: Contact) -> QPixmap:
        sha = contact.photo_sha256
        if sha:
            data = case.media_bytes(sha)
            if data is not None:
                # a photo is small (a vCard line); decoding here is cheap. Its bytes decide
                # the format (the one decoder's allowlist), never the card's PHOTO type.
                image, _size, _anim, _err = decode_image(
                    data, QSize(PHOTO_SIZE * 2, PHOTO_SIZE * 2)
                )
                if image is not None:
                    self.has_photo = True
                    return QPixmap.fromImage(image).scaled(
                        PHOTO_SIZE,
                        PHOTO_SIZE,
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
        return _initials_pixmap(contact.name)

    def _use_name(self) -> None:
        CONTACT_NAME_REQUESTS.requested.emit(self.contact, self.message_id)

    def _save(self) -> None:
        if self._actions is not None and self.part is not None:
            self._actions.save(self.part)


class ContactCards(QWidget):
    """Every contact of one vCard part (a part may hold several cards)."""

    def __init__(
        self,
        part: Part,
        contacts: Sequence[Contact],
        case: Case,
        actions: PartActions | None,
        parent: QWidget | None = None,
        message_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mmsContactCards")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.cards: list[ContactCard] = []
        mine = [c for c in contacts if c.part == part.index]
        if not mine:
            # labelled as a vCard but nothing could be read: show the raw text
            data = case.media_bytes(part.sha256) if part.sha256 else None
            raw = data.decode("utf-8", "replace") if data is not None else ""
            mine = [
                Contact(
                    part=part.index,
                    name=part.label,
                    phones=(),
                    emails=(),
                    org=None,
                    addresses=(),
                    photo_sha256=None,
                    photo_type=None,
                    parsed=False,
                    raw=raw,
                )
            ]
        for contact in mine:
            card = ContactCard(contact, part, case, actions, self, message_id)
            self.cards.append(card)
            layout.addWidget(card)
        layout.addStretch(1)
