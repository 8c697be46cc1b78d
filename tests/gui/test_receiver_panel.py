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


# The options of `serve` that the panel has no field for, and why.
NOT_IN_THE_PANEL = {
    "help": "argparse",
    "case": "the open case",
    "data_dir": "the app's own data folder",
    "verbose": "the app's log",
    "quiet": "console lines; the panel has its table",
}
# the panel's field for every other option of `serve`
FIELDS = {
    "inbox": "inbox",
    "host": "host",
    "port": "port",
    "path": "path",
    "token": "token",
    "token_file": "token_file",
    "tls_cert": "cert",
    "tls_key": "key",
    "tls_self_signed": "tls",
    "max_body": "max_body",
    "strict": "strict",
    "respond": "respond",
    "delay": "delay",
    "fail_rate": "fail_rate",
    "allow_public_without_token": "public",
    "max_connections": "max_connections",
}


def serve_options() -> set[str]:
    from msgcopy_viewer.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command" or a.choices)
    serve = sub.choices["serve"]
    return {a.dest for a in serve._actions}


def test_the_panel_offers_every_setting_of_serve(window: Any, tmp_path: Path) -> None:
    options = serve_options()
    assert options - set(NOT_IN_THE_PANEL) == set(FIELDS), "a serve option has no panel field"
    panel = window.receiver_panel
    for name in FIELDS.values():
        assert getattr(panel, name) in panel._settings  # disabled while running
    assert window.open_case(tmp_path / "live.mcase", create=True)
    token_file = tmp_path / "token.txt"
    token_file.write_text("  s3cret-from-file\n", "utf-8")
    panel.token_file.setText(str(token_file))
    panel.max_connections.setValue(3)
    panel.fail_rate.setValue(0.5)
    panel.respond.setValue(201)
    panel.path.setText("msgcopy")
    cfg = panel.config()
    assert cfg.token == "s3cret-from-file" and cfg.max_connections == 3
    assert cfg.fail_rate == pytest.approx(0.005) and cfg.respond == 201
    assert cfg.path == "/msgcopy"
    panel.respond.setValue(panel.respond.minimum())
    assert panel.config().respond is None and panel.respond.text() == "normal answers"
    from msgcopy_viewer.receiver.config import ConfigError

    panel.token.setText("typed")
    with pytest.raises(ConfigError, match="not both"):
        panel.config()
    panel.token.clear()
    token_file.write_text("\n", "utf-8")
    with pytest.raises(ConfigError, match=r"token file .* is empty"):
        panel.config()
    token_file.unlink()
    panel.start()
    assert not panel.running and "cannot read the token file" in panel.status.text()


def test_settings_are_remembered_but_never_the_token(
    qtbot: Any, make_window: Any, tmp_path: Path
) -> None:
    first = make_window()
    assert first.open_case(tmp_path / "live.mcase", create=True)
    panel = first.receiver_panel
    panel.port.setValue(0)
    panel.path.setText("/in")
    panel.token.setText("typed-Secret-99")
    panel.max_body.setText("512KB")
    panel.max_connections.setValue(7)
    panel.strict.setChecked(True)
    panel.delay.setValue(25)
    panel.fail_rate.setValue(12.5)
    panel.respond.setValue(202)
    panel.public.setChecked(True)
    panel.tls.setCurrentIndex(1)
    inbox = tmp_path / "elsewhere"
    panel.inbox.setText(str(inbox))
    with qtbot.waitSignal(panel.runningChanged, timeout=30_000):
        panel.start()
    with qtbot.waitSignal(panel.runningChanged, timeout=30_000):
        panel.stop()
    ini = first.settings.path.read_text("utf-8")
    assert "typed-Secret-99" not in ini
    second = make_window().receiver_panel
    assert second.port.value() == 0 and second.path.text() == "/in"
    assert second.max_body.text() == "512KB" and second.max_connections.value() == 7
    assert second.strict.isChecked() and second.delay.value() == 25
    assert second.fail_rate.value() == 12.5 and second.respond.value() == 202
    assert second.tls.currentIndex() == 1 and second.inbox.text() == str(inbox)
    assert second.token.text() == "" and not second.public.isChecked()


def test_save_the_self_signed_certificate_and_send_with_it(
    qtbot: Any, window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QFileDialog

    assert window.open_case(tmp_path / "live.mcase", create=True)
    panel = window.receiver_panel
    panel.show()
    panel.port.setValue(0)
    panel.tls.setCurrentIndex(1)
    panel.token.setText(TOKEN)
    assert not panel.save_cert_button.isVisible()
    with qtbot.waitSignal(panel.runningChanged, timeout=30_000):
        panel.start()
    assert panel.url.text().startswith("https://127.0.0.1:")
    assert panel.save_cert_button.isVisible() and panel.fingerprint.text().count(":") == 31
    qtbot.mouseClick(panel.copy_fingerprint_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == panel.fingerprint.text()

    cert = tmp_path / "saved" / "receiver.pem"
    cert.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(cert), ""))
    qtbot.mouseClick(panel.save_cert_button, Qt.MouseButton.LeftButton)
    pem = cert.read_text("ascii")
    assert pem.startswith("-----BEGIN CERTIFICATE-----") and "PRIVATE KEY" not in pem
    assert str(cert) in panel.status.text()

    message = tmp_path / "m.json"
    message.write_bytes(sms_file_bytes(3))
    token_file = tmp_path / "token.txt"
    token_file.write_text(TOKEN, "utf-8")
    cmd = [sys.executable, "-m", "msgcopy_viewer", "send", str(message), "--url"]
    cmd += [panel.url.text(), "--token-file", str(token_file), "--cycles", "1"]
    cmd += ["--interval", "0", "--state", str(tmp_path / "state.jsonl")]
    untrusted = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    qtbot.waitUntil(lambda: untrusted.poll() is not None, timeout=60_000)
    out, _ = untrusted.communicate()
    assert untrusted.returncode == 1 and b"certificate" in out
    trusted = subprocess.Popen(
        [*cmd, "--ca", str(cert)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    qtbot.waitUntil(lambda: trusted.poll() is not None, timeout=60_000)
    out, err = trusted.communicate()
    assert trusted.returncode == 0, (out, err)
    assert b"1 acknowledged" in out
    qtbot.waitUntil(
        lambda: any(
            panel.model.record(i).outcome == "stored" for i in range(panel.model.rowCount())
        ),
        timeout=10_000,
    )


def test_watch_a_network_share_by_polling(
    qtbot: Any, make_window: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `watch --poll`: for shares whose file events never arrive; remembered."""
    from PySide6.QtWidgets import QFileDialog

    window = make_window()
    assert window.open_case(tmp_path / "live.mcase", create=True)
    share = tmp_path / "share"
    share.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(share))
    panel = window.receiver_panel
    panel.watch_poll.setChecked(True)
    panel.ask_watch_folder()
    (watch,) = panel.watches
    assert watch.watcher.poll
    row = panel._watch_rows[watch]
    assert "(polling)" in row.label.text()
    with qtbot.waitSignal(panel.messagesStored, timeout=30_000):
        (share / "a.json").write_bytes(sms_file_bytes(1))
    qtbot.waitUntil(lambda: "1 imported" in row.label.text(), timeout=10_000)
    panel.stop_watch(watch)
    assert make_window().receiver_panel.watch_poll.isChecked()
