"""The MMS viewer dialog: header, slides as the SMIL lays them out, play, fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from msgcopy_viewer.ui.mms.contact_card import ContactCards
from msgcopy_viewer.ui.mms.image_view import ImageView
from msgcopy_viewer.ui.mms.media_player import MediaPlayerWidget
from msgcopy_viewer.ui.mms.part_view import TextPartView
from msgcopy_viewer.ui.mms.slideshow import DEFAULT_SLIDE_MS
from msgcopy_viewer.ui.mms.viewer import FALLBACK_NOTICE
from tests.gui.mms_helpers import (
    corpus_file,
    demo_case,
    import_message,
    jpeg_bytes,
    mm7,
    open_viewer,
    part,
    png_bytes,
    smil,
    text_part,
    wait_images,
)

pytestmark = pytest.mark.gui
__all__ = ["demo_case", "open_viewer"]  # fixtures

_KIND_WIDGET = {
    "image": ImageView,
    "text": TextPartView,
    "audio": MediaPlayerWidget,
    "vcard": ContactCards,
}


def _widget_kind(widget: object) -> str:
    for kind, cls in _KIND_WIDGET.items():
        if isinstance(widget, cls):
            return kind
    return type(widget).__name__


def _expected_kind(ctype: str) -> str:
    if "vcard" in ctype:
        return "vcard"
    return {"text/plain": "text"}.get(ctype, ctype.split("/")[0])


def test_demo_mms_slides_match_what_the_generator_put_in(qtbot, demo_case, open_viewer) -> None:
    case_path, summary, rowids = demo_case
    mms_files = [f for f in summary.files if f.kind == "mms" and f.mms is not None]
    assert len(mms_files) > 20
    checked = 0
    for demo_file in mms_files[:25]:
        demo = demo_file.mms
        dialog = open_viewer(case_path, rowids[demo_file.relpath])
        show = dialog.slideshow
        assert show.count == demo.slide_count
        assert show.counter.text().startswith(f"Slide 1 of {demo.slide_count}")
        # every slide, in order, shows the content parts in document order
        shown_kinds = []
        for index in range(show.count):
            show.show_slide(index)
            view = show.current_view()
            assert view is not None and view.number == index
            shown_kinds += [_widget_kind(w) for _item, w in view.items]
        expected = [_expected_kind(a.content_type) for a in demo.attachments[1:]]
        assert shown_kinds == expected
        # header: sender and recipients as the envelope says (display forms)
        header = dialog.header.values
        assert header["From"].textFormat() == Qt.TextFormat.PlainText
        assert demo.sender[-7:] in header["From"].text().replace(" ", "").replace("-", "")
        assert len(header["To"].text().split(", ")) == len(demo.to)
        if demo.cc:
            assert "Cc" in header
        assert dialog.strip.parts == []  # everything is in the SMIL
        dialog.close()
        checked += 1
    assert checked == 25


def test_group_mms_header_shows_sender_and_recipients(qtbot, tmp_path: Path, open_viewer) -> None:
    message, ctype = mm7(
        [text_part("Group hello")],
        smil([[("text", "text1", "Text")]]),
        subject="Team <b>lunch</b>",
        sender="+12145550111",
        to=["+12145550100", "+12145550122"],
        cc=["+12145550133"],
        bcc=["+12145550144"],
    )
    case_path, rowid = import_message(tmp_path, message, ctype)
    dialog = open_viewer(case_path, rowid)
    values = dialog.header.values
    assert "2145550111" in values["From"].text().replace(" ", "")
    assert len(values["To"].text().split(", ")) == 2
    assert "2145550133" in values["Cc"].text().replace(" ", "")
    assert "2145550144" in values["Bcc"].text().replace(" ", "")
    assert "Group MMS" in values["Group"].text()
    # untrusted subject is plain text, shown literally
    assert dialog.header.subject_label.textFormat() == Qt.TextFormat.PlainText
    assert dialog.header.subject_label.text() == "Team <b>lunch</b>"
    for label in dialog.findChildren(QLabel):
        assert label.textFormat() != Qt.TextFormat.RichText


def _three_slides(tmp_path: Path, durations=(5000, 5000, 5000)) -> tuple[Path, int]:
    parts = [
        part("image/png", png_bytes(), "img1", "one.png"),
        text_part("first <i>text</i>", "text1"),
        part("image/jpeg", jpeg_bytes(), "img2", "two.jpg"),
        text_part("second", "text2"),
        text_part("third only text", "text3"),
    ]
    s = smil(
        [
            [("img", "img1", "Image"), ("text", "text1", "Text")],
            [("img", "img2", "Image"), ("text", "text2", "Text")],
            [("text", "text3", "Text")],
        ],
        durations=durations,
    )
    message, ctype = mm7(parts, s, subject="Three")
    return import_message(tmp_path, message, ctype)


def test_slides_in_order_with_regions_and_navigation(qtbot, tmp_path: Path, open_viewer) -> None:
    case_path, rowid = _three_slides(tmp_path)
    dialog = open_viewer(case_path, rowid)
    dialog.resize(700, 900)
    show = dialog.slideshow
    assert show.count == 3
    view = show.current_view()
    assert view.mode == "regions"
    image, text = (w for _i, w in view.items)
    assert isinstance(image, ImageView) and image.part.label == "one.png"
    assert isinstance(text, TextPartView) and text.toPlainText() == "first <i>text</i>"
    wait_images(qtbot, dialog)
    assert image.state == "image"
    # regions keep the root-layout proportions: Image on top (67 %), Text below (33 %)
    qtbot.waitUntil(lambda: view.canvas.width() > 0)
    root = view.canvas.root_rect()
    assert root.width() / root.height() == pytest.approx(320 / 480, rel=0.02)
    img_geo = view.canvas.widget_rect(
        __import__("PySide6.QtCore", fromlist=["QRectF"]).QRectF(0, 0, 320, 480 * 0.67)
    )
    assert image.parentWidget().geometry() == img_geo
    assert text.parentWidget().geometry().top() >= img_geo.bottom()
    assert not show.prev_button.isEnabled() and show.next_button.isEnabled()
    qtbot.mouseClick(show.next_button, Qt.MouseButton.LeftButton)
    assert show.current == 1 and show.counter.text().startswith("Slide 2 of 3")
    assert show.current_view().items[0][1].part.label == "two.jpg"
    qtbot.mouseClick(show.next_button, Qt.MouseButton.LeftButton)
    assert show.current == 2 and not show.next_button.isEnabled()
    assert [type(w) for _i, w in show.current_view().items] == [TextPartView]
    qtbot.mouseClick(show.prev_button, Qt.MouseButton.LeftButton)
    assert show.current == 1


def test_play_advances_by_slide_duration(qtbot, tmp_path: Path, open_viewer) -> None:
    case_path, rowid = _three_slides(tmp_path, durations=(120, 150, None))
    dialog = open_viewer(case_path, rowid)
    show = dialog.slideshow
    assert show.current_view().duration_ms == 120
    with qtbot.waitSignal(show.slideChanged, timeout=3000) as blocker:
        qtbot.mouseClick(show.play_button, Qt.MouseButton.LeftButton)
        assert show.playing and show.play_button.text() == "Pause"
    assert blocker.args == [1]
    with qtbot.waitSignal(show.slideChanged, timeout=3000) as blocker:
        pass
    assert blocker.args == [2]
    # the last slide has no duration: the default applies, then Play stops at the end
    assert show.current_view().duration_ms == DEFAULT_SLIDE_MS
    assert show.timer.isActive() and show.timer.interval() == DEFAULT_SLIDE_MS
    qtbot.mouseClick(show.play_button, Qt.MouseButton.LeftButton)
    assert not show.playing and not show.timer.isActive()


def test_fallback_slides_are_shown_and_announced(qtbot, tmp_path: Path, open_viewer) -> None:
    # the Sinch DeliverReq example has no SMIL at all
    message = corpus_file("mm7", "mm7_deliverreq_sinch_docs_example.txt").read_text("utf-8")
    case_path, rowid = import_message(tmp_path, message, "multipart/related")
    dialog = open_viewer(case_path, rowid)
    assert dialog.row.envelope.slides_source == "fallback"
    assert dialog.fallback_label is not None
    assert dialog.fallback_label.text() == FALLBACK_NOTICE
    show = dialog.slideshow
    assert show.count == len(dialog.row.envelope.slides) >= 1
    assert show.current_view().mode == "flow"
    # no usable SMIL: no fallback notice for a message that has one
    message, ctype = mm7([text_part("x")], smil([[("text", "text1", "Text")]]))
    case2, rowid2 = import_message(tmp_path / "b", message, ctype)
    assert open_viewer(case2, rowid2).fallback_label is None


def test_real_savon_sample_one_slide_image_and_text(qtbot, tmp_path: Path, open_viewer) -> None:
    message = corpus_file("mm7", "mm7_submitreq_savon_multipart.txt").read_text("utf-8")
    case_path, rowid = import_message(tmp_path, message, "multipart/related", direction="mo")
    dialog = open_viewer(case_path, rowid)
    show = dialog.slideshow
    assert show.count == 1
    view = show.current_view()
    assert view.mode == "regions"
    image, text = (w for _i, w in view.items)
    assert isinstance(image, ImageView) and image.part.name == "github_logo.gif"
    assert isinstance(text, QPlainTextEdit)
    assert "This is a test message from Github" in text.toPlainText()
    wait_images(qtbot, dialog)
    assert image.state in ("image", "movie")
    assert dialog.header.subject_label.text() == "Test MMS via Savon"


def test_dangling_smil_reference_part_is_still_reachable(qtbot, tmp_path: Path, open_viewer):
    # SMIL refers to flowers_.jpg while the part is flowers_6.jpg
    message = corpus_file("mm7", "mm7_deliverreq_instantcom_req4_jpeg.txt").read_text("utf-8")
    case_path, rowid = import_message(tmp_path, message, "multipart/related")
    dialog = open_viewer(case_path, rowid)
    jpeg = next(p for p in dialog.row.parts if (p.name or "").startswith("flowers"))
    shown = [
        w.part.index
        for i in range(dialog.slideshow.count)
        for _item, w in dialog.slideshow.view(i).items
        if hasattr(w, "part") and w.part is not None
    ]
    in_strip = [p.index for p in dialog.strip.parts]
    assert jpeg.index in shown or jpeg.index in in_strip


def test_every_real_mm7_sample_opens_without_error(qtbot, tmp_path: Path, open_viewer) -> None:
    folder = corpus_file("mm7", "mm7_submitreq_savon_multipart.txt").parent
    for n, path in enumerate(sorted(folder.glob("*.txt"))):
        message = path.read_text("utf-8", errors="replace")
        try:
            case_path, rowid = import_message(tmp_path / str(n), message, "multipart/related")
        except IndexError:
            continue  # not imported as an MMS row (e.g. rejected): nothing to view
        dialog = open_viewer(case_path, rowid)
        assert dialog.error_label is None, path.name
        for index in range(dialog.slideshow.count):
            dialog.slideshow.show_slide(index)
        wait_images(qtbot, dialog)
        dialog.close()


def test_unknown_message_shows_an_error(qtbot, tmp_path: Path, open_viewer) -> None:
    message, ctype = mm7([text_part("x")], smil([[("text", "text1", "Text")]]))
    case_path, _rowid = import_message(tmp_path, message, ctype)
    dialog = open_viewer(case_path, 999_999)
    assert dialog.error_label is not None and "not in this case" in dialog.error_label.text()
    dialog2 = open_viewer(tmp_path / "missing.mcase", 1)
    assert dialog2.error_label is not None
    assert not (tmp_path / "missing.mcase").exists()  # read-only: never created
