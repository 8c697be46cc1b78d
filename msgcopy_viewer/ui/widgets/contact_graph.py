"""Who talked to whom: subscribers and the parties they exchanged messages with, as a graph
(QGraphicsView). Subscribers stand in a column in the middle, their parties on a circle
around; an edge's width grows with its message count. Clicking an edge or a party opens
the busiest conversation between them (``conversationRequested``).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from msgcopy_viewer.store.timeline import ContactGraph, contact_graph
from msgcopy_viewer.ui.models.roles import tooltip_html
from msgcopy_viewer.ui.plain_text import shown

CONV_KEY = 0  # QGraphicsItem data key: the conversation id an item opens
NODE = 18.0


class ContactGraphView(QGraphicsView):
    conversationRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setAccessibleName("Who talked to whom")
        self.graph: ContactGraph | None = None

    def set_connection(self, conn, names=None, *, max_edges: int = 60) -> None:
        self.set_graph(
            contact_graph(conn, max_edges=max_edges) if conn is not None else None, names
        )

    def set_graph(self, graph: ContactGraph | None, names=None) -> None:
        scene = self.scene()
        scene.clear()
        self.graph = graph
        if graph is None or not graph.edges:
            scene.addSimpleText("No conversations" if graph is not None else "")
            return
        subs = sorted(k for k, n in graph.nodes.items() if n.is_subscriber)
        parties = sorted(
            (k for k, n in graph.nodes.items() if not n.is_subscriber),
            key=lambda k: -graph.nodes[k].messages,
        )
        pos: dict[str, QPointF] = {}
        for i, k in enumerate(subs):
            pos[k] = QPointF(0.0, (i - (len(subs) - 1) / 2) * 60.0)
        radius = max(220.0, 14.0 * len(parties))
        for i, k in enumerate(parties):
            a = 2 * math.pi * i / max(1, len(parties))
            pos[k] = QPointF(radius * math.cos(a), radius * math.sin(a))
        top = max(e.messages for e in graph.edges)
        pal = self.palette()
        for e in graph.edges:
            if e.subscriber not in pos or e.party not in pos:
                continue
            width = 1.0 + 7.0 * math.log1p(e.messages) / math.log1p(top)
            line = QGraphicsLineItem(
                pos[e.subscriber].x(), pos[e.subscriber].y(), pos[e.party].x(), pos[e.party].y()
            )
            pen = QPen(QColor(61, 139, 217, 150), width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            line.setPen(pen)
            line.setZValue(-1)
            line.setToolTip(
                tooltip_html(
                    f"{graph.nodes[e.subscriber].label} ↔ {self._label(graph, e.party, names)}\n"
                    f"{e.messages} messages in {len(e.conversations)} conversations"
                )
            )
            line.setData(CONV_KEY, e.conversations[0] if e.conversations else None)
            line.setCursor(Qt.CursorShape.PointingHandCursor)
            scene.addItem(line)
        for key, p in pos.items():
            node = graph.nodes[key]
            size = NODE * (1.6 if node.is_subscriber else 1.0)
            dot = QGraphicsEllipseItem(QRectF(-size / 2, -size / 2, size, size))
            dot.setPos(p)
            dot.setBrush(
                QBrush(QColor("#d9822b") if node.is_subscriber else pal.color(pal.ColorRole.Mid))
            )
            dot.setPen(QPen(pal.color(pal.ColorRole.Text), 1))
            label = self._label(graph, key, names)
            dot.setToolTip(tooltip_html(f"{label}\n{node.messages} messages"))
            busiest = max(
                (e for e in graph.edges if key in (e.party, e.subscriber) and e.conversations),
                key=lambda e: e.messages,
                default=None,
            )
            if busiest is not None and not node.is_subscriber:
                dot.setData(CONV_KEY, busiest.conversations[0])
                dot.setCursor(Qt.CursorShape.PointingHandCursor)
            scene.addItem(dot)
            text = QGraphicsSimpleTextItem(shown(label))  # a bidi override as a token
            text.setBrush(pal.color(pal.ColorRole.Text))
            text.setPos(p + QPointF(size / 2 + 3, -8))
            scene.addItem(text)
        if graph.dropped_edges:
            note = scene.addSimpleText(f"{graph.dropped_edges} less busy pairs not shown")
            note.setPos(-radius, radius + 30)
        self.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))

    @staticmethod
    def _label(graph: ContactGraph, key: str, names) -> str:
        node = graph.nodes[key]
        if names is None:
            return node.label
        return names.label(node.label)

    def item_conversation(self, item: QGraphicsItem | None) -> str | None:
        while item is not None:
            cid = item.data(CONV_KEY)
            if cid:
                return str(cid)
            item = item.parentItem()
        return None

    def mouseReleaseEvent(self, event) -> None:
        cid = None
        if event.button() == Qt.MouseButton.LeftButton:
            cid = self.item_conversation(self.itemAt(event.position().toPoint()))
        super().mouseReleaseEvent(event)  # ends the hand drag
        if cid is not None:
            event.accept()
            self.conversationRequested.emit(cid)

    def fit(self) -> None:
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
