"""The PDF transcript shows only the images the app's one decoder allows.

An MMS part is evidence: an SVG (which Qt would render, fetching nothing but running a
parser the app does not use elsewhere), a TIFF, or an SVG that claims to be a PNG must not
be drawn into the report; a real PNG is. Each refused image leaves a visible line saying so.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from tests.gui.mms_helpers import image_bytes, import_events, mm7, mms_event, part, png_bytes

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink" width="400" height="300">'
    b'<image xlink:href="http://example.invalid/beacon.png" width="10" height="10"/>'
    b'<rect width="400" height="300" fill="red"/></svg>'
)


def test_pdf_draws_allowed_images_only(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    parts = [
        part("image/png", png_bytes(40, 30), "real", "real.png"),
        part("image/svg+xml", SVG, "vector", "drawing.svg"),
        part("image/png", SVG, "liar", "liar.png"),  # an SVG that says it is a PNG
        part("image/tiff", image_bytes("TIFF"), "tiff", "scan.tiff"),
    ]
    body, ctype = mm7(parts, subject="pictures")
    case = import_events(tmp_path, [mms_event(body, ctype)])
    out = tmp_path / "t.pdf"
    code = main(["export", "--case", str(case), "--format", "pdf", "-o", str(out)])
    _, err = capsys.readouterr()
    assert code == 0, err

    reader = PdfReader(out)
    # NFKC: the PDF's text layer may hold typographic ligatures ("ﬀ" in "tiff")
    text = unicodedata.normalize(
        "NFKC", " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    )
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == 1, [img.name for img in images]  # the real PNG only
    for name in ("drawing.svg", "liar.png", "scan.tiff"):
        assert name in text
    assert text.count("Image not shown") == 3, text
    assert "beacon" not in text
