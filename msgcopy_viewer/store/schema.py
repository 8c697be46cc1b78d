"""Case-file schema and its migrations.

The schema version is ``PRAGMA user_version``. ``MIGRATIONS[i]`` takes a case
from version ``i`` to ``i + 1`` (an SQL script, or a function of the connection for a
step that needs Python); each step runs in one transaction after the case file has
been backed up (see ``store.case``). A case whose version is
newer than ``SCHEMA_VERSION`` is refused. The tables are described in
``docs/case-format.md``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 7
APPLICATION_ID = 0x4D434356  # "MCCV": lets `file`-like tools recognise a case

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE import_batches (
    id              INTEGER PRIMARY KEY,
    started_ms      INTEGER NOT NULL,
    finished_ms     INTEGER,
    status          TEXT NOT NULL,      -- running | completed | cancelled | failed | interrupted
    roots           TEXT NOT NULL,      -- JSON list of absolute paths named by the user
    origin          TEXT NOT NULL,      -- cli | gui | receiver
    program_version TEXT NOT NULL,
    files_seen      INTEGER NOT NULL DEFAULT 0,
    files_imported  INTEGER NOT NULL DEFAULT 0,
    messages_imported INTEGER NOT NULL DEFAULT 0,
    duplicates      INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE source_files (
    id          INTEGER PRIMARY KEY,
    batch_id    INTEGER NOT NULL REFERENCES import_batches(id),
    root        TEXT NOT NULL,          -- absolute folder the path is relative to
    path        TEXT NOT NULL,          -- relative to the named folder; zip members a.zip/m
    size        INTEGER,
    mtime_ms    INTEGER,
    sha256      TEXT,
    outcome     TEXT NOT NULL,          -- imported | duplicate | rejected | skipped
    reason      TEXT,
    events      INTEGER NOT NULL DEFAULT 0,
    new_messages INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX source_files_sha ON source_files(sha256);
CREATE INDEX source_files_batch ON source_files(batch_id, id);

CREATE TABLE subscribers (
    id        INTEGER PRIMARY KEY,
    key       TEXT NOT NULL UNIQUE,     -- normalised mobile (E.164)
    mobile    TEXT NOT NULL,            -- as received (first seen)
    domain    TEXT,
    did       TEXT,
    subr_id   TEXT,
    message_count INTEGER NOT NULL DEFAULT 0,
    first_ms  INTEGER,
    last_ms   INTEGER
);

CREATE TABLE conversations (
    id            TEXT PRIMARY KEY,     -- stable: hash of subscriber key + participant keys
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
    participants  TEXT NOT NULL,        -- JSON list of display forms, sorted by key
    participant_keys TEXT NOT NULL,     -- JSON list of keys, sorted
    is_group      INTEGER NOT NULL,
    message_count INTEGER NOT NULL DEFAULT 0,
    mms_count     INTEGER NOT NULL DEFAULT 0,
    first_ms      INTEGER,
    last_ms       INTEGER,
    last_rowid    INTEGER,
    last_snippet  TEXT
);
CREATE INDEX conversations_by_activity ON conversations(subscriber_id, last_ms DESC, id);
CREATE INDEX conversations_global_activity ON conversations(last_ms DESC, id);

CREATE TABLE messages (
    rowid          INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,    -- stable public id (content hash)
    fingerprint    TEXT NOT NULL,           -- SHA-256 of the canonical event JSON
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    subscriber_id  INTEGER NOT NULL REFERENCES subscribers(id),
    direction      TEXT NOT NULL,
    type           TEXT NOT NULL,
    start_ms       INTEGER NOT NULL,
    start_raw      TEXT NOT NULL,
    other_party    TEXT NOT NULL,           -- as received
    sender         TEXT,                    -- display form of who sent it
    content_type   TEXT,
    text           TEXT NOT NULL,           -- SMS: the message; MMS: its text parts
    subject        TEXT,
    contact_names  TEXT,
    has_attachments INTEGER NOT NULL DEFAULT 0,
    warnings       TEXT NOT NULL DEFAULT '[]',  -- JSON list of strings
    warning_count  INTEGER NOT NULL DEFAULT 0,
    mms            TEXT,                    -- JSON (see docs/case-format.md), NULL for SMS
    raw_event      TEXT NOT NULL,           -- the event object as received (JSON)
    source_file_id INTEGER NOT NULL REFERENCES source_files(id),
    source_index   INTEGER NOT NULL,
    batch_id       INTEGER NOT NULL REFERENCES import_batches(id)
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, start_ms, rowid);
CREATE INDEX messages_by_time ON messages(start_ms, id);

-- Every place an event was seen (a platform retry puts the same event in several files).
CREATE TABLE occurrences (
    message_rowid  INTEGER NOT NULL REFERENCES messages(rowid),
    source_file_id INTEGER NOT NULL REFERENCES source_files(id),
    source_index   INTEGER NOT NULL,
    PRIMARY KEY (source_file_id, source_index)
);
CREATE INDEX occurrences_by_message ON occurrences(message_rowid);

-- Decoded MMS parts; bytes live once in media.
CREATE TABLE mms_parts (
    message_rowid  INTEGER NOT NULL REFERENCES messages(rowid),
    idx            INTEGER NOT NULL,
    content_type   TEXT NOT NULL,
    detected_type  TEXT,
    name           TEXT,
    content_id     TEXT,
    content_location TEXT,
    charset        TEXT,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL REFERENCES media(sha256),
    is_smil        INTEGER NOT NULL DEFAULT 0,
    in_smil        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (message_rowid, idx)
);
CREATE INDEX mms_parts_sha ON mms_parts(sha256);

CREATE TABLE media (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    data   BLOB NOT NULL
);

CREATE VIRTUAL TABLE message_fts USING fts5(
    text, subject, contact_names,
    content='messages', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
"""

