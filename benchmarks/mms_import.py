"""MMS import throughput against the floor of the work (issue goal: >= 30% of the reference).

    python benchmarks/mms_import.py [--messages 200]

Generates an MMS-heavy corpus (one to three images of 50-500 KB per message),
then measures in the same run:
* reference: read every file, JSON-decode it, split the MM7 body on its
  delimiter lines and base64-decode + SHA-256 every base64 part (the least any
  importer must do, in Python);
* import: `msgcopy-viewer import` of the same folder into a new case.
Prints both throughputs (MB of input per second) and import/reference.
"""

from __future__ import annotations

import argparse
import binascii
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import run_measured

from msgcopy_viewer.demo.generator import generate_mms_heavy


def reference_pass(corpus: Path) -> tuple[float, int]:
    start = time.perf_counter()
    parts = 0
    for name in sorted(os.listdir(corpus)):
        with open(corpus / name, "rb") as fh:
            doc = json.loads(fh.read())
        body = doc["smsEvent"][0]["message"]
        for chunk in body.split("\r\n--"):
            head, sep, payload = chunk.partition("\r\n\r\n")
            if sep and "base64" in head.lower():
                data = binascii.a2b_base64(payload.rsplit("\r\n--", 1)[0])
                hashlib.sha256(data).hexdigest()
                parts += 1
    return time.perf_counter() - start, parts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=200)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="msgcopy-bench-mms-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        generate_mms_heavy(corpus, args.messages, seed=1)
        size_mb = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
        reference_pass(corpus)  # warm the page cache
        ref_s, parts = min(reference_pass(corpus) for _ in range(3))
        res = run_measured(
            [
                sys.executable,
                "-m",
                "msgcopy_viewer",
                "import",
                str(corpus),
                "--case",
                str(work / "bench.mcase"),
                "--json",
            ]
        )
        summary = json.loads(res.stdout)
        assert summary["messages_imported"] == args.messages, summary
        ref_rate = size_mb / ref_s
        imp_rate = size_mb / res.seconds
        print(f"corpus:            {args.messages} MMS, {parts} base64 parts, {size_mb:.1f} MB")
        print(f"reference (b64+sha256): {ref_s:.2f} s = {ref_rate:.1f} MB/s")
        print(f"import:                 {res.seconds:.2f} s = {imp_rate:.1f} MB/s")
        print(f"import/reference:       {imp_rate / ref_rate:.0%}   (goal >= 30%)")
        print(
            f"peak RSS (largest process): {res.peak_rss_mb:.0f} MB; "
            f"whole tree {res.peak_tree_rss_mb:.0f} MB"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
