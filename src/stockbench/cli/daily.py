"""``stockbench daily``: the three daily jobs as a cron job runs them, each in a fresh
process, with each one's time, CPU-seconds and peak memory (``dailyrun.daily_run``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from stockbench.cli.common import (
    EXIT_CODES_HELP,
    EXIT_FAILURE,
    EXIT_USAGE,
    CliError,
    add_origin,
    market_origin,
    progress_printer,
)
from stockbench.dailyrun import DailyRun, daily_run
from stockbench.fakemarket import ServerConfig
from stockbench.net import YONHAP_FEEDS
from stockbench.news.feed import DEFAULT_LIMIT
from stockbench.news.models import REPLICA
from stockbench.news.mood import BACKENDS
from stockbench.units import format_mb


def register(sub: Any) -> None:
    daily = sub.add_parser(
        "daily",
        help="run the three daily jobs cold, as cron would, with time, CPU and memory",
        description="Market snapshot, LSTM and news mood, each in a fresh process.",
        epilog=EXIT_CODES_HELP,
    )
    add_origin(daily)
    daily.add_argument("--backend", choices=BACKENDS, default="onnx", help="LSTM and news mood")
    daily.add_argument("--model", default=REPLICA, help="news mood model (see stockbench news)")
    daily.add_argument("--feed", choices=sorted(YONHAP_FEEDS), default="latest")
    daily.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="headlines")
    daily.add_argument("--companies", type=int, help="market: the first N listed (default all)")
    daily.add_argument("--json", action="store_true", help="the jobs' reports as JSON")
    daily.set_defaults(run=cmd_daily)


def _summary(report: dict[str, Any]) -> str:
    result, n = report["result"], report["samples"]
    if report["job"] == "market":
        return f"{result['rows']:,} companies, {result['failures']} failed"
    if report["job"] == "sentiment":
        counts = Counter(result["labels"])
        shares = ", ".join(f"{label} {counts[label] / n:.0%}" for label in result["label_names"])
        return f"{n} headlines: {shares}"
    return f"{n:,} sequences"


def _table(run: DailyRun) -> str:
    lines = [
        f"{'job':<17}{'way':<9}{'result':<40}{'time':>8}{'CPU s':>8}{'peak RSS':>10}",
    ]
    for r in run.jobs:
        lines.append(
            f"{r['name']:<17}{r['variant']:<9}{_summary(r):<40}{r['process_wall_s']:>6.2f} s"
            f"{r['process_cpu_s']:>8.2f}{format_mb(r['peak_rss_bytes']):>10}"
        )
    lines.append(
        f"{'total':<66}{run.wall_s:>6.2f} s{run.cpu_s:>8.2f}{format_mb(run.peak_rss_bytes):>10}"
        f"   ≈ {run.cpu_credits:.3f} CPU credits"
    )
    lines += [f"failed: {f}" for f in run.failures]
    return "\n".join(lines)


def cmd_daily(args: argparse.Namespace) -> int:
    if args.limit < 1 or (args.companies is not None and args.companies < 1):
        raise CliError("--limit and --companies must be >= 1", EXIT_USAGE)
    with market_origin(args.live, args.origin, ServerConfig()) as endpoints:
        run = daily_run(
            endpoints,
            backend=args.backend,
            model=args.model,
            feed=args.feed,
            limit=args.limit,
            companies=args.companies,
            progress=progress_printer("stockbench daily: export"),
        )
    if args.json:
        print(json.dumps(run.to_json(), ensure_ascii=False, indent=2))
    else:
        where = "live" if args.live or args.origin else "offline market"
        print(f"stockbench daily: three jobs, each in a fresh process ({args.backend}, {where})\n")
        print(_table(run))
        for warning in run.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return EXIT_FAILURE if run.failures else 0
