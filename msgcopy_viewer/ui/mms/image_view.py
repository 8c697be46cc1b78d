"""Showing an MMS image: scaled into its region, animated GIFs, a zoom viewer, placeholders."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QHideEvent,
    QImage,
    QKeySequence,
    QMouseEvent,
    QMovie,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.core.sizes import human_size
from msgcopy_viewer.store.messages import Part
from msgcopy_viewer.ui.mms.image_loader import ImageLoader, LoadResult
from msgcopy_viewer.ui.mms.part_actions import PartActions
from msgcopy_viewer.ui.mms.part_info import part_description
from msgcopy_viewer.ui.plain_text import set_plain_text, set_tooltip, shown

#: The size an image is first decoded at for a slide: a JPEG then decodes at 1/2, 1/4 or
#: 1/8 scale, which is what keeps a 5 MB message's first slide fast. When the view grows
#: beyond it, a sharper decode is requested (the zoom viewer always decodes in full).
SLIDE_DECODE_SIZE = QSize(800, 800)
#: The largest decode for a slide view (beyond that, use the zoom viewer).
MAX_SLIDE_DECODE = 2400


def plain_label(text: str, parent: QWidget | None = None, *, wrap: bool = True) -> QLabel:
    """A QLabel that never interprets its text as rich text, and shows invisible and
    bidirectional control characters as tokens (``⟦U+202E⟧``)."""
    label = QLabel(parent)
    label.setWordWrap(wrap)
    set_plain_text(label, text)
    return label


class PartPlaceholder(QFrame):
    """Stands in for a part that cannot be shown: names its type and size, offers Save."""

    def __init__(
        self,
        part: Part | None,
        reason: str,
        actions: PartActions | None,
        parent: QWidget | None = None,
        *,
        title: str = "This image cannot be shown",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mmsPlaceholder")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.part = part
        self.reason = reason
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title_label = plain_label(title, self)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title_label)
        details = []
        if part is not None:
            details.append(f"{part.label} — {part.media_type}, {human_size(part.size)}")
        if reason:
            details.append(reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else "."))
        self.detail_label = plain_label("\n".join(details), self)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.detail_label)
        self.save_button: QPushButton | None = None
        if part is not None and actions is not None and part.sha256:
            row = QHBoxLayout()
            row.addStretch(1)
            self.save_button = QPushButton("Save…", self)
            set_tooltip(self.save_button, f"Save {part.label} to a file")
            self.save_button.clicked.connect(self._save)
            row.addWidget(self.save_button)
            row.addStretch(1)
            layout.addLayout(row)
        layout.addStretch(1)
        self._actions = actions

    def _save(self) -> None:
        if self._actions is not None and self.part is not None:
            self._actions.save(self.part)

    def text(self) -> str:
        return f"{self.title_label.text()}\n{self.detail_label.text()}"


def fit_rect(img: QSize, area: QRectF, fit: str | None) -> QRectF:
    """Where an image of size ``img`` is drawn inside ``area`` for a SMIL ``fit`` value.

    meet (default): scale to fit, keeping proportions. slice: fill the area, keeping
    proportions (cropped). fill: stretch, but only when that distorts by under 10 %
    (a forensics viewer does not deform pictures much). hidden/scroll: actual size,
    from the top left.
    """
    w, h = float(img.width()), float(img.height())
    if w <= 0 or h <= 0 or area.width() <= 0 or area.height() <= 0:
        return QRectF()
    fit = (fit or "meet").lower()
    if fit in ("hidden", "scroll"):
        return QRectF(area.topLeft(), QSize(int(w), int(h)).toSizeF())
    sx, sy = area.width() / w, area.height() / h
    if fit == "fill" and max(sx, sy) / min(sx, sy) < 1.1:
        return QRectF(area)
    scale = max(sx, sy) if fit == "slice" else min(sx, sy)
    dw, dh = w * scale, h * scale
    return QRectF(
        area.left() + (area.width() - dw) / 2, area.top() + (area.height() - dh) / 2, dw, dh
    )


class ImageView(QWidget):
    """One image part in a slide region; decoding happens on the loader's threads.

    ``state`` is ``loading``, ``image``, ``movie`` (an animated GIF) or ``failed`` (the
    placeholder is shown). A click opens :class:`ImageZoomDialog`.
    """

    stateChanged = Signal(str)

    def __init__(
        self,
        part: Part,
        loader: ImageLoader,
        actions: PartActions | None,
        fit: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mmsImage")
        self.part = part
        self.fit = fit
        self.state = "loading"
        self.original_size = QSize()
        self._loader = loader
        self._actions = actions
        self._image: QImage | None = None
        self._pixmap: QPixmap | None = None
        self._movie: QMovie | None = None
        self._movie_buffer: QBuffer | None = None
        self.placeholder: PartPlaceholder | None = None
        self.zoom_dialog: ImageZoomDialog | None = None
        self.setMinimumSize(48, 48)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        set_tooltip(self, f"{part_description(part)}\nClick to view at full size")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        loader.loaded.connect(self._on_loaded)
        self._requested = QSize(SLIDE_DECODE_SIZE)
        self._token = loader.request(part.sha256, self._requested)

    # -- results ------------------------------------------------------------------------------
    def _on_loaded(self, result: LoadResult) -> None:
        if result.token != self._token:
            return  # another view's result, or a stale one
        self._token = -1
        self.original_size = result.original_size
        if self.state == "image" and result.image is not None:  # a sharper decode
            self._image = result.image
            self._pixmap = QPixmap.fromImage(result.image)
            self.update()
            return
        if result.error or result.image is None:
            self._fail(result.error or "it could not be decoded")
            return
        if result.animated_data is not None:
            buf = QBuffer(self)
            buf.setData(QByteArray(result.animated_data))
            buf.open(QIODevice.OpenModeFlag.ReadOnly)
            movie = QMovie(buf, b"gif", self)
            if movie.isValid():
                self._movie_buffer = buf
                self._movie = movie
                movie.frameChanged.connect(self._on_frame)
                movie.setCacheMode(QMovie.CacheMode.CacheNone)
                if self.isVisible():
                    movie.start()
                self._image = result.image
                self._set_state("movie")
                return
        self._image = result.image
        self._pixmap = QPixmap.fromImage(result.image)
        self._set_state("image")
        self._maybe_sharpen()

    def _maybe_sharpen(self) -> None:
        """Ask for a larger decode when the view has outgrown the decoded image."""
        if self.state != "image" or self._image is None or self._token != -1:
            return
        if (self.fit or "meet").lower() in ("hidden", "scroll"):
            return
        ratio = self.devicePixelRatioF()
        need = QSize(
            min(MAX_SLIDE_DECODE, int(self.width() * ratio)),
            min(MAX_SLIDE_DECODE, int(self.height() * ratio)),
        )
        have = self._image.size()
        orig = self.original_size
        bigger_available = orig.width() > have.width() or orig.height() > have.height()
        too_small = need.width() > have.width() * 1.1 and need.height() > have.height() * 1.1
        if bigger_available and too_small and need.boundedTo(self._requested) != need:
            self._requested = need.expandedTo(self._requested)
            self._token = self._loader.request(self.part.sha256, self._requested)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._maybe_sharpen()

    def _fail(self, reason: str) -> None:
        self.setCursor(Qt.CursorShape.ArrowCursor)
        self.placeholder = PartPlaceholder(self.part, reason, self._actions, self)
        self._layout.addWidget(self.placeholder)
        # shown now: a widget added to a visible parent's layout is otherwise shown by a
        # queued call, and anything looking at the view before that finds nothing
        self.placeholder.show()
        self._set_state("failed")

    def _set_state(self, state: str) -> None:
        self.state = state
        self.update()
        self.stateChanged.emit(state)

    def _on_frame(self, _frame: int) -> None:
        self.update()

    @property
    def is_animated(self) -> bool:
        return self._movie is not None

    @property
    def movie(self) -> QMovie | None:
        return self._movie

    def current_image(self) -> QImage | None:
        if self._movie is not None:
            return self._movie.currentImage()
        return self._image

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if self.state == "failed":
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        area = QRectF(self.rect())
        if self.state == "loading":
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "Loading image…")
        else:
            pix = self._movie.currentPixmap() if self._movie is not None else self._pixmap
            if pix is not None and not pix.isNull():
                painter.setClipRect(area)
                painter.drawPixmap(fit_rect(pix.size(), area, self.fit), pix, QRectF(pix.rect()))
        painter.end()

    def sizeHint(self) -> QSize:
        return QSize(320, 240)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._movie is not None and self._movie.state() != QMovie.MovieState.Running:
            self._movie.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self._movie is not None:
            self._movie.setPaused(True)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.state in ("image", "movie"):
            self.open_zoom()
        super().mouseReleaseEvent(event)

    def open_zoom(self) -> ImageZoomDialog:
        dialog = ImageZoomDialog(self.part, self._loader, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.zoom_dialog = dialog
        return dialog

    def stop(self) -> None:
        if self._movie is not None:
            self._movie.stop()


class _ZoomView(QGraphicsView):
    zoomed = Signal(float)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25**steps)
        event.accept()

    def zoom_by(self, factor: float) -> None:
        current = self.transform().m11()
        target = min(32.0, max(0.02, current * factor))
        self.scale(target / current, target / current)
        self.zoomed.emit(target)


class ImageZoomDialog(QDialog):
    """The image at full resolution, with zoom (wheel, +/−, Fit, 100 %) and panning."""

    def __init__(self, part: Part, loader: ImageLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(shown(f"{part.label} — {part.media_type}, {human_size(part.size)}"))
        self.part = part
        self.resize(900, 700)
        self.scene = QGraphicsScene(self)
        self.view = _ZoomView(self.scene, self)
        self.view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.view.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.view.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.item: QGraphicsPixmapItem | None = None
        self.status = plain_label("Loading the full-size image…", self, wrap=False)
        zoom_in = QPushButton("Zoom in", self)
        zoom_out = QPushButton("Zoom out", self)
        fit = QPushButton("Fit", self)
        actual = QPushButton("100 %", self)
        zoom_in.clicked.connect(self.zoom_in)
        zoom_out.clicked.connect(self.zoom_out)
        fit.clicked.connect(self.fit_to_window)
        actual.clicked.connect(self.actual_size)
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomIn), self, self.zoom_in)
        QShortcut(QKeySequence(QKeySequence.StandardKey.ZoomOut), self, self.zoom_out)
        self.view.zoomed.connect(self._show_zoom)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        for button in (zoom_out, zoom_in, fit, actual):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        self._loader = loader
        loader.loaded.connect(self._on_loaded)
        self._token = loader.request(part.sha256, None)

    def _on_loaded(self, result: LoadResult) -> None:
        if result.token != self._token:
            return
        self._token = -1
        if result.image is None:
            set_plain_text(self.status, f"Cannot show this image: {result.error}")
            return
        self.item = self.scene.addPixmap(QPixmap.fromImage(result.image))
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene.setSceneRect(QRectF(self.item.boundingRect()))
        self.fit_to_window()

    def zoom(self) -> float:
        return self.view.transform().m11()

    def zoom_in(self) -> None:
        self.view.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.view.zoom_by(0.8)

    def actual_size(self) -> None:
        self.view.resetTransform()
        self._show_zoom(1.0)

    def fit_to_window(self) -> None:
        if self.item is None:
            return
        self.view.resetTransform()
        rect = self.item.boundingRect()
        viewport = self.view.viewport().size()
        if rect.width() > viewport.width() or rect.height() > viewport.height():
            self.view.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
        self.view.centerOn(QPointF(rect.center()))
        self._show_zoom(self.zoom())

    def _show_zoom(self, value: float) -> None:
        if self.item is not None:
            size = self.item.pixmap().size()
            self.status.setText(f"{size.width()} × {size.height()} pixels — {value * 100:.0f} %")
