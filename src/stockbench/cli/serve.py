"""``stockbench serve``: the offline market on loopback, for other tools, until Ctrl-C."""

from __future__ import annotations

import argparse
from contextlib import suppress
from typing import Any

from stockbench.cli.common import EXIT_CODES_HELP, add_server_knobs, port_number, server_config
from stockbench.errors import ConfigError
from stockbench.fakemarket import FAULT_KINDS, MarketServer


def register(sub: Any) -> None:
    serve = sub.add_parser(
        "serve", help="run the bundled market on loopback until Ctrl-C", epilog=EXIT_CODES_HELP
    )
    serve.add_argument(
        "--port", type=port_number, default=8000, help="0 = any free port (default: %(default)s)"
    )
    add_server_knobs(serve)
    serve.set_defaults(run=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    config = server_config(args, port=args.port)
    try:
        server = MarketServer(config)
    except OSError as exc:  # the port is taken, or a privileged one
        raise ConfigError(
            f"cannot listen on {config.host}:{config.port} ({exc.strerror or exc})",
            setting="port",
        ) from exc
    server.start()
    try:
        print(
            f"serving the bundled market ({len(server.market.companies):,} companies) "
            f"at {server.origin}"
        )
        print(f"  export STOCKBENCH_ORIGIN={server.origin}")
        print(
            f"  latency {config.latency_ms} ms, faults {config.fault_rate:.0%} "
            f"({', '.join(FAULT_KINDS)}); Ctrl-C stops"
        )
        with suppress(KeyboardInterrupt):
            server.wait()
    finally:
        server.stop()
    return 0
