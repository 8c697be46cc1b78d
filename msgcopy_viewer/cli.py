"""Command line: one entry point, subcommands; no subcommand opens the desktop app.

    msgcopy-viewer [PATH...] [--case CASE] [--demo]        the app (imports PATHs)
    msgcopy-viewer import PATH... [--case CASE] [--json]
    msgcopy-viewer export [--case CASE] --format jsonl|csv [-o FILE] [--conversation ID]
    msgcopy-viewer extract-media [--case CASE] -o DIR [--conversation ID]
    msgcopy-viewer ledger [--case CASE] [--batch N] [--json]
    msgcopy-viewer demo-data OUTDIR [--messages N] [--seed S]
    msgcopy-viewer serve | send | watch …    live sources (see msgcopy_viewer.receiver.commands)
    msgcopy-viewer selftest
    msgcopy-viewer install-desktop [--exec PATH] [--uninstall]
    msgcopy-viewer tag MESSAGE_ID... --tag NAME [--remove] [--note TEXT]   (annotate_cli)
    msgcopy-viewer tags | names import FILE | names list | audit           (annotate_cli)

Exit status: 0 success; 1 some input files rejected (the rest imported); 2 usage
error, unusable case, or a storage failure such as a full disk (one line on stderr, no
traceback); 70 an internal error (a bug: the traceback is printed); 130 interrupted.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from msgcopy_viewer import about, annotate_cli, paths

log = logging.getLogger("msgcopy_viewer")

SUBCOMMANDS = (
    "import",
    "export",
    "extract-media",
    "ledger",
    "demo-data",
    "serve",
    "send",
    "watch",
    "selftest",
    "install-desktop",
    *annotate_cli.SUBCOMMANDS,
    "help",
)
EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
EXIT_BUG = 70  # EX_SOFTWARE: an internal error


class UsageError(Exception):
    """A problem the user can fix; printed without a traceback, exit 2."""


def version_text() -> str:
    """The app's version and the Qt, PySide6 and Python it runs on (QtCore only: no
    widgets, no display)."""
    try:
        from msgcopy_viewer.ui.qt_info import qt_versions

        qt, pyside = qt_versions()
    except ImportError as exc:
        log.info("Qt cannot be loaded: %s", exc)
        return about.version_text(None, None)
    return about.version_text(qt, pyside)


class VersionAction(argparse.Action):
    """``--version``: print :func:`version_text` and exit (Qt is loaded only then)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show the version (and Qt's, PySide6's, Python's) and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        print(version_text())
        parser.exit()


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--case",
        metavar="CASE",
        help="case file to use (created if missing; default: the default case in the data folder)",
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"data folder (default case, demo case, logs); default: {paths.data_dir()}",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msgcopy-viewer",
        description="Import, browse, search and export Message Copy SMS/MMS data.",
        epilog="Without a subcommand the desktop app opens. Subcommands: "
        + ", ".join(SUBCOMMANDS[:-1])
        + ". Use 'msgcopy-viewer SUBCOMMAND --help'.",
    )
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")

    p = sub.add_parser("import", help="import folders, files and zip archives into a case")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _common(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for parsing (default: one more than the cores, at most 4)",
    )

    p = sub.add_parser("export", help="export every message as JSON Lines or CSV")
    _common(p)
    p.add_argument("--format", required=True, choices=("jsonl", "csv"))
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    p.add_argument("--conversation", metavar="ID", help="only this conversation")
    p.add_argument("--tagged", metavar="TAG", help="only the messages carrying this tag")

    p = sub.add_parser("extract-media", help="write every MMS part to a folder with manifests")
    _common(p)
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument("--conversation", metavar="ID", help="only this conversation")

    p = sub.add_parser("ledger", help="list what an import did with every file")
    _common(p)
    p.add_argument("--batch", type=int, metavar="N", help="import batch (default: the latest)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("demo-data", help="generate a realistic demo corpus")
    p.add_argument("outdir", metavar="OUTDIR")
    p.add_argument("--messages", type=int, default=3000, metavar="N")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)

    from msgcopy_viewer.receiver import commands as live_sources

    live_sources.add_parsers(sub, _common)

    p = sub.add_parser("selftest", help="check this installation end to end (no display needed)")
    p.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")

    p = sub.add_parser(
        "install-desktop",
        help="add the menu entry, icon and .mcase file type for this user (Linux)",
    )
    p.add_argument("--exec", dest="executable", metavar="PATH", help="program the entry starts")
    p.add_argument("--uninstall", action="store_true", help="remove them instead")
    p.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    annotate_cli.register(sub, _common)
    return parser


