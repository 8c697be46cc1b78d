"""Command-line handlers for the examiner's workbench (registered by ``cli.py``).

    msgcopy-viewer tag MESSAGE_ID... --tag NAME [--remove] [--note TEXT] [--bookmark|--unbookmark]
    msgcopy-viewer tags [--json] [--add NAME [--color #RRGGBB]] [--delete NAME]
    msgcopy-viewer names import FILE [--region CC]      (CSV number,name or vCard)
    msgcopy-viewer names list [--json]
    msgcopy-viewer audit [--json]

Every change is recorded in the case's audit log under the examiner's name
(``--examiner``, else the app's saved name, else the login name).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from msgcopy_viewer import paths
from msgcopy_viewer.core.events import format_utc_ms
from msgcopy_viewer.core.text_safety import escape_line
from msgcopy_viewer.examiner import examiner_name

SUBCOMMANDS = ("tag", "tags", "names", "audit")
DEFAULT_COLOR = "#3d8bd9"


class WorkbenchUsageError(Exception):
    """Printed as one line, exit 2 (``cli`` turns it into its UsageError)."""


def _case_args(
    p: argparse.ArgumentParser, common: Callable[[argparse.ArgumentParser], None]
) -> None:
    common(p)
    p.add_argument(
        "--examiner", metavar="NAME", help="who makes the change (recorded in the audit log)"
    )


def _print_json(obj: object) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the workbench subcommands to ``cli``'s subparsers."""
    p = sub.add_parser("tag", help="tag, note or bookmark messages (by message id)")
    p.add_argument(
        "message_ids",
        nargs="+",
        metavar="MESSAGE_ID",
        help="message ids; '-' reads them from stdin",
    )
    p.add_argument("--tag", metavar="NAME", help="the tag to add (or take away with --remove)")
    p.add_argument("--remove", action="store_true", help="take the tag away instead")
    p.add_argument("--note", metavar="TEXT", help="set each message's note ('' removes it)")
    mark = p.add_mutually_exclusive_group()
    mark.add_argument("--bookmark", action="store_true", help="bookmark the messages")
    mark.add_argument("--unbookmark", action="store_true", help="remove their bookmarks")
    _case_args(p, common)

    p = sub.add_parser("tags", help="list the case's tags with counts; add or delete a tag")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.add_argument("--add", metavar="NAME", help="add a tag to the case's list")
    p.add_argument("--color", metavar="#RRGGBB", default=DEFAULT_COLOR, help="its colour")
    p.add_argument("--delete", metavar="NAME", help="delete a tag (from every message too)")
    _case_args(p, common)

    p = sub.add_parser("names", help="names for numbers: import a CSV or vCard file, list")
    names = p.add_subparsers(dest="names_command", metavar="ACTION", required=True)
    q = names.add_parser("import", help="import number,name (CSV) or vCard (.vcf) names")
    q.add_argument("file", metavar="FILE")
    q.add_argument(
        "--region",
        metavar="CC",
        help="country (ISO code) national numbers are read in (default: the subscribers')",
    )
    _case_args(q, common)
    q = names.add_parser("list", help="list the case's names")
    q.add_argument("--json", action="store_true")
    _case_args(q, common)

    p = sub.add_parser("audit", help="print the case's audit log (who changed what, when)")
    p.add_argument("--json", action="store_true")
    _case_args(p, common)


def handlers() -> dict[str, Callable[[argparse.Namespace], int]]:
    return {"tag": cmd_tag, "tags": cmd_tags, "names": cmd_names, "audit": cmd_audit}


def _open(args: argparse.Namespace) -> Any:
    from msgcopy_viewer.store.case import Case

    path = Path(args.case).expanduser() if args.case else paths.default_case_path(args.data_dir)
    if not path.exists():
        raise WorkbenchUsageError(f"no case at {path} (import something into it first)")
    return Case.open(path, create=False)


def _who(args: argparse.Namespace) -> str:
    """``--examiner``, else the name the app saved, else the login (``examiner_name``)."""
    return examiner_name(getattr(args, "examiner", None), args.data_dir)


def _message_ids(args: argparse.Namespace) -> list[str]:
    ids: list[str] = []
    for given in args.message_ids:
        if given == "-":
            ids.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            ids.append(given.strip())
    if not ids:
        raise WorkbenchUsageError("no message ids given")
    return ids


def cmd_tag(args: argparse.Namespace) -> int:
    from msgcopy_viewer.store import annotations as an

    if args.tag is None and args.note is None and not (args.bookmark or args.unbookmark):
        raise WorkbenchUsageError("say what to do: --tag NAME, --note TEXT or --bookmark")
    if args.remove and args.tag is None:
        raise WorkbenchUsageError("--remove takes away the tag given with --tag NAME")
    ids = _message_ids(args)
    who = _who(args)
    said: list[str] = []
    # one transaction for the whole command (each change below is a savepoint of it): a
    # refused part (a note too long) leaves the tag and bookmark of the same command undone
    with _open(args) as case:
        an.require_writable(case)
        with case.transaction():
            _tag_in(case, args, ids, who, said)
    for line in said:
        print(escape_line(line))
    return 0


