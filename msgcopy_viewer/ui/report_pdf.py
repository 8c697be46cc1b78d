"""PDF transcript (``export --format pdf -o FILE``), drawn with Qt's PDF writer offscreen.

It lives in ``ui/`` because it is Qt code; it needs no display (the offscreen platform
is enough) and the command line uses it through ``ensure_gui_application``. Qt lays out
every script the messages use with the system's fonts (Noto, CJK, Arabic, colour emoji
through fontconfig fallback) and embeds the subsets it used.

Each message is laid out on its own small ``QTextDocument`` (the same ``MessageView`` the
HTML transcript renders), placed on the page and dropped, so memory stays flat whatever
the selection holds. Pages carry a header (case, selection, zone, conversation) and a
footer (page x of y, generation time, tool version). "of y" needs the page count before
the first page is drawn, so the layout runs twice: once to count pages, once to draw.
A message taller than a page continues on the next ones.

With ``tagged`` the same machinery draws the tagged-items report
(``export.tagged_report``): a group a tag, each message with its conversation's parties.
"""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QFile, QFileDevice, QIODevice, QMarginsF, QRectF, QSize, QUrl
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from msgcopy_viewer import __version__
from msgcopy_viewer.export.html_report import conversation_title, esc
from msgcopy_viewer.export.marks import ReportMarks
from msgcopy_viewer.export.media import MediaFiles
from msgcopy_viewer.export.message_view import Item, MessageView, build_view
from msgcopy_viewer.export.outdir import Progress
from msgcopy_viewer.export.redact import NO_REDACTION, Redactor, TagNames, redacted_selection
from msgcopy_viewer.export.selection import (
    ResolvedSelection,
    format_in_zone,
    format_utc,
    zone_name,
)
from msgcopy_viewer.export.tagged_report import TagGroup, parties_of, tag_groups
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import ConversationSpan, Message, Part
from msgcopy_viewer.ui.image_decoder import decode

DPI = 96
MARGIN_MM = 12
HEADER_H = 34.0
FOOTER_H = 22.0
GAP = 6.0
IMAGE_MAX = (320, 260)  # largest image box, in points at DPI


def _ink(background: str) -> str:
    """Black or white text, whichever reads on a tag's ``#rrggbb`` colour."""
    try:
        r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        return "#000000"
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def ensure_gui_application() -> QGuiApplication:
    """A Qt application for drawing: the existing one, or an offscreen one (no display)."""
    app = QGuiApplication.instance()
    if app is not None:
        return app  # type: ignore[return-value]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QGuiApplication([sys.argv[0] if sys.argv else "msgcopy-viewer"])


@dataclass(slots=True)
class PdfResult:
    path: Path
    messages: int
    pages: int


class _Layout:
    """Where things go: one pass counts pages, the other draws them."""

    def __init__(self, painter: QPainter | None, body: QRectF, total_pages: int) -> None:
        self.painter = painter
        self.body = body
        self.total = total_pages
        self.page = 0
        self.y = body.bottom()  # start full: the first placement opens page 1
        self.title = ""


