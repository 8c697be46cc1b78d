"""vCards in an MMS shown as contact cards (demo corpus and real vCards wrapped in MM7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel

from msgcopy_viewer.core.text_safety import show_invisible
from msgcopy_viewer.ui.mms.contact_card import ContactCard, ContactCards
from tests.gui.mms_helpers import (
    corpus_file,
    demo_case,
    import_message,
    jpeg_bytes,
    mm7,
    open_viewer,
    part,
    smil,
    text_part,
    vcard,
)

pytestmark = pytest.mark.gui
__all__ = ["demo_case", "open_viewer"]  # fixtures


def _cards_in(dialog) -> list[ContactCard]:
    cards: list[ContactCard] = []
    for index in range(dialog.slideshow.count):
        for _item, widget in dialog.slideshow.view(index).items:
            if isinstance(widget, ContactCards):
                cards += widget.cards
    for idx in [p.index for p in dialog.strip.parts]:
        dialog.strip.show_part(idx)
        content = dialog.strip.detail_content()
        if isinstance(content, ContactCards):
            cards += content.cards
    return cards


def _vcard_message(tmp_path: Path, data: bytes, *, in_smil: bool = True) -> tuple[Path, int]:
    parts = [part("text/x-vcard", data, "vc1", "contact.vcf"), text_part("here you go")]
    slides = (
        [[("ref", "vc1", None), ("text", "text1", "Text")]]
        if in_smil
        else [[("text", "text1", "Text")]]
    )
    message, ctype = mm7(parts, smil(slides))
    return import_message(tmp_path, message, ctype)


def test_demo_vcards_render_as_cards(qtbot, demo_case, open_viewer) -> None:
    case_path, summary, rowids = demo_case
    with_cards = [f for f in summary.files if f.mms is not None and f.mms.contact_names]
    assert with_cards
    for demo_file in with_cards[:6]:
        dialog = open_viewer(case_path, rowids[demo_file.relpath])
        cards = _cards_in(dialog)
        assert [c.name_label.text() for c in cards] == demo_file.mms.contact_names
        for card in cards:
            assert card.parsed and card.field_labels["phone"]
            assert card.name_label.textFormat() == Qt.TextFormat.PlainText
        dialog.close()


def test_card_shows_photo_org_phone_email_address(qtbot, tmp_path: Path, open_viewer) -> None:
    data = vcard(
        "Ann <b>Lee</b>", "+12145550123", photo=jpeg_bytes(5), org="ACME", email="ann@example.com"
    )
    case_path, rowid = _vcard_message(tmp_path, data)
    dialog = open_viewer(case_path, rowid)
    (card,) = _cards_in(dialog)
    assert card.has_photo
    assert not card.photo_label.pixmap().isNull()
    assert card.name_label.text() == "Ann <b>Lee</b>"  # literal, never rich text
    assert card.org_label.text() == "ACME" and card.org_label.isVisibleTo(card)
    assert [x.text() for x in card.field_labels["phone"]] == ["+12145550123"]
    assert [x.text() for x in card.field_labels["email"]] == ["ann@example.com"]
    assert "Dallas" in card.field_labels["address"][0].text()
    for label in card.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText or label.text() == ""


def test_save_as_vcf_writes_the_part_bytes(qtbot, tmp_path: Path, open_viewer, monkeypatch):
    data = vcard("Bob Stone", "+12145550124")
    case_path, rowid = _vcard_message(tmp_path, data)
    dialog = open_viewer(case_path, rowid)
    (card,) = _cards_in(dialog)
    target = tmp_path / "saved" / "bob.vcf"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes() == data
    # saving again never overwrites
    qtbot.mouseClick(card.save_button, Qt.MouseButton.LeftButton)
    assert (target.parent / "bob (2).vcf").read_bytes() == data


# A contact photo in this real sample has stray bytes between JPEG markers: the decoder
# says so and shows the picture anyway.
@pytest.mark.qt_log_ignore("Corrupt JPEG data", "Unsupported marker type")
def test_real_android_vcard_with_several_cards(qtbot, tmp_path: Path, open_viewer) -> None:
    data = corpus_file("vcard", "ezvcard_John_Doe_ANDROID.vcf").read_bytes()
    case_path, rowid = _vcard_message(tmp_path, data)
    dialog = open_viewer(case_path, rowid)
    contacts = dialog.row.envelope.contacts
    assert len(contacts) >= 2
    cards = _cards_in(dialog)
    assert len(cards) == len(contacts)
    assert [c.name_label.text() for c in cards] == [c.name or "(no name)" for c in contacts]


@pytest.mark.parametrize(
    "name",
    [
        "ezvcard_John_Doe_IPHONE.vcf",
        "aosp-vcard-v21_blackberry_photo.vcf",
        "aosp-vcard-v30_ios_613_multiline.vcf",
        "ezvcard_rfc6350-example.vcf",
        "aosp-vcard-v21_japanese_2.vcf",
        "aosp-vcard-v21_nest.vcf",
    ],
)
def test_real_vcards_render(qtbot, tmp_path: Path, open_viewer, name: str) -> None:
    data = corpus_file("vcard", name).read_bytes()
    case_path, rowid = _vcard_message(tmp_path, data, in_smil=False)  # so: in the strip
    dialog = open_viewer(case_path, rowid)
    contacts = dialog.row.envelope.contacts
    cards = _cards_in(dialog)
    assert len(cards) == max(1, len(contacts))
    for card, contact in zip(cards, contacts, strict=False):
        assert card.has_photo == bool(contact.photo_sha256) or not card.has_photo
        if not contact.parsed:
            assert card.raw_view is not None
            raw = (contact.raw or "").replace("\r\n", "\n").replace("\r", "\n")
            # control characters (here C1 bytes of Shift-JIS read as Latin-1) as tokens
            assert card.raw_view.toPlainText() == show_invisible(raw)


def test_unparsable_card_shows_raw_text(qtbot, tmp_path: Path, open_viewer) -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE:=ZZ=\r\nFN:Broken\r\n"
        b"PHOTO;ENCODING=BASE64:@@@@\r\nEND:VCARD\r\n"
    )
    case_path, rowid = _vcard_message(tmp_path, data)
    dialog = open_viewer(case_path, rowid)
    cards = _cards_in(dialog)
    assert cards
    contacts = dialog.row.envelope.contacts
    if not contacts or not contacts[0].parsed:
        assert cards[0].raw_view is not None and cards[0].raw_view.toPlainText()
    # a card the decoder did not read at all is still shown as raw text
    garbage = b"BEGIN:VCARD\r\nthis is not a card"
    case2, rowid2 = _vcard_message(tmp_path / "b", garbage)
    dialog2 = open_viewer(case2, rowid2)
    cards2 = _cards_in(dialog2)
    assert len(cards2) >= 1
    contacts2 = dialog2.row.envelope.contacts
    if not contacts2 or not contacts2[0].parsed:
        assert cards2[0].raw_view is not None
        assert "this is not a card" in cards2[0].raw_view.toPlainText()
