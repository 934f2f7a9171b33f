"""A report's outputs: CSV (one row per case x instance), a terminal table, Markdown."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from stockbench.report.compare import SIGNIFICANCE_ALPHA, CaseResult, Verdict
from stockbench.report.prices import PriceTable
from stockbench.report.runs import Skipped
from stockbench.units import format_mb, format_seconds

CSV_FIELDS = (
    "group",
    "case",
    "instance",
    "runs",
    "median_s",
    "median_min_s",
    "median_max_s",
    "samples",
    "time_per_sample_s",
    "samples_per_s",
    "p90_s",
    "p99_s",
    "peak_rss_bytes",
    "memory_bytes",
    "fits_memory",
    "cpu_percent",
    "steal_percent",
    "price_usd_per_hour",
    "usd_per_million_samples",
    "ratio_to_baseline",
    "p_value",
    "significant",
)


def _csv_row(r: CaseResult) -> list[Any]:
    def f(v: Any) -> Any:
        return "" if v is None else v

    return [
        r.group,
        r.case,
        r.instance,
        r.runs,
        r.median_s,
        r.median_spread_s[0],
        r.median_spread_s[1],
        f(r.samples),
        f(r.time_per_sample_s),
        f(r.samples_per_s),
        f(r.p90_s),
        f(r.p99_s),
        f(r.peak_rss_bytes),
        f(r.memory_bytes),
        f(r.fits_memory),
        f(r.cpu_percent),
        f(r.steal_percent),
        f(r.price_per_hour),
        f(r.cost_per_million_samples),
        f(r.ratio_to_baseline),
        f(r.p_value),
        f(r.significant),
    ]


def results_csv(results: Sequence[CaseResult]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    writer.writerows(_csv_row(r) for r in results)
    return buf.getvalue()


def _cell_values(r: CaseResult) -> list[str]:
    spread = (
        ""
        if r.runs == 1
        else f" ({format_seconds(r.median_spread_s[0])}-{format_seconds(r.median_spread_s[1])})"
    )
    fits = " (too big)" if r.fits_memory is False else ""
    return [
        r.instance,
        f"{r.runs}",
        format_seconds(r.median_s) + spread,
        format_seconds(r.time_per_sample_s),
        format_seconds(r.p90_s),
        format_seconds(r.p99_s),
        "-" if r.samples_per_s is None else f"{r.samples_per_s:,.1f}",
        format_mb(r.peak_rss_bytes) + fits,
        "-" if r.cpu_percent is None else f"{r.cpu_percent:.0f}",
        "-" if r.steal_percent is None else f"{r.steal_percent:.1f}",
        "no price" if r.price_per_hour is None else f"${r.price_per_hour:.4f}",
        "-" if r.cost_per_million_samples is None else f"${r.cost_per_million_samples:.3g}",
        "-" if r.ratio_to_baseline is None else f"{r.ratio_to_baseline:.2f}x",
        r.significance,
    ]


TABLE_HEAD = [
    "instance",
    "runs",
    "median (spread)",
    "per sample",
    "p90",
    "p99",
    "samples/s",
    "peak RSS",
    "CPU %",
    "steal %",
    "$/hour",
    "$/1M samples",
    "vs baseline",
    "significant",
]


def _by_case(results: Sequence[CaseResult]) -> dict[tuple[str, str], list[CaseResult]]:
    out: dict[tuple[str, str], list[CaseResult]] = {}
    for r in results:
        out.setdefault((r.group, r.case), []).append(r)
    return out


def terminal_table(results: Sequence[CaseResult]) -> str:
    lines = []
    for (group, case), rows in _by_case(results).items():
        cells = [TABLE_HEAD] + [_cell_values(r) for r in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(TABLE_HEAD))]
        lines.append(f"\n[{group}] {case}")
        for row in cells:
            lines.append(
                "  ".join(
                    v.ljust(w) if i == 0 else v.rjust(w)
                    for i, (v, w) in enumerate(zip(row, widths, strict=True))
                )
            )
    return "\n".join(lines)


def verdict_lines(vs: Sequence[Verdict]) -> list[str]:
    out = []
    for v in vs:
        target = (
            f"cheapest within {v.target_ms:g} ms and in memory"
            if v.target_ms
            else "cheapest that fits in memory"
        )
        out.append(
            f"{v.job}: fastest {v.fastest or '-'}; cheapest per unit of work "
            f"{v.cheapest or 'no price'}; {target}: {v.cheapest_meeting_target or '-'} "
            f"({v.why}) [{v.case}]"
        )
    return out


def markdown(
    results: Sequence[CaseResult],
    vs: Sequence[Verdict],
    charts: Mapping[str, str],
    prices: PriceTable,
    region: str,
    baseline: str,
    skipped: Sequence[Skipped],
) -> str:
    parts = [
        "# stockbench: which instance, for the money",
        "",
        f"Baseline instance: **{baseline}**. Prices: {region}, {prices.source} "
        f"(as of {prices.as_of}). Significance: Mann-Whitney U on raw rounds, "
        f"p < {SIGNIFICANCE_ALPHA}.",
        "",
        "## Verdicts",
        "",
    ]
    parts += [f"- {line}" for line in verdict_lines(vs)]
    for (group, case), rows in _by_case(results).items():
        parts += [
            "",
            f"## {group}: `{case}`",
            "",
            "| " + " | ".join(TABLE_HEAD) + " |",
            "|" + "---|" * len(TABLE_HEAD),
        ]
        parts += ["| " + " | ".join(_cell_values(r)) + " |" for r in rows]
    if charts:
        parts += ["", "## Charts", ""]
        parts += [f"![{name}]({path})" for name, path in charts.items()]
    if skipped:
        parts += ["", "## Files skipped", ""] + [f"- `{s.path}`: {s.reason}" for s in skipped]
    return "\n".join(parts) + "\n"
