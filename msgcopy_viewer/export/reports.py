"""Every export format for one selection, and the evidence bundle (Qt-free).

``run_export`` is what the command line and the app's export dialog call. The PDF is
drawn by Qt, which only ``ui/`` may import: callers pass its writer in (``pdf_writer``,
``ui.report_pdf.write_pdf_report``).

The bundle (``--format bundle -o DIR``) holds ``messages.jsonl``, ``messages.csv``,
``messages.xlsx``, ``html/`` (the transcript, linking to ``media/``), ``transcript.pdf``,
``media/`` (every MMS part with its own manifests), ``case-report.json`` (with the case's
audit log: who changed which tag, note, bookmark or name, when, before → after) and
``manifest.sha256`` over every other file. It is built in a temporary folder beside
``DIR`` and renamed into place at the end.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from msgcopy_viewer import __version__
from msgcopy_viewer.export.atomic import atomic_text_writer
from msgcopy_viewer.export.csv_export import write_csv_messages
from msgcopy_viewer.export.html_report import PAGE_SIZE, HtmlWriter, write_html_report
from msgcopy_viewer.export.jsonl import write_jsonl_messages
from msgcopy_viewer.export.media import MediaFiles
from msgcopy_viewer.export.outdir import ExportError, Progress, building_dir, building_file
from msgcopy_viewer.export.redact import (
    NO_REDACTION,
    Redactor,
    TagNames,
    redacted_selection,
    text_length,
)
from msgcopy_viewer.export.selection import ResolvedSelection, Selection, format_utc, resolve
from msgcopy_viewer.export.tagged_report import TaggedHtmlWriter, tag_groups
from msgcopy_viewer.export.xlsx_export import write_xlsx
from msgcopy_viewer.store import ledger
from msgcopy_viewer.store.annotations import (
    CONV_TAG_ADD,
    CONV_TAG_REMOVE,
    NAME_SET,
    NOTE_SET,
    TAG_ADD,
    TAG_REMOVE,
    TAG_UPDATE,
    AuditEntry,
    audit_log,
)
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import Message, read_snapshot

REPORT_FORMAT_VERSION = 1
BUNDLE_FILES = {
    "jsonl": "messages.jsonl",
    "csv": "messages.csv",
    "xlsx": "messages.xlsx",
    "pdf": "transcript.pdf",
    "html": "html",
    "media": "media",
    "report": "case-report.json",
    "manifest": "manifest.sha256",
}
STAGES = ("jsonl", "csv", "xlsx", "html", "pdf")


class PdfWriter(Protocol):
    def __call__(
        self,
        case: Case,
        selection: ResolvedSelection,
        path: Path,
        *,
        redactor: Redactor = ...,
        generated: datetime | None = ...,
        progress: Progress | None = ...,
        tagged: bool = ...,
    ) -> Any: ...


def _writer(
    fmt: str, case: Case, redactor: Redactor
) -> Callable[[Iterable[Message], IO[str]], int]:
    """The JSONL or CSV writer; both carry the examiner's annotations and names unless the
    export is redacted (a note is free text, and names are keyed by full numbers)."""
    conn = None if redactor.active else case.conn
    if fmt == "csv":
        return functools.partial(write_csv_messages, conn=conn)
    return functools.partial(write_jsonl_messages, conn=conn)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def work_for(conn: sqlite3.Connection, sel: ResolvedSelection, fmt: str) -> int:
    """The progress total of exporting ``sel`` as ``fmt``: the tagged-items report goes
    through each tag's messages (a message with two tags twice)."""
    if fmt in ("tagged-html", "tagged-pdf"):
        return sum(g.count for g in tag_groups(conn, sel))
    return units_of_work(fmt, sel.count(conn))


def units_of_work(fmt: str, messages: int) -> int:
    """The progress total for ``fmt``: the bundle goes through the messages once a stage."""
    return messages * (len(STAGES) if fmt == "bundle" else 1)


def _stage(progress: Progress | None, offset: int) -> Progress | None:
    if progress is None:
        return None

    def report(n: int) -> None:
        progress(offset + n)

    return report


