"""Guard against Qt bindings that corrupt the interpreter.

PySide6 6.12.0 on Python 3.11 drops a reference to None on every call of a C++
method that returns nothing, so a long session aborts with "none_dealloc".
pyproject.toml excludes it; this test catches any other such release.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QWidget


def test_void_calls_keep_none_alive(qtbot: object) -> None:
    label = QLabel("x")
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setVisible(False)
    assert abs(sys.getrefcount(None) - before) < 100


def test_bool_results_keep_true_alive(qtbot: object) -> None:
    w = QWidget()
    before = sys.getrefcount(True)
    for _ in range(2000):
        w.isHidden()
    assert abs(sys.getrefcount(True) - before) < 100
