"""Human-readable durations and sizes for tables and summaries."""

from __future__ import annotations


def format_seconds(seconds: float | None) -> str:
    """``0.00345`` -> ``"3.45 ms"``; None -> ``"-"``."""
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if abs(seconds) >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def format_mb(nbytes: int | None) -> str:
    return "-" if nbytes is None else f"{nbytes / 2**20:,.0f} MB"
