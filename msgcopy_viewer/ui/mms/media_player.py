"""Playing MMS audio and video inside the app with QtMultimedia.

The part's bytes are fed to :class:`QMediaPlayer` from memory (a buffer through
``setSourceDevice``, with a file-name hint for the demuxer), so no copy of the evidence
lands on disk. Whatever the machine lacks — a multimedia backend, an audio output
device, a codec — the player says so in plain words and offers "Open externally"; it
never crashes or hangs silently.

Threads. Qt Multimedia works on threads of its own (demuxer, audio renderer), which
call virtual methods of the objects handed to it. On an object made in Python such a
call first asks, holding the GIL, whether Python overrides the method; the answer is
then remembered for that object and method. A thread that waits for the GIL while it
holds a Qt lock deadlocks with the GUI thread if that thread holds the GIL and waits for
the lock (it happened: closing the viewer while a sound played hung in
``QMediaPlayer.stop``). So the source buffer is made by Qt itself (the one a read-only
``QDataStream`` makes: no Python wrapper, nothing to ask), and the connect/disconnect
notifications of the player, the audio output and the video widget are asked once on the
GUI thread right after they are made, before any multimedia thread exists for them.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QDataStream, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.core.sizes import human_size
from msgcopy_viewer.store.messages import Part
from msgcopy_viewer.ui.mms.image_view import plain_label
from msgcopy_viewer.ui.mms.part_actions import PartActions, safe_name
from msgcopy_viewer.ui.mms.part_info import format_ms, suggested_filename
from msgcopy_viewer.ui.plain_text import set_plain_text

log = logging.getLogger(__name__)

try:  # QtMultimedia is an add-on module; the viewer must work without it
    from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer
    from PySide6.QtMultimediaWidgets import QVideoWidget

    HAVE_MULTIMEDIA = True
except ImportError:  # pragma: no cover - depends on the installation
    HAVE_MULTIMEDIA = False

#: When loading has not finished after this long, the player says so (no silent hang).
LOAD_TIMEOUT_MS = 8000


def multimedia_available() -> bool:
    """True when QtMultimedia is importable and a backend is loaded."""
    if not HAVE_MULTIMEDIA:
        return False
    try:
        return QMediaPlayer().isAvailable()
    except Exception:  # pragma: no cover - backend plugin failure
        return False


def _noop(*_args: object) -> None:
    pass


def settle_notifications(obj: QObject) -> None:
    """Have Python's answer for ``obj``'s connectNotify/disconnectNotify remembered now, on
    this (GUI) thread, so that Qt's own threads never need the GIL for them (see above)."""
    obj.objectNameChanged.connect(_noop)
    obj.objectNameChanged.disconnect(_noop)


def audio_output_available() -> bool:
    return HAVE_MULTIMEDIA and bool(QMediaDevices.audioOutputs())


