"""Start-up time to a window (issue goal: under 2 s for the bundle) and the bundle's size.

    python benchmarks/startup.py [--runs 5] [--platform offscreen|xcb|both]
                                 [--bundle dist/msgcopy-viewer]

Measured, in the same run, from the moment the process is started:

* baseline: ``python -c "import PySide6.QtWidgets"`` (until it exits);
* baseline window: a bare QApplication and QMainWindow, until the first turn of the
  event loop after ``show()`` (what any PySide6 app pays);
* app: ``msgcopy-viewer`` on an empty data folder (the window's empty state), and on the
  3,000-message demo case, until the app logs "main window shown" (the first turn of the
  event loop after the window was shown); then it is closed with SIGINT;
* the same for the PyInstaller bundle, when ``--bundle`` names one (default:
  dist/msgcopy-viewer if it exists).

``xcb`` runs on a private Xvfb server (started and stopped here). Each figure is the
median of the runs after one unmeasured warm-up run; the ratios are against the bare
window. Then the bundle's size, by what it holds.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOG_LINE = "main window shown"

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow()
w.resize(1200, 800)
w.show()
def shown():
    print("shown", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""
BARE_IMPORT = [sys.executable, "-c", "import PySide6.QtWidgets"]
BARE_WINDOW_CMD = [sys.executable, "-c", BARE_WINDOW]


def _env(extra: dict[str, str]) -> dict[str, str]:
    # Bytecode is cached as an installed app's would be (the warm-up run writes it).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("QT_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(extra)
    return env


def time_until_exit(cmd: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def time_until_stdout(cmd: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait()
    if not line.startswith(b"shown"):
        raise SystemExit(f"startup: {cmd[0]} did not show its window")
    return elapsed


def time_until_logged(cmd: Sequence[str], env: dict[str, str], log: Path) -> float:
    """Start the app, wait for its log line, close it with SIGINT."""
    log.unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            try:
                if LOG_LINE in log.read_text(encoding="utf-8", errors="replace"):
                    elapsed = time.perf_counter() - start
                    break
            except FileNotFoundError:
                pass
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"startup: {cmd[0]} exited ({proc.returncode}): {err}")
            if time.perf_counter() - start > 60:
                raise SystemExit(f"startup: {cmd[0]} showed no window within 60 s")
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return elapsed


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    measure()  # warm-up: the disk cache, fontconfig's cache, Python's bytecode
    times = [measure() for _ in range(runs)]
    return statistics.median(times), times


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("startup: Xvfb is not installed (scripts/sysdeps.sh installs it)")
    read, write = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as fh:
        display = fh.readline().strip()
    if not display:
        proc.kill()
        raise SystemExit("startup: Xvfb did not start")
    return proc, f":{display}"


SIZE_GROUPS = (
    ("ICU (Unicode tables Qt Core links to)", r"libicu"),
    ("FFmpeg (Qt Multimedia's backend)", r"/lib(av|sw)[a-z]+\.so|FFmpegStub"),
    ("Qt Quick/QML (needed by the FFmpeg plugin)", r"libQt6(Qml|Quick)"),
    ("Qt libraries (Core, Gui, Widgets, Multimedia …)", r"PySide6/Qt/lib/"),
    ("Qt plugins", r"PySide6/Qt/plugins/"),
    ("PySide6 bindings and shiboken", r"PySide6/|shiboken6/"),
    ("Python runtime and standard library", r"libpython|/python3\.\d+/|base_library\.zip"),
    ("Pillow and its image libraries", r"PIL/|pillow\.libs/"),
    ("system libraries (X11, GL, glib, PulseAudio …)", r"_internal/lib[^/]*\.so"),
    ("the app and its other Python packages", r""),
)


def bundle_size(bundle: Path) -> tuple[int, list[tuple[str, int]]]:
    sizes = dict.fromkeys((name for name, _ in SIZE_GROUPS), 0)
    total = 0
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        rel = "/" + path.relative_to(bundle.parent).as_posix()
        for name, pattern in SIZE_GROUPS:
            if re.search(pattern, rel):
                sizes[name] += size
                break
    return total, sorted(sizes.items(), key=lambda kv: -kv[1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--platform", choices=("offscreen", "xcb", "both"), default="both")
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "msgcopy-viewer")
    args = parser.parse_args(argv)
    bundle_exe = args.bundle / "msgcopy-viewer"
    has_bundle = bundle_exe.is_file()
    platforms = ["offscreen", "xcb"] if args.platform == "both" else [args.platform]

    with tempfile.TemporaryDirectory(prefix="msgcopy-startup-") as tmp_name:
        tmp = Path(tmp_name)
        empty, demo = tmp / "empty", tmp / "demo"
        base = {"XDG_CONFIG_HOME": str(tmp / "config"), "XDG_CACHE_HOME": str(tmp / "cache")}
        print("preparing the demo case …", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-c",
             "import sys; from msgcopy_viewer.cli import ensure_demo_case; "
             "ensure_demo_case(sys.argv[1])", str(demo)],
            check=True, env=_env(base), capture_output=True,
        )  # fmt: skip
        demo_case = demo / "demo" / "demo.mcase"

        for platform in platforms:
            xvfb = None
            env_extra = dict(base)
            if platform == "xcb":
                xvfb, display = start_xvfb()
                env_extra.update(QT_QPA_PLATFORM="xcb", DISPLAY=display)
            else:
                env_extra.update(QT_QPA_PLATFORM="offscreen")
            try:
                rows: list[tuple[str, float, list[float]]] = []
                env = _env(env_extra)
                rows.append(("baseline: import PySide6.QtWidgets", *median_of(
                    args.runs, lambda env=env: time_until_exit(BARE_IMPORT, env)
                )))  # fmt: skip
                rows.append(("baseline: bare QMainWindow shown", *median_of(
                    args.runs, lambda env=env: time_until_stdout(BARE_WINDOW_CMD, env)
                )))  # fmt: skip
                programs = [("app (venv)", [sys.executable, "-m", "msgcopy_viewer"])]
                if has_bundle:
                    programs.append(("app (bundle)", [str(bundle_exe)]))
                for label, prog in programs:
                    for what, data, extra_args in (
                        ("empty", empty, []),
                        ("demo case", demo, ["--case", str(demo_case)]),
                    ):
                        cmd = [*prog, "--data-dir", str(data), *extra_args]
                        log = data / "logs" / "msgcopy-viewer.log"
                        rows.append((f"{label}, {what}", *median_of(
                            args.runs,
                            lambda cmd=cmd, log=log, env=env: time_until_logged(cmd, env, log),
                        )))  # fmt: skip
            finally:
                if xvfb is not None:
                    xvfb.terminate()
                    xvfb.wait()
            window = rows[1][1]
            print(f"\nstart-up to a window, {platform} (median of {args.runs}; s)")
            for label, med, times in rows:
                spread = f"{min(times):.3f}–{max(times):.3f}"
                print(f"  {label:<36} {med:6.3f}  ({spread})  ×{med / window:.2f} bare window")

    if has_bundle:
        total, groups = bundle_size(args.bundle)
        print(f"\nbundle {args.bundle}: {total / 1e6:.0f} MB unpacked")
        for name, size in groups:
            print(f"  {name:<50} {size / 1e6:6.1f} MB")
    else:
        print(f"\nno bundle at {args.bundle} (make package builds it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
