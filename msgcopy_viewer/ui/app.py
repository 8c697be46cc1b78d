"""Starting the desktop app: QApplication, logging, the error hook, the main window.

``run_app`` is what ``msgcopy-viewer`` (no subcommand) calls. Light and dark palettes
follow the system (no style or palette is forced); icons are SVG, so high-DPI stays crisp.
"""

from __future__ import annotations

import logging
import logging.handlers
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QLoggingCategory, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from msgcopy_viewer import __version__, about, paths
from msgcopy_viewer.ui.gc_guard import MainThreadGarbageCollector

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

APP_NAME = "msgcopy-viewer"
LOG_FILE_NAME = "msgcopy-viewer.log"
LOG_MAX_BYTES = 2_000_000
LOG_BACKUPS = 3

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.DEBUG,  # font fallbacks and the like: noise in a log
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


# Qt's debug messages are off (the log would drop them anyway), and so are Qt Multimedia's
# FFmpeg info messages: with them on, FFmpeg describes every file it opens, straight to
# stderr. QT_LOGGING_RULES in the environment still turns them on.
QT_LOG_RULES = "*.debug=false\nqt.multimedia.ffmpeg*.info=false"


def qt_message_handler(mode: QtMsgType, context: Any, message: str) -> None:
    """Qt's own messages (qDebug, qWarning …) go to the ``qt`` logger, with their category
    (``qt.multimedia.symbolsresolver`` …) when they have one.

    The file/function fields of ``context`` are not read: they are empty in release builds.
    """
    category = getattr(context, "category", None)
    level = _QT_LEVELS.get(mode, logging.WARNING)
    if category and category != "default":
        qt_log.log(level, "%s: %s", category, message)
    else:
        qt_log.log(level, "%s", message)


def install_qt_message_handler() -> Any:
    """Route Qt's messages into logging; returns the previous handler."""
    return qInstallMessageHandler(qt_message_handler)


def setup_logging(data_dir: str | None) -> logging.Handler | None:
    """A rotating log file in the log folder, on the root logger. Returns the handler."""
    folder = paths.log_dir(data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE_NAME,
            maxBytes=LOG_MAX_BYTES,
            backupCount=LOG_BACKUPS,
            encoding="utf-8",
        )
    except OSError as exc:
        log.warning("cannot write a log file in %s: %s", folder, exc)
        return None
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    )
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    # Qt's messages (plugins it cannot load, platform notes) go to the log file only: the
    # terminal the app was started from stays quiet.
    qt_log.addHandler(handler)
    qt_log.propagate = False
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
        for h in root.handlers:  # keep the console as quiet as the CLI asked
            if h is not handler and h.level == logging.NOTSET:
                h.setLevel(logging.WARNING)
    return handler


def log_file_path(data_dir: str | None) -> Path:
    return paths.log_dir(data_dir) / LOG_FILE_NAME


class ExceptionHook:
    """``sys.excepthook``: log the traceback, show a dialog in plain words, keep running."""

    def __init__(self, log_file: Path | None) -> None:
        self.log_file = log_file
        self.previous = sys.excepthook
        self._showing = False

    def __call__(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self.previous(exc_type, exc, tb)
            return
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
        if self._showing or QApplication.instance() is None:
            return
        if threading.current_thread() is not threading.main_thread():
            return  # a dialog can only be shown from the GUI thread; the log has it
        self._showing = True
        try:
            from msgcopy_viewer.ui.widgets import dialogs

            dialogs.show_exception(
                QApplication.activeWindow(), exc_type, exc, tb, log_file=self.log_file
            )
        except Exception:  # never let the hook itself raise
            log.exception("could not show the error dialog")
        finally:
            self._showing = False


def init_application(qt_args: Sequence[str] = ()) -> QApplication:
    """The QApplication (the existing one if there is one), named and with its icon.
    ``qt_args`` are Qt's own command-line options (``-style fusion``, ``-reverse`` …)."""
    from msgcopy_viewer.ui.icons import app_icon

    app = QApplication.instance()
    if app is None:
        app = QApplication([*sys.argv[:1], *qt_args])
    elif qt_args:
        log.warning("Qt options ignored, the application already runs: %s", " ".join(qt_args))
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(about.APP_ID)  # the .desktop file's name (resources/)
    app.setWindowIcon(app_icon())
    return app


def create_main_window(
    case_path: Path | None,
    import_paths: list[str],
    data_dir: str | None,
    *,
    import_workers: int | None = None,
) -> Any:
    """Build and show the window on ``case_path`` (or the last case, or the empty state),
    then start importing ``import_paths``."""
    from msgcopy_viewer.ui.main_window import MainWindow

    window = MainWindow(data_dir, import_workers=import_workers)
    window.show()
    if case_path is not None:
        window.open_case(Path(case_path), create=True)
    else:
        for recent in window.recent.items():
            if recent.exists():
                window.open_case(recent)
                break
    if import_paths:
        window.start_import(import_paths)
    return window


def run_app(
    case_path: Path | None = None,
    import_paths: list[str] | None = None,
    data_dir: str | None = None,
    qt_args: Sequence[str] = (),
) -> int:
    """Run the desktop app until its window closes; returns the exit status."""
    # The log file and Qt's message handler come first: Qt writes to stderr while it loads
    # plugins and while Qt Multimedia's library is initialised (when it is first imported).
    handler = setup_logging(data_dir)
    previous_qt_handler = install_qt_message_handler()
    QLoggingCategory.setFilterRules(QT_LOG_RULES)
    app = init_application(qt_args)
    log.info("msgcopy-viewer %s starting (data folder %s)", __version__, paths.data_dir(data_dir))
    from msgcopy_viewer.ui.mms.part_actions import release_clipboard_file_link

    hook = ExceptionHook(log_file_path(data_dir) if handler is not None else None)
    previous_hook = sys.excepthook
    sys.excepthook = hook

    window = None
    previous_sigint = None
    timer = None
    collector = MainThreadGarbageCollector()
    try:
        window = create_main_window(case_path, list(import_paths or []), data_dir)
        QTimer.singleShot(0, _log_window_shown)
        if threading.current_thread() is threading.main_thread():
            # Ctrl+C in the terminal closes the window (Python handles signals only when
            # it runs, so a timer gives it the chance).
            previous_sigint = signal.signal(signal.SIGINT, lambda *_: window.close())
            timer = QTimer()
            timer.timeout.connect(_let_python_run)
            timer.start(250)
        status = app.exec()
    finally:
        if timer is not None:
            timer.stop()
        if previous_sigint is not None:
            signal.signal(signal.SIGINT, previous_sigint)
        if window is not None:
            window.shutdown()
            window.deleteLater()
        release_clipboard_file_link()
        collector.stop()
        sys.excepthook = previous_hook
        qInstallMessageHandler(previous_qt_handler)
        log.info("msgcopy-viewer exiting")
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            qt_log.removeHandler(handler)
            qt_log.propagate = True
            handler.close()
    return int(status)


def _log_window_shown() -> None:
    """The first turn of the event loop: the window has been shown and painted."""
    log.info("main window shown")


def _let_python_run() -> None:
    """Nothing: waking the interpreter lets pending signal handlers run."""
