"""Fast builder of a large, realistic case for the GUI scale benchmark.

    python benchmarks/_casegen.py OUT.mcase [--messages N] [--conversations N]
        [--subscribers N] [--big N] [--mms 0.05] [--seed S] [--workers 2]

Going through the file importer would take many minutes for a million messages (it
scans, hashes and parses files). This builder skips the files, not the analysis: every
event is a real vendor event (``startTime``, ``subscriberParty``, ``otherParty``, an
MM7 multipart for MMS) and goes through the importer's own ``parse_event`` and
``build_record``, so ids, fingerprints, canonical JSON, parties, conversation ids,
MMS JSON, parts and snippets are exactly what an import would store. What it does
itself is the writing: bulk ``executemany`` into the real schema (``Case.open``
creates it), a ledger row per (virtual) file with the SHA-256 of the bytes the vendor
would have written, one ``INSERT … SELECT`` into ``message_fts`` at the end, and the
conversation and subscriber aggregates computed the way ``BatchWriter`` computes them.

Shape: ``--subscribers`` Extend SIMs, ``--conversations`` 1:1 conversations among them
(a few with short codes), one conversation of ``--big`` messages, the rest of the
messages spread over the others with a long-tailed distribution; times over one year.
Files come in four import batches, one per quarter, imported out of order (Q3, Q1, Q4,
Q2) and in path order (subscriber, time) inside a batch, so rowids are not in time order
— as when a receiver's folders are imported at different times.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import multiprocessing as mp
import random
import sqlite3
import sys
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

YEAR_START_MS = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
YEAR_MS = 366 * 86_400_000
QUARTERS = 4
BATCH_ORDER = (2, 0, 3, 1)  # quarters in import order
SMS_CONTENT_TYPE = "text/plain; charset=UTF-8"
CHUNK = 4000  # events per worker task
TX_MESSAGES = 100_000  # messages per write transaction

# -- vocabulary -------------------------------------------------------------------------------

COMMON = [
    "ok",
    "yes",
    "no",
    "the",
    "a",
    "to",
    "you",
    "i",
    "and",
    "is",
    "it",
    "for",
    "on",
    "that",
    "in",
    "me",
    "can",
    "at",
    "be",
    "we",
    "will",
    "my",
    "this",
    "what",
    "are",
    "have",
    "just",
    "so",
    "do",
    "not",
    "get",
    "when",
    "ill",
    "see",
    "thanks",
    "thank",
    "love",
    "lol",
    "haha",
    "sure",
    "now",
    "home",
    "time",
    "today",
    "tomorrow",
    "tonight",
    "later",
    "soon",
    "call",
    "text",
    "back",
    "running",
    "late",
    "meeting",
    "lunch",
    "dinner",
    "coffee",
    "office",
    "work",
    "car",
    "train",
    "bus",
    "airport",
    "hotel",
    "flight",
    "morning",
    "afternoon",
    "evening",
    "night",
    "week",
    "weekend",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "good",
    "great",
    "nice",
    "fine",
    "awesome",
    "sorry",
    "please",
    "need",
    "want",
    "going",
    "come",
    "coming",
    "left",
    "leaving",
    "here",
    "there",
    "where",
    "how",
    "why",
    "who",
    "which",
    "about",
    "picture",
    "photo",
    "pics",
    "video",
    "sent",
    "send",
    "got",
    "check",
    "sounds",
    "perfect",
    "cool",
    "yeah",
    "yep",
    "nope",
    "maybe",
    "probably",
    "definitely",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "mom",
    "dad",
    "kids",
    "school",
    "game",
    "party",
    "birthday",
    "happy",
    "congrats",
    "store",
    "grocery",
    "milk",
    "bread",
    "pizza",
    "order",
    "delivery",
    "package",
    "address",
    "parking",
    "traffic",
    "weather",
    "rain",
    "snow",
    "sunny",
    "hot",
    "cold",
    "doctor",
    "appointment",
    "dentist",
    "pharmacy",
    "bank",
    "payment",
    "invoice",
    "contract",
    "client",
    "project",
    "report",
    "deadline",
    "update",
    "status",
    "review",
    "draft",
    "approved",
    "signed",
    "budget",
    "quote",
    "schedule",
    "calendar",
    "conference",
    "room",
    "floor",
    "building",
    "gate",
    "terminal",
    "ticket",
    "reservation",
    "table",
    "booked",
    "confirmed",
    "cancelled",
    "moved",
    "rescheduled",
    "pickup",
    "dropoff",
    "keys",
    "door",
    "garage",
    "alarm",
    "code",
    "wifi",
    "password",
    "phone",
    "battery",
    "charger",
    "laptop",
    "email",
]
NAMES = [
    "Alex",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Parker",
    "Drew",
    "Cameron",
    "Skyler",
    "Reese",
    "Rowan",
    "Emerson",
    "Hayden",
    "Logan",
    "Dakota",
    "Sawyer",
    "Maria",
    "Carlos",
    "Priya",
    "Wei",
    "Ahmed",
    "Fatima",
    "Olga",
    "Sven",
    "Chiara",
    "Kenji",
]
PLACES = [
    "Dallas",
    "Austin",
    "Houston",
    "Plano",
    "Frisco",
    "Denver",
    "Chicago",
    "Boston",
    "Seattle",
    "Portland",
    "Miami",
    "Atlanta",
    "Phoenix",
    "London",
    "Leeds",
    "Bristol",
    "Manchester",
    "Toronto",
]
PHRASES = (
    "see you tomorrow",
    "on my way",
    "running late",
    "call me back",
    "happy birthday",
    "let me know",
    "sounds good",
    "what time",
    "be there soon",
    "thank you so much",
)
_SYL = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "te",
    "vi",
    "zo",
    "pa",
    "re",
    "di",
    "mo",
    "ku",
    "la",
    "ba",
    "ge",
    "fo",
    "hi",
    "ja",
    "ko",
    "lu",
    "ma",
    "no",
    "pe",
    "qui",
    "ro",
    "si",
    "tu",
    "va",
    "we",
    "xa",
    "yo",
    "ze",
    "bra",
    "cre",
    "dri",
    "fla",
    "gro",
    "pli",
    "sto",
    "tre",
]


def vocabulary(seed: int) -> tuple[list[str], list[float]]:
    """Words and cumulative Zipf weights: common chat words first, then names, places and
    ~20,000 invented words (the long tail of a real vocabulary)."""
    rng = random.Random(seed * 7919 + 1)
    rare: list[str] = []
    seen = set(COMMON) | {w.lower() for w in NAMES + PLACES}
    while len(rare) < 20_000:
        w = "".join(rng.choice(_SYL) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            rare.append(w)
    words = list(COMMON) + NAMES + PLACES + rare
    cum: list[float] = []
    total = 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 1.5) ** 1.07
        cum.append(total)
    return words, cum


def chat_text(rng: random.Random, words: Sequence[str], cum: Sequence[float]) -> str:
    r = rng.random()
    n = rng.choice((2, 3, 4, 5, 6, 7, 8, 9, 11, 14, 18, 24))
    toks = rng.choices(words, cum_weights=cum, k=n)
    if r < 0.12:
        toks.insert(rng.randint(0, len(toks)), rng.choice(PHRASES))
    elif r < 0.18:
        toks.append(f"at {rng.randint(1, 12)}:{rng.choice(('00', '15', '30', '45'))}")
    elif r < 0.22:
        toks.append(f"#{rng.randint(10000, 99999)}")
    elif r < 0.25:
        toks.append(f"${rng.randint(5, 900)}")
    elif r < 0.27:
        toks.append(f"{rng.randint(200, 989)}-555-{rng.randint(100, 199):04d}")
    text = " ".join(toks)
    text = text[0].upper() + text[1:]
    return text + rng.choice((".", "", "", "!", "?", " :)"))


# -- the plan ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Sub:
    mobile: str  # international digits, as the vendor sends subscriberParty.mobile
    domain: str
    did: str
    subr_id: str


@dataclass(slots=True)
class Conv:
    sub: int
    other_e164: str  # digits with country code, or a short code
    shortcode: bool


@dataclass(slots=True)
class Plan:
    seed: int
    subs: list[Sub]
    convs: list[Conv]
    mms_ratio: float
    images: list[tuple[str, str, bytes]]  # (content type, extension, bytes)


def _tiny_images(seed: int) -> list[tuple[str, str, bytes]]:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    out: list[tuple[str, str, bytes]] = []
    for n in range(4):
        w, h = (64, 48) if n % 2 == 0 else (48, 64)
        img = Image.new("RGB", (w, h), tuple(rng.randint(40, 220) for _ in range(3)))
        draw = ImageDraw.Draw(img)
        for _ in range(4):
            x, y = rng.randint(0, w - 10), rng.randint(0, h - 10)
            colour = tuple(rng.randint(0, 255) for _ in range(3))
            draw.ellipse((x, y, x + rng.randint(6, 24), y + rng.randint(6, 24)), fill=colour)
        buf = io.BytesIO()
        if n < 2:
            img.save(buf, "JPEG", quality=60)
            out.append(("image/jpeg", "jpg", buf.getvalue()))
        else:
            img.save(buf, "PNG", optimize=True)
            out.append(("image/png", "png", buf.getvalue()))
    return out


def make_plan(n_subs: int, n_convs: int, mms_ratio: float, seed: int) -> Plan:
    rng = random.Random(seed)
    domains = ["acme.example", "globex.example", "initech.example", "umbrella.example"]
    subs = []
    for i in range(n_subs):
        uk = i % 10 == 9
        mobile = f"4477009{i:05d}" if uk else f"1214555{1000 + i:04d}"
        subs.append(
            Sub(mobile, domains[i % len(domains)], f"{9000000 + i}", f"subr-{i:04d}-{seed}")
        )
    convs: list[Conv] = []
    used: set[tuple[int, str]] = set()
    for c in range(n_convs):
        sub = 0 if c == 0 else rng.randrange(n_subs)
        while True:
            if c and rng.random() < 0.02:
                other, short = str(rng.randint(20000, 99999)), True
            elif subs[sub].mobile.startswith("44"):
                other, short = f"447700{rng.randint(900000, 900999)}", False
            else:
                area = rng.choice((214, 469, 972, 817, 512, 713, 303, 312, 617, 206))
                other, short = f"1{area}555{rng.randint(100, 199):04d}", False
            if (sub, other) not in used:
                used.add((sub, other))
                break
        convs.append(Conv(sub, other, short))
    return Plan(seed, subs, convs, mms_ratio, _tiny_images(seed))


def conversation_sizes(n_convs: int, total: int, big: int, seed: int) -> list[int]:
    """Message counts per conversation: ``big`` for the first, a long tail for the others."""
    rng = random.Random(seed + 11)
    rest = total - big
    weights = [rng.lognormvariate(0.0, 1.3) for _ in range(n_convs - 1)]
    scale = (rest - (n_convs - 1)) / sum(weights)
    sizes = [1 + int(w * scale) for w in weights]
    short = rest - sum(sizes)
    i = 0
    while short > 0:  # hand out the rounding remainder
        sizes[i % len(sizes)] += 1
        short -= 1
        i += 1
    return [big, *sizes]


def conversation_times(sizes: Sequence[int], seed: int) -> list[array[int]]:
    """Sorted start times (ms) per conversation, each within its own active span."""
    rng = random.Random(seed + 23)
    out: list[array[int]] = []
    for n, size in enumerate(sizes):
        if n == 0:
            a, b = YEAR_START_MS, YEAR_START_MS + YEAR_MS - 1
        else:
            span = int(YEAR_MS * min(1.0, rng.uniform(0.02, 0.4) + size / 400))
            a = YEAR_START_MS + rng.randrange(max(1, YEAR_MS - span))
            b = a + span
        out.append(array("q", sorted(rng.randint(a, b) for _ in range(size))))
    return out


def quarter_of(ms: int) -> int:
    return min(QUARTERS - 1, (ms - YEAR_START_MS) * QUARTERS // YEAR_MS)


def message_specs(plan: Plan, times: Sequence[array[int]]) -> Iterator[tuple[int, list[Any]]]:
    """``(batch number, [spec…])`` in import order; a spec is
    ``(conv, start_ms, direction, is_mms, seed)``."""
    rng = random.Random(plan.seed + 31)
    by_sub: dict[int, list[int]] = {}
    for n, c in enumerate(plan.convs):
        by_sub.setdefault(c.sub, []).append(n)
    cursors = [0] * len(times)
    for batch, q in enumerate(BATCH_ORDER, start=1):
        q_end = YEAR_START_MS + (q + 1) * YEAR_MS // QUARTERS if q < QUARTERS - 1 else 1 << 62
        for sub in range(len(plan.subs)):
            rows: list[tuple[int, int]] = []
            for cn in by_sub.get(sub, []):
                t = times[cn]
                i = cursors[cn]
                while i < len(t) and quarter_of(t[i]) <= q:
                    rows.append((t[i], cn))
                    i += 1
                cursors[cn] = i
            rows.sort()
            specs = []
            for ms, cn in rows:
                assert ms < q_end
                conv = plan.convs[cn]
                direction = "mt" if conv.shortcode or rng.random() < 0.55 else "mo"
                mms = not conv.shortcode and rng.random() < plan.mms_ratio
                specs.append((cn, ms, direction, mms, rng.getrandbits(48)))
            for i in range(0, len(specs), CHUNK):
                yield batch, specs[i : i + CHUNK]


# -- workers: events through the importer's own analysis -----------------------------------------

_PLAN: Plan | None = None
_VOCAB: tuple[list[str], list[float]] | None = None


def _init_worker(plan: Plan) -> None:
    global _PLAN, _VOCAB
    _PLAN = plan
    _VOCAB = vocabulary(plan.seed)


def _start_raw(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S") + (
        f".{ms % 1000:03d}+0000"
    )


def _mms_message(rng: random.Random, plan: Plan, spec: Any, sub: Sub, other: str, text: str):
    from msgcopy_viewer.demo.mm7_writer import Mm7Part, build_mm7

    _cn, ms, direction, _mms, _seed = spec
    token = f"{rng.getrandbits(96):024x}"
    parts: list[Mm7Part] = []
    body = []
    for k in range(rng.choice((1, 1, 1, 2))):
        ctype, ext, data = rng.choice(plan.images)
        cid = f"image{k:06d}"
        parts.append(Mm7Part(ctype, data, cid, f"{cid}.{ext}", f"{cid}.{ext}"))
        body.append(f'<par dur="5000ms"><img src="cid:{cid}" region="Image"/>')
    if rng.random() < 0.7:
        parts.append(
            Mm7Part("text/plain", text.encode(), "text000001", "t.txt", "t.txt", "utf-8", "8bit")
        )
        body[-1] += '<text src="cid:text000001" region="Text"/>'
    smil = (
        '<smil><head><layout><root-layout width="320" height="480"/>'
        '<region id="Image" top="0" left="0" height="67%" width="100%" fit="meet"/>'
        '<region id="Text" top="67%" left="0" height="33%" width="100%" fit="scroll"/>'
        "</layout></head><body>" + "</par>".join(body) + "</par></body></smil>"
    ).encode()
    me, them = "+" + sub.mobile, "+" + other
    sender, to = (them, [me]) if direction == "mt" else (me, [them])
    return build_mm7(
        direction=direction,
        sender=sender,
        to=to,
        subject=rng.choice(("Photos", "Look!", "From today", "Re: plans"))
        if rng.random() < 0.2
        else None,
        timestamp=datetime.fromtimestamp(ms / 1000 - rng.randint(0, 20), UTC),
        smil=Mm7Part("application/smil", smil, "smil", "mms.smil", "mms.smil", "utf-8", "8bit"),
        parts=parts,
        token=token,
        transaction_id=f"{rng.getrandbits(48):012X}",
    )


def _build_chunk(specs: list[Any]) -> list[tuple[Any, ...]]:
    from msgcopy_viewer.core.events import parse_event
    from msgcopy_viewer.demo.generator import format_number
    from msgcopy_viewer.ingest.analyze import build_record

    assert _PLAN is not None and _VOCAB is not None
    plan, (words, cum) = _PLAN, _VOCAB
    out = []
    for spec in specs:
        cn, ms, direction, is_mms, seed = spec
        rng = random.Random(seed)
        conv = plan.convs[cn]
        sub = plan.subs[conv.sub]
        text = chat_text(rng, words, cum)
        other = conv.other_e164 if conv.shortcode else format_number(conv.other_e164, rng)
        event: dict[str, Any] = {
            "direction": direction,
            "startTime": _start_raw(ms),
            "subscriberParty": {
                "domain": sub.domain,
                "mobile": sub.mobile,
                "did": sub.did,
                "subrId": sub.subr_id,
            },
            "otherParty": {"number": other},
        }
        if is_mms:
            message, ctype = _mms_message(rng, plan, spec, sub, conv.other_e164, text)
            event.update(message=message, messageType="mms", messageContentType=ctype)
        else:
            event.update(message=text, messageType="sms", messageContentType=SMS_CONTENT_TYPE)
        parsed = parse_event(event, 0)
        rec = build_record(parsed)
        # The file as a receiver saves it (compact form of the vendor document).
        data = ('{"smsEvent":[' + parsed.raw_text + "]}").encode()
        parts = rec.parts
        out.append(
            (
                hashlib.sha256(data).hexdigest(),
                len(data),
                rec.id,
                rec.fingerprint,
                rec.conversation_id,
                rec.subscriber_key,
                rec.direction,
                rec.type,
                rec.start_ms,
                rec.start_raw,
                rec.other_party,
                rec.sender,
                rec.content_type,
                rec.text,
                rec.subject,
                rec.contact_names,
                int(rec.has_attachments),
                rec.warnings,
                rec.warning_count,
                rec.mms,
                rec.raw_event,
                json.dumps(rec.participants, ensure_ascii=False),
                json.dumps(rec.participant_keys, ensure_ascii=False),
                int(len(rec.participants) > 1),
                parts,
                rec.blobs,
                (rec.sub_mobile, rec.sub_domain, rec.sub_did, rec.sub_subr_id),
            )
        )
    return out


# -- writing ----------------------------------------------------------------------------------


def build_case(
    path: Path,
    *,
    messages: int = 1_000_000,
    conversations: int = 20_000,
    subscribers: int = 50,
    big: int = 100_000,
    mms_ratio: float = 0.05,
    seed: int = 7,
    workers: int = 2,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Create the case at ``path`` (which must not exist); returns facts the benchmark uses."""
    from msgcopy_viewer import __version__
    from msgcopy_viewer.ingest.analyze import snippet
    from msgcopy_viewer.store.case import Case
    from msgcopy_viewer.store.messages import part_insert_sql, part_row

    t0 = time.perf_counter()
    if path.exists():
        raise SystemExit(f"{path} exists")
    plan = make_plan(subscribers, conversations, mms_ratio, seed)
    sizes = conversation_sizes(conversations, messages, big, seed)
    times = conversation_times(sizes, seed)
    log(f"  plan ready ({time.perf_counter() - t0:.1f} s)")

    case = Case.open(path)
    conn = case.conn
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")  # the builder's own connection: 1 GB cache
    root = "/srv/msgcopy/inbox"
    conn.execute("BEGIN IMMEDIATE")
    for batch in range(1, QUARTERS + 1):
        conn.execute(
            "INSERT INTO import_batches(id, started_ms, finished_ms, status, roots, origin, "
            "program_version) VALUES (?, ?, ?, 'completed', ?, 'cli', ?)",
            (batch, YEAR_START_MS + YEAR_MS + batch * 3_600_000,
             YEAR_START_MS + YEAR_MS + batch * 3_600_000 + 600_000,
             json.dumps([root]), __version__),
        )  # fmt: skip
    sub_ids: dict[str, int] = {}
    sub_mobile: dict[int, str] = {}
    conv_seen: set[str] = set()
    media_seen: set[str] = set()
    conv_agg: dict[str, list[Any]] = {}  # id -> [count, mms, first, last, last_rowid, snippet]
    sub_agg: dict[int, list[int]] = {}
    batch_counts: dict[int, int] = {}
    rowid = 0
    pending = 0
    ctx = mp.get_context("fork")
    batches: list[int] = []

    def spec_chunks() -> Iterator[list[Any]]:
        for batch, chunk in message_specs(plan, times):
            batches.append(batch)
            yield chunk

    with ctx.Pool(workers, initializer=_init_worker, initargs=(plan,)) as pool:
        for chunk_no, rows in enumerate(pool.imap(_build_chunk, spec_chunks())):
            batch = batches[chunk_no]
            files, msgs, parts, occ, media, new_convs = [], [], [], [], [], []
            for r in rows:
                rowid += 1
                (fsha, fsize, mid, fp, cid, skey, direction, mtype, start_ms, start_raw,
                 other, sender, ctype, text, subject, cnames, has_att, warnings, nwarn,
                 mms_json, raw, participants, pkeys, is_group, rparts, blobs, esub) = r  # fmt: skip
                sid = sub_ids.get(skey)
                if sid is None:
                    sub = next(s for s in plan.subs if skey.lstrip("+") == s.mobile)
                    sid = sub_ids[skey] = len(sub_ids) + 1
                    sub_mobile[sid] = sub.mobile
                    conn.execute(
                        "INSERT INTO subscribers(id, key, mobile, domain, did, subr_id) "
                        "VALUES (?,?,?,?,?,?)",
                        (sid, skey, sub.mobile, sub.domain, sub.did, sub.subr_id),
                    )
                if cid not in conv_seen:
                    conv_seen.add(cid)
                    new_convs.append((cid, sid, participants, pkeys, is_group))
                files.append(
                    (rowid, batch, root,
                     f"{sub_mobile[sid]}/{start_raw[:10]}/{mid[:12]}.json", fsize,
                     start_ms + 1500, fsha, "imported", None, 1, 1)
                )  # fmt: skip
                msgs.append(
                    (rowid, mid, fp, cid, sid, direction, mtype, start_ms, start_raw, other,
                     sender, ctype, text, subject, cnames, has_att, warnings, nwarn, mms_json,
                     raw, rowid, 0, batch, *esub)
                )  # fmt: skip
                occ.append((rowid, rowid, 0))
                parts.extend(part_row(rowid, p) for p in rparts)
                for sha, data in blobs:
                    if sha not in media_seen:
                        media_seen.add(sha)
                        media.append((sha, len(data), data))
                a = conv_agg.get(cid)
                if a is None:
                    a = conv_agg[cid] = [0, 0, start_ms, start_ms, rowid, None]
                a[0] += 1
                a[1] += mtype == "mms"
                a[2] = min(a[2], start_ms)
                if start_ms >= a[3] or a[5] is None:
                    a[3], a[4] = start_ms, rowid
                    a[5] = snippet(text or (subject or "") or ("MMS" if mtype == "mms" else ""))
                s = sub_agg.get(sid)
                if s is None:
                    sub_agg[sid] = [1, start_ms, start_ms]
                else:
                    s[0] += 1
                    s[1] = min(s[1], start_ms)
                    s[2] = max(s[2], start_ms)
                batch_counts[batch] = batch_counts.get(batch, 0) + 1
            em = conn.executemany
            em(
                "INSERT INTO conversations(id, subscriber_id, participants, participant_keys, "
                "is_group) VALUES (?,?,?,?,?)",
                new_convs,
            )
            em(
                "INSERT INTO source_files(id, batch_id, root, path, size, mtime_ms, sha256, "
                "outcome, reason, events, new_messages) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                files,
            )
            em("INSERT INTO media(sha256, size, data) VALUES (?,?,?)", media)
            em(
                "INSERT INTO messages(rowid, id, fingerprint, conversation_id, subscriber_id, "
                "direction, type, start_ms, start_raw, other_party, sender, content_type, text, "
                "subject, contact_names, has_attachments, warnings, warning_count, mms, "
                "raw_event, source_file_id, source_index, batch_id, sub_mobile, sub_domain, "
                "sub_did, sub_subr_id) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                msgs,
            )
            em(
                part_insert_sql(),
                parts,
            )
            em(
                "INSERT INTO occurrences(message_rowid, source_file_id, source_index) "
                "VALUES (?,?,?)",
                occ,
            )
            pending += len(rows)
            if pending >= TX_MESSAGES:
                conn.execute("COMMIT")
                conn.execute("BEGIN IMMEDIATE")
                pending = 0
                log(f"  {rowid:,} messages written ({time.perf_counter() - t0:.0f} s)")
    log(f"  messages written ({time.perf_counter() - t0:.0f} s); indexing for search…")
    conn.execute(
        "INSERT INTO message_fts(rowid, text, subject, contact_names) "
        "SELECT rowid, text, coalesce(subject, ''), coalesce(contact_names, '') FROM messages"
    )
    conn.executemany(
        "UPDATE conversations SET message_count=?, mms_count=?, first_ms=?, last_ms=?, "
        "last_rowid=?, last_snippet=? WHERE id=?",
        [(*a, cid) for cid, a in conv_agg.items()],
    )
    conn.executemany(
        "UPDATE subscribers SET message_count=?, first_ms=?, last_ms=? WHERE id=?",
        [(*s, sid) for sid, s in sub_agg.items()],
    )
    conn.executemany(
        "UPDATE import_batches SET files_seen=?, files_imported=?, messages_imported=? WHERE id=?",
        [(n, n, n, b) for b, n in batch_counts.items()],
    )
    conn.execute("COMMIT")
    log(f"  search index and aggregates done ({time.perf_counter() - t0:.0f} s)")
    conn.execute("PRAGMA optimize")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # The big conversation is the one with the most messages (the first one *seen* is
    # whichever has the earliest message, which is usually another one).
    big_id = max(conv_agg, key=lambda c: conv_agg[c][0])
    facts = {
        "messages": rowid,
        "big_conversation": big_id,
        "big_size": conv_agg[big_id][0],
        "build_seconds": round(time.perf_counter() - t0, 1),
        "seed": seed,
    }
    conn.execute("INSERT INTO meta(key, value) VALUES ('bench_facts', ?)", (json.dumps(facts),))
    case.close()
    return facts


