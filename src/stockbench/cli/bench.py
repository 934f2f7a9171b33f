"""``stockbench bench``: the benchmark suite, offline, saved under this machine's name.

The suite ships inside the package (``stockbench.benchmarks``, the checkout's
``benchmarks/`` folder), so an installed copy runs it from any folder. Results are
saved per save name (``.benchmarks/<name>/...``): runs of different instance types
never share a file name, so copies from many machines merge without collisions.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stockbench.cli.common import EXIT_CODES_HELP, EXIT_USAGE, CliError
from stockbench.files import safe_stem

STORAGE = ".benchmarks"


def register(sub: Any) -> None:
    bench = sub.add_parser(
        "bench",
        help="run the benchmark suite offline and save it under this machine's instance type",
        description="Any argument not listed here goes to pytest (e.g. -k lstm).",
        epilog=EXIT_CODES_HELP,
    )
    bench.add_argument(
        "--save-name",
        help="save name (default: the EC2 instance type, or local-<arch>-<N>cpu off EC2)",
    )
    bench.add_argument(
        "--benchmarks",
        type=Path,
        help="a benchmarks/ folder to run instead of the suite installed with the package",
    )
    bench.set_defaults(run=cmd_bench, passes_unknown_args=True)


def suite_dir(explicit: Path | None) -> Path:
    """The suite to run: ``explicit``, else the one installed with the package."""
    if explicit is None:
        spec = importlib.util.find_spec("stockbench.benchmarks")
        if spec is None or not spec.submodule_search_locations:
            raise CliError("the benchmark suite is not installed with this package")
        return Path(spec.submodule_search_locations[0]).resolve()
    if not (explicit / "conftest.py").is_file():
        raise CliError(f"--benchmarks: {explicit} holds no benchmark suite", EXIT_USAGE)
    return explicit.resolve()


def save_name(explicit: str | None) -> str:
    if explicit is None:
        from stockbench.machine import local_name, machine_info

        # The instance type comes from the metadata service: a folder name only once safe.
        return safe_stem(local_name(machine_info()))
    if safe_stem(explicit) != explicit:
        raise CliError(
            f"--save-name: {explicit!r} may hold only letters, digits, '.', '_' and '-'",
            EXIT_USAGE,
        )
    return explicit


def pytest_argv(suite: Path, name: str, run_json: Path, extra: Sequence[str]) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "pytest",
        str(suite),
        "-p",
        "no:cacheprovider",  # the suite may sit in site-packages: write nothing there
        f"--benchmark-save={name}",
        "--benchmark-save-data",
        f"--benchmark-json={run_json}",
    ]
    if not any(a.startswith("--benchmark-storage") for a in extra):
        argv.append(f"--benchmark-storage=file://{Path.cwd() / STORAGE / name}")
    return [*argv, *extra]


def cmd_bench(args: argparse.Namespace, pytest_args: Sequence[str] = ()) -> int:
    from stockbench.report.summary import format_summary, summarize

    suite = suite_dir(args.benchmarks)
    name = save_name(args.save_name)
    with tempfile.TemporaryDirectory() as tmp:
        run_json = Path(tmp) / "run.json"
        argv = pytest_argv(suite, name, run_json, pytest_args)
        print("+ " + " ".join(argv), flush=True)
        status = subprocess.call(argv)
        if run_json.is_file():
            print(f"\nSaved as {name!r}. Each case against its baseline (same run):")
            print(format_summary(summarize(run_json)))
            print(
                "\nCompare instances: stockbench report  (or pytest-benchmark compare "
                "--group-by group --columns min,median)"
            )
    return status
