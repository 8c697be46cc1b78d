"""Tagging, notes and bookmarks from the app: one undoable step per action.

``AnnotationController`` applies a change through the store (``store.annotations``: one
transaction with its audit rows), pushes a command on its ``QUndoStack`` that knows
exactly which messages changed, and says ``changed`` so the views re-read their marks.
Undo and redo are changes too: they run through the same functions and are in the audit
log. Tagging a selection that already carries the tag everywhere takes it away (Ctrl+1…9
toggle, like a checkbox).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from msgcopy_viewer.examiner import login_name
from msgcopy_viewer.store import annotations as an
from msgcopy_viewer.store.case import Case, CaseError

log = logging.getLogger(__name__)

HISTORY_CLEARED = (
    "\n\nThe step was not undone or redone, so the undo history was cleared: no other "
    "step can be undone out of order."
)


class _Change(QUndoCommand):
    """A change already applied (``redo`` re-applies it after an undo)."""

    def __init__(self, text: str, redo: Callable[[], object], undo: Callable[[], object]) -> None:
        # the Undo/Redo menu items show the action text: an "&" of a tag's name stays one
        menu = text.replace("&", "&&")
        super().__init__(text if menu == text else f"{text}\n{menu}")
        self._redo, self._undo = redo, undo
        self._applied = True

        self.controller: AnnotationController | None = None  # set when pushed

    def redo(self) -> None:
        if self._applied:  # pushed after it was applied: the first redo() is the push
            self._applied = False
            return
        self._step(self._redo)

    def undo(self) -> None:
        self._step(self._undo)

    def _step(self, fn: Callable[[], object]) -> None:
        c = self.controller
        if c is not None:
            c.history_step = True
        try:
            fn()
        finally:
            if c is not None:
                c.history_step = False


class AnnotationController(QObject):
    changed = Signal()  # marks, notes, bookmarks or the tag list changed
    failed = Signal(str)  # a change could not be made (read-only case, locked …)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.case: Case | None = None
        self.undo_stack = QUndoStack(self)
        self.history_step = False  # an undo or redo is running
        # who makes the changes: set by the window from its settings
        self.examiner: Callable[[], str] = login_name

    def _push(self, command: _Change) -> None:
        command.controller = self
        self.undo_stack.push(command)

    def set_case(self, case: Case | None) -> None:
        self.case = case
        self.undo_stack.clear()

    def tags(self) -> list[an.Tag]:
        return an.list_tags(self.case.conn) if self.case is not None else []

    # -- the actions -------------------------------------------------------------------------
    def _run(self, fn: Callable[[], object]) -> bool:
        if self.case is None:
            return False
        try:
            fn()
        except CaseError as exc:
            text = str(exc)
            if self.history_step:
                # the stack counts the step as undone (or redone) all the same: undoing on
                # would undo earlier steps around this one, out of order
                text += HISTORY_CLEARED
                QTimer.singleShot(0, self.undo_stack.clear)
            self.failed.emit(text)
            return False
        self.changed.emit()
        return True

    def toggle_tag(self, rowids: Sequence[int], tag_name: str) -> list[int]:
        """Give the tag to the messages that lack it; if all have it, take it away.
        Returns the messages that changed (one undoable step)."""
        case = self.case
        if case is None or not rowids:
            return []
        ids = list(dict.fromkeys(rowids))
        marks = an.marks_for(case.conn, ids)
        all_have = all(
            any(
                t.name.casefold() == tag_name.casefold() for t in (marks.get(r) or an.NO_MARKS).tags
            )
            for r in ids
        )
        if all_have:
            return self.remove_tag(ids, tag_name)
        return self.add_tag(ids, tag_name)

    def add_tag(self, rowids: Sequence[int], tag_name: str) -> list[int]:
        return self._tag(rowids, tag_name, add=True)

    def remove_tag(self, rowids: Sequence[int], tag_name: str) -> list[int]:
        return self._tag(rowids, tag_name, add=False)

    def _tag(self, rowids: Sequence[int], tag_name: str, *, add: bool) -> list[int]:
        case = self.case
        if case is None:
            return []
        changed: list[int] = []

        def apply(on: bool, which: Sequence[int]) -> list[int]:
            fn = an.tag_messages if on else an.untag_messages
            return fn(case, which, tag_name, examiner=self.examiner())

        if not self._run(lambda: changed.extend(apply(add, rowids))) or not changed:
            return changed
        verb = "Tag" if add else "Untag"
        n = len(changed)
        self._push(
            _Change(
                f"{verb} {n} message{'s' if n != 1 else ''} {tag_name}",
                lambda: self._run(lambda: apply(add, changed)),
                lambda: self._run(lambda: apply(not add, changed)),
            )
        )
        return changed

    def toggle_bookmark(self, rowids: Sequence[int]) -> list[int]:
        case = self.case
        if case is None or not rowids:
            return []
        ids = list(dict.fromkeys(rowids))
        marks = an.marks_for(case.conn, ids)
        on = not all((marks.get(r) or an.NO_MARKS).bookmarked for r in ids)
        changed: list[int] = []

        def apply(value: bool, which: Sequence[int]) -> list[int]:
            return an.set_bookmarks(case, which, value, examiner=self.examiner())

        if not self._run(lambda: changed.extend(apply(on, ids))) or not changed:
            return changed
        self._push(
            _Change(
                f"{'Bookmark' if on else 'Remove bookmark from'} {len(changed)} messages",
                lambda: self._run(lambda: apply(on, changed)),
                lambda: self._run(lambda: apply(not on, changed)),
            )
        )
        return changed

    def set_note(self, rowids: Sequence[int], text: str | None) -> bool:
        """Set (or with None/blank, remove) the note of each message."""
        case = self.case
        if case is None or not rowids:
            return False
        ids = list(dict.fromkeys(rowids))
        before: dict[int, str | None] = {}

        def apply() -> None:
            before.update(an.set_notes(case, dict.fromkeys(ids, text), examiner=self.examiner()))

        if not self._run(apply):
            return False
        self._push(
            _Change(
                f"Note on {len(ids)} message{'s' if len(ids) != 1 else ''}",
                lambda: self._run(
                    lambda: an.set_notes(case, dict.fromkeys(ids, text), examiner=self.examiner())
                ),
                lambda: self._run(lambda: an.set_notes(case, before, examiner=self.examiner())),
            )
        )
        return True

    def note_of(self, rowid: int) -> str | None:
        return an.get_note(self.case.conn, rowid) if self.case is not None else None

    # -- conversations ------------------------------------------------------------------------
    def conversation_tags(self, conversation_id: str) -> list[an.Tag]:
        if self.case is None:
            return []
        return an.conversation_tags(self.case.conn, conversation_id)

    def toggle_conversation_tag(self, conversation_id: str, tag_name: str) -> bool:
        """Tag the conversation, or untag it when it has the tag (one undoable step).
        Returns whether the case changed."""
        case = self.case
        if case is None:
            return False
        has = any(
            t.name.casefold() == tag_name.casefold()
            for t in an.conversation_tags(case.conn, conversation_id)
        )
        add = not has

        def apply(on: bool) -> None:
            fn = an.tag_conversation if on else an.untag_conversation
            fn(case, conversation_id, tag_name, examiner=self.examiner())

        if not self._run(lambda: apply(add)):
            return False
        self._push(
            _Change(
                f"{'Tag' if add else 'Untag'} conversation {tag_name}",
                lambda: self._run(lambda: apply(add)),
                lambda: self._run(lambda: apply(not add)),
            )
        )
        return True

    # -- the tag list -------------------------------------------------------------------------
    def create_tag(self, name: str, color: str) -> an.Tag | None:
        """Add a tag to the case's list (undo deletes it again)."""
        case = self.case
        if case is None:
            return None
        made: list[an.Tag] = []
        if not self._run(
            lambda: made.append(an.create_tag(case, name, color, examiner=self.examiner()))
        ):
            return None
        tag = made[0]
        self._push(
            _Change(
                f"Add tag {tag.name}",
                lambda: self._run(
                    lambda: an.create_tag(
                        case, tag.name, tag.color, examiner=self.examiner(), position=tag.position
                    )
                ),
                lambda: self._run(lambda: an.delete_tag(case, tag.name, examiner=self.examiner())),
            )
        )
        return tag

    def update_tag(
        self, name: str, *, new_name: str | None = None, color: str | None = None
    ) -> an.Tag | None:
        """Rename a tag or change its colour (undo changes it back)."""
        case = self.case
        if case is None:
            return None
        before = an.get_tag(case.conn, name)
        if before is None:
            self.failed.emit(f"no tag {name!r} in this case")
            return None
        after: list[an.Tag] = []

        def change() -> None:
            after.append(
                an.update_tag(case, name, examiner=self.examiner(), new_name=new_name, color=color)
            )

        if not self._run(change):
            return None
        now = after[0]
        if (now.name, now.color) == (before.name, before.color):
            return now
        what = (
            f"Rename tag {before.name} to {now.name}"
            if now.name != before.name
            else (f"Recolour tag {now.name}")
        )
        self._push(
            _Change(
                what,
                lambda: self._run(
                    lambda: an.update_tag(
                        case,
                        before.name,
                        examiner=self.examiner(),
                        new_name=now.name,
                        color=now.color,
                    )
                ),
                lambda: self._run(
                    lambda: an.update_tag(
                        case,
                        now.name,
                        examiner=self.examiner(),
                        new_name=before.name,
                        color=before.color,
                    )
                ),
            )
        )
        return now

    def tag_usage(self, name: str) -> tuple[int, int]:
        """How many messages and conversations carry the tag (what deleting it takes)."""
        if self.case is None:
            return 0, 0
        for c in an.tag_counts(self.case.conn):
            if c.tag.name.casefold() == name.casefold():
                return c.messages, c.conversations
        return 0, 0

    def delete_tag(self, name: str) -> bool:
        """Delete a tag from the list and from every message and conversation carrying it.
        Undo puts it back where it was, on exactly those messages and conversations."""
        case = self.case
        if case is None:
            return False
        tag = an.get_tag(case.conn, name)
        if tag is None:
            self.failed.emit(f"no tag {name!r} in this case")
            return False
        rowids = an.tagged_rowids(case.conn, tag)
        conversations = an.tagged_conversations(case.conn, tag)

        def restore() -> None:  # one transaction: all of it comes back, or nothing
            who = self.examiner()
            with case.transaction():
                an.create_tag(case, tag.name, tag.color, examiner=who, position=tag.position)
                if rowids:
                    an.tag_messages(case, rowids, tag.name, examiner=who)
                for cid in conversations:
                    an.tag_conversation(case, cid, tag.name, examiner=who)

        if not self._run(lambda: an.delete_tag(case, tag.name, examiner=self.examiner())):
            return False
        self._push(
            _Change(
                f"Delete tag {tag.name}",
                lambda: self._run(lambda: an.delete_tag(case, tag.name, examiner=self.examiner())),
                lambda: self._run(restore),
            )
        )
        return True
