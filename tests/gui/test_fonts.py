"""Messages come in every script: the fonts the setup installs must cover the ones the
demo corpus uses, or the conversation list shows boxes instead of text."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QFontDatabase

from msgcopy_viewer.demo.names import NON_LATIN

WS = QFontDatabase.WritingSystem


@pytest.mark.parametrize(
    "system",
    [
        WS.Latin,
        WS.Cyrillic,
        WS.Greek,
        WS.Arabic,
        WS.Hebrew,
        WS.Devanagari,
        WS.SimplifiedChinese,
        WS.Japanese,
        WS.Korean,
    ],
    ids=lambda s: s.name,
)
def test_a_font_covers_each_script_of_the_demo(qapp: Any, system: Any) -> None:
    assert QFontDatabase.families(system), (
        f"no font for {system.name}: run scripts/sysdeps.sh (fonts-noto-core, fonts-noto-cjk)"
    )


def test_the_demo_texts_use_those_scripts(qapp: Any) -> None:
    text = "".join(NON_LATIN)
    for sample in ("नमस्ते", "你好", "こんにちは", "안녕하세요", "Привет", "مرحبا", "שלום"):
        assert sample in text
