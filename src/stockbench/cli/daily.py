"""``stockbench daily``: the three daily jobs as a cron job runs them, each in a fresh
process (``coldstart.run_fresh``), with its time, CPU-seconds and peak memory.

market snapshot (ranking), LSTM, news mood. With ``--backend onnx`` (default) the LSTM
and the news mood run their cached ONNX exports and no process imports torch; a missing
or stale export is made first, once, with a notice (that step does need torch). The
news headlines are fetched here and handed to the job as a file; the market job does its
own requests, as the real one would.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
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
from stockbench.coldstart import run_fresh
from stockbench.errors import StockbenchError
from stockbench.fakemarket import ServerConfig
from stockbench.net import YONHAP_FEEDS, Endpoints, HttpClient
from stockbench.news.feed import DEFAULT_LIMIT
from stockbench.news.models import REPLICA
from stockbench.news.mood import BACKENDS
from stockbench.units import format_mb

# job, its variant per backend, what the table calls it
JOBS = (
    ("market", {"onnx": "ranking", "torch": "ranking"}, "market snapshot"),
    ("lstm", {"onnx": "onnx", "torch": "torch"}, "LSTM"),
    ("sentiment", {"onnx": "onnx", "torch": "int8"}, "news mood"),
)
CREDIT_CPU_S = 60.0  # an EC2 CPU credit: one vCPU at 100 % for one minute


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


def _prepare_exports(backend: str, model: str) -> None:
    """Make the exports the ONNX jobs need, once; torch is imported only if one is made."""
    if backend != "onnx":
        return
    from stockbench.lstm_onnx import ensure_lstm_export
    from stockbench.news.onnx_runtime import ensure_export

    say = progress_printer("stockbench daily: export")
    ensure_lstm_export(progress=say)
    ensure_export(model, progress=say)


def _job_args(job: str, args: argparse.Namespace, feed_file: Path) -> dict[str, Any]:
    if job == "market":
        return {"samples": args.companies}
    if job == "sentiment":
        return {"samples": args.limit, "model": args.model, "feed_file": feed_file}
    return {}


def _summary(report: dict[str, Any]) -> str:
    result, n = report["result"], report["samples"]
    if report["job"] == "market":
        return f"{result['rows']:,} companies, {result['failures']} failed"
    if report["job"] == "sentiment":
        counts = Counter(result["labels"])
        shares = ", ".join(f"{label} {counts[label] / n:.0%}" for label in result["label_names"])
        return f"{n} headlines: {shares}"
    return f"{n:,} sequences"


def _table(reports: list[dict[str, Any]], failures: list[str]) -> str:
    lines = [
        f"{'job':<17}{'way':<9}{'result':<40}{'time':>8}{'CPU s':>8}{'peak RSS':>10}",
    ]
    for r in reports:
        lines.append(
            f"{r['name']:<17}{r['variant']:<9}{_summary(r):<40}{r['process_wall_s']:>6.2f} s"
            f"{r['process_cpu_s']:>8.2f}{format_mb(r['peak_rss_bytes']):>10}"
        )
    wall = sum(r["process_wall_s"] for r in reports)
    cpu = sum(r["process_cpu_s"] for r in reports)
    peak = max((r["peak_rss_bytes"] for r in reports), default=None)
    lines.append(
        f"{'total':<66}{wall:>6.2f} s{cpu:>8.2f}{format_mb(peak):>10}"
        f"   ≈ {cpu / CREDIT_CPU_S:.3f} CPU credits"
    )
    lines += [f"failed: {f}" for f in failures]
    return "\n".join(lines)


def cmd_daily(args: argparse.Namespace) -> int:
    if args.limit < 1 or (args.companies is not None and args.companies < 1):
        raise CliError("--limit and --companies must be >= 1", EXIT_USAGE)
    _prepare_exports(args.backend, args.model)
    reports: list[dict[str, Any]] = []
    failures: list[str] = []
    with (
        market_origin(args.live, args.origin, ServerConfig()) as endpoints,
        tempfile.TemporaryDirectory() as tmp,
    ):
        feed_file = Path(tmp) / "feed.xml"
        feed_file.write_bytes(_feed_bytes(endpoints, args.feed))
        env = dict(os.environ)
        if endpoints.origin:
            env["STOCKBENCH_ORIGIN"] = endpoints.origin
        for job, variant, label in JOBS:
            try:
                report = run_fresh(
                    job, variant[args.backend], env=env, **_job_args(job, args, feed_file)
                )
                reports.append({**report, "name": label})
            except StockbenchError as exc:
                failures.append(f"{label}: {exc}")
    if args.json:
        print(
            json.dumps(
                {"backend": args.backend, "jobs": reports, "failed": failures},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        where = "live" if args.live or args.origin else "offline market"
        print(f"stockbench daily: three jobs, each in a fresh process ({args.backend}, {where})\n")
        print(_table(reports, failures))
        warnings = {r["result"].get("warning") for r in reports if r["job"] == "sentiment"}
        for warning in sorted(w for w in warnings if w):
            print(f"warning: {warning}", file=sys.stderr)
    return EXIT_FAILURE if failures else 0


def _feed_bytes(endpoints: Endpoints, which: str) -> bytes:
    with HttpClient(endpoints=endpoints) as client:
        return client.get(YONHAP_FEEDS[which])
