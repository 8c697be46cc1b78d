"""Command line: one entry point, subcommands; no subcommand opens the desktop app.

    msgcopy-viewer [PATH...] [--case CASE] [--demo]        the app (imports PATHs)
    msgcopy-viewer import PATH... [--case CASE] [--json] [--max-file-size SIZE]
    msgcopy-viewer export [--case CASE] --format jsonl|csv|xlsx|html|pdf|bundle [-o OUT [--force]]
        [selection] [--redact numbers|text|both]          (see cli_export.py)
    msgcopy-viewer verify --case CASE [--sources DIR] | --bundle DIR
    msgcopy-viewer extract-media [--case CASE] -o DIR [--conversation ID]
    msgcopy-viewer ledger [--case CASE] [--batch N] [--json]
    msgcopy-viewer demo-data OUTDIR [--messages N] [--seed S]
    msgcopy-viewer serve | send | watch …    live sources (see msgcopy_viewer.receiver.commands)
    msgcopy-viewer selftest
    msgcopy-viewer install-desktop [--exec PATH] [--uninstall]
    msgcopy-viewer tag MESSAGE_ID... --tag NAME [--remove] [--note TEXT]   (annotate_cli)
    msgcopy-viewer tags | names import FILE | names list | audit           (annotate_cli)

Global options (--case, --data-dir, -v) may come before or after the subcommand.

Exit status: 0 success; 1 some input files rejected or a named path missing (the rest
imported); 2 usage error, unusable case, or a storage failure such as a full disk (one
line on stderr, no traceback); 70 an internal error (a bug: the traceback is printed);
130 an import interrupted by Ctrl-C, 143 one stopped by SIGTERM (the batch is
"interrupted" either way).
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from msgcopy_viewer import about, annotate_cli, cli_export, paths
from msgcopy_viewer.core.text_safety import escape_line
from msgcopy_viewer.core.wording import counted, plural

log = logging.getLogger("msgcopy_viewer")

SUBCOMMANDS = (
    "import",
    "export",
    "verify",
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
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # Ctrl-C (SIGINT), kill (SIGTERM): 128 + signal

# Options that may come before or after the subcommand: (flag, takes a value).
GLOBAL_OPTIONS = {"--case": True, "--data-dir": True, "-v": False, "--verbose": False}

CASE_HELP_CREATES = (
    "case file to use (created if missing; default: the default case in the data folder)"
)
CASE_HELP_READS = (
    "case file to read (it must exist, and is not changed; default: the default case in "
    "the data folder)"
)
CASE_HELP_ANNOTATES = (
    "case file whose annotations to change or list (it must exist; imported messages are "
    "never changed; default: the default case in the data folder)"
)
CASE_HELP_GLOBAL = (
    "case file (import and the app create it if missing; tag, tags and names change only "
    "its annotations; the other commands only read it; "
    "default: the default case in the data folder)"
)


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


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so that an import ends as Ctrl-C ends it."""

    how = "SIGTERM"  # the batch's reason says so (ingest.pipeline)


def _common(p: argparse.ArgumentParser, *, case_help: str, suppress: bool = True) -> None:
    """The global options. In a subcommand they default to SUPPRESS, so that a value
    given before the subcommand is not overwritten by the subcommand's default."""
    default = argparse.SUPPRESS if suppress else None
    p.add_argument("--case", metavar="CASE", default=default, help=case_help)
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default,
        help=f"data folder (default case, demo case, logs); default: {paths.data_dir()}",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="log more to stderr",
    )


def _parse_size(text: str) -> int:
    """``64M``, ``1G``, ``500k``, ``123456`` → bytes (binary multiples)."""
    units = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    raw = text.strip().lower().removesuffix("b").removesuffix("i")
    num, unit = (raw[:-1], raw[-1]) if raw[-1:] in units and raw[-1:] else (raw, "")
    try:
        value = int(float(num) * units[unit])
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 64M or 1G)") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the size must be at least 1 byte")
    return value


def _configure_import(p: argparse.ArgumentParser) -> None:
    from msgcopy_viewer.ingest.scanner import MAX_FILE_BYTES

    p.add_argument("paths", nargs="+", metavar="PATH")
    _common(p, case_help=CASE_HELP_CREATES)
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for parsing (default: one more than the cores, at most 4)",
    )
    p.add_argument(
        "--max-file-size",
        type=_parse_size,
        default=MAX_FILE_BYTES,
        metavar="SIZE",
        help=f"refuse files and zip members larger than this (default: "
        f"{MAX_FILE_BYTES >> 20}M; see docs/security.md)",
    )


def _configure_export(p: argparse.ArgumentParser) -> None:
    _common(p, case_help=CASE_HELP_READS)
    cli_export.add_export_arguments(p)
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")


def _configure_verify(p: argparse.ArgumentParser) -> None:
    _common(p, case_help=CASE_HELP_READS)
    cli_export.add_verify_arguments(p)


