"""Helpers that write vendor-format Message Copy files for tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def sms_event(
    message: str = "hello",
    *,
    direction: str = "mo",
    start: str = "2024-09-16T19:30:39.090+0000",
    mobile: str = "19465559040",
    other: str = "12145555273",
    **extra: Any,
) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "direction": direction,
        "startTime": start,
        "subscriberParty": {
            "domain": "software.tango-networks",
            "mobile": mobile,
            "did": mobile,
            "subrId": "s021157",
        },
        "otherParty": {"number": other},
        "message": message,
        "messageType": "sms",
        "messageContentType": "text/plain; charset=UTF-8",
    }
    ev.update(extra)
    return ev


def document(*events: dict[str, Any]) -> bytes:
    return json.dumps(
        {"smsEvent": list(events)}, indent=3, separators=(",", " : "), ensure_ascii=False
    ).encode("utf-8")


def write(path: Path, *events: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(document(*events))
    return path
