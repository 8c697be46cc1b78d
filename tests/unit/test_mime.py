"""Quirks of the lenient MIME layer, with small synthetic CRLF inputs."""

from __future__ import annotations

import base64

from msgcopy_viewer.core.mime import (
    b64decode_lenient,
    iter_leaves,
    parse_content_type,
    parse_headers,
    parse_mime,
)


def leaves(data: bytes) -> list:  # type: ignore[type-arg]
    root, _w = parse_mime(data)
    return [leaf for leaf, _a in iter_leaves(root)]


def test_boundary_from_first_delimiter_line_starting_with_dashes() -> None:
    data = (
        b"\r\n\r\n-----mime-abc\r\nContent-Type: text/plain\r\n\r\none\r\n"
        b"-----mime-abc\r\nContent-Type: text/plain\r\n\r\ntwo\r\n-----mime-abc--\r\n"
    )
    got = leaves(data)
    assert [leaf.body for leaf in got] == [b"one", b"two"]


def test_http_request_line_and_folded_boundary() -> None:
    data = (
        b'POST /mm7 HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/related; type="text/xml";\r\n'
        b'\tboundary="B 1"\r\n\r\n--B 1 \r\nContent-Type:text/plain\r\n\r\nhi\r\n--B 1--'
    )
    got = leaves(data)
    assert [(leaf.content_type, leaf.body) for leaf in got] == [("text/plain", b"hi")]


def test_wap_multipart_nesting_capitalised_params() -> None:
    inner = (
        b"--in\r\nContent-Type: image/gif; Name=a.gif\r\n\r\nGIF89a\r\n"
        b"--in\r\nContent-Type: text/plain; Charset=UTF-8\r\n\r\nt\r\n--in--\r\n"
    )
    data = (
        b'--out\r\nContent-Type: application/vnd.wap.multipart.related; Type="application/smil";'
        b' Start="<s>"; Boundary=in\r\n\r\n' + inner + b"--out--\r\n"
    )
    root, warnings = parse_mime(data)
    assert warnings == []
    container = root.children[0]
    assert container.is_multipart
    assert container.params["start"] == "<s>"
    got = [leaf for leaf, _a in iter_leaves(root)]
    assert [leaf.name for leaf in got] == ["a.gif", None]
    assert got[1].charset == "utf-8"


def test_truncated_message_keeps_parts() -> None:
    data = (
        b"--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Type: text/plain\r\n\r\ntw"
    )
    root, warnings = parse_mime(data)
    assert [leaf.body for leaf, _a in iter_leaves(root)] == [b"one", b"tw"]
    assert any("truncated" in w for w in warnings)


def test_no_blank_line_after_headers_and_no_space_after_colon() -> None:
    data = b"--b\nContent-Type:text/plain\nContent-ID:x\nHello there\n--b--\n"
    (leaf,) = leaves(data)
    assert leaf.content_id == "x"
    assert leaf.body == b"Hello there"


def test_mixed_line_endings_and_trailing_whitespace() -> None:
    data = (
        b"--b \r\nContent-Type: text/plain\n\nA\r\n"
        b"--b\t\nContent-Type: text/plain\r\n\r\nB\n--b-- \r\n"
    )
    assert [leaf.body for leaf in leaves(data)] == [b"A", b"B"]


def test_trailing_semicolon_and_content_id_forms() -> None:
    ctype, params = parse_content_type("image/gif; ")
    assert (ctype, params) == ("image/gif", {})
    data = b"--b\r\nContent-Type: image/gif;\r\nContent-ID: < a@b >\r\n\r\nx\r\n--b--"
    (leaf,) = leaves(data)
    assert leaf.content_id == "a@b"


def test_rfc2231_and_rfc2047_names() -> None:
    _ct, params = parse_content_type("image/jpeg; name*=utf-8''caf%C3%A9.jpg")
    assert params["name"] == "café.jpg"
    _ct, params = parse_content_type('image/jpeg; name="=?utf-8?B?Y2Fmw6kuanBn?="')
    assert params["name"] == "café.jpg"
    _ct, params = parse_content_type('image/jpeg; Filename*0="a"; filename*1="b.jpg"')
    assert params["filename"] == "ab.jpg"


def test_base64_lenient() -> None:
    payload = bytes(range(256))
    text = base64.b64encode(payload)
    assert b64decode_lenient(text[:10] + b"\r\n  " + text[10:]) == (payload, True)
    decoded, clean = b64decode_lenient(text.rstrip(b"="))
    assert decoded == payload and not clean
    decoded, _clean = b64decode_lenient(text + b"A")
    assert decoded == payload
    data = (
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: BASE64\r\n\r\n" + text[:-2] + b"\r\n--b--"
    )
    (leaf,) = leaves(data)
    body, problem = leaf.decode_body()
    assert body == payload
    assert problem is not None


def test_quoted_printable() -> None:
    data = (
        b"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 =\r\nau lait\r\n--b--"
    )
    (leaf,) = leaves(data)
    assert leaf.decode_body() == (b"caf\xe9 au lait", None)


def test_missing_boundary_is_kept_as_single_part() -> None:
    data = b'Content-Type: multipart/related; type="text/xml"\r\n\r\n<Envelope/>\r\n'
    root, warnings = parse_mime(data)
    assert not root.is_multipart
    assert root.body.startswith(b"<Envelope/>")
    assert warnings


def test_duplicated_delimiters_skip_empty_parts() -> None:
    data = b"--b\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n"
    root, warnings = parse_mime(data)
    assert [leaf.body for leaf, _a in iter_leaves(root)] == [b"x"]
    assert any("empty MIME part" in w for w in warnings)


def test_parse_headers_folding() -> None:
    headers, start, blank = parse_headers(b"A: 1\r\n 2\r\nB:3\r\n\r\nbody")
    assert headers == [("A", "1 2"), ("B", "3")]
    assert blank and start == len(b"A: 1\r\n 2\r\nB:3\r\n\r\n")