def _configure_extract_media(p: argparse.ArgumentParser) -> None:
    _common(p, case_help=CASE_HELP_READS)
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument("--conversation", metavar="ID", help="only this conversation")


def _configure_ledger(p: argparse.ArgumentParser) -> None:
    _common(p, case_help=CASE_HELP_READS)
    p.add_argument("--batch", type=int, metavar="N", help="import batch (default: the latest)")
    p.add_argument("--json", action="store_true")


def _configure_demo_data(p: argparse.ArgumentParser) -> None:
    p.add_argument("outdir", metavar="OUTDIR")
    p.add_argument("--messages", type=int, default=3000, metavar="N")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )


# name -> (one-line help, adds the subcommand's arguments); handlers are in _handlers().
# A new subcommand adds a line here, a handler there, and its name to SUBCOMMANDS.
_COMMANDS: dict[str, tuple[str, Any]] = {
    "import": ("import folders, files and zip archives into a case", _configure_import),
    "export": ("export messages: JSONL, CSV, XLSX, HTML, PDF, bundle", _configure_export),
    "verify": ("re-check a case's hashes, or a bundle's manifest", _configure_verify),
    "extract-media": (
        "write every MMS part to a folder with manifests",
        _configure_extract_media,
    ),
    "ledger": ("list what an import did with every file", _configure_ledger),
    "demo-data": ("generate a realistic demo corpus", _configure_demo_data),
}


def _build(
    with_subparsers: dict[str, argparse.ArgumentParser] | None = None,
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msgcopy-viewer",
        description="Import, browse, search and export Message Copy SMS/MMS data.",
        epilog="Without a subcommand the desktop app opens. Subcommands: "
        + ", ".join(SUBCOMMANDS[:-1])
        + ". Use 'msgcopy-viewer help SUBCOMMAND' or 'msgcopy-viewer SUBCOMMAND --help'. "
        "--case, --data-dir and -v may come before or after the subcommand.",
    )
    parser.add_argument("--version", action=VersionAction)
    _common(parser, case_help=CASE_HELP_GLOBAL, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    for name, (help_text, configure) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:])
        configure(p)
    from msgcopy_viewer.receiver import commands as live_sources

    # serve and watch import into the case (creating it), as import does
    live_sources.add_parsers(sub, functools.partial(_common, case_help=CASE_HELP_CREATES))

    p = sub.add_parser("selftest", help="check this installation end to end (no display needed)")
    p.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")

    p = sub.add_parser(
        "install-desktop",
        help="add the menu entry, icon and .mcase file type for this user (Linux)",
    )
    p.add_argument("--exec", dest="executable", metavar="PATH", help="program the entry starts")
    p.add_argument("--uninstall", action="store_true", help="remove them instead")
    p.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)
    annotate_cli.register(sub, functools.partial(_common, case_help=CASE_HELP_ANNOTATES))
    if with_subparsers is not None:
        with_subparsers.update(sub.choices)
    return parser


def build_parser() -> argparse.ArgumentParser:
    return _build()


def build_gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msgcopy-viewer",
        description="Open the msgcopy-viewer desktop app (and import PATHs into the case). "
        "Subcommands: " + ", ".join(SUBCOMMANDS[:-1]) + "; see 'msgcopy-viewer help'.",
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("paths", nargs="*", metavar="PATH", help="import these after opening")
    _common(parser, case_help=CASE_HELP_CREATES, suppress=False)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the demo case (generated on first use in the data folder)",
    )
    return parser


def _subcommand_at(args: Sequence[str]) -> int | None:
    """Where the subcommand is in ``args`` (after any global options), or None."""
    i = 0
    while i < len(args):
        a = args[i]
        if a in GLOBAL_OPTIONS:
            i += 2 if GLOBAL_OPTIONS[a] else 1
            continue
        if a.startswith(("--case=", "--data-dir=")):
            i += 1
            continue
        return i if a in SUBCOMMANDS else None
    return None


def _help(topic: Sequence[str]) -> int:
    parsers: dict[str, argparse.ArgumentParser] = {}
    main_parser = _build(parsers)
    if not topic:
        main_parser.print_help()
        return EXIT_OK
    if topic[0] in parsers:
        parsers[topic[0]].print_help()
        return EXIT_OK
    print(
        f"msgcopy-viewer: no help for {topic[0]!r} (subcommands are: "
        f"{', '.join(SUBCOMMANDS[:-1])})",
        file=sys.stderr,
    )
    return EXIT_USAGE