def build_gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msgcopy-viewer",
        description="Open the msgcopy-viewer desktop app (and import PATHs into the case). "
        "Subcommands: " + ", ".join(SUBCOMMANDS[:-1]) + "; see 'msgcopy-viewer help'.",
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("paths", nargs="*", metavar="PATH", help="import these after opening")
    _common(parser)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the demo case (generated on first use in the data folder)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and args_list[0] in SUBCOMMANDS:
            if args_list[0] == "help":
                build_parser().print_help()
                return EXIT_OK
            args = build_parser().parse_args(args_list)
        else:
            qt_args, args_list = _gui_qt_options(args_list)
            args = build_gui_parser().parse_args(args_list)
            args.command = None
            args.qt_args = qt_args
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from msgcopy_viewer.store.case import CaseError

    try:
        if args.command is None:
            return _run_gui(args)
        handler = {
            "import": cmd_import,
            "export": cmd_export,
            "extract-media": cmd_extract_media,
            "ledger": cmd_ledger,
            "demo-data": cmd_demo_data,
            **_live_source_handlers(),
            "selftest": cmd_selftest,
            "install-desktop": cmd_install_desktop,
            **annotate_cli.handlers(),
        }[args.command]
        return handler(args)
    except (UsageError, CaseError, annotate_cli.WorkbenchUsageError) as exc:
        print(f"msgcopy-viewer: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("msgcopy-viewer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:
        # Not the user's input, not the environment (those are CaseError/UsageError):
        # a bug. The traceback goes to stderr so it can be reported.
        log.exception("internal error")
        print(
            "msgcopy-viewer: internal error (a bug in msgcopy-viewer); the traceback is above",
            file=sys.stderr,
        )
        return EXIT_BUG


def _gui_qt_options(args_list: list[str]) -> tuple[list[str], list[str]]:
    """Qt's own options (``-style fusion``, ``-platform offscreen``, ``-reverse`` …) are
    for QApplication, not paths to import: (them, the rest for the GUI parser)."""
    from msgcopy_viewer.qt_options import split_qt_options

    return split_qt_options(args_list)


def _live_source_handlers() -> dict[str, Callable[[argparse.Namespace], int]]:
    from msgcopy_viewer.receiver.commands import HANDLERS

    return dict(HANDLERS)


def _case_path(args: argparse.Namespace) -> Path:
    if args.case:
        return Path(args.case).expanduser()
    return paths.default_case_path(args.data_dir)


def _open_existing(args: argparse.Namespace) -> Any:
    from msgcopy_viewer.store.case import Case

    path = _case_path(args)
    if not path.exists():
        raise UsageError(f"no case at {path} (import something into it first)")
    return Case.open(path, create=False)


# -- import ---------------------------------------------------------------------------------
class _ProgressBar:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.last = 0.0

    def __call__(self, p: Any) -> None:
        import time

        now = time.monotonic()
        if now - self.last < 0.1 and p.files_done < p.files_total:
            return
        self.last = now
        frac = p.files_done / p.files_total if p.files_total else 1.0
        width = 30
        bar = "#" * int(frac * width)
        mb = p.bytes_done / 1e6
        rate = mb / p.elapsed_s if p.elapsed_s > 0 else 0.0
        left = p.seconds_left()
        eta = f"  {left:.0f} s left" if left is not None and p.files_done < p.files_total else ""
        self.stream.write(
            f"\r[{bar:<{width}}] {p.files_done}/{p.files_total} files  "
            f"{mb:.1f}/{p.bytes_total / 1e6:.1f} MB  {rate:.1f} MB/s{eta}  "
            f"{p.messages_imported} messages"
        )
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def cmd_import(args: argparse.Namespace) -> int:
    from msgcopy_viewer.ingest.pipeline import Importer

    case_path = _case_path(args)
    if not args.case:
        case_path.parent.mkdir(parents=True, exist_ok=True)
    missing = [p for p in args.paths if not Path(p).expanduser().exists()]
    if missing and len(missing) == len(args.paths):
        raise UsageError(
            "nothing to import: " + ", ".join(f"{m}: no such file or folder" for m in missing)
        )
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    bar = _ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.json else None
    importer = Importer(case_path, progress=bar, workers=args.workers)
    try:
        report = importer.run(args.paths)
    finally:
        if bar is not None:
            bar.done()
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"case: {report.case}")
        print(
            f"{report.files_seen} files seen: {report.files_imported} imported, "
            f"{report.duplicates} duplicate, {len(report.rejected)} rejected, "
            f"{len(report.skipped)} skipped; {report.messages_imported} new messages "
            f"({report.elapsed_s:.1f} s)"
        )
        for e in report.rejected:
            print(f"rejected: {e.path}: {e.reason}")
    return EXIT_REJECTED if report.rejected else EXIT_OK


