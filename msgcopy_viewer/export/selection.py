"""Which messages an export writes: all, one conversation's, or exactly a tag's."""

from __future__ import annotations

from collections.abc import Iterator

from msgcopy_viewer.store.annotations import iter_tagged_messages, require_tag
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Message, iter_messages


def select_messages(
    case: Case, conversation_id: str | None = None, tagged: str | None = None
) -> Iterator[Message]:
    """In export order (start time, then id). ``tagged`` names a tag of the case (an
    unknown one raises ``AnnotationError``); with ``conversation_id`` too, only that
    conversation's tagged messages."""
    if tagged is None:
        yield from iter_messages(case.conn, conversation_id)
        return
    tag = require_tag(case.conn, tagged)
    for m in iter_tagged_messages(case.conn, tag):
        if conversation_id is None or m.conversation_id == conversation_id:
            yield m
