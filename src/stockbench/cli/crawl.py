"""``stockbench crawl``: a market snapshot of every listed company, saved to CSV."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from tqdm import tqdm

from stockbench.cli.common import (
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    CliError,
    add_origin,
    add_server_knobs,
    market_origin,
    non_negative_float,
    server_config,
)
from stockbench.downloads import fetch_listing
from stockbench.errors import StockbenchError
from stockbench.market.crawl import DEFAULT_OUT, CrawlPlan, CrawlResult, run_crawl, select
from stockbench.market.sources import SOURCE_NAMES
from stockbench.net import HttpClient, HttpConfig
from stockbench.units import format_mb


def register(sub: Any) -> None:
    crawl = sub.add_parser(
        "crawl", help="snapshot every listed company to CSV", epilog=EXIT_CODES_HELP
    )
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
    print(
        f"  requests       {result.stats.requests:,} ({result.stats.retries:,} retries, "
        f"{format_mb(result.stats.bytes_received)} received)"
    )
    print(f"  rows written   {snap.rows_ok:,} -> {result.out}")
    print(f"  failures       {len(snap.failures):,} -> {result.failures_out}")
    if snap.rows_by_source:
        print("  by source      " + ", ".join(f"{k} {v:,}" for k, v in snap.rows_by_source.items()))


def cmd_crawl(args: argparse.Namespace) -> int:
    codes = tuple(c.strip() for c in args.codes.split(",") if c.strip()) if args.codes else None
    plan = CrawlPlan(args.source, codes, args.limit, args.out, args.resume)
    config = HttpConfig(max_rate_per_host=args.rate or None, retries=args.retries)
    with (
        market_origin(args.live, args.origin, server_config(args)) as endpoints,
        HttpClient(config, endpoints=endpoints) as client,
    ):
        try:
            full = fetch_listing(client)
        except StockbenchError as exc:
            raise CliError(f"could not get the KRX company list: {exc}") from exc
        listing = select(full, plan)
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
