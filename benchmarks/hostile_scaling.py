"""Hostile inputs stay linear: time per unit at a size and at four times that size.

    python benchmarks/hostile_scaling.py [--size N]

For each pathological input (SOAP of unclosed tags, thousands of damaged parts each
with a warning, thousands of dangling SMIL references, SMIL nested thousands deep, a
folder of hostile files imported whole) it prints the time per unit at N and at 4N and
their ratio: about 1 means linear; a quadratic step would show about 4.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msgcopy_viewer.core.mms import decode_mms  # noqa: E402
from msgcopy_viewer.core.smil import parse_smil  # noqa: E402
from msgcopy_viewer.core.soap import parse_envelope  # noqa: E402
from msgcopy_viewer.ingest.pipeline import Importer  # noqa: E402
from tests.hostile.builders import document, event  # noqa: E402
from tests.hostile.scaling import (  # noqa: E402
    damaged_parts_body,
    dangling_smil_body,
    nested_smil,
    unclosed_soap,
)


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def hostile_folder(n: int) -> float:
    """Import n files, a third of them hostile (a lone surrogate, a repeated key, junk)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in")
        src.mkdir()
        for i in range(n):
            if i % 3 == 0:
                data = document(event(f"x\ud800 {i}"))
            elif i % 3 == 1:
                data = document(event(f"m {i}")).replace(
                    b'"direction"', b'"message": "hidden", "direction"'
                )
            else:
                data = b"{" * 50 + str(i).encode()
            (src / f"f{i:06d}\u202e.json").write_bytes(data)
        start = time.perf_counter()
        Importer(Path(tmp, "c.mcase"), workers=1).run([src])
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    n = parser.parse_args().size
    cases: list[tuple[str, Callable[[int], Callable[[], object]], int]] = [
        ("SOAP, unclosed + unmatched tags", lambda k: lambda: parse_envelope(unclosed_soap(k)), 10),
        ("MMS parts, each with a warning", lambda k: lambda: decode_mms(damaged_parts_body(k)), 1),
        ("SMIL, dangling references", lambda k: lambda: decode_mms(dangling_smil_body(k)), 2),
        ("SMIL, nested <seq>", lambda k: lambda: parse_smil(nested_smil(k)), 1),
    ]
    print(f"{'input':<34} {'per unit at N':>14} {'per unit at 4N':>15} {'ratio':>6}")
    for name, make, scale in cases:
        k = n * scale
        small = best_of(make(k)) / k
        large = best_of(make(4 * k)) / (4 * k)
        print(f"{name:<34} {small * 1e6:>11.2f} µs {large * 1e6:>12.2f} µs {large / small:>6.2f}")
    files = max(200, n // 10)
    small = hostile_folder(files) / files
    large = hostile_folder(4 * files) / (4 * files)
    print(
        f"{'import, hostile files':<34} {small * 1e6:>11.2f} µs {large * 1e6:>12.2f} µs "
        f"{large / small:>6.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
