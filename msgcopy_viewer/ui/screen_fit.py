"""Fitting windows to the screen they are on: sizes that fit, positions that stay visible."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# What the app assumes when it cannot ask (no screen): a small laptop.
FALLBACK_AREA = QRect(0, 0, 1280, 720)


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The usable area (without task bars and docks) of the screen ``widget`` is on, or of
    the primary screen."""
    screen = widget.screen() if widget is not None else None
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    return QRect(screen.availableGeometry()) if screen is not None else QRect(FALLBACK_AREA)


def fit_size(preferred: QSize, area: QRect, share: float = 0.92) -> QSize:
    """``preferred``, made smaller where it does not fit in ``share`` of ``area``."""
    return QSize(
        max(1, min(preferred.width(), int(area.width() * share))),
        max(1, min(preferred.height(), int(area.height() * share))),
    )


def clamp_rect(rect: QRect, area: QRect) -> QRect:
    """``rect`` made no larger than ``area`` and moved inside it."""
    w = min(rect.width(), area.width())
    h = min(rect.height(), area.height())
    x = min(max(rect.x(), area.left()), area.left() + area.width() - w)
    y = min(max(rect.y(), area.top()), area.top() + area.height() - h)
    return QRect(x, y, w, h)
