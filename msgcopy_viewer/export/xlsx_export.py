"""Spreadsheet export (``export --format xlsx``): the CSV's columns in a workbook.

The examiner's columns (tags, note, bookmark, names: ``csv_export.WORKBENCH_COLUMNS``) are
in it unless the export is redacted, as in the CSV.

Every cell is written as text with ``write_string``: a message reading ``=HYPERLINK(…)``
stays those characters and ``+12145555273`` stays a string (no formula, number, date or
link guessing). The header row is frozen and has filters. XlsxWriter's constant-memory
mode writes rows as they come, so memory stays flat. A cell holds at most 32,767
characters (the format's limit): longer text is cut there and the row's ``note`` column
says so. A sheet holds at most 1,048,575 messages; more continue on ``messages (2)`` ….
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.exceptions

from msgcopy_viewer.export.csv_export import columns, marks_values, message_values
from msgcopy_viewer.export.marks import ReportMarks
from msgcopy_viewer.export.outdir import Progress
from msgcopy_viewer.export.redact import NO_REDACTION, Redactor
from msgcopy_viewer.export.selection import ResolvedSelection
from msgcopy_viewer.store.case import Case

MAX_CELL = 32_767
# A sheet holds 1,048,576 rows: the header and this many messages; then "messages (2)" …
ROWS_PER_SHEET = 1_048_575
_WIDTHS = {
    "date": 30,
    "direction": 9,
    "message": 60,
    "type": 6,
    "conversation": 26,
    "source_path": 40,
    "source_sha256": 66,
    "examiner_note": 40,
    "names": 30,
    "note": 20,
}


def xlsx_columns(with_marks: bool) -> tuple[str, ...]:
    """The header: the CSV's columns, then ``note`` (a cell cut at the limit)."""
    return (*columns(with_marks), "note")


def _close(wb: Any) -> None:
    """Write the workbook out; a full disk (or any failure to write) is the ``OSError``
    it is, not XlsxWriter's own exception."""
    try:
        wb.close()
    except xlsxwriter.exceptions.FileCreateError as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, OSError):
            raise cause from exc
        raise OSError(str(exc)) from exc


def _close_quietly(wb: Any) -> None:
    try:
        wb.close()
    except Exception:  # an earlier error is being reported
        pass


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
    marks = ReportMarks(case.conn, redactor)
    header = xlsx_columns(marks.enabled)
    try:
        bold = wb.add_format({"bold": True})
        text = wb.add_format({"num_format": "@"})
        sheets: list[tuple[Any, int]] = []  # (worksheet, rows written)

        def new_sheet() -> Any:
            name = "messages" if not sheets else f"messages ({len(sheets) + 1})"
            ws = wb.add_worksheet(name)
            for col, name in enumerate(header):
                width = _WIDTHS.get(name, 16)
                ws.set_column(col, col, width, text)
            ws.freeze_panes(1, 0)
            for col, name in enumerate(header):
                ws.write_string(0, col, name, bold)
            sheets.append((ws, 0))
            return ws

        ws = new_sheet()
        row = 0
        n = 0
        for stored in selection.messages(case.conn):
            if row == ROWS_PER_SHEET:
                sheets[-1] = (ws, row)
                ws = new_sheet()
                row = 0
            m = redactor.message(stored)
            values = message_values(m)
            if marks.enabled:
                values += marks_values(marks.of(stored))
            row += 1
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
        sheets[-1] = (ws, row)
        for sheet, rows in sheets:
            sheet.autofilter(0, 0, max(rows, 1), len(header) - 1)
    except BaseException:
        _close_quietly(wb)  # its temporary files go; the first error is the one to report
        raise
    _close(wb)
    if progress is not None:
        progress(n)
    return n
