"""Where text may be cut without splitting what a reader sees as one character.

A small form of the extended grapheme cluster rules of Unicode (UAX #29), enough for
cutting snippets and marking search hits: a cut never falls

* between CR and LF;
* before a combining mark, a spacing mark, a variation selector, an emoji skin-tone
  modifier, a tag character or a zero-width joiner (so ``e`` + U+0301 stays whole);
* after a zero-width joiner (so 👨‍👩‍👧‍👦, four emoji joined by three ZWJs, stays whole);
* inside a pair of regional indicators (a flag such as 🇬🇧);
* inside a Hangul syllable written as conjoining jamo.

Positions are indexes into a Python ``str`` (code points).
"""

from __future__ import annotations

import unicodedata

ZWJ = "\u200d"


def _extends(ch: str) -> bool:
    """Whether ``ch`` joins the cluster before it."""
    cp = ord(ch)
    if ch == ZWJ:
        return True
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return True
    if 0x1F3FB <= cp <= 0x1F3FF:  # emoji modifiers (skin tones)
        return True
    if 0xE0020 <= cp <= 0xE007F:  # tag characters (subdivision flags)
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def _is_ri(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _hangul(ch: str) -> str:
    """Hangul syllable type: L, V, T, LV, LVT or ''."""
    cp = ord(ch)
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


def is_boundary(text: str, i: int) -> bool:
    """Whether ``text`` may be cut before index ``i``."""
    if i <= 0 or i >= len(text):
        return True
    prev, ch = text[i - 1], text[i]
    if prev == "\r" and ch == "\n":
        return False
    if _extends(ch) or prev == ZWJ:
        return False
    if _is_ri(prev) and _is_ri(ch):
        run = 0
        j = i - 1
        while j >= 0 and _is_ri(text[j]):
            run += 1
            j -= 1
        return run % 2 == 0
    a, b = _hangul(prev), _hangul(ch)
    if a and b:
        if a == "L" and b in ("L", "V", "LV", "LVT"):
            return False
        if a in ("LV", "V") and b in ("V", "T"):
            return False
        if a in ("LVT", "T") and b == "T":
            return False
    return True


def floor_boundary(text: str, i: int) -> int:
    """The last cut position at or before ``i``."""
    i = max(0, min(i, len(text)))
    while not is_boundary(text, i):
        i -= 1
    return i


def ceil_boundary(text: str, i: int) -> int:
    """The first cut position at or after ``i``."""
    i = max(0, min(i, len(text)))
    while not is_boundary(text, i):
        i += 1
    return i


def cut(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` moved onto cluster boundaries, never wider than asked unless a
    single cluster is longer than the whole window."""
    s = floor_boundary(text, start)
    if s < start:
        s = ceil_boundary(text, start)
    e = floor_boundary(text, end)
    if e <= s:
        e = ceil_boundary(text, max(end, s + 1))
    return s, e
