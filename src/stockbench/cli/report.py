"""``stockbench report``: saved runs from many instances compared, with verdicts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from stockbench.cli.common import EXIT_CODES_HELP
from stockbench.errors import ConfigError
from stockbench.files import why_unwritable_folder


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
        type=Path,
        help="JSON price overrides, same shape as the "
        'bundled table: {"regions": {REGION: {INSTANCE: USD_PER_HOUR}}}',
    )
    report.add_argument(
        "--target-ms",
        action="append",
        default=[],
        metavar="JOB=MS",
        help="latency target of a job, per round (repeatable)",
    )
    report.add_argument("--no-charts", action="store_true", help="tables only")
    report.set_defaults(run=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    reason = why_unwritable_folder(args.out)
    if reason:  # found before any file is read, not after
        raise ConfigError(f"{args.out}: {reason}", setting="out")
    # scipy and pandas take a second to import: only this command pays for them.
    from stockbench.report import (
        build_report,
        load_prices,
        parse_targets,
        terminal_table,
        verdict_lines,
        write_report,
    )

    report = build_report(
        args.paths,
        prices=load_prices(args.prices),
        region=args.region,
        baseline=args.baseline,
        targets_ms=parse_targets(args.target_ms),
    )
    for item in report.skipped:
        print(f"stockbench report: {item}", file=sys.stderr)
    written = write_report(report, args.out, charts=not args.no_charts)
    print(
        f"{len(report.runs)} runs, {len(report.instances)} instances; baseline "
        f"{report.baseline}; prices {report.region} ({report.prices.as_of})"
    )
    print(terminal_table(report.results))
    print("\nVerdicts")
    for line in verdict_lines(report.verdicts):
        print(f"  {line}")
    charts = len(written) - 2
    print(f"\nWrote {written[0]}, {written[1]}{f' and {charts} charts' if charts else ''}")
    return 0
