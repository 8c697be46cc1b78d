"""Shared helpers for the benchmarks: timing a command and sampling its process tree's RSS."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class RunResult:
    seconds: float
    peak_rss_mb: float  # largest single process in the tree
    peak_tree_rss_mb: float  # largest sum over the whole tree
    returncode: int
    stdout: str
    cpu_seconds: float = 0.0  # user + system time of the whole tree (steadier than wall time)


def _tree_rss(root: int) -> tuple[int, int]:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            pid = int(name)
            children.setdefault(int(fields[1]), []).append(pid)
            rss[pid] = int(fields[21]) * page
        except (OSError, IndexError, ValueError):
            continue
    total = biggest = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        biggest = max(biggest, rss.get(pid, 0))
        stack.extend(children.get(pid, []))
    return total, biggest


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_measured(cmd: Sequence[str], env: dict[str, str] | None = None) -> RunResult:
    cpu_before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak_total = peak_single = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_total, peak_single
        while not stop.is_set():
            total, single = _tree_rss(proc.pid)
            peak_total = max(peak_total, total)
            peak_single = max(peak_single, single)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return RunResult(
        seconds,
        peak_single / 1e6,
        peak_total / 1e6,
        proc.returncode,
        out,
        _children_cpu() - cpu_before,
    )


def time_shell(command: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, shell=True, check=True)
    return time.perf_counter() - start


def sms_corpus(keep: Path | None, work: Path, files: int) -> Path:
    """The SMS benchmark corpus: ``keep`` when given (generated there when empty), else a
    new one in ``work``."""
    from msgcopy_viewer.demo.generator import generate_sms_corpus

    corpus = keep or work / "corpus"
    if not corpus.exists() or not any(corpus.iterdir()):
        corpus.mkdir(parents=True, exist_ok=True)
        print(f"generating {files} files in {corpus} …", flush=True)
        generate_sms_corpus(corpus, files, seed=1)
    return corpus


def cat_seconds(corpus: Path) -> float:
    """``find DIR -type f -exec cat {} + >/dev/null``: best of three, after one read that
    warms the page cache the same way as for what it is compared with."""
    command = f"find '{corpus}' -type f -exec cat {{}} + >/dev/null"
    time_shell(command)
    return min(time_shell(command) for _ in range(3))
