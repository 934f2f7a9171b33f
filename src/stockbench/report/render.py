"""A report's outputs: CSV (one row per case x instance), a terminal table, Markdown."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from stockbench.report.compare import SPOT, CaseResult
from stockbench.report.daily import DailyRow, DailyVerdict
from stockbench.report.effect import CONFIDENCE
from stockbench.report.runs import Skipped
from stockbench.report.verdicts import Verdict
from stockbench.units import format_mb, format_seconds


def _blank(v: Any) -> Any:
    return "" if v is None else v


# column -> value; one row per case x instance
CSV_COLUMNS: dict[str, Callable[[CaseResult], Any]] = {
    "group": lambda r: r.group,
    "job": lambda r: r.job,
    "role": lambda r: r.role,
    "case": lambda r: r.case,
    "instance": lambda r: r.instance,
    "runs": lambda r: r.runs,
    "median_s": lambda r: r.median_s,
    "median_min_s": lambda r: r.median_spread_s[0],
    "median_max_s": lambda r: r.median_spread_s[1],
    "samples": lambda r: r.samples,
    "time_per_sample_s": lambda r: r.time_per_sample_s,
    "samples_per_s": lambda r: r.samples_per_s,
    "p90_s": lambda r: r.p90_s,
    "p99_s": lambda r: r.p99_s,
    "peak_rss_bytes": lambda r: r.peak_rss_bytes,
    "memory_bytes": lambda r: r.memory_bytes,
    "fits_memory": lambda r: r.fits_memory,
    "cpu_percent": lambda r: r.cpu_percent,
    "cpu_seconds": lambda r: r.cpu_seconds,
    "steal_percent": lambda r: r.steal_percent,
    "price_usd_per_hour": lambda r: r.price_per_hour,
    "price_kind": lambda r: r.price_kind if r.price_per_hour is not None else None,
    "usd_per_million_samples": lambda r: r.cost_per_million_samples,
    "speedup_vs_baseline_case": lambda r: r.speedup,
    "ratio_to_baseline": lambda r: r.ratio_to_baseline,
    "ratio_ci_low": lambda r: r.effect.low if r.effect else None,
    "ratio_ci_high": lambda r: r.effect.high if r.effect else None,
    "difference": lambda r: (
        "baseline" if r.is_baseline else (r.effect.verdict if r.effect else None)
    ),
    "p_value": lambda r: r.p_value,
}
CSV_FIELDS = tuple(CSV_COLUMNS)


def results_csv(results: Sequence[CaseResult]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    writer.writerows([_blank(get(r)) for get in CSV_COLUMNS.values()] for r in results)
    return buf.getvalue()


def _price(price: float | None, kind: str) -> str:
    if price is None:
        return "no price"
    return f"${price:.4f}" + (" spot" if kind == SPOT else "")


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
        _price(r.price_per_hour, r.price_kind),
        "-" if r.cost_per_million_samples is None else f"${r.cost_per_million_samples:.3g}",
        r.comparison,
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
    "vs baseline instance",
]


def _by_case(results: Sequence[CaseResult]) -> dict[tuple[str, str], list[CaseResult]]:
    out: dict[tuple[str, str], list[CaseResult]] = {}
    for r in results:
        out.setdefault((r.group, r.case), []).append(r)
    return out


def _aligned(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            v.ljust(w) if i == 0 else v.rjust(w)
            for i, (v, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]


def terminal_table(results: Sequence[CaseResult]) -> str:
    lines = []
    for (group, case), rows in _by_case(results).items():
        lines.append(f"\n[{group}] {case}")
        lines += _aligned([TABLE_HEAD] + [_cell_values(r) for r in rows])
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


DAILY_HEAD = [
    "instance",
    "daily run",
    "CPU-s",
    "peak RSS / free",
    "$/hour",
    "$/month kept running",
    "$/day launched",
    "CPU credits",
    "verdict",
]


def _money(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"${value:,.{digits}f}"


def _daily_cells(row: DailyRow, verdict: DailyVerdict) -> list[str]:
    fits = " (too big)" if row.fits_memory is False else ""
    why = verdict.ruled_out.get(row.instance)
    return [
        row.instance,
        "-" if row.missing else format_seconds(row.time_s),
        "-" if row.cpu_seconds is None else f"{row.cpu_seconds:,.2f}",
        f"{format_mb(row.peak_rss_bytes)} / {format_mb(row.memory_bytes)}{fits}",
        _price(row.price_per_hour, row.price_kind),
        _money(row.monthly_running_usd),
        _money(row.launched_usd_per_day, 5),
        row.credits.describe() if row.credits else "not burstable",
        "PICK" if row.instance == verdict.pick else (f"ruled out: {why}" if why else "ok"),
    ]


def daily_parts(verdict: DailyVerdict) -> tuple[str, list[list[str]], list[str]]:
    """The daily-jobs table's title, its rows of cells, and the verdict's lines."""
    cost = "kept running all month" if verdict.mode == "running" else "launched for each run"
    deadline = f" within {verdict.deadline_s:g} s" if verdict.deadline_s else ""
    jobs = ", ".join(j.split(":", 1)[1] for j in verdict.jobs)
    title = f"Daily jobs ({jobs}), each from a cold process; cheapest {cost}:"
    order = [r.instance for r in verdict.rows]
    if verdict.pick:
        notes = [
            f"Verdict: {verdict.pick} is the cheapest that finishes{deadline}, fits in the "
            f"memory it had free and does not run out of CPU credits."
        ]
        cheaper = order[: order.index(verdict.pick)]
    else:
        notes = [f"Verdict: no instance finishes{deadline}, fits and keeps its credits."]
        cheaper = order
    notes += [f"{i} ruled out: {verdict.ruled_out[i]}" for i in cheaper if i in verdict.ruled_out]
    return title, [_daily_cells(r, verdict) for r in verdict.rows], notes


def daily_lines(verdict: DailyVerdict | None) -> list[str]:
    """The daily-jobs table and its verdict for a terminal; nothing without cold starts."""
    if verdict is None:
        return []
    title, rows, notes = daily_parts(verdict)
    return [title, *_aligned([DAILY_HEAD, *rows]), *notes]


def markdown(
    results: Sequence[CaseResult],
    vs: Sequence[Verdict],
    daily: DailyVerdict | None,
    charts: Mapping[str, str],
    price_note: str,
    baseline: str,
    min_effect: float,
    skipped: Sequence[Skipped],
) -> str:
    parts = [
        "# stockbench: which instance, for the money",
        "",
        f"Baseline instance: **{baseline}**. Prices: {price_note}. Differences: the ratio "
        f"of median round times with its {CONFIDENCE:.0%} bootstrap interval from the raw "
        f'rounds; within {min_effect:.0%} it is "same". Memory: each job\'s own peak in a '
        f"process of its own, against what the instance had free when the run started.",
        "",
        "## Verdicts",
        "",
    ]
    parts += [f"- {line}" for line in verdict_lines(vs)]
    if daily is not None:
        title, cells, notes = daily_parts(daily)
        parts += ["", "## Daily jobs", "", title, "", _md_table(DAILY_HEAD, cells), ""]
        parts += [f"- {note}" for note in notes]
    for (group, case), rows in _by_case(results).items():
        parts += ["", f"## {group}: `{case}`", ""]
        parts.append(_md_table(TABLE_HEAD, [_cell_values(r) for r in rows]))
    if charts:
        parts += ["", "## Charts", ""]
        parts += [f"![{name}]({path})" for name, path in charts.items()]
    if skipped:
        parts += ["", "## Files skipped", ""] + [f"- `{s.path}`: {s.reason}" for s in skipped]
    return "\n".join(parts) + "\n"


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)
