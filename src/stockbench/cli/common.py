"""What every ``stockbench`` command shares: exit statuses, errors for the user, option
types, and the offline-or-live choice of endpoints.

Exit statuses, the same for every command: 0 done, 1 runtime failure (nothing or not
everything could be done), 2 usage (a bad flag, file or value: an output that cannot
be written, a port that cannot be had, an origin that is no URL), 130 interrupted.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from stockbench.errors import ConfigError
from stockbench.fakemarket import DEFAULT_SEED, ServerConfig, serve_market
from stockbench.net import Endpoints, HttpConfig

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_CODES_HELP = (
    "exit status: 0 done, 1 runtime failure, 2 usage error (a bad flag, file or value), "
    "130 interrupted"
)

# Library settings whose flag is not simply "--" + the setting with dashes.
FLAG_FOR_SETTING = {"max_rate_per_host": "--rate", "spec": "--model"}


class CliError(Exception):
    """A message for the user and an exit status; raised only inside ``stockbench.cli``."""

    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


def flag(setting: str) -> str:
    """The flag of a library setting; an environment variable's name stays as it is."""
    if setting.isupper():
        return setting
    return FLAG_FOR_SETTING.get(setting, "--" + setting.replace("_", "-"))


def usage_error(exc: ConfigError) -> CliError:
    """A library ``ConfigError`` in the user's words: the flag, then what was wrong."""
    if exc.setting is None:
        return CliError(str(exc), EXIT_USAGE)
    return CliError(f"{flag(exc.setting)}: {exc.message}", EXIT_USAGE)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def non_negative_float(text: str) -> float:
    value = _number(text)
    if not 0 <= value < math.inf:  # NaN fails this too
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def positive_float(text: str) -> float:
    value = _number(text)
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def fraction(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be within 0..1, got {text}")
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be within 0..65535, got {text}")
    return value


def add_http_knobs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--retries", type=int, default=3, help="retries per request (default: 3)")
    p.add_argument(
        "--timeout",
        type=positive_float,
        metavar="SECONDS",
        help="give up on an answer after this long: to connect, for its first byte, and "
        "for its whole body (default: 5, 10 and 60 s)",
    )


def http_config(args: argparse.Namespace, max_rate_per_host: float | None = 3.0) -> HttpConfig:
    """The HTTP settings of ``add_http_knobs`` as an ``HttpConfig``."""
    config = HttpConfig(retries=args.retries, max_rate_per_host=max_rate_per_host)
    if args.timeout is None:
        return config
    t = args.timeout
    return replace(config, connect_timeout_s=t, read_timeout_s=t, body_timeout_s=t)


def add_server_knobs(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("offline server")
    g.add_argument(
        "--latency-ms",
        type=non_negative_float,
        default=30.0,
        help="added latency per request (default: %(default)s)",
    )
    g.add_argument(
        "--fault-rate",
        type=fraction,
        default=0.0,
        help="share of requests that fail: 5xx, 429, reset, stall, truncated body",
    )
    g.add_argument("--seed", type=int, default=DEFAULT_SEED, help="market and fault seed")


def add_origin(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--live",
        action="store_true",
        help="use the configured endpoints (the real sites, or STOCKBENCH_ORIGIN / "
        "--origin) instead of the bundled offline server",
    )
    p.add_argument("--origin", help="send every request to this origin (implies --live)")


@contextmanager
def market_origin(
    live: bool, origin: str | None, offline: ServerConfig | None = None
) -> Iterator[Endpoints]:
    """Live endpoints, or the bundled market on loopback for the ``with`` block."""
    if live or origin:
        yield Endpoints.from_env(origin)
        return
    with serve_market(offline or ServerConfig()) as server:
        yield Endpoints(server.origin)


def server_config(args: argparse.Namespace, port: int = 0) -> ServerConfig:
    return ServerConfig(
        seed=args.seed, latency_ms=args.latency_ms, fault_rate=args.fault_rate, port=port
    )


def progress_printer(prefix: str) -> Callable[[str], None]:
    """Stage lines on stderr with the seconds since the first: an export's progress."""
    start = time.perf_counter()

    def say(message: str) -> None:
        print(f"{prefix}: [{time.perf_counter() - start:5.1f} s] {message}", file=sys.stderr)

    return say
