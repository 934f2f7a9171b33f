"""``stockbench machine``: what the benchmark suite records about this machine."""

from __future__ import annotations

import argparse
import json
from typing import Any

from stockbench.cli.common import EXIT_CODES_HELP


def register(sub: Any) -> None:
    machine = sub.add_parser(
        "machine", help="what the suite records about this machine", epilog=EXIT_CODES_HELP
    )
    machine.add_argument("--json", action="store_true", help="print JSON")
    machine.set_defaults(run=cmd_machine)


def cmd_machine(args: argparse.Namespace) -> int:
    from stockbench.machine import machine_info  # py-cpuinfo, torch: only when asked

    info = machine_info()
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        for key, value in info.items():
            print(f"{key:<28}{value}")
    return 0
