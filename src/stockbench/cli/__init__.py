"""The ``stockbench`` command: one subcommand per module, each named after it.

``crawl`` and ``serve`` (the market), ``news``, ``daily`` (the three jobs, cold),
``bench``, ``report``, ``machine`` and ``fleet`` (the study on EC2).
Each module registers its subparser and turns arguments into a call of the library:
parse, call, print. Heavy libraries (torch, transformers, matplotlib) are imported
only by the commands that use them, so ``stockbench crawl --help`` starts quickly.

This module imports nothing of the package at import time: the command modules are
imported inside ``main``, so a Ctrl-C while they load is an interruption like any other
(exit 130, one line), not a traceback.

Exit statuses, the same for every command (``EXIT_CODES_HELP``): 0 done, 1 runtime
failure, 2 usage error, 130 interrupted. A library ``ConfigError`` is a usage error
named by its flag; any other ``StockbenchError`` and an operating-system error while
reading or writing files (a full disk) are runtime failures.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stockbench.cli.common import CliError

__all__ = ["build_parser", "main"]

# The same as cli.common's, known before anything is imported.
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    from stockbench import __version__
    from stockbench.cli import bench, crawl, daily, fleet, machine, news, report, serve
    from stockbench.cli.common import EXIT_CODES_HELP

    parser = argparse.ArgumentParser(
        prog="stockbench",
        description="Which EC2 instance runs Korean stock workloads best, for the money.",
        epilog=EXIT_CODES_HELP,
    )
    parser.add_argument("--version", action="version", version=f"stockbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (crawl, serve, news, daily, bench, report, machine, fleet):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    command = "stockbench"
    try:
        parser = build_parser()
        args, rest = parser.parse_known_args(argv)
        command = f"stockbench {args.command}"
        if rest and not getattr(args, "passes_unknown_args", False):
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        return _run(command, args, rest)
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `stockbench report | head`: the reader has all it wanted; say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE


def _run(command: str, args: argparse.Namespace, rest: Sequence[str]) -> int:
    from stockbench.cli.common import CliError, usage_error
    from stockbench.errors import ConfigError, StockbenchError

    try:
        status: int = args.run(args, rest) if rest else args.run(args)
    except ConfigError as exc:
        return _fail(command, usage_error(exc))
    except CliError as exc:
        return _fail(command, exc)
    except StockbenchError as exc:
        return _fail(command, CliError(str(exc), EXIT_FAILURE))
    except BrokenPipeError:
        raise  # the reader of stdout went away: main ends quietly
    except OSError as exc:  # the file system failed under a write: a full disk, a lost mount
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(command, CliError(f"{exc.strerror or exc}{where}", EXIT_FAILURE))
    return status


def _fail(command: str, exc: CliError) -> int:
    print(f"{command}: error: {exc}", file=sys.stderr)
    return exc.status


if __name__ == "__main__":
    sys.exit(main())
