"""extract-media names: a hostile part name never leaves the folder or overwrites a file."""

from __future__ import annotations

import pytest

from msgcopy_viewer.export.media import MAX_NAME_BYTES, safe_filename


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.jpg", "3-photo.jpg"),
        ("../../x.sh", "3-x.sh"),
        ("/etc/passwd", "3-passwd.jpg"),
        ("C:\\Windows\\evil.exe", "3-evil.exe"),
        ("a\x00b\x1fc\x7f.png", "3-a⟦U+0000⟧b⟦U+001F⟧c⟦U+007F⟧.png"),
        ("invoice\u202egpj.exe", "3-invoice⟦U+202E⟧gpj.exe"),
        ('what?<>:"|*.gif', "3-what_______.gif"),
        ("CON", "3-_CON.jpg"),
        ("nul.txt", "3-_nul.txt"),
        ("lpt1.tar.gz", "3-_lpt1.tar.gz"),
        ("...", "3-part.jpg"),
        ("", "3-part.jpg"),
        (None, "3-part.jpg"),
        (" . hidden . ", "3-hidden.jpg"),
    ],
)
def test_safe_names(name: str | None, expected: str) -> None:
    assert safe_filename(name, 3, "image/jpeg") == expected


def test_extension_from_type_and_long_names_bounded() -> None:
    assert safe_filename("voice", 1, "audio/amr") == "1-voice.amr"
    assert safe_filename("blob", 1, "application/x-unknown") == "1-blob.bin"
    long = safe_filename("é" * 300 + ".jpeg", 12, "image/jpeg")
    assert len(long.encode()) <= MAX_NAME_BYTES and long.endswith(".jpeg")
    assert "/" not in long and "\\" not in long
