"""MM7 SOAP envelope parsing by local name, with lenient recovery."""

from __future__ import annotations

import time

from msgcopy_viewer.core.soap import lenient_tree, parse_envelope

REL5 = b"""<?xml version="1.0"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
<env:Header><mm7:TransactionID xmlns:mm7="urn:x">T1</mm7:TransactionID></env:Header>
<env:Body><mm7:DeliverReq xmlns:mm7="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-2">
<mm7:MM7Version>5.3.0</mm7:MM7Version>
<mm7:Sender><mm7:Number>+441234/TYPE=PLMN</mm7:Number></mm7:Sender>
<mm7:Recipients>
 <mm7:To><mm7:Number> +1555 /TYPE=PLMN</mm7:Number>
  <mm7:RFC2822Address>a@b.c</mm7:RFC2822Address></mm7:To>
 <mm7:Cc><mm7:ShortCode>1234</mm7:ShortCode></mm7:Cc>
 <mm7:Bcc><mm7:Number>999</mm7:Number></mm7:Bcc>
</mm7:Recipients>
<mm7:Subject>Hello &amp; bye</mm7:Subject>
<mm7:TimeStamp>2024-01-01T00:00:00Z</mm7:TimeStamp>
<mm7:Content mm7:href="cid:c1"/>
</mm7:DeliverReq></env:Body></env:Envelope>"""


def test_rel5_prefixed() -> None:
    env, warnings = parse_envelope(REL5)
    assert warnings == []
    assert env.message_kind == "DeliverReq"
    assert env.transaction_id == "T1"
    assert env.mm7_version == "5.3.0"
    assert env.sender == "+441234"
    assert env.to == ["+1555", "a@b.c"]
    assert env.cc == ["1234"]
    assert env.bcc == ["999"]
    assert env.subject == "Hello & bye"
    assert env.timestamp == "2024-01-01T00:00:00Z"
    assert env.content_href == "cid:c1"


def test_malformed_unbound_prefix_recovers_leniently() -> None:
    broken = REL5.replace(b' xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"', b"")
    broken = broken.replace(b"<env:Body>", b"<env::Body>")
    env, warnings = parse_envelope(broken)
    assert any("not well-formed" in w for w in warnings)
    assert env.message_kind == "DeliverReq"
    assert env.sender == "+441234"
    assert env.to == ["+1555", "a@b.c"]
    assert env.subject == "Hello & bye"


def test_plain_text_sender_and_submit_sender_address() -> None:
    env, _w = parse_envelope(
        b"<Envelope><Body><SubmitReq><SenderIdentification><SenderAddress><ShortCode>77"
        b"</ShortCode></SenderAddress></SenderIdentification></SubmitReq></Body></Envelope>"
    )
    assert (env.message_kind, env.sender) == ("SubmitReq", "77")
    env, _w = parse_envelope(
        b"<Envelope><Body><DeliverReq><Sender> 123/TYPE=PLMN </Sender>"
        b"</DeliverReq></Body></Envelope>"
    )
    assert env.sender == "123"


def test_billion_laughs_refused_quickly() -> None:
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY a%d "' % i + (b"&a%d;" % (i - 1) if i > 1 else b"&a;") * 10 + b'">'
            for i in range(1, 10)
        )
        + b"]><Envelope><Body><DeliverReq><Subject>&a9;</Subject></DeliverReq></Body></Envelope>"
    )
    start = time.perf_counter()
    env, warnings = parse_envelope(doc)
    assert time.perf_counter() - start < 1.0
    assert any("refused for safety" in w for w in warnings)
    assert env.message_kind == "DeliverReq"


def test_empty_and_garbage() -> None:
    env, warnings = parse_envelope(b"")
    assert env.message_kind is None and warnings
    env, warnings = parse_envelope(b"not xml at all <<<")
    assert env.message_kind is None and warnings


def test_lenient_tree_handles_unclosed_and_cdata() -> None:
    root = lenient_tree("<a:X><b:Y>1<![CDATA[<2>]]><Z/></X>")
    x = root.find("X")
    assert x is not None
    y = x.find("Y")
    assert y is not None and y.full_text() == "1<2>"