# Version 2: the time index holds start_ms only; the rowid it carries orders ties, which is
# the order browsing and search use. Keyed on (start_ms, id) it cost about a third of
# every message insert (a 24-character key in random order), and nothing needed the id.
_V2 = """
DROP INDEX messages_by_time;
CREATE INDEX messages_by_time ON messages(start_ms);
"""

# Version 3: an import batch that failed says why (the plain line of the StorageError, or
# the bug's exception), so the ledger shows it.
_V3 = """
ALTER TABLE import_batches ADD COLUMN reason TEXT;
"""

# Version 4: one message model.
# * Each message keeps its event's own subscriberParty (mobile, domain, did, subrId as
#   received); the subscribers table keeps the first seen, and an export must not show
#   another event's DID for this one. Filled from the stored raw event.
# * MMS parts live in mms_parts only: the copy in the mms JSON is dropped.
_V4 = """
ALTER TABLE messages ADD COLUMN sub_mobile TEXT;
ALTER TABLE messages ADD COLUMN sub_domain TEXT;
ALTER TABLE messages ADD COLUMN sub_did TEXT;
ALTER TABLE messages ADD COLUMN sub_subr_id TEXT;
UPDATE messages SET
    sub_mobile = CAST(json_extract(raw_event, '$.subscriberParty.mobile') AS TEXT),
    sub_domain = CAST(json_extract(raw_event, '$.subscriberParty.domain') AS TEXT),
    sub_did = CAST(json_extract(raw_event, '$.subscriberParty.did') AS TEXT),
    sub_subr_id = CAST(json_extract(raw_event, '$.subscriberParty.subrId') AS TEXT)
WHERE json_valid(raw_event);
UPDATE messages SET mms = json_remove(mms, '$.parts')
WHERE mms IS NOT NULL AND json_valid(mms);
"""

# Version 5: attachment names are searchable. Each message keeps the names of its MMS parts
# (SMIL excluded, one per line, in part order) in attachment_names, and the full-text index
# covers them: the index is made again with the new column and rebuilt from messages.
_V5 = """
ALTER TABLE messages ADD COLUMN attachment_names TEXT;
UPDATE messages SET attachment_names = (
    SELECT group_concat(name, char(10)) FROM (
        SELECT name FROM mms_parts p
        WHERE p.message_rowid = messages.rowid AND p.is_smil = 0
            AND p.name IS NOT NULL AND p.name != ''
        ORDER BY p.idx
    )
)
WHERE type = 'mms';
DROP TABLE message_fts;
CREATE VIRTUAL TABLE message_fts USING fts5(
    text, subject, contact_names, attachment_names,
    content='messages', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO message_fts(message_fts) VALUES ('rebuild');
"""


