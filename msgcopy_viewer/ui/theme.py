"""Light and dark palettes, and following the system's colour scheme.

View ▸ Theme offers System (the default: the platform's palette, or the dark palette when
the system is in dark mode and the platform's palette is not dark), Light and Dark. Both
palettes keep text at WCAG AA contrast (4.5:1) on the colours the views paint on.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

THEMES = ("system", "light", "dark")
THEME_LABELS = {"system": "&System", "light": "&Light", "dark": "&Dark"}

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

_LIGHT = {
    _Role.Window: "#efefef",
    _Role.WindowText: "#111111",
    _Role.Base: "#ffffff",
    _Role.AlternateBase: "#f4f4f4",
    _Role.Text: "#111111",
    _Role.Button: "#e8e8e8",
    _Role.ButtonText: "#111111",
    _Role.BrightText: "#ffffff",
    _Role.Highlight: "#1d5fa6",
    _Role.HighlightedText: "#ffffff",
    _Role.ToolTipBase: "#ffffdc",
    _Role.ToolTipText: "#111111",
    _Role.PlaceholderText: "#6b6b6b",
    _Role.Link: "#0b57d0",
    _Role.LinkVisited: "#6a3fb0",
    _Role.Light: "#ffffff",
    _Role.Midlight: "#f5f5f5",
    _Role.Mid: "#b8b8b8",
    _Role.Dark: "#9f9f9f",
    _Role.Shadow: "#767676",
}
_DARK = {
    _Role.Window: "#2b2b2b",
    _Role.WindowText: "#eeeeee",
    _Role.Base: "#1e1e1e",
    _Role.AlternateBase: "#262626",
    _Role.Text: "#eeeeee",
    _Role.Button: "#363636",
    _Role.ButtonText: "#eeeeee",
    _Role.BrightText: "#ffffff",
    _Role.Highlight: "#2f65a8",
    _Role.HighlightedText: "#ffffff",
    _Role.ToolTipBase: "#3a3a3a",
    _Role.ToolTipText: "#eeeeee",
    _Role.PlaceholderText: "#9a9a9a",
    _Role.Link: "#8ab4f8",
    _Role.LinkVisited: "#c58af9",
    _Role.Light: "#505050",
    _Role.Midlight: "#3f3f3f",
    _Role.Mid: "#2f2f2f",
    _Role.Dark: "#1a1a1a",
    _Role.Shadow: "#000000",
}
_DISABLED_TEXT = {"light": "#8a8a8a", "dark": "#7a7a7a"}


def _palette(colours: dict[QPalette.ColorRole, str], disabled_text: str) -> QPalette:
    pal = QPalette()
    for role, value in colours.items():
        pal.setColor(role, QColor(value))
    for role in (_Role.Text, _Role.WindowText, _Role.ButtonText):
        pal.setColor(_Group.Disabled, role, QColor(disabled_text))
    return pal


def light_palette() -> QPalette:
    return _palette(_LIGHT, _DISABLED_TEXT["light"])


def dark_palette() -> QPalette:
    return _palette(_DARK, _DISABLED_TEXT["dark"])


def is_dark_palette(palette: QPalette) -> bool:
    return palette.color(_Role.Window).lightness() < 128


class ThemeController(QObject):
    """Applies the chosen theme to the application and follows the system's colour scheme
    while the choice is "system". ``restore()`` puts the palette back as it was found."""

    changed = Signal(str)

    def __init__(self, choice: str = "system", parent: QObject | None = None) -> None:
        super().__init__(parent)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self._app = app
        self._system_palette = QPalette(app.palette())
        self._choice = choice if choice in THEMES else "system"
        self._applied = False
        app.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        self._following = True
        self.apply()

    @property
    def choice(self) -> str:
        return self._choice

    def set_choice(self, choice: str) -> None:
        if choice not in THEMES:
            raise ValueError(f"unknown theme {choice!r}")
        if choice != self._choice:
            self._choice = choice
            self.apply()
            self.changed.emit(choice)

    def system_is_dark(self) -> bool:
        return self._app.styleHints().colorScheme() == Qt.ColorScheme.Dark

    def apply(self) -> None:
        if self._choice == "light":
            self._app.setPalette(light_palette())
        elif self._choice == "dark":
            self._app.setPalette(dark_palette())
        else:
            # An empty palette resolves to the platform's own, which follows the system's
            # scheme where the platform can; where it cannot, the dark palette stands in.
            self._app.setPalette(QPalette())
            if self.system_is_dark() and not is_dark_palette(self._app.palette()):
                self._app.setPalette(dark_palette())
        self._applied = True
        log.info("theme %s applied", self._choice)

    def restore(self) -> None:
        """Back to the palette the application had (the window is closing)."""
        if self._following:
            self._app.styleHints().colorSchemeChanged.disconnect(self._on_scheme_changed)
            self._following = False
        if self._applied:
            self._app.setPalette(self._system_palette)
            self._applied = False

    def _on_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._choice == "system":
            self.apply()