class MediaPlayerWidget(QWidget):
    """Play/pause, a seek bar, elapsed/total time, volume, a status line, Open externally.

    ``state`` is one of ``loading``, ``ready``, ``playing``, ``paused``, ``ended``,
    ``unavailable`` (no backend) or ``error`` (no codec / invalid media); ``message``
    is the plain-language status shown to the user.
    """

    stateChanged = Signal(str)

    def __init__(
        self,
        part: Part,
        data: bytes | None,
        actions: PartActions | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mmsMediaPlayer")
        self.part = part
        self.is_video = part.kind == "video"
        self.state = "loading"
        self.message = ""
        self._actions = actions
        self._seeking = False
        self.player: QMediaPlayer | None = None
        self.audio_output: QAudioOutput | None = None
        self.video_widget: QWidget | None = None
        self._source: QDataStream | None = None  # owns the buffer the player reads

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.title = plain_label(
            f"{'Video' if self.is_video else 'Audio'}: {part.label} "
            f"({part.media_type}, {human_size(part.size)})",
            self,
        )
        layout.addWidget(self.title)
        if self.is_video and HAVE_MULTIMEDIA:
            self.video_widget = QVideoWidget(self)
            settle_notifications(self.video_widget)  # the player's threads feed it frames
            self.video_widget.setMinimumSize(160, 120)
            self.video_widget.setSizePolicy(
                QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding
            )
            layout.addWidget(self.video_widget, 1)

        controls = QHBoxLayout()
        style = self.style()
        self.play_button = QPushButton(self)
        self.play_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setText("Play")
        self.play_button.clicked.connect(self.toggle_play)
        self.seek = QSlider(Qt.Orientation.Horizontal, self)
        self.seek.setRange(0, 0)
        self.seek.setAccessibleName("Position")
        self.seek.sliderPressed.connect(self._seek_pressed)
        self.seek.sliderReleased.connect(self._seek_released)
        self.seek.sliderMoved.connect(self._seek_moved)
        self.time_label = QLabel("0:00 / 0:00", self)
        self.time_label.setTextFormat(Qt.TextFormat.PlainText)
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setRange(0, 100)
        self.volume.setValue(80)
        self.volume.setMaximumWidth(90)
        self.volume.setAccessibleName("Volume")
        self.volume.setToolTip("Volume")
        self.volume.valueChanged.connect(self._set_volume)
        controls.addWidget(self.play_button)
        controls.addWidget(self.seek, 1)
        controls.addWidget(self.time_label)
        controls.addWidget(QLabel("Vol", self))
        controls.addWidget(self.volume)
        layout.addLayout(controls)

        status_row = QHBoxLayout()
        self.status_label = plain_label("", self)
        self.status_label.setObjectName("mmsPlayerStatus")
        self.status_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.status_label.setMinimumHeight(2 * self.status_label.fontMetrics().lineSpacing())
        self.open_button = QPushButton("Open externally", self)
        self.open_button.setToolTip("Open a private temporary copy with another program")
        self.open_button.clicked.connect(self._open_externally)
        self.open_button.setEnabled(actions is not None)
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.open_button)
        layout.addLayout(status_row)

        self._load_timer = QTimer(self)
        self._load_timer.setSingleShot(True)
        self._load_timer.setInterval(LOAD_TIMEOUT_MS)
        self._load_timer.timeout.connect(self._load_timed_out)
        self._setup(data)

    # -- setup --------------------------------------------------------------------------------
    def _setup(self, data: bytes | None) -> None:
        if data is None:
            self._set_error("Its bytes are missing from the case.", state="error")
            return
        if not HAVE_MULTIMEDIA:
            self._set_error(
                "Sound and video cannot be played here: Qt Multimedia is not installed. "
                "Use Open externally.",
                state="unavailable",
            )
            return
        player = QMediaPlayer(self)
        if not player.isAvailable():
            player.deleteLater()
            self._set_error(
                "Sound and video cannot be played here: no multimedia backend is available. "
                "Use Open externally.",
                state="unavailable",
            )
            return
        self.player = player
        settle_notifications(player)
        audio_output = QAudioOutput(self)
        settle_notifications(audio_output)
        audio_output.setVolume(self.volume.value() / 100.0)
        player.setAudioOutput(audio_output)
        self.audio_output = audio_output
        if self.video_widget is not None:
            player.setVideoOutput(self.video_widget)
        player.mediaStatusChanged.connect(self._on_status)
        player.playbackStateChanged.connect(self._on_playback)
        player.errorOccurred.connect(self._on_error)
        player.durationChanged.connect(self._on_duration)
        player.positionChanged.connect(self._on_position)
        player.hasVideoChanged.connect(self._on_has_video)
        # A read-only QDataStream over the bytes makes (and owns) a plain C++ QBuffer,
        # opened for reading: the demuxer thread reads it without ever needing Python.
        self._source = QDataStream(QByteArray(data))
        hint = QUrl.fromLocalFile("/" + safe_name(suggested_filename(self.part)))
        self.play_button.setEnabled(False)
        self._set_message("Loading…")
        self._load_timer.start()
        player.setSourceDevice(self._source.device(), hint)

    # -- player signals -----------------------------------------------------------------------
    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        S = QMediaPlayer.MediaStatus
        if status in (S.LoadedMedia, S.BufferedMedia) and self.state == "loading":
            self._load_timer.stop()
            self.play_button.setEnabled(True)
            self._change_state("ready")
            self._set_message(self._device_note() or "Ready.")
        elif status == S.InvalidMedia:
            self._load_timer.stop()
            self._set_error(
                f"This {self.part.media_type} file cannot be played here: no decoder for it is "
                "available, or the file is damaged. Use Open externally.",
                state="error",
            )
        elif status == S.EndOfMedia:
            self._change_state("ended")
            self._set_play_icon(False)
            self._set_message("Finished.")

    def _on_playback(self, playback: QMediaPlayer.PlaybackState) -> None:
        P = QMediaPlayer.PlaybackState
        if playback == P.PlayingState:
            self._change_state("playing")
            self._set_play_icon(True)
            self._set_message(self._device_note() or "Playing.")
        elif playback == P.PausedState:
            self._change_state("paused")
            self._set_play_icon(False)
            self._set_message("Paused.")
        elif self.state == "playing":
            self._change_state("ready")
            self._set_play_icon(False)

    def _on_error(self, error: QMediaPlayer.Error, text: str) -> None:
        if error == QMediaPlayer.Error.NoError:
            return
        self._load_timer.stop()
        log.info("media player error for part %s: %s %s", self.part.index, error, text)
        detail = f" ({text})" if text else ""
        self._set_error(
            f"This {self.part.media_type} file cannot be played here{detail}. Use Open externally.",
            state="error",
        )

    def _on_duration(self, duration: int) -> None:
        self.seek.setRange(0, max(0, duration))
        self._update_time()

    def _on_position(self, position: int) -> None:
        if not self._seeking:
            self.seek.setValue(position)
        self._update_time()

    def _on_has_video(self, has_video: bool) -> None:
        if self.video_widget is not None:
            self.video_widget.setVisible(has_video)

    def _load_timed_out(self) -> None:
        if self.state == "loading":
            self._set_error(
                "The file is taking too long to load; it may be damaged or in a format this "
                "computer cannot play. Use Open externally.",
                state="error",
            )

    # -- actions ------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.player is None or self.state in ("loading", "error", "unavailable"):
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            if self.state == "ended":
                self.player.setPosition(0)
            self.player.play()

    def play(self) -> None:
        if self.player is not None and self.state in ("ready", "paused", "ended"):
            self.toggle_play()

    def pause(self) -> None:
        if self.player is not None and self.state == "playing":
            self.player.pause()

    def stop(self) -> None:
        """Stop playback and release the source (called when the dialog closes)."""
        self._load_timer.stop()
        if self.player is not None:
            self.player.stop()
            self.player.setSource(QUrl())

    def _seek_pressed(self) -> None:
        self._seeking = True

    def _seek_moved(self, value: int) -> None:
        self._update_time(value)

    def _seek_released(self) -> None:
        self._seeking = False
        if self.player is not None:
            self.player.setPosition(self.seek.value())

    def _set_volume(self, value: int) -> None:
        if self.audio_output is not None:
            self.audio_output.setVolume(value / 100.0)

    def _open_externally(self) -> None:
        if self._actions is not None:
            self.pause()
            self._actions.open_externally(self.part)

    # -- helpers ------------------------------------------------------------------------------
    def _device_note(self) -> str:
        if not audio_output_available():
            return (
                "No audio output device on this computer: playback here is silent. "
                "Use Open externally to listen."
            )
        return ""

    def _set_error(self, text: str, *, state: str) -> None:
        self.play_button.setEnabled(False)
        self.seek.setEnabled(False)
        self._set_message(text)
        self._change_state(state)

    def _set_message(self, text: str) -> None:
        self.message = text
        set_plain_text(self.status_label, text, multiline=False)

    def _change_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)

    def _set_play_icon(self, playing: bool) -> None:
        pixmap = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(self.style().standardIcon(pixmap))
        self.play_button.setText("Pause" if playing else "Play")

    def _update_time(self, position: int | None = None) -> None:
        pos = self.seek.value() if position is None else position
        self.time_label.setText(f"{format_ms(pos)} / {format_ms(self.seek.maximum())}")
