"""The Qt side of the live sources: the receiver and folder watchers, fed to the GUI by
queued signals.

The receiver and each watcher run on threads of their own (``msgcopy_viewer.receiver``);
their callbacks only emit signals, which Qt queues to the GUI thread (the objects here live
there). Starting and stopping run on short-lived helper threads so the window never waits
for a catch-up import or for requests in flight; ``shutdown`` waits for all of it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from msgcopy_viewer.receiver.config import ReceiverConfig
from msgcopy_viewer.receiver.requestlog import RequestRecord
from msgcopy_viewer.receiver.server import Receiver, ReceiverError, ReceiverInfo
from msgcopy_viewer.receiver.watcher import FolderWatcher, WatchEvent

log = logging.getLogger(__name__)


class ReceiverRunner(QObject):
    """Starts and stops one ``Receiver``; reports through signals."""

    started = Signal(object)  # ReceiverInfo
    failed = Signal(str)  # plain reason
    stopped = Signal()
    request = Signal(object)  # RequestRecord (emitted on the receiver's thread: queued)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._receiver: Receiver | None = None
        self._helpers: list[threading.Thread] = []
        self.info: ReceiverInfo | None = None

    @property
    def active(self) -> bool:
        return self._receiver is not None

    def start(self, config: ReceiverConfig) -> None:
        if self._receiver is not None:
            return
        try:
            receiver = Receiver(config, on_request=self._on_request)
        except Exception as exc:  # ConfigError: a setting to correct
            self.failed.emit(str(exc))
            return
        self._receiver = receiver
        self._spawn(self._start_in_background, receiver)

    def _start_in_background(self, receiver: Receiver) -> None:
        try:
            info = receiver.start()
        except ReceiverError as exc:
            self._receiver = None
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a bug: logged, and said plainly
            log.exception("the receiver could not start")
            self._receiver = None
            self.failed.emit(f"The receiver could not start ({type(exc).__name__}: {exc}).")
            return
        self.info = info
        self.started.emit(info)

    def _on_request(self, record: RequestRecord) -> None:
        self.request.emit(record)

    def stop(self, *, wait: bool = False) -> None:
        """Stop listening; requests in flight finish and are stored first."""
        receiver, self._receiver = self._receiver, None
        if receiver is None:
            return
        if wait:
            receiver.stop()
            self.stopped.emit()
        else:
            self._spawn(self._stop_in_background, receiver)

    def _stop_in_background(self, receiver: Receiver) -> None:
        receiver.stop()
        self.stopped.emit()

    def _spawn(self, target: Callable[[Receiver], None], receiver: Receiver) -> None:
        self._helpers = [t for t in self._helpers if t.is_alive()]
        t = threading.Thread(target=target, args=(receiver,), name="msgcopy-receiver-control")
        self._helpers.append(t)
        t.start()

    def shutdown(self) -> None:
        """Stop (waiting for requests in flight) and wait for the helper threads."""
        for t in self._helpers:
            t.join()
        self._helpers.clear()
        self.stop(wait=True)


class FolderWatch(QObject):
    """One watched folder: a ``FolderWatcher`` on its own thread."""

    arrived = Signal(object)  # WatchEvent (emitted on the watcher's thread: queued)
    failed = Signal(str)
    finished = Signal()

    def __init__(
        self, case: Path, folder: Path, parent: QObject | None = None, *, poll: bool = False
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        # raises WatchError (a plain reason) when the folder cannot be watched
        self.watcher = FolderWatcher(case, [folder], on_event=self._on_event, poll=poll)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="msgcopy-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _on_event(self, e: WatchEvent) -> None:
        self.arrived.emit(e)

    def _run(self) -> None:
        try:
            self.watcher.run(self._stop)
        except Exception as exc:
            log.exception("watching %s stopped", self.folder)
            self.failed.emit(f"Watching {self.folder} stopped: {exc}")
        self.finished.emit()

    def stop(self) -> None:
        """Stop watching; the file being imported is finished first."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
