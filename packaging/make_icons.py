"""Render the app icon (resources/icons/app.svg) into the raster formats the bundles need:
a PNG set, a Windows .ico and a macOS .icns (Qt renders the SVG, Pillow writes the files).

    python packaging/make_icons.py OUTDIR
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)


def render_pngs(svg: Path) -> dict[int, bytes]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    out = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")
        buf.close()
        out[size] = bytes(data.data())
    return out


def write_icons(svg: Path, outdir: Path) -> dict[str, Path]:
    from PIL import Image

    outdir.mkdir(parents=True, exist_ok=True)
    pngs = render_pngs(svg)
    images = {size: Image.open(io.BytesIO(data)) for size, data in pngs.items()}
    paths = {"png": outdir / "app-256.png", "ico": outdir / "app.ico", "icns": outdir / "app.icns"}
    paths["png"].write_bytes(pngs[256])
    ico_sizes = [(s, s) for s in SIZES if s <= 256]
    images[256].save(paths["ico"], format="ICO", sizes=ico_sizes)
    images[1024].save(
        paths["icns"], format="ICNS", append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)]
    )
    return paths


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "build" / "icons"
    for kind, path in write_icons(root / "resources" / "icons" / "app.svg", target).items():
        print(f"{kind}: {path}")
