"""``stockbench crawl`` and ``stockbench serve``."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from contextlib import AbstractContextManager, nullcontext, suppress
from pathlib import Path
from typing import Any

from tqdm import tqdm

from stockbench.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CliError,
    add_origin,
    add_server_knobs,
    market_origin,
    non_negative_float,
    server_config,
)
from stockbench.crawl import DEFAULT_OUT, CrawlPlan, CrawlResult, fetch_listing, run_crawl, select
from stockbench.errors import ConfigError, StockbenchError
from stockbench.net import HttpClient, HttpConfig
from stockbench.server import FAULT_KINDS, serve_market
from stockbench.sources import SOURCE_NAMES


def register(sub: Any) -> None:
    crawl = sub.add_parser("crawl", help="snapshot every listed company to CSV")
    add_origin(crawl)
    crawl.add_argument(
        "--source",
        choices=SOURCE_NAMES,
        default="ranking",
        help="ranking (bulk JSON, then polling) or per-item (the original's "
        "one page per company); default: %(default)s",
    )
    crawl.add_argument("--codes", help="only these listed companies, comma-separated")
    crawl.add_argument("--limit", type=int, help="only the first N companies of the list")
    crawl.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="rows CSV (default: %(default)s)"
    )
    crawl.add_argument(
        "--resume",
        action="store_true",
        help="keep the rows already in --out and fetch only the rest",
    )
    crawl.add_argument(
        "--rate",
        type=non_negative_float,
        default=3.0,
        help="requests per second per host, 0 = no cap (default: %(default)s, "
        "the original's 0.3 s pause)",
    )
    crawl.add_argument("--retries", type=int, default=3, help="retries per request")
    crawl.add_argument("--quiet", action="store_true", help="no progress bar")
    add_server_knobs(crawl)
    crawl.set_defaults(run=cmd_crawl)

    serve = sub.add_parser("serve", help="run the bundled market on loopback until Ctrl-C")
    serve.add_argument("--port", type=int, default=8000)
    add_server_knobs(serve)
    serve.set_defaults(run=cmd_serve)


def progress_bar(total: int, quiet: bool) -> AbstractContextManager[Any]:
    """A progress bar with ETA on stderr, shown only for runs longer than two seconds."""
    if quiet:
        return nullcontext(None)
    bar: AbstractContextManager[Any] = tqdm(
        total=total, unit="co", delay=2.0, file=sys.stderr, dynamic_ncols=True
    )
    return bar


def pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns; Hangul takes two columns each."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - cols, 1)


def print_summary(result: CrawlResult) -> None:
    snap = result.snapshot
    top = snap.top_by_market_cap(10)
    if top:
        print("\nTop 10 by market cap (억원):")
        print(
            f"{pad('name', 24)}{'code':<8}{'market':<8}{'price':>12}{'market_cap_eok':>16}"
            f"{'volume':>14}"
        )
        for r in top:
            print(
                f"{pad(r.name, 24)}{r.code:<8}{r.market:<8}{r.price:>12,}"
                f"{r.market_cap_eok:>16,}{r.volume:>14,}"
            )
    per = result.elapsed_s / result.companies if result.companies else 0.0
    print("\nSummary")
    print(f"  companies      {result.companies:,}")
    print(f"  elapsed        {result.elapsed_s:.2f} s ({per * 1000:.2f} ms per company)")
    print(f"  requests       {result.stats.requests:,} ({result.stats.retries:,} retries)")
    print(f"  rows written   {snap.rows_ok:,} -> {result.out}")
    print(f"  failures       {len(snap.failures):,} -> {result.failures_out}")
    if snap.rows_by_source:
        print("  by source      " + ", ".join(f"{k} {v:,}" for k, v in snap.rows_by_source.items()))


def cmd_crawl(args: argparse.Namespace) -> int:
    codes = tuple(c.strip() for c in args.codes.split(",") if c.strip()) if args.codes else None
    try:
        plan = CrawlPlan(args.source, codes, args.limit, args.out, args.resume)
        config = HttpConfig(max_rate_per_host=args.rate or None, retries=args.retries)
    except (StockbenchError, ValueError) as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    with (
        market_origin(args.live, args.origin, server_config(args)) as endpoints,
        HttpClient(config, endpoints=endpoints) as client,
    ):
        try:
            listing = select(fetch_listing(client), plan)
        except ConfigError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        except StockbenchError as exc:
            raise CliError(f"could not get the KRX company list: {exc}") from exc
        if listing.rejected:
            print(
                f"note: {len(listing.rejected)} rows of the KRX list were unusable", file=sys.stderr
            )
        with progress_bar(len(listing), args.quiet) as bar:
            result = run_crawl(listing, plan, client, progress=bar.update if bar else None)
    print_summary(result)
    if result.interrupted:
        print(
            "\ninterrupted: partial results saved; run again with --resume to finish",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if result.snapshot.rows_ok == 0:
        raise CliError(f"no company could be priced; reasons in {result.failures_out}")
    return 0


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