# -- export ---------------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    from msgcopy_viewer.export.atomic import atomic_text_writer
    from msgcopy_viewer.export.csv_export import write_csv
    from msgcopy_viewer.export.jsonl import write_jsonl
    from msgcopy_viewer.store.browse import conversation_exists

    with _open_existing(args) as case:
        if args.conversation and not conversation_exists(case.conn, args.conversation):
            raise UsageError(f"no conversation {args.conversation} in {case.path}")
        if args.tagged is not None:
            from msgcopy_viewer.store.annotations import require_tag

            require_tag(case.conn, args.tagged)  # an unknown tag: one line, nothing written
        write = functools.partial(
            write_jsonl if args.format == "jsonl" else write_csv, tagged=args.tagged
        )
        if args.output:
            out = Path(args.output).expanduser()
            if out.is_dir():
                raise UsageError(f"{out} is a folder; give a file name")
            if not out.parent.is_dir():
                raise UsageError(f"cannot write {out}: the folder {out.parent} does not exist")
            try:
                with atomic_text_writer(out, newline="") as fh:
                    n = write(case, fh, args.conversation)
            except OSError as exc:
                raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from exc
            print(f"wrote {n} messages to {out}", file=sys.stderr)
        else:
            stdout = sys.stdout
            if hasattr(stdout, "reconfigure"):
                stdout.reconfigure(encoding="utf-8", newline="")
            write(case, stdout, args.conversation)
            stdout.flush()
    return EXIT_OK


