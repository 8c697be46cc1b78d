"""A very long conversation becomes many small HTML pages with a working index.

The case is made by the benchmarks' fast case builder (real events through the importer's
own analysis, written in bulk), in a child process. The default conversation has 30,000
messages so the suite stays fast; the issue's size takes about five minutes:

    MSGCOPY_REPORT_SCALE=250000 .venv/bin/python -m pytest -o timeout=900 \
        -o faulthandler_timeout=900 tests/integration/test_reports_scale.py
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from msgcopy_viewer.cli import main

REPO = Path(__file__).resolve().parents[2]
SIZE = int(os.environ.get("MSGCOPY_REPORT_SCALE", "30000"))
PAGE = 500
MAX_PAGE_BYTES = 3_000_000

pytestmark = pytest.mark.slow


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.articles = 0
        self.handlers = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        if tag == "a" and d.get("href"):
            self.links.append(str(d["href"]))
        if tag == "article":
            self.articles += 1
        self.handlers += sum(1 for k, _ in attrs if k.startswith("on"))


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    p.close()
    return p


def test_long_conversation_pages_and_index(tmp_path: Path) -> None:
    case = tmp_path / "big.mcase"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "_casegen.py"),
            str(case),
            f"--messages={SIZE + 200}",
            "--conversations=4",
            "--subscribers=2",
            f"--big={SIZE}",
            "--mms=0.01",
            "--workers=1",
        ],
        check=True,
        capture_output=True,
    )
    with sqlite3.connect(case) as conn:
        cid = conn.execute(
            "SELECT id FROM conversations ORDER BY message_count DESC LIMIT 1"
        ).fetchone()[0]
    conn.close()
    out = tmp_path / "html"
    assert main(["export", "--case", str(case), "--format", "html", "-o", str(out),
                 "--conversation", cid]) == 0  # fmt: skip
    pages = sorted(out.glob("c0001-p*.html"))
    expected = -(-SIZE // PAGE)
    assert len(pages) == expected
    assert max(p.stat().st_size for p in pages) < MAX_PAGE_BYTES
    index = _parse(out / "index.html")
    page_links = [link for link in index.links if re.fullmatch(r"c\d{4}-p\d{4}\.html", link)]
    assert sorted(page_links) == [p.name for p in pages]
    total = 0
    for i, page in enumerate(pages, start=1):
        parsed = _parse(page)
        assert parsed.handlers == 0
        total += parsed.articles
        assert parsed.articles == (PAGE if i < expected else SIZE - PAGE * (expected - 1))
        assert "index.html" in parsed.links
        if i < expected:
            assert f"c0001-p{i + 1:04d}.html" in parsed.links
    assert total == SIZE
