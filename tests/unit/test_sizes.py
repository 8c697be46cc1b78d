"""One way to write a size, everywhere."""

from __future__ import annotations

import pytest

from msgcopy_viewer.core.sizes import human_size


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KB"),
        (1536, "2 KB"),
        (2048, "2 KB"),
        (1024 * 1024 - 600, "1023 KB"),
        (1024 * 1024 - 1, "1.0 MB"),  # never "1024 KB"
        (1024 * 1024, "1.0 MB"),
        (int(3.4 * 1024 * 1024), "3.4 MB"),
        (1024**3 - 1, "1.0 GB"),
        (5 * 1024**3, "5.0 GB"),
        (2 * 1024**4, "2.0 TB"),
        (3 * 1024**5, "3072.0 TB"),
    ],
)
def test_human_size(n: int, text: str) -> None:
    assert human_size(n) == text
