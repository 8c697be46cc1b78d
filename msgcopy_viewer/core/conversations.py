"""Conversation threading: which messages belong together.

The rule is ``resources/threading-rule.md``.

A conversation belongs to one subscriber and one set of normalised participants.
The subscriber never counts as a participant. The id is derived from the
subscriber's key and the sorted participant keys, so it is stable across
imports and machines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from msgcopy_viewer.core.parties import KIND_ALPHA, Party, normalize_party

THREADING_RULE_VERSION = 1


@dataclass(frozen=True, slots=True)
class ConversationKey:
    id: str
    subscriber_key: str
    participants: tuple[Party, ...]  # sorted by key, subscriber excluded, no duplicates
    participant_keys: tuple[str, ...]
    participant_displays: tuple[str, ...]

    @property
    def is_group(self) -> bool:
        return len(self.participants) > 1


def conversation_key(subscriber: Party, participants: Iterable[Party]) -> ConversationKey:
    return _conversation_key(subscriber, tuple(participants))


@lru_cache(maxsize=65536)
def _conversation_key(subscriber: Party, participants: tuple[Party, ...]) -> ConversationKey:
    unique: dict[str, Party] = {}
    for p in participants:
        if p.key and p.key != subscriber.key and p.key not in unique:
            unique[p.key] = p
    ordered = tuple(unique[k] for k in sorted(unique))
    material = "\x1f".join(
        [f"v{THREADING_RULE_VERSION}", subscriber.key, *(p.key for p in ordered)]
    )
    cid = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return ConversationKey(
        id=cid,
        subscriber_key=subscriber.key,
        participants=ordered,
        participant_keys=tuple(p.key for p in ordered),
        participant_displays=tuple(p.display for p in ordered),
    )


def participants_for(
    subscriber: Party,
    region: str,
    other_party: str,
    mms_addresses: Iterable[str] = (),
) -> list[Party]:
    """Participants of one message: MMS envelope addresses (sender, To, Cc, Bcc) when there
    are any besides the subscriber, otherwise the event's other party."""
    parties = [normalize_party(a, region) for a in mms_addresses if a and a.strip()]
    parties = [p for p in parties if p.key and p.key != subscriber.key]
    if not parties:
        parties = [normalize_party(other_party, region)]
    return parties


# -- what is shown for a message's parties (the importer stores it; case upgrades recompute it)


def incoming_sender(other_party: str, other: Party) -> str:
    """The sender shown for a received message: an alphanumeric sender exactly as received,
    a number in its display form (``other`` is ``other_party`` normalised)."""
    return other_party if other.kind == KIND_ALPHA else other.display


def message_sender(
    direction: str,
    subscriber: Party,
    region: str,
    other_party: str,
    other: Party,
    envelope_sender: str | None = None,
) -> str:
    """The sender shown for a message: the subscriber for a sent one (``mo``); for a received
    one, the MM7 envelope's sender when it names someone else than the subscriber, otherwise
    the event's other party."""
    if direction == "mo":
        return subscriber.display
    if envelope_sender:
        sp = normalize_party(envelope_sender, region)
        if sp.key and sp.key != subscriber.key:
            return sp.display
    return incoming_sender(other_party, other)


def shown_addresses(addresses: Iterable[str], region: str) -> list[str]:
    """MM7 envelope addresses as stored and shown (display forms; blanks dropped)."""
    return [normalize_party(a, region).display for a in addresses if a.strip()]
