"""Rule 6 (Qt-free part): evidence text is never interpreted, and nothing hides in it."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from msgcopy_viewer.core import text_safety as ts

SPOOF = "invoice\u202egpj.exe"


def test_bidi_and_invisible_characters_become_visible_tokens() -> None:
    assert ts.show_invisible(SPOOF) == "invoice⟦U+202E⟧gpj.exe"
    assert ts.show_invisible("a\u200bb\ufeffc\u2066d") == "a⟦U+200B⟧b⟦U+FEFF⟧c⟦U+2066⟧d"
    assert ts.show_invisible("bell\x07 esc\x1b[31m") == "bell⟦U+0007⟧ esc⟦U+001B⟧[31m"
    assert ts.show_invisible("line\nbreak\ttab") == "line\nbreak\ttab"
    assert ts.show_invisible("line\nbreak", keep_breaks=False) == "line⟦U+000A⟧break"
    assert ts.show_invisible("plain café 日本 🙂") == "plain café 日本 🙂"


def test_emoji_sequences_keep_their_joiners() -> None:
    family = "👨\u200d👩\u200d👧"
    england = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    assert ts.show_invisible(family) == family
    assert ts.show_invisible(england) == england
    assert ts.show_invisible("a\u200db") == "a⟦U+200D⟧b"


def test_every_format_and_control_character_is_covered() -> None:
    """The hand-kept list of format characters matches this Python's Unicode database."""
    missing = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp")
        and chr(cp) not in "\t\n\r"
        and ts.show_invisible(chr(cp)) == chr(cp)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a\nrejected: forged.json", "a\\nrejected: forged.json"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        (SPOOF, "invoice\\u202egpj.exe"),
        ("tab\there\r", "tab\\there\\r"),
        ("naïve ünïcode", "naïve ünïcode"),
    ],
)
def test_command_line_output_escapes_control_and_invisible_characters(text: str, line: str) -> None:
    assert ts.escape_line(text) == line
    assert "\n" not in ts.escape_line(text)


def test_safe_file_names_show_what_they_hide() -> None:
    assert ts.safe_file_name(SPOOF) == "invoice⟦U+202E⟧gpj.exe"
    assert ts.safe_file_name("../x/y\\z") == ".._x_y_z"
    assert ts.safe_file_name("a\nb") == "a⟦U+000A⟧b"


@pytest.mark.parametrize("text", ["<b>bold</b>", "<img src=x>", "<a href='http://e'>x</a>"])
def test_tooltips_are_escaped_rich_text(text: str) -> None:
    tip = ts.plain_tooltip(text + "\u202e")
    assert "<b>" not in tip and "<img" not in tip and "<a " not in tip
    assert "&lt;" in tip and "⟦U+202E⟧" in tip
