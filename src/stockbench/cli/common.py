"""What every ``stockbench`` command shares: errors with exit statuses, option types,
and the offline-or-live choice of endpoints."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from stockbench.fakemarket import DEFAULT_SEED
from stockbench.net import Endpoints
from stockbench.server import ServerConfig, serve_market

EXIT_NOTHING = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A message for the user and an exit status; raised only inside ``stockbench.cli``."""

    def __init__(self, message: str, status: int = EXIT_NOTHING) -> None:
        super().__init__(message)
        self.status = status


def non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be within 0..1, got {text}")
    return value


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
