"""Deterministic, Qt-free demo data in the Message Copy receiver layout."""

from msgcopy_viewer.demo.generator import (
    DemoAttachment,
    DemoFile,
    DemoMms,
    DemoSummary,
    generate_demo,
    generate_mms_heavy,
    generate_sms_corpus,
    write_event_file,
)
from msgcopy_viewer.demo.mm7_writer import Mm7Part, build_mm7

__all__ = [
    "DemoAttachment",
    "DemoFile",
    "DemoMms",
    "DemoSummary",
    "Mm7Part",
    "build_mm7",
    "generate_demo",
    "generate_mms_heavy",
    "generate_sms_corpus",
    "write_event_file",
]
