"""Deterministic demo corpus in the Message Copy receiver layout (Qt-free).

``generate_demo`` writes one vendor-format ``<uuid>.json`` per SMS/MMS event (plus a
few deliberately odd files), with every byte derived from ``random.Random(seed)``:
no wall clock, no ``uuid4``, no unseeded noise. ``generate_sms_corpus`` and
``generate_mms_heavy`` are fast variants for the import benchmarks.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import uuid
from bisect import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from msgcopy_viewer.demo import media, names
from msgcopy_viewer.demo.mm7_writer import Mm7Part, build_mm7

__all__ = [
    "DemoAttachment",
    "DemoFile",
    "DemoMms",
    "DemoSummary",
    "event_file_bytes",
    "generate_demo",
    "generate_mms_heavy",
    "generate_sms_corpus",
    "write_event_file",
]

SMS_CONTENT_TYPE = "text/plain; charset=UTF-8"
_EPOCH = datetime(2024, 6, 3, tzinfo=UTC)  # corpus spans June-September 2024
_SPAN_DAYS = 118
_HOUR_WEIGHTS = (
    1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 3, 6, 8, 8, 8, 9, 9, 8, 8, 8, 9, 10, 10, 9, 7, 5, 3,
)  # fmt: skip


# --------------------------------------------------------------------------- public types


@dataclass
class DemoAttachment:
    content_type: str
    name: str
    content_id: str
    sha256: str
    size: int  # of the exact bytes put in


@dataclass
class DemoMms:
    """What the generator put into one MMS (for round-trip tests)."""

    subject: str | None
    sender: str
    to: list[str]
    cc: list[str]
    bcc: list[str]
    text: str  # text/plain part(s) joined with "\n" in slide order
    attachments: list[DemoAttachment]  # every content part except SOAP, in document order
    slide_count: int
    contact_names: list[str]


@dataclass
class DemoFile:
    relpath: str  # relative to OUTDIR, "/" separators
    kind: str  # "sms" | "mms" | "malformed" | "retry" | "junk"
    mms: DemoMms | None


@dataclass
class DemoSummary:
    outdir: Path
    files: list[DemoFile]
    messages: int
    subscribers: int
    conversations: int  # distinct (subscriber, participant set) pairs that got messages


# --------------------------------------------------------------------------- file format


def event_file_bytes(event: Mapping[str, object]) -> bytes:
    """Serialise one event like the vendor (Jackson-style ``"smsEvent" : [ {``, indent 3)."""
    inner = json.dumps(event, indent=3, separators=(",", " : "), ensure_ascii=False)
    inner = inner.replace("\n", "\n   ")
    return ('{\n   "smsEvent" : [ ' + inner + " ]\n}").encode("utf-8")


def write_event_file(path: Path, event: Mapping[str, object]) -> None:
    """Write one vendor-format Message Copy file (one event) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(event_file_bytes(event))


def _start_time(when: datetime, ms: int) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms:03d}+0000"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# --------------------------------------------------------------------------- people


@dataclass
class _Contact:
    name: str
    e164: str  # digits only, with country code
    country: str  # "US" | "UK"


@dataclass
class _Sub:
    country: str
    domain: str
    mobile: str
    did: str
    subr_id: str
    contacts: list[_Contact] = field(default_factory=list)

    def party(self) -> dict[str, str]:
        return {"domain": self.domain, "mobile": self.mobile, "did": self.did,
                "subrId": self.subr_id}  # fmt: skip


@dataclass
class _Thread:
    sub: _Sub
    kind: str  # "person" | "group" | "alpha" | "shortcode"
    members: list[_Contact]
    service: str = ""
    templates: tuple[str, ...] = ()

    def key(self) -> tuple[str, frozenset[str]]:
        if self.kind in ("alpha", "shortcode"):
            return self.sub.mobile, frozenset((self.service.upper(),))
        return self.sub.mobile, frozenset(c.e164 for c in self.members)


def format_number(e164: str, rng: random.Random) -> str:
    """Render a number the way various platforms deliver it in ``otherParty.number``."""
    r = rng.random()
    if e164.startswith("1") and len(e164) == 11:
        nat = e164[1:]
        if r < 0.55:
            return e164
        if r < 0.75:
            return nat
        if r < 0.85:
            return "+" + e164
        return f"+1 ({nat[:3]}) {nat[3:6]}-{nat[6:]}"
    if e164.startswith("44"):
        nat = e164[2:]
        if r < 0.5:
            return e164
        if r < 0.75:
            return "0" + nat
        if r < 0.9:
            return f"+44 {nat[:4]} {nat[4:]}"
        return "+" + e164
    return e164


def _make_people(rng: random.Random) -> list[_Sub]:
    pool: list[_Contact] = []
    used: set[str] = set()
    while len(pool) < 260:
        country = "US" if rng.random() < 0.6 else "UK"
        if country == "US":
            num = f"1{rng.choice(names.US_AREA_CODES)}555{rng.randint(0, 9999):04d}"
        else:
            num = f"447700900{rng.randint(0, 999):03d}"
        if num in used:
            continue
        used.add(num)
        pool.append(_Contact(names.random_name(rng), num, country))
    subs: list[_Sub] = []
    sub_numbers: set[str] = set()
    for i in range(10):
        country = "US" if i < 6 else "UK"
        while True:
            if country == "US":
                mobile = f"1946555{rng.randint(0, 9999):04d}"
            else:
                mobile = f"447700900{rng.randint(0, 999):03d}"
            if mobile not in used and mobile not in sub_numbers:
                break
        sub_numbers.add(mobile)
        if country == "US":
            did = mobile if rng.random() < 0.6 else f"1946555{rng.randint(0, 9999):04d}"
            domain = names.DOMAINS_US[i % len(names.DOMAINS_US)]
        else:
            did = mobile if rng.random() < 0.4 else f"442079460{rng.randint(0, 999):03d}"
            domain = names.DOMAINS_UK[i % len(names.DOMAINS_UK)]
        sub = _Sub(country, domain, mobile, did, f"s0{rng.randint(10000, 99999)}")
        local = [c for c in pool if c.country == country]
        foreign = [c for c in pool if c.country != country]
        sub.contacts = rng.sample(local, rng.randint(25, 42)) + rng.sample(foreign, 3)
        subs.append(sub)
    return subs


def _make_threads(rng: random.Random, subs: Sequence[_Sub]) -> tuple[list[_Thread], list[float]]:
    threads: list[_Thread] = []
    weights: list[float] = []
    for si, sub in enumerate(subs):
        activity = 1.6 / (1 + si * 0.35)
        for rank, c in enumerate(sub.contacts):
            threads.append(_Thread(sub, "person", [c]))
            weights.append(activity / (rank + 1) ** 0.75)
        for g in range(rng.randint(2, 4)):
            members = rng.sample(sub.contacts[:20], rng.randint(2, 5))
            threads.append(_Thread(sub, "group", members))
            weights.append(activity * 0.12 / (g + 1))
        services = names.SHORT_CODES if sub.country == "US" else names.ALPHA_SENDERS
        for sid, templates in services:
            kind = "shortcode" if sid.isdigit() else "alpha"
            threads.append(_Thread(sub, kind, [], sid, templates))
            weights.append(activity * 0.15)
    return threads, list(accumulate(weights))


# --------------------------------------------------------------------------- planning


@dataclass
class _Planned:
    when: datetime
    ms: int
    thread: _Thread
    direction: str
    mms: bool
    text: str
    seed: int
    uuid: str = ""
    relpath: str = ""


def _plan(
    rng: random.Random, threads: Sequence[_Thread], cum: Sequence[float], n: int
) -> list[_Planned]:
    planned: list[_Planned] = []
    total = cum[-1]
    hour_cum = list(accumulate(_HOUR_WEIGHTS))
    # The first bursts come from a group chat and a service sender so that even a small
    # corpus has group MMS and alphanumeric/short-code messages.
    seeded = [t for t in threads if t.kind == "group"][:1] * 2
    seeded += [t for t in threads if t.kind in ("alpha", "shortcode")][:1]
    seeded = [rng.choice([t for t in threads if t.kind == s.kind]) for s in seeded]
    while len(planned) < n:
        if seeded:
            th = seeded.pop(0)
        else:
            th = threads[min(bisect(cum, rng.random() * total), len(threads) - 1)]
        hour = bisect(hour_cum, rng.random() * hour_cum[-1])
        when = _EPOCH + timedelta(days=rng.randrange(_SPAN_DAYS), hours=hour,
                                  seconds=rng.randrange(3600))  # fmt: skip
        if th.kind == "person":
            length = 1 + min(30, int(rng.expovariate(1 / 4)))
        elif th.kind == "group":
            length = 2 + min(16, int(rng.expovariate(1 / 3)))
        else:
            length = 2 if th.kind == "shortcode" and rng.random() < 0.25 else 1
        direction = "mo" if rng.random() < 0.5 else "mt"
        if th.kind in ("alpha", "shortcode"):
            direction = "mt"
        for i in range(length):
            if len(planned) >= n:
                break
            if i:
                when += timedelta(seconds=min(10800.0, 4 + rng.lognormvariate(3.8, 1.3)))
                if th.kind == "shortcode":
                    direction = "mo"
                elif rng.random() < (0.6 if th.kind == "person" else 0.4):
                    direction = "mt" if direction == "mo" else "mo"
            if th.kind == "group":
                mms = True
            elif th.kind == "person":
                mms = rng.random() < 0.075
            else:
                mms = False
            if th.kind == "alpha" or (th.kind == "shortcode" and direction == "mt"):
                text = names.service_text(rng.choice(th.templates), rng)
            elif th.kind == "shortcode":
                text = rng.choice(names.SHORT_CODE_REPLIES)
            else:
                text = names.chat_text(rng)
            planned.append(_Planned(when, rng.randrange(1000), th, direction, mms, text,
                                    rng.getrandbits(64)))  # fmt: skip
    planned.sort(key=lambda p: (p.when, p.ms))
    return planned


# --------------------------------------------------------------------------- MMS content


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_MEDIA_KINDS = ("jpeg", "png", "gif", "audio", "vcard", None)
_MEDIA_WEIGHTS = (0.34, 0.14, 0.1, 0.1, 0.1, 0.22)


def _envelope_parties(
    rng: random.Random, th: _Thread, direction: str
) -> tuple[str, list[str], list[str], list[str]]:
    me = "+" + th.sub.mobile
    others = ["+" + c.e164 for c in th.members]
    cc: list[str] = []
    bcc: list[str] = []
    if direction == "mo":
        sender = me
        to = list(others)
        rng.shuffle(to)
        if len(to) > 2 and rng.random() < 0.15:
            cc.append(to.pop())
        if len(to) > 2 and rng.random() < 0.05:
            bcc.append(to.pop())
    else:
        idx = rng.randrange(len(others))
        sender = others[idx]
        to = [o for i, o in enumerate(others) if i != idx]
        rng.shuffle(to)
        if len(to) > 1 and rng.random() < 0.15:
            cc.append(to.pop())
        to.insert(rng.randint(0, len(to)) if len(to) else 0, me)
        if to[0] == me and len(to) > 1 and rng.random() < 0.85:
            to[0], to[1] = to[1], to[0]  # usually the subscriber is not listed first
    return sender, to, cc, bcc


def _build_mms(
    rng: random.Random,
    p: _Planned,
    forced: str | None,
    people: Sequence[_Contact],
    heavy_pool: Sequence[tuple[bytes, str, str]] | None = None,
) -> tuple[str, str, str, DemoMms]:
    """Return (message, messageContentType, otherParty.number, DemoMms)."""
    th = p.thread
    sender, to, cc, bcc = _envelope_parties(rng, th, p.direction)
    if th.kind == "person":
        other = th.members[0].e164
    else:
        other = to[0].lstrip("+")
    other_number = other if other == th.sub.mobile else format_number(other, rng)

    token = f"{rng.getrandbits(96):024x}"
    by_name = rng.random() < 0.15
    iphone_names = rng.random() < 0.3
    subject: str | None = rng.choice(names.SUBJECTS) if rng.random() < 0.25 else None

    if heavy_pool is not None:
        slides_n = rng.randint(1, 3)
    elif th.kind == "group" and forced is None and rng.random() < 0.7:
        slides_n = 1
    else:
        slides_n = rng.choice((1, 1, 1, 2, 2, 3))

    parts: list[Mm7Part] = []
    slides: list[list[tuple[str, Mm7Part]]] = []
    texts: list[str] = []
    contact_names: list[str] = []
    counter = 0

    def new_part(
        ctype: str,
        ext: str,
        data: bytes,
        name: str | None = None,
        charset: str | None = None,
        transfer_encoding: str = "base64",
    ) -> Mm7Part:
        nonlocal counter
        if iphone_names and ctype.startswith("image/"):
            stem = f"IMG_{rng.randint(1000, 9999)}"
            cid = f"{stem}-{counter}"
        else:
            stem = f"{ctype.split('/')[0]}{counter:06d}"
            cid = stem
        name = name or f"{stem}.{ext}"
        counter += 1
        part = Mm7Part(ctype, data, cid, name, name, charset, transfer_encoding)
        parts.append(part)
        return part

    for s in range(slides_n):
        slide: list[tuple[str, Mm7Part]] = []
        if heavy_pool is not None:
            data, ctype, ext = rng.choice(heavy_pool)
            kind: str | None = "heavy"
            slide.append(("img", new_part(ctype, ext, data)))
        else:
            kind = forced if (forced and s == 0) else None
            if kind is None and not (th.kind == "group" and slides_n == 1 and rng.random() < 0.7):
                kind = rng.choices(_MEDIA_KINDS, _MEDIA_WEIGHTS)[0]
            if kind == "jpeg":
                slide.append(("img", new_part("image/jpeg", "jpg", media.make_jpeg(rng))))
            elif kind == "png":
                slide.append(("img", new_part("image/png", "png", media.make_png(rng))))
            elif kind == "gif":
                slide.append(("img", new_part("image/gif", "gif", media.make_animated_gif(rng))))
            elif kind == "audio":
                slide.append(("audio", new_part("audio/wav", "wav", media.make_wav(rng))))
            elif kind in ("vcard", "vcard21", "vcard30"):
                person = rng.choice(people)
                version = {"vcard21": "2.1", "vcard30": "3.0"}.get(kind) or (
                    "2.1" if rng.random() < 0.3 else "3.0")  # fmt: skip
                tel = "+" + person.e164
                data = media.make_vcard(rng, person.name, tel, version)
                ctype = "text/x-vcard" if rng.random() < 0.8 else "text/vcard"
                slide.append(("ref", new_part(ctype, "vcf", data, name=f"{person.name}.vcf")))
                contact_names.append(person.name)
        if kind is None or rng.random() < (0.55 if heavy_pool is None else 0.8):
            if not texts and heavy_pool is None:
                text = p.text
            else:
                text = names.chat_text(rng)
            if heavy_pool is not None:
                text = f"{text} [{p.uuid[:8]}]"
            data = text.encode("utf-8")
            enc = "8bit" if ("\n" not in text and rng.random() < 0.5) else "base64"
            slide.append(("text", new_part("text/plain", "txt", data, charset="utf-8",
                                           transfer_encoding=enc)))  # fmt: skip
            texts.append(text)
        slides.append(slide)

    # SMIL: regions Image/Text, one <par> per slide, refs by cid: (or by name).
    lines = [
        "<smil>",
        "<head>",
        "<layout>",
        '<root-layout width="320" height="480"/>',
        '<region id="Image" top="0" left="0" height="67%" width="100%" fit="meet"/>',
        '<region id="Text" top="67%" left="0" height="33%" width="100%" fit="scroll"/>',
        "</layout>",
        "</head>",
        "<body>",
    ]
    for slide in slides:
        lines.append(f'<par dur="{rng.choice((3000, 5000, 8000))}ms">')
        for tag, part in slide:
            src = part.content_location if by_name else f"cid:{part.content_id}"
            region = {"img": ' region="Image"', "text": ' region="Text"'}.get(tag, "")
            lines.append(f'<{tag} src="{src}"{region}/>')
        lines.append("</par>")
    lines += ["</body>", "</smil>"]
    smil_data = "\r\n".join(lines).encode("utf-8")
    smil_name = rng.choice(("mms.smil", "smil.xml", "presentation.smil"))
    smil = Mm7Part("application/smil", smil_data, content_id="smil", name=smil_name,
                   content_location=smil_name, charset="utf-8",
                   transfer_encoding="base64" if rng.random() < 0.1 else "8bit")  # fmt: skip

    stamp = p.when - timedelta(seconds=rng.randint(0, 20))
    message, ctype = build_mm7(
        direction=p.direction,
        sender=sender,
        to=to,
        cc=cc,
        bcc=bcc,
        subject=subject,
        timestamp=stamp,
        smil=smil,
        parts=parts,
        token=token,
        transaction_id=f"{rng.getrandbits(48):012X}",
        nested=rng.random() < 0.85,
    )
    attachments = [
        DemoAttachment(pt.content_type, pt.name or "", pt.content_id, _sha(pt.data), len(pt.data))
        for pt in [smil, *parts]
    ]
    demo = DemoMms(subject, sender, to, cc, bcc, "\n".join(texts), attachments, len(slides),
                   contact_names)  # fmt: skip
    return message, ctype, other_number, demo


# --------------------------------------------------------------------------- demo corpus


_FORCED_MEDIA = ("gif", "audio", "vcard30", "vcard21", "png", "jpeg")
_APPLEDOUBLE = (
    b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\x09\x00\x00\x00\x32"
    b"\x00\x00\x00\x20\x00\x00\x00\x02\x00\x00\x00\x52\x00\x00\x00\x00" + b"\x00" * 32
)
_DS_STORE = b"\x00\x00\x00\x01Bud1" + b"\x00" * 8 + b"\x10\x00\x00\x00\x08\x00" + b"\x00" * 40


def _sms_event(p: _Planned, rng: random.Random) -> dict[str, object]:
    th = p.thread
    if th.kind in ("alpha", "shortcode"):
        other = th.service
    else:
        other = format_number(th.members[0].e164, rng)
    return {
        "direction": p.direction,
        "startTime": _start_time(p.when, p.ms),
        "subscriberParty": th.sub.party(),
        "otherParty": {"number": other},
        "message": p.text,
        "messageType": "sms",
        "messageContentType": SMS_CONTENT_TYPE,
    }


def generate_demo(
    outdir: Path,
    messages: int = 3000,
    seed: int = 1,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Write a realistic, deterministic demo corpus to ``outdir``.

    ``messages`` valid SMS/MMS events are written (about 12 % MMS), plus, when there are
    enough SMS to host them, the odd files: 4 "malformed", 2 "retry", 2 "junk". A few of
    the valid SMS files carry harmless quirks (UTF-8 BOM, no ``.json`` extension,
    ``-0800``/``Z``/no-millisecond timestamps). ``progress(done, total)`` is called after
    each file is written.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"msgcopy-demo:{seed}")
    subs = _make_people(rng)
    threads, cum = _make_threads(rng, subs)
    people = [c for s in subs for c in s.contacts]
    planned = _plan(rng, threads, cum, messages)
    extra = _plan(rng, [t for t in threads if t.kind == "person"], _person_cum(threads), 3)
    for p in extra:
        p.mms = False
    for p in (*planned, *extra):
        p.uuid = _uuid(rng)
        sub_folder = p.when.month == 9 and rng.random() < 0.15
        p.relpath = f"2024-09/{p.uuid}.json" if sub_folder else f"{p.uuid}.json"

    sms_idx = [i for i, p in enumerate(planned) if not p.mms]
    quirks: dict[int, str] = {}
    with_specials = len(sms_idx) >= 7
    if with_specials:
        picks = rng.sample(sms_idx, 7)
        for i, q in zip(picks, ("bom", "noext", "minus8", "zulu", "nomillis", "dup", "reformat"),
                        strict=True):  # fmt: skip
            quirks[i] = q

    total = messages + (8 if with_specials else 0)
    files: list[DemoFile] = []
    conversations: set[tuple[str, frozenset[str]]] = set()
    contents: dict[str, bytes] = {}
    events: dict[str, dict[str, object]] = {}
    forced = list(_FORCED_MEDIA)

    def emit(relpath: str, data: bytes, kind: str, mms: DemoMms | None = None) -> None:
        path = outdir / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files.append(DemoFile(relpath, kind, mms))
        if progress is not None:
            progress(len(files), total)

    for i, p in enumerate(planned):
        conversations.add(p.thread.key())
        mrng = random.Random(p.seed)
        if p.mms:
            message, ctype, other, demo = _build_mms(mrng, p, forced.pop(0) if forced else None,
                                                     people)  # fmt: skip
            event: dict[str, object] = {
                "direction": p.direction,
                "startTime": _start_time(p.when, p.ms),
                "subscriberParty": p.thread.sub.party(),
                "otherParty": {"number": other},
                "message": message,
                "messageType": "mms",
                "messageContentType": ctype,
            }
            emit(p.relpath, event_file_bytes(event), "mms", demo)
            continue
        event = _sms_event(p, mrng)
        quirk = quirks.get(i)
        relpath = p.relpath
        if quirk == "minus8":
            local = p.when - timedelta(hours=8)
            event["startTime"] = local.strftime("%Y-%m-%dT%H:%M:%S") + f".{p.ms:03d}-0800"
        elif quirk == "zulu":
            event["startTime"] = p.when.strftime("%Y-%m-%dT%H:%M:%S") + f".{p.ms:03d}Z"
        elif quirk == "nomillis":
            event["startTime"] = p.when.strftime("%Y-%m-%dT%H:%M:%S") + "+0000"
        elif quirk == "noext":
            relpath = relpath.removesuffix(".json")
        data = event_file_bytes(event)
        if quirk == "bom":
            data = b"\xef\xbb\xbf" + data
        emit(relpath, data, "sms")
        if quirk:
            contents[quirk] = data
            events[quirk] = event

    if with_specials:
        emit(f"{_uuid(rng)}.json", contents["dup"], "retry")
        reformatted = json.dumps({"smsEvent": [events["reformat"]]}, indent=2, ensure_ascii=True)
        emit(f"{_uuid(rng)}.json", reformatted.encode("ascii"), "retry")
        trunc_src = event_file_bytes(_sms_event(extra[0], random.Random(extra[0].seed)))
        emit(extra[0].relpath, trunc_src[: len(trunc_src) * 3 // 5], "malformed")
        missing = _sms_event(extra[1], random.Random(extra[1].seed))
        del missing["direction"]
        emit(extra[1].relpath, event_file_bytes(missing), "malformed")
        bad_time = _sms_event(extra[2], random.Random(extra[2].seed))
        bad_time["startTime"] = extra[2].when.strftime("%d/%m/%Y %H:%M:%S")
        emit(extra[2].relpath, event_file_bytes(bad_time), "malformed")
        receipt = {"status": "delivered", "id": _uuid(rng), "count": 50, "retry": False}
        emit(f"{_uuid(rng)}.json", json.dumps(receipt, indent=2).encode("ascii"), "malformed")
        emit(".DS_Store", _DS_STORE, "junk")
        emit(f"__MACOSX/._{planned[0].relpath.rsplit('/', 1)[-1]}", _APPLEDOUBLE, "junk")

    return DemoSummary(outdir, files, messages, len(subs), len(conversations))


def _person_cum(threads: Sequence[_Thread]) -> list[float]:
    return list(accumulate(1.0 for t in threads if t.kind == "person"))


# --------------------------------------------------------------------------- benchmarks


def generate_sms_corpus(outdir: Path, files: int, seed: int = 1) -> int:
    """Write ``files`` SMS-only vendor files (~500-700 bytes each) fast; return bytes written.

    Everything per file is precomputed (party JSON, escaped text pool); the loop only
    formats a string and writes it.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"msgcopy-sms-corpus:{seed}")
    subs = _make_people(rng)
    empty = event_file_bytes({
        "direction": "mo", "startTime": _start_time(_EPOCH, 0),
        "subscriberParty": subs[0].party(), "otherParty": {"number": "12145555273"},
        "message": "", "messageType": "sms", "messageContentType": SMS_CONTENT_TYPE,
    })  # fmt: skip
    texts: list[str] = []
    while len(texts) < 600:
        budget = rng.randint(560, 680) - len(empty)
        text = names.chat_text(rng)
        while len(text.encode("utf-8")) < budget - 20:
            text += " " + names.chat_text(rng)
        while len(json.dumps(text, ensure_ascii=False).encode("utf-8")) > budget:
            cut = text.rfind(" ", 0, len(text) - 1)
            text = text[:cut] if cut > 40 else text[:-5]
        texts.append(json.dumps(text, ensure_ascii=False))
    subs_json = [
        json.dumps(s.party(), indent=3, separators=(",", " : ")).replace("\n", "\n      ")
        for s in subs
    ]
    numbers = [[json.dumps(format_number(c.e164, rng)) for _ in range(3)]
               for s in subs for c in s.contacts]  # fmt: skip
    per_sub = [len(s.contacts) for s in subs]
    offsets = list(accumulate([0, *per_sub]))
    base = outdir.as_posix().rstrip("/") + "/"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    rand = rng.random
    nsubs = len(subs)
    ntexts = len(texts)
    epoch = int(_EPOCH.timestamp())
    t = 0
    last_day = -1
    date_str = ""
    written = 0
    for _ in range(files):
        t += 1 + int(rand() * 400)
        day, rem = divmod(t, 86400)
        if day != last_day:
            last_day = day
            date_str = datetime.fromtimestamp(epoch + day * 86400, UTC).strftime("%Y-%m-%dT")
        hh, rem = divmod(rem, 3600)
        mm, ss = divmod(rem, 60)
        si = int(rand() * nsubs)
        number = numbers[offsets[si] + int(rand() * per_sub[si])][int(rand() * 3)]
        doc = (
            '{\n   "smsEvent" : [ {\n'
            f'      "direction" : "{"mo" if rand() < 0.5 else "mt"}",\n'
            f'      "startTime" : "{date_str}{hh:02d}:{mm:02d}:{ss:02d}.'
            f'{int(rand() * 1000):03d}+0000",\n'
            f'      "subscriberParty" : {subs_json[si]},\n'
            f'      "otherParty" : {{\n         "number" : {number}\n      }},\n'
            f'      "message" : {texts[int(rand() * ntexts)]},\n'
            '      "messageType" : "sms",\n'
            f'      "messageContentType" : "{SMS_CONTENT_TYPE}"\n'
            "   } ]\n}"
        ).encode()
        h = f"{rng.getrandbits(128):032x}"
        name = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
        fd = os.open(f"{base}{name}.json", flags, 0o644)
        try:
            os.write(fd, doc)
        finally:
            os.close(fd)
        written += len(doc)
    return written


def generate_mms_heavy(outdir: Path, messages: int, seed: int = 1) -> int:
    """Write ``messages`` MMS files with 1-3 images of 50-500 KB each; return bytes written.

    A pool of 20 noisy JPEG/PNG images (poorly compressible) is generated once and reused;
    every event still differs (time, parties, text, transaction ID, boundaries).
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"msgcopy-mms-heavy:{seed}")
    subs = _make_people(rng)
    threads, _cum = _make_threads(rng, subs)
    people = [c for s in subs for c in s.contacts]
    pool: list[tuple[bytes, str, str]] = []
    for _ in range(20):
        target = rng.randint(70_000, 420_000)
        img = media.make_noise_image(rng, target)
        while not 50_000 <= len(img[0]) <= 500_000:
            img = media.make_noise_image(rng, target)
        pool.append(img)
    person_threads = [t for t in threads if t.kind in ("person", "group")]
    planned = _plan(rng, person_threads, _flat_cum(person_threads), messages)
    written = 0
    for p in planned:
        p.uuid = _uuid(rng)
        p.mms = True
        message, ctype, other, _demo = _build_mms(random.Random(p.seed), p, None, people, pool)
        data = event_file_bytes({
            "direction": p.direction, "startTime": _start_time(p.when, p.ms),
            "subscriberParty": p.thread.sub.party(), "otherParty": {"number": other},
            "message": message, "messageType": "mms", "messageContentType": ctype,
        })  # fmt: skip
        (outdir / f"{p.uuid}.json").write_bytes(data)
        written += len(data)
    return written


def _flat_cum(threads: Sequence[_Thread]) -> list[float]:
    return list(accumulate(3.0 if t.kind == "group" else 1.0 for t in threads))
