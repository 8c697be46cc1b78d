"""Every part reachable: the "Also in this message" strip, Save, Save all, Copy, Open."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from msgcopy_viewer.ui.mms.image_view import ImageView
from msgcopy_viewer.ui.mms.media_player import MediaPlayerWidget
from msgcopy_viewer.ui.mms.part_actions import (
    MANIFEST_NAME,
    PartActions,
    private_temp_dir,
    safe_name,
    write_new_file,
)
from msgcopy_viewer.ui.mms.part_view import TextPartView
from tests.gui.mms_helpers import (
    import_message,
    mm7,
    open_viewer,
    part,
    png_bytes,
    smil,
    text_part,
    vcard,
    wait_images,
    wav_bytes,
)

pytestmark = pytest.mark.gui
__all__ = ["open_viewer"]  # fixture


def _message_with_extras(tmp_path: Path) -> tuple[Path, int]:
    """One slide (image + text) and four parts the SMIL does not reference."""
    parts = [
        part("image/png", png_bytes(), "img1", "shown.png"),
        text_part("shown text", "text1"),
        part("image/png", png_bytes(30, 30, (0, 200, 0)), "img2", "../../etc/passwd"),
        part("audio/wav", wav_bytes(0.5), "aud1", "memo.wav"),
        part("text/x-vcard", vcard("Cy Twombly", "+12145550125"), "vc1", "cy.vcf"),
        part("application/pdf", b"%PDF-1.4\n%fake\n", "doc1", "shown.png"),  # same name
    ]
    s = smil([[("img", "img1", "Image"), ("text", "text1", "Text")]])
    message, ctype = mm7(parts, s, subject="extras")
    return import_message(tmp_path, message, ctype)


def test_strip_lists_parts_the_smil_does_not_reference(qtbot, tmp_path: Path, open_viewer):
    case_path, rowid = _message_with_extras(tmp_path)
    dialog = open_viewer(case_path, rowid)
    strip = dialog.strip
    assert strip.isVisible()
    mms_parts = dialog.row.parts
    expected = [p.index for p in mms_parts if not p.in_smil and not p.is_smil]
    assert [p.index for p in strip.parts] == expected
    assert len(expected) == 4
    assert strip.title.text() == "Also in this message (4)"
    # clicking a chip shows that part under the strip (the right widget for its kind)
    kinds = {}
    for p in strip.parts:
        qtbot.mouseClick(strip.buttons[p.index], Qt.MouseButton.LeftButton)
        assert strip.selected == p.index
        kinds[p.kind] = type(strip.detail_content()).__name__
    assert kinds["image"] == ImageView.__name__
    assert kinds["audio"] == MediaPlayerWidget.__name__
    assert kinds["contact"] == "ContactCards"
    assert kinds["file"] == "PartPlaceholder"
    # click again: hidden
    last = strip.parts[-1].index
    qtbot.mouseClick(strip.buttons[last], Qt.MouseButton.LeftButton)
    assert strip.detail is None and strip.selected is None
    # the Parts menu reaches every part (SMIL included) with Save / Copy / Open externally
    menu = dialog.parts_button.menu()
    assert len(menu.actions()) == len(mms_parts)
    for action in menu.actions():
        assert [a.text() for a in action.menu().actions()] == ["Save…", "Copy", "Open externally"]


def test_no_strip_when_everything_is_in_the_smil(qtbot, tmp_path: Path, open_viewer) -> None:
    message, ctype = mm7([text_part("only")], smil([[("text", "text1", "Text")]]))
    case_path, rowid = import_message(tmp_path, message, ctype)
    dialog = open_viewer(case_path, rowid)
    assert dialog.strip.parts == [] and not dialog.strip.isVisible()


def _verify_manifest(folder: Path, manifest: Path) -> list[str]:
    names = []
    for line in manifest.read_text("utf-8").splitlines():
        digest, name = line.split("  ", 1)
        path = folder / name
        assert path.parent == folder
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        names.append(name)
    return names


def test_save_all_writes_files_and_a_verifying_manifest(
    qtbot, tmp_path: Path, open_viewer, monkeypatch
) -> None:
    case_path, rowid = _message_with_extras(tmp_path)
    dialog = open_viewer(case_path, rowid)
    out = tmp_path / "export"
    out.mkdir()
    (out / "shown.png").write_bytes(b"do not overwrite me")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(out))
    with qtbot.waitSignal(dialog.part_actions.status, timeout=5000):
        qtbot.mouseClick(dialog.save_all_button, Qt.MouseButton.LeftButton)
    assert (out / "shown.png").read_bytes() == b"do not overwrite me"
    manifest = out / MANIFEST_NAME
    names = _verify_manifest(out, manifest)
    parts = dialog.row.parts
    assert len(names) == len(parts)  # every part, the SMIL included
    assert "shown (2).png" in names and "shown (3).png" in names
    assert "passwd" in names  # the path in the name was dropped
    assert not (tmp_path / "etc").exists()
    assert set(os.listdir(out)) == {*names, "shown.png", MANIFEST_NAME}
    # the bytes are the stored parts' bytes
    assert sorted(hashlib.sha256((out / n).read_bytes()).hexdigest() for n in names) == sorted(
        p.sha256 for p in parts
    )
    if shutil.which("sha256sum"):
        done = subprocess.run(
            ["sha256sum", "-c", MANIFEST_NAME], cwd=out, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
    # a second Save all into the same folder: nothing overwritten, a second manifest
    result = dialog.part_actions.save_all_to(out)
    assert result is not None and result.manifest.name == "manifest (2).sha256"
    assert _verify_manifest(out, manifest) == names
    _verify_manifest(out, result.manifest)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../evil.txt", "evil.txt"),
        ("..\\..\\evil.txt", "evil.txt"),
        ("/etc/passwd", "passwd"),
        (".hidden", "hidden"),
        ("..", "part.bin"),
        ("", "part.bin"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("a\nb\x00c.jpg", "a⟦U+000A⟧b⟦U+0000⟧c.jpg"),
        ("invoice\u202egpj.exe", "invoice⟦U+202E⟧gpj.exe"),
        ('what?<>:"|*.png', "what_______.png"),
        ("x" * 300 + ".jpeg", "x" * 115 + ".jpeg"),
    ],
)
def test_safe_names(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_write_new_file_never_follows_a_planted_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"original")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").symlink_to(victim)
    written = write_new_file(out, "a.txt", b"new")
    assert written.name == "a (2).txt" and victim.read_bytes() == b"original"


def test_copy_puts_image_text_or_a_private_file_on_the_clipboard(
    qtbot, tmp_path: Path, open_viewer
) -> None:
    case_path, rowid = _message_with_extras(tmp_path)
    dialog = open_viewer(case_path, rowid)
    actions = dialog.part_actions
    by_name = {p.label: p for p in actions.parts}
    clipboard = QGuiApplication.clipboard()
    image = next(p for p in actions.parts if p.kind == "image")
    assert actions.copy(image)
    assert clipboard.image().width() == 64
    assert actions.copy(by_name["text1.txt"])
    assert clipboard.text() == "shown text"
    wav = by_name["memo.wav"]
    assert actions.copy(wav)
    urls = clipboard.mimeData().urls()
    assert len(urls) == 1 and urls[0].isLocalFile()
    copy_path = Path(urls[0].toLocalFile())
    assert copy_path.read_bytes() == actions.data(wav)
    assert private_temp_dir() in copy_path.parents
    assert stat.S_IMODE(copy_path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(private_temp_dir().stat().st_mode) == 0o700


def test_open_externally_uses_a_private_temporary_copy(
    qtbot, tmp_path: Path, open_viewer, monkeypatch
) -> None:
    case_path, rowid = _message_with_extras(tmp_path)
    dialog = open_viewer(case_path, rowid)
    opened: list[QUrl] = []
    monkeypatch.setattr(PartActions, "open_url", lambda url: opened.append(url) or True)
    pdf = next(p for p in dialog.part_actions.parts if p.kind == "file")
    path = dialog.part_actions.open_externally(pdf)
    assert path is not None and opened == [QUrl.fromLocalFile(str(path))]
    assert path.read_bytes() == b"%PDF-1.4\n%fake\n"
    assert private_temp_dir() in path.parents and case_path.parent not in path.parents
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # through the menu of a strip chip too
    strip = dialog.strip
    menu = strip.buttons[pdf.index].menu()
    action = next(a for a in menu.actions() if a.text() == "Open externally")
    action.trigger()
    assert len(opened) == 2 and opened[1] != opened[0]


def test_save_one_part_from_the_context_menu_actions(
    qtbot, tmp_path: Path, open_viewer, monkeypatch
) -> None:
    case_path, rowid = _message_with_extras(tmp_path)
    dialog = open_viewer(case_path, rowid)
    wait_images(qtbot, dialog)
    view = dialog.slideshow.current_view()
    text_widget = view.widget_for_part(2)
    assert isinstance(text_widget, TextPartView)
    target = tmp_path / "one.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    menu = dialog.parts_button.menu()
    sub = menu.actions()[2].menu()  # the text part
    next(a for a in sub.actions() if a.text() == "Save…").trigger()
    assert target.read_bytes() == b"shown text"
