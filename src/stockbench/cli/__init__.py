"""The ``stockbench`` command: crawl, serve, news, bench, report, machine.

Each command family lives in its own module and registers its subparser; heavy
libraries (torch, transformers, matplotlib) are imported only by the commands that
use them, so ``stockbench crawl --help`` starts in a fraction of a second.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from stockbench import __version__
from stockbench.cli import bench, fleet, market, news
from stockbench.cli.common import EXIT_NOTHING, CliError
from stockbench.errors import StockbenchError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stockbench",
        description="Which EC2 instance runs Korean stock workloads best, for the money.",
    )
    parser.add_argument("--version", action="version", version=f"stockbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (market, news, bench, fleet):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and not getattr(args, "passes_unknown_args", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        status: int = args.run(args, rest) if rest else args.run(args)
    except CliError as exc:
        print(f"stockbench {args.command}: error: {exc}", file=sys.stderr)
        return exc.status
    except StockbenchError as exc:
        print(f"stockbench {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_NOTHING
    return status


if __name__ == "__main__":
    sys.exit(main())