# Version 6, the examiner's workbench: what the examiner adds to a case, in tables of its own (the
# imported rows are never touched). Tags from a case-wide list (three defaults), tags and a
# note on messages and conversations, bookmarks, an address book (names for numbers, keyed
# by the normalised number) and the audit log of every change to any of them. The
# timeline's index covers what a chart of message counts reads (type, direction, start
# time, subscriber), so a case of a million messages is counted from ranges of the index
# alone (store/timeline.py).
_WORKBENCH = """
CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    color      TEXT NOT NULL,           -- #rrggbb
    position   INTEGER NOT NULL,        -- order in lists and shortcuts (Ctrl+1 is the first)
    created_ms INTEGER NOT NULL
);
INSERT INTO tags(name, color, position, created_ms) VALUES
    ('Relevant', '#d9534f', 1, 0), ('Privileged', '#7a5cc4', 2, 0), ('Follow up', '#e0a526', 3, 0);

CREATE TABLE message_tags (
    message_rowid INTEGER NOT NULL REFERENCES messages(rowid),
    tag_id        INTEGER NOT NULL REFERENCES tags(id),
    added_ms      INTEGER NOT NULL,
    PRIMARY KEY (message_rowid, tag_id)
) WITHOUT ROWID;
CREATE INDEX message_tags_by_tag ON message_tags(tag_id, message_rowid);

CREATE TABLE conversation_tags (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    tag_id          INTEGER NOT NULL REFERENCES tags(id),
    added_ms        INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX conversation_tags_by_tag ON conversation_tags(tag_id, conversation_id);

CREATE TABLE notes (
    target     TEXT NOT NULL,           -- 'message' | 'conversation'
    target_id  TEXT NOT NULL,           -- message rowid (as text) | conversation id
    text       TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (target, target_id)
) WITHOUT ROWID;

CREATE TABLE bookmarks (
    message_rowid INTEGER PRIMARY KEY REFERENCES messages(rowid),
    added_ms      INTEGER NOT NULL
);

CREATE TABLE names (
    key        TEXT PRIMARY KEY,        -- the number normalised (docs/threading.md)
    name       TEXT NOT NULL,
    number     TEXT NOT NULL,           -- as the source wrote it
    source     TEXT NOT NULL,           -- 'file' | 'vcard' | 'examiner'
    origin     TEXT NOT NULL,           -- the file's name, or the message id of the vCard
    added_ms   INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at_ms    INTEGER NOT NULL,
    examiner TEXT NOT NULL,
    action   TEXT NOT NULL,             -- e.g. tag.add, note.set, name.set (docs/case-format.md)
    target   TEXT NOT NULL,             -- message:<id>, conversation:<id>, tag:<name>, name:<key>
    before   TEXT,
    after    TEXT
);

CREATE INDEX messages_timeline ON messages(type, direction, start_ms, subscriber_id);
"""


# Version 7: alphanumeric senders are shown as received in cases imported before that rule
# (``<i>BANK</i>``, not ``i>BANK</i``): conversation participants and MMS senders and
# recipients are relabelled from the stored raw events (store/relabel.py). And delivery and
# read reports imported before their status was stored get it (store/report_fields.py).
def _v7(conn: sqlite3.Connection) -> None:
    from msgcopy_viewer.store.relabel import relabel_alphanumeric
    from msgcopy_viewer.store.report_fields import refill_report_fields

    relabel_alphanumeric(conn)
    refill_report_fields(conn)


Migration = str | Callable[[sqlite3.Connection], None]

# MIGRATIONS[i] upgrades version i to i + 1. Version 0 is an empty file.
MIGRATIONS: list[Migration] = [_V1, _V2, _V3, _V4, _V5, _WORKBENCH, _v7]
assert len(MIGRATIONS) == SCHEMA_VERSION
