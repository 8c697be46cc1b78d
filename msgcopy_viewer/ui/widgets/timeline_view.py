"""The timeline: message counts per day, week or month, stacked by type and direction
(QtCharts), for the case, the subscriber or the conversation shown. Dragging across the
chart selects a range of buckets; ``rangeSelected`` then filters the search to it.

The counts come from ``store.timeline.message_counts`` (SQL over an index), every bucket
from the first message's to the last's, so the bars stand on a linear time scale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRubberBand,
    QVBoxLayout,
    QWidget,
)

from msgcopy_viewer.store.timeline import SERIES, TimeBucket, TooManyBuckets, message_counts

SERIES_LABELS = {
    "sms_mo": ("SMS sent", "#3d8bd9"),
    "sms_mt": ("SMS received", "#9cc5ef"),
    "mms_mo": ("MMS sent", "#d9822b"),
    "mms_mt": ("MMS received", "#f2c08f"),
}
# Scope: (subscriber id, conversation id) for the scope item chosen, from the browser.
ScopeSource = Callable[[str], tuple[int | None, str | None]]


def bucket_label(b: TimeBucket, bucket: str, zone: tzinfo = UTC) -> str:
    d = datetime.fromtimestamp(b.start_ms / 1000, zone)
    return d.strftime("%Y-%m" if bucket == "month" else "%Y-%m-%d")


def _axis_time(ms: int, zone: tzinfo) -> QDateTime:
    """The instant as the date axis must hold it to print its date in ``zone`` (the axis
    prints in the process's local time)."""
    when = datetime.fromtimestamp(ms / 1000, zone)
    shown = when.replace(tzinfo=None)
    local = datetime.fromtimestamp(ms / 1000).replace(tzinfo=None)
    return QDateTime.fromMSecsSinceEpoch(ms + int((shown - local).total_seconds() * 1000))


class TimelineChart(QChartView):
    """The stacked bar chart; drag horizontally to pick a range of buckets."""

    rangeSelected = Signal(object, object)  # from_ms (inclusive), to_ms (exclusive)

    def __init__(self, parent: QWidget | None = None) -> None:
        self._chart = QChart()
        super().__init__(self._chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setAccessibleName("Timeline chart")
        self._chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        self._chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self._chart.setMargins(self._chart.margins())
        self.buckets: list[TimeBucket] = []
        self.labels: list[str] = []  # each bucket's date (accessibility, tests)
        self.series: QStackedBarSeries | None = None
        self._band = QRubberBand(QRubberBand.Shape.Rectangle, self.viewport())
        self._press: QPoint | None = None

    def sizeHint(self) -> QSize:
        return QSize(800, 260)

    def set_buckets(self, buckets: list[TimeBucket], bucket: str, zone: tzinfo = UTC) -> None:
        chart = self._chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.buckets = buckets
        series = QStackedBarSeries()
        series.setBarWidth(1.0)
        for key in SERIES:
            label, color = SERIES_LABELS[key]
            bar = QBarSet(label)
            bar.setColor(QColor(color))
            bar.setBorderColor(QColor(color))
            bar.append([float(b.count(key)) for b in buckets])
            series.append(bar)
        chart.addSeries(series)
        # the bars stand on a category axis (one per bucket, no labels); the dates are on a
        # date axis spanning the same time, so labels never crowd however many bars there are
        x = QBarCategoryAxis()
        x.append([str(n) for n in range(len(buckets))])
        x.setLabelsVisible(False)
        x.setGridLineVisible(False)
        dates = QDateTimeAxis()
        dates.setFormat("yyyy-MM" if bucket == "month" else "yyyy-MM-dd")
        dates.setTickCount(min(8, max(2, len(buckets) + 1)))
        if buckets:
            dates.setRange(
                _axis_time(buckets[0].start_ms, zone), _axis_time(buckets[-1].end_ms, zone)
            )
        self.labels = [bucket_label(b, bucket, zone) for b in buckets]
        y = QValueAxis()
        y.setLabelFormat("%d")
        top = max((b.total for b in buckets), default=0)
        y.setRange(0, max(1, top))
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(dates, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        self.series = series

    # -- dragging a range --------------------------------------------------------------------
    def bucket_at(self, x: float) -> int:
        """The index of the bucket under viewport x (clamped), -1 without buckets."""
        if not self.buckets or self.series is None:
            return -1
        value = self._chart.mapToValue(QPointF(self.mapToScene(QPoint(int(x), 0))), self.series)
        return max(0, min(len(self.buckets) - 1, round(value.x())))

    def select_buckets(self, first: int, last: int) -> None:
        if not self.buckets:
            return
        a, b = sorted((first, last))
        a = max(0, a)
        b = min(len(self.buckets) - 1, b)
        self.rangeSelected.emit(self.buckets[a].start_ms, self.buckets[b].end_ms)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.buckets:
            self._press = event.position().toPoint()
            self._band.setGeometry(QRect(self._press, QSize()))
            self._band.show()
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._press is not None:
            pos = event.position().toPoint()
            top, bottom = 0, self.viewport().height()
            left, right = sorted((self._press.x(), pos.x()))
            self._band.setGeometry(QRect(QPoint(left, top), QPoint(right, bottom)))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._press is not None and event.button() == Qt.MouseButton.LeftButton:
            start, end = self._press.x(), event.position().toPoint().x()
            self._press = None
            self._band.hide()
            self.select_buckets(self.bucket_at(start), self.bucket_at(end))
            event.accept()
            return
        super().mouseReleaseEvent(event)


class TimelinePanel(QWidget):
    rangeSelected = Signal(object, object)

    SCOPES = (
        ("case", "Whole case"),
        ("subscriber", "This subscriber"),
        ("conversation", "This conversation"),
    )

    def __init__(self, tz=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._conn = None
        self.scope_source: ScopeSource | None = None
        self.scope = QComboBox(self)
        self.scope.setAccessibleName("Timeline scope")
        for key, text in self.SCOPES:
            self.scope.addItem(text, key)
        self.bucket = QComboBox(self)
        self.bucket.setAccessibleName("Timeline bucket")
        for key in ("day", "week", "month"):
            self.bucket.addItem(f"Per {key}", key)
        self.refresh_button = QPushButton("Refresh", self)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.chart = TimelineChart(self)
        self.chart.rangeSelected.connect(self.rangeSelected)
        row = QHBoxLayout()
        row.addWidget(self.scope)
        row.addWidget(self.bucket)
        row.addWidget(self.refresh_button)
        row.addWidget(self.summary, 1)
        hint = QLabel("Drag across the bars to search that period.", self)
        row.addWidget(hint)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(row)
        lay.addWidget(self.chart, 1)
        self.scope.currentIndexChanged.connect(self.reload)
        self.bucket.currentIndexChanged.connect(self.reload)
        self.refresh_button.clicked.connect(self.reload)

    def set_connection(self, conn) -> None:
        self._conn = conn
        self.reload()

    def zone(self) -> tzinfo:
        """The zone shown: days are cut at its midnight."""
        return self._tz.tzinfo if self._tz is not None else UTC

    def reload(self, *_a: object) -> None:
        bucket = str(self.bucket.currentData())
        if self._conn is None:
            self.chart.set_buckets([], bucket)
            self.summary.setText("")
            return
        sub, conv = None, None
        key = str(self.scope.currentData())
        if key != "case" and self.scope_source is not None:
            sub, conv = self.scope_source(key)
        zone = self.zone()
        try:
            buckets = message_counts(
                self._conn, bucket=bucket, subscriber_id=sub, conversation_id=conv, zone=zone
            )
        except TooManyBuckets as exc:
            self.chart.set_buckets([], bucket, zone)
            self.summary.setText(str(exc))
            return
        self.chart.set_buckets(buckets, bucket, zone)
        total = sum(b.total for b in buckets)
        self.summary.setText(f"{total} messages in {len(buckets)} {bucket}s")
