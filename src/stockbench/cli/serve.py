"""``stockbench serve``: the offline market on loopback, for other tools, until Ctrl-C."""

from __future__ import annotations

import argparse
from contextlib import suppress
from typing import Any

from stockbench.cli.common import add_server_knobs, server_config
from stockbench.fakemarket import FAULT_KINDS, serve_market


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the bundled market on loopback until Ctrl-C")
    serve.add_argument("--port", type=int, default=8000)
    add_server_knobs(serve)
    serve.set_defaults(run=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    config = server_config(args, port=args.port)
    with serve_market(config) as server:
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
    return 0
