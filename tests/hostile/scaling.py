"""Hostile parser inputs of a given size (the tests and benchmarks/hostile_scaling.py)."""

from __future__ import annotations

from tests.hostile.builders import mm7, part, soap


def unclosed_soap(n: int) -> bytes:
    """A SOAP envelope with ``n`` unclosed elements and ``n`` close tags matching none."""
    head = soap().split(b"\r\n\r\n", 1)[1].rsplit(b"</env:Body>", 1)[0]
    return head + b"<open>" * n + b"</nomatch>" * n


def damaged_parts_body(n: int) -> str:
    """An MM7 body of ``n`` parts, each with a different damaged base64 body."""
    return mm7(
        *(
            part(
                "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64"
                f'\r\nContent-Location: "p{i}.bin"',
                b"QU*JD",
            )
            for i in range(n)
        )
    )


def dangling_smil_body(n: int) -> str:
    """An MM7 body whose SMIL refers to ``n`` parts that are not in the message."""
    pars = "".join(f'<par><img src="missing{i}.jpg"/></par>' for i in range(n))
    smil = f"<smil><body>{pars}</body></smil>".encode()
    return mm7(
        part('Content-Type: application/smil\r\nContent-Location: "s.smil"', smil),
        part("Content-Type: text/plain", b"hello"),
    )


def nested_smil(depth: int) -> bytes:
    return (
        b"<smil><body>"
        + b"<seq>" * depth
        + b'<par><text src="t.txt"/></par>'
        + b"</seq>" * depth
        + b"</body></smil>"
    )
