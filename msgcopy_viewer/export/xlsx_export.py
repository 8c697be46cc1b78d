"""Spreadsheet export (``export --format xlsx``): the CSV's columns in a workbook.

Every cell is written as text with ``write_string``: a message reading ``=HYPERLINK(…)``
stays those characters and ``+12145555273`` stays a string (no formula, number, date or
link guessing). The header row is frozen and has filters. XlsxWriter's constant-memory
mode writes rows as they come, so memory stays flat. A cell holds at most 32,767
characters (the format's limit): longer text is cut there and the row's ``note`` column
says so.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from msgcopy_viewer.export.csv_export import COLUMNS
from msgcopy_viewer.export.outdir import Progress
from msgcopy_viewer.export.redact import NO_REDACTION, Redactor
from msgcopy_viewer.export.selection import ResolvedSelection
from msgcopy_viewer.store.case import Case

MAX_CELL = 32_767
XLSX_COLUMNS = (*COLUMNS, "note")
_WIDTHS = (30, 9, 16, 16, 60, 6, 26, 40, 66, 20)


def write_xlsx(
    case: Case,
    selection: ResolvedSelection,
    path: Path,
    *,
    redactor: Redactor = NO_REDACTION,
    progress: Progress | None = None,
) -> int:
    """Write the workbook to ``path`` (a temporary name: the caller renames it)."""
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        ws = wb.add_worksheet("messages")
        bold = wb.add_format({"bold": True})
        text = wb.add_format({"num_format": "@"})
        for col, width in enumerate(_WIDTHS):
            ws.set_column(col, col, width, text)
        ws.freeze_panes(1, 0)
        for col, name in enumerate(XLSX_COLUMNS):
            ws.write_string(0, col, name, bold)
        n = 0
        for stored in selection.messages(case.conn):
            m = redactor.message(stored)
            values = (
                m.start_raw,
                m.direction,
                m.sub_mobile or "",
                m.other_party,
                m.text,
                m.type,
                m.conversation_id,
                m.source.path,
                m.source.sha256 or "",
            )
            row = n + 1
            cut = False
            for col, value in enumerate(values):
                if len(value) > MAX_CELL:
                    value = value[:MAX_CELL]
                    cut = True
                ws.write_string(row, col, value)
            ws.write_string(
                row,
                len(values),
                f"text cut at {MAX_CELL} characters (the cell limit)" if cut else "",
            )
            n += 1
            if progress is not None and n % 500 == 0:
                progress(n)
        ws.autofilter(0, 0, max(n, 1), len(XLSX_COLUMNS) - 1)
    finally:
        wb.close()
    if progress is not None:
        progress(n)
    return n
