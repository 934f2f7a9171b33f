"""The ``stockbench`` command: one subcommand per module, each named after it.

``crawl`` and ``serve`` (the market), ``news``, ``daily`` (the three jobs, cold),
``bench``, ``report`` and ``machine``.
Each module registers its subparser and turns arguments into a call of the library:
parse, call, print. Heavy libraries (torch, transformers, matplotlib) are imported
only by the commands that use them, so ``stockbench crawl --help`` starts quickly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from stockbench import __version__
from stockbench.cli import bench, crawl, daily, machine, news, report, serve
from stockbench.cli.common import (
    EXIT_CODES_HELP,
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    CliError,
    usage_error,
)
from stockbench.errors import ConfigError, StockbenchError

__all__ = ["build_parser", "main"]

COMMANDS = (crawl, serve, news, daily, bench, report, machine)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stockbench",
        description="Which EC2 instance runs Korean stock workloads best, for the money.",
        epilog=EXIT_CODES_HELP,
    )
    parser.add_argument("--version", action="version", version=f"stockbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and not getattr(args, "passes_unknown_args", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        status: int = args.run(args, rest) if rest else args.run(args)
    except ConfigError as exc:
        return _fail(args.command, usage_error(exc))
    except CliError as exc:
        return _fail(args.command, exc)
    except StockbenchError as exc:
        return _fail(args.command, CliError(str(exc), EXIT_FAILURE))
    except KeyboardInterrupt:
        print(f"stockbench {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return status


def _fail(command: str, exc: CliError) -> int:
    print(f"stockbench {command}: error: {exc}", file=sys.stderr)
    return exc.status


if __name__ == "__main__":
    sys.exit(main())
