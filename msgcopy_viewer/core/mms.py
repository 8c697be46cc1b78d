"""Decode the MM7 ``message`` string of a Message Copy MMS event.

:func:`decode_mms` is the public entry point.  It ties together the lenient
MIME splitter (:mod:`.mime`), the SOAP envelope reader (:mod:`.soap`), the
SMIL reader (:mod:`.smil`), the vCard reader (:mod:`.vcard`) and magic-byte
sniffing (:mod:`.media_types`).  It is Qt-free and never raises anything but
:class:`MmsError`; every defect it recovers from becomes a plain-language
sentence in :attr:`DecodedMms.warnings`.
"""

from __future__ import annotations

import hashlib
import posixpath
import urllib.parse
from dataclasses import dataclass, field

from msgcopy_viewer.core.media_types import is_media_type, sniff, sniff_wbmp
from msgcopy_viewer.core.mime import MimeEntity, iter_leaves, parse_mime
from msgcopy_viewer.core.smil import (
    Layout,
    Region,
    Slide,
    SlideItem,
    SmilDocument,
    SmilError,
    parse_smil,
)
from msgcopy_viewer.core.soap import Envelope, document_kind, parse_envelope
from msgcopy_viewer.core.vcard import decode_charset, parse_vcards

__all__ = [
    "Contact",
    "DecodedMms",
    "Envelope",
    "Layout",
    "MmsError",
    "MmsPart",
    "Region",
    "Slide",
    "SlideItem",
    "decode_mms",
]

_XML_TYPES = {None, "text/xml", "application/xml", "application/soap+xml", "text/plain"}
_VCARD_TYPES = {"text/x-vcard", "text/vcard", "text/directory", "text/x-vcalendar-vcard"}


class MmsError(ValueError):
    """The parser's own error: raised only when the input is not an MMS body at all."""


