"""Where the shared real-world corpus lives (``shared/corpus`` beside the repo root)."""

from __future__ import annotations

from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


def corpus_dir() -> Path | None:
    """The corpus folder, or None when it is not present."""
    real = CORPUS_DIR / "real"
    return CORPUS_DIR if real.is_dir() else None


def corpus_file(*parts: str) -> Path | None:
    """A file inside the corpus, or None when the corpus is not present."""
    base = corpus_dir()
    return None if base is None else base.joinpath(*parts)


SKIP_REASON = (
    "optional real-world corpus (MM7/SMIL/vCard samples) not found at ../shared/corpus "
    "beside the repository root: these conformance tests run only where it is present"
)