def _tag_in(case: Any, args: argparse.Namespace, ids: list[str], who: str, said: list[str]) -> None:
    """The changes ``tag`` asks for, inside the command's transaction; what each changed
    goes into ``said`` (printed once it is committed)."""
    from msgcopy_viewer.store import annotations as an

    rowids = an.rowids_of(case.conn, ids)
    if args.tag is not None:
        an.require_tag(case.conn, args.tag)
    if args.tag is not None and args.remove:
        changed = an.untag_messages(case, rowids, args.tag, examiner=who)
        said.append(f"{args.tag}: taken from {len(changed)} of {len(rowids)} messages")
    elif args.tag is not None:
        changed = an.tag_messages(case, rowids, args.tag, examiner=who)
        said.append(f"{args.tag}: given to {len(changed)} of {len(rowids)} messages")
    if args.note is not None:
        new = args.note.strip("\n") if args.note.strip() else None
        befores = an.set_notes(case, dict.fromkeys(rowids, args.note), examiner=who)
        n = sum(1 for b in befores.values() if b != new)
        said.append(f"note {'removed from' if new is None else 'set on'} {n} messages")
    if args.bookmark or args.unbookmark:
        changed = an.set_bookmarks(case, rowids, args.bookmark, examiner=who)
        what = "bookmarked" if args.bookmark else "un-bookmarked"
        said.append(f"{what} {len(changed)} of {len(rowids)} messages")


def cmd_tags(args: argparse.Namespace) -> int:
    from msgcopy_viewer.store import annotations as an

    said: list[str] = []
    with _open(args) as case:
        if args.add or args.delete:
            an.require_writable(case)
            # one transaction: a refused --delete leaves the --add of the command undone
            with case.transaction():
                if args.add:
                    tag = an.create_tag(case, args.add, args.color, examiner=_who(args))
                    said.append(f"added the tag {tag.name} ({tag.color})")
                if args.delete:
                    gone = an.require_tag(case.conn, args.delete)
                    n = an.delete_tag(case, args.delete, examiner=_who(args))
                    said.append(f"deleted the tag {gone.name} (it was on {n} messages)")
        counts = an.tag_counts(case.conn)
    for line in said:
        print(escape_line(line), file=sys.stderr)
    if args.json:
        _print_json(
            [
                {
                    "name": c.tag.name,
                    "color": c.tag.color,
                    "messages": c.messages,
                    "conversations": c.conversations,
                }
                for c in counts
            ]
        )
    else:
        width = max((len(c.tag.name) for c in counts), default=4)
        for c in counts:
            print(
                escape_line(
                    f"{c.tag.name:<{width}}  {c.tag.color}  {c.messages} messages"
                    + (f", {c.conversations} conversations" if c.conversations else "")
                )
            )
    return 0


def cmd_names(args: argparse.Namespace) -> int:
    from msgcopy_viewer.core.address_book import AddressBookError
    from msgcopy_viewer.store.names import load_names, read_names_file, set_names

    if args.names_command == "list":
        with _open(args) as case:
            entries = load_names(case.conn).entries()
        if args.json:
            _print_json(
                [
                    {
                        "number": e.key,
                        "name": e.name,
                        "written": e.number,
                        "source": e.source,
                        "origin": e.origin,
                    }
                    for e in entries
                ]
            )
        else:
            for e in entries:
                print(escape_line(f"{e.key}  {e.name}  ({e.provenance})"))
        return 0
    path = Path(args.file).expanduser()
    try:
        book = read_names_file(path)
    except AddressBookError as exc:
        raise WorkbenchUsageError(str(exc)) from exc
    region = args.region.upper() if args.region else None
    if region is not None:
        import phonenumbers

        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise WorkbenchUsageError(f"--region {args.region}: not a country code (e.g. US, GB)")
    with _open(args) as case:
        result = set_names(
            case, book.entries, source="file", origin=path.name, examiner=_who(args), region=region
        )
    print(
        f"{result.added} names added, {result.changed} changed, {result.unchanged} unchanged "
        f"from {path.name}"
    )
    for problem in book.problems + result.problems:
        print(f"skipped: {escape_line(problem)}", file=sys.stderr)
    return 0


AUDIT_PAGE = 2000


def _audit_pages(conn: Any) -> Any:
    """The audit log, oldest first, a page at a time (a case's log may hold millions)."""
    from msgcopy_viewer.store.annotations import audit_log

    after: int | None = None
    while True:
        page = audit_log(conn, after=after, limit=AUDIT_PAGE)
        yield from page
        if len(page) < AUDIT_PAGE:
            return
        after = page[-1].id


def cmd_audit(args: argparse.Namespace) -> int:
    out = sys.stdout
    with _open(args) as case:
        if args.json:
            # a JSON array written an entry at a time, as json.dump(indent=2) writes it
            first = True
            for e in _audit_pages(case.conn):
                entry = {
                    "at": format_utc_ms(e.at_ms),
                    "examiner": e.examiner,
                    "action": e.action,
                    "target": e.target,
                    "before": e.before,
                    "after": e.after,
                }
                text = json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n  ")
                out.write(("[\n  " if first else ",\n  ") + text)
                first = False
            out.write("[]\n" if first else "\n]\n")
            return 0
        for e in _audit_pages(case.conn):
            change = f"{e.before or '∅'} → {e.after or '∅'}"
            line = f"{format_utc_ms(e.at_ms)}  {e.examiner}  {e.action}  {e.target}  {change}"
            print(escape_line(line))
    return 0