class PdfReport:
    def __init__(
        self,
        case: Case,
        selection: ResolvedSelection,
        *,
        redactor: Redactor = NO_REDACTION,
        generated: datetime | None = None,
        progress: Progress | None = None,
        tagged: bool = False,
    ) -> None:
        ensure_gui_application()
        self.tagged = tagged  # the tagged-items report: tag groups instead of conversations
        self.case = case
        self.sel = selection
        self.redactor = redactor
        self.generated = generated or datetime.now(UTC)
        self.progress = progress
        self.media = MediaFiles(case, Path(os.devnull), redactor=redactor)
        # The application's default font; Qt falls back per character to a font of the
        # system (fontconfig) that has the script: CJK, Arabic, Devanagari, colour emoji.
        self.font = QFont()
        self.font.setPointSizeF(9.0)
        self.small = QFont(self.font)
        self.small.setPointSizeF(7.0)
        self.zone = selection.zone
        # tags, notes, bookmarks and names (none in a redacted report, as in JSON Lines)
        self.marks = ReportMarks(case.conn, redactor)

    # -- one message -----------------------------------------------------------------------
    def _text_of(self, m: Message, p: Part) -> str:
        return self.media.text_of(m, p)

    def _image(self, doc: QTextDocument, m: Message, p: Part) -> str:
        if not self.redactor.keeps_part(p):
            return f"<p>{esc(p.label)} (withheld by redaction)</p>"
        # the app's one decoder: only the allowed formats, told by their bytes, and bounded
        decoded = decode(self.media.bytes_of(m, p), QSize(2 * IMAGE_MAX[0], 2 * IMAGE_MAX[1]))
        img = decoded.image
        label = f"<br><small>{esc(p.label)} ({esc(p.media_type)}, {p.size} bytes)</small>"
        if img is None or img.isNull():
            return f"<p>Image not shown ({esc(decoded.error or 'cannot be decoded')}): {label}</p>"
        w, h = img.width(), img.height()
        scale = min(1.0, IMAGE_MAX[0] / max(1, w), IMAGE_MAX[1] / max(1, h))
        w, h = max(1, int(w * scale)), max(1, int(h * scale))
        url = f"part:{m.id}/{p.index}"
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), img)
        return f'<p><img src="{html.escape(url)}" width="{w}" height="{h}">{label}</p>'

    def _item(self, doc: QTextDocument, m: Message, it: Item) -> str:
        p = it.part
        if it.kind == "text":
            return f'<p style="white-space:pre-wrap">{esc(it.text)}</p>'
        assert p is not None
        if it.kind == "image":
            return self._image(doc, m, p)
        if it.kind == "contact":
            c = it.contact
            rows = [f"<b>Contact card</b> · {esc(p.label)}"]
            if c is not None:
                rows.append(f"<b>{esc(c.name or '(no name)')}</b>")
                if c.org:
                    rows.append(esc(c.org))
                rows.extend(f"☎ {esc(x)}" for x in c.phones)
                rows.extend(f"✉ {esc(x)}" for x in c.emails)
                rows.extend(esc(x) for x in c.addresses)
            return "<p>" + "<br>".join(rows) + "</p>"
        verb = {"audio": "Audio", "video": "Video"}.get(it.kind, "File")
        withheld = "" if self.redactor.keeps_part(p) else "; withheld by redaction"
        return f"<p>{verb}: {esc(p.label)} ({esc(p.media_type)}, {p.size} bytes{withheld})</p>"

    def _marks_html(self, v: MessageView) -> str:
        """Tags (in their colours), bookmark and note under a message; "" when none."""
        mk = v.marks
        if mk.empty:
            return ""
        chips = [
            f'<span style="background-color:{t.color};color:{_ink(t.color)}">'
            f"&nbsp;{esc(t.name)}&nbsp;</span>"
            for t in mk.tags
        ]
        out = ""
        if chips or mk.bookmarked:
            label = "Tags: " + " ".join(chips) if chips else ""
            mark = " ★ Bookmarked" if mk.bookmarked else ""
            out += f'<p style="font-size:7pt">{label}{mark}</p>'
        if mk.note is not None:
            out += (
                '<p style="font-size:8pt;white-space:pre-wrap;background-color:#fff8e6">'
                f"Note: {esc(mk.note)}</p>"
            )
        return out

    def _status_doc(self, v: MessageView, width: float, parties: str = "") -> QTextDocument:
        """A delivery or read report: a centred status line, as the app shows it."""
        m = v.message
        doc = QTextDocument()
        doc.setDefaultFont(self.font)
        doc.setDocumentMargin(2)
        src = m.source
        doc.setHtml(
            f"{parties}"
            f'<p align="center" style="color:#333">⟨ {esc(v.status)} ⟩<br>'
            f'<span style="font-size:7pt;color:#444">{esc(v.utc)} · {esc(v.local)}</span></p>'
            f'<div align="center">{self._marks_html(v)}</div>'
            f'<p align="center" style="font-size:7pt;color:#444">id <tt>{esc(m.id)}</tt> · '
            f"{esc(m.type)} {esc(m.direction)} · {esc(m.kind)} · source {esc(src.path)} "
            f"[{src.index}] · SHA-256 <tt>{esc(src.sha256 or '')}</tt></p>"
        )
        doc.setTextWidth(width)
        return doc

    def _doc(self, v: MessageView, width: float, parties: str = "") -> QTextDocument:
        """One message; ``parties`` (escaped HTML) names its conversation above it."""
        if v.status:
            return self._status_doc(v, width, parties)
        m = v.message
        doc = QTextDocument()
        doc.setDefaultFont(self.font)
        doc.setDocumentMargin(2)
        body: list[str] = []
        if m.subject:
            body.append(f"<p><b>{esc(m.subject)}</b></p>")
        for slide in v.slides:
            body.extend(self._item(doc, m, it) for it in slide)
            if m.is_mms:
                body.append("<hr>")
        for it in v.extras:
            body.append(self._item(doc, m, it))
        body.extend(f'<p style="color:#8a4b00">⚠ {esc(w)}</p>' for w in m.warnings)
        colour = "#dcf3ff" if v.outgoing else "#ffffff"
        align = "right" if v.outgoing else "left"
        src = m.source
        doc.setHtml(
            f"{parties}"
            f'<table width="100%" cellspacing="0" cellpadding="0"><tr><td align="{align}">'
            f'<p style="color:#555;font-size:7pt">{esc(v.sender)}</p>'
            f'<table width="78%" align="{align}" cellpadding="5" cellspacing="0" '
            f'bgcolor="{colour}" style="border:1px solid #9ab">'
            f"<tr><td>{''.join(body)}</td></tr></table>"
            f"{self._marks_html(v)}"
            f'<p style="font-size:7pt;color:#444">{esc(v.utc)} · {esc(v.local)}<br>'
            f"id <tt>{esc(m.id)}</tt> · {esc(m.type)} {esc(m.direction)} · source "
            f"{esc(src.path)} [{src.index}] · SHA-256 <tt>{esc(src.sha256 or '')}</tt></p>"
            "</td></tr></table>"
        )
        doc.setTextWidth(width)
        return doc

    # -- pages -----------------------------------------------------------------------------
    def _header_footer(self, lay: _Layout) -> None:
        p = lay.painter
        if p is None:
            return
        page_rect = lay.body.adjusted(0, -HEADER_H, 0, FOOTER_H)
        p.setFont(self.small)
        sel = redacted_selection(
            self.sel.selection, self.redactor, TagNames.of(self.case.conn, self.redactor)
        ).describe()
        red = (
            f" · redacted: {self.redactor.mode} (notes and names left out)"
            if self.redactor.active
            else ""
        )
        case_name = self.redactor.path(self.case.path.name)
        top = f"Case: {case_name} · Selection: {sel} · Times in UTC and {zone_name(self.zone)}{red}"
        p.drawText(
            QRectF(page_rect.left(), page_rect.top(), page_rect.width(), HEADER_H / 2),
            0,
            top,
        )
        p.drawText(
            QRectF(
                page_rect.left(), page_rect.top() + HEADER_H / 2, page_rect.width(), HEADER_H / 2
            ),
            0,
            lay.title,
        )
        p.drawLine(
            int(page_rect.left()),
            int(lay.body.top() - 3),
            int(page_rect.right()),
            int(lay.body.top() - 3),
        )
        gen = format_utc(int(self.generated.timestamp() * 1000))
        foot = f"Page {lay.page} of {lay.total} · generated {gen} · msgcopy-viewer {__version__}"
        p.drawText(
            QRectF(page_rect.left(), lay.body.bottom() + 6, page_rect.width(), FOOTER_H - 6),
            0,
            foot,
        )

    def _new_page(self, lay: _Layout, writer: QPdfWriter | None) -> None:
        if lay.page > 0 and writer is not None:
            writer.newPage()
        lay.page += 1
        lay.y = lay.body.top()
        self._header_footer(lay)

    def _place(self, lay: _Layout, doc: QTextDocument, writer: QPdfWriter | None) -> None:
        h = doc.size().height()
        if lay.y + h > lay.body.bottom() and lay.y > lay.body.top():
            self._new_page(lay, writer)
        offset = 0.0
        while True:
            room = lay.body.bottom() - lay.y
            piece = min(room, h - offset)
            if lay.painter is not None:
                p = lay.painter
                p.save()
                p.translate(lay.body.left(), lay.y - offset)
                doc.drawContents(p, QRectF(0, offset, lay.body.width(), piece))
                p.restore()
            offset += piece
            lay.y += piece + GAP
            if offset >= h - 0.5:
                return
            self._new_page(lay, writer)

    def _day_doc(self, day: str, width: float) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(self.small)
        doc.setDocumentMargin(1)
        doc.setHtml(f'<p align="center" style="color:#555">{esc(day)}</p>')
        doc.setTextWidth(width)
        return doc

    def _title_doc(self, span: ConversationSpan, conv_no: int, width: float) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(self.font)
        doc.setHtml(
            f"<h3>{conv_no}. {esc(conversation_title(span, self.redactor, self.marks))}"
            f"{' (group)' if span.is_group else ''}</h3>"
            f"<p>{span.count} message{'s' if span.count != 1 else ''} ({span.mms_count} MMS), "
            f"{esc(format_utc(span.first_ms))} ({esc(format_in_zone(span.first_ms, self.zone))})"
            f" to {esc(format_utc(span.last_ms))} ({esc(format_in_zone(span.last_ms, self.zone))})"
            f"<br><small>conversation {esc(span.conversation_id)}</small></p>"
            + self._conversation_tags(span)
        )
        doc.setTextWidth(width)
        return doc

    def _conversation_tags(self, span: ConversationSpan) -> str:
        tags = self.marks.conversation_tags(span.conversation_id)
        if not tags:
            return ""
        return "<p>Conversation tags: " + ", ".join(esc(t) for t in tags) + "</p>"

    def _group_doc(self, group: TagGroup, group_no: int, width: float, name: str) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(self.font)
        n = group.count
        doc.setHtml(
            f'<h3>{group_no}. Tag <span style="background-color:{group.tag.color};'
            f'color:{_ink(group.tag.color)}">&nbsp;{esc(name)}&nbsp;</span></h3>'
            f"<p>{n} tagged message{'s' if n != 1 else ''}"
            f"{'' if n else ' (no message of the selection carries this tag)'}</p>"
        )
        doc.setTextWidth(width)
        return doc

    def _run_tagged(
        self, lay: _Layout, writer: QPdfWriter | None, tick: Callable[[int], None] | None
    ) -> int:
        """The tagged-items report: one group a tag, each message with its parties."""
        width = lay.body.width()
        conn = self.case.conn
        groups = tag_groups(conn, self.sel)
        tag_name = TagNames.of(conn, self.redactor)
        n = 0
        for group_no, group in enumerate(groups, start=1):
            name = tag_name(group.tag.name)
            lay.title = f"Tagged items · tag {group_no} of {len(groups)}: {name}"
            self._new_page(lay, writer)
            self._place(lay, self._group_doc(group, group_no, width, name), writer)
            for m in group.messages(conn):
                view = build_view(m, self.zone, self._text_of, self.redactor, self.marks)
                parties = (
                    '<p style="font-size:7pt;color:#333">'
                    f"{esc(parties_of(m, self.redactor, self.marks))}</p>"
                )
                self._place(lay, self._doc(view, width, parties), writer)
                n += 1
                if tick is not None and n % 50 == 0:
                    tick(n)
        if not groups:
            lay.title = "No message of this selection is tagged"
            self._new_page(lay, writer)
        return n

    def _run(
        self, lay: _Layout, writer: QPdfWriter | None, tick: Callable[[int], None] | None
    ) -> int:
        if self.tagged:
            return self._run_tagged(lay, writer, tick)
        width = lay.body.width()
        n = 0
        spans = self.sel.conversations(self.case.conn)
        for conv_no, span in enumerate(spans, start=1):
            lay.title = f"Conversation {conv_no} of {len(spans)}: " + ", ".join(
                self.redactor.participants(span.participants)
            )
            self._new_page(lay, writer)
            self._place(lay, self._title_doc(span, conv_no, width), writer)
            day = ""
            for m in self.sel.conversation_messages(self.case.conn, span.conversation_id):
                view = build_view(m, self.zone, self._text_of, self.redactor, self.marks)
                if view.local[:10] != day:
                    day = view.local[:10]
                    self._place(lay, self._day_doc(day, width), writer)
                self._place(lay, self._doc(view, width), writer)
                n += 1
                if tick is not None and n % 50 == 0:
                    tick(n)
        if not spans:
            lay.title = "No messages in this selection"
            self._new_page(lay, writer)
        return n

    def write(self, path: Path) -> PdfResult:
        # Qt's PDF writer ignores write errors: it writes to a file of ours, whose error
        # is checked once the last page is out (a full disk must not look like a PDF)
        out = QFile(str(path))
        if not out.open(QIODevice.OpenModeFlag.WriteOnly | QIODevice.OpenModeFlag.Truncate):
            raise OSError(f"cannot write a PDF to {path}: {out.errorString()}")
        try:
            result = self._write(out, path)
            out.flush()
            if out.error() != QFileDevice.FileError.NoError:
                raise OSError(f"cannot write {path}: {out.errorString()}")
        finally:
            out.close()
        return result

    def _write(self, out: QFile, path: Path) -> PdfResult:
        writer = QPdfWriter(out)
        writer.setResolution(DPI)
        writer.setCreator(f"msgcopy-viewer {__version__}")
        kind = "Tagged items" if self.tagged else "Transcript"
        writer.setTitle(f"{kind}: {self.redactor.path(self.case.path.name)}")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                QPageLayout.Unit.Millimeter,
            )
        )
        paint = writer.pageLayout().paintRectPixels(DPI)
        body = QRectF(0, HEADER_H, paint.width(), paint.height() - HEADER_H - FOOTER_H)
        total_messages = (
            sum(g.count for g in tag_groups(self.case.conn, self.sel))
            if self.tagged
            else self.sel.count(self.case.conn)
        )

        def first(n: int) -> None:  # counting pass: the first half of the work
            if self.progress is not None:
                self.progress(n // 2)

        def second(n: int) -> None:
            if self.progress is not None:
                self.progress(total_messages // 2 + n // 2)

        counting = _Layout(None, body, 0)
        self._run(counting, None, first)
        painter = QPainter()
        if not painter.begin(writer):
            raise OSError(f"cannot write a PDF to {path}")
        try:
            drawing = _Layout(painter, body, counting.page)
            n = self._run(drawing, writer, second)
        finally:
            painter.end()
        if self.progress is not None:
            self.progress(total_messages)
        return PdfResult(Path(path), n, drawing.page)


def write_pdf_report(
    case: Case,
    selection: ResolvedSelection,
    path: Path,
    *,
    redactor: Redactor = NO_REDACTION,
    generated: datetime | None = None,
    progress: Progress | None = None,
    tagged: bool = False,
) -> PdfResult:
    """Write the transcript (``tagged``: the tagged-items report) to ``path`` (the caller
    gives a temporary name and renames it)."""
    report = PdfReport(
        case, selection, redactor=redactor, generated=generated, progress=progress, tagged=tagged
    )
    return report.write(path)
