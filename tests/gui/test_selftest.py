"""``msgcopy-viewer selftest``: the end-to-end check of an installation."""

from __future__ import annotations

from pathlib import Path

import pytest

from msgcopy_viewer.cli import main
from msgcopy_viewer.ui import slide_render

pytestmark = pytest.mark.gui

STEPS = ("case", "generate", "import", "decode", "render", "export")


def test_selftest_passes_and_reports_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selftest"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [f"ok  {s}" for s in STEPS]
    assert lines[-1].startswith("selftest passed (")
    assert err == ""


def test_render_step_saves_the_first_slide(tmp_path: Path) -> None:
    import io

    from PySide6.QtGui import QImage

    from msgcopy_viewer import selftest

    selftest.run(io.StringIO(), tmp_path)

    image = QImage(str(tmp_path / "slide-1.png"))
    assert not image.isNull() and image.width() > 100 and image.height() > 100


def test_a_failing_step_stops_with_its_reason_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise slide_render.SlideRenderError(
            "could not save the rendered slide",
            ["QPainter::begin: Paint device returned engine == 0"],
        )

    monkeypatch.setattr(slide_render, "render_first_slide", broken)
    assert main(["selftest"]) == 1
    out, err = capsys.readouterr()
    assert "ok  decode:" in out and "render" not in out and "selftest passed" not in out
    assert err == (
        "msgcopy-viewer: selftest failed at render: could not save the rendered slide\n"
        "    Qt: QPainter::begin: Paint device returned engine == 0\n"
    )


def test_a_blank_slide_is_a_failure(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def blank(case_path: Path, rowid: int, out_png: Path) -> slide_render.SlideRender:
        return slide_render.SlideRender(320, 480, ["image"], 1, ["x"])

    monkeypatch.setattr(slide_render, "render_first_slide", blank)
    assert main(["selftest"]) == 1
    assert "selftest failed at render: the rendered slide is blank (1 colours)" in (
        capsys.readouterr().err
    )


def test_a_sound_that_cannot_be_played_is_a_failure(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from msgcopy_viewer.selftest import TEXT

    def no_backend(case_path: Path, rowid: int, out_png: Path) -> slide_render.SlideRender:
        return slide_render.SlideRender(
            320, 480, ["image"], 900, [TEXT], [("unavailable", "no multimedia backend")]
        )

    monkeypatch.setattr(slide_render, "render_first_slide", no_backend)
    assert main(["selftest"]) == 1
    assert capsys.readouterr().err == (
        "msgcopy-viewer: selftest failed at render: the sound is not ready to play "
        "(unavailable: no multimedia backend)\n"
    )
