"""Text from evidence, shown without being interpreted (Qt-free).

Three uses, one rule set (docs/security.md):

* ``show_invisible`` — for widgets: invisible and bidirectional control characters
  (U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, …), control characters and
  lone surrogates become visible tokens such as ``⟦U+202E⟧``, so that a spoofed name
  like ``invoice⟦U+202E⟧gpj.exe`` cannot pass unseen.
* ``escape_line`` — for the command line's text output (ledger, rejection lines, the
  import summary): the same characters and line breaks as ``\\n``, ``\\x1b``,
  ``\\u202e`` escapes, so a file name with a newline cannot forge a line and one with
  terminal escape sequences cannot drive the terminal.
* ``safe_file_name`` — for names written to disk (``extract-media``, "Save all"): one
  plain name, no folder separators, controls and invisible characters made visible.

Emoji sequences keep their joiners (U+200D between pictographs, tag characters after
the black flag) so that ordinary messages are not cluttered with tokens.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Characters that draw nothing, reorder what follows, or are not characters at all:
# C0/C1 controls (tab and line breaks are handled by the callers' options), the
# format characters (Unicode category Cf) of Unicode 15.1, the line/paragraph
# separators, fillers that render as blanks, and lone surrogates.
_CF = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_BLANKS = "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"  # invisible letters and marks
_SEPARATORS = "\u2028\u2029"
_SURROGATES = "\ud800-\udfff"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"

_INVISIBLE = re.compile(f"[{_CONTROLS}{_CF}{_BLANKS}{_SEPARATORS}{_SURROGATES}]")
_INVISIBLE_WITH_BREAKS = re.compile(f"[\t\n\r{_CONTROLS}{_CF}{_BLANKS}{_SEPARATORS}{_SURROGATES}]")
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
    """True for a joiner or tag character that is part of an emoji sequence."""
    ch = text[i]
    if ch == _ZWJ:
        return 0 < i < len(text) - 1 and _pictographic(text[i - 1]) and _pictographic(text[i + 1])
    cp = ord(ch)
    if _TAGS_START <= cp <= _TAGS_END or cp == 0xE007F:
        j = i - 1
        while j >= 0 and _TAGS_START <= ord(text[j]) <= _TAGS_END:
            j -= 1
        return j >= 0 and ord(text[j]) == _BLACK_FLAG
    return False


def token(ch: str) -> str:
    """The visible form of one invisible character: ``⟦U+202E⟧``."""
    return f"⟦U+{ord(ch):04X}⟧"


def has_invisible(text: str, *, keep_breaks: bool = True) -> bool:
    pattern = _INVISIBLE if keep_breaks else _INVISIBLE_WITH_BREAKS
    return any(not _in_emoji(text, m.start()) for m in pattern.finditer(text))


def show_invisible(text: str, *, keep_breaks: bool = True) -> str:
    """``text`` with every invisible, bidirectional or control character replaced by a
    visible token (``⟦U+202E⟧``). ``keep_breaks``: tabs and line breaks stay as they
    are (multi-line text); otherwise they become tokens too (one-line fields)."""
    pattern = _INVISIBLE if keep_breaks else _INVISIBLE_WITH_BREAKS
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda m: _visible(text, m), text)


def _visible(text: str, m: re.Match[str]) -> str:
    if _in_emoji(text, m.start()):
        return m.group()
    return token(m.group())


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_line(text: str) -> str:
    """One line of terminal output: controls, line breaks, invisible and bidirectional
    characters escaped (``\\n``, ``\\x1b``, ``\\u202e``); everything else as is."""
    if _INVISIBLE_WITH_BREAKS.search(text) is None:
        return text
    return _INVISIBLE_WITH_BREAKS.sub(lambda m: _escape(m.group()), text)


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    cp = ord(ch)
    if cp <= 0xFF:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


_NAME_UNSAFE = re.compile(r'[<>:"/\\|?*]')


def safe_file_name(name: str) -> str:
    """``name`` as one plain file name: NFC, invisible and control characters as visible
    tokens (``⟦U+202E⟧``: a spoofed ``invoice‮gpj.exe`` is written as
    ``invoice⟦U+202E⟧gpj.exe``), characters that separate folders or that Windows
    refuses as ``_``. Reserved names, length and extensions are the caller's rules."""
    name = unicodedata.normalize("NFC", name)
    name = show_invisible(name, keep_breaks=False)
    return _NAME_UNSAFE.sub("_", name)


def plain_tooltip(text: str) -> str:
    """A tooltip that Qt shows as the plain text it is: Qt takes a tooltip for rich text
    when it looks like HTML (``<b>``, ``<img src=…>``), so it is always given as rich
    text, escaped, in a paragraph that keeps its line breaks. Invisible characters are
    made visible."""
    if not text:
        return ""
    shown = html.escape(show_invisible(text), quote=False)
    return f"<p style='white-space:pre-wrap'>{shown}</p>"
