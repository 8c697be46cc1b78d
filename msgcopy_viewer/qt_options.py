"""Qt's standard command-line options, told apart from the app's own arguments.

``msgcopy-viewer -style fusion -platform offscreen case-folder`` passes ``-style fusion``
and ``-platform offscreen`` to QApplication and imports ``case-folder``; without this the
option values would be taken as paths to import. Qt-free, so the CLI can use it before
deciding to start the GUI.
"""

from __future__ import annotations

from collections.abc import Sequence

# Options of QGuiApplication/QApplication (and the X11 ones Qt 6 still reads) that take
# a value, and those that are flags.
QT_OPTIONS_WITH_VALUE = frozenset(
    {
        "style",
        "stylesheet",
        "platform",
        "platformpluginpath",
        "platformtheme",
        "plugin",
        "qmljsdebugger",
        "qwindowgeometry",
        "qwindowicon",
        "qwindowtitle",
        "session",
        "display",
        "geometry",
        "title",
        "name",
    }
)
QT_FLAG_OPTIONS = frozenset({"reverse", "widgetcount", "nograb", "dograb", "sync", "testability"})


def _name(arg: str) -> str | None:
    """The option's name for ``-opt``, ``--opt`` or ``-opt=value``; None for anything else."""
    if not arg.startswith("-") or arg in ("-", "--"):
        return None
    body = arg[2:] if arg.startswith("--") else arg[1:]
    return body.split("=", 1)[0]


def split_qt_options(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(Qt's options with their values, everything else), order kept. ``--`` ends the
    options: what follows it is left for the app's own parser."""
    qt: list[str] = []
    rest: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = _name(arg)
        if name in QT_FLAG_OPTIONS and "=" not in arg:
            qt.append(arg)
        elif name in QT_OPTIONS_WITH_VALUE:
            if "=" in arg:
                qt.append(arg)
            elif i + 1 < len(args):
                qt.extend(args[i : i + 2])
                i += 1
            else:
                rest.append(arg)  # no value: argparse says what is wrong with it
        else:
            rest.append(arg)
        i += 1
    return qt, rest
