"""Paginated HTML transcript (``export --format html -o DIR``).

``DIR/index.html`` lists the conversations of the selection (participants, counts, date
range, links to every page; past 1,000 conversations it continues on ``index-0002.html``
…); ``DIR/c0001-p0001.html`` … hold a fixed number of messages
each, so a conversation of any length opens at once. Pages are self-contained: one inline
style sheet allowed by its hash in a strict Content-Security-Policy, no scripts, nothing
fetched from anywhere but the sibling ``media/`` folder (MMS images, audio, video and
other parts). Every piece of evidence text is HTML-escaped, with invisible and
bidirectional control characters made visible. Memory stays flat: one page of messages is
held at a time.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from msgcopy_viewer import __version__
from msgcopy_viewer.core.text_safety import has_invisible
from msgcopy_viewer.export.marks import ReportMarks
from msgcopy_viewer.export.media import MediaFiles
from msgcopy_viewer.export.message_view import Item, MessageView, build_view, visible
from msgcopy_viewer.export.outdir import Progress, building_dir
from msgcopy_viewer.export.redact import NO_REDACTION, Redactor, TagNames, redacted_selection
from msgcopy_viewer.export.selection import (
    ResolvedSelection,
    format_in_zone,
    format_utc,
    zone_name,
)
from msgcopy_viewer.store.case import Case
from msgcopy_viewer.store.messages import ConversationSpan, Message, Part

PAGE_SIZE = 500
INDEX_SIZE = 1000  # conversations an index page lists

CSS = """
body{font:15px/1.4 "Noto Sans","DejaVu Sans",sans-serif;margin:0;background:#f4f4f6;color:#111}
header{background:#233;color:#fff;padding:.6em 1em}header h1{font-size:1.1em;margin:0}
header p{margin:.2em 0;font-size:.85em}header a{color:#cde}
main{max-width:52em;margin:0 auto;padding:1em}
nav.pages{text-align:center;padding:.6em;font-size:.9em}
.msg{margin:.7em 0;display:flex;flex-direction:column;align-items:flex-start}
.msg.out{align-items:flex-end}
.who{font-size:.8em;color:#555;margin:0 .6em}
.bubble{max-width:75%;background:#fff;border-radius:12px;padding:.5em .8em;
white-space:pre-wrap;overflow-wrap:anywhere;border:1px solid #ddd}
.out .bubble{background:#dcf3ff;border-color:#b9dff5}
.subject{font-weight:bold}.slide{border-top:1px dashed #ccc;padding-top:.3em;margin-top:.3em}
.slide:first-of-type{border-top:0}
img{max-width:100%;max-height:30em;display:block}
.card{border:1px solid #bbb;border-radius:6px;padding:.3em .5em;background:#fafafa}
.time{font-size:.75em;color:#555;margin:.1em .6em}
details.prov{font-size:.72em;color:#444;margin:0 .6em;white-space:normal}
details.prov dl{margin:.2em 0;display:grid;grid-template-columns:auto 1fr;gap:0 .6em}
details.prov dd{margin:0;overflow-wrap:anywhere;font-family:monospace}
.warn{color:#8a4b00;font-size:.8em}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.9em}
td.links a{margin-right:.4em}
h2.day{font-size:.8em;text-align:center;color:#555;margin:1em 0 .3em}
.msg.status{align-items:center}
.status .line{font-size:.85em;color:#333;border:1px solid #9ab;border-radius:1em;
padding:.1em .8em;background:#fff}
.marks{font-size:.8em;margin:.15em .6em;display:flex;flex-wrap:wrap;gap:.3em;
align-items:baseline}
.tag{border:1px solid #667;border-radius:.8em;padding:0 .5em;background:#eef}
.bookmark{color:#7a5a00}
.note{font-size:.85em;margin:.15em .6em;padding:.2em .5em;border-left:3px solid #c90;
background:#fff8e6;white-space:pre-wrap;overflow-wrap:anywhere;max-width:75%}
.parties{font-size:.8em;color:#333;margin:0 .6em}
section.tag-group h2{font-size:1em;border-bottom:1px solid #999}
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
CSP = (
    "default-src 'none'; img-src 'self'; media-src 'self'; "
    f"style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'"
)


_HTML_SPECIAL = re.compile("[&<>\"']")


def needs_html_escape(text: str) -> bool:
    """Whether escaping or ``show_invisible`` would change ``text`` (else it is used as is)."""
    return _HTML_SPECIAL.search(text) is not None or has_invisible(text)


def esc(text: str | None) -> str:
    """Evidence text for HTML: control characters made visible, then escaped."""
    if not text:
        return ""
    if not needs_html_escape(text):
        return text
    return html.escape(visible(text), quote=True)


def index_name(k: int) -> str:
    return "index.html" if k == 1 else f"index-{k:04d}.html"


def index_page_of(conv_no: int) -> int:
    return (conv_no - 1) // INDEX_SIZE + 1


def page_name(conv_no: int, page_no: int) -> str:
    return f"c{conv_no:04d}-p{page_no:04d}.html"


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1000:
        return f"{n / 1000:.0f} kB"
    return f"{n} bytes"


def conversation_title(span: ConversationSpan, redactor: Redactor, marks: ReportMarks) -> str:
    """``subscriber ↔ participants``, each number with its name where the case has one."""
    sub = span.subscriber_mobile
    parts = [
        marks.label_for(p, sub) if not redactor.active else redactor.number(p)
        for p in span.participants
    ]
    who = ", ".join(parts) if parts else "(no participants)"
    return f"{redactor.number(sub) if redactor.active else marks.label_for(sub, sub)} ↔ {who}"


@dataclass(slots=True)
class HtmlResult:
    outdir: Path
    messages: int
    pages: int
    conversations: int
    media_files: int


class HtmlWriter:
    """Writes the pages of one selection into ``root`` (media through ``media``)."""

    def __init__(
        self,
        case: Case,
        selection: ResolvedSelection,
        root: Path,
        media: MediaFiles,
        *,
        media_prefix: str = "",
        redactor: Redactor = NO_REDACTION,
        page_size: int = PAGE_SIZE,
        generated: datetime | None = None,
    ) -> None:
        self.case = case
        self.sel = selection
        self.root = root
        self.media = media
        self.media_prefix = media_prefix
        self.redactor = redactor
        self.page_size = max(1, page_size)
        self.zone: tzinfo = selection.zone
        self.generated = generated or datetime.now(UTC)
        # tags, notes, bookmarks and names (none in a redacted report, as in JSON Lines)
        self.marks = ReportMarks(case.conn, redactor)

    # -- pieces ------------------------------------------------------------------------
    def text_of(self, m: Message, p: Part) -> str:
        return self.media.text_of(m, p)

    def _head(self, title: str) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="referrer" content="no-referrer">'
            '<meta name="viewport" content="width=device-width">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>\n"
        )

    def _header(self, title: str, extra: str = "") -> str:
        zone = zone_name(self.zone)
        redaction = (
            f"<p>Redacted: {esc(self.redactor.mode)} (the examiner's notes and names for "
            "numbers are left out)</p>"
            if self.redactor.active
            else ""
        )
        case_name = esc(self.redactor.path(self.case.path.name))
        tags = TagNames.of(self.case.conn, self.redactor)
        shown = esc(redacted_selection(self.sel.selection, self.redactor, tags).describe())
        generated = esc(format_utc(int(self.generated.timestamp() * 1000)))
        return (
            f"<header><h1>{esc(title)}</h1>"
            f"<p>Case: {case_name} · Selection: {shown}</p>"
            f"<p>Times in UTC and {esc(zone)} · generated {generated} by msgcopy-viewer "
            f"{esc(__version__)}</p>{redaction}{extra}</header>\n"
        )

    def _media_href(self, m: Message, p: Part) -> str | None:
        rel = self.media.path_for(m, p)
        return None if rel is None else html.escape(self.media_prefix + rel, quote=True)

    def _item(self, m: Message, it: Item) -> str:
        p = it.part
        if it.kind == "text":
            return f'<div class="text">{esc(it.text)}</div>'
        assert p is not None
        label = esc(p.label)
        href = self._media_href(m, p)
        desc = f"{esc(p.media_type)}, {_size(p.size)}"
        if it.kind == "contact":
            return self._card(it, href, label)
        if href is None:
            return f'<div class="att">{label} ({desc}; withheld by redaction)</div>'
        if it.kind == "image":
            return (
                f'<a href="{href}"><img src="{href}" alt="{label}" loading="lazy"></a>'
                f'<div class="att">{label} ({desc})</div>'
            )
        verb = {"audio": "Audio", "video": "Video"}.get(it.kind, "File")
        return f'<div class="att">{verb}: <a href="{href}">{label}</a> ({desc})</div>'

    def _card(self, it: Item, href: str | None, label: str) -> str:
        c = it.contact
        rows: list[str] = []
        if c is not None:
            rows.append(f"<b>{esc(c.name or '(no name)')}</b>")
            if c.org:
                rows.append(esc(c.org))
            rows.extend(f"☎ {esc(x)}" for x in c.phones)
            rows.extend(f"✉ {esc(x)}" for x in c.emails)
            rows.extend(esc(x) for x in c.addresses)
        link = f' · <a href="{href}">{label}</a>' if href else f" · {label}"
        return f'<div class="card">Contact card{link}<br>' + "<br>".join(rows) + "</div>"

    def marks_html(self, v: MessageView) -> str:
        """The examiner's tags, bookmark and note under a message (nothing when none)."""
        mk = v.marks
        if mk.empty:
            return ""
        chips = [f'<span class="tag">{esc(t.name)}</span>' for t in mk.tags]
        if chips:
            chips.insert(0, "Tags:")
        if mk.bookmarked:
            chips.append('<span class="bookmark">★ Bookmarked</span>')
        line = f'<div class="marks">{" ".join(chips)}</div>' if chips else ""
        note = f'<div class="note">Note: {esc(mk.note)}</div>' if mk.note is not None else ""
        return line + note

    def render(self, v: MessageView, parties: str = "") -> str:
        """One message as an article; ``parties`` (escaped HTML) names its conversation
        (the tagged-items report, where messages of many conversations meet)."""
        m = v.message
        side = "out" if v.outgoing else "in"
        context = f'<div class="parties">{parties}</div>' if parties else ""
        if v.status:
            return (
                f'<article class="msg status" id="m-{esc(m.id)}">{context}'
                f'<div class="line">{esc(v.status)}</div>'
                f'<div class="time"><time datetime="{esc(v.utc)}">{esc(v.utc)}</time>'
                f" · {esc(v.local)}</div>{self.marks_html(v)}{self._provenance(m)}</article>\n"
            )
        body: list[str] = []
        if m.subject:
            body.append(f'<div class="subject">{esc(m.subject)}</div>')
        for slide in v.slides:
            inner = "".join(self._item(m, it) for it in slide)
            body.append(f'<div class="slide">{inner}</div>' if m.is_mms else inner)
        if v.extras:
            body.append(
                '<div class="slide">' + "".join(self._item(m, it) for it in v.extras) + "</div>"
            )
        warn = "".join(f'<div class="warn">⚠ {esc(w)}</div>' for w in m.warnings)
        return (
            f'<article class="msg {side}" id="m-{esc(m.id)}">{context}'
            f'<div class="who">{esc(v.sender)}</div>'
            f'<div class="bubble">{"".join(body)}</div>{warn}'
            f'<div class="time"><time datetime="{esc(v.utc)}">{esc(v.utc)}</time>'
            f" · {esc(v.local)}</div>{self.marks_html(v)}{self._provenance(m)}</article>\n"
        )

    def _provenance(self, m: Message) -> str:
        src = m.source
        return (
            '<details class="prov"><summary>provenance</summary><dl>'
            f"<dt>message id</dt><dd>{esc(m.id)}</dd>"
            f"<dt>type</dt><dd>{esc(m.type)} {esc(m.direction)}</dd>"
            f"<dt>kind</dt><dd>{esc(m.kind)}</dd>"
            f"<dt>source</dt><dd>{esc(src.path)}</dd>"
            f"<dt>SHA-256</dt><dd>{esc(src.sha256 or '')}</dd>"
            f"<dt>index</dt><dd>{src.index}</dd>"
            f"<dt>startTime</dt><dd>{esc(m.start_raw)}</dd>"
            "</dl></details>"
        )

    # -- pages -------------------------------------------------------------------------
    def _title(self, span: ConversationSpan) -> str:
        return conversation_title(span, self.redactor, self.marks)

    def _conversation_tags(self, span: ConversationSpan) -> str:
        """The examiner's tags on the conversation, as a line ("" when none)."""
        tags = self.marks.conversation_tags(span.conversation_id)
        if not tags:
            return ""
        chips = " ".join(f'<span class="tag">{esc(t)}</span>' for t in tags)
        return f'<p class="marks">Conversation tags: {chips}</p>'

    def _write_page(
        self,
        conv_no: int,
        page_no: int,
        pages: int,
        span: ConversationSpan,
        articles: list[str],
    ) -> None:
        title = self._title(span)
        nav = self._nav(conv_no, page_no, pages)
        head = self._head(f"{title} — page {page_no} of {pages}")
        header = self._header(
            title, f"<p>Page {page_no} of {pages}</p>{self._conversation_tags(span)}"
        )
        with open(self.root / page_name(conv_no, page_no), "w", encoding="utf-8") as fh:
            fh.write(head)
            fh.write(header)
            fh.write(nav)
            fh.write("<main>\n")
            fh.writelines(articles)
            fh.write("</main>\n")
            fh.write(nav)
            fh.write("</body></html>\n")

    def _nav(self, conv_no: int, page_no: int, pages: int) -> str:
        links = [f'<a href="{index_name(index_page_of(conv_no))}">Index</a>']
        if page_no > 1:
            links.append(f'<a href="{page_name(conv_no, 1)}">First</a>')
            links.append(f'<a href="{page_name(conv_no, page_no - 1)}" rel="prev">Previous</a>')
        if page_no < pages:
            links.append(f'<a href="{page_name(conv_no, page_no + 1)}" rel="next">Next</a>')
            links.append(f'<a href="{page_name(conv_no, pages)}">Last</a>')
        return '<nav class="pages">' + " · ".join(links) + "</nav>\n"

    def write(self, progress: Progress | None = None) -> HtmlResult:
        spans = self.sel.conversations(self.case.conn)
        done = 0
        total_pages = 0
        index_rows: list[str] = []
        for conv_no, span in enumerate(spans, start=1):
            pages = max(1, -(-span.count // self.page_size))
            page_no = 0
            articles: list[str] = []
            on_page = 0
            day = ""
            for m in self.sel.conversation_messages(self.case.conn, span.conversation_id):
                view = build_view(m, self.zone, self.text_of, self.redactor, self.marks)
                if view.local[:10] != day or on_page == 0:
                    day = view.local[:10]
                    articles.append(f'<h2 class="day">{esc(day)}</h2>\n')
                articles.append(self.render(view))
                done += 1
                on_page += 1
                if on_page == self.page_size:
                    page_no += 1
                    self._write_page(conv_no, page_no, pages, span, articles)
                    articles = []
                    on_page = 0
                    if progress is not None:
                        progress(done)
            if articles or page_no == 0:
                page_no += 1
                self._write_page(conv_no, page_no, max(pages, page_no), span, articles)
            total_pages += page_no
            if progress is not None:
                progress(done)
            links = " ".join(
                f'<a href="{page_name(conv_no, n)}">{n}</a>' for n in range(1, page_no + 1)
            )
            index_rows.append(
                f"<tr><td>{conv_no}</td><td>{esc(self._title(span))}"
                f"{' (group)' if span.is_group else ''}<br><small>{esc(span.conversation_id)}"
                f"</small>{self._conversation_tags(span)}</td><td>{span.count}</td><td>{span.mms_count}</td>"
                f"<td>{esc(format_utc(span.first_ms))}<br>"
                f"{esc(format_in_zone(span.first_ms, self.zone))}</td>"
                f"<td>{esc(format_utc(span.last_ms))}<br>"
                f"{esc(format_in_zone(span.last_ms, self.zone))}</td>"
                f'<td class="links">{links}</td></tr>\n'
            )
        self._write_index(index_rows, done)
        return HtmlResult(self.root, done, total_pages, len(spans), self.media.files)

    def _write_index(self, rows: list[str], messages: int) -> None:
        """``index.html`` (and ``index-0002.html`` … past INDEX_SIZE conversations)."""
        n_pages = max(1, -(-len(rows) // INDEX_SIZE))
        nav = ""
        if n_pages > 1:
            nav = (
                '<nav class="pages">Index pages: '
                + " ".join(f'<a href="{index_name(k)}">{k}</a>' for k in range(1, n_pages + 1))
                + "</nav>\n"
            )
        for k in range(1, n_pages + 1):
            with open(self.root / index_name(k), "w", encoding="utf-8") as fh:
                title = "Transcript index" + (f" (page {k} of {n_pages})" if n_pages > 1 else "")
                fh.write(self._head(title))
                fh.write(
                    self._header(
                        title,
                        f"<p>{len(rows)} conversation{'s' if len(rows) != 1 else ''}, "
                        f"{messages} message{'s' if messages != 1 else ''}, "
                        f"{self.page_size} messages a page</p>",
                    )
                )
                fh.write(nav)
                fh.write(
                    "<main><table><thead><tr><th>#</th><th>Conversation</th><th>Messages</th>"
                    "<th>MMS</th><th>First</th><th>Last</th><th>Pages</th></tr></thead>"
                    "<tbody>\n"
                )
                fh.writelines(rows[(k - 1) * INDEX_SIZE : k * INDEX_SIZE])
                fh.write("</tbody></table></main>\n")
                fh.write(nav)
                fh.write("</body></html>\n")


def write_html_report(
    case: Case,
    selection: ResolvedSelection,
    outdir: Path,
    *,
    redactor: Redactor = NO_REDACTION,
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
    generated: datetime | None = None,
    on_done: Callable[[Path], None] | None = None,
    writer_class: type[HtmlWriter] | None = None,
) -> HtmlResult:
    """The transcript in a new folder ``outdir`` (built beside it, renamed at the end);
    ``writer_class`` makes another report on the same pages (the tagged-items report)."""
    with building_dir(outdir) as work:
        media = MediaFiles(case, work, "media", redactor)
        writer = (writer_class or HtmlWriter)(
            case,
            selection,
            work,
            media,
            redactor=redactor,
            page_size=page_size,
            generated=generated,
        )
        result = writer.write(progress)
        if media.files:
            media.write_manifests()
        if on_done is not None:
            on_done(work)
    result.outdir = Path(outdir).absolute()
    return result