def run_export(
    case: Case,
    selection: Selection,
    fmt: str,
    out: Path | None,
    *,
    redactor: Redactor = NO_REDACTION,
    examiner: str | None = None,
    page_size: int | None = None,
    pdf_writer: PdfWriter | None = None,
    stdout: IO[str] | None = None,
    progress: Progress | None = None,
    on_resolved: Callable[[ResolvedSelection], None] | None = None,
) -> str:
    """Export ``selection`` as ``fmt`` to ``out``; return a one-line summary. Everything is
    read from one snapshot of the case."""
    with read_snapshot(case.conn):
        return _run_export(
            case,
            selection,
            fmt,
            out,
            redactor=redactor,
            examiner=examiner,
            page_size=page_size,
            pdf_writer=pdf_writer,
            stdout=stdout,
            progress=progress,
            on_resolved=on_resolved,
        )


def _run_export(
    case: Case,
    selection: Selection,
    fmt: str,
    out: Path | None,
    *,
    redactor: Redactor,
    examiner: str | None,
    page_size: int | None,
    pdf_writer: PdfWriter | None,
    stdout: IO[str] | None,
    progress: Progress | None,
    on_resolved: Callable[[ResolvedSelection], None] | None,
) -> str:
    sel = resolve(case.conn, selection)
    if on_resolved is not None:
        on_resolved(sel)
    generated = datetime.now(UTC)
    if fmt in ("jsonl", "csv"):
        write = _writer(fmt, case, redactor)
        messages = (redactor.message(m) for m in sel.messages(case.conn))
        if out is None:
            if stdout is None:
                raise ExportError(f"--format {fmt} needs an output file")
            if hasattr(stdout, "reconfigure"):
                stdout.reconfigure(encoding="utf-8", newline="")
            n = write(messages, stdout)
            stdout.flush()
            return f"wrote {n} messages"
        if out.is_dir():
            raise ExportError(f"{out} is a folder; give a file name")
        if not out.parent.is_dir():
            raise ExportError(f"cannot write {out}: the folder {out.parent} does not exist")
        with atomic_text_writer(out, newline="") as fh:
            n = write(_counting(messages, progress), fh)
        return f"wrote {n} messages to {out}"
    if out is None:
        raise ExportError(f"--format {fmt} needs an output")
    if fmt == "xlsx":
        with building_file(out) as tmp:
            n = write_xlsx(case, sel, tmp, redactor=redactor, progress=progress)
        return f"wrote {n} messages to {out}"
    if fmt in ("html", "tagged-html"):
        tagged = fmt == "tagged-html"
        html = write_html_report(
            case,
            sel,
            out,
            redactor=redactor,
            page_size=page_size or PAGE_SIZE,
            progress=progress,
            generated=generated,
            writer_class=TaggedHtmlWriter if tagged else None,
        )
        if tagged:  # its "conversations" are the tag groups
            groups = html.conversations
            return (
                f"wrote {html.messages} tagged items under {groups} "
                f"tag{'s' if groups != 1 else ''} to {html.outdir} (open index.html)"
            )
        return (
            f"wrote {html.messages} messages in {html.conversations} conversations on "
            f"{html.pages} pages to {html.outdir} (open index.html)"
        )
    if fmt in ("pdf", "tagged-pdf"):
        if pdf_writer is None:
            raise ExportError("PDF output needs the Qt drawing module")
        with building_file(out) as tmp:
            pdf = pdf_writer(
                case,
                sel,
                tmp,
                redactor=redactor,
                generated=generated,
                progress=progress,
                tagged=fmt == "tagged-pdf",
            )
        what = "tagged items" if fmt == "tagged-pdf" else "messages"
        return f"wrote {pdf.messages} {what} on {pdf.pages} pages to {out}"
    if fmt == "bundle":
        if pdf_writer is None:
            raise ExportError("the bundle's PDF needs the Qt drawing module")
        return write_bundle(
            case,
            sel,
            out,
            redactor=redactor,
            examiner=examiner,
            page_size=page_size or PAGE_SIZE,
            pdf_writer=pdf_writer,
            progress=progress,
            generated=generated,
        )
    raise ExportError(f"unknown format {fmt!r}")


def _counting(messages: Any, progress: Progress | None) -> Any:
    for n, m in enumerate(messages, start=1):
        yield m
        if progress is not None and n % 500 == 0:
            progress(n)