def _handlers() -> dict[str, Any]:
    return {
        "import": cmd_import,
        "export": cmd_export,
        "verify": cmd_verify,
        "extract-media": cmd_extract_media,
        "ledger": cmd_ledger,
        "demo-data": cmd_demo_data,
        **_live_source_handlers(),
        "selftest": cmd_selftest,
        "install-desktop": cmd_install_desktop,
        **annotate_cli.handlers(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    at = _subcommand_at(args_list)
    try:
        if at is not None and args_list[at] == "help":
            return _help(args_list[at + 1 :])
        if at is not None:
            args = build_parser().parse_args(args_list)
        else:
            qt_args, args_list = _gui_qt_options(args_list)
            args = build_gui_parser().parse_args(args_list)
            args.command = None
            args.qt_args = qt_args
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    for name in ("case", "data_dir"):
        if not hasattr(args, name):
            setattr(args, name, None)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from msgcopy_viewer.store.case import CaseError

    try:
        if args.command is None:
            return _run_gui(args)
        return int(_handlers()[args.command](args))
    except (UsageError, CaseError, annotate_cli.WorkbenchUsageError) as exc:
        print(f"msgcopy-viewer: {escape_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        how = "stopped (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        print(f"msgcopy-viewer: {how}", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
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
            f"\r[{bar:<{width}}] {p.files_done}/{counted(p.files_total, 'file')}  "
            f"{mb:.1f}/{p.bytes_total / 1e6:.1f} MB  {rate:.1f} MB/s{eta}  "
            f"{counted(p.messages_imported, 'message')}"
        )
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While an import runs, SIGTERM (``kill``) stops it as Ctrl-C does: the batch is
    recorded as ``interrupted`` at once (a SIGKILL is recorded so by the next import)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def cmd_import(args: argparse.Namespace) -> int:
    from msgcopy_viewer.ingest.pipeline import Importer
    from msgcopy_viewer.ingest.scanner import ScanLimits

    case_path = _case_path(args)
    if not args.case:
        case_path.parent.mkdir(parents=True, exist_ok=True)
    missing = [p for p in args.paths if not os.path.exists(Path(p).expanduser())]
    present = [p for p in args.paths if p not in missing]
    if not present:
        raise UsageError(
            "nothing to import: " + ", ".join(f"{m}: no such file or folder" for m in missing)
        )
    for m in missing:  # named beside good ones: said so, and not a file the ledger saw
        print(
            f"msgcopy-viewer: {escape_line(m)}: no such file or folder (not imported)",
            file=sys.stderr,
        )
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    bar = _ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.json else None
    importer = Importer(
        case_path,
        progress=bar,
        workers=args.workers,
        limits=ScanLimits(max_file_bytes=args.max_file_size),
    )
    try:
        with _sigterm_as_interrupt():
            report = importer.run(present)
    finally:
        if bar is not None:
            bar.done()
    if args.json:
        summary = report.to_json()
        summary["missing"] = list(missing)
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"case: {escape_line(report.case)}")
        print(
            f"{counted(report.files_seen, 'file')} seen: {report.files_imported} imported, "
            f"{report.duplicates} duplicate, {len(report.rejected)} rejected, "
            f"{len(report.skipped)} skipped; {report.messages_imported} new "
            f"{plural(report.messages_imported, 'message')} "
            f"({report.elapsed_s:.1f} s)"
        )
        for e in report.rejected:
            print(f"rejected: {escape_line(e.path)}: {escape_line(e.reason or '')}")
        for m in missing:
            print(f"missing: {escape_line(m)}: no such file or folder")
    return EXIT_REJECTED if report.rejected or missing else EXIT_OK


# -- export ---------------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    if args.output and not args.force:
        out = Path(args.output).expanduser()
        if out.is_file() or out.is_symlink():
            raise UsageError(f"{out} already exists; add --force to replace it")
    return cli_export.cmd_export(args, _open_existing, UsageError)


def cmd_verify(args: argparse.Namespace) -> int:
    return cli_export.cmd_verify(args, _case_path, UsageError)


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
        f"wrote {counted(result.files, 'file')} ({counted(result.bytes, 'byte')}) to "
        f"{escape_line(str(result.outdir))}; "
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
        print(f"import batch {batch_id} ({info.status}): {counted(len(rows), 'file')}")
        if info.reason:
            print(f"stopped: {escape_line(info.reason)}")
        for r in rows:
            # One line per file, whatever its name holds (escape_line: no forged lines)
            reason = f"  ({escape_line(r.reason)})" if r.reason else ""
            print(f"{r.outcome:<10} {escape_line(r.path)}{reason}")
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
        f"wrote {counted(len(summary.files), 'file')} ({counted(summary.messages, 'message')}, "
        f"{counted(summary.subscribers, 'subscriber')}) to {out}"
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
        f"{counted(report.messages_imported, 'message')} imported; "
        f"{counted(len(report.rejected), 'file')} rejected "
        "(the demo corpus contains deliberately malformed files)",
        file=sys.stderr,
    )
    marker.write_text("ok\n")
    return case_path


def _run_gui(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).expanduser().exists()]
    if missing:
        raise UsageError(
            "; ".join(f"{escape_line(m)}: no such file or folder" for m in missing)
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
