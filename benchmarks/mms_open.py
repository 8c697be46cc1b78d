"""Time to the first slide of an MMS holding ~5 MB of images (issue goal: < 200 ms).

    QT_QPA_PLATFORM=offscreen python benchmarks/mms_open.py [--mb 5] [--runs 5]

Builds one MMS (three large noisy JPEG/PNG images over two slides, ~5 MB in all, plus
text) with the project's MM7 writer, imports it through the real import path, then
measures, offscreen:

* viewer: from ``MmsViewerDialog(case_path, rowid)`` until the first slide is painted
  with its images decoded (off-thread, at display size) — the user's wait;
* baseline, in the same run: ``QImage.fromData`` of the same first-slide image bytes
  on the GUI thread (a naive viewer's decode, no database, no widgets).

It prints both (median of the runs) and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def build_case(folder: Path, total_mb: float) -> tuple[Path, int, list[bytes]]:
    from msgcopy_viewer.demo import media
    from msgcopy_viewer.demo.generator import write_event_file
    from msgcopy_viewer.demo.mm7_writer import Mm7Part, build_mm7
    from msgcopy_viewer.ingest.pipeline import Importer

    rng = random.Random(5)
    target = int(total_mb * 1024 * 1024 / 3 * 1.15)  # the generator lands a bit low
    images = []
    for n in range(3):
        data, ctype, ext = media.make_noise_image(rng, target)
        images.append(Mm7Part(ctype, data, f"img{n}", f"img{n}.{ext}", f"img{n}.{ext}"))
    text = Mm7Part("text/plain", b"benchmark", "text1", "t.txt", "t.txt", "utf-8")
    smil = (
        b'<smil><head><layout><root-layout width="320" height="480"/>'
        b'<region id="Image" top="0" left="0" height="50%" width="100%" fit="meet"/>'
        b'<region id="Image2" top="50%" left="0" height="40%" width="100%" fit="meet"/>'
        b'<region id="Text" top="90%" left="0" height="10%" width="100%"/>'
        b"</layout></head><body>"
        b'<par dur="5000ms"><img src="cid:img0" region="Image"/>'
        b'<img src="cid:img1" region="Image2"/><text src="cid:text1" region="Text"/></par>'
        b'<par dur="5000ms"><img src="cid:img2" region="Image"/></par>'
        b"</body></smil>"
    )
    smil_part = Mm7Part("application/smil", smil, "smil", "s.smil", "s.smil", "utf-8", "8bit")
    message, ctype = build_mm7(
        direction="mt", sender="+12145550111", to=["+12145550100"], subject="bench",
        timestamp=datetime(2024, 7, 1, tzinfo=UTC), smil=smil_part, parts=[*images, text],
        token="b" * 24, transaction_id="B1",
    )  # fmt: skip
    event = {
        "direction": "mt",
        "startTime": "2024-07-01T12:00:00.000+0000",
        "subscriberParty": {"domain": "d", "mobile": "12145550100", "did": "1", "subrId": "s"},
        "otherParty": {"number": "+12145550111"},
        "message": message,
        "messageType": "mms",
        "messageContentType": ctype,
    }
    write_event_file(folder / "in" / "mms.json", event)
    case_path = folder / "bench.mcase"
    Importer(case_path, workers=1).run([folder / "in"])
    import sqlite3

    conn = sqlite3.connect(case_path)
    rowid = conn.execute("SELECT rowid FROM messages WHERE type = 'mms'").fetchone()[0]
    conn.close()
    return case_path, rowid, [p.data for p in images]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=5.0)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from msgcopy_viewer.ui.mms.viewer import MmsViewerDialog

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory(prefix="mms-bench-") as tmp:
        case_path, rowid, images = build_case(Path(tmp), args.mb)
        total = sum(len(i) for i in images)
        first_slide = images[:2]
        print(f"MMS with {len(images)} images, {total / 1e6:.1f} MB; first slide: 2 images")

        def wait_for(predicate, timeout_s: float = 10.0) -> None:
            loop = QEventLoop()
            timer = QTimer()
            timer.timeout.connect(lambda: predicate() and loop.quit())
            timer.start(1)
            QTimer.singleShot(int(timeout_s * 1000), loop.quit)
            loop.exec()
            timer.stop()

        viewer_ms: list[float] = []
        baseline_ms: list[float] = []
        for _run in range(args.runs):
            t0 = time.perf_counter()
            for data in first_slide:
                image = QImage.fromData(data)
                assert not image.isNull()
            baseline_ms.append((time.perf_counter() - t0) * 1000)

            t0 = time.perf_counter()
            dialog = MmsViewerDialog(case_path, rowid)
            dialog.resize(760, 860)
            dialog.show()
            wait_for(lambda d=dialog: all(v.state != "loading" for v in d.ctx.images))
            dialog.repaint()  # the first slide painted, images included
            viewer_ms.append((time.perf_counter() - t0) * 1000)
            assert all(v.state == "image" for v in dialog.ctx.images), "an image failed"
            dialog.close()
            dialog.deleteLater()
            app.processEvents()

    viewer = statistics.median(viewer_ms)
    baseline = statistics.median(baseline_ms)
    print(f"time to first slide painted: {viewer:7.1f} ms (median of {args.runs}; goal < 200)")
    print(f"baseline QImage decode     : {baseline:7.1f} ms (same bytes, GUI thread)")
    print(f"ratio viewer/baseline      : {viewer / baseline:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
