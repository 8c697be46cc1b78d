"""Counts in words: ``1 message``, ``2 messages``, ``1,234 files``."""

from __future__ import annotations

# Plurals that are not the singular + "s".
_IRREGULAR = {"MMS": "MMS", "batch": "batches", "match": "matches", "reply": "replies"}


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """The word for ``n`` of ``singular``: ``message`` for 1, ``messages`` otherwise."""
    if n == 1:
        return singular
    return plural_form or _IRREGULAR.get(singular, singular + "s")


def counted(n: int, singular: str, plural_form: str | None = None, *, grouped: bool = False) -> str:
    """``1 message``, ``0 messages``, ``1,234 messages`` (with ``grouped``)."""
    number = f"{n:,}" if grouped else str(n)
    return f"{number} {plural(n, singular, plural_form)}"
