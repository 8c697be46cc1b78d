"""``msgcopy-viewer install-desktop``: menu entry, icon, MIME type and metainfo for the
user, under $XDG_DATA_HOME."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from msgcopy_viewer import about
from msgcopy_viewer.cli import main

APP_ID = about.APP_ID


def test_install_and_uninstall_into_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "xdg data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    program = tmp_path / "my apps" / "msgcopy-viewer"
    assert main(["install-desktop", "--exec", str(program)]) == 0
    out = capsys.readouterr().out
    expected = [
        home / "applications" / f"{APP_ID}.desktop",
        home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        home / "mime" / "packages" / f"{APP_ID}.xml",
        home / "metainfo" / f"{APP_ID}.metainfo.xml",
    ]
    for path in expected:
        assert path.is_file(), path
        assert f"installed {path}" in out
    entry = expected[0].read_text(encoding="utf-8")
    assert f"Exec='{program}' %f\n" in entry  # quoted: the path has a space
    assert f"MimeType={about.MIME_TYPE};" in entry
    assert expected[1].read_bytes() == about.resource("icons", "app.svg").read_bytes()
    if shutil.which("update-mime-database"):
        globs = (home / "mime" / "globs2").read_text(encoding="utf-8")
        assert f"{about.MIME_TYPE}:*.mcase" in globs

    assert main(["install-desktop", "--uninstall"]) == 0
    assert not any(p.exists() for p in expected)


def test_install_refuses_an_unwritable_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert main(["install-desktop", "--exec", "/usr/bin/msgcopy-viewer"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("msgcopy-viewer: cannot write ") and err[-1] == "\n"