def check_invariants(path: Path) -> list[str]:
    """The invariants the import tests check; returns the failures (empty: all good)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    q = conn.execute
    bad: list[str] = []
    n = q("SELECT count(*) FROM messages").fetchone()[0]
    checks = {
        "sum(conversations.message_count)": q(
            "SELECT sum(message_count) FROM conversations"
        ).fetchone()[0],
        "sum(subscribers.message_count)": q(
            "SELECT sum(message_count) FROM subscribers"
        ).fetchone()[0],
        "message_fts rows": q("SELECT count(*) FROM message_fts_docsize").fetchone()[0],
        "occurrences": q("SELECT count(DISTINCT message_rowid) FROM occurrences").fetchone()[0],
        "sum(import_batches.messages_imported)": q(
            "SELECT sum(messages_imported) FROM import_batches"
        ).fetchone()[0],
    }
    for name, value in checks.items():
        if value != n:
            bad.append(f"{name} = {value}, messages = {n}")
    mms = q("SELECT count(*) FROM messages WHERE type = 'mms'").fetchone()[0]
    if q("SELECT sum(mms_count) FROM conversations").fetchone()[0] != mms:
        bad.append("sum(conversations.mms_count) != MMS messages")
    wrong_last = q(
        "SELECT count(*) FROM conversations c WHERE last_ms != "
        "(SELECT max(start_ms) FROM messages m WHERE m.conversation_id = c.id) "
        "OR first_ms != (SELECT min(start_ms) FROM messages m WHERE m.conversation_id = c.id)"
    ).fetchone()[0]
    if wrong_last:
        bad.append(f"{wrong_last} conversations with wrong first_ms/last_ms")
    missing = q(
        "SELECT count(*) FROM mms_parts p LEFT JOIN media m ON m.sha256 = p.sha256 "
        "WHERE m.sha256 IS NULL"
    ).fetchone()[0]
    if missing:
        bad.append(f"{missing} MMS parts without media")
    if q("PRAGMA integrity_check(1)").fetchone()[0] != "ok" and n < 50_000:
        bad.append("integrity_check failed")
    conn.close()
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--conversations", type=int, default=20_000)
    ap.add_argument("--subscribers", type=int, default=50)
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument("--mms", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args(argv)
    facts = build_case(
        a.out,
        messages=a.messages,
        conversations=a.conversations,
        subscribers=a.subscribers,
        big=a.big,
        mms_ratio=a.mms,
        seed=a.seed,
        workers=a.workers,
    )
    bad = check_invariants(a.out)
    print(json.dumps(facts))
    for b in bad:
        print("INVARIANT FAILED:", b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())
