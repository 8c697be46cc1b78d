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


def test_open_with_a_case_file_opens_it_and_imports_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The .desktop entry runs ``msgcopy-viewer FILE.mcase`` for "Open with"."""
    from msgcopy_viewer.store.case import Case
    from msgcopy_viewer.ui import app

    case_path = tmp_path / "evidence.mcase"
    Case.open(case_path, create=True).close()
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(app, "run_app", lambda **kw: calls.append(kw) or 0)
    assert main([str(case_path)]) == 0
    assert calls[0]["case_path"] == case_path and calls[0]["import_paths"] == []

    folder = tmp_path / "inbox"  # anything else is still imported into the default case
    folder.mkdir()
    assert main([str(folder)]) == 0
    assert calls[1]["case_path"] is None and calls[1]["import_paths"] == [str(folder)]