def cmd_extract_media(args: argparse.Namespace) -> int:
    from msgcopy_viewer.export.media import MediaExportError, extract_media
    from msgcopy_viewer.store.browse import conversation_exists

    with _open_existing(args) as case:
        if args.conversation and not conversation_exists(case.conn, args.conversation):
            raise UsageError(f"no conversation {args.conversation} in {case.path}")
        try:
            result = extract_media(case, Path(args.output).expanduser(), args.conversation)
        except MediaExportError as exc:
            raise UsageError(str(exc)) from exc
    print(
        f"wrote {result.files} files ({result.bytes} bytes) to {result.outdir}; "
        f"manifests: manifest.sha256, manifest.csv",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_ledger(args: argparse.Namespace) -> int:
    from msgcopy_viewer.store import ledger

    with _open_existing(args) as case:
        batch_id = args.batch
        if batch_id is None:
            batch_id = ledger.latest_batch_id(case.conn)
            if batch_id is None:
                raise UsageError(f"{case.path} has no imports yet")
        info = ledger.batch(case.conn, batch_id)
        if info is None:
            raise UsageError(f"no import batch {batch_id} in {case.path}")
        rows = ledger.rows(case.conn, batch_id)
    if args.json:
        json.dump(
            {
                "batch": batch_id,
                "status": info.status,
                "reason": info.reason,
                "roots": info.roots,
                "files": [
                    {
                        "path": r.path,
                        "outcome": r.outcome,
                        "reason": r.reason,
                        "size": r.size,
                        "sha256": r.sha256,
                    }
                    for r in rows
                ],
            },
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
    else:
        print(f"import batch {batch_id} ({info.status}): {len(rows)} files")
        if info.reason:
            print(f"stopped: {info.reason}")
        for r in rows:
            print(f"{r.outcome:<10} {r.path}" + (f"  ({r.reason})" if r.reason else ""))
    return EXIT_OK


# -- demo data ------------------------------------------------------------------------------
def cmd_demo_data(args: argparse.Namespace) -> int:
    from msgcopy_viewer.demo.generator import generate_demo

    if args.messages < 1:
        raise UsageError("--messages must be at least 1")
    out = Path(args.outdir).expanduser()
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty; give a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    summary = generate_demo(out, messages=args.messages, seed=args.seed)
    print(
        f"wrote {len(summary.files)} files ({summary.messages} messages, "
        f"{summary.subscribers} subscribers) to {out}"
    )
    return EXIT_OK


# -- selftest -------------------------------------------------------------------------------
def cmd_selftest(args: argparse.Namespace) -> int:
    from msgcopy_viewer import selftest

    return selftest.main(sys.stdout, sys.stderr)


def cmd_install_desktop(args: argparse.Namespace) -> int:
    from msgcopy_viewer import desktop_install as di

    try:
        if args.uninstall:
            files = di.uninstall()
            verb = "removed"
        else:
            files = di.install(args.executable or di.default_executable())
            verb = "installed"
    except di.DesktopInstallError as exc:
        raise UsageError(str(exc)) from exc
    for f in files:
        print(f"{verb} {f}")
    return EXIT_OK


def ensure_demo_case(data_dir: str | None) -> Path:
    """Generate the demo corpus and import it into the demo case, once."""
    from msgcopy_viewer.demo.generator import generate_demo
    from msgcopy_viewer.ingest.pipeline import Importer

    case_path = paths.demo_case_path(data_dir)
    corpus = paths.demo_corpus_dir(data_dir)
    marker = case_path.with_suffix(".ready")
    if case_path.exists() and marker.exists():
        return case_path
    case_path.parent.mkdir(parents=True, exist_ok=True)
    if not corpus.exists() or not any(corpus.iterdir()):
        print(f"generating the demo corpus in {corpus} …", file=sys.stderr)
        corpus.mkdir(parents=True, exist_ok=True)
        generate_demo(corpus)
    print(f"importing it into {case_path} …", file=sys.stderr)
    report = Importer(case_path, origin="demo").run([corpus])
    print(
        f"{report.messages_imported} messages imported; {len(report.rejected)} files "
        f"rejected (the demo corpus contains deliberately malformed files)",
        file=sys.stderr,
    )
    marker.write_text("ok\n")
    return case_path


def _run_gui(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).expanduser().exists()]
    if missing:
        raise UsageError(
            "; ".join(f"{m}: no such file or folder" for m in missing)
            + f" (subcommands are: {', '.join(SUBCOMMANDS)})"
        )
    case_path: Path | None = None
    paths_ = list(args.paths)
    if open_case_argument(args):  # "Open with" on a .mcase file: open it, import nothing
        case_path, paths_ = Path(paths_[0]).expanduser(), []
    elif args.demo:
        case_path = ensure_demo_case(args.data_dir)
    elif args.case:
        case_path = Path(args.case).expanduser()
    try:
        from msgcopy_viewer.ui.app import run_app
    except ImportError as exc:
        raise UsageError(f"the desktop app cannot start: {exc}") from exc
    return run_app(
        case_path=case_path,
        import_paths=paths_,
        data_dir=args.data_dir,
        qt_args=list(getattr(args, "qt_args", [])),
    )


def open_case_argument(args: argparse.Namespace) -> bool:
    """True when the only PATH is a case file (``*.mcase``) and no case was named."""
    return (
        len(args.paths) == 1
        and Path(args.paths[0]).suffix.lower() == ".mcase"
        and Path(args.paths[0]).expanduser().is_file()
        and not args.case
        and not args.demo
    )
