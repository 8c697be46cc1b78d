"""Tooltips show message data as plain text: Qt would read markup in them as rich text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from msgcopy_viewer.ingest.pipeline import Importer
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.ui.models.conversation_model import ConversationModel
from msgcopy_viewer.ui.models.subscriber_model import SubscriberModel
from tests.integration.vendor import sms_event, write


def test_markup_in_party_and_domain_is_shown_literally(qtbot: Any, tmp_path: Path) -> None:
    ev = sms_event("hi", direction="mt", other="X<b>EVIL</b>")
    ev["subscriberParty"]["domain"] = "<i>acme</i>"
    write(tmp_path / "in" / "a.json", ev)
    case_path = tmp_path / "c.mcase"
    Importer(case_path, workers=1).run([tmp_path / "in"])
    with Case.open(case_path) as case:
        conversations = ConversationModel()
        conversations.set_scope(case.conn, None)
        tip = conversations.data(conversations.index(0, 0), Qt.ItemDataRole.ToolTipRole)
        assert "&lt;b&gt;EVIL&lt;/b&gt;" in tip and "<b>" not in tip
        subscribers = SubscriberModel()
        subscribers.set_connection(case.conn)
        domain = subscribers.index(0, 0)
        tip = subscribers.data(domain, Qt.ItemDataRole.ToolTipRole)
        assert "&lt;i&gt;acme&lt;/i&gt;" in tip and "<i>" not in tip
        conversations.set_scope(None, None)
        subscribers.set_connection(None)