def write_bundle(
    case: Case,
    sel: ResolvedSelection,
    outdir: Path,
    *,
    redactor: Redactor,
    examiner: str | None,
    page_size: int,
    pdf_writer: PdfWriter,
    progress: Progress | None,
    generated: datetime,
) -> str:
    count = sel.count(case.conn)
    with building_dir(outdir) as work:
        outputs: dict[str, Any] = {}
        for i, fmt in enumerate(("jsonl", "csv")):
            write = _writer(fmt, case, redactor)
            with open(work / BUNDLE_FILES[fmt], "w", encoding="utf-8", newline="") as fh:
                msgs = (redactor.message(m) for m in sel.messages(case.conn))
                outputs[fmt] = write(_counting(msgs, _stage(progress, i * count)), fh)
        outputs["xlsx"] = write_xlsx(
            case,
            sel,
            work / BUNDLE_FILES["xlsx"],
            redactor=redactor,
            progress=_stage(progress, 2 * count),
        )
        (work / "html").mkdir()
        media = MediaFiles(case, work, "media", redactor)
        html = HtmlWriter(
            case,
            sel,
            work / "html",
            media,
            media_prefix="../",
            redactor=redactor,
            page_size=page_size,
            generated=generated,
        ).write(_stage(progress, 3 * count))
        outputs["html"] = {"pages": html.pages, "conversations": html.conversations}
        media.write_manifests()
        outputs["media"] = {"files": media.files, "bytes": media.bytes, "withheld": media.withheld}
        pdf = pdf_writer(
            case,
            sel,
            work / BUNDLE_FILES["pdf"],
            redactor=redactor,
            generated=generated,
            progress=_stage(progress, 4 * count),
        )
        outputs["pdf"] = {"pages": pdf.pages}
        report = case_report(
            case,
            sel,
            redactor=redactor,
            examiner=examiner,
            generated=generated,
            messages=count,
            conversations=html.conversations,
            outputs=outputs,
        )
        with open(work / BUNDLE_FILES["report"], "w", encoding="utf-8", newline="\n") as fh:
            write_case_report(report, fh)
        write_manifest(work)
    return (
        f"wrote a bundle of {count} messages ({html.pages} HTML pages, {pdf.pages} PDF pages, "
        f"{media.files} media files) to {Path(outdir).absolute()}; "
        f"check it with: msgcopy-viewer verify --bundle {Path(outdir).absolute()}"
    )


def bundle_files(root: Path) -> list[str]:
    """Every file under ``root`` but the manifest, as sorted ``/`` paths."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            rel = (Path(dirpath) / name).relative_to(root).as_posix()
            if rel != BUNDLE_FILES["manifest"]:
                out.append(rel)
    return sorted(out)


def write_manifest(root: Path) -> int:
    files = bundle_files(root)
    with open(root / BUNDLE_FILES["manifest"], "w", encoding="utf-8", newline="\n") as fh:
        for rel in files:
            fh.write(f"{sha256_file(root / rel)}  {rel}\n")
    return len(files)


def case_report(
    case: Case,
    sel: ResolvedSelection,
    *,
    redactor: Redactor,
    examiner: str | None,
    generated: datetime,
    messages: int,
    conversations: int,
    outputs: dict[str, Any],
) -> dict[str, Any]:
    """``case-report.json``: what was exported, from what, by whom, and how."""
    path = redactor.path
    batches: list[dict[str, Any]] = []
    for b in sorted(ledger.batches(case.conn), key=lambda b: b.id):
        counts = ledger.outcome_counts(case.conn, b.id)
        rejected = [
            {"path": path(f.path), "reason": path(f.reason or ""), "sha256": f.sha256}
            for f in ledger.rows(case.conn, b.id, outcome="rejected")
        ]
        skipped = [
            {"path": path(f.path), "reason": path(f.reason or "")}
            for f in ledger.rows(case.conn, b.id, outcome="skipped")
        ]
        batches.append(
            {
                "id": b.id,
                "started": format_utc(b.started_ms),
                "finished": None if b.finished_ms is None else format_utc(b.finished_ms),
                "status": b.status,
                "origin": b.origin,
                "sources": [path(r) for r in b.roots],
                "ledger": {
                    "files_seen": b.files_seen,
                    **{f"files_{k}": v for k, v in counts.items()},
                    "new_messages": ledger.new_message_count(case.conn, b.id),
                },
                "reason": None if b.reason is None else path(b.reason),
                "rejected_files": rejected,
                "skipped_files": skipped,
            }
        )
    shown = redacted_selection(sel.selection, redactor, TagNames.of(case.conn, redactor))
    return {
        "report_format_version": REPORT_FORMAT_VERSION,
        "tool": {"name": "msgcopy-viewer", "version": __version__},
        "generated": format_utc(int(generated.timestamp() * 1000)),
        "examiner": examiner,
        "case": {
            "file": path(case.path.name),
            "sha256": sha256_file(case.path),
            "schema_version": case.schema_version(),
            "counts": case.counts(),
        },
        "time_zone": shown.tz,
        "selection": shown.to_json(),
        "messages": messages,
        "conversations": conversations,
        "redaction": redactor.describe(),
        "outputs": {"files": {k: v for k, v in BUNDLE_FILES.items()}, "written": outputs},
        "import_batches": batches,
        "audit_log": AuditLog(case, redactor),
    }


AUDIT_PAGE = 5000
# audit actions whose values are free text or names for numbers (left out of redacted reports)
_PRIVATE_VALUES = (NOTE_SET, NAME_SET)
# audit actions whose values are a tag's name (a redacted report names tags by ``TagNames``)
_TAG_VALUES = (TAG_ADD, TAG_REMOVE, CONV_TAG_ADD, CONV_TAG_REMOVE)


def _redacted_entry(
    e: AuditEntry, redactor: Redactor, tags: TagNames
) -> tuple[str, str | None, str | None]:
    """An audit entry's target, before and after as a redacted report shows them: message
    and conversation ids kept (they identify, they do not reveal), a name's number masked,
    a tag by its label, a note's or a name's text by its length."""
    kind, _, key = e.target.partition(":")
    if kind == "name":
        target = f"name:{redactor.number(key)}"
    elif kind == "tag":
        target = f"tag:{tags(key)}"
    elif kind in ("message", "conversation"):
        target = e.target
    else:
        target = redactor.numbers_in(e.target)

    def value(v: str | None) -> str | None:
        if v is None:
            return None
        if e.action in _PRIVATE_VALUES:
            return text_length(v)
        if e.action in _TAG_VALUES:
            return tags(v)
        if e.action == TAG_UPDATE:  # "name #rrggbb"
            name, _, color = v.rpartition(" ")
            return f"{tags(name)} {color}"
        return redactor.numbers_in(v)

    return target, value(e.before), value(e.after)


class AuditLog:
    """The case report's ``audit_log``, read when it is written (``write_case_report``), a
    page at a time: a case's log may hold millions of entries."""

    def __init__(self, case: Case, redactor: Redactor) -> None:
        self.case, self.redactor = case, redactor

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter_audit_entries(self.case, self.redactor)