@dataclass(slots=True)
class MmsPart:
    index: int
    content_type: str
    detected_type: str | None
    name: str | None
    content_id: str | None
    content_location: str | None
    charset: str | None
    data: bytes
    is_smil: bool = False
    in_smil: bool = False
    _sha256: str | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of ``data`` (computed once: parts are hashed for storage, the JSON
        and the part list alike)."""
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.data).hexdigest()
        return self._sha256

    def text(self) -> str:
        """Text of the part: declared charset (MIBenum numbers too), else UTF-8, else Latin-1."""
        return decode_charset(self.data, self.charset)


@dataclass(slots=True)
class Contact:
    part: int
    name: str | None
    phones: list[str]
    emails: list[str]
    org: str | None
    addresses: list[str]
    photo: bytes | None
    photo_type: str | None
    raw: str
    parsed: bool


@dataclass(slots=True)
class DecodedMms:
    envelope: Envelope
    parts: list[MmsPart]
    slides: list[Slide]
    slides_source: str
    layout: Layout | None
    contacts: list[Contact]
    text: str
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def _norm_cid(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if value.lower().startswith("cid:"):
        value = value[4:]
    value = urllib.parse.unquote(value.strip()).strip().strip("<>").strip()
    return value or None


def _basename(value: str | None) -> str | None:
    if not value:
        return None
    value = urllib.parse.unquote(value.strip()).replace("\\", "/")
    value = posixpath.basename(value.split("?", 1)[0])
    return value or None


def _label(part: MmsPart) -> str:
    name = f" '{part.name}'" if part.name else ""
    return f"Part {part.index + 1}{name} ({part.content_type})"


def _looks_like_envelope(entity: MimeEntity) -> bool:
    ctype = entity.content_type or ""
    if ctype not in _XML_TYPES and "xml" not in ctype and "multipart" not in ctype:
        return False
    data, _problem = entity.decode_body()
    head = data[:8192]
    return b"Envelope" in head and b"<" in head


def _damage(data: bytes, detected: str | None) -> str | None:
    """Why an 8-bit/binary media part is corrupt, or None."""
    if data.count(b"\xef\xbf\xbd", 0, 65536) >= 2:
        return "a UTF-8 conversion damaged them"
    if (
        detected in ("image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp")
        and len(data) >= 1024
        and b"\x00" not in data
    ):
        return "all of its zero bytes are missing, as if a text conversion replaced them"
    return None


class _Builder:
    def __init__(self) -> None:
        self.warnings: list[str] = []
        self._seen: set[str] = set()

    def warn(self, text: str) -> None:
        if text not in self._seen:  # a set: thousands of warnings stay linear
            self._seen.add(text)
            self.warnings.append(text)


def _make_part(index: int, entity: MimeEntity, b: _Builder) -> MmsPart:
    data, problem = entity.decode_body()
    ctype = entity.content_type or "application/octet-stream"
    detected = sniff(data)
    if detected is None and ctype in ("image/vnd.wap.wbmp", "image/wbmp") and sniff_wbmp(data):
        detected = "image/vnd.wap.wbmp"
    name = entity.name or entity.filename or _basename(entity.content_location)
    part = MmsPart(
        index=index,
        content_type=ctype,
        detected_type=detected,
        name=name,
        content_id=_norm_cid(entity.content_id),
        content_location=entity.content_location,
        charset=entity.charset,
        data=data,
    )
    if problem:
        b.warn(f"{_label(part)}: {problem}.")
    cte = entity.transfer_encoding
    if not data:
        b.warn(f"{_label(part)} is empty.")
        return part
    binaryish = cte in (None, "8bit", "binary", "7bit", "none", "x-binary")
    is_media = is_media_type(ctype) or is_media_type(detected)
    if binaryish and is_media:
        why = _damage(data, detected)
        if why:
            how = (
                "as 8-bit binary"
                if cte in ("8bit", "binary", "x-binary", "7bit")
                else "as raw binary without a transfer encoding"
            )
            b.warn(f"{_label(part)} was sent {how} and its bytes are corrupt ({why}).")
            return part
    if is_media_type(ctype) and detected is None:
        family = ctype.split("/", 1)[0]
        b.warn(
            f"{_label(part)} is labelled {ctype} but its contents are not a recognisable "
            f"{family} file."
        )
    return part


def _is_vcard(part: MmsPart) -> bool:
    if part.content_type in _VCARD_TYPES or part.detected_type == "text/vcard":
        return True
    for value in (part.name, part.content_location):
        if value and value.lower().endswith(".vcf"):
            return True
    return False


def _is_smil_candidate(part: MmsPart) -> bool:
    if "smil" in part.content_type:
        return True
    for value in (part.name, part.content_location):
        if value and value.lower().endswith(".smil"):
            return True
    return False


class _Resolver:
    def __init__(self, parts: list[MmsPart]) -> None:
        self.by_cid: dict[str, int] = {}
        self.by_cid_ci: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        self.by_full_location: dict[str, int] = {}
        for part in parts:
            if part.is_smil:
                continue
            if part.content_id:
                self.by_cid.setdefault(part.content_id, part.index)
                self.by_cid_ci.setdefault(part.content_id.lower(), part.index)
            if part.content_location:
                loc = urllib.parse.unquote(part.content_location.strip()).lower()
                self.by_full_location.setdefault(loc, part.index)
        # names: Content-Location basename first, then name=, then filename-ish name
        for part in parts:
            if part.is_smil:
                continue
            for value in (part.content_location, part.name):
                base = _basename(value)
                if base:
                    self.by_name.setdefault(base.lower(), part.index)

    def resolve(self, src: str) -> int | None:
        raw = src.strip()
        if not raw:
            return None
        if raw.lower().startswith("cid:"):
            cid = _norm_cid(raw)
            if cid is None:
                return None
            if cid in self.by_cid:
                return self.by_cid[cid]
            if cid.lower() in self.by_cid_ci:
                return self.by_cid_ci[cid.lower()]
            base = _basename(cid)
            return self.by_name.get(base.lower()) if base else None
        unquoted = urllib.parse.unquote(raw)
        if unquoted.lower() in self.by_full_location:
            return self.by_full_location[unquoted.lower()]
        base = _basename(raw)
        if base and base.lower() in self.by_name:
            return self.by_name[base.lower()]
        cid = _norm_cid(raw)
        if cid is not None:
            if cid in self.by_cid:
                return self.by_cid[cid]
            if cid.lower() in self.by_cid_ci:
                return self.by_cid_ci[cid.lower()]
        return None


def _fallback_slides(parts: list[MmsPart]) -> list[Slide]:
    slides: list[Slide] = []
    current: Slide | None = None
    for part in parts:
        if part.is_smil or _is_vcard(part):
            continue
        media = part.detected_type if is_media_type(part.detected_type) else part.content_type
        if media is not None and is_media_type(media):
            kind = media.split("/", 1)[0]
            current = Slide(
                duration_ms=None,
                items=[SlideItem(kind=kind, part=part.index, region=None, src=_src_of(part))],
            )
            slides.append(current)
        elif part.content_type == "text/plain":
            item = SlideItem(kind="text", part=part.index, region=None, src=_src_of(part))
            if current is not None and not any(i.kind == "text" for i in current.items):
                current.items.append(item)
            else:
                current = Slide(duration_ms=None, items=[item])
                slides.append(current)
    return slides


def _src_of(part: MmsPart) -> str:
    if part.content_location:
        return part.content_location
    if part.content_id:
        return f"cid:{part.content_id}"
    return part.name or ""


def _all_entities(root: MimeEntity) -> list[MimeEntity]:
    out: list[MimeEntity] = []
    stack = [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


# --------------------------------------------------------------------------- main


def decode_mms(message: str | bytes) -> DecodedMms:
    """Decode an MM7 multipart (the ``message`` string of an MMS event).

    ``str`` input is encoded as UTF-8 first.  Raises :class:`MmsError` only when
    the input is not an MMS body at all (empty, or neither a SOAP envelope nor
    any MIME part can be found).

    A body that holds only a SOAP envelope — e.g. an MM7 ``DeliveryReportReq``
    or ``ReadReplyReq`` — is *not* an error: it returns a :class:`DecodedMms`
    with the envelope filled in, no parts, no slides, and a warning saying it is
    not a message, so the caller can still record who/when.
    """
    try:
        return _decode(message)
    except MmsError:
        raise
    except RecursionError as exc:
        raise MmsError("not decodable: the message nests too deeply") from exc
    except Exception as exc:  # defensive: the contract is "only MmsError"
        raise MmsError(f"not decodable: internal error {type(exc).__name__}: {exc}") from exc


def _decode(message: str | bytes) -> DecodedMms:
    if isinstance(message, str):
        data = message.encode("utf-8", "surrogatepass")
    else:
        data = bytes(message)
    if not data.strip():
        raise MmsError("not an MMS body: the message is empty")
    b = _Builder()
    root, mime_warnings = parse_mime(data)
    for w in mime_warnings:
        b.warn(w)
    leaves = [leaf for leaf, _anc in iter_leaves(root)]
    entities = _all_entities(root)

    # ---- SOAP envelope
    soap: MimeEntity | None = None
    start = root.params.get("start") if root.is_multipart else None
    if start:
        wanted = _norm_cid(start)
        for leaf in leaves:
            if leaf.content_id and _norm_cid(leaf.content_id) == wanted:
                if _looks_like_envelope(leaf):
                    soap = leaf
                break
    if soap is None:
        top_level = root.children if root.is_multipart else [root]
        for entity in top_level:
            if not entity.is_multipart and _looks_like_envelope(entity):
                soap = entity
                break
    envelope = Envelope()
    if soap is not None:
        soap_data, _p = soap.decode_body()
        envelope, soap_warnings = parse_envelope(soap_data)
        for w in soap_warnings:
            b.warn(w)
    content_leaves = [leaf for leaf in leaves if leaf is not soap]

    if soap is None:
        if not root.is_multipart and not root.headers:
            raise MmsError("not an MMS body: no MIME structure and no SOAP envelope found")
        if not content_leaves:
            raise MmsError("not an MMS body: no MIME parts and no SOAP envelope found")
        b.warn(
            "The message has no SOAP envelope, so its sender, recipients and subject are unknown."
        )

    # ---- parts
    parts = [_make_part(i, leaf, b) for i, leaf in enumerate(content_leaves)]
    if not parts:
        kind = envelope.message_kind or "request"
        if document_kind(envelope.message_kind) != "message":
            b.warn(
                f"This is an MM7 {kind}, not a message: it carries no content parts, only the "
                "SOAP envelope."
            )
        else:
            b.warn("The message has a SOAP envelope but no content parts.")

    # ---- Content href
    if envelope.content_href:
        wanted_href = _norm_cid(envelope.content_href)
        if envelope.content_href.strip().lower().startswith("cid:") and not any(
            entity is not soap and _norm_cid(entity.content_id) == wanted_href
            for entity in entities
        ):
            b.warn(
                f"The SOAP envelope points to its content as '{envelope.content_href}', but no "
                "part has that Content-ID."
            )

    # ---- start parameters (SMIL by `start`)
    cid_to_index = {p.content_id: p.index for p in parts if p.content_id}
    entity_cids: set[str | None] | None = None  # made when first needed
    start_smil: set[int] = set()
    for entity in entities:
        if not entity.is_multipart:
            continue
        value = entity.params.get("start")
        if not value:
            continue
        wanted = _norm_cid(value)
        if wanted is None:
            continue
        if wanted in cid_to_index:
            idx = cid_to_index[wanted]
            target = parts[idx]
            if (
                "smil" in (entity.params.get("type") or "").lower()
                or b"<smil" in target.data[:4096].lower()
            ):
                start_smil.add(idx)
            continue
        if entity_cids is None:
            entity_cids = {_norm_cid(e.content_id) for e in entities}
        if wanted in entity_cids:
            continue
        b.warn(
            f"The message names '{value.strip()}' as its starting part (the presentation), but "
            "no part has that Content-ID."
        )

    # ---- SMIL
    for part in parts:
        if part.index in start_smil or _is_smil_candidate(part):
            part.is_smil = True
    smil_doc: SmilDocument | None = None
    for part in parts:
        if not part.is_smil:
            continue
        try:
            smil_doc = parse_smil(part.data)
            break
        except SmilError as exc:
            b.warn(f"The SMIL presentation in {_label(part)} could not be read ({exc}).")

    slides: list[Slide] = []
    slides_source = "fallback"
    layout: Layout | None = smil_doc.layout if smil_doc is not None else None
    if smil_doc is not None:
        resolver = _Resolver(parts)
        resolved = 0
        for slide in smil_doc.slides:
            for item in slide.items:
                item.part = resolver.resolve(item.src)
                if item.part is None:
                    if item.src.strip():
                        b.warn(f"SMIL refers to '{item.src}', which is not in the message.")
                    else:
                        b.warn(f"SMIL has a {item.kind} item without a source.")
                else:
                    resolved += 1
        if resolved:
            slides = smil_doc.slides
            slides_source = "smil"
            for slide in slides:
                for item in slide.items:
                    if item.part is not None:
                        parts[item.part].in_smil = True
        elif smil_doc.slides:
            b.warn(
                "The SMIL presentation refers to none of the message's parts; slides were built "
                "from the parts in order."
            )
        else:
            b.warn(
                "The SMIL presentation has no slides; slides were built from the parts in order."
            )
    elif parts:
        if any(p.is_smil for p in parts):
            b.warn("Slides were built from the parts in order because the SMIL is unusable.")
        else:
            b.warn(
                "The message has no SMIL presentation; slides were built from the parts in order."
            )
    if slides_source == "fallback":
        slides = _fallback_slides(parts)

    # ---- contacts
    contacts: list[Contact] = []
    for part in parts:
        if not _is_vcard(part):
            continue
        cards, card_warnings = parse_vcards(part.data)
        for w in card_warnings:
            b.warn(f"{_label(part)}: {w}")
        if not cards:
            b.warn(f"{_label(part)} is labelled as a vCard but contains no card.")
        for card in cards:
            contacts.append(
                Contact(
                    part=part.index,
                    name=card.name,
                    phones=card.phones,
                    emails=card.emails,
                    org=card.org,
                    addresses=card.addresses,
                    photo=card.photo,
                    photo_type=card.photo_type,
                    raw=card.raw,
                    parsed=card.parsed,
                )
            )

    # ---- text
    ordered: list[int] = []
    seen: set[int] = set()
    for slide in slides:
        for item in slide.items:
            ref = item.part
            if ref is not None and ref not in seen and parts[ref].content_type == "text/plain":
                seen.add(ref)
                ordered.append(ref)
    for part in parts:
        if part.content_type == "text/plain" and part.index not in seen:
            seen.add(part.index)
            ordered.append(part.index)
    text = "\n".join(parts[i].text() for i in ordered)

    return DecodedMms(
        envelope=envelope,
        parts=parts,
        slides=slides,
        slides_source=slides_source,
        layout=layout,
        contacts=contacts,
        text=text,
        warnings=b.warnings,
    )
