"""Magic-byte sniffing."""

from __future__ import annotations

import pytest

from msgcopy_viewer.core.media_types import (
    DECODABLE_IMAGE_FORMATS,
    decodable_image_format,
    is_media_type,
    sniff,
    sniff_wbmp,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00", "image/heif"),
        (b"\x00\x00\x00\x14ftyp3gp4\x00\x00", "video/3gpp"),
        (b"\x00\x00\x00\x14ftyp3g2a\x00\x00", "video/3gpp2"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "audio/mp4"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00", "video/mp4"),
        (b"BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00", "image/bmp"),
        (b"#!AMR\n", "audio/amr"),
        (b"#!AMR-WB\n", "audio/amr-wb"),
        (b"ID3\x03\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64", "audio/mpeg"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"MThd\x00\x00\x00\x06", "audio/midi"),
        (b"\r\nBEGIN:VCARD\r\n", "text/vcard"),
        (b"<smil></smil>", None),
        (b"hello", None),
        (b"", None),
        (b"\xff", None),
    ],
)
def test_sniff(data: bytes, expected: str | None) -> None:
    assert sniff(data) == expected


def test_wbmp_weak_check() -> None:
    assert sniff_wbmp(b"\x00\x00\x08\x02" + b"\xff\x00")
    assert not sniff_wbmp(b"\x00\x00\x08\x02" + b"\xff")
    assert not sniff_wbmp(b"GIF89a")
    assert sniff(b"\x00\x00\x08\x02\xff\x00") is None


def test_is_media_type() -> None:
    assert is_media_type("image/png") and is_media_type("audio/amr") and is_media_type("video/3gpp")
    assert not is_media_type("text/plain") and not is_media_type(None)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"GIF89a\x01\x00", "gif"),
        (b"GIF87a\x01\x00", "gif"),
        (b"BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00", "bmp"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        # refused: never handed to a decoder, whatever the part says it is
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', None),
        (b'<?xml version="1.0"?><svg/>', None),
        (b"%PDF-1.7\n", None),
        (b"II*\x00\x08\x00\x00\x00", None),
        (b"MM\x00*\x00\x00\x00\x08", None),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", None),
        (b"\x00\x00\x00\x00", None),  # WBMP has no magic number
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_decodable_image_format(data: bytes, expected: str | None) -> None:
    assert decodable_image_format(data) == expected


def test_decodable_formats_are_the_allowlist() -> None:
    assert sorted(DECODABLE_IMAGE_FORMATS.values()) == ["bmp", "gif", "jpeg", "png", "webp"]
