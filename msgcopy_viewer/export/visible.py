"""Invisible and bidirectional control characters made visible in reports (Qt-free).

A report shows evidence text as it is, except that characters which draw nothing or
reorder what follows (U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, C0/C1
controls, lone surrogates …) become visible tokens such as ``⟦U+202E⟧``, so a spoofed name
like ``invoice⟦U+202E⟧gpj.exe`` cannot pass unseen. Tabs and line breaks stay. Joiners
inside emoji sequences (U+200D between pictographs, tag characters after the black flag)
are kept so ordinary emoji are not cluttered.

The token form and the character classes are those the app's widgets use for the same
purpose; the two are meant to become one shared function.
"""

from __future__ import annotations

import re

_CF = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_BLANKS = "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"
_SEPARATORS = "\u2028\u2029"
_SURROGATES = "\ud800-\udfff"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_INVISIBLE = re.compile(f"[{_CONTROLS}{_CF}{_BLANKS}{_SEPARATORS}{_SURROGATES}]")
_ZWJ = "\u200d"
_TAGS_START, _TAGS_END = 0xE0020, 0xE007F
_BLACK_FLAG = 0x1F3F4


def _pictographic(ch: str) -> bool:
    cp = ord(ch)
    return (
        cp >= 0x1F000
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or cp in (0xFE0F, 0x20E3, 0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139)
        or 0x1F3FB <= cp <= 0x1F3FF
    )


def _in_emoji(text: str, i: int) -> bool:
    ch = text[i]
    if ch == _ZWJ:
        return 0 < i < len(text) - 1 and _pictographic(text[i - 1]) and _pictographic(text[i + 1])
    cp = ord(ch)
    if _TAGS_START <= cp <= _TAGS_END:
        j = i - 1
        while j >= 0 and _TAGS_START <= ord(text[j]) <= _TAGS_END:
            j -= 1
        return j >= 0 and ord(text[j]) == _BLACK_FLAG
    return False


# what HTML escaping or ``show_invisible`` would change: text without any is used as it is
_HTML_OR_INVISIBLE = re.compile(f"[&<>\"'{_CONTROLS}{_CF}{_BLANKS}{_SEPARATORS}{_SURROGATES}]")


def needs_html_escape(text: str) -> bool:
    return _HTML_OR_INVISIBLE.search(text) is not None


def token(ch: str) -> str:
    return f"⟦U+{ord(ch):04X}⟧"


def show_invisible(text: str) -> str:
    """``text`` with every invisible, bidirectional or control character as a token."""
    if _INVISIBLE.search(text) is None:
        return text
    return _INVISIBLE.sub(
        lambda m: m.group() if _in_emoji(text, m.start()) else token(m.group()), text
    )
