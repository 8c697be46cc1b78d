"""The Receiver panel on the real window: start it, post to it, see the request and the
message in its conversation; watched folders; closing while it runs."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from msgcopy_viewer.receiver.requestlog import RequestRecord

from .conftest import BoxCapture, sms_file_bytes

pytestmark = pytest.mark.gui

TOKEN = "gui-Secret-token-42"


def post(url: str, body: bytes, token: str | None = None) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, data=body, method="POST")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def start_panel(qtbot: Any, window: Any, tmp_path: Path, token: str | None = None) -> Any:
    assert window.open_case(tmp_path / "live.mcase", create=True)
    panel = window.receiver_panel
    next(a for a in window.view_menu.actions() if a.text() == "Receiver").trigger()
    assert panel.isVisible()
    panel.port.setValue(0)  # any free port
    if token:
        panel.token.setText(token)
    with qtbot.waitSignal(panel.runningChanged, timeout=30_000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.url.text().startswith("http://127.0.0.1:")
    return panel


def test_start_post_and_see_the_message_in_its_conversation(
    qtbot: Any, window: Any, tmp_path: Path, boxes: BoxCapture
) -> None:
    panel = start_panel(qtbot, window, tmp_path, TOKEN)
    indicator = next(
        w
        for w in window.statusBar().findChildren(type(panel.status))
        if w.accessibleName() == "Receiver status"
    )
    assert indicator.isVisible() and "0 stored" in indicator.text()

    status, answer = post(panel.url.text(), sms_file_bytes(7), TOKEN)
    assert status == 200 and answer["duplicate"] is False
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    record: RequestRecord = panel.model.record(0)
    assert record.outcome == "stored" and record.message_id == answer["id"]
    assert "1 stored" in indicator.text()

    # the message is in its conversation, which the window shows without a reload
    (conversation,) = record.conversations
    conversations = window.browser.conversations
    qtbot.waitUntil(lambda: conversations.select_conversation(conversation), timeout=10_000)
    thread = window.browser.thread_view.thread_model
    qtbot.waitUntil(lambda: thread.rowCount() == 1, timeout=10_000)
    assert "Message number 7" in thread.item(0).text

    # a refused request: newest first, filterable, token masked in the detail pane
    status, _ = post(panel.url.text(), sms_file_bytes(8), "wrong-token")
    assert status == 401
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=10_000)
    assert panel.model.record(0).outcome == "refused"
    panel.filter.setCurrentIndex(panel.filter.findData("stored"))
    assert panel.proxy.rowCount() == 1
    panel.table.selectRow(0)
    detail = panel.detail.toPlainText()
    assert '"duplicate": false' in detail and "Message number 7" in detail
    assert TOKEN not in detail and "hidden" in detail
    panel.filter.setCurrentIndex(panel.filter.findData(None))
    assert panel.proxy.rowCount() == 2

    # closing while it runs asks first; "No" keeps it running
    boxes.answer = boxes.answer.No
    assert not window.close()
    assert panel.running and boxes.titles()[0].startswith("Live sources running")
    with qtbot.waitSignal(panel.runningChanged, timeout=30_000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)  # Stop
    assert not panel.running and not indicator.isVisible()


def test_watch_folder_from_the_panel(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    assert window.open_case(tmp_path / "live.mcase", create=True)
    share = tmp_path / "share"
    share.mkdir()
    (share / "a.json").write_bytes(sms_file_bytes(1))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(share))
    action = next(a for a in window.file_menu.actions() if a.text() == "&Watch Folder…")
    panel = window.receiver_panel
    with qtbot.waitSignal(panel.messagesStored, timeout=30_000):
        action.trigger()
    assert [w.folder for w in panel.watches] == [share]
    row = panel._watch_rows[panel.watches[0]]
    qtbot.waitUntil(lambda: "1 imported" in row.label.text(), timeout=10_000)
    qtbot.mouseClick(row.button, Qt.MouseButton.LeftButton)  # Stop
    assert panel.watches == [] and not panel.active


def test_settings_become_the_receivers_configuration(window: Any, tmp_path: Path) -> None:
    from msgcopy_viewer.receiver.config import ConfigError

    panel = window.receiver_panel
    with pytest.raises(ConfigError, match="open or create a case"):
        panel.config()
    assert window.open_case(tmp_path / "live.mcase", create=True)
    cfg = panel.config()
    assert cfg.inbox == tmp_path / "live.mcase.inbox" and cfg.host == "127.0.0.1"
    assert cfg.token is None and cfg.respond is None and cfg.fail_rate == 0
    panel.host.setText("0.0.0.0")
    with pytest.raises(ConfigError, match="without a token"):
        panel.config()
    panel.token.setText("t0ken")
    panel.max_body.setText("512KB")
    panel.respond.setValue(503)
    panel.fail_rate.setValue(20)
    panel.tls.setCurrentIndex(1)
    cfg = panel.config()
    assert cfg.max_body == 512 << 10 and cfg.respond == 503 and cfg.fail_rate == 0.2
    assert cfg.tls_self_signed and cfg.token == "t0ken"
    panel.max_body.setText("lots")
    panel.start()  # refused with the reason, nothing started
    assert not panel.running and "not a size" in panel.status.text()
