"""Durations and sizes as people read them."""

from __future__ import annotations

import pytest

from stockbench.units import format_mb, format_seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "-"),
        (12.345, "12.3 s"),
        (1.0, "1 s"),
        (0.00345, "3.45 ms"),
        (0.000_123_4, "123 us"),
        (0.000_000_5, "500 ns"),
    ],
)
def test_format_seconds(seconds: float | None, text: str) -> None:
    assert format_seconds(seconds) == text


def test_format_mb() -> None:
    assert format_mb(None) == "-"
    assert format_mb(300 * 2**20) == "300 MB"
    assert format_mb(1536 * 2**20) == "1,536 MB"
