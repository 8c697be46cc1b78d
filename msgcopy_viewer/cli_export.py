"""The ``export`` and ``verify`` subcommands (their arguments and handlers).

    msgcopy-viewer export --format jsonl|csv|xlsx|html|pdf|bundle|tagged-html|tagged-pdf [-o OUT]
        [--conversation ID]... [--subscriber NUMBER] [--from DATE] [--to DATE] [--tz ZONE]
        [--query TEXT] [--message ID]... [--redact numbers|text|both] [--examiner NAME]
        [--page-size N]
    msgcopy-viewer verify --case CASE [--sources DIR]
    msgcopy-viewer verify --bundle DIR

The PDF is drawn by Qt (``ui/report_pdf.py``) on the offscreen platform, so like
``cli.py`` this module may import from ``ui`` (lazily, only for ``pdf`` and ``bundle``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMATS = ("jsonl", "csv", "xlsx", "html", "pdf", "bundle", "tagged-html", "tagged-pdf")
FOLDER_FORMATS = ("html", "bundle", "tagged-html")
PDF_FORMATS = ("pdf", "bundle", "tagged-pdf")


def add_export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="tagged-html, tagged-pdf: the tagged-items report (only tagged messages, grouped "
        "by tag, with their notes; --tagged NAME for one tag)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file (jsonl, csv: default stdout; xlsx, pdf) or new folder (html, bundle)",
    )
    add_selection_arguments(p)
    p.add_argument(
        "--redact",
        choices=("numbers", "text", "both"),
        help="mask numbers except their last 4 digits, and/or replace text by its length",
    )
    p.add_argument("--examiner", metavar="NAME", help="examiner named in the bundle's case report")
    p.add_argument(
        "--page-size",
        type=int,
        default=None,
        metavar="N",
        help="messages per HTML page (default: 500)",
    )


def add_selection_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("selection (each option narrows it; none: the whole case)")
    g.add_argument(
        "--conversation",
        action="append",
        metavar="ID",
        help="only this conversation (repeat for several)",
    )
    g.add_argument("--subscriber", metavar="NUMBER", help="only this subscriber's messages")
    g.add_argument("--from", dest="date_from", metavar="DATE", help="from this date or time")
    g.add_argument("--to", dest="date_to", metavar="DATE", help="to this date (inclusive) or time")
    g.add_argument(
        "--tz",
        metavar="ZONE",
        default="UTC",
        help="IANA time zone of --from/--to and of the reports' local times (default: UTC)",
    )
    g.add_argument("--query", metavar="TEXT", help="messages the app's search finds for TEXT")
    g.add_argument(
        "--message", action="append", metavar="ID", help="this message id (repeat for several)"
    )
    g.add_argument(
        "--tagged",
        metavar="TAG",
        help="exactly the messages carrying this tag (tagged-html/-pdf: this tag's group only)",
    )


def add_verify_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sources",
        metavar="DIR",
        help="with --case: the folder the files were imported from, to re-hash every file",
    )
    p.add_argument("--bundle", metavar="DIR", help="check an evidence bundle's manifest")


def cmd_export(
    args: argparse.Namespace,
    open_case: Callable[[argparse.Namespace], Any],
    usage_error: type[Exception],
) -> int:
    from msgcopy_viewer.examiner import saved_examiner
    from msgcopy_viewer.export.outdir import ExportError
    from msgcopy_viewer.export.redact import Redactor
    from msgcopy_viewer.export.reports import run_export
    from msgcopy_viewer.export.selection import SelectionError, selection_from_args

    fmt = args.format
    if fmt not in ("jsonl", "csv") and not args.output:
        raise usage_error(
            f"--format {fmt} needs -o "
            + ("FOLDER (a new folder)" if fmt in FOLDER_FORMATS else "FILE")
        )
    if args.page_size is not None and args.page_size < 1:
        raise usage_error("--page-size must be at least 1")
    sel = selection_from_args(
        args.conversation,
        args.subscriber,
        args.date_from,
        args.date_to,
        args.tz,
        args.query,
        args.message,
        args.tagged,
    )
    redactor = Redactor.for_mode(args.redact)
    examiner = args.examiner or saved_examiner(getattr(args, "data_dir", None))
    pdf = _pdf_writer() if fmt in PDF_FORMATS else None
    progress = _Progress(fmt) if sys.stderr.isatty() and args.output else None
    with open_case(args) as case:
        try:
            result = run_export(
                case,
                sel,
                fmt,
                Path(args.output).expanduser() if args.output else None,
                redactor=redactor,
                examiner=examiner,
                page_size=args.page_size,
                pdf_writer=pdf,
                stdout=sys.stdout,
                progress=progress,
                on_resolved=None if progress is None else progress.resolved(case),
            )
        except (SelectionError, ExportError) as exc:
            raise usage_error(str(exc)) from exc
        except BrokenPipeError:
            raise  # the reader went away (``export … | head``): not an error, see cli.main
        except OSError as exc:
            where = args.output or "to standard output"
            raise usage_error(f"cannot write {where}: {exc.strerror or exc}") from exc
        finally:
            if progress is not None:
                progress.done()
    if result is not None:
        print(result, file=sys.stderr)
    return 0


class _Progress:
    """``[#####     ] 1200/4000`` on stderr, at most ten times a second (a terminal only)."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.total = 0
        self.last = 0.0
        self.shown = False

    def resolved(self, case: Any) -> Callable[[Any], None]:
        def on_resolved(sel: Any) -> None:
            from msgcopy_viewer.export.reports import work_for

            self.total = work_for(case.conn, sel, self.fmt)

        return on_resolved

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 or not self.total:
            return
        self.last = now
        frac = min(1.0, done / self.total)
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\r[{bar:<30}] {frac:4.0%}")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _pdf_writer() -> Any:
    try:
        from msgcopy_viewer.ui.report_pdf import write_pdf_report
    except ImportError as exc:  # pragma: no cover - Qt missing
        raise RuntimeError(f"PDF output needs Qt: {exc}") from exc
    return write_pdf_report


def cmd_verify(
    args: argparse.Namespace,
    case_path: Callable[[argparse.Namespace], Path],
    usage_error: type[Exception],
) -> int:
    from msgcopy_viewer.export.verify import verify_bundle, verify_case

    if args.bundle:
        if args.sources:
            raise usage_error("--sources goes with --case, not with --bundle")
        bundle = Path(args.bundle).expanduser()
        if not bundle.is_dir():
            raise usage_error(f"{bundle} is not a folder")
        report = verify_bundle(bundle)
    else:
        if not getattr(args, "case", None):
            raise usage_error("verify needs --case CASE or --bundle DIR")
        path = case_path(args)
        if not path.exists():
            raise usage_error(f"no case at {path}")
        sources = Path(args.sources).expanduser() if args.sources else None
        if sources is not None and not sources.is_dir():
            raise usage_error(f"{sources} is not a folder")
        report = verify_case(path, sources)
    for line in report.differences:
        print(line)
    print(report.summary, file=sys.stderr)
    return 0 if report.ok else 1