def write_case_report(report: dict[str, Any], fh: IO[str]) -> None:
    """``report`` as ``json.dump(report, fh, indent=2)`` writes it (and a line break), the
    ``AuditLog`` written an entry at a time."""
    fields = {k: v for k, v in report.items() if not isinstance(v, AuditLog)}
    logs = [k for k, v in report.items() if isinstance(v, AuditLog)]
    head = json.dumps(fields, ensure_ascii=False, indent=2)
    if not logs:
        fh.write(head + "\n")
        return
    fh.write(head[:-2] + ("," if fields else ""))
    for n, key in enumerate(logs):
        fh.write(("," if n else "") + f"\n  {json.dumps(key)}: ")
        first = True
        for entry in report[key]:
            text = json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n    ")
            fh.write(("[\n    " if first else ",\n    ") + text)
            first = False
        fh.write("[]" if first else "\n  ]")
    fh.write("\n}\n")


def audit_entries(case: Case, redactor: Redactor) -> list[dict[str, Any]]:
    """The case's audit log as a list (``iter_audit_entries``)."""
    return list(iter_audit_entries(case, redactor))


def iter_audit_entries(case: Case, redactor: Redactor) -> Iterator[dict[str, Any]]:
    """The case's audit log, oldest first: who, when, what, before → after. A redacted
    report keeps every entry but, as it leaves the examiner's words out, replaces a note's
    or a name's text by its length, a tag's name by its label (``TagNames``) and masks the
    numbers of names (``_redacted_entry``)."""
    tags = TagNames.of(case.conn, redactor)
    after: int | None = None
    while True:
        page = audit_log(case.conn, after=after, limit=AUDIT_PAGE)
        for e in page:
            before, now, target = e.before, e.after, e.target
            if redactor.active:
                target, before, now = _redacted_entry(e, redactor, tags)
            yield {
                "at": format_utc(e.at_ms),
                "examiner": e.examiner,
                "action": e.action,
                "target": target,
                "before": before,
                "after": now,
            }
        if len(page) < AUDIT_PAGE:
            return
        after = page[-1].id
