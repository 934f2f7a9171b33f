"""One saved pytest-benchmark run, summed up: each case against its group's baseline.

The baseline of a group is its ``..._original...`` case (the original study's method),
or the one-thread case of a thread sweep; a group without one (cold starts of
different jobs) has no speed-up column. A speed-up is the baseline's time per sample
over the case's, both from the same run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stockbench.errors import ParseError
from stockbench.report.runs import load_runs
from stockbench.units import format_mb, format_seconds


@dataclass(frozen=True, slots=True)
class CaseSummary:
    group: str
    name: str
    median_s: float
    time_per_sample_s: float | None
    samples_per_s: float | None
    speedup: float | None  # baseline time per sample / this case's
    baseline: str | None
    cpu_percent: float | None
    peak_rss_bytes: int | None
    steal_percent: float | None


def load_run(path: Path) -> dict[str, Any]:
    """One saved run, checked like every run the report reads; a ParseError if unusable."""
    runs, skipped = load_runs([path])
    if skipped:
        raise ParseError(skipped[0].reason, source=str(path))
    return {"benchmarks": list(runs[0].benchmarks)}


def _baseline(cases: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for case in cases:
        if "_original" in case["name"] or case["name"].endswith("[1]"):
            return case
    return None


def summarize(doc: Mapping[str, Any]) -> list[CaseSummary]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for case in doc["benchmarks"]:
        groups.setdefault(case.get("group") or "", []).append(case)
    out = []
    for group, cases in groups.items():
        base = _baseline(cases)
        base_tps = (base or {}).get("extra_info", {}).get("time_per_sample_s")
        for case in cases:
            extra = case.get("extra_info", {})
            tps = extra.get("time_per_sample_s")
            speedup = base_tps / tps if base_tps and tps else None
            out.append(
                CaseSummary(
                    group,
                    case["name"],
                    float(case["stats"]["median"]),
                    tps,
                    extra.get("samples_per_s"),
                    speedup,
                    base["name"] if base else None,
                    extra.get("cpu_percent"),
                    extra.get("peak_rss_bytes"),
                    extra.get("steal_percent"),
                )
            )
    return out


def format_summary(rows: Sequence[CaseSummary]) -> str:
    head = (
        f"{'case':<44}{'median':>10}{'per sample':>12}{'speed-up':>10}{'CPU %':>8}"
        f"{'peak RSS':>10}{'steal %':>9}"
    )
    lines = []
    group = None
    for r in rows:
        if r.group != group:
            group = r.group
            lines += ["", f"[{group}]  baseline: {r.baseline or '-'}", head]
        speed = f"{r.speedup:.1f}x" if r.speedup else "-"
        cpu = f"{r.cpu_percent:.0f}" if r.cpu_percent is not None else "-"
        rss = format_mb(r.peak_rss_bytes)
        steal = f"{r.steal_percent:.1f}" if r.steal_percent is not None else "-"
        lines.append(
            f"{r.name:<44}{format_seconds(r.median_s):>10}{format_seconds(r.time_per_sample_s):>12}"
            f"{speed:>10}{cpu:>8}{rss:>10}{steal:>9}"
        )
    return "\n".join(lines)
