"""``stockbench report``: saved runs from many instances compared, with verdicts."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from stockbench.cli.common import EXIT_CODES_HELP
from stockbench.errors import ConfigError
from stockbench.files import why_unwritable_folder

# The report library's defaults, spelt here so that `--help` need not import it (scipy);
# tests/cli/test_report.py checks they agree.
DAILY_COSTS = ("running", "launched")
DEFAULT_MIN_EFFECT = 0.03


def register(sub: Any) -> None:
    report = sub.add_parser(
        "report", help="compare saved runs across instances", epilog=EXIT_CODES_HELP
    )
    report.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path(".benchmarks")],
        help="saved pytest-benchmark JSON files or folders (default: .benchmarks)",
    )
    report.add_argument(
        "--out",
        type=Path,
        default=Path("stockbench-report"),
        help="folder for report.md, report.csv and the PNG charts",
    )
    report.add_argument("--baseline", help="instance the ratios are against (default: first)")
    report.add_argument("--region", help="price region (default: the runs' own, else us-east-1)")
    report.add_argument(
        "--prices",
        metavar="FILE|aws",
        help="'aws': ask AWS's Price List API (boto3 and credentials; cached a week); or a "
        'JSON file over the bundled table: {"regions": {REGION: {INSTANCE: USD_PER_HOUR}}}',
    )
    report.add_argument(
        "--target-ms",
        action="append",
        default=[],
        metavar="JOB=MS",
        help="latency target of a job, per round (repeatable)",
    )
    report.add_argument(
        "--min-effect",
        type=percent,
        default=DEFAULT_MIN_EFFECT,
        metavar="PERCENT",
        help="a difference smaller than this is reported as 'same' (default: 3)",
    )
    report.add_argument(
        "--deadline",
        type=positive_seconds,
        metavar="SECONDS",
        help="the daily jobs (market, LSTM, news, each from cold) must finish within this",
    )
    report.add_argument(
        "--daily-cost",
        choices=DAILY_COSTS,
        default=DAILY_COSTS[0],
        help="rank the daily verdict by the instance kept running all month (default) or "
        "launched for each run",
    )
    report.add_argument("--no-charts", action="store_true", help="tables only")
    report.set_defaults(run=cmd_report)


def percent(text: str) -> float:
    value = float(text)
    if not 0 <= value < 100:  # NaN fails too
        raise argparse.ArgumentTypeError(f"must be a percentage in [0, 100), got {text}")
    return value / 100


def positive_seconds(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text}")
    return value


def cmd_report(args: argparse.Namespace) -> int:
    reason = why_unwritable_folder(args.out)
    if reason:  # found before any file is read, not after
        raise ConfigError(f"{args.out}: {reason}", setting="out")
    # scipy and pandas take a second to import: only this command pays for them.
    from stockbench.report import (
        build_report,
        daily_lines,
        load_prices,
        parse_targets,
        terminal_table,
        verdict_lines,
        write_report,
    )
    from stockbench.report.awsprices import aws_prices

    aws = args.prices == "aws"
    report = build_report(
        args.paths,
        prices=load_prices(None if aws or args.prices is None else Path(args.prices)),
        more_prices=aws_prices if aws else None,
        region=args.region,
        baseline=args.baseline,
        targets_ms=parse_targets(args.target_ms),
        min_effect=args.min_effect,
        deadline_s=args.deadline,
        daily_cost=args.daily_cost,
    )
    for item in report.skipped:
        print(f"stockbench report: {item}", file=sys.stderr)
    written = write_report(report, args.out, charts=not args.no_charts)
    print(
        f"{len(report.runs)} runs, {len(report.instances)} instances; baseline "
        f"{report.baseline}; prices: {report.price_note}"
    )
    print(terminal_table(report.results))
    print("\nVerdicts")
    for line in verdict_lines(report.verdicts):
        print(f"  {line}")
    daily = daily_lines(report.daily)
    if daily:
        print()
        print("\n".join(daily))
    charts = len(written) - 2
    print(f"\nWrote {written[0]}, {written[1]}{f' and {charts} charts' if charts else ''}")
    return 0
