"""``stockbench bench``, ``stockbench report`` and ``stockbench machine``."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stockbench.cli.common import EXIT_USAGE, CliError
from stockbench.errors import ConfigError
from stockbench.snapshot import atomic_write_text

REPO_ROOT = Path(__file__).resolve().parents[3]  # src/stockbench/cli/bench.py -> checkout
SAVE_NAME = re.compile(r"^(?!\.+$)[A-Za-z0-9_.-]+$")


def register(sub: Any) -> None:
    bench = sub.add_parser(
        "bench",
        help="run the benchmark suite offline and save it under this machine's instance type",
        description="Any argument not listed here goes to pytest (e.g. -k lstm).",
    )
    bench.add_argument(
        "--save-name",
        help="save name (default: the EC2 instance type, or local-<arch>-<N>cpu off EC2)",
    )
    bench.add_argument(
        "--benchmarks",
        type=Path,
        help="the benchmarks/ folder (default: found in the current folder or beside the package)",
    )
    bench.set_defaults(run=cmd_bench, passes_unknown_args=True)

    report = sub.add_parser("report", help="compare saved runs across instances")
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
        metavar="CASE=MS",
        help="latency target of a job or case, per round (repeatable)",
    )
    report.add_argument("--no-charts", action="store_true", help="tables only")
    report.set_defaults(run=cmd_report)

    machine = sub.add_parser("machine", help="what the suite records about this machine")
    machine.add_argument("--json", action="store_true", help="print JSON")
    machine.set_defaults(run=cmd_machine)


def find_benchmarks(explicit: Path | None) -> Path:
    candidates = [explicit] if explicit else [Path.cwd() / "benchmarks", REPO_ROOT / "benchmarks"]
    for path in candidates:
        if path is not None and (path / "conftest.py").is_file():
            return path
    raise CliError(
        "no benchmarks/ folder found: run from the stockbench checkout or pass --benchmarks DIR",
        EXIT_USAGE,
    )


def storage_args(cwd: Path, name: str, pytest_args: Sequence[str]) -> list[str]:
    """One storage folder per save name, so that results copied from several machines
    (which all save as e.g. Linux-CPython-3.11-64bit/0001_<name>.json) never collide;
    a storage the user chose is kept."""
    if any(a.startswith("--benchmark-storage") for a in pytest_args):
        return []
    return [f"--benchmark-storage=file://{cwd / '.benchmarks' / name}"]


def cmd_bench(args: argparse.Namespace, pytest_args: Sequence[str] = ()) -> int:
    from stockbench.machine import local_name, machine_info
    from stockbench.runsummary import format_summary, load_run, summarize

    bench_dir = find_benchmarks(args.benchmarks)
    name = local_name(machine_info()) if args.save_name is None else args.save_name
    if not SAVE_NAME.match(name):
        raise CliError(f"--save-name {name!r}: letters, digits, '.', '_' and '-' only", EXIT_USAGE)
    with tempfile.TemporaryDirectory() as tmp:
        run_json = Path(tmp) / "run.json"
        argv = [
            sys.executable,
            "-m",
            "pytest",
            str(bench_dir),
            f"--benchmark-save={name}",
            "--benchmark-save-data",
            f"--benchmark-json={run_json}",
            *storage_args(bench_dir.parent, name, pytest_args),
            *pytest_args,
        ]
        print("+ " + " ".join(argv), flush=True)
        status = subprocess.call(argv, cwd=bench_dir.parent)
        if run_json.is_file():
            print(f"\nSaved as {name!r}. Each case against its group's baseline (same run):")
            print(format_summary(summarize(load_run(run_json))))
            print(
                "\nCompare instances: stockbench report  (or pytest-benchmark compare "
                "--group-by group --columns min,median)"
            )
    return status


def cmd_report(args: argparse.Namespace) -> int:
    from stockbench import report
    from stockbench.report.charts import render_charts

    try:
        targets = report.parse_targets(args.target_ms)
        prices = report.load_prices(args.prices)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    runs, skipped = report.load_runs(args.paths)
    for item in skipped:
        print(f"stockbench report: {item}", file=sys.stderr)
    if not runs:
        raise CliError(f"no readable benchmark run in {', '.join(map(str, args.paths))}")
    region = report.pick_region(runs, args.region)
    try:
        baseline = report.pick_baseline(runs, args.baseline)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    results = report.aggregate(runs, prices, region, baseline)
    verdicts = report.verdicts(results, targets)
    charts = (
        {} if args.no_charts else {c.title: c.path.name for c in render_charts(results, args.out)}
    )
    atomic_write_text(args.out / "report.csv", report.results_csv(results), encoding="utf-8")
    atomic_write_text(
        args.out / "report.md",
        report.markdown(results, verdicts, charts, prices, region, baseline, skipped),
        encoding="utf-8",
    )
    print(
        f"{len(runs)} runs, {len({r.instance for r in runs})} instances; baseline {baseline}; "
        f"prices {region} ({prices.as_of})"
    )
    print(report.terminal_table(results))
    print("\nVerdicts")
    for line in report.verdict_lines(verdicts):
        print(f"  {line}")
    print(
        f"\nWrote {args.out / 'report.md'}, {args.out / 'report.csv'}"
        f"{f' and {len(charts)} charts' if charts else ''}"
    )
    return 0


def cmd_machine(args: argparse.Namespace) -> int:
    from stockbench.machine import machine_info

    info = machine_info()
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        for key, value in info.items():
            print(f"{key:<28}{value}")
    return 0
