"""The About dialog: the same versions as ``--version``, and the bundled parts' licences."""

from __future__ import annotations

import PySide6
import pytest
from PySide6.QtCore import qVersion

from msgcopy_viewer import about
from msgcopy_viewer.cli import version_text
from msgcopy_viewer.ui.widgets.dialogs import AboutDialog

pytestmark = pytest.mark.gui


def test_about_shows_the_versions_and_licences(qtbot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.versions.toPlainText()
    assert text.startswith(version_text())  # what --version prints
    assert f"msgcopy-viewer {about.version()}" in text
    assert f"Qt {qVersion()}" in text and f"PySide6 {PySide6.__version__}" in text
    for part in about.BUNDLED_PARTS:
        assert f"{part.name}: {part.licence}" in text
    assert "Qt 6: LGPL-3.0-only" in text
