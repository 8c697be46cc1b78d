"""`serve`, `send` and `watch` refuse impossible settings with one plain line (exit 2), never
quote the token, and `send` shows a hostile endpoint's answer as harmless text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from msgcopy_viewer.cli import main
from msgcopy_viewer.receiver.commands import clear_text_token_warning
from msgcopy_viewer.receiver.sender import Sender, SendState
from tests.integration.vendor import document, sms_event

SECRET = "Tok3n-never-shown"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def message(tmp_path: Path) -> Path:
    path = tmp_path / "m.json"
    path.write_bytes(document(sms_event("hello")))
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--max-connections", "0"], "--max-connections must be at least 1"),
        (["--host", ""], "the address to listen on is empty"),
        (["--path", "/in?key=1"], "without a query"),
        (["--path", "/in box"], "without a query"),
        (["--fail-rate", "nan"], "--fail-rate must be between 0 and 1"),
        (["--respond", "150"], "--respond needs an HTTP status"),
        (["--token", f"{SECRET} x"], "must not contain spaces"),
        (["--token-file", "TOKENFILE"], "must not contain spaces or line breaks"),
        (["--token-file", "MISSING"], "cannot read the token file"),
    ],
)
def test_serve_refuses_impossible_settings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extra: list[str], expected: str
) -> None:
    token_file = tmp_path / "token.txt"
    token_file.write_text(f"{SECRET}\nsecond line\n", "utf-8")
    extra = [
        str(token_file) if a == "TOKENFILE" else str(tmp_path / "nope") if a == "MISSING" else a
        for a in extra
    ]
    case = tmp_path / "c.mcase"
    code, text = run(capsys, "serve", "--case", str(case), "--port", "0", *extra)
    assert code == 2 and expected in text and text.count("\n") == 1
    assert SECRET not in text
    assert not (tmp_path / "c.mcase.inbox").exists()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--timeout", "0"], "--timeout must be a number of seconds greater than 0"),
        (["--timeout", "nan"], "--timeout must be a number of seconds greater than 0"),
        (["--interval", "inf"], "--interval must be a number of seconds"),
        (["--max-attempts", "0"], "--max-attempts must be at least 1"),
        (["--batch", "0"], "--batch must be at least 1"),
        (["--token-file", "TOKENFILE"], "must not contain spaces or line breaks"),
        (["--token", "caf\u00e9"], "printable ASCII"),
    ],
)
def test_send_refuses_impossible_settings(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    message: Path,
    extra: list[str],
    expected: str,
) -> None:
    token_file = tmp_path / "token.txt"
    token_file.write_text(f"{SECRET}\r\nmore", "utf-8")
    extra = [str(token_file) if a == "TOKENFILE" else a for a in extra]
    code, text = run(
        capsys,
        "send",
        str(message),
        "--url",
        "http://127.0.0.1:9/",
        "--state",
        str(tmp_path / "state.jsonl"),
        *extra,
    )
    assert code == 2 and expected in text, text
    assert SECRET not in text


def test_send_refuses_a_state_file_of_other_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, message: Path
) -> None:
    url = "http://127.0.0.1:9/"
    state = tmp_path / "state.jsonl"
    SendState.load_or_create(state, url, [str(tmp_path / "earlier.json")]).close(finished=False)
    code, text = run(capsys, "send", str(message), "--url", url, "--state", str(state))
    assert code == 2 and "holds the queue of another set of files" in text
    state.write_text('{"version": 1, "url": "http://127.0.0.1:9/"}\n7\n', "utf-8")
    code, text = run(capsys, "send", str(message), "--url", url, "--state", str(state))
    assert code == 2 and "cannot read the state file" in text
    assert "Traceback" not in text


def test_watch_refuses_a_negative_settle_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for bad in ("-1", "nan"):
        code, text = run(
            capsys, "watch", str(tmp_path), "--case", str(tmp_path / "c.mcase"), "--settle", bad
        )
        assert code == 2 and "--settle must be" in text


def test_a_token_without_tls_off_this_machine_is_warned_about() -> None:
    assert clear_text_token_warning("http://10.1.2.3:8080/", "t") == (
        "WARNING: without TLS (https://) the token travels in clear text to 10.1.2.3."
    )
    assert clear_text_token_warning("http://127.0.0.1:8080/", "t") is None
    assert clear_text_token_warning("https://10.1.2.3/", "t") is None
    assert clear_text_token_warning("http://10.1.2.3/", None) is None


async def test_a_hostile_endpoints_answer_is_read_short_and_shown_as_plain_text(
    aiohttp_server: Any, tmp_path: Path, message: Path
) -> None:
    escape = "\x1b]0;owned\x07\x1b[2J"
    huge = escape + "x" * (8 << 20)

    async def answer(request: web.Request) -> web.StreamResponse:
        await request.read()
        return web.Response(status=500, text=huge)

    app = web.Application()
    app.router.add_post("/", answer)
    server = await aiohttp_server(app)
    url = str(server.make_url("/"))
    state = SendState.load_or_create(tmp_path / "s.jsonl", url, [str(message)])
    summary = await Sender(url, state, interval=0, cycles=1).run()
    state.close(finished=False)
    ((_, reason),) = summary.remaining
    assert reason.startswith("HTTP 500: \\x1b]0;owned\\x07\\x1b[2J")
    assert "\x1b" not in reason and "\x07" not in reason and len(reason) < 300
    assert json.dumps(summary.to_json())  # the summary stays printable as JSON


def test_a_token_file_saved_with_a_byte_order_mark_and_crlf_is_read(tmp_path: Path) -> None:
    from msgcopy_viewer.receiver.config import read_token_file

    path = tmp_path / "token.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SECRET.encode() + b"\r\n")
    assert read_token_file(path) == SECRET
