"""Text contrast (WCAG AA, 4.5:1) of every text/background pair the delegates paint, in the
light and dark palettes; the theme follows the system's dark mode or the user's choice."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from msgcopy_viewer.ui.delegates import paint_util as pu
from msgcopy_viewer.ui.theme import dark_palette, is_dark_palette, light_palette

pytestmark = pytest.mark.gui

R = QPalette.ColorRole


def text_pairs(pal: QPalette) -> list[tuple[str, QColor, QColor]]:
    """(what, text colour, background colour) for everything the delegates draw as text."""
    base = pal.color(R.Base)
    text = pal.color(R.Text)
    muted = pu.bubble_muted(pal)
    bands = {
        "selected": pu.over(base, pu.selection_band(pal, False)),
        "search hit": pu.over(base, pu.selection_band(pal, True)),
    }
    pairs = [
        ("bubble text, sent", text, pu.sent_tint(pal)),
        ("bubble text, received", text, pu.received_tint(pal)),
        ("attachment chip", text, base),
        ("image placeholder", pu.muted_placeholder(pal), base),
        ("time / sender name", muted, base),
        ("date pill", muted, pu.received_tint(pal)),
        ("search match in a bubble", text, pu.match_background(pal)),
        ("list badge", text, pu.badge_background(pal)),
    ]
    pairs += [(f"time / sender name on the {k} band", muted, bg) for k, bg in bands.items()]
    for selected in (False, True):
        fg, bg, secondary = pu.row_colors(pal, selected)
        state = "selected" if selected else "plain"
        pairs += [
            (f"list row title ({state})", fg, bg),
            (f"list row time and snippet ({state})", secondary, bg),
        ]
    return pairs


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_delegate_text_meets_wcag_aa(name: str) -> None:
    pal = light_palette() if name == "light" else dark_palette()
    low = [
        f"{what}: {fg.name()} on {bg.name()} = {pu.contrast_ratio(fg, bg):.2f}"
        for what, fg, bg in text_pairs(pal)
        if pu.contrast_ratio(fg, bg) < pu.AA_CONTRAST
    ]
    assert not low, "\n".join(low)


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert pu.contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert pu.contrast_ratio(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)


def test_palettes_are_light_and_dark() -> None:
    assert not is_dark_palette(light_palette())
    assert is_dark_palette(dark_palette())
    # the widgets' own text (menus, labels, selected rows) reads on their backgrounds too
    for pal in (light_palette(), dark_palette()):
        for fg, bg in (
            (R.WindowText, R.Window),
            (R.Text, R.Base),
            (R.ButtonText, R.Button),
            (R.HighlightedText, R.Highlight),
            (R.PlaceholderText, R.Base),
            (R.ToolTipText, R.ToolTipBase),
        ):
            assert pu.contrast_ratio(pal.color(fg), pal.color(bg)) >= pu.AA_CONTRAST, (fg, bg)


def test_theme_menu_switches_palettes_and_follows_the_system(
    window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window.theme_actions["dark"].trigger()
    assert is_dark_palette(app.palette())
    window.theme_actions["light"].trigger()
    assert not is_dark_palette(app.palette())
    # "System": the system says dark while the platform's palette is light → dark palette
    monkeypatch.setattr(type(window.theme), "system_is_dark", lambda self: True)
    window.theme_actions["system"].trigger()
    assert is_dark_palette(app.palette())
    monkeypatch.setattr(type(window.theme), "system_is_dark", lambda self: False)
    window.theme._on_scheme_changed(None)
    assert not is_dark_palette(app.palette())
    window.close()
    assert app.palette().color(R.Base) == window.theme._system_palette.color(R.Base)
