"""The tagged-items report (``export --format tagged-html|tagged-pdf``).

Only the tagged messages of the selection, grouped by tag in the case's tag order (with
``--tagged NAME``: that tag's group only). Each message shows its conversation's parties
(numbers with their names), its time, sender and content, its tags and the examiner's
note. A message carrying two tags is listed under each. The HTML is written by the
transcript's own ``HtmlWriter`` (the same articles, escaping, style sheet and policy) and
the PDF by the PDF transcript's ``PdfReport``; this module only says which messages go
in which group, and writes the HTML index and pages.

A redacted report keeps the groups but, as every redacted report, leaves out the notes and
the names for numbers, and calls each tag by its label (``redact.TagNames``: ``tag 2``):
a tag's name is the examiner's words, and may name a person or hold a number.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace

from msgcopy_viewer.export.html_report import (
    HtmlResult,
    HtmlWriter,
    esc,
)
from msgcopy_viewer.export.marks import ReportMarks
from msgcopy_viewer.export.message_view import build_view
from msgcopy_viewer.export.outdir import Progress
from msgcopy_viewer.export.redact import Redactor, TagNames
from msgcopy_viewer.export.selection import ResolvedSelection
from msgcopy_viewer.store.annotations import Tag, list_tags, require_tag
from msgcopy_viewer.store.messages import Message, MessageFilter, count_filtered, iter_filtered


@dataclass(frozen=True, slots=True)
class TagGroup:
    tag: Tag
    filter: MessageFilter
    count: int

    def messages(self, conn: sqlite3.Connection) -> Iterator[Message]:
        return iter_filtered(conn, self.filter)


def tag_groups(conn: sqlite3.Connection, sel: ResolvedSelection) -> list[TagGroup]:
    """The groups of the report: each tag (or the one asked for) with the selection's
    messages that carry it; tags no selected message carries are left out, except a tag
    asked for by name (its group says it is empty)."""
    asked = sel.selection.tagged
    tags = [require_tag(conn, asked)] if asked else list_tags(conn)
    groups: list[TagGroup] = []
    for tag in tags:
        flt = replace(sel.filter, tag_id=tag.id)
        n = count_filtered(conn, flt)
        if n or asked:
            groups.append(TagGroup(tag, flt, n))
    return groups


def parties_of(m: Message, redactor: Redactor, marks: ReportMarks) -> str:
    """``subscriber ↔ participants`` of the message's conversation, names with numbers."""
    sub = m.sub_mobile or m.subscriber_mobile
    if redactor.active:
        who = [redactor.number(p) for p in m.participants] or [redactor.number(m.other_party)]
        return f"{redactor.number(sub)} ↔ {', '.join(who)}"
    who = [marks.label_for(p, sub) for p in m.participants] or [marks.label(m.other_party, m)]
    return f"{marks.label_for(sub, sub)} ↔ {', '.join(who)}"


def group_page_name(group_no: int, page_no: int) -> str:
    return f"t{group_no:04d}-p{page_no:04d}.html"


class TaggedHtmlWriter(HtmlWriter):
    """The transcript's writer, laying out tag groups instead of conversations."""

    def write(self, progress: Progress | None = None) -> HtmlResult:
        conn = self.case.conn
        groups = tag_groups(conn, self.sel)
        tag_name = TagNames.of(conn, self.redactor)
        done = 0
        total_pages = 0
        rows: list[str] = []
        for group_no, group in enumerate(groups, start=1):
            pages = max(1, -(-group.count // self.page_size))
            title = f"Tag {tag_name(group.tag.name)}"
            articles: list[str] = []
            page_no = 0
            for m in group.messages(conn):
                view = build_view(m, self.zone, self.text_of, self.redactor, self.marks)
                parties = esc(parties_of(m, self.redactor, self.marks))
                articles.append(self.render(view, parties=parties))
                done += 1
                if len(articles) == self.page_size:
                    page_no += 1
                    self._write_group_page(group_no, page_no, pages, title, articles)
                    articles = []
                    if progress is not None:
                        progress(done)
            if articles or page_no == 0:
                page_no += 1
                self._write_group_page(group_no, page_no, max(pages, page_no), title, articles)
            total_pages += page_no
            links = " ".join(
                f'<a href="{group_page_name(group_no, n)}">{n}</a>' for n in range(1, page_no + 1)
            )
            rows.append(
                f"<tr><td>{group_no}</td><td>{esc(tag_name(group.tag.name))}</td><td>{group.count}</td>"
                f'<td class="links">{links}</td></tr>\n'
            )
        if progress is not None:
            progress(done)
        self._write_tag_index(rows, done)
        return HtmlResult(self.root, done, total_pages, len(groups), self.media.files)

    def _write_group_page(
        self, group_no: int, page_no: int, pages: int, title: str, articles: list[str]
    ) -> None:
        links = ['<a href="index.html">Index</a>']
        if page_no > 1:
            prev = group_page_name(group_no, page_no - 1)
            links.append(f'<a href="{prev}" rel="prev">Previous</a>')
        if page_no < pages:
            nxt = group_page_name(group_no, page_no + 1)
            links.append(f'<a href="{nxt}" rel="next">Next</a>')
        nav = '<nav class="pages">' + " · ".join(links) + "</nav>\n"
        with open(self.root / group_page_name(group_no, page_no), "w", encoding="utf-8") as fh:
            fh.write(self._head(f"Tagged items: {title} — page {page_no} of {pages}"))
            fh.write(self._header(f"Tagged items: {title}", f"<p>Page {page_no} of {pages}</p>"))
            fh.write(nav)
            fh.write('<main><section class="tag-group">\n')
            if not articles:
                fh.write("<p>No message of the selection carries this tag.</p>\n")
            fh.writelines(articles)
            fh.write("</section></main>\n")
            fh.write(nav)
            fh.write("</body></html>\n")

    def _write_tag_index(self, rows: list[str], messages: int) -> None:
        with open(self.root / "index.html", "w", encoding="utf-8") as fh:
            fh.write(self._head("Tagged items"))
            fh.write(
                self._header(
                    "Tagged items",
                    f"<p>{len(rows)} tag{'s' if len(rows) != 1 else ''}, {messages} tagged "
                    f"item{'s' if messages != 1 else ''} (a message with two tags is listed "
                    "under each)</p>",
                )
            )
            fh.write(
                "<main><table><thead><tr><th>#</th><th>Tag</th><th>Messages</th>"
                "<th>Pages</th></tr></thead><tbody>\n"
            )
            fh.writelines(rows)
            if not rows:
                fh.write('<tr><td colspan="4">No message of the selection is tagged.</td></tr>\n')
            fh.write("</tbody></table></main>\n</body></html>\n")
