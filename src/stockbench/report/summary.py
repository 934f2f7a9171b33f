"""One saved run, summed up: each case against its unit's baseline case, same run.

This is what ``stockbench bench`` prints after the suite: the same ``CaseResult``
records the cross-instance report uses, for a single run, so "speed-up" here and in
the report are one computation (``CaseResult.speedup``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from stockbench.errors import ParseError
from stockbench.report.compare import BASELINE, CaseResult, aggregate
from stockbench.report.prices import PriceTable
from stockbench.report.runs import load_runs
from stockbench.units import format_mb, format_seconds

NO_PRICES = PriceTable({}, "none", "-")


def summarize(path: Path) -> list[CaseResult]:
    """The cases of one saved run; a ``ParseError`` if the file is not a usable run."""
    runs, skipped = load_runs([path])
    if skipped:
        raise ParseError(skipped[0].reason, source=str(path))
    return aggregate(runs, NO_PRICES, region="-")


def format_summary(rows: Sequence[CaseResult]) -> str:
    head = (
        f"{'case':<44}{'median':>10}{'per sample':>12}{'speed-up':>10}{'CPU %':>8}"
        f"{'peak RSS':>10}{'steal %':>9}"
    )
    bases = {r.unit: r.case for r in rows if r.role == BASELINE}
    lines = []
    unit = None
    for r in sorted(rows, key=lambda r: r.unit):
        if r.unit != unit:
            unit = r.unit
            lines += ["", f"[{r.job_label}]  baseline: {bases.get(unit, '-')}", head]
        speed = f"{r.speedup:.1f}x" if r.speedup else "-"
        cpu = f"{r.cpu_percent:.0f}" if r.cpu_percent is not None else "-"
        steal = f"{r.steal_percent:.1f}" if r.steal_percent is not None else "-"
        lines.append(
            f"{r.case:<44}{format_seconds(r.median_s):>10}"
            f"{format_seconds(r.time_per_sample_s):>12}{speed:>10}{cpu:>8}"
            f"{format_mb(r.peak_rss_bytes):>10}{steal:>9}"
        )
    return "\n".join(lines)
