"""The status-bar progress of a folder import: the whole size and time left from the start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from msgcopy_viewer.ingest.pipeline import ImportProgress
from msgcopy_viewer.ui.widgets.progress_bar import ImportProgressWidget, format_progress

from .conftest import sms_event

pytestmark = pytest.mark.gui


def test_progress_text_has_time_left_from_bytes() -> None:
    text = format_progress(ImportProgress(46, 100, 1_840_000, 4_000_000, 12, 2.0, "a.json"))
    assert "46 / 100 files" in text
    assert "1.8 / 4.0 MB" in text
    assert "about 2 s left" in text


def test_folder_import_shows_its_whole_size_from_the_first_report(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    folder = tmp_path / "offload"
    folder.mkdir()
    for i in range(30):
        event = sms_event(i)
        event["message"] = f"message {i} " + "y" * 30_000
        (folder / f"m{i:03d}.json").write_text(json.dumps({"smsEvent": [event]}))
    total = sum(p.stat().st_size for p in folder.iterdir())
    seen: list[tuple[ImportProgress, str]] = []
    original = ImportProgressWidget.update_progress

    def spy(self: ImportProgressWidget, p: ImportProgress) -> None:
        original(self, p)
        seen.append((p, self.label.text()))

    monkeypatch.setattr(ImportProgressWidget, "update_progress", spy)
    assert window.start_import([folder])
    qtbot.waitUntil(lambda: not window.import_running, timeout=30_000)
    assert seen
    assert all(p.bytes_total == total for p, _ in seen)
    first_text = seen[0][1]
    assert f"/ {total / 1e6:.1f} MB" in first_text, first_text
